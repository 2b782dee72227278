using System.Numerics;
using System.Runtime.Intrinsics;
using SciKernels.Backends;
using SciKernels.Cpu;

namespace SciKernels.Functions;

/// <summary>
/// relu x = +0 where x &lt; 0, else x itself: NaN and −0 pass through as in PyTorch's eager relu
/// (clamp_min). Derivative 1 where x &gt; 0, else 0 (also at NaN); higher derivatives 0.
/// </summary>
public readonly struct Relu : IUnaryFunction
{
    /// <inheritdoc/>
    public static UnaryOp Op => UnaryOp.Relu;
    /// <inheritdoc/>
    public static float Value(float x) => x < 0f ? 0f : x;
    /// <inheritdoc/>
    public static double Value(double x) => x < 0.0 ? 0.0 : x;
    /// <inheritdoc/>
    public static float D1(float x, float y) => x > 0f ? 1f : 0f;
    /// <inheritdoc/>
    public static double D1(double x, double y) => x > 0.0 ? 1.0 : 0.0;
    /// <inheritdoc/>
    public static T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Zero;
    /// <inheritdoc/>
    public static T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Zero;
    /// <inheritdoc/>
    public static Tensor D1(Tensor x, Tensor y) => x.Gt(0);
    /// <inheritdoc/>
    public static Tensor D2(Tensor x, Tensor y) => Tensor.Zeros(ReadOnlySpan<int>.Empty, x.DType, x.Device);
    /// <inheritdoc/>
    public static Tensor D3(Tensor x, Tensor y) => D2(x, y);
    /// <inheritdoc/>
    public static bool HasVectorD1 => true;
    /// <inheritdoc/>
    public static Vector512<T> D1<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), Vector512<T>.One, Vector512<T>.Zero);
    /// <inheritdoc/>
    public static Vector256<T> D1<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), Vector256<T>.One, Vector256<T>.Zero);
    /// <summary>The CPU backend's branch-free SIMD loop (lanes where x &lt; 0 are cleared to +0).</summary>
    public static unsafe bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = x)
        fixed (T* py = y)
            VecLoop.Unary<T, ReluFn<T>>(px, py, x.Length, T.Zero, T.Zero);
        return true;
    }
}
