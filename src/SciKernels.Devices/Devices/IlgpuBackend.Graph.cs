using SciKernels.Backends;

namespace SciKernels.Devices;

public sealed partial class IlgpuBackend : IGraphKernels
{
    // The edge index was validated when it was built, so the kernels read it straight from device
    // memory: no host round trip, launches stay asynchronous.

    private static int Cols(Tensor t) => t.Rank < 2 || t.Shape[0] == 0 ? 1 : checked((int)(t.NumElements / t.Shape[0]));

    /// <inheritdoc/>
    public void SegmentSum(Tensor x, Tensor offsets, Tensor? perm, Tensor y)
    {
        CheckDevice("MessagePassing.SegmentSum", offsets, "the CSR offsets");
        if (y.NumElements == 0) return;
        int cols = Cols(y);
        lock (gate)
        {
            var off = Dense<long>(offsets);
            ILGPU.ArrayView<long>? p = perm is null ? null : Dense<long>(perm);
            if (y.DType == DType.Float32) Ops.GraphSegmentSum(Dense<float>(x), off, p, Dense<float>(y), cols);
            else Ops.GraphSegmentSum(Dense<double>(x), off, p, Dense<double>(y), cols);
        }
    }

    /// <inheritdoc/>
    public void SegmentMax(Tensor x, Tensor offsets, Tensor y, Tensor argmax)
    {
        CheckDevice("MessagePassing.SegmentMax", offsets, "the CSR offsets");
        if (y.NumElements == 0) return;
        int cols = Cols(y);
        lock (gate)
        {
            if (y.DType == DType.Float32) Ops.GraphSegmentMax(Dense<float>(x), Dense<long>(offsets), Dense<float>(y), Dense<long>(argmax), cols);
            else Ops.GraphSegmentMax(Dense<double>(x), Dense<long>(offsets), Dense<double>(y), Dense<long>(argmax), cols);
        }
    }

    /// <inheritdoc/>
    public void ScatterArgMax(Tensor g, Tensor argmax, Tensor receivers, Tensor y)
    {
        CheckDevice("MessagePassing.SegmentMax", receivers, "the receivers");
        if (y.NumElements == 0) return;
        int cols = Cols(y);
        lock (gate)
        {
            if (y.DType == DType.Float32) Ops.GraphScatterArgMax(Dense<float>(g), Dense<long>(argmax), Dense<long>(receivers), Dense<float>(y), cols);
            else Ops.GraphScatterArgMax(Dense<double>(g), Dense<long>(argmax), Dense<long>(receivers), Dense<double>(y), cols);
        }
    }

    /// <inheritdoc/>
    public void GatherArgMax(Tensor u, Tensor argmax, Tensor y)
    {
        if (y.NumElements == 0) return;
        int cols = Cols(y);
        lock (gate)
        {
            if (y.DType == DType.Float32) Ops.GraphGatherArgMax(Dense<float>(u), Dense<long>(argmax), Dense<float>(y), cols);
            else Ops.GraphGatherArgMax(Dense<double>(u), Dense<long>(argmax), Dense<double>(y), cols);
        }
    }

    /// <inheritdoc/>
    public void EdgeCombine(Tensor a, Tensor b, Tensor? e, Tensor? bias, Tensor receivers, Tensor senders, Tensor y)
    {
        CheckDevice("MessagePassing.EdgeLinear", receivers, "the receivers");
        CheckDevice("MessagePassing.EdgeLinear", senders, "the senders");
        if (y.NumElements == 0) return;
        int cols = Cols(y);
        lock (gate)
        {
            if (y.DType == DType.Float32)
                Ops.GraphEdgeCombine(Dense<float>(a), Dense<float>(b), e is null ? null : Dense<float>(e), bias is null ? null : Dense<float>(bias),
                    Dense<long>(receivers), Dense<long>(senders), Dense<float>(y), cols);
            else
                Ops.GraphEdgeCombine(Dense<double>(a), Dense<double>(b), e is null ? null : Dense<double>(e), bias is null ? null : Dense<double>(bias),
                    Dense<long>(receivers), Dense<long>(senders), Dense<double>(y), cols);
        }
    }
}
