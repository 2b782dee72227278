using System.Numerics;
using System.Numerics.Tensors;
using SciKernels.Backends;

namespace SciKernels.Functions;

/// <summary>cos x: derivatives −sin x, −cos x, sin x.</summary>
public readonly struct Cos : IUnaryFunction
{
    /// <inheritdoc/>
    public static UnaryOp Op => UnaryOp.Cos;
    /// <inheritdoc/>
    public static float Value(float x) => MathF.Cos(x);
    /// <inheritdoc/>
    public static double Value(double x) => Math.Cos(x);
    /// <inheritdoc/>
    public static float D1(float x, float y) => -MathF.Sin(x);
    /// <inheritdoc/>
    public static double D1(double x, double y) => -Math.Sin(x);
    /// <inheritdoc/>
    public static T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => -y;
    /// <inheritdoc/>
    public static T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.Sin(x);
    /// <inheritdoc/>
    public static Tensor D1(Tensor x, Tensor y) => x.Sin().Neg();
    /// <inheritdoc/>
    public static Tensor D2(Tensor x, Tensor y) => y.Neg();
    /// <inheritdoc/>
    public static Tensor D3(Tensor x, Tensor y) => x.Sin();
    /// <inheritdoc/>
    public static bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Cos(x, y);
        return true;
    }
    /// <inheritdoc/>
    public static bool TryD1<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sin(x, d);
        TensorPrimitives.Negate(d, d);
        return true;
    }
}
