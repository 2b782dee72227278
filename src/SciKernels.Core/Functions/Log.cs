using System.Numerics;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using SciKernels.Backends;

namespace SciKernels.Functions;

/// <summary>ln x: derivatives 1/x, −1/x², 2/x³.</summary>
public readonly struct Log : IUnaryFunction
{
    /// <inheritdoc/>
    public static UnaryOp Op => UnaryOp.Log;
    /// <inheritdoc/>
    public static float Value(float x) => MathF.Log(x);
    /// <inheritdoc/>
    public static double Value(double x) => Math.Log(x);
    /// <inheritdoc/>
    public static float D1(float x, float y) => 1f / x;
    /// <inheritdoc/>
    public static double D1(double x, double y) => 1.0 / x;
    /// <inheritdoc/>
    public static T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => -T.One / (x * x);
    /// <inheritdoc/>
    public static T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(2) / (x * x * x);
    /// <inheritdoc/>
    public static Tensor D1(Tensor x, Tensor y) => x.Reciprocal();
    /// <inheritdoc/>
    public static Tensor D2(Tensor x, Tensor y) => x.Square().Reciprocal().Neg();
    /// <inheritdoc/>
    public static Tensor D3(Tensor x, Tensor y) => x.Reciprocal().Pow(3).Mul(2);
    /// <inheritdoc/>
    public static bool HasVectorD1 => true;
    /// <inheritdoc/>
    public static Vector512<T> D1<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512<T>.One / x;
    /// <inheritdoc/>
    public static Vector256<T> D1<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256<T>.One / x;
    /// <inheritdoc/>
    public static bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Log(x, y);
        return true;
    }
}
