namespace SciKernels.Potentials;

/// <summary>
/// A learned <see cref="IPotentialModel"/> as an <see cref="IAtomsCalculator"/>, so molecular dynamics
/// (<see cref="VelocityVerlet"/>, <see cref="Langevin"/>) runs on it as on EMT: each call builds the
/// radius graph of the configuration and takes energy, forces = −∂E/∂x and the stress from autodiff
/// (<see cref="PotentialEvaluator"/>).
/// </summary>
/// <param name="model">The trained model.</param>
/// <param name="name">A short name for messages and file headers.</param>
public sealed class LearnedPotentialCalculator(IPotentialModel model, string name = "learned") : IAtomsCalculator
{
    /// <summary>The model evaluated.</summary>
    public IPotentialModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public CalculatorResult Calculate(ReadOnlySpan<double> positions, ReadOnlySpan<int> numbers, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc)
    {
        var structure = new AtomicStructure(numbers.ToArray(), positions.ToArray(), cell.Length == 9 ? cell.ToArray() : null, pbc.Length == 3 ? pbc.ToArray() : null);
        using var evaluator = new PotentialEvaluator(Model, [structure]);
        var r = evaluator.EvaluateAll()[0];
        return new CalculatorResult(r.Energy, r.AtomicEnergies, r.Forces, r.Stress);
    }
}
