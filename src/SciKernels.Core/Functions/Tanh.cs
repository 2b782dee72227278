using System.Numerics;
using System.Runtime.Intrinsics;
using SciKernels.Backends;
using SciKernels.Cpu;

namespace SciKernels.Functions;

/// <summary>tanh x: derivatives are polynomials in y = tanh x: 1 − y², −2y(1 − y²), −2σ′(σ′ − 2y²).</summary>
public readonly struct Tanh : IUnaryFunction
{
    /// <inheritdoc/>
    public static UnaryOp Op => UnaryOp.Tanh;

    /// <summary>
    /// Exactly ±1 where the rounded result is (|x| &gt; 9.1 in float, 19.1 in double) and at ±inf:
    /// OpenCL allows tanh 5 ulp and PoCL's float tanh returns ±0.99999994 there, which breaks
    /// 1 − tanh² = 0 and x·(1 + tanh) at −inf. NaN fails the compare and reaches tanh.
    /// </summary>
    public static float Value(float x) => MathF.Abs(x) > 9.1f ? (x > 0f ? 1f : -1f) : MathF.Tanh(x);
    /// <inheritdoc cref="Value(float)"/>
    public static double Value(double x) => Math.Abs(x) > 19.1 ? (x > 0.0 ? 1.0 : -1.0) : Math.Tanh(x);
    /// <inheritdoc/>
    public static float D1(float x, float y) => 1f - y * y;
    /// <inheritdoc/>
    public static double D1(double x, double y) => 1.0 - y * y;
    /// <inheritdoc/>
    public static T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(-2) * y * (T.One - y * y);
    /// <inheritdoc/>
    public static T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T y2 = y * y, d1 = T.One - y2, m2 = T.CreateTruncating(-2);
        return m2 * d1 * (d1 + m2 * y2);
    }
    /// <inheritdoc/>
    public static Tensor D1(Tensor x, Tensor y) => y.Square().RSub(1);
    /// <inheritdoc/>
    public static Tensor D2(Tensor x, Tensor y) => y.Mul(D1(x, y)).Mul(-2);
    /// <inheritdoc/>
    public static Tensor D3(Tensor x, Tensor y)
    {
        var y2 = y.Square();
        var d1 = y2.RSub(1);
        return d1.Mul(d1.Sub(y2.Mul(2))).Mul(-2);
    }
    /// <inheritdoc/>
    public static bool HasVectorD1 => true;
    /// <inheritdoc/>
    public static Vector512<T> D1<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512<T>.One - y * y;
    /// <inheritdoc/>
    public static Vector256<T> D1<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256<T>.One - y * y;
    /// <inheritdoc/>
    public static bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpecialFunctions.Tanh(x, y);
        return true;
    }
}
