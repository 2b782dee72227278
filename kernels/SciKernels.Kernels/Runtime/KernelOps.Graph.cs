using ILGPU;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Graph;

namespace SciKernels.Kernels.Runtime;

public sealed partial class KernelOps
{
    // ---------------------------------------------------------------- message passing (CSR)

    /// <summary>CSR segment sum of edge rows into node rows (see <see cref="GraphKernels.SegmentSum{T,TArith}"/>).</summary>
    /// <param name="x">Edge rows [E, C].</param><param name="offsets">N + 1 offsets.</param>
    /// <param name="perm">Edge of each CSR slot, or null to read slots in order.</param>
    /// <param name="y">Node rows [N, C].</param><param name="cols">C.</param>
    public void GraphSegmentSum(ArrayView<float> x, ArrayView<long> offsets, ArrayView<long>? perm, ArrayView<float> y, int cols) =>
        SegmentSumCore<float, F32>(x, offsets, perm, y, cols);

    /// <summary>CSR segment sum of edge rows into node rows (see <see cref="GraphKernels.SegmentSum{T,TArith}"/>).</summary>
    /// <param name="x">Edge rows [E, C].</param><param name="offsets">N + 1 offsets.</param>
    /// <param name="perm">Edge of each CSR slot, or null to read slots in order.</param>
    /// <param name="y">Node rows [N, C].</param><param name="cols">C.</param>
    public void GraphSegmentSum(ArrayView<double> x, ArrayView<long> offsets, ArrayView<long>? perm, ArrayView<double> y, int cols) =>
        SegmentSumCore<double, F64>(x, offsets, perm, y, cols);

    /// <summary>CSR segment max with argmax (see <see cref="GraphKernels.SegmentMax{T,TOrder}"/>).</summary>
    /// <param name="x">Edge rows [E, C].</param><param name="offsets">N + 1 offsets.</param>
    /// <param name="y">Node rows [N, C].</param><param name="arg">Argmax [N, C].</param><param name="cols">C.</param>
    public void GraphSegmentMax(ArrayView<float> x, ArrayView<long> offsets, ArrayView<float> y, ArrayView<long> arg, int cols) =>
        SegmentMaxCore<float, Order32>(x, offsets, y, arg, cols);

    /// <summary>CSR segment max with argmax (see <see cref="GraphKernels.SegmentMax{T,TOrder}"/>).</summary>
    /// <param name="x">Edge rows [E, C].</param><param name="offsets">N + 1 offsets.</param>
    /// <param name="y">Node rows [N, C].</param><param name="arg">Argmax [N, C].</param><param name="cols">C.</param>
    public void GraphSegmentMax(ArrayView<double> x, ArrayView<long> offsets, ArrayView<double> y, ArrayView<long> arg, int cols) =>
        SegmentMaxCore<double, Order64>(x, offsets, y, arg, cols);

    /// <summary>Backward of the segment max (see <see cref="GraphKernels.ScatterArgMax{T}"/>).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="g">Node rows [N, C].</param><param name="arg">Argmax [N, C].</param>
    /// <param name="receivers">Receiver per edge.</param><param name="y">Edge rows [E, C].</param><param name="cols">C.</param>
    public void GraphScatterArgMax<T>(ArrayView<T> g, ArrayView<long> arg, ArrayView<long> receivers, ArrayView<T> y, int cols) where T : unmanaged
    {
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<long>, ArrayView<long>, ArrayView<T>, int>(GraphKernels.ScatterArgMax)(S, L.Linear(y.Length), g, arg, receivers, y, cols);
    }

    /// <summary>Rows picked at the argmax (see <see cref="GraphKernels.GatherArgMax{T}"/>).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="u">Edge rows [E, C].</param><param name="arg">Argmax [N, C].</param>
    /// <param name="y">Node rows [N, C].</param><param name="cols">C.</param>
    public void GraphGatherArgMax<T>(ArrayView<T> u, ArrayView<long> arg, ArrayView<T> y, int cols) where T : unmanaged
    {
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<long>, ArrayView<T>, int>(GraphKernels.GatherArgMax)(S, L.Linear(y.Length), u, arg, y, cols);
    }

    /// <summary>Fused gathers + edge term + bias of the edge-linear layer (see <see cref="GraphKernels.EdgeCombine{T,TArith}"/>).</summary>
    /// <param name="a">Receiver-side node rows.</param><param name="b">Sender-side node rows.</param>
    /// <param name="e">Edge rows [E, C] or null.</param><param name="bias">Bias [C] or null.</param>
    /// <param name="receivers">Receiver per edge.</param><param name="senders">Sender per edge.</param>
    /// <param name="y">Edge rows [E, C].</param><param name="cols">C.</param>
    public void GraphEdgeCombine(ArrayView<float> a, ArrayView<float> b, ArrayView<float>? e, ArrayView<float>? bias,
        ArrayView<long> receivers, ArrayView<long> senders, ArrayView<float> y, int cols) =>
        EdgeCombineCore<float, F32>(a, b, e, bias, receivers, senders, y, cols);

    /// <summary>Fused gathers + edge term + bias of the edge-linear layer (see <see cref="GraphKernels.EdgeCombine{T,TArith}"/>).</summary>
    /// <param name="a">Receiver-side node rows.</param><param name="b">Sender-side node rows.</param>
    /// <param name="e">Edge rows [E, C] or null.</param><param name="bias">Bias [C] or null.</param>
    /// <param name="receivers">Receiver per edge.</param><param name="senders">Sender per edge.</param>
    /// <param name="y">Edge rows [E, C].</param><param name="cols">C.</param>
    public void GraphEdgeCombine(ArrayView<double> a, ArrayView<double> b, ArrayView<double>? e, ArrayView<double>? bias,
        ArrayView<long> receivers, ArrayView<long> senders, ArrayView<double> y, int cols) =>
        EdgeCombineCore<double, F64>(a, b, e, bias, receivers, senders, y, cols);

    private void SegmentSumCore<T, TA>(ArrayView<T> x, ArrayView<long> offsets, ArrayView<long>? perm, ArrayView<T> y, int cols)
        where T : unmanaged where TA : struct, IArith<T>
    {
        Check(offsets.Length >= 1, "offsets must have numSegments + 1 entries");
        if (y.Length == 0) return;
        // an unused view still has to be a valid argument: the offsets stand in for a missing perm
        K.Get<ArrayView<T>, ArrayView<long>, ArrayView<long>, ArrayView<T>, int, int>(GraphKernels.SegmentSum<T, TA>)(
            S, L.Linear(y.Length), x, offsets, perm ?? offsets, y, cols, perm.HasValue ? 1 : 0);
    }

    private void SegmentMaxCore<T, TO>(ArrayView<T> x, ArrayView<long> offsets, ArrayView<T> y, ArrayView<long> arg, int cols)
        where T : unmanaged where TO : struct, IOrder<T>
    {
        Check(arg.Length == y.Length, "arg length != y length");
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<long>, ArrayView<T>, ArrayView<long>, int>(GraphKernels.SegmentMax<T, TO>)(S, L.Linear(y.Length), x, offsets, y, arg, cols);
    }

    private void EdgeCombineCore<T, TA>(ArrayView<T> a, ArrayView<T> b, ArrayView<T>? e, ArrayView<T>? bias,
        ArrayView<long> receivers, ArrayView<long> senders, ArrayView<T> y, int cols)
        where T : unmanaged where TA : struct, IArith<T>
    {
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<long>, ArrayView<long>, ArrayView<T>, EdgeCombineArgs>(GraphKernels.EdgeCombine<T, TA>)(
            S, L.Linear(y.Length), a, b, e ?? a, bias ?? a, receivers, senders, y, new EdgeCombineArgs(cols, e.HasValue ? 1 : 0, bias.HasValue ? 1 : 0));
    }
}
