using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Generative.Crystals;

/// <summary>
/// A small hand-made training set for the crystal diffusion model: FCC Cu, L1₂ Cu₃Au and L1₀ CuAu in their
/// 4-atom cubic/tetragonal cells and supercells of up to 16 atoms, each copy with a random rotation of the
/// Cartesian frame, a random fractional translation, a random order of the atoms and a small random strain.
/// </summary>
/// <remarks>Lattice constants are the experimental ones (Cu 3.615 Å, Cu₃Au 3.75 Å, CuAu a = 3.96 Å, c = 3.67 Å), not
/// relaxed with EMT: the set is for development and tests, the real data come from a structure search.</remarks>
public static class ToyCrystals
{
    private static readonly (string Name, int[] Numbers, double[] Fractional, double A, double C)[] Prototypes =
    [
        ("Cu (fcc)", [29, 29, 29, 29], [0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0], 3.615, 3.615),
        ("Cu3Au (L1_2)", [79, 29, 29, 29], [0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0], 3.75, 3.75),
        ("CuAu (L1_0)", [29, 29, 79, 79], [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5], 3.96, 3.67),
    ];

    private static readonly int[][] Supercells = [[1, 1, 1], [2, 1, 1], [1, 1, 2], [2, 2, 1]];

    /// <summary>Draws <paramref name="count"/> structures, cycling over prototypes × supercells; deterministic per seed.</summary>
    /// <param name="count">Structures ≥ 1.</param>
    /// <param name="seed">Seed of the rotations, translations, permutations and strains.</param>
    /// <param name="strain">Largest relative strain of each cell component (0 for exact cells).</param>
    public static List<AtomicStructure> Generate(int count, ulong seed, double strain = 0.01)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!(strain >= 0 && strain < 0.2)) throw new ArgumentOutOfRangeException(nameof(strain), strain, "ToyCrystals: strain must be in [0, 0.2)");
        var gen = new Generator(seed);
        var result = new List<AtomicStructure>(count);
        for (int k = 0; k < count; k++)
        {
            var (_, numbers, frac, a, c) = Prototypes[k % Prototypes.Length];
            var rep = Supercells[k / Prototypes.Length % Supercells.Length];
            var z = new List<int>();
            var f = new List<double>();
            for (int i = 0; i < rep[0]; i++)
                for (int j = 0; j < rep[1]; j++)
                    for (int l = 0; l < rep[2]; l++)
                        for (int atom = 0; atom < numbers.Length; atom++)
                        {
                            z.Add(numbers[atom]);
                            f.Add((frac[3 * atom] + i) / rep[0]);
                            f.Add((frac[3 * atom + 1] + j) / rep[1]);
                            f.Add((frac[3 * atom + 2] + l) / rep[2]);
                        }
            var cell = new double[9];
            cell[0] = a * rep[0];
            cell[4] = a * rep[1];
            cell[8] = c * rep[2];
            for (int e = 0; e < 9; e++) cell[e] += strain * a * (2 * gen.NextDouble() - 1);
            var q = Rotation(gen);
            var rotated = new double[9];
            for (int r = 0; r < 3; r++)
                for (int col = 0; col < 3; col++)
                    rotated[3 * r + col] = cell[3 * r] * q[3 * col] + cell[3 * r + 1] * q[3 * col + 1] + cell[3 * r + 2] * q[3 * col + 2];
            double[] shift = [gen.NextDouble(), gen.NextDouble(), gen.NextDouble()];
            var perm = gen.Permutation(z.Count);
            var numbersOut = new int[z.Count];
            var fracOut = new double[3 * z.Count];
            for (int i = 0; i < z.Count; i++)
            {
                numbersOut[i] = z[perm[i]];
                for (int d = 0; d < 3; d++) fracOut[3 * i + d] = f[3 * perm[i] + d] + shift[d];
            }
            result.Add(new FractionalCrystal(numbersOut, fracOut, rotated).ToStructure());
        }
        return result;
    }

    /// <summary>A uniformly random rotation (unit quaternion from four normals), row-major.</summary>
    private static double[] Rotation(Generator gen)
    {
        double w = gen.NextNormal(), x = gen.NextNormal(), y = gen.NextNormal(), zq = gen.NextNormal();
        double n = Math.Sqrt(w * w + x * x + y * y + zq * zq);
        w /= n; x /= n; y /= n; zq /= n;
        return
        [
            1 - 2 * (y * y + zq * zq), 2 * (x * y - zq * w), 2 * (x * zq + y * w),
            2 * (x * y + zq * w), 1 - 2 * (x * x + zq * zq), 2 * (y * zq - x * w),
            2 * (x * zq - y * w), 2 * (y * zq + x * w), 1 - 2 * (x * x + y * y),
        ];
    }
}
