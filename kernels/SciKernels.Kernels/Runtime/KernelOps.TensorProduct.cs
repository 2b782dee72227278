using ILGPU;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Graph;

namespace SciKernels.Kernels.Runtime;

public sealed partial class KernelOps
{
    // ---------------------------------------------------------------- tensor-product convolution

    /// <summary>The convolution output (see <see cref="TensorProductKernels.Out{T,TArith}"/>).</summary>
    /// <param name="w">Edge weights [E, W].</param><param name="y">Edge harmonics [E, Sh].</param><param name="h">Node features [N, In].</param><param name="r">Output [N, Out].</param><param name="rowOffsets">Receiver offsets [N + 1].</param><param name="senders">Sender per edge [E].</param>
    /// <param name="plan">The coupling table (<see cref="SciKernels.Backends.TensorProductCoupling"/>).</param><param name="coef">Its coefficients.</param>
    public void TensorProductOut(ArrayView<float> w, ArrayView<float> y, ArrayView<float> h, ArrayView<float> r, ArrayView<long> rowOffsets, ArrayView<long> senders, ArrayView<int> plan, ArrayView<float> coef) =>
        TensorProductOutCore<float, F32>(w, y, h, r, rowOffsets, senders, plan, coef);

    /// <summary>The convolution output (see <see cref="TensorProductKernels.Out{T,TArith}"/>).</summary>
    /// <param name="w">Edge weights [E, W].</param><param name="y">Edge harmonics [E, Sh].</param><param name="h">Node features [N, In].</param><param name="r">Output [N, Out].</param><param name="rowOffsets">Receiver offsets [N + 1].</param><param name="senders">Sender per edge [E].</param>
    /// <param name="plan">The coupling table (<see cref="SciKernels.Backends.TensorProductCoupling"/>).</param><param name="coef">Its coefficients.</param>
    public void TensorProductOut(ArrayView<double> w, ArrayView<double> y, ArrayView<double> h, ArrayView<double> r, ArrayView<long> rowOffsets, ArrayView<long> senders, ArrayView<int> plan, ArrayView<double> coef) =>
        TensorProductOutCore<double, F64>(w, y, h, r, rowOffsets, senders, plan, coef);

    private void TensorProductOutCore<T, TA>(ArrayView<T> w, ArrayView<T> y, ArrayView<T> h, ArrayView<T> r, ArrayView<long> rowOffsets, ArrayView<long> senders, ArrayView<int> plan, ArrayView<T> coef)
        where T : unmanaged where TA : struct, IArith<T>
    {
        if (r.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<long>, ArrayView<long>, ArrayView<int>, ArrayView<T>>(TensorProductKernels.Out<T, TA>)(
            S, L.Linear(r.Length), w, y, h, r, rowOffsets, senders, rowOffsets, plan, coef);
    }

    /// <summary>∂/∂w (see <see cref="TensorProductKernels.Weights{T,TArith}"/>).</summary>
    /// <param name="g">Output cotangent [N, Out].</param><param name="y">Edge harmonics [E, Sh].</param><param name="h">Node features [N, In].</param><param name="r">Result [E, W].</param><param name="receivers">Receiver per edge [E].</param><param name="senders">Sender per edge [E].</param>
    /// <param name="plan">The coupling table (<see cref="SciKernels.Backends.TensorProductCoupling"/>).</param><param name="coef">Its coefficients.</param>
    public void TensorProductWeights(ArrayView<float> g, ArrayView<float> y, ArrayView<float> h, ArrayView<float> r, ArrayView<long> receivers, ArrayView<long> senders, ArrayView<int> plan, ArrayView<float> coef) =>
        TensorProductWeightsCore<float, F32>(g, y, h, r, receivers, senders, plan, coef);

    /// <summary>∂/∂w (see <see cref="TensorProductKernels.Weights{T,TArith}"/>).</summary>
    /// <param name="g">Output cotangent [N, Out].</param><param name="y">Edge harmonics [E, Sh].</param><param name="h">Node features [N, In].</param><param name="r">Result [E, W].</param><param name="receivers">Receiver per edge [E].</param><param name="senders">Sender per edge [E].</param>
    /// <param name="plan">The coupling table (<see cref="SciKernels.Backends.TensorProductCoupling"/>).</param><param name="coef">Its coefficients.</param>
    public void TensorProductWeights(ArrayView<double> g, ArrayView<double> y, ArrayView<double> h, ArrayView<double> r, ArrayView<long> receivers, ArrayView<long> senders, ArrayView<int> plan, ArrayView<double> coef) =>
        TensorProductWeightsCore<double, F64>(g, y, h, r, receivers, senders, plan, coef);

    private void TensorProductWeightsCore<T, TA>(ArrayView<T> g, ArrayView<T> y, ArrayView<T> h, ArrayView<T> r, ArrayView<long> receivers, ArrayView<long> senders, ArrayView<int> plan, ArrayView<T> coef)
        where T : unmanaged where TA : struct, IArith<T>
    {
        if (r.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<long>, ArrayView<long>, ArrayView<int>, ArrayView<T>>(TensorProductKernels.Weights<T, TA>)(
            S, L.Linear(r.Length), g, y, h, r, receivers, senders, receivers, plan, coef);
    }

    /// <summary>∂/∂Y (see <see cref="TensorProductKernels.Sh{T,TArith}"/>).</summary>
    /// <param name="g">Output cotangent [N, Out].</param><param name="w">Edge weights [E, W].</param><param name="h">Node features [N, In].</param><param name="r">Result [E, Sh].</param><param name="receivers">Receiver per edge [E].</param><param name="senders">Sender per edge [E].</param>
    /// <param name="plan">The coupling table (<see cref="SciKernels.Backends.TensorProductCoupling"/>).</param><param name="coef">Its coefficients.</param>
    public void TensorProductSh(ArrayView<float> g, ArrayView<float> w, ArrayView<float> h, ArrayView<float> r, ArrayView<long> receivers, ArrayView<long> senders, ArrayView<int> plan, ArrayView<float> coef) =>
        TensorProductShCore<float, F32>(g, w, h, r, receivers, senders, plan, coef);

    /// <summary>∂/∂Y (see <see cref="TensorProductKernels.Sh{T,TArith}"/>).</summary>
    /// <param name="g">Output cotangent [N, Out].</param><param name="w">Edge weights [E, W].</param><param name="h">Node features [N, In].</param><param name="r">Result [E, Sh].</param><param name="receivers">Receiver per edge [E].</param><param name="senders">Sender per edge [E].</param>
    /// <param name="plan">The coupling table (<see cref="SciKernels.Backends.TensorProductCoupling"/>).</param><param name="coef">Its coefficients.</param>
    public void TensorProductSh(ArrayView<double> g, ArrayView<double> w, ArrayView<double> h, ArrayView<double> r, ArrayView<long> receivers, ArrayView<long> senders, ArrayView<int> plan, ArrayView<double> coef) =>
        TensorProductShCore<double, F64>(g, w, h, r, receivers, senders, plan, coef);

    private void TensorProductShCore<T, TA>(ArrayView<T> g, ArrayView<T> w, ArrayView<T> h, ArrayView<T> r, ArrayView<long> receivers, ArrayView<long> senders, ArrayView<int> plan, ArrayView<T> coef)
        where T : unmanaged where TA : struct, IArith<T>
    {
        if (r.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<long>, ArrayView<long>, ArrayView<int>, ArrayView<T>>(TensorProductKernels.Sh<T, TA>)(
            S, L.Linear(receivers.Length), g, w, h, r, receivers, senders, receivers, plan, coef);
    }

    /// <summary>∂/∂h (see <see cref="TensorProductKernels.Nodes{T,TArith}"/>).</summary>
    /// <param name="g">Output cotangent [N, Out].</param><param name="w">Edge weights [E, W].</param><param name="y">Edge harmonics [E, Sh].</param><param name="r">Result [N, In].</param><param name="senderOffsets">Sender offsets [N + 1].</param><param name="senderPerm">Edges grouped by sender [E].</param><param name="receivers">Receiver per edge [E].</param>
    /// <param name="plan">The coupling table (<see cref="SciKernels.Backends.TensorProductCoupling"/>).</param><param name="coef">Its coefficients.</param>
    public void TensorProductNodes(ArrayView<float> g, ArrayView<float> w, ArrayView<float> y, ArrayView<float> r, ArrayView<long> senderOffsets, ArrayView<long> senderPerm, ArrayView<long> receivers, ArrayView<int> plan, ArrayView<float> coef) =>
        TensorProductNodesCore<float, F32>(g, w, y, r, senderOffsets, senderPerm, receivers, plan, coef);

    /// <summary>∂/∂h (see <see cref="TensorProductKernels.Nodes{T,TArith}"/>).</summary>
    /// <param name="g">Output cotangent [N, Out].</param><param name="w">Edge weights [E, W].</param><param name="y">Edge harmonics [E, Sh].</param><param name="r">Result [N, In].</param><param name="senderOffsets">Sender offsets [N + 1].</param><param name="senderPerm">Edges grouped by sender [E].</param><param name="receivers">Receiver per edge [E].</param>
    /// <param name="plan">The coupling table (<see cref="SciKernels.Backends.TensorProductCoupling"/>).</param><param name="coef">Its coefficients.</param>
    public void TensorProductNodes(ArrayView<double> g, ArrayView<double> w, ArrayView<double> y, ArrayView<double> r, ArrayView<long> senderOffsets, ArrayView<long> senderPerm, ArrayView<long> receivers, ArrayView<int> plan, ArrayView<double> coef) =>
        TensorProductNodesCore<double, F64>(g, w, y, r, senderOffsets, senderPerm, receivers, plan, coef);

    private void TensorProductNodesCore<T, TA>(ArrayView<T> g, ArrayView<T> w, ArrayView<T> y, ArrayView<T> r, ArrayView<long> senderOffsets, ArrayView<long> senderPerm, ArrayView<long> receivers, ArrayView<int> plan, ArrayView<T> coef)
        where T : unmanaged where TA : struct, IArith<T>
    {
        if (r.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<long>, ArrayView<long>, ArrayView<int>, ArrayView<T>>(TensorProductKernels.Nodes<T, TA>)(
            S, L.Linear(r.Length), g, w, y, r, senderOffsets, senderPerm, receivers, plan, coef);
    }

}
