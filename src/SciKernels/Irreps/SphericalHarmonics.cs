namespace SciKernels.Irreps;

/// <summary>How the spherical harmonics of each degree l are scaled (e3nn's three choices).</summary>
public enum ShNormalization
{
    /// <summary>‖Y^l(r̂)‖² = 2l + 1 on the unit sphere: every component has unit mean square (e3nn's "component").</summary>
    Component,

    /// <summary>‖Y^l(r̂)‖ = 1 on the unit sphere (e3nn's "norm").</summary>
    Norm,

    /// <summary>∫ Y^l_m(r̂)² dΩ = 1 over the sphere (e3nn's "integral", the textbook orthonormal basis).</summary>
    Integral,
}

/// <summary>
/// Real spherical harmonics Y^l_m for l = 0 … <see cref="MaxDegree"/>, as homogeneous polynomials of
/// degree l in the Cartesian components of a vector, in e3nn's convention so that models and weights
/// carry over: the degrees are concatenated in the order l = 0, 1, …, lmax, m = −l … l within each,
/// Y¹ ∝ (x, y, z), and the polar axis is y (Y^l_0 depends on y and x² + z² only). That is the
/// textbook (Condon–Shortley-free) real basis with polar axis z evaluated at (z, x, y).
/// </summary>
/// <remarks>
/// <para>Built from the solid-harmonic recurrences: Re/Im (a + ib)^m for the azimuthal part and
/// Π^m_l(c, r²) = ((2l − 1) c Π^m_{l−1} − (l + m − 1) r² Π^m_{l−2}) / (l − m) for the polar part,
/// so no trigonometric function and no division by r appears — the polynomials are smooth at r = 0
/// and any order of derivative is exact. <see cref="Compute"/> composes tensor ops, so reverse and
/// forward mode and higher orders come from their rules; <see cref="Evaluate"/> is the float64
/// scalar form the Wigner D and Clebsch–Gordan constructions use.</para>
/// <para>Y(R r) = D(R) Y(r) for every orthogonal R, with D from <see cref="WignerD"/>; under the
/// inversion r → −r, Y^l picks up (−1)^l (parity).</para>
/// </remarks>
public static class SphericalHarmonics
{
    /// <summary>Highest degree supported.</summary>
    public const int MaxDegree = 8;

    /// <summary>Number of components of degrees 0 … lmax: (lmax + 1)².</summary>
    /// <param name="lmax">Highest degree.</param>
    public static int Dimension(int lmax) => (lmax + 1) * (lmax + 1);

    /// <summary>Offset of degree l's 2l + 1 components in the concatenated layout: l².</summary>
    /// <param name="l">Degree.</param>
    public static int Offset(int l) => l * l;

    /// <summary>
    /// Y^0 … Y^lmax of each row of <paramref name="vectors"/> [N, 3] as [N, (lmax + 1)²] (float32 or float64, any device).
    /// </summary>
    /// <param name="vectors">Vectors r [N, 3] (e.g. edge vectors).</param>
    /// <param name="lmax">Highest degree, 0 … <see cref="MaxDegree"/>.</param>
    /// <param name="normalize">Evaluate at r/‖r‖ (the usual choice for edge directions; a zero vector then gives Y^l = 0 for l &gt; 0, as e3nn); false: the polynomial in r itself.</param>
    /// <param name="normalization">Scaling of each degree.</param>
    /// <returns>The harmonics, differentiable in <paramref name="vectors"/> to any order.</returns>
    public static Tensor Compute(Tensor vectors, int lmax, bool normalize = true, ShNormalization normalization = ShNormalization.Component)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        CheckDegree(lmax, nameof(Compute));
        if (vectors.Rank != 2 || vectors.Shape[1] != 3)
            throw new TensorException("SphericalHarmonics", $"vectors must be [N, 3], got {Tensor.ShapeString(vectors.Shape)}");
        if (!vectors.DType.IsFloatingPoint())
            throw new TensorException("SphericalHarmonics", $"vectors must be floating point, got {vectors.DType.Name()}");
        var r = vectors;
        if (normalize)
        {
            // r / max(‖r‖, tiny): a zero vector maps to zero instead of NaN.
            var norm = r.Square().Sum(1, keepDim: true).Sqrt().Clamp(1e-30, double.PositiveInfinity);
            r = r.Div(norm);
        }
        // Textbook axes (a, b, c) = e3nn's (z, x, y): polar axis c.
        var a = r.Narrow(1, 2, 1);
        var b = r.Narrow(1, 0, 1);
        var c = r.Narrow(1, 1, 1);
        // ‖r‖² of the (normalized) vector: 1 on the sphere, 0 for a zero vector, whose harmonics are then 0 for l > 0.
        var rr = r.Square().Sum(1, keepDim: true);
        var columns = new Tensor[Dimension(lmax)];

        // Azimuthal parts: A_m + i B_m = (a + i b)^m.
        var re = new Tensor?[lmax + 1];
        var im = new Tensor?[lmax + 1];
        for (int m = 1; m <= lmax; m++)
        {
            if (m == 1)
            {
                re[1] = a;
                im[1] = b;
            }
            else
            {
                re[m] = re[m - 1]!.Mul(a).Sub(im[m - 1]!.Mul(b));
                im[m] = re[m - 1]!.Mul(b).Add(im[m - 1]!.Mul(a));
            }
        }

        Tensor? ones = null;
        Tensor One() => ones ??= c.Mul(0).Add(1);
        Tensor TimesR2(Tensor t) => t.Mul(rr);
        for (int m = 0; m <= lmax; m++)
        {
            // Polar parts Π^m_l, l = m … lmax: Π^m_m = (2m − 1)!!, Π^m_{m+1} = (2m + 1) c Π^m_m.
            Tensor? prev2 = null, prev1 = null;
            for (int l = m; l <= lmax; l++)
            {
                var pi = l == m ? One().Mul(DoubleFactorial(2 * m - 1))
                    : l == m + 1 ? c.Mul(prev1!).Mul(2 * m + 1)
                    : c.Mul(prev1!).Mul((2.0 * l - 1) / (l - m)).Sub(TimesR2(prev2!).Mul((double)(l + m - 1) / (l - m)));
                double norm = Normalization(l, m, normalization);
                if (m == 0) columns[Offset(l) + l] = pi.Mul(norm);
                else
                {
                    columns[Offset(l) + l + m] = pi.Mul(re[m]!).Mul(norm);
                    columns[Offset(l) + l - m] = pi.Mul(im[m]!).Mul(norm);
                }
                prev2 = prev1;
                prev1 = pi;
            }
        }
        return columns.Length == 1 ? columns[0] : Tensor.Concat(columns, 1);
    }

    /// <summary>Y^0 … Y^lmax of one vector in float64, written into <paramref name="result"/> [(lmax + 1)²].</summary>
    /// <param name="x">x component.</param>
    /// <param name="y">y component.</param>
    /// <param name="z">z component.</param>
    /// <param name="lmax">Highest degree.</param>
    /// <param name="result">Output, length ≥ (lmax + 1)².</param>
    /// <param name="normalization">Scaling of each degree.</param>
    /// <remarks>The polynomial itself (no normalization of the vector): pass a unit vector for values on the sphere.</remarks>
    public static void Evaluate(double x, double y, double z, int lmax, Span<double> result, ShNormalization normalization = ShNormalization.Component)
    {
        CheckDegree(lmax, nameof(Evaluate));
        if (result.Length < Dimension(lmax))
            throw new ArgumentException($"SphericalHarmonics.Evaluate: the result needs {Dimension(lmax)} entries for lmax = {lmax}, got {result.Length}", nameof(result));
        double a = z, b = x, c = y, rr = x * x + y * y + z * z;
        Span<double> re = stackalloc double[lmax + 1], im = stackalloc double[lmax + 1];
        re[0] = 1;
        im[0] = 0;
        for (int m = 1; m <= lmax; m++)
        {
            re[m] = re[m - 1] * a - im[m - 1] * b;
            im[m] = re[m - 1] * b + im[m - 1] * a;
        }
        for (int m = 0; m <= lmax; m++)
        {
            double prev2 = 0, prev1 = 0;
            for (int l = m; l <= lmax; l++)
            {
                double pi = l == m ? DoubleFactorial(2 * m - 1)
                    : l == m + 1 ? (2 * m + 1) * c * prev1
                    : ((2 * l - 1) * c * prev1 - (l + m - 1) * rr * prev2) / (l - m);
                double norm = Normalization(l, m, normalization);
                if (m == 0) result[Offset(l) + l] = pi * norm;
                else
                {
                    result[Offset(l) + l + m] = pi * re[m] * norm;
                    result[Offset(l) + l - m] = pi * im[m] * norm;
                }
                prev2 = prev1;
                prev1 = pi;
            }
        }
    }

    /// <summary>
    /// The factor that turns Π^|m|_l · (Re or Im)(a + ib)^|m| into the chosen normalization:
    /// √((2l + 1)(2 − δ_m0)(l − |m|)!/(l + |m|)!) for component normalization.
    /// </summary>
    private static double Normalization(int l, int m, ShNormalization normalization)
    {
        double ratio = 1; // (l − m)! / (l + m)!
        for (int k = l - m + 1; k <= l + m; k++) ratio /= k;
        double component = Math.Sqrt((2 * l + 1) * (m == 0 ? 1.0 : 2.0) * ratio);
        return normalization switch
        {
            ShNormalization.Component => component,
            ShNormalization.Norm => component / Math.Sqrt(2 * l + 1),
            ShNormalization.Integral => component / Math.Sqrt(4 * Math.PI),
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown normalization"),
        };
    }

    private static double DoubleFactorial(int n)
    {
        double f = 1;
        for (int k = n; k > 1; k -= 2) f *= k;
        return f;
    }

    private static void CheckDegree(int lmax, string caller)
    {
        if (lmax < 0 || lmax > MaxDegree)
            throw new ArgumentOutOfRangeException(nameof(lmax), lmax, $"SphericalHarmonics.{caller}: lmax must be 0 … {MaxDegree}");
    }
}
