using SciKernels.Functions;

namespace SciKernels.Kernels.Functors;

/// <summary>y = F(x) for an element-wise function defined once in SciKernels.Functions (its scalar form).</summary>
/// <typeparam name="F">The function.</typeparam>
public readonly struct UnaryOf<F> : IUnaryOp<float>, IUnaryOp<double> where F : struct, IUnaryFunction
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => F.Value(x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => F.Value(x);
}

/// <summary>r = g·F′(x) for an element-wise function: its backward and forward rule in one pass.</summary>
/// <typeparam name="F">The function.</typeparam>
public readonly struct GradOf<F> : IUnaryGradOp<float>, IUnaryGradOp<double> where F : struct, IUnaryFunction
{
    /// <inheritdoc/>
    public static float Apply(float x, float y, float g) => g * F.D1(x, y);
    /// <inheritdoc/>
    public static double Apply(double x, double y, double g) => g * F.D1(x, y);
}
