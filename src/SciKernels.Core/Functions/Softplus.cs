using System.Numerics;
using System.Numerics.Tensors;
using SciKernels.Backends;

namespace SciKernels.Functions;

/// <summary>softplus x = ln(1 + e^x), computed without overflow: derivatives σ(x), σ′(x), σ″(x).</summary>
public readonly struct Softplus : IUnaryFunction
{
    /// <inheritdoc/>
    public static UnaryOp Op => UnaryOp.Softplus;
    /// <summary>max(x, 0) + ln(1 + e^−|x|): no overflow for large |x|.</summary>
    public static float Value(float x) => (x > 0f ? x : 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
    /// <inheritdoc cref="Value(float)"/>
    public static double Value(double x) => (x > 0.0 ? x : 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));
    /// <inheritdoc/>
    public static float D1(float x, float y) => ScalarMath.Sigmoid(x);
    /// <inheritdoc/>
    public static double D1(double x, double y) => ScalarMath.Sigmoid(x);
    /// <inheritdoc/>
    public static T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => UnaryLoops.D1<Sigmoid, T>(x, Logistic(x));
    /// <inheritdoc/>
    public static T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => Sigmoid.D2(x, Logistic(x));
    /// <inheritdoc/>
    public static Tensor D1(Tensor x, Tensor y) => x.Sigmoid();
    /// <inheritdoc/>
    public static Tensor D2(Tensor x, Tensor y) => Sigmoid.D1(x, x.Sigmoid());
    /// <inheritdoc/>
    public static Tensor D3(Tensor x, Tensor y) => Sigmoid.D2(x, x.Sigmoid());

    private static T Logistic<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => UnaryLoops.Value<Sigmoid, T>(x);

    /// <inheritdoc/>
    public static bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int block = 1024;
        Span<T> tmp = stackalloc T[block];
        for (int s = 0; s < x.Length; s += block)
        {
            int n = Math.Min(block, x.Length - s);
            var xs = x.Slice(s, n);
            var t = tmp[..n];
            TensorPrimitives.Abs(xs, t);
            TensorPrimitives.Negate(t, t);
            TensorPrimitives.Exp(t, t);
            TensorPrimitives.LogP1(t, t);
            var ys = y.Slice(s, n);
            TensorPrimitives.Max(xs, T.Zero, ys);
            TensorPrimitives.Add(ys, t, ys);
        }
        return true;
    }
    /// <inheritdoc/>
    public static bool TryD1<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sigmoid(x, d);
        return true;
    }
}
