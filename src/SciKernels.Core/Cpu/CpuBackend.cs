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
        CpuParallel.For(n, CpuParallel.ElementGrain, (s, len) =>
        {
            var xs = new ReadOnlySpan<T>(x + s, (int)len);
            var ys = new Span<T>(y + s, (int)len);
            switch (op)
            {
                case UnaryOp.Neg: TensorPrimitives.Negate(xs, ys); break;
                case UnaryOp.Exp: TensorPrimitives.Exp(xs, ys); break;
                case UnaryOp.Log: TensorPrimitives.Log(xs, ys); break;
                case UnaryOp.Sqrt: TensorPrimitives.Sqrt(xs, ys); break;
                case UnaryOp.Abs: TensorPrimitives.Abs(xs, ys); break;
                case UnaryOp.Sin: TensorPrimitives.Sin(xs, ys); break;
                case UnaryOp.Cos: TensorPrimitives.Cos(xs, ys); break;
                case UnaryOp.Tanh: SpecialFunctions.Tanh(xs, ys); break;
                case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(xs, ys); break;
                case UnaryOp.Relu: VecLoop.Unary<T, ReluFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.Softplus: Softplus(xs, ys); break;
                case UnaryOp.Erf:
                    if (typeof(T) == typeof(float))
                        SpecialFunctions.ErfSingle(System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(xs), System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(ys));
                    else
                        for (int i = 0; i < xs.Length; i++) ys[i] = T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(xs[i])));
                    break;
                case UnaryOp.Sign: VecLoop.Unary<T, SignFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.Step: VecLoop.Unary<T, StepFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.PowScalar: TensorPrimitives.Pow(xs, alpha, ys); break;
                case UnaryOp.Clamp: VecLoop.Unary<T, ClampFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.Square: VecLoop.Unary<T, SquareFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.Reciprocal: TensorPrimitives.Divide(T.One, xs, ys); break;
                case UnaryOp.Affine: VecLoop.Unary<T, AffineFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.InRange: VecLoop.Unary<T, InRangeFn<T>>(x + s, y + s, len, alpha, beta); break;
                case UnaryOp.Gelu: SpecialFunctions.Gelu(xs, ys); break;
                default: throw new NotSupportedException($"CPU backend: unary op {op}");
            }
        });
    }

    /// <summary>ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): no overflow for large |x|.</summary>
    private static void Softplus<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int block = 1024;
        Span<T> tmp = stackalloc T[block];
        for (int s = 0; s < x.Length; s += block)
        {
            int n = Math.Min(block, x.Length - s);
            var xs = x.Slice(s, n);
            var t = tmp[..n];
            TensorPrimitives.Abs(xs, t);
            TensorPrimitives.Negate(t, t);
            TensorPrimitives.Exp(t, t);
            TensorPrimitives.LogP1(t, t);
            var ys = y.Slice(s, n);
            TensorPrimitives.Max(xs, T.Zero, ys);
            TensorPrimitives.Add(ys, t, ys);
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
            case BinaryOp.TanhGrad: Broadcast<T, TanhGradFn<T>>(a, b, y); break;
            case BinaryOp.SigmoidGrad: Broadcast<T, SigmoidGradFn<T>>(a, b, y); break;
            case BinaryOp.Pow: PowBroadcast<T>(a, b, y); break;
            case BinaryOp.GeluGrad:
            {
                // The fused loop wants dense operands of y's shape; broadcast or strided ones are copied first.
                var ad = Dense(a, y);
                var bd = Dense(b, y);
                T* pa = Ptr<T>(ad), pb = Ptr<T>(bd), py = Ptr<T>(y);
                CpuParallel.For(y.NumElements, CpuParallel.ElementGrain, (s, n) =>
                    SpecialFunctions.GeluGrad(new ReadOnlySpan<T>(pa + s, (int)n), new ReadOnlySpan<T>(pb + s, (int)n), new Span<T>(py + s, (int)n)));
                if (!ReferenceEquals(ad, a)) ad.Dispose();
                if (!ReferenceEquals(bd, b)) bd.Dispose();
                break;
            }
            default: throw new NotSupportedException($"CPU backend: binary op {op}");
        }
    }

    /// <summary>t itself when it is a dense view with <paramref name="like"/>'s element count, else a dense copy.</summary>
    private static Tensor Dense(Tensor t, Tensor like)
    {
        if (t.IsContiguous && t.NumElements == like.NumElements) return t;
        var d = Tensor.Empty(like.Shape, like.DType, Device.Cpu);
        Instance.Copy(t, d);
        return d;
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
