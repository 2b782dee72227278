using ILGPU;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Layout;

namespace SciKernels.Kernels.Indexing;

/// <summary>
/// Gather and deterministic scatter kernels. Tensors are viewed as contiguous
/// [outer, dim, inner] around the indexed dimension. Scatter-type ops never use atomics: the host
/// builds a CSR plan once (<see cref="CsrPlan"/>: a stable counting sort of the target indices), and
/// each thread owns one output element and sums its segment in ascending source order, so results are
/// deterministic and independent of the launch configuration.
/// Out-of-range indices are not checked on the device (validate on the host); in gathers they read 0.
/// </summary>
public static class IndexingKernels
{
    /// <summary>
    /// Row-wise deterministic segment sum / index_add along a dimension:
    /// y[o, t, i] = (accumulate ? y[o, t, i] : 0) + sum over k in [offsets[t], offsets[t+1]) of
    /// x[o, perm[k], i], with x [outer, srcDim, inner], y [outer, numSegments, inner] and (perm,
    /// offsets) from <see cref="CsrPlan.Build"/> over the per-row targets. Covers index_add_,
    /// segment_sum / unsorted_segment_sum, and the backward of index_select / embedding.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="x">Contiguous source.</param>
    /// <param name="perm">Source rows sorted (stably) by target.</param>
    /// <param name="offsets">numSegments + 1 CSR offsets into perm.</param>
    /// <param name="y">Contiguous destination of outer*numSegments*inner elements.</param>
    /// <param name="srcDim">Size of the indexed dimension of x.</param>
    /// <param name="inner">Product of the dimensions after it.</param>
    /// <param name="accumulate">1 to add into y, 0 to overwrite.</param>
    public static void SegmentSumRows<T, TArith>(ArrayView<T> x, ArrayView<int> perm, ArrayView<int> offsets,
        ArrayView<T> y, int srcDim, int inner, int accumulate)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int n = y.IntLength;
        int numSeg = offsets.IntLength - 1;
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            int i = l % inner;
            int r = l / inner;
            int t = r % numSeg;
            int o = r / numSeg;
            T acc = accumulate != 0 ? y[l] : TArith.Zero;
            int end = offsets[t + 1];
            int srcBase = o * srcDim;
            for (int k = offsets[t]; k < end; k++)
                acc = TArith.Add(acc, x[(srcBase + perm[k]) * inner + i]);
            y[l] = acc;
        }
    }

    /// <summary>
    /// Flat deterministic scatter-sum: y[d] = (accumulate ? y[d] : 0) + sum over k in
    /// [offsets[d], offsets[d+1]) of x[perm[k]]. With a plan from
    /// <see cref="CsrPlan.ForScatterAlongDim"/> this is torch.scatter_add along any dimension (and
    /// the backward of <see cref="GatherAlongDim{T}"/>).
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="x">Flat source.</param>
    /// <param name="perm">Source element indices sorted (stably) by destination.</param>
    /// <param name="offsets">y.Length + 1 CSR offsets into perm.</param>
    /// <param name="y">Flat destination.</param>
    /// <param name="accumulate">1 to add into y, 0 to overwrite.</param>
    public static void CsrScatterSum<T, TArith>(ArrayView<T> x, ArrayView<int> perm, ArrayView<int> offsets,
        ArrayView<T> y, int accumulate)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int d = Grid.GlobalIndex.X; d < n; d += stride)
        {
            T acc = accumulate != 0 ? y[d] : TArith.Zero;
            int end = offsets[d + 1];
            for (int k = offsets[d]; k < end; k++)
                acc = TArith.Add(acc, x[perm[k]]);
            y[d] = acc;
        }
    }

    /// <summary>
    /// index_select with int64 indices (the tensor library's index dtype):
    /// y[o, j, i] = x[o, idx[j], i] with x [outer, dimSize, inner], y [outer, numIdx, inner].
    /// Out-of-range indices read 0.
    /// </summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="x">Contiguous input.</param>
    /// <param name="idx">numIdx int64 indices into the dimension.</param>
    /// <param name="y">Contiguous output of outer*numIdx*inner elements.</param>
    /// <param name="dimSize">Size of the indexed dimension of x.</param>
    /// <param name="inner">Product of the dimensions after it.</param>
    public static void IndexSelect64<T>(ArrayView<T> x, ArrayView<long> idx, ArrayView<T> y, int dimSize, int inner)
        where T : unmanaged
    {
        int n = y.IntLength;
        int numIdx = idx.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            int i = l % inner;
            int r = l / inner;
            int j = r % numIdx;
            int o = r / numIdx;
            long s = idx[j];
            y[l] = s >= 0 && s < dimSize ? x[(o * dimSize + (int)s) * inner + i] : default;
        }
    }

    /// <summary>
    /// torch.gather with int64 indices whose shape may be smaller than x's outside the gathered
    /// dimension: for every position p of the index shape, y[p] = x[p with coordinate dim replaced by
    /// idx[p]]. <paramref name="sx"/> holds x's strides over the index shape with the gathered
    /// dimension's stride set to 0; the index adds <c>idx[p] * dimStride</c>. Out-of-range indices read 0.
    /// </summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="x">Input buffer.</param>
    /// <param name="idx">Contiguous int64 index tensor (index shape).</param>
    /// <param name="y">Contiguous output (index shape).</param>
    /// <param name="shape">Index shape.</param>
    /// <param name="sx">x strides over the index shape (0 on the gathered dimension) plus base offset.</param>
    /// <param name="dimStride">x's stride along the gathered dimension.</param>
    /// <param name="dimSize">x's size along the gathered dimension.</param>
    public static void GatherAlongDim<T>(ArrayView<T> x, ArrayView<long> idx, ArrayView<T> y, Shape6 shape, Strides6 sx, int dimStride, int dimSize)
        where T : unmanaged
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            long s = idx[l];
            y[l] = s >= 0 && s < dimSize ? x[shape.OffsetOf(l, sx) + (int)s * dimStride] : default;
        }
    }
}
