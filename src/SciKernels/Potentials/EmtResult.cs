namespace SciKernels.Potentials;

/// <summary>Energy, per-atom energies, forces and stress of one configuration, float64, in ASE's units and conventions.</summary>
public sealed class EmtResult
{
    internal EmtResult(double energy, double[] energies, double[] forces, double[]? stress)
    {
        Energy = energy;
        Energies = energies;
        Forces = forces;
        Stress = stress;
    }

    /// <summary>Total potential energy (eV).</summary>
    public double Energy { get; }

    /// <summary>Per-atom energies (eV), [N]; they sum to <see cref="Energy"/> (pair terms split evenly, as ASE does).</summary>
    public double[] Energies { get; }

    /// <summary>Forces −∂E/∂x (eV/Å), flattened [N·3].</summary>
    public double[] Forces { get; }

    /// <summary>
    /// Stress (1/V) ∂E/∂ε (eV/Å³) in Voigt order xx, yy, zz, yz, xz, xy — ASE's <c>atoms.get_stress()</c>
    /// sign (positive under tension) — or null when there is no cell (ASE raises there).
    /// </summary>
    public double[]? Stress { get; }
}
