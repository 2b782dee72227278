namespace SciKernels.Pinn;

/// <summary>
/// Gauss–Hermite quadrature: ∫ g(z) e^{−z²} dz ≈ Σᵢ wᵢ g(zᵢ), exact for polynomials of degree &lt; 2n.
/// </summary>
public static class GaussHermite
{
    /// <summary>Largest supported order (verified by the tests; the root-finding start values are not reliable beyond it).</summary>
    public const int MaxOrder = 150;

    /// <summary>Nodes (ascending) and weights of the n-point rule.</summary>
    /// <remarks>
    /// The roots of Hₙ are found by Newton's method on the normalized Hermite functions
    /// ψⱼ(z) = Hⱼ(z)e^{−z²/2}/√(2ʲ j! √π), which obey ψⱼ₊₁ = z√(2/(j+1))ψⱼ − √(j/(j+1))ψⱼ₋₁ and do not overflow;
    /// the weights are wᵢ = e^{−zᵢ²} / (n ψₙ₋₁(zᵢ)²).
    /// Starting guesses: asymptotic estimates for the two largest roots, then extrapolation from the
    /// previous two, as is customary.
    /// </remarks>
    public static (double[] Nodes, double[] Weights) Rule(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, MaxOrder);
        var x = new double[n];
        var w = new double[n];
        int half = (n + 1) / 2;
        double z = 0, z1 = 0, z2 = 0;
        for (int i = 0; i < half; i++)
        {
            z = i switch
            {
                0 => Math.Sqrt(2.0 * n + 1) - 1.85575 * Math.Pow(2.0 * n + 1, -1.0 / 6),
                1 => z - 1.14 * Math.Pow(n, 0.426) / z,
                2 => 1.86 * z - 0.86 * z2,
                3 => 1.91 * z - 0.91 * z2,
                _ => 2 * z - z2,
            };
            double psiPrev = 0;
            for (int iter = 0; iter < 100; iter++)
            {
                var (psi, prev) = Psi(n, z);
                psiPrev = prev;
                double dz = psi / (Math.Sqrt(2.0 * n) * prev); // ψₙ' = √(2n) ψₙ₋₁ − zψₙ, and ψₙ → 0
                z -= dz;
                if (Math.Abs(dz) <= 1e-15 * Math.Max(1, Math.Abs(z))) break;
            }
            psiPrev = Psi(n, z).Prev;
            // Weight in the e^{-z²} measure: the Hermite-function values carry e^{-z²/2} each.
            double weight = psiPrev == 0 ? 0 : 1 / (n * psiPrev * psiPrev) * Math.Exp(-z * z);
            z2 = z1;
            z1 = z;
            x[i] = -z;
            x[n - 1 - i] = z;
            w[i] = weight;
            w[n - 1 - i] = weight;
        }
        if (n % 2 == 1) x[n / 2] = 0;
        return (x, w);
    }

    // Returns ψₙ(z) and ψₙ₋₁(z) (normalized Hermite functions, including e^{−z²/2}).
    private static (double Psi, double Prev) Psi(int n, double z)
    {
        double pPrev = 0, p = Math.Pow(Math.PI, -0.25) * Math.Exp(-z * z / 2);
        for (int j = 0; j < n; j++)
        {
            double next = z * Math.Sqrt(2.0 / (j + 1)) * p - Math.Sqrt((double)j / (j + 1)) * pPrev;
            pPrev = p;
            p = next;
        }
        return (p, pPrev);
    }
}
