using System.Globalization;
using SciKernels.Potentials;

namespace SciKernels.Data;

/// <summary>
/// Extended-XYZ frames carrying a calculator's results the way ASE writes them (<c>ase.io.write</c> with a
/// calculator attached): <c>energy=</c> and <c>stress=</c> (the full 3×3 matrix, 9 values) in the comment
/// line and a <c>forces</c> column, so <c>ase.io.read</c> gives back a SinglePointCalculator with
/// energy, forces and Voigt stress.
/// </summary>
public static class PotentialFrames
{
    /// <summary>A frame of the configuration with its EMT results.</summary>
    /// <param name="numbers">Atomic numbers (EMT elements), N values.</param>
    /// <param name="positions">Positions (Å), N·3.</param>
    /// <param name="cell">The cell, 9 values, or empty for none.</param>
    /// <param name="pbc">Periodicity per axis, or empty (ASE's rule: periodic iff there is a cell).</param>
    /// <param name="result">The calculator's results for exactly this configuration.</param>
    /// <param name="info">Extra key=value pairs for the comment line (e.g. step, time), or null.</param>
    public static XyzFrame FromEmt(int[] numbers, double[] positions, double[] cell, bool[] pbc, CalculatorResult result, IEnumerable<KeyValuePair<string, string>>? info = null) =>
        FromResult(numbers, positions, cell, pbc, result, info);

    /// <summary>A frame of the configuration with any calculator's results (energy, stress, forces; per-atom energies are not written, as in ASE's default).</summary>
    /// <param name="numbers">Atomic numbers (elements of <see cref="Emt.Elements"/>), N values.</param>
    /// <param name="positions">Positions (Å), N·3.</param>
    /// <param name="cell">The cell, 9 values, or empty for none.</param>
    /// <param name="pbc">Periodicity per axis, or empty (ASE's rule: periodic iff there is a cell).</param>
    /// <param name="result">The calculator's results for exactly this configuration.</param>
    /// <param name="info">Extra key=value pairs for the comment line (e.g. step, time), or null.</param>
    public static XyzFrame FromResult(int[] numbers, double[] positions, double[] cell, bool[] pbc, CalculatorResult result, IEnumerable<KeyValuePair<string, string>>? info = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Forces.Length != positions.Length)
            throw new ArgumentException($"PotentialFrames.FromResult: {positions.Length / 3} atoms but forces for {result.Forces.Length / 3}.", nameof(result));
        var species = new string[numbers.Length];
        for (int a = 0; a < numbers.Length; a++)
        {
            int z = numbers[a];
            species[a] = SymbolOf(z)
                ?? throw new ArgumentException($"PotentialFrames.FromResult: no known element with atomic number {z} (atom {a}).", nameof(numbers));
        }
        var pairs = new List<KeyValuePair<string, string>>();
        if (info is not null) pairs.AddRange(info);
        pairs.Add(new("energy", R(result.Energy)));
        if (result.Stress is { } s)
        {
            // Voigt xx yy zz yz xz xy → the symmetric 3×3 matrix, row by row, as ASE writes it.
            double[] full = [s[0], s[5], s[4], s[5], s[1], s[3], s[4], s[3], s[2]];
            pairs.Add(new("stress", string.Join(' ', full.Select(R))));
        }
        var forces = new XyzProperty("forces", XyzPropertyType.Real, 3, result.Forces.Select(R).ToArray());
        return new XyzFrame(species, (double[])positions.Clone(), cell.Length == 9 ? (double[])cell.Clone() : null,
            pbc.Length == 3 ? (bool[])pbc.Clone() : null, pairs, [forces]);
    }

    /// <summary>The chemical symbol of an atomic number of <see cref="Emt.Elements"/>, or null.</summary>
    /// <param name="z">Atomic number.</param>
    public static string? SymbolOf(int z) => Emt.Elements.FirstOrDefault(s => Emt.AtomicNumber(s) == z);

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
