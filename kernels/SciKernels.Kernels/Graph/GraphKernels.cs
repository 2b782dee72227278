using ILGPU;
using SciKernels.Kernels.Functors;

namespace SciKernels.Kernels.Graph;

/// <summary>Ordering of a floating-point type for the segment max (kernels cannot compare a generic T).</summary>
/// <typeparam name="T">float or double.</typeparam>
public interface IOrder<T> where T : unmanaged
{
    /// <summary>a &gt; b (false when either is NaN).</summary>
    /// <param name="a">Left.</param><param name="b">Right.</param>
    static abstract bool Greater(T a, T b);

    /// <summary>True when <paramref name="a"/> is NaN.</summary>
    /// <param name="a">Value.</param>
    static abstract bool IsNaN(T a);
}

/// <summary>Ordering of <see cref="float"/>.</summary>
public readonly struct Order32 : IOrder<float>
{
    /// <inheritdoc/>
    public static bool Greater(float a, float b) => a > b;
    /// <inheritdoc/>
#pragma warning disable CS1718 // x != x is the NaN test every backend compiles
    public static bool IsNaN(float a) => a != a;
#pragma warning restore CS1718
}

/// <summary>Ordering of <see cref="double"/>.</summary>
public readonly struct Order64 : IOrder<double>
{
    /// <inheritdoc/>
    public static bool Greater(double a, double b) => a > b;
    /// <inheritdoc/>
#pragma warning disable CS1718
    public static bool IsNaN(double a) => a != a;
#pragma warning restore CS1718
}

/// <summary>Scalar arguments of <see cref="GraphKernels.EdgeCombine{T,TArith}"/> (kernels take at most eight parameters).</summary>
/// <param name="Cols">Features per row, C.</param>
/// <param name="HasEdge">1 when the edge term is added.</param>
/// <param name="HasBias">1 when the bias is added.</param>
public readonly record struct EdgeCombineArgs(int Cols, int HasEdge, int HasBias);

/// <summary>
/// Message-passing kernels over a CSR edge index (edges sorted by receiver, int64 row offsets [N + 1],
/// optionally a permutation listing the edges grouped by sender with its own offsets). Features are
/// contiguous row-major [rows, C]. Every output element is owned by one thread, which reads its
/// segment in CSR order: no atomics (PoCL has no float atomics), results deterministic and identical
/// to the CPU kernels' summation order. Indices are validated on the host when the edge index is built.
/// </summary>
public static class GraphKernels
{
    /// <summary>
    /// y[n, c] = Σ_{k ∈ [offsets[n], offsets[n+1])} x[src(k), c], src(k) = perm[k] when
    /// <paramref name="usePerm"/> is 1, else k. Empty segments give 0.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="x">Edge rows [E, C].</param>
    /// <param name="offsets">N + 1 segment offsets.</param>
    /// <param name="perm">Edge of each CSR slot (read only when usePerm is 1).</param>
    /// <param name="y">Node rows [N, C].</param>
    /// <param name="cols">C.</param>
    /// <param name="usePerm">1 to read rows through perm.</param>
    public static void SegmentSum<T, TArith>(ArrayView<T> x, ArrayView<long> offsets, ArrayView<long> perm, ArrayView<T> y, int cols, int usePerm)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            int c = l % cols;
            int row = l / cols;
            int end = (int)offsets[row + 1];
            T acc = TArith.Zero;
            for (int k = (int)offsets[row]; k < end; k++)
            {
                int src = usePerm != 0 ? (int)perm[k] : k;
                acc = TArith.Add(acc, x[src * cols + c]);
            }
            y[l] = acc;
        }
    }

    /// <summary>
    /// Segment max with its argmax: y[n, c] = max over the segment of x[k, c], arg[n, c] = the first
    /// k (in CSR order) attaining it; a NaN wins (the first NaN), an empty segment gives y = 0, arg = −1.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOrder">Ordering of T.</typeparam>
    /// <param name="x">Edge rows [E, C] in CSR order.</param>
    /// <param name="offsets">N + 1 segment offsets.</param>
    /// <param name="y">Node rows [N, C].</param>
    /// <param name="arg">Argmax edge per output element (int64), −1 for an empty segment.</param>
    /// <param name="cols">C.</param>
    public static void SegmentMax<T, TOrder>(ArrayView<T> x, ArrayView<long> offsets, ArrayView<T> y, ArrayView<long> arg, int cols)
        where T : unmanaged
        where TOrder : struct, IOrder<T>
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            int c = l % cols;
            int row = l / cols;
            int start = (int)offsets[row];
            int end = (int)offsets[row + 1];
            if (start >= end)
            {
                y[l] = default;
                arg[l] = -1;
                continue;
            }
            T best = x[start * cols + c];
            int at = start;
            for (int k = start + 1; k < end && !TOrder.IsNaN(best); k++)
            {
                T v = x[k * cols + c];
                if (TOrder.IsNaN(v) || TOrder.Greater(v, best))
                {
                    best = v;
                    at = k;
                }
            }
            y[l] = best;
            arg[l] = at;
        }
    }

    /// <summary>
    /// Backward of the segment max: y[k, c] = g[receiver[k], c] when arg[receiver[k], c] = k, else 0.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="g">Node rows [N, C].</param>
    /// <param name="arg">Argmax per node element.</param>
    /// <param name="receivers">Receiver of each edge (CSR order).</param>
    /// <param name="y">Edge rows [E, C].</param>
    /// <param name="cols">C.</param>
    public static void ScatterArgMax<T>(ArrayView<T> g, ArrayView<long> arg, ArrayView<long> receivers, ArrayView<T> y, int cols)
        where T : unmanaged
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            int c = l % cols;
            int k = l / cols;
            int src = (int)receivers[k] * cols + c;
            y[l] = arg[src] == k ? g[src] : default;
        }
    }

    /// <summary>y[n, c] = u[arg[n, c], c], or 0 where arg is −1 (the adjoint of <see cref="ScatterArgMax{T}"/>).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="u">Edge rows [E, C].</param>
    /// <param name="arg">Argmax per node element.</param>
    /// <param name="y">Node rows [N, C].</param>
    /// <param name="cols">C.</param>
    public static void GatherArgMax<T>(ArrayView<T> u, ArrayView<long> arg, ArrayView<T> y, int cols)
        where T : unmanaged
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            long a = arg[l];
            y[l] = a >= 0 ? u[(int)a * cols + l % cols] : default;
        }
    }

    /// <summary>
    /// The fused tail of the edge-linear layer: y[k, c] = a[receiver[k], c] + b[sender[k], c]
    /// (+ e[k, c] when <c>args.HasEdge</c>) (+ bias[c] when <c>args.HasBias</c>), in that order.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="a">Receiver-side node rows [N, C].</param>
    /// <param name="b">Sender-side node rows [N, C].</param>
    /// <param name="e">Edge rows [E, C] (read when hasEdge is 1).</param>
    /// <param name="bias">Bias [C] (read when hasBias is 1).</param>
    /// <param name="receivers">Receiver of each edge.</param>
    /// <param name="senders">Sender of each edge.</param>
    /// <param name="y">Edge rows [E, C].</param>
    /// <param name="args">C and which optional terms are present.</param>
    public static void EdgeCombine<T, TArith>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> e, ArrayView<T> bias,
        ArrayView<long> receivers, ArrayView<long> senders, ArrayView<T> y, EdgeCombineArgs args)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int n = y.IntLength;
        int cols = args.Cols;
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            int c = l % cols;
            int k = l / cols;
            T v = TArith.Add(a[(int)receivers[k] * cols + c], b[(int)senders[k] * cols + c]);
            if (args.HasEdge != 0) v = TArith.Add(v, e[l]);
            if (args.HasBias != 0) v = TArith.Add(v, bias[c]);
            y[l] = v;
        }
    }
}
