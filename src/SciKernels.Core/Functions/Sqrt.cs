using System.Numerics;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using SciKernels.Backends;

namespace SciKernels.Functions;

/// <summary>√x: derivatives from y = √x, 1/(2y), −1/(4y³), 3/(8y⁵).</summary>
public readonly struct Sqrt : IUnaryFunction
{
    /// <inheritdoc/>
    public static UnaryOp Op => UnaryOp.Sqrt;
    /// <inheritdoc/>
    public static float Value(float x) => MathF.Sqrt(x);
    /// <inheritdoc/>
    public static double Value(double x) => Math.Sqrt(x);
    /// <inheritdoc/>
    public static float D1(float x, float y) => 0.5f / y;
    /// <inheritdoc/>
    public static double D1(double x, double y) => 0.5 / y;
    /// <inheritdoc/>
    public static T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(-0.25) / (y * y * y);
    /// <inheritdoc/>
    public static T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(0.375) / (y * y * y * y * y);
    /// <inheritdoc/>
    public static Tensor D1(Tensor x, Tensor y) => y.Reciprocal().Mul(0.5);
    /// <inheritdoc/>
    public static Tensor D2(Tensor x, Tensor y) => y.Reciprocal().Pow(3).Mul(-0.25);
    /// <inheritdoc/>
    public static Tensor D3(Tensor x, Tensor y) => y.Reciprocal().Pow(5).Mul(0.375);
    /// <inheritdoc/>
    public static bool HasVectorD1 => true;
    /// <inheritdoc/>
    public static Vector512<T> D1<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Create(T.CreateTruncating(0.5)) / y;
    /// <inheritdoc/>
    public static Vector256<T> D1<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Create(T.CreateTruncating(0.5)) / y;
    /// <inheritdoc/>
    public static bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sqrt(x, y);
        return true;
    }
}
