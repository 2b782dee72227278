using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using SciKernels.Backends;

namespace SciKernels.Devices;

public sealed partial class IlgpuBackend : ITensorProductKernels
{
    /// <summary>The coupling table and its coefficients in device memory, made once per coupling and device.</summary>
    private sealed class DeviceCoupling(MemoryBuffer1D<int, Stride1D.Dense> table, MemoryBuffer1D<float, Stride1D.Dense> f32, MemoryBuffer1D<double, Stride1D.Dense> f64)
    {
        public ArrayView<int> Table => table.View;
        public ArrayView<float> F32 => f32.View;
        public ArrayView<double> F64 => f64.View;
    }

    // Weak keys: the device copy lives as long as the tensor product's coupling (a few kilobytes).
    private readonly ConditionalWeakTable<TensorProductCoupling, DeviceCoupling> couplings = new();

    private DeviceCoupling Upload(TensorProductCoupling c)
    {
        if (couplings.TryGetValue(c, out var d)) return d;
        var coefs = c.Coefficients.ToArray();
        // an empty buffer is not a valid kernel argument: keep at least one element
        if (coefs.Length == 0) coefs = [0.0];
        var acc = Context.Accelerator;
        d = new DeviceCoupling(acc.Allocate1D(c.Table.ToArray()), acc.Allocate1D(Array.ConvertAll(coefs, v => (float)v)), acc.Allocate1D(coefs));
        couplings.AddOrUpdate(c, d);
        return d;
    }

    /// <inheritdoc/>
    public void TensorProductContract(TensorProductCoupling coupling, TensorProductTarget target, Tensor? g, Tensor? w, Tensor? y, Tensor? h,
        Tensor receivers, Tensor senders, Tensor rowOffsets, Tensor senderPerm, Tensor senderOffsets, Tensor result)
    {
        const string op = "TensorProductConv";
        ArgumentNullException.ThrowIfNull(coupling);
        foreach (var (t, role) in new[] { (receivers, "the receivers"), (senders, "the senders"), (rowOffsets, "the CSR offsets"), (senderPerm, "the sender permutation"), (senderOffsets, "the sender offsets") })
            CheckDevice(op, t, role);
        if (result.NumElements == 0) return;
        bool f32 = result.DType == DType.Float32;
        lock (gate)
        {
            var d = Upload(coupling);
            var (recv, send) = (Dense<long>(receivers), Dense<long>(senders));
            switch (target)
            {
                case TensorProductTarget.Out:
                    if (f32) Ops.TensorProductOut(V<float>(w), V<float>(y), V<float>(h), Dense<float>(result), Dense<long>(rowOffsets), send, d.Table, d.F32);
                    else Ops.TensorProductOut(V<double>(w), V<double>(y), V<double>(h), Dense<double>(result), Dense<long>(rowOffsets), send, d.Table, d.F64);
                    break;
                case TensorProductTarget.Weights:
                    if (f32) Ops.TensorProductWeights(V<float>(g), V<float>(y), V<float>(h), Dense<float>(result), recv, send, d.Table, d.F32);
                    else Ops.TensorProductWeights(V<double>(g), V<double>(y), V<double>(h), Dense<double>(result), recv, send, d.Table, d.F64);
                    break;
                case TensorProductTarget.Sh:
                    if (f32) Ops.TensorProductSh(V<float>(g), V<float>(w), V<float>(h), Dense<float>(result), recv, send, d.Table, d.F32);
                    else Ops.TensorProductSh(V<double>(g), V<double>(w), V<double>(h), Dense<double>(result), recv, send, d.Table, d.F64);
                    break;
                default:
                    var (so, sp) = (Dense<long>(senderOffsets), Dense<long>(senderPerm));
                    if (f32) Ops.TensorProductNodes(V<float>(g), V<float>(w), V<float>(y), Dense<float>(result), so, sp, recv, d.Table, d.F32);
                    else Ops.TensorProductNodes(V<double>(g), V<double>(w), V<double>(y), Dense<double>(result), so, sp, recv, d.Table, d.F64);
                    break;
            }
        }
    }

    /// <summary>A given operand's elements (the op layer passes every operand of the target).</summary>
    private static ArrayView<T> V<T>(Tensor? t) where T : unmanaged =>
        Dense<T>(t ?? throw new TensorException("TensorProductConv", "an operand of the target is missing"));
}
