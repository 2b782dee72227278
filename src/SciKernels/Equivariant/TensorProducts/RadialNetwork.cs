using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Equivariant;

/// <summary>
/// NequIP's radial network: the per-edge, per-path, per-channel weights of a
/// <see cref="ChannelwiseTensorProduct"/> as a function of the edge length r —
/// w(r) = MLP(B(r)·u(r))·u(r), with the Bessel basis B_n(r) = √(2/r_c) sin(nπ r/r_c)/r (n = 1 … K)
/// and the smooth polynomial cutoff u (<see cref="Cutoff"/>). Composed of tensor ops: differentiable
/// in r to every order, so forces and their parameter gradients come from autodiff.
/// </summary>
/// <remarks>
/// The trailing factor u(r) makes the weights — hence each edge's message — vanish at r = r_c with
/// two continuous derivatives (u ∝ (1 − r/r_c)³ there) whatever the MLP's biases, so energies and
/// forces are smooth as atoms cross the cutoff. Edges are assumed not to have r = 0 (atoms do not coincide).
/// </remarks>
public sealed class RadialNetwork : Module
{
    private readonly double[] frequencies;

    /// <summary>Creates the network.</summary>
    /// <param name="cutoff">Cutoff radius r_c &gt; 0.</param>
    /// <param name="numBasis">Number K of Bessel functions.</param>
    /// <param name="hidden">Hidden widths of the MLP (SiLU between layers).</param>
    /// <param name="outputs">Output width (the product's <see cref="ChannelwiseTensorProduct.WeightWidth"/>).</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="polynomialDegree">Exponent p of the cutoff polynomial (NequIP: 6).</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device.</param>
    public RadialNetwork(double cutoff, int numBasis, IReadOnlyList<int> hidden, int outputs, Generator generator, int polynomialDegree = 6, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (!(cutoff > 0) || double.IsInfinity(cutoff)) throw new ArgumentOutOfRangeException(nameof(cutoff), cutoff, "RadialNetwork: the cutoff must be positive and finite");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numBasis);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        if (polynomialDegree < 2) throw new ArgumentOutOfRangeException(nameof(polynomialDegree), polynomialDegree, "RadialNetwork: the cutoff polynomial needs p ≥ 2");
        CutoffRadius = cutoff;
        PolynomialDegree = polynomialDegree;
        frequencies = Enumerable.Range(1, numBasis).Select(n => n * Math.PI / cutoff).ToArray();
        Mlp = RegisterModule("mlp", new Mlp([numBasis, .. hidden, outputs], generator, Activation.Silu, dtype: dtype, device: device));
    }

    /// <summary>Cutoff radius r_c.</summary>
    public double CutoffRadius { get; }

    /// <summary>Exponent p of the cutoff polynomial.</summary>
    public int PolynomialDegree { get; }

    /// <summary>The MLP on the embedded lengths.</summary>
    public Mlp Mlp { get; }

    /// <summary>Bessel basis B_n(r), [E, K], for lengths [E, 1].</summary>
    /// <param name="lengths">Edge lengths r [E, 1].</param>
    public Tensor Bessel(Tensor lengths)
    {
        Check(lengths);
        var f = Tensor.FromDoubles(frequencies, [1, frequencies.Length], lengths.DType, lengths.Device);
        return lengths.Mul(f).Sin().Div(lengths).Mul(Math.Sqrt(2 / CutoffRadius));
    }

    /// <summary>
    /// u(x) = 1 − (p+1)(p+2)/2 xᵖ + p(p+2) xᵖ⁺¹ − p(p+1)/2 xᵖ⁺² for x = r/r_c &lt; 1, 0 beyond: u(0) = 1, and u,
    /// u′ and u″ vanish at x = 1 (u′ = −p(p+1)(p+2)/2 · x^(p−1) (1 − x)²). Lengths [E, 1] → [E, 1].
    /// </summary>
    /// <param name="lengths">Edge lengths r [E, 1].</param>
    public Tensor Cutoff(Tensor lengths)
    {
        Check(lengths);
        double p = PolynomialDegree;
        var x = lengths.Mul(1 / CutoffRadius);
        var xp = x.Pow(PolynomialDegree);
        var poly = xp.Mul(-(p + 1) * (p + 2) / 2).Add(xp.Mul(x).Mul(p * (p + 2))).Sub(xp.Mul(x).Mul(x).Mul(p * (p + 1) / 2)).Add(1);
        Tensor inside;
        using (Autograd.GradMode.NoGrad()) inside = x.Lt(1).To(lengths.DType);
        return poly.Mul(inside);
    }

    /// <summary>Per-edge weights [E, outputs] for lengths [E, 1].</summary>
    /// <param name="input">Edge lengths r [E, 1].</param>
    public override Tensor Forward(Tensor input)
    {
        var u = Cutoff(input);
        return Mlp.Forward(Bessel(input).Mul(u)).Mul(u);
    }

    private static void Check(Tensor lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Rank != 2 || lengths.Shape[1] != 1 || !lengths.DType.IsFloatingPoint())
            throw new TensorException("RadialNetwork", $"edge lengths must be floating point [E, 1], got {lengths.DType.Name()} {Tensor.ShapeString(lengths.Shape)}");
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"cutoff={CutoffRadius}, basis={frequencies.Length}, p={PolynomialDegree}";
}
