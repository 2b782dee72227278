namespace SciKernels.Kernels.Functors;

/// <summary>Sum reduction (identity 0).</summary>
public readonly struct SumReduce : IReduceOp<float>, IReduceOp<double>
{
    static float IReduceOp<float>.Identity => 0f;
    static double IReduceOp<double>.Identity => 0.0;
    /// <inheritdoc/>
    public static float Combine(float a, float b) => a + b;
    /// <inheritdoc/>
    public static double Combine(double a, double b) => a + b;
}

/// <summary>Max reduction (identity -inf). NaN inputs are ignored unless all inputs are NaN.</summary>
public readonly struct MaxReduce : IReduceOp<float>, IReduceOp<double>
{
    static float IReduceOp<float>.Identity => float.NegativeInfinity;
    static double IReduceOp<double>.Identity => double.NegativeInfinity;
    /// <inheritdoc/>
    public static float Combine(float a, float b) => b > a ? b : a;
    /// <inheritdoc/>
    public static double Combine(double a, double b) => b > a ? b : a;
}

/// <summary>Min reduction (identity +inf).</summary>
public readonly struct MinReduce : IReduceOp<float>, IReduceOp<double>
{
    static float IReduceOp<float>.Identity => float.PositiveInfinity;
    static double IReduceOp<double>.Identity => double.PositiveInfinity;
    /// <inheritdoc/>
    public static float Combine(float a, float b) => b < a ? b : a;
    /// <inheritdoc/>
    public static double Combine(double a, double b) => b < a ? b : a;
}
