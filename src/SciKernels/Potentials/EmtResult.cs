namespace SciKernels.Potentials;

/// <summary>Energy, per-atom energies, forces and stress of one configuration from <see cref="Emt"/>, float64, in ASE's units and conventions.</summary>
public sealed class EmtResult : CalculatorResult
{
    internal EmtResult(double energy, double[] energies, double[] forces, double[]? stress)
        : base(energy, energies, forces, stress)
    {
        Energies = energies;
    }

    /// <summary>Per-atom energies (eV), [N]; they sum to <see cref="CalculatorResult.Energy"/> (pair terms split evenly, as ASE does).</summary>
    public double[] Energies { get; }
}
