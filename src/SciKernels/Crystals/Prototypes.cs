using SciKernels.Potentials;

namespace SciKernels.Crystals;

/// <summary>
/// Known ordered structures on the FCC lattice — pure FCC, L1₂ (Cu₃Au type) and L1₀ (CuAu type) — in
/// their 4-atom cubic cells, with a lattice constant from Vegard's rule over EMT's ideal FCC lattice
/// constants (√2 β s0); and supercells. Seeds of the random search and references for the matcher.
/// </summary>
public static class Prototypes
{
    private static readonly double[] CubicSites = [0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0];

    /// <summary>EMT's ideal FCC lattice constant of an element, √2 β s0 (Å): the start of a relaxation, not its result.</summary>
    /// <param name="z">Atomic number of an EMT element.</param>
    /// <exception cref="ArgumentException">The element has no EMT parameters.</exception>
    public static double FccLatticeConstant(int z)
    {
        var e = EmtParameters.Find(z) ?? throw new ArgumentException($"Prototypes: no EMT parameters for atomic number {z}; supported: {string.Join(", ", Emt.Elements)}", nameof(z));
        return Math.Sqrt(2) * EmtParameters.Beta * e.S0;
    }

    /// <summary>Volume per atom (Å³) of an element's ideal EMT FCC crystal, a³/4.</summary>
    /// <param name="z">Atomic number of an EMT element.</param>
    public static double AtomicVolume(int z) => Math.Pow(FccLatticeConstant(z), 3) / 4;

    /// <summary>The 4-atom cubic cell with the given species on the sites (0,0,0), (0,½,½), (½,0,½), (½,½,0).</summary>
    /// <param name="numbers">Four atomic numbers, one per site in that order.</param>
    /// <param name="latticeConstant">Cube edge (Å); default: Vegard's rule over the species.</param>
    public static AtomicStructure Cubic(int[] numbers, double? latticeConstant = null)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        if (numbers.Length != 4) throw new ArgumentException($"Prototypes.Cubic: the FCC cube has 4 sites, got {numbers.Length} species", nameof(numbers));
        double a = latticeConstant ?? numbers.Average(FccLatticeConstant);
        var r = CubicSites.Select(f => f * a).ToArray();
        return new AtomicStructure((int[])numbers.Clone(), r, [a, 0, 0, 0, a, 0, 0, 0, a]);
    }

    /// <summary>Pure FCC of one element in the cubic cell (4 atoms).</summary>
    /// <param name="z">Atomic number.</param>
    public static AtomicStructure Fcc(int z) => Cubic([z, z, z, z]);

    /// <summary>L1₂ A₃B (Cu₃Au type): B on the cube corners, A on the face centres.</summary>
    /// <param name="a">Majority element.</param>
    /// <param name="b">Minority element.</param>
    public static AtomicStructure L12(int a, int b) => Cubic([b, a, a, a]);

    /// <summary>L1₀ AB (CuAu type): alternating (001) planes of A and B.</summary>
    /// <param name="a">Element on the z = 0 planes.</param>
    /// <param name="b">Element on the z = ½ planes.</param>
    public static AtomicStructure L10(int a, int b) => Cubic([a, b, b, a]);

    /// <summary>The n₁×n₂×n₃ supercell (atoms ordered by image, then by atom).</summary>
    /// <param name="s">A structure with a cell.</param>
    /// <param name="n1">Repeats along the first lattice vector (≥ 1).</param>
    /// <param name="n2">Repeats along the second.</param>
    /// <param name="n3">Repeats along the third.</param>
    public static AtomicStructure Supercell(AtomicStructure s, int n1, int n2, int n3)
    {
        ArgumentNullException.ThrowIfNull(s);
        var cell = s.Cell ?? throw new ArgumentException("Prototypes.Supercell: the structure has no cell", nameof(s));
        if (n1 < 1 || n2 < 1 || n3 < 1) throw new ArgumentException($"Prototypes.Supercell: repeats must be ≥ 1, got {n1}×{n2}×{n3}");
        int n = s.NumAtoms, m = n1 * n2 * n3;
        var z = new int[n * m];
        var r = new double[3 * n * m];
        int o = 0;
        for (int i = 0; i < n1; i++)
            for (int j = 0; j < n2; j++)
                for (int k = 0; k < n3; k++)
                    for (int a = 0; a < n; a++, o++)
                    {
                        z[o] = s.Numbers[a];
                        for (int c = 0; c < 3; c++)
                            r[3 * o + c] = s.Positions[3 * a + c] + i * cell[c] + j * cell[3 + c] + k * cell[6 + c];
                    }
        double[] big = [.. cell[..3].Select(v => v * n1), .. cell[3..6].Select(v => v * n2), .. cell[6..].Select(v => v * n3)];
        return new AtomicStructure(z, r, big);
    }
}
