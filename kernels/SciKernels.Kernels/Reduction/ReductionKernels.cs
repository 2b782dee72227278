using ILGPU;
using SciKernels.Kernels.Functors;

namespace SciKernels.Kernels.Reduction;

/// <summary>
/// Deterministic reductions (no atomics). Each thread folds a fixed, strided subset; groups combine
/// through a shared-memory tree; the whole-tensor reduction writes one partial per group and a second
/// launch (one group) folds the partials. For a given device and launch configuration, results are
/// bitwise reproducible. Group sizes must be powers of two &lt;= <see cref="MaxGroupSize"/>.
/// <para>An optional element map <c>TMap</c> (a unary op applied with zero parameters) composes
/// sum-of-squares (<see cref="Square"/>), L1 (<see cref="Abs"/>) etc.; mean and norms are
/// composed on top by the caller.</para>
/// </summary>
public static class ReductionKernels
{
    /// <summary>Size of the static shared-memory buffer; upper bound of the group size.</summary>
    public const int MaxGroupSize = 256;

    /// <summary>
    /// Stage 1 (and 2) of a whole-tensor reduction: partials[groupIdx] = reduce(map(x[i])) over the
    /// grid-stride subset of the group. Launch stage 2 with one group and <c>TMap=Identity</c> over
    /// the partials.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TMap">Element map (use <see cref="Identity"/> for plain reductions).</typeparam>
    /// <typeparam name="TRed">Reduction op.</typeparam>
    /// <param name="x">Contiguous input.</param>
    /// <param name="partials">Output, at least the number of groups (grid size) elements.</param>
    public static void ReduceAll<T, TMap, TRed>(ArrayView<T> x, ArrayView<T> partials)
        where T : unmanaged
        where TMap : struct, IUnaryOp<T>
        where TRed : struct, IReduceOp<T>
    {
        var shared = SharedMemory.Allocate<T>(MaxGroupSize);
        int n = x.IntLength;
        int stride = Grid.DimX * Group.DimX;
        T acc = TRed.Identity;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            acc = TRed.Combine(acc, TMap.Apply(x[i], default, default));
        T total = GroupTree<T, TRed>(shared, acc);
        if (Group.IdxX == 0)
            partials[Grid.IdxX] = total;
    }

    /// <summary>
    /// Axis reduction, one group per output: x is contiguous [outer, axisLen, inner], y is
    /// [outer, inner]. Threads of a group stride over the axis; a shared tree combines them. Best when
    /// axisLen is large. Groups grid-stride over outputs (uniform per group, so barriers are safe).
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TMap">Element map.</typeparam>
    /// <typeparam name="TRed">Reduction op.</typeparam>
    /// <param name="x">Contiguous input of outer*axisLen*inner elements.</param>
    /// <param name="y">Output of outer*inner elements.</param>
    /// <param name="axisLen">Length of the reduced axis.</param>
    /// <param name="inner">Product of the dimensions after the axis.</param>
    public static void ReduceAxisPerGroup<T, TMap, TRed>(ArrayView<T> x, ArrayView<T> y, int axisLen, int inner)
        where T : unmanaged
        where TMap : struct, IUnaryOp<T>
        where TRed : struct, IReduceOp<T>
    {
        var shared = SharedMemory.Allocate<T>(MaxGroupSize);
        int numOut = y.IntLength;
        for (int o = Grid.IdxX; o < numOut; o += Grid.DimX)
        {
            int outerIdx = o / inner;
            int innerIdx = o - outerIdx * inner;
            int baseIdx = outerIdx * axisLen * inner + innerIdx;
            T acc = TRed.Identity;
            for (int k = Group.IdxX; k < axisLen; k += Group.DimX)
                acc = TRed.Combine(acc, TMap.Apply(x[baseIdx + k * inner], default, default));
            T total = GroupTree<T, TRed>(shared, acc);
            if (Group.IdxX == 0)
                y[o] = total;
        }
    }

    /// <summary>
    /// Axis reduction, one thread per output (sequential over the axis; coalesced across the inner
    /// dimension). Best when the number of outputs is large and axisLen is small/moderate.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TMap">Element map.</typeparam>
    /// <typeparam name="TRed">Reduction op.</typeparam>
    /// <param name="x">Contiguous input [outer, axisLen, inner].</param>
    /// <param name="y">Output [outer, inner].</param>
    /// <param name="axisLen">Length of the reduced axis.</param>
    /// <param name="inner">Product of the dimensions after the axis.</param>
    public static void ReduceAxisPerThread<T, TMap, TRed>(ArrayView<T> x, ArrayView<T> y, int axisLen, int inner)
        where T : unmanaged
        where TMap : struct, IUnaryOp<T>
        where TRed : struct, IReduceOp<T>
    {
        int numOut = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int o = Grid.GlobalIndex.X; o < numOut; o += stride)
        {
            int outerIdx = o / inner;
            int innerIdx = o - outerIdx * inner;
            int idx = outerIdx * axisLen * inner + innerIdx;
            T acc = TRed.Identity;
            for (int k = 0; k < axisLen; k++, idx += inner)
                acc = TRed.Combine(acc, TMap.Apply(x[idx], default, default));
            y[o] = acc;
        }
    }

    /// <summary>Shared-memory tree over the group (power-of-two size); every thread gets the total.</summary>
    private static T GroupTree<T, TRed>(ArrayView<T> shared, T value)
        where T : unmanaged
        where TRed : struct, IReduceOp<T>
    {
        int tid = Group.IdxX;
        shared[tid] = value;
        Group.Barrier();
        for (int s = Group.DimX >> 1; s > 0; s >>= 1)
        {
            if (tid < s)
                shared[tid] = TRed.Combine(shared[tid], shared[tid + s]);
            Group.Barrier();
        }
        T total = shared[0];
        Group.Barrier();
        return total;
    }
}
