namespace SciKernels.Backends;

/// <summary>Which operand of the tensor-product contraction a kernel computes (the others are given).</summary>
public enum TensorProductTarget
{
    /// <summary>The convolution output [N, OutputDim] from w, Y, h.</summary>
    Out,
    /// <summary>∂/∂w [E, WeightWidth] from g, Y, h.</summary>
    Weights,
    /// <summary>∂/∂Y [E, ShDim] from g, w, h.</summary>
    Sh,
    /// <summary>∂/∂h [N, InputDim] from g, w, Y.</summary>
    Nodes,
}

/// <summary>One path of a channel-wise tensor product with its sparse couplings (see <see cref="TensorProductCoupling"/>).</summary>
/// <param name="InOffset">First column of the input block in h.</param>
/// <param name="Mul">Channels C of the block.</param>
/// <param name="InDegree">2l₂ + 1.</param>
/// <param name="ShOffset">First column of the harmonics of degree l₁ in Y.</param>
/// <param name="ShWidth">2l₁ + 1.</param>
/// <param name="OutOffset">First column of the path's output block.</param>
/// <param name="OutDegree">2l₃ + 1.</param>
/// <param name="WOffset">First column of the path's C weights.</param>
/// <param name="PairM2">m₂ of each coupled pair, sorted.</param>
/// <param name="PairM3">m₃ of each coupled pair.</param>
/// <param name="PairStart">Entries of pair q are [PairStart[q], PairStart[q + 1]).</param>
/// <param name="EntryM1">m₁ of each entry.</param>
/// <param name="EntryCoef">The (scaled) coupling coefficient of each entry.</param>
public readonly record struct TensorProductCouplingPath(
    int InOffset, int Mul, int InDegree, int ShOffset, int ShWidth, int OutOffset, int OutDegree, int WOffset,
    int[] PairM2, int[] PairM3, int[] PairStart, int[] EntryM1, double[] EntryCoef);

/// <summary>
/// The paths and sparse Clebsch–Gordan couplings of a channel-wise tensor product, flattened into one
/// int table and one coefficient list for device kernels (built once per tensor product; a backend
/// may cache its device copy per instance). Layout of <see cref="Table"/>: a header of
/// <see cref="HeaderInts"/> ints (path count, first pair record, first entry, output, weight,
/// harmonic and input widths), then <see cref="PathInts"/> ints per path (InOffset, Mul, InDegree,
/// ShOffset, ShWidth, OutOffset, OutDegree, WOffset, first pair, end pair), then
/// <see cref="PairInts"/> per pair (m₂, m₃, first entry, end entry), then m₁ per entry.
/// </summary>
public sealed class TensorProductCoupling
{
    /// <summary>Ints of the header.</summary>
    public const int HeaderInts = 8;

    /// <summary>Ints per path record.</summary>
    public const int PathInts = 10;

    /// <summary>Ints per pair record.</summary>
    public const int PairInts = 4;

    private readonly int[] table;
    private readonly double[] coefficients;

    /// <summary>Flattens and checks the paths.</summary>
    /// <param name="outputDim">Width of the output rows.</param>
    /// <param name="weightWidth">Width of the weight rows.</param>
    /// <param name="shDim">Width of the harmonic rows.</param>
    /// <param name="inputDim">Width of the node feature rows.</param>
    /// <param name="paths">The paths; their output blocks and weight blocks must not overlap.</param>
    /// <exception cref="ArgumentException">A block or coupling index outside its row.</exception>
    public TensorProductCoupling(int outputDim, int weightWidth, int shDim, int inputDim, IReadOnlyList<TensorProductCouplingPath> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        OutputDim = outputDim;
        WeightWidth = weightWidth;
        ShDim = shDim;
        InputDim = inputDim;
        int pairs = paths.Sum(p => p.PairM2.Length), entries = paths.Sum(p => p.EntryM1.Length);
        int pairBase = HeaderInts + PathInts * paths.Count, entryBase = pairBase + PairInts * pairs;
        table = new int[entryBase + entries];
        coefficients = new double[entries];
        table[0] = paths.Count;
        table[1] = pairBase;
        table[2] = entryBase;
        table[3] = outputDim;
        table[4] = weightWidth;
        table[5] = shDim;
        table[6] = inputDim;
        var outUsed = new bool[outputDim];
        var wUsed = new bool[weightWidth];
        int q0 = 0, t0 = 0;
        for (int k = 0; k < paths.Count; k++)
        {
            var p = paths[k];
            void Require(bool ok, string what)
            {
                if (!ok) throw new ArgumentException($"TensorProductCoupling: path {k} {what} (output {outputDim}, weights {weightWidth}, harmonics {shDim}, input {inputDim} wide)", nameof(paths));
            }
            Require(p.Mul > 0 && p.InDegree > 0 && p.ShWidth > 0 && p.OutDegree > 0, "has an empty block");
            Require(p.InOffset >= 0 && p.InOffset + p.InDegree * p.Mul <= inputDim, $"reads input columns [{p.InOffset}, {p.InOffset + p.InDegree * p.Mul})");
            Require(p.ShOffset >= 0 && p.ShOffset + p.ShWidth <= shDim, $"reads harmonic columns [{p.ShOffset}, {p.ShOffset + p.ShWidth})");
            Require(p.OutOffset >= 0 && p.OutOffset + p.OutDegree * p.Mul <= outputDim, $"writes output columns [{p.OutOffset}, {p.OutOffset + p.OutDegree * p.Mul})");
            Require(p.WOffset >= 0 && p.WOffset + p.Mul <= weightWidth, $"reads weight columns [{p.WOffset}, {p.WOffset + p.Mul})");
            for (int c = 0; c < p.OutDegree * p.Mul; c++) { Require(!outUsed[p.OutOffset + c], "overlaps another path's output block"); outUsed[p.OutOffset + c] = true; }
            for (int c = 0; c < p.Mul; c++) { Require(!wUsed[p.WOffset + c], "overlaps another path's weights"); wUsed[p.WOffset + c] = true; }
            Require(p.PairM3.Length == p.PairM2.Length && p.PairStart.Length == p.PairM2.Length + 1 && p.EntryCoef.Length == p.EntryM1.Length
                && p.PairStart[0] == 0 && p.PairStart[^1] == p.EntryM1.Length, "has inconsistent pair or entry lists");
            int r = HeaderInts + PathInts * k;
            int[] rec = [p.InOffset, p.Mul, p.InDegree, p.ShOffset, p.ShWidth, p.OutOffset, p.OutDegree, p.WOffset, q0, q0 + p.PairM2.Length];
            rec.CopyTo(table, r);
            for (int q = 0; q < p.PairM2.Length; q++)
            {
                Require(p.PairM2[q] >= 0 && p.PairM2[q] < p.InDegree && p.PairM3[q] >= 0 && p.PairM3[q] < p.OutDegree, $"pair {q} is outside the blocks");
                Require(p.PairStart[q] <= p.PairStart[q + 1] && (q == 0 || p.PairM2[q - 1] <= p.PairM2[q]), $"pair {q} is out of order");
                int pr = pairBase + PairInts * (q0 + q);
                table[pr] = p.PairM2[q];
                table[pr + 1] = p.PairM3[q];
                table[pr + 2] = t0 + p.PairStart[q];
                table[pr + 3] = t0 + p.PairStart[q + 1];
            }
            for (int t = 0; t < p.EntryM1.Length; t++)
            {
                Require(p.EntryM1[t] >= 0 && p.EntryM1[t] < p.ShWidth, $"entry {t} is outside the harmonics");
                table[entryBase + t0 + t] = p.EntryM1[t];
                coefficients[t0 + t] = p.EntryCoef[t];
            }
            q0 += p.PairM2.Length;
            t0 += p.EntryM1.Length;
        }
    }

    /// <summary>Width of the output rows.</summary>
    public int OutputDim { get; }

    /// <summary>Width of the weight rows.</summary>
    public int WeightWidth { get; }

    /// <summary>Width of the harmonic rows.</summary>
    public int ShDim { get; }

    /// <summary>Width of the node feature rows.</summary>
    public int InputDim { get; }

    /// <summary>The int table (layout in the class summary).</summary>
    public ReadOnlySpan<int> Table => table;

    /// <summary>The coupling coefficient of each entry, in table order.</summary>
    public ReadOnlySpan<double> Coefficients => coefficients;
}

/// <summary>
/// Device kernels of the fused channel-wise tensor-product convolution (<c>Equivariant.TensorProductContraction</c>):
/// S(g, w, Y, h) = Σ_i g_i · Σ_{e into i} TP(w_e, Y_e, h_sender(e)) differentiated with respect to one
/// operand. Every tensor is contiguous and lives on this backend; the edge index is the CSR one of
/// <see cref="IGraphKernels"/> (int64). Implementations must not use atomics: each output row is
/// owned by one thread or group and summed in the CPU kernels' order (receivers in CSR order, senders
/// through the sender permutation, edges one by one). Backends without it run the composite form.
/// </summary>
public interface ITensorProductKernels
{
    /// <summary>
    /// Writes ∂S/∂<paramref name="target"/> into <paramref name="result"/>; the target's own operand is
    /// null, the other three are given.
    /// </summary>
    /// <param name="coupling">The paths and couplings (cache its device copy per instance).</param>
    /// <param name="target">Which operand.</param>
    /// <param name="g">Output cotangent [N, OutputDim], or null.</param>
    /// <param name="w">Edge weights [E, WeightWidth], or null.</param>
    /// <param name="y">Edge harmonics [E, ShDim], or null.</param>
    /// <param name="h">Node features [N, InputDim], or null.</param>
    /// <param name="receivers">Receiver of each edge [E] (sorted).</param>
    /// <param name="senders">Sender of each edge [E].</param>
    /// <param name="rowOffsets">Receiver offsets [N + 1].</param>
    /// <param name="senderPerm">Edges grouped by sender [E].</param>
    /// <param name="senderOffsets">Sender offsets [N + 1].</param>
    /// <param name="result">The target's shape (overwritten).</param>
    void TensorProductContract(TensorProductCoupling coupling, TensorProductTarget target, Tensor? g, Tensor? w, Tensor? y, Tensor? h,
        Tensor receivers, Tensor senders, Tensor rowOffsets, Tensor senderPerm, Tensor senderOffsets, Tensor result);
}
