using SciKernels.Graphs;
using SciKernels.Irreps;

namespace SciKernels.Equivariant;

/// <summary>One path of a <see cref="ChannelwiseTensorProduct"/>: input block ⊗ Y^l₁ → output block.</summary>
/// <param name="InputBlock">Block of the node features h.</param>
/// <param name="ShDegree">Degree l₁ of the spherical harmonics.</param>
/// <param name="OutputBlock">Block of the output (one per path).</param>
/// <param name="WeightOffset">First column of the path's C per-edge weights.</param>
public readonly record struct TensorProductPath(int InputBlock, int ShDegree, int OutputBlock, int WeightOffset);

/// <summary>
/// The channel-wise ("uvu") tensor-product convolution of NequIP/e3nn, planned once per layout:
/// <code>
/// out_i[p, m₃, c] = Σ_{e = (i ← j)} w_e[p, c] · √(2l₃ + 1) Σ_{m₁ m₂} C^{l₁ l₂ l₃}[m₁, m₂, m₃] Y_e^{l₁}[m₁] h_j[b(p), m₂, c]
/// </code>
/// for every path p = (input block b of degree l₂ and parity p₂, harmonic degree l₁, output degree l₃)
/// allowed by the triangle rule |l₁ − l₂| ≤ l₃ ≤ l₁ + l₂ whose output irrep (l₃, p₂·(−1)^l₁) is among
/// the allowed ones. Each path keeps the channels of its input block and writes its own output block
/// (in path order; a following <see cref="IrrepsLinear"/> mixes them); its C weights per edge come
/// from a radial network.
/// </summary>
/// <remarks>
/// <para>All layouts are m-major (<see cref="IrrepsLayout"/>); the harmonics are
/// <see cref="SphericalHarmonics.Compute"/>'s [E, (l_sh + 1)²] with component normalization. The
/// √(2l₃ + 1) makes each output component of unit variance for unit-variance inputs (e3nn's
/// "component" normalization with Σ C² = 1).</para>
/// <para>The sparse coupling lists — for each path the pairs (m₂, m₃) with a non-zero
/// Σ_{m₁} C[m₁, m₂, m₃] Y[m₁], each with its (m₁, coefficient) entries — are built here once.</para>
/// </remarks>
public sealed class ChannelwiseTensorProduct
{
    /// <summary>Sparse couplings of one path, flattened for the kernels.</summary>
    internal readonly record struct PathPlan(
        int InOffset, int Mul, int InDegree, int ShOffset, int ShWidth, int OutOffset, int OutDegree, int WOffset,
        int[] PairM2, int[] PairM3, int[] PairStart, int[] EntryM1, double[] EntryCoef);

    private readonly TensorProductPath[] paths;

    /// <summary>Plans the convolution of node features with harmonics up to <paramref name="shLmax"/>.</summary>
    /// <param name="input">Irreps of the node features h.</param>
    /// <param name="shLmax">Highest degree of the edge harmonics Y (0 … 4, the Clebsch–Gordan limit).</param>
    /// <param name="allowedOutputs">Irreps (multiplicities ignored) a path may produce; e.g. "0e+1o+2e". Null: every output with l₃ ≤ max(l_sh, input l max).</param>
    public ChannelwiseTensorProduct(IrrepsLayout input, int shLmax, IrrepsLayout? allowedOutputs = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (shLmax < 0 || shLmax > ClebschGordan.MaxDegree)
            throw new ArgumentOutOfRangeException(nameof(shLmax), shLmax, $"ChannelwiseTensorProduct: shLmax must be 0 … {ClebschGordan.MaxDegree}");
        if (input.Count == 0) throw new ArgumentException("ChannelwiseTensorProduct: the input irreps are empty", nameof(input));
        if (input.LMax > ClebschGordan.MaxDegree)
            throw new ArgumentException($"ChannelwiseTensorProduct: input irreps {input} have l > {ClebschGordan.MaxDegree}", nameof(input));
        Input = input;
        ShLmax = shLmax;
        int lOutMax = Math.Max(shLmax, input.LMax);
        bool Allowed(int l, int p) => allowedOutputs is null ? l <= lOutMax : allowedOutputs.Blocks.Any(b => b.L == l && b.Parity == p);
        var list = new List<TensorProductPath>();
        var outs = new List<IrrepsBlock>();
        var plans = new List<PathPlan>();
        int wOffset = 0, outOffset = 0;
        for (int b = 0; b < input.Count; b++)
        {
            var blk = input[b];
            for (int l1 = 0; l1 <= shLmax; l1++)
                for (int l3 = Math.Abs(l1 - blk.L); l3 <= Math.Min(l1 + blk.L, ClebschGordan.MaxDegree); l3++)
                {
                    int parity = blk.Parity * (l1 % 2 == 0 ? 1 : -1);
                    if (!Allowed(l3, parity)) continue;
                    var outBlock = new IrrepsBlock(blk.Mul, l3, parity);
                    list.Add(new TensorProductPath(b, l1, outs.Count, wOffset));
                    plans.Add(Couplings(input.Offset(b), blk, l1, outOffset, outBlock, wOffset));
                    outs.Add(outBlock);
                    wOffset += blk.Mul;
                    outOffset += outBlock.Dim;
                }
        }
        if (list.Count == 0)
            throw new ArgumentException($"ChannelwiseTensorProduct: no path from {input} ⊗ Y(l ≤ {shLmax}) reaches the allowed outputs {allowedOutputs}", nameof(allowedOutputs));
        paths = list.ToArray();
        Plans = plans.ToArray();
        Output = new IrrepsLayout(outs);
        WeightWidth = wOffset;
        ShDim = SphericalHarmonics.Dimension(shLmax);
    }

    private static PathPlan Couplings(int inOffset, IrrepsBlock input, int l1, int outOffset, IrrepsBlock output, int wOffset)
    {
        var cg = ClebschGordan.Real(l1, input.L, output.L);
        double scale = Math.Sqrt(2 * output.L + 1);
        int d1 = 2 * l1 + 1;
        var m2s = new List<int>();
        var m3s = new List<int>();
        var starts = new List<int> { 0 };
        var m1s = new List<int>();
        var coefs = new List<double>();
        for (int m2 = 0; m2 < input.Degree; m2++)
            for (int m3 = 0; m3 < output.Degree; m3++)
            {
                int before = m1s.Count;
                for (int m1 = 0; m1 < d1; m1++)
                    if (cg[m1, m2, m3] != 0)
                    {
                        m1s.Add(m1);
                        coefs.Add(scale * cg[m1, m2, m3]);
                    }
                if (m1s.Count == before) continue;
                m2s.Add(m2);
                m3s.Add(m3);
                starts.Add(m1s.Count);
            }
        return new PathPlan(inOffset, input.Mul, input.Degree, l1 * l1, d1, outOffset, output.Degree, wOffset,
            m2s.ToArray(), m3s.ToArray(), starts.ToArray(), m1s.ToArray(), coefs.ToArray());
    }

    /// <summary>Irreps of the node features.</summary>
    public IrrepsLayout Input { get; }

    /// <summary>Highest harmonic degree.</summary>
    public int ShLmax { get; }

    /// <summary>Width of the harmonics: (l_sh + 1)².</summary>
    public int ShDim { get; }

    /// <summary>Irreps of the output: one block per path, in path order.</summary>
    public IrrepsLayout Output { get; }

    /// <summary>Per-edge weights: Σ_paths C (the radial network's output width).</summary>
    public int WeightWidth { get; }

    /// <summary>The paths, in output order.</summary>
    public IReadOnlyList<TensorProductPath> Paths => paths;

    internal PathPlan[] Plans { get; }

    /// <summary>
    /// out_i = Σ_{edges into i} TP(w_e, Y_e, h_sender) as [N, Output.Dim] — one fused, deterministic,
    /// differentiable primitive (every order).
    /// </summary>
    /// <param name="weights">Per-edge weights [E, WeightWidth], receiver order.</param>
    /// <param name="sh">Edge harmonics [E, ShDim], receiver order.</param>
    /// <param name="h">Node features [N, Input.Dim].</param>
    /// <param name="edges">The edge index.</param>
    public Tensor Convolve(Tensor weights, Tensor sh, Tensor h, MessagePassing.EdgeIndex edges) =>
        TensorProductContraction.Contract(this, edges, Operand.Out, null, weights, sh, h);

    /// <summary>The same convolution composed from gathers, batched products with the coupling matrices and a segment sum (differentiated by those ops' rules): the test oracle.</summary>
    /// <param name="weights">Per-edge weights [E, WeightWidth].</param>
    /// <param name="sh">Edge harmonics [E, ShDim].</param>
    /// <param name="h">Node features [N, Input.Dim].</param>
    /// <param name="edges">The edge index.</param>
    public Tensor ConvolveComposite(Tensor weights, Tensor sh, Tensor h, MessagePassing.EdgeIndex edges)
    {
        TensorProductContraction.Check(this, edges, null, weights, sh, h);
        return TensorProductContraction.CompositeOut(this, edges.On(h.Device), weights, sh, h);
    }

    /// <summary>e3nn's notation of the product, for messages.</summary>
    public override string ToString() => $"ChannelwiseTensorProduct({Input} ⊗ Y(l ≤ {ShLmax}) → {Output}, {WeightWidth} weights per edge)";

    /// <summary>The four operands of the contraction S = Σ out-cotangent · TP(w, Y, h).</summary>
    internal enum Operand
    {
        /// <summary>The output (its cotangent g, [N, Output.Dim]).</summary>
        Out,
        /// <summary>The per-edge weights [E, WeightWidth].</summary>
        Weights,
        /// <summary>The harmonics [E, ShDim].</summary>
        Sh,
        /// <summary>The node features [N, Input.Dim].</summary>
        Nodes,
    }
}
