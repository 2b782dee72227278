using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Potentials;

/// <summary>
/// A learned pair potential, the baseline of the learned potentials: E_i = scale·½ Σ_j φ_{s_i s_j}(r_ij) + shift[s_i],
/// with φ(r) = MLP(Bessel(r))·u(r) per unordered species pair — the Bessel basis and the p = 6
/// polynomial envelope u of NequIP (<see cref="RadialBasis"/>).
/// </summary>
/// <remarks>
/// One MLP (SiLU) maps the K Bessel features to one output per species pair; each edge reads the
/// column of its pair. Invariant under rotations, translations and permutations by construction;
/// forces and stress come from autodiff through <see cref="Graph.EdgeVectors"/>. A pair potential
/// cannot represent many-body physics (EMT's embedding term): it is the sanity model the trainer and
/// the CLI are proven with, and the yardstick the equivariant model has to beat.
/// The shift and scale are buffers (saved in checkpoints, not trained).
/// </remarks>
public sealed class PairMlpPotential : Module, IPotentialModel
{
    private readonly int[] numbers;

    /// <summary>Builds the model with freshly initialised weights.</summary>
    /// <param name="atomicNumbers">The species the model knows (distinct atomic numbers), in index order.</param>
    /// <param name="cutoff">Cutoff radius (Å).</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="basis">Number of Bessel functions K.</param>
    /// <param name="hidden">Hidden widths of the radial MLP (at least one).</param>
    /// <param name="dtype">Parameter dtype (float64 for tests and precise forces, float32 for speed).</param>
    public PairMlpPotential(IReadOnlyList<int> atomicNumbers, double cutoff, Generator generator, int basis = 8, IReadOnlyList<int>? hidden = null,
        DType dtype = DType.Float64)
    {
        ArgumentNullException.ThrowIfNull(atomicNumbers);
        ArgumentNullException.ThrowIfNull(generator);
        const string op = nameof(PairMlpPotential);
        if (atomicNumbers.Count == 0) throw new ArgumentException($"{op}: at least one species is needed", nameof(atomicNumbers));
        if (atomicNumbers.Distinct().Count() != atomicNumbers.Count)
            throw new ArgumentException($"{op}: atomic numbers must be distinct, got [{string.Join(", ", atomicNumbers)}]", nameof(atomicNumbers));
        if (atomicNumbers.Any(z => z < 1 || z > 118)) throw new ArgumentException($"{op}: atomic numbers must be 1…118, got [{string.Join(", ", atomicNumbers)}]", nameof(atomicNumbers));
        if (!double.IsFinite(cutoff) || cutoff <= 0) throw new ArgumentException($"{op}: cutoff must be positive and finite, got {cutoff}", nameof(cutoff));
        if (basis < 1) throw new ArgumentException($"{op}: basis must be at least 1, got {basis}", nameof(basis));
        var widths = hidden ?? [32, 32];
        if (widths.Count == 0 || widths.Any(w => w < 1)) throw new ArgumentException($"{op}: hidden widths must be positive, got [{string.Join(", ", widths)}]", nameof(hidden));
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"{op}: dtype must be float32 or float64, got {dtype.Name()}", nameof(dtype));
        numbers = atomicNumbers.ToArray();
        Cutoff = cutoff;
        Basis = basis;
        Hidden = widths.ToArray();
        int s = numbers.Length;
        Pairs = s * (s + 1) / 2;
        Radial = RegisterModule("radial", new Mlp([basis, .. widths, Pairs], generator, Activation.Silu, dtype: dtype));
        RegisterBuffer("shift", Tensor.Zeros([s], dtype));
        RegisterBuffer("scale", Tensor.Ones([1], dtype));
    }

    /// <inheritdoc/>
    public double Cutoff { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> AtomicNumbers => numbers;

    /// <summary>Number of Bessel functions.</summary>
    public int Basis { get; }

    /// <summary>Hidden widths of the radial MLP.</summary>
    public IReadOnlyList<int> Hidden { get; }

    /// <summary>Number of unordered species pairs S(S+1)/2 (outputs of the radial MLP).</summary>
    public int Pairs { get; }

    /// <summary>The radial MLP: K Bessel features → one value per species pair.</summary>
    public Mlp Radial { get; }

    /// <summary>Dtype of the parameters (and of the graphs this model reads).</summary>
    public DType DType => Radial.Parameters().First().DType;

    /// <summary>Index of the unordered species pair (a, b) among the <see cref="Pairs"/> outputs.</summary>
    /// <param name="a">Species index.</param>
    /// <param name="b">Species index.</param>
    public int PairIndex(int a, int b)
    {
        int s = numbers.Length;
        if ((uint)a >= (uint)s || (uint)b >= (uint)s) throw new ArgumentOutOfRangeException(nameof(a), $"{nameof(PairMlpPotential)}: species ({a}, {b}) outside [0, {s})");
        if (a > b) (a, b) = (b, a);
        return a * s - a * (a - 1) / 2 + (b - a);
    }

    /// <summary>
    /// The pair energy φ(r) (before the scale) of edges of lengths <paramref name="r"/> [E] between the
    /// species pairs <paramref name="pair"/> ([E, 1] int64, from <see cref="PairIndex"/>): [E].
    /// </summary>
    /// <param name="r">Edge lengths [E], positive.</param>
    /// <param name="pair">Pair index of each edge, [E, 1] int64.</param>
    public Tensor PairEnergy(Tensor r, Tensor pair)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(pair);
        if (pair.DType != DType.Int64 || pair.Rank != 2 || pair.Size(1) != 1 || r.Rank != 1 || pair.Size(0) != r.Size(0))
            throw new TensorException("PairMlpPotential.PairEnergy", $"need r [E] and pair [E, 1] int64, got r {Tensor.ShapeString(r.Shape)} and pair {pair.DType.Name()}{Tensor.ShapeString(pair.Shape)}");
        var features = RadialBasis.Bessel(r, Basis, Cutoff);
        var phi = Radial.Forward(features).Gather(1, pair).Reshape(r.Size(0));
        return phi.Mul(RadialBasis.PolynomialCutoff(r, Cutoff));
    }

    /// <inheritdoc/>
    public Tensor AtomicEnergies(Graph graph, Tensor species)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(species);
        const string op = "PairMlpPotential.AtomicEnergies";
        var pos = graph.Positions ?? throw new TensorException(op, "the graph has no positions");
        if (pos.DType != DType) throw new TensorException(op, $"positions are {pos.DType.Name()} but the model is {DType.Name()}; convert one of them");
        if (species.DType != DType.Int64 || species.Rank != 1 || species.Size(0) != graph.NumNodes)
            throw new TensorException(op, $"species must be [{graph.NumNodes}] int64, got {species.DType.Name()}{Tensor.ShapeString(species.Shape)}");
        var s = species.ToArray<long>();
        foreach (var x in s)
            if ((ulong)x >= (ulong)numbers.Length) throw new TensorException(op, $"species index {x} outside [0, {numbers.Length}) (the model knows Z = [{string.Join(", ", numbers)}])");
        var senders = graph.Senders.ToArray<long>();
        var receivers = graph.Receivers.ToArray<long>();
        var pairs = new long[senders.Length];
        for (int e = 0; e < pairs.Length; e++) pairs[e] = PairIndex((int)s[receivers[e]], (int)s[senders[e]]);
        var pair = Tensor.FromSpan<long>(pairs, [pairs.Length, 1], pos.Device);
        var r = graph.EdgeLengths();
        // ½ Σ_j: every pair is listed in both directions.
        var edgeEnergy = PairEnergy(r, pair).Mul(0.5);
        var atomic = MessagePassing.SegmentSum(edgeEnergy, graph.Edges);
        var shift = GetBuffer("shift")!.IndexSelect(0, species);
        return atomic.Mul(GetBuffer("scale")!).Add(shift);
    }

    /// <inheritdoc/>
    public void SetEnergyReference(ReadOnlySpan<double> shiftPerSpecies, double scale)
    {
        if (shiftPerSpecies.Length != numbers.Length)
            throw new ArgumentException($"{nameof(PairMlpPotential)}: {shiftPerSpecies.Length} shifts for {numbers.Length} species", nameof(shiftPerSpecies));
        if (!double.IsFinite(scale) || scale <= 0) throw new ArgumentException($"{nameof(PairMlpPotential)}: scale must be positive and finite, got {scale}", nameof(scale));
        foreach (var v in shiftPerSpecies)
            if (!double.IsFinite(v)) throw new ArgumentException($"{nameof(PairMlpPotential)}: shifts must be finite, got [{string.Join(", ", shiftPerSpecies.ToArray())}]", nameof(shiftPerSpecies));
        var shift = GetBuffer("shift")!;
        var sc = GetBuffer("scale")!;
        using (Autograd.GradMode.NoGrad())
        {
            shift.CopyFrom(Tensor.FromDoubles(shiftPerSpecies, [numbers.Length], shift.DType, shift.Device));
            sc.CopyFrom(Tensor.FromDoubles([scale], [1], sc.DType, sc.Device));
        }
    }

    /// <summary>The per-species shift (eV) and the scale (eV) in use.</summary>
    public (double[] Shift, double Scale) EnergyReference => (GetBuffer("shift")!.ToArray<double>(), GetBuffer("scale")!.Item());

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
        => throw new NotSupportedException($"{nameof(PairMlpPotential)}: call AtomicEnergies(graph, species) — a potential has no single-tensor form");

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"Z=[{string.Join(", ", numbers)}], cutoff={Cutoff}, basis={Basis}, hidden=[{string.Join(", ", Hidden)}]";
}
