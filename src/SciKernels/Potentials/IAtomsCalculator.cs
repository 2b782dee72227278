namespace SciKernels.Potentials;

/// <summary>
/// A potential that molecular dynamics, data generation and the command line can drive: energy, forces,
/// stress (and per-atom energies if it has them) of one configuration, in ASE's units (Å, eV).
/// </summary>
/// <remarks>
/// <see cref="Emt"/> implements it; a learned model gets an adapter. Implementations check their input and
/// throw <see cref="ArgumentException"/> naming the offending atom or value (unknown element, non-finite
/// position, coincident atoms).
/// </remarks>
public interface IAtomsCalculator
{
    /// <summary>A short name for messages and file headers (e.g. <c>EMT</c>).</summary>
    string Name { get; }

    /// <summary>Energy, forces and (with a cell) stress of one configuration.</summary>
    /// <param name="positions">Cartesian positions (Å), N·3 values.</param>
    /// <param name="numbers">Atomic numbers, N values.</param>
    /// <param name="cell">The cell (Å), 9 values with rows = lattice vectors, or empty for none.</param>
    /// <param name="pbc">Periodicity per axis (3 values), or empty for "periodic iff a cell is given".</param>
    CalculatorResult Calculate(ReadOnlySpan<double> positions, ReadOnlySpan<int> numbers, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc);
}
