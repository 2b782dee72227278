namespace SciKernels.Irreps;

/// <summary>
/// Wigner D matrices of the real spherical harmonics: D^l(R) with Y^l(R r) = D^l(R) Y^l(r) for every
/// orthogonal 3×3 matrix R (rotations and reflections), in the basis of <see cref="SphericalHarmonics"/>.
/// </summary>
/// <remarks>
/// D^l(R) is the linear map that carries the harmonics at a fixed set of sample directions p_k to
/// those at R p_k. With 4(2l + 1) directions on a Fibonacci spiral the sample matrix P is well
/// conditioned, and D = Q Pᵀ (P Pᵀ)⁻¹ is exact to rounding (the harmonics of degree l span a
/// (2l + 1)-dimensional space that R maps into itself). In this basis D¹(R) = R, and a reflection
/// or the inversion picks up the parity (−1)^l: D^l(−I) = (−1)^l I.
/// </remarks>
public static class WignerD
{
    /// <summary>D^l(R) as a (2l + 1) × (2l + 1) matrix.</summary>
    /// <param name="l">Degree, 0 … <see cref="SphericalHarmonics.MaxDegree"/>.</param>
    /// <param name="rotation">An orthogonal 3×3 matrix (checked to 1e-6).</param>
    /// <returns>The matrix, row-major.</returns>
    public static double[,] Matrix(int l, double[,] rotation)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        if (l < 0 || l > SphericalHarmonics.MaxDegree)
            throw new ArgumentOutOfRangeException(nameof(l), l, $"WignerD.Matrix: l must be 0 … {SphericalHarmonics.MaxDegree}");
        CheckOrthogonal(rotation);
        int d = 2 * l + 1, k = 4 * d, full = SphericalHarmonics.Dimension(l), off = SphericalHarmonics.Offset(l);
        var p = new double[d, k];
        var q = new double[d, k];
        Span<double> y = stackalloc double[full];
        for (int s = 0; s < k; s++)
        {
            // Fibonacci spiral: near-uniform directions, none repeated.
            double h = 1 - (2.0 * s + 1) / k, rho = Math.Sqrt(1 - h * h), phi = s * 2.399963229728653;
            double x0 = rho * Math.Cos(phi), y0 = h, z0 = rho * Math.Sin(phi);
            SphericalHarmonics.Evaluate(x0, y0, z0, l, y);
            for (int i = 0; i < d; i++) p[i, s] = y[off + i];
            double xr = rotation[0, 0] * x0 + rotation[0, 1] * y0 + rotation[0, 2] * z0;
            double yr = rotation[1, 0] * x0 + rotation[1, 1] * y0 + rotation[1, 2] * z0;
            double zr = rotation[2, 0] * x0 + rotation[2, 1] * y0 + rotation[2, 2] * z0;
            SphericalHarmonics.Evaluate(xr, yr, zr, l, y);
            for (int i = 0; i < d; i++) q[i, s] = y[off + i];
        }
        // D (P Pᵀ) = Q Pᵀ; P Pᵀ is symmetric positive definite: solve by Cholesky, row by row of D.
        var g = new double[d, d];
        var b = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double sg = 0, sb = 0;
                for (int s = 0; s < k; s++)
                {
                    sg += p[i, s] * p[j, s];
                    sb += q[i, s] * p[j, s];
                }
                g[i, j] = sg;
                b[i, j] = sb;
            }
        var chol = Cholesky(g);
        var result = new double[d, d];
        var row = new double[d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++) row[j] = b[i, j];
            Solve(chol, row);
            for (int j = 0; j < d; j++) result[i, j] = row[j];
        }
        return result;
    }

    /// <summary>The block-diagonal D^0 ⊕ … ⊕ D^lmax acting on the concatenated harmonics, [(lmax + 1)², (lmax + 1)²].</summary>
    /// <param name="lmax">Highest degree.</param>
    /// <param name="rotation">An orthogonal 3×3 matrix.</param>
    public static double[,] BlockDiagonal(int lmax, double[,] rotation)
    {
        int n = SphericalHarmonics.Dimension(lmax);
        var result = new double[n, n];
        for (int l = 0; l <= lmax; l++)
        {
            var dl = Matrix(l, rotation);
            int o = SphericalHarmonics.Offset(l);
            for (int i = 0; i < 2 * l + 1; i++)
                for (int j = 0; j < 2 * l + 1; j++) result[o + i, o + j] = dl[i, j];
        }
        return result;
    }

    private static void CheckOrthogonal(double[,] r)
    {
        if (r.GetLength(0) != 3 || r.GetLength(1) != 3)
            throw new ArgumentException($"WignerD: the rotation must be 3×3, got {r.GetLength(0)}×{r.GetLength(1)}", nameof(r));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double dot = 0;
                for (int k = 0; k < 3; k++) dot += r[k, i] * r[k, j];
                double expected = i == j ? 1 : 0;
                if (!(Math.Abs(dot - expected) <= 1e-6))
                    throw new ArgumentException($"WignerD: the matrix is not orthogonal (RᵀR[{i},{j}] = {dot:G6}, expected {expected})", nameof(r));
            }
    }

    /// <summary>Lower Cholesky factor of a symmetric positive definite matrix.</summary>
    internal static double[,] Cholesky(double[,] a)
    {
        int n = a.GetLength(0);
        var l = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double s = a[j, j];
            for (int k = 0; k < j; k++) s -= l[j, k] * l[j, k];
            if (!(s > 0)) throw new InvalidOperationException($"Cholesky: the matrix is not positive definite (pivot {j}: {s:G6})");
            l[j, j] = Math.Sqrt(s);
            for (int i = j + 1; i < n; i++)
            {
                double t = a[i, j];
                for (int k = 0; k < j; k++) t -= l[i, k] * l[j, k];
                l[i, j] = t / l[j, j];
            }
        }
        return l;
    }

    /// <summary>Solves (L Lᵀ) x = b in place.</summary>
    internal static void Solve(double[,] l, double[] b)
    {
        int n = b.Length;
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * b[k];
            b[i] = s / l[i, i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k, i] * b[k];
            b[i] = s / l[i, i];
        }
    }
}
