namespace SciKernels.Potentials;

/// <summary>NVE molecular dynamics: velocity Verlet with any <see cref="IAtomsCalculator"/>, in ASE's units (see <see cref="MolecularDynamics"/>).</summary>
/// <remarks>
/// Besides the checks of every integrator, a run stops with an <see cref="InvalidOperationException"/> when the
/// total energy moves more than <see cref="MaxEnergyDriftPerAtom"/> per atom from its start.
/// </remarks>
public sealed class VelocityVerlet : MolecularDynamics
{
    /// <summary>Starts a run: computes the forces at the initial positions.</summary>
    /// <param name="calculator">The potential (e.g. <see cref="Emt"/>).</param>
    /// <param name="numbers">Atomic numbers, N values.</param>
    /// <param name="positions">Initial positions (Å), N·3 values; copied.</param>
    /// <param name="velocities">Initial velocities (Å per ASE time unit), N·3 values; copied.</param>
    /// <param name="cell">The cell (rows = lattice vectors), 9 values, or empty.</param>
    /// <param name="pbc">Periodicity per axis, or empty.</param>
    /// <param name="timestepFs">Time step in femtoseconds, positive and finite.</param>
    public VelocityVerlet(IAtomsCalculator calculator, int[] numbers, double[] positions, double[] velocities, double[] cell, bool[] pbc, double timestepFs)
        : base(calculator, numbers, positions, velocities, cell, pbc, timestepFs)
    {
    }

    /// <summary>Largest allowed |E_total − E_total(0)| per atom (eV) before the run is stopped as exploded.</summary>
    public double MaxEnergyDriftPerAtom { get; init; } = 1.0;

    /// <inheritdoc/>
    protected override void Step()
    {
        double dt = Dt;
        var f = Current.Forces;
        for (int k = 0; k < Positions.Length; k++)
        {
            Velocities[k] += 0.5 * dt * f[k] / MassOf[k / 3];
            Positions[k] += dt * Velocities[k];
        }
        Recompute();
        f = Current.Forces;
        for (int k = 0; k < Positions.Length; k++) Velocities[k] += 0.5 * dt * f[k] / MassOf[k / 3];
    }

    /// <inheritdoc/>
    protected override string? CheckStep()
    {
        double e = TotalEnergy;
        return Math.Abs(e - InitialEnergy) > MaxEnergyDriftPerAtom * NumAtoms
            ? $"total energy {e:R} eV from {InitialEnergy:R} eV, more than the limit of {MaxEnergyDriftPerAtom:R} eV/atom"
            : null;
    }
}
