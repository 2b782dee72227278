namespace SciKernels.Generative;

/// <summary>
/// The 13-atom Lennard-Jones cluster: its global minimum (the Mackay icosahedron, E = −44.326801 ε) and
/// the test that a relaxed structure is that icosahedron.
/// </summary>
public static class Lj13
{
    /// <summary>Atoms in the cluster.</summary>
    public const int Atoms = 13;

    /// <summary>The global-minimum energy in ε (Wales and Doye 1997, the Cambridge Cluster Database).</summary>
    public const double GlobalMinimumEnergy = -44.326801;

    /// <summary>A relaxed structure whose energy is within this of <see cref="GlobalMinimumEnergy"/> is the icosahedron.</summary>
    public const double IcosahedronTolerance = 1e-3;

    /// <summary>Whether a relaxed energy is the icosahedron's (within <see cref="IcosahedronTolerance"/>).</summary>
    public static bool IsIcosahedronEnergy(double relaxedEnergy) => Math.Abs(relaxedEnergy - GlobalMinimumEnergy) < IcosahedronTolerance;

    /// <summary>
    /// A perfect icosahedron with centre-to-vertex distance <paramref name="radius"/>: the centre atom at the
    /// origin first, then the 12 vertices (cyclic permutations of (0, ±1, ±τ), τ the golden ratio), [13·3].
    /// </summary>
    public static double[] Icosahedron(double radius)
    {
        if (!(radius > 0)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "Lj13.Icosahedron: radius must be > 0");
        double tau = (1 + Math.Sqrt(5)) / 2, scale = radius / Math.Sqrt(1 + tau * tau);
        var p = new double[3 * Atoms];
        int k = 3;
        foreach (double s1 in new[] { -1.0, 1.0 })
            foreach (double s2 in new[] { -tau, tau })
                for (int c = 0; c < 3; c++)
                {
                    // (0, ±1, ±τ) and its cyclic shifts.
                    p[k + c] = 0;
                    p[k + (c + 1) % 3] = s1 * scale;
                    p[k + (c + 2) % 3] = s2 * scale;
                    k += 3;
                }
        return p;
    }

    /// <summary>
    /// The radius that minimises the energy of a perfect icosahedron, in closed form: with every distance a
    /// fixed multiple c_k of the radius, E(R) = A R^−12 − B R^−6 is least at R⁶ = 2A/B. Icosahedral symmetry
    /// leaves the radius as the only free coordinate, so this is also the relaxed global minimum.
    /// </summary>
    public static double OptimalIcosahedronRadius()
    {
        var unit = Icosahedron(1);
        double a = 0, b = 0;
        for (int i = 0; i < Atoms; i++)
            for (int j = i + 1; j < Atoms; j++)
            {
                double r2 = 0;
                for (int c = 0; c < 3; c++) r2 += (unit[3 * i + c] - unit[3 * j + c]) * (unit[3 * i + c] - unit[3 * j + c]);
                double ir6 = 1 / (r2 * r2 * r2);
                a += 4 * ir6 * ir6;
                b += 4 * ir6;
            }
        return Math.Pow(2 * a / b, 1.0 / 6);
    }

    /// <summary>Relaxes a copy of <paramref name="positions"/> [13·3] with FIRE and reports whether it reached the icosahedron.</summary>
    /// <param name="positions">Row-major positions of 13 atoms.</param>
    /// <param name="fmax">Force threshold of the relaxation.</param>
    /// <param name="maxSteps">Step budget of the relaxation.</param>
    /// <returns>The relaxation and whether its energy is the icosahedron's.</returns>
    public static (FireResult Relaxation, bool Icosahedron) RelaxAndClassify(ReadOnlySpan<double> positions, double fmax = 1e-3, int maxSteps = 5000)
    {
        if (positions.Length != 3 * Atoms)
            throw new ArgumentException($"Lj13.RelaxAndClassify: expected {3 * Atoms} position values (13 atoms), got {positions.Length}", nameof(positions));
        var p = positions.ToArray();
        var result = new Fire().Relax(p, LennardJones.EnergyAndForces, fmax, maxSteps);
        return (result, IsIcosahedronEnergy(result.Energy));
    }
}
