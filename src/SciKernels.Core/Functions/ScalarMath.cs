namespace SciKernels.Functions;

/// <summary>
/// Scalar special functions written so that ILGPU can compile them for a device (plain arithmetic and
/// <see cref="Math"/>/<see cref="MathF"/>, which it maps to device math), for the scalar forms of
/// <see cref="IUnaryFunction"/>s.
/// </summary>
public static class ScalarMath
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InvSqrtPi = 0.5641895835477563;

    /// <summary>The standard normal density 1/√(2π) (GELU's derivatives).</summary>
    public const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary>1/√2 (GELU's argument of erf).</summary>
    public const double InvSqrt2 = 0.70710678118654752440;

    /// <summary>
    /// erf in float: Abramowitz &amp; Stegun 7.1.26 (absolute error ≤ 1.5e-7, about one float ulp near 1).
    /// </summary>
    /// <param name="x">Argument.</param>
    public static float Erf(float x)
    {
        // erf(±0) = ±0 and NaN stays NaN (the polynomial is ~1e-9 at 0), as on the CPU backend.
        if (x == 0f || float.IsNaN(x)) return x;
        float ax = MathF.Abs(x);
        float t = 1f / (1f + 0.3275911f * ax);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float r = 1f - poly * MathF.Exp(-ax * ax);
        return x < 0f ? -r : r;
    }

    /// <summary>
    /// erf in double to about 1e-15: for |x| &lt; 3 the positive-term series
    /// 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (no cancellation, 60 terms); for 3 ≤ |x| &lt; 6 a
    /// 40-term continued fraction for erfc evaluated backwards; 1 beyond.
    /// </summary>
    /// <param name="x">Argument.</param>
    public static double Erf(double x)
    {
        // NaN would otherwise fall into the |x| >= 6 branch and give ±1; ±0 keeps its sign.
        if (x == 0.0 || double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        double r;
        if (ax < 3.0)
        {
            double x2 = ax * ax;
            double term = ax;
            double sum = ax;
            for (int n = 0; n < 60; n++)
            {
                term *= 2.0 * x2 / (2 * n + 3);
                sum += term;
            }
            r = TwoOverSqrtPi * Math.Exp(-x2) * sum;
        }
        else if (ax < 6.0)
        {
            double f = ax;
            for (int k = 40; k >= 1; k--)
                f = ax + (0.5 * k) / f;
            r = 1.0 - InvSqrtPi * Math.Exp(-ax * ax) / f;
        }
        else
        {
            r = 1.0;
        }
        return x < 0.0 ? -r : r;
    }

    /// <summary>The logistic function 1/(1 + e^(−x)), without overflow for large |x|.</summary>
    /// <param name="x">Argument.</param>
    public static float Sigmoid(float x) => x >= 0f ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x));

    /// <summary>The logistic function 1/(1 + e^(−x)), without overflow for large |x|.</summary>
    /// <param name="x">Argument.</param>
    public static double Sigmoid(double x) => x >= 0.0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));
}
