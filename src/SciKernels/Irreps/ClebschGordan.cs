using System.Collections.Concurrent;

namespace SciKernels.Irreps;

/// <summary>
/// Real Clebsch–Gordan (Wigner 3j) coefficients in the basis of <see cref="SphericalHarmonics"/>:
/// the tensor C[i, j, k] (2l₁ + 1 × 2l₂ + 1 × 2l₃ + 1) for which
/// Σ_ij C[i, j, k] (D^l₁ u)_i (D^l₂ v)_j = (D^l₃ Σ_ij C[i, j, ·] u_i v_j)_k for every rotation —
/// the unique equivariant bilinear map l₁ × l₂ → l₃ — computed by the library, not tabulated.
/// </summary>
/// <remarks>
/// <para>C is the invariant vector of D^l₁ ⊗ D^l₂ ⊗ D^l₃: the null vector of
/// Σ_R (K_R − I)ᵀ(K_R − I) over two generic rotations R (which together generate a dense subgroup),
/// found by inverse iteration, which converges to rounding in a few steps because the other
/// eigenvalues are of order one. Normalization as e3nn's <c>wigner_3j</c>: Σ C² = 1; sign: the first
/// entry (in row-major order) larger than 1e-10 in magnitude is positive. Results are cached.</para>
/// <para>Exists exactly when |l₁ − l₂| ≤ l₃ ≤ l₁ + l₂ (the triangle rule). C(1, 1, 1) is the cross
/// product and C(l, l, 0) the dot product, up to the normalization; odd l₁ + l₂ + l₃ couplings
/// change sign under the inversion (parity).</para>
/// </remarks>
public static class ClebschGordan
{
    /// <summary>Highest degree of each argument: the dense construction costs O(((2l + 1)³)³).</summary>
    public const int MaxDegree = 4;

    private static readonly ConcurrentDictionary<(int, int, int), double[,,]> Cache = new();

    /// <summary>The coefficients C[l₁, l₂, l₃] (a copy; the cached array is not exposed).</summary>
    /// <param name="l1">First input degree.</param>
    /// <param name="l2">Second input degree.</param>
    /// <param name="l3">Output degree.</param>
    public static double[,,] Real(int l1, int l2, int l3)
    {
        foreach (var (l, name) in new[] { (l1, nameof(l1)), (l2, nameof(l2)), (l3, nameof(l3)) })
            if (l < 0 || l > MaxDegree)
                throw new ArgumentOutOfRangeException(name, l, $"ClebschGordan.Real: degrees must be 0 … {MaxDegree}");
        if (l3 < Math.Abs(l1 - l2) || l3 > l1 + l2)
            throw new ArgumentException($"ClebschGordan.Real: ({l1}, {l2}, {l3}) violates the triangle rule |l1 − l2| ≤ l3 ≤ l1 + l2: no equivariant coupling exists");
        return (double[,,])Cache.GetOrAdd((l1, l2, l3), key => Compute(key.Item1, key.Item2, key.Item3)).Clone();
    }

    private static double[,,] Compute(int l1, int l2, int l3)
    {
        int d1 = 2 * l1 + 1, d2 = 2 * l2 + 1, d3 = 2 * l3 + 1, n = d1 * d2 * d3;
        var m = new double[n, n];
        foreach (var rotation in new[] { AxisAngle(1, 2, 3, 1.1), AxisAngle(-2, 1, 0.5, 2.3) })
        {
            var a = WignerD.Matrix(l1, rotation);
            var b = WignerD.Matrix(l2, rotation);
            var c = WignerD.Matrix(l3, rotation);
            // K − I with K = a ⊗ b ⊗ c, row (i, j, k), column (p, q, r).
            var k = new double[n, n];
            for (int i = 0; i < d1; i++)
                for (int j = 0; j < d2; j++)
                    for (int kk = 0; kk < d3; kk++)
                    {
                        int row = (i * d2 + j) * d3 + kk;
                        for (int p = 0; p < d1; p++)
                            for (int q = 0; q < d2; q++)
                            {
                                double ab = a[i, p] * b[j, q];
                                int col = (p * d2 + q) * d3;
                                for (int r = 0; r < d3; r++) k[row, col + r] = ab * c[kk, r];
                            }
                        k[row, row] -= 1;
                    }
            // m += (K − I)ᵀ (K − I)
            for (int i = 0; i < n; i++)
                for (int j = i; j < n; j++)
                {
                    double s = 0;
                    for (int r = 0; r < n; r++) s += k[r, i] * k[r, j];
                    m[i, j] += s;
                    if (j != i) m[j, i] += s;
                }
        }
        // Inverse iteration towards the eigenvalue 0: (M + εI) v ← v.
        for (int i = 0; i < n; i++) m[i, i] += 1e-9;
        var chol = WignerD.Cholesky(m);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 1 + 0.1 * Math.Sin(i + 1); // generic start, not orthogonal to the answer
        for (int iteration = 0; iteration < 4; iteration++)
        {
            WignerD.Solve(chol, v);
            double norm = Math.Sqrt(v.Sum(t => t * t));
            for (int i = 0; i < n; i++) v[i] /= norm;
        }
        int first = Array.FindIndex(v, t => Math.Abs(t) > 1e-10);
        double sign = v[first] < 0 ? -1 : 1;
        var result = new double[d1, d2, d3];
        for (int i = 0; i < d1; i++)
            for (int j = 0; j < d2; j++)
                for (int kk = 0; kk < d3; kk++)
                {
                    double t = sign * v[(i * d2 + j) * d3 + kk];
                    result[i, j, kk] = Math.Abs(t) < 1e-15 ? 0 : t;
                }
        return result;
    }

    /// <summary>The rotation by <paramref name="angle"/> about the axis (x, y, z) (Rodrigues).</summary>
    internal static double[,] AxisAngle(double x, double y, double z, double angle)
    {
        double n = Math.Sqrt(x * x + y * y + z * z);
        x /= n;
        y /= n;
        z /= n;
        double c = Math.Cos(angle), s = Math.Sin(angle), t = 1 - c;
        return new[,]
        {
            { c + x * x * t, x * y * t - z * s, x * z * t + y * s },
            { y * x * t + z * s, c + y * y * t, y * z * t - x * s },
            { z * x * t - y * s, z * y * t + x * s, c + z * z * t },
        };
    }
}
