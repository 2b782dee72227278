using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using SciKernels.Backends;
using SciKernels.Cpu;

namespace SciKernels.Functions;

/// <summary>The error function: derivatives 2/√π·e^(−x²) = e′, −2x·e′, (4x² − 2)·e′.</summary>
public readonly struct Erf : IUnaryFunction
{
    private const double TwoOverSqrtPi = 1.1283791670955126;

    /// <inheritdoc/>
    public static UnaryOp Op => UnaryOp.Erf;
    /// <summary>Evaluated through the double series (float rounds the result), like the CPU float64 path.</summary>
    public static float Value(float x) => (float)ScalarMath.Erf((double)x);
    /// <inheritdoc/>
    public static double Value(double x) => ScalarMath.Erf(x);
    /// <inheritdoc/>
    public static float D1(float x, float y) => (float)TwoOverSqrtPi * MathF.Exp(-x * x);
    /// <inheritdoc/>
    public static double D1(double x, double y) => TwoOverSqrtPi * Math.Exp(-x * x);
    /// <inheritdoc/>
    public static T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(-2) * x * UnaryLoops.D1<Erf, T>(x, y);
    /// <inheritdoc/>
    public static T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => (T.CreateTruncating(4) * x * x - T.CreateTruncating(2)) * UnaryLoops.D1<Erf, T>(x, y);
    /// <inheritdoc/>
    public static Tensor D1(Tensor x, Tensor y) => x.Square().Neg().Exp().Mul(TwoOverSqrtPi);
    /// <inheritdoc/>
    public static Tensor D2(Tensor x, Tensor y) => D1(x, y).Mul(x).Mul(-2);
    /// <inheritdoc/>
    public static Tensor D3(Tensor x, Tensor y) => D1(x, y).Mul(x.Square().Mul(4).Sub(2));
    /// <summary>Float: the vectorised Abramowitz–Stegun erf; double: the accurate series (gradient checks need it).</summary>
    public static bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            SpecialFunctions.ErfSingle(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y));
        else
            for (int i = 0; i < x.Length; i++) y[i] = T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x[i])));
        return true;
    }
    /// <inheritdoc/>
    public static bool TryD1<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Multiply(x, x, d);
        TensorPrimitives.Negate(d, d);
        TensorPrimitives.Exp(d, d);
        TensorPrimitives.Multiply(d, T.CreateTruncating(TwoOverSqrtPi), d);
        return true;
    }
}
