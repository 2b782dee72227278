using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.Irreps;
using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Potentials;

/// <summary>
/// A NequIP-style E(3)-equivariant interatomic potential: species embedding (C×0e), several
/// <see cref="InteractionBlock"/>s on the hidden irreps C×0e + C×1o + C×2e + … (l ≤ LMax, parity
/// (−1)^l), and a linear per-atom readout of the scalars, E_i = scale·ẽ_i + shift[species_i].
/// </summary>
/// <remarks>
/// Everything is differentiable to every order in the edge vectors (spherical harmonics, radial
/// network, the fused tensor-product convolution), so forces, stress and training on forces come
/// from autodiff. Energies are invariant under rotations, reflections, translations and atom
/// relabelling (tested). Shift and scale are buffers (saved in checkpoints), set by the trainer
/// through <see cref="SetEnergyReference"/>.
/// </remarks>
public sealed class NequipModel : Module, IPotentialModel
{
    private readonly int[] atomicNumbers;
    private readonly InteractionBlock[] blocks;

    /// <summary>Creates the model.</summary>
    /// <param name="atomicNumbers">The species it knows, in the order of the species indices.</param>
    /// <param name="options">Sizes.</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device.</param>
    public NequipModel(IReadOnlyList<int> atomicNumbers, NequipOptions options, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(atomicNumbers);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        options.Validate();
        if (atomicNumbers.Count == 0 || atomicNumbers.Distinct().Count() != atomicNumbers.Count || atomicNumbers.Any(z => z < 1 || z > 118))
            throw new ArgumentException($"NequipModel: atomic numbers must be distinct elements 1 … 118, got [{string.Join(", ", atomicNumbers)}]", nameof(atomicNumbers));
        this.atomicNumbers = atomicNumbers.ToArray();
        Options = options;
        DType = dtype;
        int c = options.Channels;
        Hidden = new IrrepsLayout(Enumerable.Range(0, options.LMax + 1).Select(l => new IrrepsBlock(c, l, l % 2 == 0 ? 1 : -1)));
        RegisterParameter("embedding", Tensor.Randn([this.atomicNumbers.Length, c], generator, dtype, device));
        var input = IrrepsLayout.Parse($"{c}x0e");
        blocks = new InteractionBlock[options.Layers];
        for (int k = 0; k < blocks.Length; k++)
        {
            blocks[k] = RegisterModule($"block_{k}", new InteractionBlock(input, Hidden, options, generator, dtype, device));
            input = blocks[k].Output;
        }
        var mid = IrrepsLayout.Parse($"{Math.Max(1, c / 2)}x0e");
        Readout1 = RegisterModule("readout_1", new IrrepsLinear(input, mid, generator, dtype: dtype, device: device));
        Readout2 = RegisterModule("readout_2", new IrrepsLinear(mid, IrrepsLayout.Parse("1x0e"), generator, dtype: dtype, device: device));
        RegisterBuffer("energy_shift", Tensor.Zeros([this.atomicNumbers.Length], dtype, device));
        RegisterBuffer("energy_scale", Tensor.Ones([1], dtype, device));
    }

    /// <summary>Sizes.</summary>
    public NequipOptions Options { get; }

    /// <summary>Dtype of the parameters.</summary>
    public DType DType { get; }

    /// <summary>
    /// Most edges whose radial weights exist at once (default 65 536): a larger graph is convolved in
    /// chunks of receivers and the weights are recomputed in the backward pass, so energy + forces of
    /// 10⁴-atom cells fit in memory; results equal the unchunked evaluation (energies bit for bit, forces
    /// to rounding). ≤ 0: never chunk. Not saved in checkpoints (an evaluation setting).
    /// </summary>
    public int EdgeChunkSize { get; set; } = 65_536;

    /// <summary>Irreps of the hidden features.</summary>
    public IrrepsLayout Hidden { get; }

    /// <summary>The interaction blocks (benchmarks export their layouts).</summary>
    internal IReadOnlyList<InteractionBlock> Blocks => blocks;

    internal IrrepsLinear Readout1 { get; }

    internal IrrepsLinear Readout2 { get; }

    /// <inheritdoc/>
    public double Cutoff => Options.Cutoff;

    /// <inheritdoc/>
    public IReadOnlyList<int> AtomicNumbers => atomicNumbers;

    /// <inheritdoc/>
    public void SetEnergyReference(ReadOnlySpan<double> shiftPerSpecies, double scale)
    {
        if (shiftPerSpecies.Length != atomicNumbers.Length)
            throw new ArgumentException($"NequipModel.SetEnergyReference: {shiftPerSpecies.Length} shifts for {atomicNumbers.Length} species", nameof(shiftPerSpecies));
        foreach (var s in shiftPerSpecies)
            if (!double.IsFinite(s)) throw new ArgumentException($"NequipModel.SetEnergyReference: non-finite shift {s}", nameof(shiftPerSpecies));
        if (!double.IsFinite(scale) || scale == 0) throw new ArgumentException($"NequipModel.SetEnergyReference: the scale must be finite and non-zero, got {scale}", nameof(scale));
        var shift = GetBuffer("energy_shift")!;
        shift.CopyFrom(Tensor.FromDoubles(shiftPerSpecies, [atomicNumbers.Length], shift.DType, shift.Device));
        var sc = GetBuffer("energy_scale")!;
        sc.CopyFrom(Tensor.FromDoubles([scale], [1], sc.DType, sc.Device));
    }

    /// <summary>Not used: a potential needs the graph; call <see cref="AtomicEnergies"/>.</summary>
    /// <param name="input">Unused.</param>
    public override Tensor Forward(Tensor input) => throw new NotSupportedException("NequipModel reads a graph: call AtomicEnergies(graph, species)");

    /// <inheritdoc/>
    public Tensor AtomicEnergies(Graph graph, Tensor species)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(species);
        const string op = "NequipModel.AtomicEnergies";
        var positions = graph.Positions ?? throw new TensorException(op, "the graph has no positions");
        if (species.DType != DType.Int64 || species.Rank != 1 || species.Shape[0] != graph.NumNodes)
            throw new TensorException(op, $"species must be int64 [{graph.NumNodes}] (one per atom), got {species.DType.Name()} {Tensor.ShapeString(species.Shape)}");
        foreach (var s in species.ToArray<long>())
            if ((ulong)s >= (ulong)atomicNumbers.Length)
                throw new TensorException(op, $"species index {s} is outside [0, {atomicNumbers.Length}) (the model knows Z = {string.Join(", ", atomicNumbers)})");
        var vectors = graph.EdgeVectors().To(DType);
        var lengths = vectors.Square().Sum(1, keepDim: true).Sqrt();
        var sh = SphericalHarmonics.Compute(vectors, Options.LMax);
        var h = GetParameter("embedding").IndexSelect(0, species);
        foreach (var block in blocks) h = block.Forward(h, sh, lengths, graph.Edges, EdgeChunkSize);
        var e = Readout2.Forward(Readout1.Forward(h)).Reshape(graph.NumNodes);
        var energies = e.Mul(GetBuffer("energy_scale")!).Add(GetBuffer("energy_shift")!.IndexSelect(0, species));
        return energies.To(positions.DType);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"Z=[{string.Join(", ", atomicNumbers)}], hidden={Hidden}, layers={Options.Layers}, cutoff={Cutoff}";
}
