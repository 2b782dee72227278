using ILGPU;
using ILGPU.Runtime;
using SciKernels.Backends;
using SciKernels.Cpu;
using SciKernels.Functions;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Layout;
using SciKernels.Kernels.MatMul;
using SciKernels.Kernels.Runtime;
using SciKernels.Storage;

namespace SciKernels.Devices;

/// <summary>
/// The device backend for ILGPU accelerators (CUDA, OpenCL, CPU simulator): every
/// <see cref="IBackend"/> method launches kernels of <c>SciKernels.Kernels</c> on one
/// <see cref="DeviceContext"/>.
/// </summary>
/// <remarks>
/// Work is queued on the accelerator's default (in-order) stream and runs asynchronously; the host
/// waits only when it reads device memory (<see cref="CopyToHost"/>, and the scatter-type ops that
/// build their deterministic CSR plans from the index values). Buffers come from the context's pool
/// and kernels are compiled once per accelerator and specialization. Strided operands are passed to
/// the kernels as shape/strides after merging dimensions that are contiguous in every operand; more
/// than six remaining dimensions are rejected with a <see cref="TensorException"/>.
/// Launches are serialised by a lock, so several threads may share one device.
/// </remarks>
public sealed unsafe partial class IlgpuBackend : IBackend
{
    private readonly object gate = new();

    internal IlgpuBackend(Device device, DeviceContext context)
    {
        Device = device;
        Context = context;
    }

    /// <inheritdoc/>
    public Device Device { get; }

    /// <summary>The ILGPU context, accelerator, kernel cache and buffer pool of this device.</summary>
    public DeviceContext Context { get; }

    private KernelOps Ops => Context.Ops;

    /// <inheritdoc/>
    public TensorStorage Allocate(DType dtype, long length)
    {
        if (length > int.MaxValue)
            throw new TensorException("Allocate", $"{length} elements exceed the 2^31 - 1 elements a tensor on {Device} may hold (kernels index with 32-bit integers)");
        lock (gate) return new IlgpuStorage(Device, dtype, length, Context.Pool);
    }

    private static IlgpuStorage Store(TensorStorage s) => s as IlgpuStorage
        ?? throw new InvalidOperationException($"storage on {s.Device} is not ILGPU device memory");

    /// <summary>The whole storage of <paramref name="t"/> as elements of <typeparamref name="T"/>.</summary>
    private static ArrayView<T> Buf<T>(Tensor t) where T : unmanaged => Store(t.Storage).Elements<T>();

    /// <summary>The elements of a contiguous tensor.</summary>
    private static ArrayView<T> Dense<T>(Tensor t) where T : unmanaged => Buf<T>(t).SubView(t.Offset, t.NumElements);

    /// <inheritdoc/>
    public void CopyFromHost(ReadOnlySpan<byte> src, TensorStorage dst, long dstByteOffset)
    {
        if (src.IsEmpty) return;
        lock (gate)
        {
            // ILGPU's ref-based copy synchronises the stream before it returns, so src may be freed
            // afterwards; it must be pinned during the native copy (the GC may move managed arrays).
            fixed (byte* p = src)
                Store(dst).Bytes.SubView(dstByteOffset, src.Length).CopyFromCPU(ref *p, src.Length);
        }
    }

    /// <inheritdoc/>
    public void CopyToHost(TensorStorage src, long srcByteOffset, Span<byte> dst)
    {
        if (dst.IsEmpty) return;
        lock (gate)
        {
            Context.Synchronize();
            fixed (byte* p = dst)
                Store(src).Bytes.SubView(srcByteOffset, dst.Length).CopyToCPU(ref *p, dst.Length);
        }
    }

    /// <inheritdoc/>
    public void Synchronize()
    {
        lock (gate) Context.Synchronize();
    }

    /// <inheritdoc/>
    public void Fill(Tensor dst, double value)
    {
        if (dst.NumElements == 0) return;
        lock (gate)
        {
            switch (dst.DType)
            {
                case DType.Float32: Ops.Fill(Dense<float>(dst), (float)value); break;
                case DType.Float64: Ops.Fill(Dense<double>(dst), value); break;
                case DType.Int32: Ops.Fill(Dense<int>(dst), (int)value); break;
                case DType.Int64: Ops.Fill(Dense<long>(dst), (long)value); break;
                default: throw new TensorException("Fill", $"cannot fill {dst.DType.Name()} tensors with a real value");
            }
        }
    }

    /// <inheritdoc/>
    public void Copy(Tensor src, Tensor dst)
    {
        if (dst.NumElements == 0) return;
        var (shape, s) = Layout("Copy", dst, src, dst);
        lock (gate)
        {
            switch (src.DType.ElementSize())
            {
                case 4: Ops.CopyStrided(Buf<int>(src), Buf<int>(dst), shape, s[0], s[1]); break;
                case 8: Ops.CopyStrided(Buf<long>(src), Buf<long>(dst), shape, s[0], s[1]); break;
                default: throw new TensorException("Copy", $"{src.DType.Name()} tensors are not supported on {dst.Device}");
            }
        }
    }

    /// <summary>
    /// Shape and strides (with base offsets) of the operands over <paramref name="like"/>'s shape after
    /// merging dimensions laid out back to back in all of them.
    /// </summary>
    private static (Shape6 Shape, Strides6[] Strides) Layout(string op, Tensor like, params Tensor[] operands)
    {
        var strides = new long[operands.Length][];
        for (int k = 0; k < operands.Length; k++) strides[k] = operands[k].StrideArray;
        var lay = StridedLayout.Coalesce(like.Shape, strides);
        if (lay.Rank > Shape6.MaxRank)
            throw new TensorException(op, $"a {Tensor.ShapeString(like.Shape)} tensor whose strides leave {lay.Rank} dimensions after merging exceeds the {Shape6.MaxRank} dimensions the ILGPU backend supports on {like.Device}; make it contiguous or reshape it first");
        var result = new Strides6[operands.Length];
        Span<int> si = stackalloc int[lay.Rank];
        for (int k = 0; k < operands.Length; k++)
        {
            for (int d = 0; d < lay.Rank; d++) si[d] = checked((int)lay.Strides[k][d]);
            result[k] = Strides6.From(si, checked((int)operands[k].Offset));
        }
        return (Shape6.From(lay.Shape), result);
    }

    private static bool IsDense(Tensor t, Tensor like) => t.IsContiguous && t.NumElements == like.NumElements;

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta)
    {
        if (y.NumElements == 0) return;
        lock (gate)
        {
            var fn = new ApplyVisitor(this, x, y);
            if (UnaryFunctions.Dispatch(op, ref fn)) return;
            switch (op)
            {
                case UnaryOp.Neg: Un<Neg>(x, y, alpha, beta); break;
                case UnaryOp.Abs: Un<Abs>(x, y, alpha, beta); break;
                case UnaryOp.Sign: Un<Sign>(x, y, alpha, beta); break;
                case UnaryOp.PowScalar: Un<PowScalar>(x, y, alpha, beta); break;
                case UnaryOp.Clamp: Un<Clamp>(x, y, alpha, beta); break;
                case UnaryOp.Square: Un<Square>(x, y, alpha, beta); break;
                case UnaryOp.Reciprocal: Un<Reciprocal>(x, y, alpha, beta); break;
                case UnaryOp.Affine: Un<Affine>(x, y, alpha, beta); break;
                default: throw new NotSupportedException($"ILGPU backend: unary op {op}");
            }
        }
    }

    private void Un<TOp>(Tensor x, Tensor y, double alpha, double beta) where TOp : struct, IUnaryOp<float>, IUnaryOp<double>
    {
        if (IsDense(x, y))
        {
            if (y.DType == DType.Float32) Ops.Unary<float, TOp>(Dense<float>(x), Dense<float>(y), (float)alpha, (float)beta);
            else Ops.Unary<double, TOp>(Dense<double>(x), Dense<double>(y), alpha, beta);
            return;
        }
        var (shape, s) = Layout("Unary", y, x);
        if (y.DType == DType.Float32) Ops.UnaryStrided<float, TOp>(Buf<float>(x), Dense<float>(y), shape, s[0], (float)alpha, (float)beta);
        else Ops.UnaryStrided<double, TOp>(Buf<double>(x), Dense<double>(y), shape, s[0], alpha, beta);
    }

    /// <summary>Launches the generic kernel of the function behind an op code.</summary>
    private readonly struct ApplyVisitor(IlgpuBackend backend, Tensor x, Tensor y) : IUnaryFunctionVisitor
    {
        public void Visit<F>() where F : struct, IUnaryFunction => backend.Un<UnaryOf<F>>(x, y, 0, 0);
    }

    /// <inheritdoc/>
    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor g, Tensor r)
    {
        if (r.NumElements == 0) return;
        lock (gate)
        {
            var v = new GradVisitor(this, x, y, g, r);
            if (!UnaryFunctions.Dispatch(op, ref v)) throw new NotSupportedException($"ILGPU backend: {op} has no derivative definition");
        }
    }

    /// <summary>Launches the generic g·F′(x) kernel of the function behind an op code.</summary>
    private readonly struct GradVisitor(IlgpuBackend backend, Tensor x, Tensor y, Tensor g, Tensor r) : IUnaryFunctionVisitor
    {
        public void Visit<F>() where F : struct, IUnaryFunction
        {
            if (r.DType == DType.Float32) backend.Ops.UnaryGrad<float, GradOf<F>>(Dense<float>(x), Dense<float>(y), Dense<float>(g), Dense<float>(r));
            else backend.Ops.UnaryGrad<double, GradOf<F>>(Dense<double>(x), Dense<double>(y), Dense<double>(g), Dense<double>(r));
        }
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (y.NumElements == 0) return;
        lock (gate)
        {
            switch (op)
            {
                case BinaryOp.Add: Bin<Add>(a, b, y); break;
                case BinaryOp.Sub: Bin<Sub>(a, b, y); break;
                case BinaryOp.Mul: Bin<Mul>(a, b, y); break;
                case BinaryOp.Div: Bin<Div>(a, b, y); break;
                case BinaryOp.Pow: Bin<Pow>(a, b, y); break;
                case BinaryOp.Maximum: Bin<Max>(a, b, y); break;
                case BinaryOp.Minimum: Bin<Min>(a, b, y); break;
                case BinaryOp.Eq: Bin<Equal>(a, b, y); break;
                case BinaryOp.Ne: Bin<NotEqual>(a, b, y); break;
                case BinaryOp.Lt: Bin<Less>(a, b, y); break;
                case BinaryOp.Le: Bin<LessEqual>(a, b, y); break;
                case BinaryOp.Gt: Bin<Greater>(a, b, y); break;
                case BinaryOp.Ge: Bin<GreaterEqual>(a, b, y); break;
                default: throw new NotSupportedException($"ILGPU backend: binary op {op}");
            }
        }
    }

    private void Bin<TOp>(Tensor a, Tensor b, Tensor y) where TOp : struct, IBinaryOp<float>, IBinaryOp<double>
    {
        if (IsDense(a, y) && IsDense(b, y))
        {
            if (y.DType == DType.Float32) Ops.Binary<float, TOp>(Dense<float>(a), Dense<float>(b), Dense<float>(y));
            else Ops.Binary<double, TOp>(Dense<double>(a), Dense<double>(b), Dense<double>(y));
            return;
        }
        var (shape, s) = Layout("Binary", y, a, b, y);
        if (y.DType == DType.Float32) Ops.BinaryStrided<float, TOp>(Buf<float>(a), Buf<float>(b), Dense<float>(y), shape, s[0], s[1]);
        else Ops.BinaryStrided<double, TOp>(Buf<double>(a), Buf<double>(b), Dense<double>(y), shape, s[0], s[1]);
    }

    /// <inheritdoc/>
    public void Where(Tensor cond, Tensor a, Tensor b, Tensor y)
    {
        if (y.NumElements == 0) return;
        lock (gate)
        {
            if (IsDense(cond, y) && IsDense(a, y) && IsDense(b, y))
            {
                if (y.DType == DType.Float32) Ops.Where(Dense<float>(cond), Dense<float>(a), Dense<float>(b), Dense<float>(y));
                else Ops.Where(Dense<double>(cond), Dense<double>(a), Dense<double>(b), Dense<double>(y));
                return;
            }
            var (shape, s) = Layout("Where", y, cond, a, b, y);
            if (y.DType == DType.Float32) Ops.WhereStrided(Buf<float>(cond), Buf<float>(a), Buf<float>(b), Dense<float>(y), shape, s[0], s[1], s[2]);
            else Ops.WhereStrided(Buf<double>(cond), Buf<double>(a), Buf<double>(b), Dense<double>(y), shape, s[0], s[1], s[2]);
        }
    }

    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, int outer, int n, int inner, Tensor y)
    {
        if ((long)outer * inner == 0) return;
        lock (gate)
        {
            if (n == 0)
            {
                // The CPU backend's convention: an empty reduction yields zeros.
                if (y.DType == DType.Float32) Ops.Fill(Dense<float>(y), 0f);
                else Ops.Fill(Dense<double>(y), 0.0);
                return;
            }
            switch (op)
            {
                case ReduceOp.Sum: Red<SumReduce>(x, outer, n, inner, y); break;
                case ReduceOp.Max: Red<MaxReduce>(x, outer, n, inner, y); break;
                case ReduceOp.Min: Red<MinReduce>(x, outer, n, inner, y); break;
                default: throw new NotSupportedException($"ILGPU backend: reduction {op}");
            }
        }
    }

    private void Red<TRed>(Tensor x, int outer, int n, int inner, Tensor y) where TRed : struct, IReduceOp<float>, IReduceOp<double>
    {
        if (y.DType == DType.Float32)
        {
            if (outer == 1 && inner == 1) Ops.ReduceAll<float, Identity, TRed>(Dense<float>(x), Dense<float>(y));
            else Ops.ReduceAxis<float, Identity, TRed>(Dense<float>(x), Dense<float>(y), outer, n, inner);
        }
        else
        {
            if (outer == 1 && inner == 1) Ops.ReduceAll<double, Identity, TRed>(Dense<double>(x), Dense<double>(y));
            else Ops.ReduceAxis<double, Identity, TRed>(Dense<double>(x), Dense<double>(y), outer, n, inner);
        }
    }

    /// <inheritdoc/>
    public void MatMul(Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        int batch = a.Shape[0], m = a.Shape[1], k = a.Shape[2], n = b.Shape[2];
        if ((long)batch * m * n == 0) return;
        var sa = a.Strides;
        var sb = b.Strides;
        var args = new GemmArgs(m, n, k, batch,
            I(sa[0]), I(sa[1]), I(sa[2]), I(a.Offset),
            I(sb[0]), I(sb[1]), I(sb[2]), I(b.Offset),
            checked(m * n), n, 1, I(c.Offset));
        lock (gate)
        {
            if (k == 0 && !accumulate)
            {
                // An empty inner dimension gives zeros (the kernel handles it too; this skips the launch).
                if (c.DType == DType.Float32) Ops.Fill(Dense<float>(c), 0f);
                else Ops.Fill(Dense<double>(c), 0.0);
                return;
            }
            if (c.DType == DType.Float32) Ops.Gemm(Buf<float>(a), Buf<float>(b), Buf<float>(c), args, 1f, accumulate ? 1f : 0f);
            else Ops.Gemm(Buf<double>(a), Buf<double>(b), Buf<double>(c), args, 1.0, accumulate ? 1.0 : 0.0);
        }

        static int I(long v) => checked((int)v);
    }
}
