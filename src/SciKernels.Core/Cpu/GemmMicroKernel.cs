using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SciKernels.Cpu;

// Register-blocked microkernels for Gemm. Each computes an MR x NR tile of C from a packed A
// micro-panel (kc steps of MR contiguous values) and a packed B micro-panel (kc steps of NR
// contiguous values), NR = NV vectors. Accumulators are named locals (not arrays) so RyuJIT keeps
// them all in registers; the shapes were chosen so accumulators + B vectors + one broadcast fit
// the register file (32 zmm with AVX-512, 16 xmm/ymm otherwise), checked with DOTNET_JitDisasm.
// Every C element is summed in increasing k order with one fused multiply-add per step.
internal static unsafe partial class Gemm
{
    /// <summary>acc + x * y, fused when the hardware has FMA (always on AVX-512 / AVX2 / Arm64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Vector512.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector512.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    /// <summary>acc + x * y, fused when the hardware has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Vector256.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector256.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    /// <summary>acc + x * y, fused when the hardware has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Fma<T>(Vector128<T> x, Vector128<T> y, Vector128<T> acc) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Vector128.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector128.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    /// <summary>14x2 Vector512 tile: 28 accumulators, 2 B loads and 14 A broadcasts per k step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Vector512K14x2<T>(long kc, T* a, T* b, T* c, long ldc, bool accumulate) where T : unmanaged
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default; Vector512<T> c01 = default;
        Vector512<T> c10 = default; Vector512<T> c11 = default;
        Vector512<T> c20 = default; Vector512<T> c21 = default;
        Vector512<T> c30 = default; Vector512<T> c31 = default;
        Vector512<T> c40 = default; Vector512<T> c41 = default;
        Vector512<T> c50 = default; Vector512<T> c51 = default;
        Vector512<T> c60 = default; Vector512<T> c61 = default;
        Vector512<T> c70 = default; Vector512<T> c71 = default;
        Vector512<T> c80 = default; Vector512<T> c81 = default;
        Vector512<T> c90 = default; Vector512<T> c91 = default;
        Vector512<T> c100 = default; Vector512<T> c101 = default;
        Vector512<T> c110 = default; Vector512<T> c111 = default;
        Vector512<T> c120 = default; Vector512<T> c121 = default;
        Vector512<T> c130 = default; Vector512<T> c131 = default;
        for (long p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + w);
            Vector512<T> a0 = Vector512.Create(a[0]);
            c00 = Fma(a0, b0, c00); c01 = Fma(a0, b1, c01);
            Vector512<T> a1 = Vector512.Create(a[1]);
            c10 = Fma(a1, b0, c10); c11 = Fma(a1, b1, c11);
            Vector512<T> a2 = Vector512.Create(a[2]);
            c20 = Fma(a2, b0, c20); c21 = Fma(a2, b1, c21);
            Vector512<T> a3 = Vector512.Create(a[3]);
            c30 = Fma(a3, b0, c30); c31 = Fma(a3, b1, c31);
            Vector512<T> a4 = Vector512.Create(a[4]);
            c40 = Fma(a4, b0, c40); c41 = Fma(a4, b1, c41);
            Vector512<T> a5 = Vector512.Create(a[5]);
            c50 = Fma(a5, b0, c50); c51 = Fma(a5, b1, c51);
            Vector512<T> a6 = Vector512.Create(a[6]);
            c60 = Fma(a6, b0, c60); c61 = Fma(a6, b1, c61);
            Vector512<T> a7 = Vector512.Create(a[7]);
            c70 = Fma(a7, b0, c70); c71 = Fma(a7, b1, c71);
            Vector512<T> a8 = Vector512.Create(a[8]);
            c80 = Fma(a8, b0, c80); c81 = Fma(a8, b1, c81);
            Vector512<T> a9 = Vector512.Create(a[9]);
            c90 = Fma(a9, b0, c90); c91 = Fma(a9, b1, c91);
            Vector512<T> a10 = Vector512.Create(a[10]);
            c100 = Fma(a10, b0, c100); c101 = Fma(a10, b1, c101);
            Vector512<T> a11 = Vector512.Create(a[11]);
            c110 = Fma(a11, b0, c110); c111 = Fma(a11, b1, c111);
            Vector512<T> a12 = Vector512.Create(a[12]);
            c120 = Fma(a12, b0, c120); c121 = Fma(a12, b1, c121);
            Vector512<T> a13 = Vector512.Create(a[13]);
            c130 = Fma(a13, b0, c130); c131 = Fma(a13, b1, c131);
            a += 14;
            b += 2 * w;
        }
        if (accumulate)
        {
            Vector512.Store(Vector512.Load(c) + c00, c);
            Vector512.Store(Vector512.Load(c + w) + c01, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c10, c);
            Vector512.Store(Vector512.Load(c + w) + c11, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c20, c);
            Vector512.Store(Vector512.Load(c + w) + c21, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c30, c);
            Vector512.Store(Vector512.Load(c + w) + c31, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c40, c);
            Vector512.Store(Vector512.Load(c + w) + c41, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c50, c);
            Vector512.Store(Vector512.Load(c + w) + c51, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c60, c);
            Vector512.Store(Vector512.Load(c + w) + c61, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c70, c);
            Vector512.Store(Vector512.Load(c + w) + c71, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c80, c);
            Vector512.Store(Vector512.Load(c + w) + c81, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c90, c);
            Vector512.Store(Vector512.Load(c + w) + c91, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c100, c);
            Vector512.Store(Vector512.Load(c + w) + c101, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c110, c);
            Vector512.Store(Vector512.Load(c + w) + c111, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c120, c);
            Vector512.Store(Vector512.Load(c + w) + c121, c + w);
            c += ldc;
            Vector512.Store(Vector512.Load(c) + c130, c);
            Vector512.Store(Vector512.Load(c + w) + c131, c + w);
        }
        else
        {
            Vector512.Store(c00, c); Vector512.Store(c01, c + w);
            c += ldc;
            Vector512.Store(c10, c); Vector512.Store(c11, c + w);
            c += ldc;
            Vector512.Store(c20, c); Vector512.Store(c21, c + w);
            c += ldc;
            Vector512.Store(c30, c); Vector512.Store(c31, c + w);
            c += ldc;
            Vector512.Store(c40, c); Vector512.Store(c41, c + w);
            c += ldc;
            Vector512.Store(c50, c); Vector512.Store(c51, c + w);
            c += ldc;
            Vector512.Store(c60, c); Vector512.Store(c61, c + w);
            c += ldc;
            Vector512.Store(c70, c); Vector512.Store(c71, c + w);
            c += ldc;
            Vector512.Store(c80, c); Vector512.Store(c81, c + w);
            c += ldc;
            Vector512.Store(c90, c); Vector512.Store(c91, c + w);
            c += ldc;
            Vector512.Store(c100, c); Vector512.Store(c101, c + w);
            c += ldc;
            Vector512.Store(c110, c); Vector512.Store(c111, c + w);
            c += ldc;
            Vector512.Store(c120, c); Vector512.Store(c121, c + w);
            c += ldc;
            Vector512.Store(c130, c); Vector512.Store(c131, c + w);
        }
    }

    /// <summary>6x2 Vector256 tile: 12 accumulators, 2 B loads and 6 A broadcasts per k step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Vector256K6x2<T>(long kc, T* a, T* b, T* c, long ldc, bool accumulate) where T : unmanaged
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default; Vector256<T> c01 = default;
        Vector256<T> c10 = default; Vector256<T> c11 = default;
        Vector256<T> c20 = default; Vector256<T> c21 = default;
        Vector256<T> c30 = default; Vector256<T> c31 = default;
        Vector256<T> c40 = default; Vector256<T> c41 = default;
        Vector256<T> c50 = default; Vector256<T> c51 = default;
        for (long p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = Vector256.Load(b + w);
            Vector256<T> a0 = Vector256.Create(a[0]);
            c00 = Fma(a0, b0, c00); c01 = Fma(a0, b1, c01);
            Vector256<T> a1 = Vector256.Create(a[1]);
            c10 = Fma(a1, b0, c10); c11 = Fma(a1, b1, c11);
            Vector256<T> a2 = Vector256.Create(a[2]);
            c20 = Fma(a2, b0, c20); c21 = Fma(a2, b1, c21);
            Vector256<T> a3 = Vector256.Create(a[3]);
            c30 = Fma(a3, b0, c30); c31 = Fma(a3, b1, c31);
            Vector256<T> a4 = Vector256.Create(a[4]);
            c40 = Fma(a4, b0, c40); c41 = Fma(a4, b1, c41);
            Vector256<T> a5 = Vector256.Create(a[5]);
            c50 = Fma(a5, b0, c50); c51 = Fma(a5, b1, c51);
            a += 6;
            b += 2 * w;
        }
        if (accumulate)
        {
            Vector256.Store(Vector256.Load(c) + c00, c);
            Vector256.Store(Vector256.Load(c + w) + c01, c + w);
            c += ldc;
            Vector256.Store(Vector256.Load(c) + c10, c);
            Vector256.Store(Vector256.Load(c + w) + c11, c + w);
            c += ldc;
            Vector256.Store(Vector256.Load(c) + c20, c);
            Vector256.Store(Vector256.Load(c + w) + c21, c + w);
            c += ldc;
            Vector256.Store(Vector256.Load(c) + c30, c);
            Vector256.Store(Vector256.Load(c + w) + c31, c + w);
            c += ldc;
            Vector256.Store(Vector256.Load(c) + c40, c);
            Vector256.Store(Vector256.Load(c + w) + c41, c + w);
            c += ldc;
            Vector256.Store(Vector256.Load(c) + c50, c);
            Vector256.Store(Vector256.Load(c + w) + c51, c + w);
        }
        else
        {
            Vector256.Store(c00, c); Vector256.Store(c01, c + w);
            c += ldc;
            Vector256.Store(c10, c); Vector256.Store(c11, c + w);
            c += ldc;
            Vector256.Store(c20, c); Vector256.Store(c21, c + w);
            c += ldc;
            Vector256.Store(c30, c); Vector256.Store(c31, c + w);
            c += ldc;
            Vector256.Store(c40, c); Vector256.Store(c41, c + w);
            c += ldc;
            Vector256.Store(c50, c); Vector256.Store(c51, c + w);
        }
    }

    /// <summary>6x2 Vector128 tile: 12 accumulators, 2 B loads and 6 A broadcasts per k step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Vector128K6x2<T>(long kc, T* a, T* b, T* c, long ldc, bool accumulate) where T : unmanaged
    {
        int w = Vector128<T>.Count;
        Vector128<T> c00 = default; Vector128<T> c01 = default;
        Vector128<T> c10 = default; Vector128<T> c11 = default;
        Vector128<T> c20 = default; Vector128<T> c21 = default;
        Vector128<T> c30 = default; Vector128<T> c31 = default;
        Vector128<T> c40 = default; Vector128<T> c41 = default;
        Vector128<T> c50 = default; Vector128<T> c51 = default;
        for (long p = 0; p < kc; p++)
        {
            Vector128<T> b0 = Vector128.Load(b);
            Vector128<T> b1 = Vector128.Load(b + w);
            Vector128<T> a0 = Vector128.Create(a[0]);
            c00 = Fma(a0, b0, c00); c01 = Fma(a0, b1, c01);
            Vector128<T> a1 = Vector128.Create(a[1]);
            c10 = Fma(a1, b0, c10); c11 = Fma(a1, b1, c11);
            Vector128<T> a2 = Vector128.Create(a[2]);
            c20 = Fma(a2, b0, c20); c21 = Fma(a2, b1, c21);
            Vector128<T> a3 = Vector128.Create(a[3]);
            c30 = Fma(a3, b0, c30); c31 = Fma(a3, b1, c31);
            Vector128<T> a4 = Vector128.Create(a[4]);
            c40 = Fma(a4, b0, c40); c41 = Fma(a4, b1, c41);
            Vector128<T> a5 = Vector128.Create(a[5]);
            c50 = Fma(a5, b0, c50); c51 = Fma(a5, b1, c51);
            a += 6;
            b += 2 * w;
        }
        if (accumulate)
        {
            Vector128.Store(Vector128.Load(c) + c00, c);
            Vector128.Store(Vector128.Load(c + w) + c01, c + w);
            c += ldc;
            Vector128.Store(Vector128.Load(c) + c10, c);
            Vector128.Store(Vector128.Load(c + w) + c11, c + w);
            c += ldc;
            Vector128.Store(Vector128.Load(c) + c20, c);
            Vector128.Store(Vector128.Load(c + w) + c21, c + w);
            c += ldc;
            Vector128.Store(Vector128.Load(c) + c30, c);
            Vector128.Store(Vector128.Load(c + w) + c31, c + w);
            c += ldc;
            Vector128.Store(Vector128.Load(c) + c40, c);
            Vector128.Store(Vector128.Load(c + w) + c41, c + w);
            c += ldc;
            Vector128.Store(Vector128.Load(c) + c50, c);
            Vector128.Store(Vector128.Load(c + w) + c51, c + w);
        }
        else
        {
            Vector128.Store(c00, c); Vector128.Store(c01, c + w);
            c += ldc;
            Vector128.Store(c10, c); Vector128.Store(c11, c + w);
            c += ldc;
            Vector128.Store(c20, c); Vector128.Store(c21, c + w);
            c += ldc;
            Vector128.Store(c30, c); Vector128.Store(c31, c + w);
            c += ldc;
            Vector128.Store(c40, c); Vector128.Store(c41, c + w);
            c += ldc;
            Vector128.Store(c50, c); Vector128.Store(c51, c + w);
        }
    }
}
