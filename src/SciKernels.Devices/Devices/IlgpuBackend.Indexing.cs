using ILGPU;
using ILGPU.Runtime;
using SciKernels.Kernels.Indexing;
using SciKernels.Kernels.Layout;
using SciKernels.Kernels.Runtime;

namespace SciKernels.Devices;

public sealed unsafe partial class IlgpuBackend
{
    // Gathers (IndexSelect, Gather) read the int64 indices on the device and stay asynchronous;
    // an out-of-range index reads 0 there (the host-side ops below do validate).
    // Scatters (IndexAdd, ScatterAdd, SegmentSum) never use atomics: the host reads the indices once,
    // validates them like the CPU backend, builds a CSR plan (a stable counting sort by destination),
    // and each device thread sums one destination's sources in ascending source order, so results are
    // deterministic and match the CPU backend's summation order.

    private static (int Outer, int Inner) Split(Tensor t, int dim)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= t.Shape[i];
        for (int i = dim + 1; i < t.Rank; i++) inner *= t.Shape[i];
        return (checked((int)outer), checked((int)inner));
    }

    private void CheckDevice(string op, Tensor t, string role)
    {
        if (t.Device != Device)
            throw new TensorException(op, $"{role} of shape {Tensor.ShapeString(t.Shape)} is on {t.Device}, but the operation runs on {Device}; move it with To(device)");
    }

    /// <inheritdoc/>
    public void IndexSelect(Tensor x, int dim, Tensor index, Tensor y)
    {
        CheckDevice("IndexSelect", index, "the index");
        if (y.NumElements == 0) return;
        var (_, inner) = Split(x, dim);
        int size = x.Shape[dim];
        lock (gate)
        {
            var idx = Dense<long>(index);
            if (y.DType == DType.Float32) Ops.IndexSelect(Dense<float>(x), idx, Dense<float>(y), size, inner);
            else Ops.IndexSelect(Dense<double>(x), idx, Dense<double>(y), size, inner);
        }
    }

    /// <inheritdoc/>
    public void Gather(Tensor x, int dim, Tensor index, Tensor y)
    {
        CheckDevice("Gather", index, "the index");
        if (y.NumElements == 0) return;
        if (index.Rank > Shape6.MaxRank)
            throw new TensorException("Gather", $"index of shape {Tensor.ShapeString(index.Shape)} has rank {index.Rank}; the ILGPU backend supports up to {Shape6.MaxRank} dimensions on {Device}");
        // x's contiguous strides over the index shape, with the gathered dimension's stride moved out.
        var xs = Tensor.ContiguousStrides(x.Shape);
        var s = new int[x.Rank];
        for (int d = 0; d < s.Length; d++) s[d] = d == dim ? 0 : checked((int)xs[d]);
        var shape = Shape6.From(index.Shape);
        var sx = Strides6.From(s);
        int dimStride = checked((int)xs[dim]);
        lock (gate)
        {
            var idx = Dense<long>(index);
            if (y.DType == DType.Float32) Ops.GatherAlongDim(Dense<float>(x), idx, Dense<float>(y), shape, sx, dimStride, x.Shape[dim]);
            else Ops.GatherAlongDim(Dense<double>(x), idx, Dense<double>(y), shape, sx, dimStride, x.Shape[dim]);
        }
    }

    /// <summary>Reads a contiguous int64 tensor to the host (waits for queued work).</summary>
    private long[] ReadIndices(Tensor index)
    {
        var values = new long[index.NumElements];
        CopyToHost(index.Storage, index.Offset * sizeof(long), System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private PooledBuffer<int> Upload(int[] values)
    {
        var buf = Context.Pool.Rent<int>(Math.Max(1, values.Length));
        if (values.Length > 0)
        {
            fixed (int* p = values)
                buf.View.SubView(0, values.Length).CopyFromCPU(ref *p, values.Length);
        }
        return buf;
    }

    private static void CheckIndexValue(string op, long v, int size, int dim)
    {
        if ((ulong)v >= (ulong)size) throw new TensorException(op, $"index {v} is out of range for dimension {dim} of size {size}");
    }

    /// <inheritdoc/>
    public void IndexAdd(Tensor y, int dim, Tensor index, Tensor src)
    {
        CheckDevice("IndexAdd", index, "the index");
        var (_, inner) = Split(y, dim);
        int size = y.Shape[dim];
        var idx = ReadIndices(index);
        var targets = new int[idx.Length];
        for (int j = 0; j < idx.Length; j++)
        {
            CheckIndexValue("IndexAdd", idx[j], size, dim);
            targets[j] = (int)idx[j];
        }
        if (y.NumElements == 0 || src.NumElements == 0) return;
        var plan = CsrPlan.Build(targets, size);
        lock (gate)
        {
            using var perm = Upload(plan.Perm);
            using var offsets = Upload(plan.Offsets);
            int m = idx.Length;
            if (y.DType == DType.Float32) Ops.SegmentSumRows(Dense<float>(src), perm.View, offsets.View, Dense<float>(y), m, inner, accumulate: true);
            else Ops.SegmentSumRows(Dense<double>(src), perm.View, offsets.View, Dense<double>(y), m, inner, accumulate: true);
        }
    }

    /// <inheritdoc/>
    public void ScatterAdd(Tensor y, int dim, Tensor index, Tensor src)
    {
        CheckDevice("ScatterAdd", index, "the index");
        var ys = Tensor.ContiguousStrides(y.Shape);
        var ishape = index.Shape.ToArray();
        int size = y.Shape[dim];
        int rank = ishape.Length;
        var idx = ReadIndices(index);
        // Destination of every source element (the CPU backend's addressing), then a CSR plan over them.
        var dest = new int[idx.Length];
        for (long i = 0; i < idx.Length; i++)
        {
            long rem = i, off = 0;
            for (int d = rank - 1; d >= 0; d--)
            {
                long c = rem % ishape[d];
                rem /= ishape[d];
                if (d == dim)
                {
                    CheckIndexValue("ScatterAdd", idx[i], size, dim);
                    c = idx[i];
                }
                off += c * ys[d];
            }
            dest[i] = checked((int)off);
        }
        if (y.NumElements == 0 || src.NumElements == 0) return;
        var plan = CsrPlan.Build(dest, checked((int)y.NumElements));
        lock (gate)
        {
            using var perm = Upload(plan.Perm);
            using var offsets = Upload(plan.Offsets);
            if (y.DType == DType.Float32) Ops.CsrScatterSum(Dense<float>(src), perm.View, offsets.View, Dense<float>(y), accumulate: true);
            else Ops.CsrScatterSum(Dense<double>(src), perm.View, offsets.View, Dense<double>(y), accumulate: true);
        }
    }

    /// <inheritdoc/>
    public void SegmentSum(Tensor x, Tensor sortedIds, Tensor y)
    {
        CheckDevice("SegmentSum", sortedIds, "the segment ids");
        int rows = x.Shape[0];
        long inner = 1;
        for (int i = 1; i < x.Rank; i++) inner *= x.Shape[i];
        int segments = y.Shape[0];
        var ids = ReadIndices(sortedIds);
        var targets = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            CheckIndexValue("SegmentSum", ids[i], segments, 0);
            if (i > 0 && ids[i] < ids[i - 1])
                throw new TensorException("SegmentSum", $"segment ids must be sorted ascending; ids[{i - 1}] = {ids[i - 1]} > ids[{i}] = {ids[i]}");
            targets[i] = (int)ids[i];
        }
        if (y.NumElements == 0) return;
        var plan = CsrPlan.Build(targets, segments);
        lock (gate)
        {
            using var perm = Upload(plan.Perm);
            using var offsets = Upload(plan.Offsets);
            int inn = checked((int)inner);
            if (y.DType == DType.Float32) Ops.SegmentSumRows(Dense<float>(x), perm.View, offsets.View, Dense<float>(y), rows, inn, accumulate: false);
            else Ops.SegmentSumRows(Dense<double>(x), perm.View, offsets.View, Dense<double>(y), rows, inn, accumulate: false);
        }
    }
}
