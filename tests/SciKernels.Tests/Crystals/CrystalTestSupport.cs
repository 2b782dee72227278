using SciKernels.Crystals;
using SciKernels.Potentials;

namespace SciKernels.Tests.Crystals;

/// <summary>Random rigid motions, changes of basis and permutations of periodic structures for the crystal tests.</summary>
internal static class CrystalTestSupport
{
    public const int Cu = 29, Ag = 47, Au = 79;

    /// <summary>A random orthogonal matrix (row-major), a reflection when asked.</summary>
    public static double[] Orthogonal(System.Random rng, bool reflect)
    {
        // Gram–Schmidt on random vectors.
        var m = new double[9];
        for (int i = 0; i < 3; i++)
        {
            for (int c = 0; c < 3; c++) m[3 * i + c] = rng.NextDouble() * 2 - 1;
            for (int j = 0; j < i; j++)
            {
                double d = 0;
                for (int c = 0; c < 3; c++) d += m[3 * i + c] * m[3 * j + c];
                for (int c = 0; c < 3; c++) m[3 * i + c] -= d * m[3 * j + c];
            }
            double n = CellMath.Norm(m.AsSpan(3 * i, 3));
            for (int c = 0; c < 3; c++) m[3 * i + c] /= n;
        }
        if ((CellMath.Det(m) < 0) != reflect)
            for (int c = 6; c < 9; c++) m[c] = -m[c];
        return m;
    }

    /// <summary>A random unimodular integer matrix: a product of shears and a row swap.</summary>
    public static int[] Unimodular(System.Random rng)
    {
        int[] m = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        for (int step = 0; step < 4; step++)
        {
            int i = rng.Next(3), j = (i + 1 + rng.Next(2)) % 3, s = rng.Next(2) * 2 - 1;
            for (int c = 0; c < 3; c++) m[3 * i + c] += s * m[3 * j + c];
        }
        if (rng.Next(2) == 1)
            for (int c = 0; c < 3; c++) (m[c], m[3 + c]) = (m[3 + c], m[c]);
        return m;
    }

    /// <summary>
    /// The same crystal described differently: cell rows replaced by an integer unimodular combination,
    /// rotated (or reflected), translated, atoms permuted and wrapped into the new cell.
    /// </summary>
    public static AtomicStructure Redescribe(AtomicStructure s, System.Random rng, bool reflect)
    {
        var u = Unimodular(rng).Select(x => (double)x).ToArray();
        var q = Orthogonal(rng, reflect);
        var cell = CellMath.Multiply(CellMath.Multiply(u, s.Cell!), q); // rows rotated: r → r · q
        double[] shift = [rng.NextDouble() * 4 - 2, rng.NextDouble() * 4 - 2, rng.NextDouble() * 4 - 2];
        var r = CellMath.RowsTimes(s.Positions, q);
        for (int k = 0; k < r.Length; k++) r[k] += shift[k % 3];
        var f = CellMath.ToFractional(r, cell);
        for (int k = 0; k < f.Length; k++) f[k] -= Math.Floor(f[k]);
        r = CellMath.RowsTimes(f, cell);
        int n = s.NumAtoms;
        var perm = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var z = perm.Select(a => s.Numbers[a]).ToArray();
        var pos = perm.SelectMany(a => r.Skip(3 * a).Take(3)).ToArray();
        return new AtomicStructure(z, pos, cell);
    }

    /// <summary>A copy with every atom displaced by a random vector of the given length (Å).</summary>
    public static AtomicStructure Rattle(AtomicStructure s, System.Random rng, double length)
    {
        var r = (double[])s.Positions.Clone();
        for (int a = 0; a < s.NumAtoms; a++)
        {
            double[] d = [rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1];
            double n = CellMath.Norm(d);
            for (int c = 0; c < 3; c++) r[3 * a + c] += length * d[c] / n;
        }
        return new AtomicStructure(s.Numbers, r, s.Cell);
    }

    /// <summary>BCC of one element with the given volume per atom, 2-atom cubic cell.</summary>
    public static AtomicStructure Bcc(int z, double volumePerAtom)
    {
        double a = Math.Cbrt(2 * volumePerAtom);
        return new AtomicStructure([z, z], [0, 0, 0, a / 2, a / 2, a / 2], [a, 0, 0, 0, a, 0, 0, 0, a]);
    }
}
