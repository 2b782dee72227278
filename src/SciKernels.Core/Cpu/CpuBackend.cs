using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using SciKernels.Backends;
using SciKernels.Storage;

namespace SciKernels.Cpu;

/// <summary>
/// The managed CPU backend: SIMD (Vector512/Vector256, TensorPrimitives) and threads. It is the
/// embedded default and the specification every device backend is tested against.
/// </summary>
public sealed unsafe partial class CpuBackend : IBackend, IHostMemory
{
    /// <summary>Creates a backend with its own buffer pool and settings.</summary>
    /// <param name="options">Settings (the defaults when null).</param>
    /// <remarks>
    /// <see cref="Device.Cpu"/> runs on <see cref="Instance"/>; another instance serves code that calls
    /// a backend directly and wants its own pool and limits (tests, an embedding host).
    /// </remarks>
    public CpuBackend(CpuBackendOptions? options = null)
    {
        Options = options ?? new CpuBackendOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.MaxThreads);
        Pool = new CpuBufferPool(Options.MaxCachedBytes);
    }

    /// <summary>The backend of <see cref="Device.Cpu"/>, with default options.</summary>
    public static CpuBackend Instance { get; } = new();

    /// <summary>The settings this backend was created with.</summary>
    public CpuBackendOptions Options { get; }

    /// <summary>This backend's buffer pool (its counters show the memory its tensors hold).</summary>
    public CpuBufferPool Pool { get; }

    /// <inheritdoc/>
    public Device Device => Device.Cpu;

    /// <inheritdoc/>
    public TensorStorage Allocate(DType dtype, long length) => new CpuStorage(Pool, dtype, length);

    /// <inheritdoc/>
    public nint Address(TensorStorage storage) => ((CpuStorage)storage).Pointer;

    internal static byte* Ptr(Tensor t) => (byte*)((CpuStorage)t.Storage).Pointer + t.Offset * t.DType.ElementSize();

    internal static T* Ptr<T>(Tensor t) where T : unmanaged => (T*)((CpuStorage)t.Storage).Pointer + t.Offset;

    /// <inheritdoc/>
    public void CopyFromHost(ReadOnlySpan<byte> src, TensorStorage dst, long dstByteOffset)
    {
        var p = (byte*)((CpuStorage)dst).Pointer + dstByteOffset;
        src.CopyTo(new Span<byte>(p, src.Length));
        GC.KeepAlive(dst);
    }

    /// <inheritdoc/>
    public void CopyToHost(TensorStorage src, long srcByteOffset, Span<byte> dst)
    {
        var p = (byte*)((CpuStorage)src).Pointer + srcByteOffset;
        new ReadOnlySpan<byte>(p, dst.Length).CopyTo(dst);
        GC.KeepAlive(src);
    }

    /// <inheritdoc/>
    public void Synchronize() { }

    /// <inheritdoc/>
    public void Fill(Tensor dst, double value)
    {
        long n = dst.NumElements;
        switch (dst.DType)
        {
            case DType.Float32: FillT(Ptr<float>(dst), n, (float)value); break;
            case DType.Float64: FillT(Ptr<double>(dst), n, value); break;
            case DType.Int32: FillT(Ptr<int>(dst), n, (int)value); break;
            case DType.Int64: FillT(Ptr<long>(dst), n, (long)value); break;
            default: throw new TensorException("Fill", $"cannot fill {dst.DType.Name()} tensors with a real value");
        }
        GC.KeepAlive(dst);
    }

    private static void FillT<T>(T* p, long n, T v) where T : unmanaged
        => CpuParallel.For(n, CpuParallel.ElementGrain * 4, (s, len) => new Span<T>(p + s, (int)len).Fill(v));

    /// <inheritdoc/>
    public void Copy(Tensor src, Tensor dst)
    {
        int es = src.DType.ElementSize();
        var layout = StridedLayout.Coalesce(dst.Shape, src.StrideArray, dst.StrideArray);
        byte* s = Ptr(src), d = Ptr(dst);
        long rows = layout.Rows;
        int len = layout.RowLength;
        long ss = layout.Strides[0][^1], ds = layout.Strides[1][^1];
        long total = rows * len;
        if (total == 0) return;
        long rowGrain = Math.Max(1, CpuParallel.ElementGrain / Math.Max(len, 1));
        CpuParallel.For(rows, rowGrain, (r0, rn) =>
        {
            for (long r = r0; r < r0 + rn; r++)
            {
                byte* sp = s + layout.RowOffset(0, r) * es;
                byte* dp = d + layout.RowOffset(1, r) * es;
                if (ss == 1 && ds == 1) Buffer.MemoryCopy(sp, dp, (long)len * es, (long)len * es);
                else if (es == 4) CopyStrided((int*)sp, ss, (int*)dp, ds, len);
                else if (es == 8) CopyStrided((long*)sp, ss, (long*)dp, ds, len);
                else CopyStrided((Int128*)sp, ss, (Int128*)dp, ds, len);
            }
        });
        GC.KeepAlive(src);
        GC.KeepAlive(dst);
    }

    private static void CopyStrided<T>(T* s, long ss, T* d, long ds, int n) where T : unmanaged
    {
        for (int i = 0; i < n; i++) d[i * ds] = s[i * ss];
    }

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta)
    {
        // A strided input is first copied into y; every op below may run in place.
        if (!x.IsContiguous)
        {
            Copy(x, y);
            x = y;
        }
        if (x.DType == DType.Float32) UnaryT(op, Ptr<float>(x), Ptr<float>(y), y.NumElements, (float)alpha, (float)beta);
        else UnaryT(op, Ptr<double>(x), Ptr<double>(y), y.NumElements, alpha, beta);
        GC.KeepAlive(x);
        GC.KeepAlive(y);
    }

    private static void UnaryT<T>(UnaryOp op, T* x, T* y, long n, T alpha, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var fn = new ApplyVisitor<T> { X = x, Y = y, N = n };
        if (Functions.UnaryFunctions.Dispatch(op, ref fn)) return;
        CpuParallel.For(n, CpuParallel.ElementGrain, (s, len) =>
        {
            var xs = new ReadOnlySpan<T>(x + s, (int)len);
            var ys = new Span<T>(y + s, (int)len);
            switch (op)
            {
                case UnaryOp.Neg: TensorPrimitives.Negate(xs, ys); break;
                case UnaryOp.Abs: TensorPrimitives.Abs(xs, ys); break;
                case UnaryOp.Sign: VecLoop.Unary<T, SignFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.PowScalar: TensorPrimitives.Pow(xs, alpha, ys); break;
                case UnaryOp.Clamp: VecLoop.Unary<T, ClampFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.Square: VecLoop.Unary<T, SquareFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.Reciprocal: TensorPrimitives.Divide(T.One, xs, ys); break;
                case UnaryOp.Affine: VecLoop.Unary<T, AffineFn<T>>(x + s, y + s, len, alpha, beta); break;
                default: throw new NotSupportedException($"CPU backend: unary op {op}");
            }
        });
    }

    /// <summary>y = F(x) in parallel chunks, for the function behind an op code.</summary>
    private struct ApplyVisitor<T> : Functions.IUnaryFunctionVisitor where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X, Y;
        public long N;

        public readonly void Visit<F>() where F : struct, Functions.IUnaryFunction
        {
            T* x = X, y = Y;
            CpuParallel.For(N, CpuParallel.ElementGrain, (s, len) =>
                Functions.UnaryLoops.Apply<F, T>(new ReadOnlySpan<T>(x + s, (int)len), new Span<T>(y + s, (int)len)));
        }
    }

    /// <inheritdoc/>
    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor g, Tensor r)
    {
        bool ok = r.DType == DType.Float32
            ? UnaryBackwardT(op, Ptr<float>(x), Ptr<float>(y), Ptr<float>(g), Ptr<float>(r), r.NumElements)
            : UnaryBackwardT(op, Ptr<double>(x), Ptr<double>(y), Ptr<double>(g), Ptr<double>(r), r.NumElements);
        GC.KeepAlive(x);
        GC.KeepAlive(y);
        GC.KeepAlive(g);
        GC.KeepAlive(r);
        if (!ok) throw new NotSupportedException($"CPU backend: {op} has no derivative definition");
    }

    private static bool UnaryBackwardT<T>(UnaryOp op, T* x, T* y, T* g, T* r, long n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = new BackwardVisitor<T> { X = x, Y = y, G = g, R = r, N = n };
        return Functions.UnaryFunctions.Dispatch(op, ref v);
    }

    /// <summary>r = g·F′(x) in parallel chunks.</summary>
    private struct BackwardVisitor<T> : Functions.IUnaryFunctionVisitor where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* X, Y, G, R;
        public long N;

        public readonly void Visit<F>() where F : struct, Functions.IUnaryFunction
        {
            T* x = X, y = Y, g = G, r = R;
            CpuParallel.For(N, CpuParallel.ElementGrain, (s, len) =>
            {
                int n = (int)len;
                Functions.UnaryLoops.Backward<F, T>(new ReadOnlySpan<T>(x + s, n), new ReadOnlySpan<T>(y + s, n), new ReadOnlySpan<T>(g + s, n), new Span<T>(r + s, n));
            });
        }
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (y.DType == DType.Float32) BinaryT<float>(op, a, b, y);
        else BinaryT<double>(op, a, b, y);
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        GC.KeepAlive(y);
    }

    private static void BinaryT<T>(BinaryOp op, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: Broadcast<T, AddFn<T>>(a, b, y); break;
            case BinaryOp.Sub: Broadcast<T, SubFn<T>>(a, b, y); break;
            case BinaryOp.Mul: Broadcast<T, MulFn<T>>(a, b, y); break;
            case BinaryOp.Div: Broadcast<T, DivFn<T>>(a, b, y); break;
            case BinaryOp.Maximum: Broadcast<T, MaxFn<T>>(a, b, y); break;
            case BinaryOp.Minimum: Broadcast<T, MinFn<T>>(a, b, y); break;
            case BinaryOp.Eq: Broadcast<T, EqFn<T>>(a, b, y); break;
            case BinaryOp.Ne: Broadcast<T, NeFn<T>>(a, b, y); break;
            case BinaryOp.Lt: Broadcast<T, LtFn<T>>(a, b, y); break;
            case BinaryOp.Le: Broadcast<T, LeFn<T>>(a, b, y); break;
            case BinaryOp.Gt: Broadcast<T, GtFn<T>>(a, b, y); break;
            case BinaryOp.Ge: Broadcast<T, GeFn<T>>(a, b, y); break;
            case BinaryOp.Pow: PowBroadcast<T>(a, b, y); break;
            default: throw new NotSupportedException($"CPU backend: binary op {op}");
        }
    }

    /// <summary>
    /// Broadcast binary loop: rows of the coalesced layout run through the SIMD loop when each
    /// operand's row is contiguous or a broadcast scalar, through a strided scalar loop otherwise.
    /// </summary>
    private static void Broadcast<T, TF>(Tensor a, Tensor b, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T> where TF : IBinaryFn<T>
    {
        var layout = StridedLayout.Coalesce(y.Shape, a.StrideArray, b.StrideArray, y.StrideArray);
        T* pa = Ptr<T>(a), pb = Ptr<T>(b), py = Ptr<T>(y);
        long rows = layout.Rows;
        int len = layout.RowLength;
        long sa = layout.Strides[0][^1], sb = layout.Strides[1][^1];
        if (rows * len == 0) return;
        bool simd = (sa is 0 or 1) && (sb is 0 or 1);
        if (rows == 1 && simd)
        {
            // One long row: split it into fixed chunks.
            CpuParallel.For(len, CpuParallel.ElementGrain, (s, n) =>
                VecLoop.Binary<T, TF>(pa + s * sa, (int)sa, pb + s * sb, (int)sb, py + s, n));
            return;
        }
        long rowGrain = Math.Max(1, CpuParallel.ElementGrain / len);
        CpuParallel.For(rows, rowGrain, (r0, rn) =>
        {
            for (long r = r0; r < r0 + rn; r++)
            {
                T* ra = pa + layout.RowOffset(0, r), rb = pb + layout.RowOffset(1, r), ry = py + layout.RowOffset(2, r);
                if (simd) VecLoop.Binary<T, TF>(ra, (int)sa, rb, (int)sb, ry, len);
                else for (long i = 0; i < len; i++) ry[i] = TF.Apply(ra[i * sa], rb[i * sb]);
            }
        });
    }

    private static void PowBroadcast<T>(Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = StridedLayout.Coalesce(y.Shape, a.StrideArray, b.StrideArray, y.StrideArray);
        T* pa = Ptr<T>(a), pb = Ptr<T>(b), py = Ptr<T>(y);
        long rows = layout.Rows;
        int len = layout.RowLength;
        long sa = layout.Strides[0][^1], sb = layout.Strides[1][^1];
        CpuParallel.For(rows, Math.Max(1, CpuParallel.ElementGrain / Math.Max(len, 1)), (r0, rn) =>
        {
            for (long r = r0; r < r0 + rn; r++)
            {
                T* ra = pa + layout.RowOffset(0, r), rb = pb + layout.RowOffset(1, r), ry = py + layout.RowOffset(2, r);
                if (sa == 1 && sb == 1) TensorPrimitives.Pow(new ReadOnlySpan<T>(ra, len), new ReadOnlySpan<T>(rb, len), new Span<T>(ry, len));
                else if (sa == 1 && sb == 0) TensorPrimitives.Pow(new ReadOnlySpan<T>(ra, len), *rb, new Span<T>(ry, len));
                else for (long i = 0; i < len; i++) ry[i] = T.Pow(ra[i * sa], rb[i * sb]);
            }
        });
    }

    /// <inheritdoc/>
    public void Where(Tensor cond, Tensor a, Tensor b, Tensor y)
    {
        if (y.DType == DType.Float32) WhereT<float>(cond, a, b, y);
        else WhereT<double>(cond, a, b, y);
        GC.KeepAlive(cond);
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        GC.KeepAlive(y);
    }

    private static void WhereT<T>(Tensor cond, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = StridedLayout.Coalesce(y.Shape, cond.StrideArray, a.StrideArray, b.StrideArray, y.StrideArray);
        T* pc = Ptr<T>(cond), pa = Ptr<T>(a), pb = Ptr<T>(b), py = Ptr<T>(y);
        long rows = layout.Rows;
        int len = layout.RowLength;
        long sc = layout.Strides[0][^1], sa = layout.Strides[1][^1], sb = layout.Strides[2][^1];
        CpuParallel.For(rows, Math.Max(1, CpuParallel.ElementGrain / Math.Max(len, 1)), (r0, rn) =>
        {
            for (long r = r0; r < r0 + rn; r++)
            {
                T* rc = pc + layout.RowOffset(0, r), ra = pa + layout.RowOffset(1, r), rb = pb + layout.RowOffset(2, r), ry = py + layout.RowOffset(3, r);
                for (long i = 0; i < len; i++) ry[i] = rc[i * sc] != T.Zero ? ra[i * sa] : rb[i * sb];
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckIndexValue(string op, long v, int size, int dim)
    {
        if ((ulong)v >= (ulong)size) throw new TensorException(op, $"index {v} is out of range for dimension {dim} of size {size}");
    }
}
