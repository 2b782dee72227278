using System.Numerics;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using SciKernels.Backends;

namespace SciKernels.Functions;

/// <summary>σ(x) = 1/(1 + e^−x): derivatives from y = σ(x): y(1 − y), σ′(1 − 2y), σ′((1 − 2y)² − 2σ′).</summary>
public readonly struct Sigmoid : IUnaryFunction
{
    /// <inheritdoc/>
    public static UnaryOp Op => UnaryOp.Sigmoid;
    /// <inheritdoc/>
    public static float Value(float x) => ScalarMath.Sigmoid(x);
    /// <inheritdoc/>
    public static double Value(double x) => ScalarMath.Sigmoid(x);
    /// <inheritdoc/>
    public static float D1(float x, float y) => y * (1f - y);
    /// <inheritdoc/>
    public static double D1(double x, double y) => y * (1.0 - y);
    /// <inheritdoc/>
    public static T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => y * (T.One - y) * (T.One - (y + y));
    /// <inheritdoc/>
    public static T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s1 = y * (T.One - y), m = T.One - (y + y);
        return s1 * (m * m - (s1 + s1));
    }
    /// <inheritdoc/>
    public static Tensor D1(Tensor x, Tensor y) => y.Mul(y.RSub(1));
    /// <inheritdoc/>
    public static Tensor D2(Tensor x, Tensor y) => D1(x, y).Mul(y.Affine(-2, 1));
    /// <inheritdoc/>
    public static Tensor D3(Tensor x, Tensor y)
    {
        var s1 = D1(x, y);
        return s1.Mul(y.Affine(-2, 1).Square().Sub(s1.Mul(2)));
    }
    /// <inheritdoc/>
    public static bool HasVectorD1 => true;
    /// <inheritdoc/>
    public static Vector512<T> D1<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => y * (Vector512<T>.One - y);
    /// <inheritdoc/>
    public static Vector256<T> D1<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => y * (Vector256<T>.One - y);
    /// <inheritdoc/>
    public static bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sigmoid(x, y);
        return true;
    }
}
