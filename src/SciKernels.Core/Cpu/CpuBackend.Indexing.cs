namespace SciKernels.Cpu;

public sealed unsafe partial class CpuBackend
{
    private static (long Outer, long Inner) Split(Tensor t, int dim)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= t.Shape[i];
        for (int i = dim + 1; i < t.Rank; i++) inner *= t.Shape[i];
        return (outer, inner);
    }

    /// <inheritdoc/>
    public void IndexSelect(Tensor x, int dim, Tensor index, Tensor y)
    {
        var (outer, inner) = Split(x, dim);
        int es = x.DType.ElementSize();
        long* idx = Ptr<long>(index);
        int size = x.Shape[dim];
        long m = index.NumElements;
        for (long j = 0; j < m; j++) CheckIndexValue("IndexSelect", idx[j], size, dim);
        byte* px = Ptr(x), py = Ptr(y);
        long rowBytes = inner * es;
        CpuParallel.For(outer * m, Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, inner)), (t0, tn) =>
        {
            for (long t = t0; t < t0 + tn; t++)
            {
                long o = t / m, j = t % m;
                Buffer.MemoryCopy(px + (o * size + idx[j]) * rowBytes, py + t * rowBytes, rowBytes, rowBytes);
            }
        });
        GC.KeepAlive(x);
        GC.KeepAlive(index);
        GC.KeepAlive(y);
    }

    /// <inheritdoc/>
    public void IndexAdd(Tensor y, int dim, Tensor index, Tensor src)
    {
        var (outer, inner) = Split(y, dim);
        long* idx = Ptr<long>(index);
        int size = y.Shape[dim];
        long m = index.NumElements;
        for (long j = 0; j < m; j++) CheckIndexValue("IndexAdd", idx[j], size, dim);
        // Parallel over outer slices and inner columns only: each output element receives its
        // contributions in index order, so results are deterministic.
        if (y.DType == DType.Float32) IndexAddT(Ptr<float>(y), Ptr<float>(src), idx, outer, inner, size, m);
        else IndexAddT(Ptr<double>(y), Ptr<double>(src), idx, outer, inner, size, m);
        GC.KeepAlive(y);
        GC.KeepAlive(index);
        GC.KeepAlive(src);
    }

    private static void IndexAddT<T>(T* y, T* src, long* idx, long outer, long inner, int size, long m) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        long colGrain = Math.Max(64, inner);
        long colChunks = (inner + colGrain - 1) / colGrain;
        CpuParallel.For(outer * colChunks, Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, m * inner)), (t0, tn) =>
        {
            for (long t = t0; t < t0 + tn; t++)
            {
                long o = t / colChunks, c0 = (t % colChunks) * colGrain;
                int w = (int)Math.Min(colGrain, inner - c0);
                for (long j = 0; j < m; j++)
                {
                    var dst = new Span<T>(y + (o * size + idx[j]) * inner + c0, w);
                    var s = new ReadOnlySpan<T>(src + (o * m + j) * inner + c0, w);
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, s, dst);
                }
            }
        });
    }

    /// <summary>Row-major strides of a contiguous shape.</summary>
    private static long[] DenseStrides(ReadOnlySpan<int> shape) => Tensor.ContiguousStrides(shape);

    /// <summary>
    /// Offset into a dense tensor with <paramref name="strides"/> of element <paramref name="i"/> of an
    /// index tensor shaped <paramref name="ishape"/>, with the coordinate along <paramref name="dim"/>
    /// replaced by the (checked) index value — the addressing shared by gather and scatter-add.
    /// </summary>
    private static long IndexedOffset(string op, long i, int[] ishape, long[] strides, int dim, long value, int size)
    {
        long rem = i, off = 0;
        for (int d = ishape.Length - 1; d >= 0; d--)
        {
            long c = rem % ishape[d];
            rem /= ishape[d];
            if (d == dim)
            {
                CheckIndexValue(op, value, size, dim);
                c = value;
            }
            off += c * strides[d];
        }
        return off;
    }

    /// <inheritdoc/>
    public void Gather(Tensor x, int dim, Tensor index, Tensor y)
    {
        var xs = DenseStrides(x.Shape);
        var ishape = index.Shape.ToArray();
        long* idx = Ptr<long>(index);
        int size = x.Shape[dim];
        long n = index.NumElements;
        if (x.DType == DType.Float32) GatherT(Ptr<float>(x), Ptr<float>(y));
        else GatherT(Ptr<double>(x), Ptr<double>(y));
        GC.KeepAlive(x);
        GC.KeepAlive(index);
        GC.KeepAlive(y);

        void GatherT<T>(T* px, T* py) where T : unmanaged
        {
            for (long i = 0; i < n; i++) py[i] = px[IndexedOffset("Gather", i, ishape, xs, dim, idx[i], size)];
        }
    }

    /// <inheritdoc/>
    public void ScatterAdd(Tensor y, int dim, Tensor index, Tensor src)
    {
        var ys = DenseStrides(y.Shape);
        var ishape = index.Shape.ToArray();
        long* idx = Ptr<long>(index);
        int size = y.Shape[dim];
        long n = index.NumElements;
        // Sequential in source order: deterministic by construction.
        if (y.DType == DType.Float32) ScatterT(Ptr<float>(y), Ptr<float>(src));
        else ScatterT(Ptr<double>(y), Ptr<double>(src));
        GC.KeepAlive(y);
        GC.KeepAlive(index);
        GC.KeepAlive(src);

        void ScatterT<T>(T* py, T* ps) where T : unmanaged, System.Numerics.IAdditionOperators<T, T, T>
        {
            for (long i = 0; i < n; i++) py[IndexedOffset("ScatterAdd", i, ishape, ys, dim, idx[i], size)] += ps[i];
        }
    }

    /// <inheritdoc/>
    public void SegmentSum(Tensor x, Tensor sortedIds, Tensor y)
    {
        long rows = x.Shape[0];
        long inner = 1;
        for (int i = 1; i < x.Rank; i++) inner *= x.Shape[i];
        int segments = y.Shape[0];
        long* ids = Ptr<long>(sortedIds);
        for (long i = 0; i < rows; i++)
        {
            CheckIndexValue("SegmentSum", ids[i], segments, 0);
            if (i > 0 && ids[i] < ids[i - 1])
                throw new TensorException("SegmentSum", $"segment ids must be sorted ascending; ids[{i - 1}] = {ids[i - 1]} > ids[{i}] = {ids[i]}");
        }
        // CSR offsets: segment s owns rows [start[s], start[s+1]).
        var start = new long[segments + 1];
        for (long i = 0; i < rows; i++) start[ids[i] + 1]++;
        for (int s = 0; s < segments; s++) start[s + 1] += start[s];
        if (x.DType == DType.Float32) SegmentSumT(Ptr<float>(x), Ptr<float>(y), start, inner, segments);
        else SegmentSumT(Ptr<double>(x), Ptr<double>(y), start, inner, segments);
        GC.KeepAlive(x);
        GC.KeepAlive(sortedIds);
        GC.KeepAlive(y);
    }

    private static void SegmentSumT<T>(T* x, T* y, long[] start, long inner, int segments) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        CpuParallel.For(segments, Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, inner * 4)), (s0, sn) =>
        {
            for (long s = s0; s < s0 + sn; s++)
            {
                var acc = new Span<T>(y + s * inner, (int)inner);
                acc.Clear();
                for (long r = start[s]; r < start[s + 1]; r++)
                    System.Numerics.Tensors.TensorPrimitives.Add(acc, new ReadOnlySpan<T>(x + r * inner, (int)inner), acc);
            }
        });
    }
}
