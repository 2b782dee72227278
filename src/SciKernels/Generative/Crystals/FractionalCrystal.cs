using SciKernels.Potentials;

namespace SciKernels.Generative.Crystals;

/// <summary>
/// A periodic crystal as the diffusion model sees it: atomic numbers, fractional coordinates in [0, 1)
/// (row-major [n·3]) and the lattice vectors as rows ([9]); Cartesian r = f L.
/// </summary>
public sealed class FractionalCrystal
{
    /// <summary>Creates a crystal, wrapping the fractional coordinates into [0, 1).</summary>
    public FractionalCrystal(int[] numbers, double[] fractional, double[] lattice)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentNullException.ThrowIfNull(fractional);
        ArgumentNullException.ThrowIfNull(lattice);
        if (numbers.Length == 0) throw new ArgumentException("FractionalCrystal: no atoms", nameof(numbers));
        if (fractional.Length != 3 * numbers.Length)
            throw new ArgumentException($"FractionalCrystal: {numbers.Length} atoms need {3 * numbers.Length} fractional coordinates, got {fractional.Length}", nameof(fractional));
        if (lattice.Length != 9) throw new ArgumentException($"FractionalCrystal: the lattice needs 9 values (3 rows), got {lattice.Length}", nameof(lattice));
        if (fractional.Any(v => !double.IsFinite(v)) || lattice.Any(v => !double.IsFinite(v)))
            throw new ArgumentException("FractionalCrystal: coordinates and lattice must be finite");
        Numbers = (int[])numbers.Clone();
        Fractional = fractional.Select(WrappedNormal.Wrap).ToArray();
        Lattice = (double[])lattice.Clone();
    }

    /// <summary>Atomic number per atom.</summary>
    public int[] Numbers { get; }

    /// <summary>Fractional coordinates in [0, 1), [n·3].</summary>
    public double[] Fractional { get; }

    /// <summary>Lattice vectors as rows, [9].</summary>
    public double[] Lattice { get; }

    /// <summary>Number of atoms n.</summary>
    public int NumAtoms => Numbers.Length;

    /// <summary>The signed cell volume det L.</summary>
    public double Determinant => Det(Lattice);

    /// <summary>The crystal of a periodic structure (all three axes periodic, a non-singular cell).</summary>
    /// <exception cref="ArgumentException">No cell, a non-periodic axis or a singular cell (the message says which).</exception>
    public static FractionalCrystal FromStructure(AtomicStructure structure)
    {
        ArgumentNullException.ThrowIfNull(structure);
        var l = structure.Cell ?? throw new ArgumentException("FractionalCrystal.FromStructure: the structure has no cell", nameof(structure));
        if (!structure.Pbc.All(p => p))
            throw new ArgumentException($"FractionalCrystal.FromStructure: every axis must be periodic, got pbc = [{string.Join(", ", structure.Pbc)}]", nameof(structure));
        double det = Det(l);
        double scale = Math.Pow(Math.Abs(l[0] * l[0] + l[1] * l[1] + l[2] * l[2]) * (l[3] * l[3] + l[4] * l[4] + l[5] * l[5]) * (l[6] * l[6] + l[7] * l[7] + l[8] * l[8]), 0.5);
        if (!(Math.Abs(det) > 1e-9 * scale))
            throw new ArgumentException($"FractionalCrystal.FromStructure: the cell [{string.Join(", ", l)}] is singular (det = {det})", nameof(structure));
        // f = r L⁻¹ with L⁻¹ = adj(L)/det.
        double[] inv =
        [
            (l[4] * l[8] - l[5] * l[7]) / det, (l[2] * l[7] - l[1] * l[8]) / det, (l[1] * l[5] - l[2] * l[4]) / det,
            (l[5] * l[6] - l[3] * l[8]) / det, (l[0] * l[8] - l[2] * l[6]) / det, (l[2] * l[3] - l[0] * l[5]) / det,
            (l[3] * l[7] - l[4] * l[6]) / det, (l[1] * l[6] - l[0] * l[7]) / det, (l[0] * l[4] - l[1] * l[3]) / det,
        ];
        var r = structure.Positions;
        var f = new double[r.Length];
        for (int i = 0; i < structure.NumAtoms; i++)
            for (int c = 0; c < 3; c++)
                f[3 * i + c] = r[3 * i] * inv[c] + r[3 * i + 1] * inv[3 + c] + r[3 * i + 2] * inv[6 + c];
        return new FractionalCrystal(structure.Numbers, f, l);
    }

    /// <summary>Cartesian positions r = f L, [n·3].</summary>
    public double[] CartesianPositions()
    {
        var r = new double[Fractional.Length];
        for (int i = 0; i < NumAtoms; i++)
            for (int c = 0; c < 3; c++)
                r[3 * i + c] = Fractional[3 * i] * Lattice[c] + Fractional[3 * i + 1] * Lattice[3 + c] + Fractional[3 * i + 2] * Lattice[6 + c];
        return r;
    }

    /// <summary>The periodic structure (Cartesian positions, the lattice as cell, all axes periodic).</summary>
    public AtomicStructure ToStructure() => new(Numbers, CartesianPositions(), (double[])Lattice.Clone(), [true, true, true]);

    private static double Det(double[] l) =>
        l[0] * (l[4] * l[8] - l[5] * l[7]) - l[1] * (l[3] * l[8] - l[5] * l[6]) + l[2] * (l[3] * l[7] - l[4] * l[6]);
}
