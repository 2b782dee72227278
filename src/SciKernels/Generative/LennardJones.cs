namespace SciKernels.Generative;

/// <summary>
/// The Lennard-Jones pair potential in reduced units (ε = σ = 1), open boundaries, no cutoff:
/// E = Σ_{i&lt;j} 4 (r_ij^−12 − r_ij^−6), with analytic forces F = −∇E. Positions are row-major [N·3], float64.
/// </summary>
public static class LennardJones
{
    /// <summary>The pair energy 4 (r^−12 − r^−6) at distance <paramref name="r"/>.</summary>
    public static double PairEnergy(double r)
    {
        double ir6 = 1 / (r * r * r * r * r * r);
        return 4 * (ir6 * ir6 - ir6);
    }

    /// <summary>The total energy of the configuration.</summary>
    /// <param name="positions">Row-major positions [N·3].</param>
    public static double Energy(ReadOnlySpan<double> positions) => EnergyAndForces(positions, Span<double>.Empty);

    /// <summary>The total energy, and the forces −∂E/∂x written to <paramref name="forces"/> (skipped when empty).</summary>
    /// <param name="positions">Row-major positions [N·3].</param>
    /// <param name="forces">Destination [N·3], or empty for the energy alone.</param>
    /// <exception cref="ArgumentException">The lengths are not 3N, or two atoms coincide.</exception>
    public static double EnergyAndForces(ReadOnlySpan<double> positions, Span<double> forces)
    {
        if (positions.Length % 3 != 0)
            throw new ArgumentException($"LennardJones: positions must hold 3 values per atom, got {positions.Length}", nameof(positions));
        bool withForces = !forces.IsEmpty;
        if (withForces && forces.Length != positions.Length)
            throw new ArgumentException($"LennardJones: forces must have the length of positions ({positions.Length}), got {forces.Length}", nameof(forces));
        if (withForces) forces.Clear();
        int n = positions.Length / 3;
        double energy = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double dx = positions[3 * i] - positions[3 * j];
                double dy = positions[3 * i + 1] - positions[3 * j + 1];
                double dz = positions[3 * i + 2] - positions[3 * j + 2];
                double r2 = dx * dx + dy * dy + dz * dz;
                if (!(r2 > 0)) throw new ArgumentException($"LennardJones: atoms {i} and {j} coincide (or a position is not finite)", nameof(positions));
                double ir2 = 1 / r2, ir6 = ir2 * ir2 * ir2;
                energy += 4 * (ir6 * ir6 - ir6);
                if (!withForces) continue;
                // −dE/dr · (1/r) = (48 r^−12 − 24 r^−6) / r²: the force on i along x_i − x_j.
                double s = (48 * ir6 * ir6 - 24 * ir6) * ir2;
                forces[3 * i] += s * dx; forces[3 * i + 1] += s * dy; forces[3 * i + 2] += s * dz;
                forces[3 * j] -= s * dx; forces[3 * j + 1] -= s * dy; forces[3 * j + 2] -= s * dz;
            }
        return energy;
    }
}
