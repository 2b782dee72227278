using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SciKernels.Functions;

/// <summary>
/// The CPU loops every <see cref="IUnaryFunction"/> gets: its own vectorised path when it has one,
/// else a loop over the scalar form. Specialised per function by the JIT (F is a struct).
/// </summary>
public static class UnaryLoops
{
    /// <summary>y = F(x) over contiguous spans (they may alias).</summary>
    public static void Apply<F, T>(ReadOnlySpan<T> x, Span<T> y)
        where F : struct, IUnaryFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (F.TryApply(x, y)) return;
        if (typeof(T) == typeof(float))
        {
            var xs = MemoryMarshal.Cast<T, float>(x);
            var ys = MemoryMarshal.Cast<T, float>(y);
            for (int i = 0; i < xs.Length; i++) ys[i] = F.Value(xs[i]);
        }
        else
        {
            var xs = MemoryMarshal.Cast<T, double>(x);
            var ys = MemoryMarshal.Cast<T, double>(y);
            for (int i = 0; i < xs.Length; i++) ys[i] = F.Value(xs[i]);
        }
    }

    /// <summary>d = F′(x) given y = F(x), over contiguous spans.</summary>
    public static void D1<F, T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
        where F : struct, IUnaryFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (F.TryD1(x, y, d)) return;
        for (int i = 0; i < d.Length; i++) d[i] = D1<F, T>(x[i], y[i]);
    }

    /// <summary>
    /// r = g·F′(x) in one pass over contiguous spans of equal length (r may alias g): the function's
    /// fused path, else its SIMD <c>D1</c>, else its span <c>D1</c> over L1-sized blocks and a product.
    /// </summary>
    public static void Backward<F, T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> r)
        where F : struct, IUnaryFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (F.TryBackward(x, y, g, r)) return;
        if (F.HasVectorD1 && Vector256.IsHardwareAccelerated)
        {
            BackwardSimd<F, T>(x, y, g, r);
            return;
        }
        const int block = 1024;
        Span<T> d = stackalloc T[block];
        for (int s = 0; s < r.Length; s += block)
        {
            int n = Math.Min(block, r.Length - s);
            D1<F, T>(x.Slice(s, n), y.Slice(s, n), d[..n]);
            TensorPrimitives.Multiply(g.Slice(s, n), d[..n], r.Slice(s, n));
        }
    }

    /// <summary>
    /// r = a·b·F″(x) given y = F(x), in one pass over contiguous spans of equal length (r may alias an
    /// input): the second-order autodiff rule of F, from its scalar form <c>D2</c>.
    /// </summary>
    public static void SecondDerivative<F, T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> r)
        where F : struct, IUnaryFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = r.Length;
        if (x.Length != n || y.Length != n || a.Length != n || b.Length != n) throw new ArgumentException("SecondDerivative: spans of different lengths");
        for (int i = 0; i < n; i++) r[i] = a[i] * b[i] * F.D2(x[i], y[i]);
    }

    /// <summary>
    /// r = a·b·c·F‴(x) given y = F(x), in one pass over contiguous spans of equal length (r may alias
    /// an input): the third-order autodiff rule of F, from its scalar form <c>D3</c>.
    /// </summary>
    public static void ThirdDerivative<F, T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> r)
        where F : struct, IUnaryFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = r.Length;
        if (x.Length != n || y.Length != n || a.Length != n || b.Length != n || c.Length != n) throw new ArgumentException("ThirdDerivative: spans of different lengths");
        for (int i = 0; i < n; i++) r[i] = a[i] * b[i] * c[i] * F.D3(x[i], y[i]);
    }

    /// <summary>F′(x) for one element of either precision (the scalar form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T D1<F, T>(T x, T y) where F : struct, IUnaryFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) { float r = F.D1(Unsafe.As<T, float>(ref x), Unsafe.As<T, float>(ref y)); return Unsafe.As<float, T>(ref r); }
        double d = F.D1(Unsafe.As<T, double>(ref x), Unsafe.As<T, double>(ref y));
        return Unsafe.As<double, T>(ref d);
    }

    /// <summary>F(x) for one element of either precision (the scalar form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Value<F, T>(T x) where F : struct, IUnaryFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) { float r = F.Value(Unsafe.As<T, float>(ref x)); return Unsafe.As<float, T>(ref r); }
        double d = F.Value(Unsafe.As<T, double>(ref x));
        return Unsafe.As<double, T>(ref d);
    }

    /// <summary>r = g·F′(x) with the function's SIMD form: 512-bit vectors on AVX-512 hardware, else 256-bit; the scalar form on the tail.</summary>
    private static void BackwardSimd<F, T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> r)
        where F : struct, IUnaryFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = r.Length;
        if (x.Length != n || y.Length != n || g.Length != n) throw new ArgumentException("Backward: spans of different lengths");
        ref T xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y), gr = ref MemoryMarshal.GetReference(g), rr = ref MemoryMarshal.GetReference(r);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (int w = Vector512<T>.Count; i <= n - w; i += w)
                (Vector512.LoadUnsafe(ref gr, (nuint)i) * F.D1(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i))).StoreUnsafe(ref rr, (nuint)i);
        }
        for (int w = Vector256<T>.Count; i <= n - w; i += w)
            (Vector256.LoadUnsafe(ref gr, (nuint)i) * F.D1(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i))).StoreUnsafe(ref rr, (nuint)i);
        for (; i < n; i++) r[i] = g[i] * D1<F, T>(x[i], y[i]);
    }
}
