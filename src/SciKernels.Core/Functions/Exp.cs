using System.Numerics;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using SciKernels.Backends;

namespace SciKernels.Functions;

/// <summary>e^x; every derivative is e^x = y.</summary>
public readonly struct Exp : IUnaryFunction
{
    /// <inheritdoc/>
    public static UnaryOp Op => UnaryOp.Exp;
    /// <inheritdoc/>
    public static float Value(float x) => MathF.Exp(x);
    /// <inheritdoc/>
    public static double Value(double x) => Math.Exp(x);
    /// <inheritdoc/>
    public static float D1(float x, float y) => y;
    /// <inheritdoc/>
    public static double D1(double x, double y) => y;
    /// <inheritdoc/>
    public static T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => y;
    /// <inheritdoc/>
    public static T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => y;
    /// <inheritdoc/>
    public static Tensor D1(Tensor x, Tensor y) => y;
    /// <inheritdoc/>
    public static Tensor D2(Tensor x, Tensor y) => y;
    /// <inheritdoc/>
    public static Tensor D3(Tensor x, Tensor y) => y;
    /// <inheritdoc/>
    public static bool HasVectorD1 => true;
    /// <inheritdoc/>
    public static Vector512<T> D1<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => y;
    /// <inheritdoc/>
    public static Vector256<T> D1<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => y;
    /// <inheritdoc/>
    public static bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Exp(x, y);
        return true;
    }
}
