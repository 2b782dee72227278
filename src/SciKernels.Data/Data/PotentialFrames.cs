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
        for (int a = 0; a < numbers.Length; a++)
        {
            int z = numbers[a];
            _ = SymbolOf(z)
                ?? throw new ArgumentException($"PotentialFrames.FromResult: no known element with atomic number {z} (atom {a}).", nameof(numbers));
        }
        return FromResults(numbers, positions, cell, pbc, result.Energy, result.Forces, result.Stress, info);
    }

    /// <summary>A frame of the configuration with a calculator's (or a learned potential's) results.</summary>
    /// <param name="numbers">Atomic numbers, N values.</param>
    /// <param name="positions">Positions (Å), N·3.</param>
    /// <param name="cell">The cell, 9 values, or empty for none.</param>
    /// <param name="pbc">Periodicity per axis, or empty (ASE's rule: periodic iff there is a cell).</param>
    /// <param name="energy">Energy (eV).</param>
    /// <param name="forces">Forces (eV/Å), N·3.</param>
    /// <param name="stress">Voigt stress (eV/Å³, xx yy zz yz xz xy), or null.</param>
    /// <param name="info">Extra key=value pairs for the comment line, or null.</param>
    public static XyzFrame FromResults(int[] numbers, double[] positions, double[] cell, bool[] pbc, double energy, double[] forces, double[]? stress,
        IEnumerable<KeyValuePair<string, string>>? info = null)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(forces);
        if (forces.Length != positions.Length)
            throw new ArgumentException($"PotentialFrames.FromResults: {positions.Length / 3} atoms but forces for {forces.Length / 3}.", nameof(forces));
        var species = numbers.Select(Elements.Symbol).ToArray();
        var pairs = new List<KeyValuePair<string, string>>();
        if (info is not null) pairs.AddRange(info);
        pairs.Add(new("energy", R(energy)));
        if (stress is { } s)
        {
            // Voigt xx yy zz yz xz xy → the symmetric 3×3 matrix, row by row, as ASE writes it.
            double[] full = [s[0], s[5], s[4], s[5], s[1], s[3], s[4], s[3], s[2]];
            pairs.Add(new("stress", string.Join(' ', full.Select(R))));
        }
        var f = new XyzProperty("forces", XyzPropertyType.Real, 3, forces.Select(R).ToArray());
        return new XyzFrame(species, (double[])positions.Clone(), cell.Length == 9 ? (double[])cell.Clone() : null,
            pbc.Length == 3 ? (bool[])pbc.Clone() : null, pairs, [f]);
    }

    /// <summary>
    /// The structure of a frame with the labels ASE would read from it: <c>energy=</c> (or <c>free_energy=</c>),
    /// a <c>forces</c> column and <c>stress=</c> (9 values row by row, or 6 in Voigt order). Labels that are absent stay null.
    /// </summary>
    /// <param name="frame">The frame; species must be chemical symbols.</param>
    /// <param name="index">Its index in the file (for messages).</param>
    /// <exception cref="FormatException">An unknown chemical symbol, or a label that is not numeric, of the wrong size or not finite (the message names the frame).</exception>
    public static AtomicStructure ToStructure(XyzFrame frame, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var numbers = new int[frame.NumAtoms];
        for (int a = 0; a < numbers.Length; a++)
        {
            numbers[a] = Elements.TryNumber(frame.Species[a]);
            if (numbers[a] == 0) throw new FormatException($"frame {index}, atom {a}: species '{frame.Species[a]}' is not a chemical symbol");
        }
        double? energy = null;
        double[]? forces = null, stress = null;
        foreach (var (key, value) in frame.Info)
        {
            if (key is "energy" || (key is "free_energy" && energy is null)) energy = Numbers(value, index, key, 1)[0];
            else if (key is "stress")
            {
                var v = Numbers(value, index, key, -1);
                stress = v.Length switch
                {
                    9 => [v[0], v[4], v[8], 0.5 * (v[5] + v[7]), 0.5 * (v[2] + v[6]), 0.5 * (v[1] + v[3])],
                    6 => v,
                    _ => throw new FormatException($"frame {index}: stress= has {v.Length} values; expected 9 (3×3) or 6 (Voigt)"),
                };
            }
        }
        var fp = frame.Properties.FirstOrDefault(p => p.Name == "forces");
        if (fp is not null)
        {
            if (fp.Type != XyzPropertyType.Real || fp.Columns != 3) throw new FormatException($"frame {index}: the forces column must be R:3, got {fp.Type}:{fp.Columns}");
            forces = fp.ToDoubles();
            int bad = Array.FindIndex(forces, x => !double.IsFinite(x));
            if (bad >= 0) throw new FormatException($"frame {index}: the force on atom {bad / 3} is not finite ({forces[bad]})");
        }
        if (stress is not null && frame.Cell is null) throw new FormatException($"frame {index}: stress= is given but there is no Lattice");
        try
        {
            return new AtomicStructure(numbers, frame.Positions, frame.Cell, frame.Pbc, energy, forces, stress);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"frame {index}: {e.Message}", e);
        }
    }

    private static double[] Numbers(string text, int frame, string key, int count)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (count > 0 && parts.Length != count) throw new FormatException($"frame {frame}: {key}= must hold {count} number(s), got '{text}'");
        var v = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]))
                throw new FormatException($"frame {frame}: {key}= holds '{parts[i]}', not a finite number");
        return v;
    }

    /// <summary>The chemical symbol of an atomic number of <see cref="Emt.Elements"/>, or null.</summary>
    /// <param name="z">Atomic number.</param>
    public static string? SymbolOf(int z) => Emt.Elements.FirstOrDefault(s => Emt.AtomicNumber(s) == z);

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
