namespace SciKernels.Kernels.Functors;

/// <summary>Sum reduction (identity +0, so a sum of -0s is +0, as on the CPU backend).</summary>
public readonly struct SumReduce : IReduceOp<float>, IReduceOp<double>
{
    static float IReduceOp<float>.Identity => 0f;
    static double IReduceOp<double>.Identity => 0.0;
    /// <inheritdoc/>
    public static float Combine(float a, float b) => a + b;
    /// <inheritdoc/>
    public static double Combine(double a, double b) => a + b;
}

/// <summary>
/// Max reduction (identity -inf) with <see cref="Max"/>'s IEEE 754-2019 semantics: any NaN makes the
/// result NaN (torch.amax), whatever the combine order, and +0 beats -0.
/// </summary>
public readonly struct MaxReduce : IReduceOp<float>, IReduceOp<double>
{
    static float IReduceOp<float>.Identity => float.NegativeInfinity;
    static double IReduceOp<double>.Identity => double.NegativeInfinity;
    /// <inheritdoc/>
    public static float Combine(float a, float b) => Max.Apply(a, b);
    /// <inheritdoc/>
    public static double Combine(double a, double b) => Max.Apply(a, b);
}

/// <summary>Min reduction (identity +inf), NaN-propagating with -0 &lt; +0 like <see cref="Min"/>.</summary>
public readonly struct MinReduce : IReduceOp<float>, IReduceOp<double>
{
    static float IReduceOp<float>.Identity => float.PositiveInfinity;
    static double IReduceOp<double>.Identity => double.PositiveInfinity;
    /// <inheritdoc/>
    public static float Combine(float a, float b) => Min.Apply(a, b);
    /// <inheritdoc/>
    public static double Combine(double a, double b) => Min.Apply(a, b);
}
