namespace SciKernels.Potentials;

/// <summary>
/// One atomic configuration — atomic numbers, positions, cell and periodicity — with the reference
/// energy, forces and stress it was labelled with, when known (ASE's <c>Atoms</c> with a single-point calculator).
/// </summary>
/// <remarks>Units and conventions are ASE's: Å, eV, eV/Å, stress (1/V) ∂E/∂ε in eV/Å³, Voigt order xx yy zz yz xz xy.</remarks>
public sealed class AtomicStructure
{
    /// <summary>Creates a structure, checking that its parts agree.</summary>
    /// <param name="numbers">Atomic numbers (1…118), N values.</param>
    /// <param name="positions">Cartesian positions (Å), N·3, finite.</param>
    /// <param name="cell">Lattice vectors as rows (9 values), or null for an open system.</param>
    /// <param name="pbc">Periodicity per axis; default: periodic on all axes iff there is a cell (ASE's rule).</param>
    /// <param name="energy">Reference energy (eV), or null.</param>
    /// <param name="forces">Reference forces (eV/Å), N·3, or null.</param>
    /// <param name="stress">Reference stress (eV/Å³), 6 Voigt values, or null.</param>
    /// <exception cref="ArgumentException">A length does not match, a value is not finite, or pbc asks for a missing cell.</exception>
    public AtomicStructure(int[] numbers, double[] positions, double[]? cell = null, bool[]? pbc = null,
        double? energy = null, double[]? forces = null, double[]? stress = null)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentNullException.ThrowIfNull(positions);
        const string op = "AtomicStructure";
        if (positions.Length != 3L * numbers.Length)
            throw new ArgumentException($"{op}: {numbers.Length} atoms need {3L * numbers.Length} position values, got {positions.Length}", nameof(positions));
        for (int a = 0; a < numbers.Length; a++)
            if (numbers[a] < 1 || numbers[a] > 118) throw new ArgumentException($"{op}: atom {a} has atomic number {numbers[a]} (not 1…118)", nameof(numbers));
        for (int k = 0; k < positions.Length; k++)
            if (!double.IsFinite(positions[k])) throw new ArgumentException($"{op}: position of atom {k / 3} is not finite ({positions[k]} in component {"xyz"[k % 3]})", nameof(positions));
        if (cell is not null && (cell.Length != 9 || cell.Any(c => !double.IsFinite(c))))
            throw new ArgumentException($"{op}: the cell must hold 9 finite values (3 lattice vectors as rows), got [{string.Join(", ", cell)}]", nameof(cell));
        if (pbc is not null && pbc.Length != 3) throw new ArgumentException($"{op}: pbc must have 3 values, got {pbc.Length}", nameof(pbc));
        var p = pbc ?? [cell is not null, cell is not null, cell is not null];
        if (cell is null && p.Any(x => x)) throw new ArgumentException($"{op}: pbc [{string.Join(", ", p)}] needs a cell", nameof(pbc));
        if (energy is { } e && !double.IsFinite(e)) throw new ArgumentException($"{op}: the energy is {e}", nameof(energy));
        if (forces is not null && (forces.Length != positions.Length || forces.Any(f => !double.IsFinite(f))))
            throw new ArgumentException($"{op}: forces must be {positions.Length} finite values, got {forces.Length}{(forces.Length == positions.Length ? " with a non-finite one" : "")}", nameof(forces));
        if (stress is not null && (stress.Length != 6 || stress.Any(s => !double.IsFinite(s))))
            throw new ArgumentException($"{op}: stress must be 6 finite Voigt values (xx yy zz yz xz xy), got [{string.Join(", ", stress)}]", nameof(stress));
        if (stress is not null && cell is null) throw new ArgumentException($"{op}: a stress needs a cell", nameof(stress));
        Numbers = numbers;
        Positions = positions;
        Cell = cell;
        Pbc = p;
        Energy = energy;
        Forces = forces;
        Stress = stress;
    }

    /// <summary>Number of atoms.</summary>
    public int NumAtoms => Numbers.Length;

    /// <summary>Atomic numbers.</summary>
    public int[] Numbers { get; }

    /// <summary>Cartesian positions (Å), row-major [N·3].</summary>
    public double[] Positions { get; }

    /// <summary>Lattice vectors as rows, [9], or null.</summary>
    public double[]? Cell { get; }

    /// <summary>Periodicity per axis.</summary>
    public bool[] Pbc { get; }

    /// <summary>Reference energy (eV), or null.</summary>
    public double? Energy { get; }

    /// <summary>Reference forces (eV/Å), [N·3], or null.</summary>
    public double[]? Forces { get; }

    /// <summary>Reference stress (eV/Å³), Voigt [6], or null.</summary>
    public double[]? Stress { get; }

    /// <summary>|det cell| (Å³), or NaN without a cell.</summary>
    public double Volume => Cell is { } c
        ? Math.Abs(c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]))
        : double.NaN;

    /// <summary>The same configuration with other labels (null drops one).</summary>
    /// <param name="energy">Energy (eV), or null.</param>
    /// <param name="forces">Forces (eV/Å), N·3, or null.</param>
    /// <param name="stress">Stress (eV/Å³), Voigt 6, or null.</param>
    public AtomicStructure WithLabels(double? energy, double[]? forces, double[]? stress) => new(Numbers, Positions, Cell, Pbc, energy, forces, stress);
}
