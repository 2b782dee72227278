using ILGPU.Algorithms;

namespace SciKernels.Kernels.Functors;

/// <summary>Device-compilable special functions not provided by ILGPU's XMath.</summary>
public static class SpecialMath
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InvSqrtPi = 0.5641895835477563;

    /// <summary>
    /// erf for <see cref="float"/>: Abramowitz &amp; Stegun 7.1.26 (max absolute error 1.5e-7, i.e.
    /// about one float ulp near 1), evaluated in float.
    /// </summary>
    /// <param name="x">Argument.</param>
    public static float Erf(float x)
    {
        // erf(±0) = ±0 and NaN stays NaN (the polynomial is ~1e-9 at 0), as on the CPU backend.
        if (x == 0f || float.IsNaN(x)) return x;
        float ax = XMath.Abs(x);
        float t = 1f / (1f + 0.3275911f * ax);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float r = 1f - poly * XMath.Exp(-ax * ax);
        return x < 0f ? -r : r;
    }

    /// <summary>
    /// erf for <see cref="double"/> to about 1e-15: for |x| &lt; 3 the positive-term series
    /// erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)) (no cancellation, 60 terms);
    /// for |x| &gt;= 3 a 40-term backward-evaluated continued fraction for erfc.
    /// </summary>
    /// <param name="x">Argument.</param>
    public static double Erf(double x)
    {
        // NaN would otherwise fall into the |x| >= 6 branch and give ±1; ±0 keeps its sign.
        if (x == 0.0 || double.IsNaN(x)) return x;
        double ax = XMath.Abs(x);
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
            r = TwoOverSqrtPi * XMath.Exp(-x2) * sum;
        }
        else if (ax < 6.0)
        {
            // erfc(x) = e^{-x^2}/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
            double f = ax;
            for (int k = 40; k >= 1; k--)
                f = ax + (0.5 * k) / f;
            r = 1.0 - InvSqrtPi * XMath.Exp(-ax * ax) / f;
        }
        else
        {
            r = 1.0;
        }
        return x < 0.0 ? -r : r;
    }

    /// <summary>
    /// a^b with the real result for a negative base and an integer exponent ((-2)^3 = -8), like
    /// <see cref="System.Math.Pow"/>; device pow intrinsics built on exp(b ln a) return NaN there.
    /// </summary>
    /// <param name="a">Base.</param>
    /// <param name="b">Exponent.</param>
    public static float Pow(float a, float b)
    {
        if (a >= 0f || XMath.Floor(b) != b) return XMath.Pow(a, b);
        float r = XMath.Pow(-a, b);
        return XMath.Abs(b) < 16777216f && ((int)XMath.Abs(b) & 1) == 1 ? -r : r;
    }

    /// <summary>a^b with the real result for a negative base and an integer exponent (see the float overload).</summary>
    /// <param name="a">Base.</param>
    /// <param name="b">Exponent.</param>
    public static double Pow(double a, double b)
    {
        if (a >= 0.0 || XMath.Floor(b) != b) return XMath.Pow(a, b);
        double r = XMath.Pow(-a, b);
        return XMath.Abs(b) < 9007199254740992.0 && ((long)XMath.Abs(b) & 1L) == 1L ? -r : r;
    }
}
