namespace SciKernels.Potentials;

/// <summary>
/// What an <see cref="IAtomsCalculator"/> returns for one configuration: energy, forces and (with a cell)
/// stress, float64, in ASE's units and conventions; per-atom energies when the calculator has them.
/// </summary>
public class CalculatorResult
{
    /// <summary>Wraps a calculator's results, checking that the parts agree.</summary>
    /// <param name="energy">Total potential energy (eV).</param>
    /// <param name="energies">Per-atom energies (eV), [N], or null when the calculator has none.</param>
    /// <param name="forces">Forces (eV/Å), [N·3].</param>
    /// <param name="stress">Voigt stress (eV/Å³, xx yy zz yz xz xy, ASE's sign), [6], or null without a cell.</param>
    /// <exception cref="ArgumentException">The lengths disagree.</exception>
    public CalculatorResult(double energy, double[]? energies, double[] forces, double[]? stress)
    {
        ArgumentNullException.ThrowIfNull(forces);
        if (forces.Length % 3 != 0)
            throw new ArgumentException($"CalculatorResult: forces must hold N·3 values; got {forces.Length}.", nameof(forces));
        if (energies is not null && energies.Length * 3 != forces.Length)
            throw new ArgumentException($"CalculatorResult: {energies.Length} per-atom energies but forces for {forces.Length / 3} atoms.", nameof(energies));
        if (stress is not null && stress.Length != 6)
            throw new ArgumentException($"CalculatorResult: stress must hold 6 Voigt values; got {stress.Length}.", nameof(stress));
        Energy = energy;
        AtomEnergies = energies;
        Forces = forces;
        Stress = stress;
    }

    /// <summary>Total potential energy (eV).</summary>
    public double Energy { get; }

    /// <summary>Per-atom energies (eV), [N], summing to <see cref="Energy"/>; null when the calculator has none.</summary>
    public double[]? AtomEnergies { get; }

    /// <summary>Forces −∂E/∂x (eV/Å), flattened [N·3].</summary>
    public double[] Forces { get; }

    /// <summary>
    /// Stress (1/V) ∂E/∂ε (eV/Å³) in Voigt order xx, yy, zz, yz, xz, xy — ASE's <c>atoms.get_stress()</c>
    /// sign (positive under tension) — or null when there is no cell.
    /// </summary>
    public double[]? Stress { get; }
}
