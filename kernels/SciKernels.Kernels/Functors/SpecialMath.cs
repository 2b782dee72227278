using ILGPU.Algorithms;

namespace SciKernels.Kernels.Functors;

/// <summary>Device-compilable special functions not provided by ILGPU's XMath (erf lives with the function definitions, in SciKernels.Functions.ScalarMath).</summary>
public static class SpecialMath
{
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
