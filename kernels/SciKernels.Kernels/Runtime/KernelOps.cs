using ILGPU;
using ILGPU.Runtime;
using SciKernels.Kernels.Elementwise;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Indexing;
using SciKernels.Kernels.Layout;
using SciKernels.Kernels.MatMul;
using SciKernels.Kernels.Reduction;

namespace SciKernels.Kernels.Runtime;

/// <summary>
/// Typed launchers for every kernel on one <see cref="DeviceContext"/>. Launches are queued on the
/// accelerator's default stream (asynchronous); call <see cref="DeviceContext.Synchronize"/> before
/// reading results on the host. Kernels are loaded once per specialization through
/// <see cref="DeviceContext.Kernels"/>. All views are 1-D element views; shapes/strides are passed
/// explicitly, so the tensor library decides layouts and this layer stays stateless.
/// </summary>
public sealed partial class KernelOps
{
    private readonly DeviceContext device;

    internal KernelOps(DeviceContext device) => this.device = device;

    private KernelCache K => device.Kernels;
    private LaunchPlanner L => device.Launch;
    private AcceleratorStream S => device.Accelerator.DefaultStream;

    // ---------------------------------------------------------------- element-wise

    /// <summary>y = TOp(x, p0, p1), contiguous.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Unary functor.</typeparam>
    /// <param name="x">Input (length &gt;= y.Length).</param>
    /// <param name="y">Output.</param>
    /// <param name="p0">Op parameter 0.</param>
    /// <param name="p1">Op parameter 1.</param>
    public void Unary<T, TOp>(ArrayView<T> x, ArrayView<T> y, T p0 = default, T p1 = default)
        where T : unmanaged where TOp : struct, IUnaryOp<T>
    {
        if (y.Length == 0) return;
        Check(x.Length >= y.Length, "x shorter than y");
        K.Get<ArrayView<T>, ArrayView<T>, T, T>(ElementwiseKernels.Unary<T, TOp>)(S, L.Linear(y.Length), x, y, p0, p1);
    }

    /// <summary>y = TOp(x[strided], p0, p1), contiguous y of shape.Length elements.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Unary functor.</typeparam>
    /// <param name="x">Input buffer.</param>
    /// <param name="y">Contiguous output.</param>
    /// <param name="shape">Logical shape.</param>
    /// <param name="sx">Input strides.</param>
    /// <param name="p0">Op parameter 0.</param>
    /// <param name="p1">Op parameter 1.</param>
    public void UnaryStrided<T, TOp>(ArrayView<T> x, ArrayView<T> y, Shape6 shape, Strides6 sx, T p0 = default, T p1 = default)
        where T : unmanaged where TOp : struct, IUnaryOp<T>
    {
        Check(y.Length == shape.Length, "y length != shape length");
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, Shape6, Strides6, T, T>(ElementwiseKernels.UnaryStrided<T, TOp>)(S, L.Linear(y.Length), x, y, shape, sx, p0, p1);
    }

    /// <summary>r = TOp(x, y, g), contiguous: the backward g·F′(x) of an element-wise function.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Gradient functor.</typeparam>
    /// <param name="x">Function input.</param><param name="y">Function output.</param>
    /// <param name="g">Output gradient.</param><param name="r">Result.</param>
    public void UnaryGrad<T, TOp>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> g, ArrayView<T> r)
        where T : unmanaged where TOp : struct, IUnaryGradOp<T>
    {
        if (r.Length == 0) return;
        Check(x.Length >= r.Length && y.Length >= r.Length && g.Length >= r.Length, "operand shorter than output");
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.UnaryGrad<T, TOp>)(S, L.Linear(r.Length), x, y, g, r);
    }

    /// <summary>c = TOp(a, b), contiguous, equal lengths.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Binary functor.</typeparam>
    /// <param name="a">Left.</param><param name="b">Right.</param><param name="c">Output.</param>
    public void Binary<T, TOp>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c)
        where T : unmanaged where TOp : struct, IBinaryOp<T>
    {
        if (c.Length == 0) return;
        Check(a.Length >= c.Length && b.Length >= c.Length, "operand shorter than output");
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.Binary<T, TOp>)(S, L.Linear(c.Length), a, b, c);
    }

    /// <summary>c = TOp(a, b) with strided/broadcast operands; contiguous c of shape.Length elements.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Binary functor.</typeparam>
    /// <param name="a">Left buffer.</param><param name="b">Right buffer.</param><param name="c">Output.</param>
    /// <param name="shape">Output shape.</param>
    /// <param name="sa">Strides of a.</param><param name="sb">Strides of b.</param>
    public void BinaryStrided<T, TOp>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, Shape6 shape, Strides6 sa, Strides6 sb)
        where T : unmanaged where TOp : struct, IBinaryOp<T>
    {
        Check(c.Length == shape.Length, "c length != shape length");
        if (c.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, Shape6, Strides6, Strides6>(ElementwiseKernels.BinaryStrided<T, TOp>)(S, L.Linear(c.Length), a, b, c, shape, sa, sb);
    }

    /// <summary>y = cond != 0 ? a : b (contiguous).</summary>
    /// <param name="cond">Mask.</param><param name="a">If true.</param><param name="b">If false.</param><param name="y">Output.</param>
    public void Where(ArrayView<float> cond, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => WhereCore<float, F32>(cond, a, b, y);

    /// <summary>y = cond != 0 ? a : b (contiguous).</summary>
    /// <param name="cond">Mask.</param><param name="a">If true.</param><param name="b">If false.</param><param name="y">Output.</param>
    public void Where(ArrayView<double> cond, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y) => WhereCore<double, F64>(cond, a, b, y);

    /// <summary>Broadcasting where; contiguous y of shape.Length elements.</summary>
    /// <param name="cond">Mask.</param><param name="a">If true.</param><param name="b">If false.</param><param name="y">Output.</param>
    /// <param name="shape">Output shape.</param><param name="sc">Mask strides.</param><param name="sa">a strides.</param><param name="sb">b strides.</param>
    public void WhereStrided(ArrayView<float> cond, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, Shape6 shape, Strides6 sc, Strides6 sa, Strides6 sb) =>
        WhereStridedCore<float, F32>(cond, a, b, y, shape, sc, sa, sb);

    /// <summary>Broadcasting where; contiguous y of shape.Length elements.</summary>
    /// <param name="cond">Mask.</param><param name="a">If true.</param><param name="b">If false.</param><param name="y">Output.</param>
    /// <param name="shape">Output shape.</param><param name="sc">Mask strides.</param><param name="sa">a strides.</param><param name="sb">b strides.</param>
    public void WhereStrided(ArrayView<double> cond, ArrayView<double> a, ArrayView<double> b, ArrayView<double> y, Shape6 shape, Strides6 sc, Strides6 sa, Strides6 sb) =>
        WhereStridedCore<double, F64>(cond, a, b, y, shape, sc, sa, sb);

    private void WhereCore<T, TA>(ArrayView<T> cond, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y)
        where T : unmanaged where TA : struct, IArith<T>
    {
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.Where<T, TA>)(S, L.Linear(y.Length), cond, a, b, y);
    }

    private void WhereStridedCore<T, TA>(ArrayView<T> cond, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, Shape6 shape, Strides6 sc, Strides6 sa, Strides6 sb)
        where T : unmanaged where TA : struct, IArith<T>
    {
        Check(y.Length == shape.Length, "y length != shape length");
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, Shape6, Strides6, Strides6, Strides6>(ElementwiseKernels.WhereStrided<T, TA>)(S, L.Linear(y.Length), cond, a, b, y, shape, sc, sa, sb);
    }

    /// <summary>y[:] = value.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="y">Output.</param><param name="value">Value.</param>
    public void Fill<T>(ArrayView<T> y, T value) where T : unmanaged
    {
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, T>(ElementwiseKernels.Fill)(S, L.Linear(y.Length), y, value);
    }

    /// <summary>Strided copy (make-contiguous, transpose/permute, expand, slice assignment).</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="src">Source.</param><param name="dst">Destination.</param><param name="shape">Logical shape.</param>
    /// <param name="sSrc">Source strides.</param><param name="sDst">Destination strides (use <see cref="Shape6.ContiguousStrides"/> for make-contiguous).</param>
    public void CopyStrided<T>(ArrayView<T> src, ArrayView<T> dst, Shape6 shape, Strides6 sSrc, Strides6 sDst) where T : unmanaged
    {
        int n = shape.Length;
        if (n == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, Shape6, Strides6, Strides6>(ElementwiseKernels.CopyStrided)(S, L.Linear(n), src, dst, shape, sSrc, sDst);
    }

    /// <summary>dst = (double)src.</summary>
    /// <param name="src">Input.</param><param name="dst">Output.</param>
    public void Cast(ArrayView<float> src, ArrayView<double> dst)
    {
        if (dst.Length == 0) return;
        K.Get<ArrayView<float>, ArrayView<double>>(ElementwiseKernels.CastF32ToF64)(S, L.Linear(dst.Length), src, dst);
    }

    /// <summary>dst = (float)src.</summary>
    /// <param name="src">Input.</param><param name="dst">Output.</param>
    public void Cast(ArrayView<double> src, ArrayView<float> dst)
    {
        if (dst.Length == 0) return;
        K.Get<ArrayView<double>, ArrayView<float>>(ElementwiseKernels.CastF64ToF32)(S, L.Linear(dst.Length), src, dst);
    }

    // ---------------------------------------------------------------- reductions

    /// <summary>
    /// result[0] = reduce(map(x)) over all of x (two-stage, deterministic). An empty x yields the
    /// identity. Uses a pooled scratch buffer.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TMap">Element map (<see cref="Identity"/>, <see cref="Square"/>, <see cref="Abs"/>...).</typeparam>
    /// <typeparam name="TRed">Reduction.</typeparam>
    /// <param name="x">Contiguous input.</param>
    /// <param name="result">At least one element; receives the result at index 0.</param>
    public void ReduceAll<T, TMap, TRed>(ArrayView<T> x, ArrayView<T> result)
        where T : unmanaged where TMap : struct, IUnaryOp<T> where TRed : struct, IReduceOp<T>
    {
        var cfg = L.Linear(x.Length);
        var stage1 = K.Get<ArrayView<T>, ArrayView<T>>(ReductionKernels.ReduceAll<T, TMap, TRed>);
        if (cfg.GridDim.X == 1)
        {
            stage1(S, cfg, x, result.SubView(0, 1));
            return;
        }
        using var partials = device.Pool.Rent<T>(cfg.GridDim.X);
        stage1(S, cfg, x, partials.View);
        var stage2 = K.Get<ArrayView<T>, ArrayView<T>>(ReductionKernels.ReduceAll<T, PassThrough<T>, TRed>);
        stage2(S, new KernelConfig(1, L.GroupSize), partials.View, result.SubView(0, 1));
        // The pooled scratch is returned at the end of this scope; the stream is in-order, so a later
        // rent of the same buffer can only be used by work queued after these launches.
    }

    /// <summary>
    /// y[o, i] = reduce_k map(x[o, k, i]) for contiguous x [outer, axisLen, inner] (deterministic).
    /// Picks one-group-per-output when outputs are few and the axis is long, else one thread per output.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TMap">Element map.</typeparam>
    /// <typeparam name="TRed">Reduction.</typeparam>
    /// <param name="x">Input.</param><param name="y">Output of outer*inner elements.</param>
    /// <param name="outer">Product of dims before the axis.</param><param name="axisLen">Axis length.</param>
    /// <param name="inner">Product of dims after the axis.</param>
    public void ReduceAxis<T, TMap, TRed>(ArrayView<T> x, ArrayView<T> y, int outer, int axisLen, int inner)
        where T : unmanaged where TMap : struct, IUnaryOp<T> where TRed : struct, IReduceOp<T>
    {
        long numOut = (long)outer * inner;
        Check(y.Length == numOut, "y length != outer*inner");
        Check(x.Length == numOut * axisLen, "x length != outer*axisLen*inner");
        if (numOut == 0) return;
        bool perGroup = axisLen >= 2 * L.GroupSize || (axisLen >= 32 && numOut < (long)L.MaxGroups * L.GroupSize / 4);
        if (perGroup)
            ReduceAxisPerGroup<T, TMap, TRed>(x, y, axisLen, inner);
        else
            ReduceAxisPerThread<T, TMap, TRed>(x, y, axisLen, inner);
    }

    /// <summary>Axis reduction with one group per output (see <see cref="ReductionKernels.ReduceAxisPerGroup{T,TMap,TRed}"/>).</summary>
    /// <typeparam name="T">float or double.</typeparam><typeparam name="TMap">Map.</typeparam><typeparam name="TRed">Reduction.</typeparam>
    /// <param name="x">Input.</param><param name="y">Output.</param><param name="axisLen">Axis length.</param><param name="inner">Inner size.</param>
    public void ReduceAxisPerGroup<T, TMap, TRed>(ArrayView<T> x, ArrayView<T> y, int axisLen, int inner)
        where T : unmanaged where TMap : struct, IUnaryOp<T> where TRed : struct, IReduceOp<T>
    {
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, int, int>(ReductionKernels.ReduceAxisPerGroup<T, TMap, TRed>)(S, L.GroupPerItem(y.Length), x, y, axisLen, inner);
    }

    /// <summary>Axis reduction with one thread per output (see <see cref="ReductionKernels.ReduceAxisPerThread{T,TMap,TRed}"/>).</summary>
    /// <typeparam name="T">float or double.</typeparam><typeparam name="TMap">Map.</typeparam><typeparam name="TRed">Reduction.</typeparam>
    /// <param name="x">Input.</param><param name="y">Output.</param><param name="axisLen">Axis length.</param><param name="inner">Inner size.</param>
    public void ReduceAxisPerThread<T, TMap, TRed>(ArrayView<T> x, ArrayView<T> y, int axisLen, int inner)
        where T : unmanaged where TMap : struct, IUnaryOp<T> where TRed : struct, IReduceOp<T>
    {
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<T>, int, int>(ReductionKernels.ReduceAxisPerThread<T, TMap, TRed>)(S, L.Linear(y.Length), x, y, axisLen, inner);
    }

    // ---------------------------------------------------------------- matmul

    /// <summary>C = alpha A B + beta C (batched, strided; see <see cref="GemmArgs"/>).</summary>
    /// <param name="a">A.</param><param name="b">B.</param><param name="c">C.</param><param name="args">Sizes/strides.</param>
    /// <param name="alpha">Scale.</param><param name="beta">Scale of existing C (0 = overwrite).</param>
    public void Gemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmArgs args, float alpha = 1f, float beta = 0f) =>
        GemmCore<float, F32>(a, b, c, args, alpha, beta);

    /// <summary>C = alpha A B + beta C (batched, strided; see <see cref="GemmArgs"/>).</summary>
    /// <param name="a">A.</param><param name="b">B.</param><param name="c">C.</param><param name="args">Sizes/strides.</param>
    /// <param name="alpha">Scale.</param><param name="beta">Scale of existing C (0 = overwrite).</param>
    public void Gemm(ArrayView<double> a, ArrayView<double> b, ArrayView<double> c, GemmArgs args, double alpha = 1.0, double beta = 0.0) =>
        GemmCore<double, F64>(a, b, c, args, alpha, beta);

    /// <summary>Launch configuration used by the GEMM kernel for the given problem.</summary>
    /// <param name="args">Problem.</param>
    public static KernelConfig GemmConfig(in GemmArgs args) => new(
        new Index3D(
            Math.Max(1, (args.N + MatMulKernels.TileMN - 1) / MatMulKernels.TileMN),
            Math.Max(1, (args.M + MatMulKernels.TileMN - 1) / MatMulKernels.TileMN),
            Math.Clamp(args.Batch, 1, 65535)),
        new Index3D(MatMulKernels.Threads, MatMulKernels.Threads, 1));

    private void GemmCore<T, TA>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, GemmArgs args, T alpha, T beta)
        where T : unmanaged where TA : struct, IArith<T>
    {
        if (args.M == 0 || args.N == 0 || args.Batch == 0) return;
        Check(device.Accelerator.MaxNumThreadsPerGroup >= MatMulKernels.Threads * MatMulKernels.Threads, "accelerator supports fewer than 256 threads per group");
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmArgs, T, T>(MatMulKernels.Gemm<T, TA>)(S, GemmConfig(args), a, b, c, args, alpha, beta);
    }

    // ---------------------------------------------------------------- indexing

    /// <summary>index_select with int64 indices (see <see cref="IndexingKernels.IndexSelect64{T}"/>).</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="x">Input [outer, dimSize, inner].</param><param name="idx">int64 indices.</param><param name="y">Output [outer, numIdx, inner].</param>
    /// <param name="dimSize">Indexed dim size.</param><param name="inner">Inner size.</param>
    public void IndexSelect<T>(ArrayView<T> x, ArrayView<long> idx, ArrayView<T> y, int dimSize, int inner) where T : unmanaged
    {
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<long>, ArrayView<T>, int, int>(IndexingKernels.IndexSelect64)(S, L.Linear(y.Length), x, idx, y, dimSize, inner);
    }

    /// <summary>torch.gather with int64 indices and an index shape smaller than x's (see <see cref="IndexingKernels.GatherAlongDim{T}"/>).</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="x">Input buffer.</param><param name="idx">Contiguous int64 indices.</param><param name="y">Contiguous output.</param>
    /// <param name="shape">Index shape.</param><param name="sx">x strides over the index shape, 0 on the gathered dim.</param>
    /// <param name="dimStride">x stride of the gathered dim.</param><param name="dimSize">x size of the gathered dim.</param>
    public void GatherAlongDim<T>(ArrayView<T> x, ArrayView<long> idx, ArrayView<T> y, Shape6 shape, Strides6 sx, int dimStride, int dimSize) where T : unmanaged
    {
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<long>, ArrayView<T>, Shape6, Strides6, int, int>(IndexingKernels.GatherAlongDim)(S, L.Linear(y.Length), x, idx, y, shape, sx, dimStride, dimSize);
    }

    /// <summary>Deterministic index_add / segment sum over rows (see <see cref="IndexingKernels.SegmentSumRows{T,TArith}"/>).</summary>
    /// <param name="x">Source [outer, srcDim, inner].</param><param name="perm">CSR perm.</param><param name="offsets">CSR offsets.</param>
    /// <param name="y">Destination [outer, numSegments, inner].</param><param name="srcDim">Source dim size.</param><param name="inner">Inner size.</param>
    /// <param name="accumulate">Add into y instead of overwriting.</param>
    public void SegmentSumRows(ArrayView<float> x, ArrayView<int> perm, ArrayView<int> offsets, ArrayView<float> y, int srcDim, int inner, bool accumulate) =>
        SegmentCore<float, F32>(x, perm, offsets, y, srcDim, inner, accumulate);

    /// <summary>Deterministic index_add / segment sum over rows (see <see cref="IndexingKernels.SegmentSumRows{T,TArith}"/>).</summary>
    /// <param name="x">Source [outer, srcDim, inner].</param><param name="perm">CSR perm.</param><param name="offsets">CSR offsets.</param>
    /// <param name="y">Destination [outer, numSegments, inner].</param><param name="srcDim">Source dim size.</param><param name="inner">Inner size.</param>
    /// <param name="accumulate">Add into y instead of overwriting.</param>
    public void SegmentSumRows(ArrayView<double> x, ArrayView<int> perm, ArrayView<int> offsets, ArrayView<double> y, int srcDim, int inner, bool accumulate) =>
        SegmentCore<double, F64>(x, perm, offsets, y, srcDim, inner, accumulate);

    /// <summary>Deterministic flat scatter-sum (torch.scatter_add with a <see cref="CsrPlan.ForScatterAlongDim"/> plan).</summary>
    /// <param name="x">Flat source.</param><param name="perm">CSR perm.</param><param name="offsets">CSR offsets (y.Length + 1).</param>
    /// <param name="y">Destination.</param><param name="accumulate">Add into y instead of overwriting.</param>
    public void CsrScatterSum(ArrayView<float> x, ArrayView<int> perm, ArrayView<int> offsets, ArrayView<float> y, bool accumulate) =>
        ScatterCore<float, F32>(x, perm, offsets, y, accumulate);

    /// <summary>Deterministic flat scatter-sum (torch.scatter_add with a <see cref="CsrPlan.ForScatterAlongDim"/> plan).</summary>
    /// <param name="x">Flat source.</param><param name="perm">CSR perm.</param><param name="offsets">CSR offsets (y.Length + 1).</param>
    /// <param name="y">Destination.</param><param name="accumulate">Add into y instead of overwriting.</param>
    public void CsrScatterSum(ArrayView<double> x, ArrayView<int> perm, ArrayView<int> offsets, ArrayView<double> y, bool accumulate) =>
        ScatterCore<double, F64>(x, perm, offsets, y, accumulate);

    private void SegmentCore<T, TA>(ArrayView<T> x, ArrayView<int> perm, ArrayView<int> offsets, ArrayView<T> y, int srcDim, int inner, bool accumulate)
        where T : unmanaged where TA : struct, IArith<T>
    {
        Check(offsets.Length >= 1, "offsets must have numSegments + 1 entries");
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<int>, ArrayView<int>, ArrayView<T>, int, int, int>(IndexingKernels.SegmentSumRows<T, TA>)(
            S, L.Linear(y.Length), x, perm, offsets, y, srcDim, inner, accumulate ? 1 : 0);
    }

    private void ScatterCore<T, TA>(ArrayView<T> x, ArrayView<int> perm, ArrayView<int> offsets, ArrayView<T> y, bool accumulate)
        where T : unmanaged where TA : struct, IArith<T>
    {
        Check(offsets.Length == y.Length + 1, "offsets must have y.Length + 1 entries");
        if (y.Length == 0) return;
        K.Get<ArrayView<T>, ArrayView<int>, ArrayView<int>, ArrayView<T>, int>(IndexingKernels.CsrScatterSum<T, TA>)(
            S, L.Linear(y.Length), x, perm, offsets, y, accumulate ? 1 : 0);
    }

    private static void Check(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }
}
