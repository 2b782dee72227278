using SciKernels.Graphs;

namespace SciKernels.Tests.Graphs;

/// <summary>A periodic (or partly periodic) system for neighbour-list tests.</summary>
public sealed record AtomsCase(double[] Positions, double[] Cell, bool[] Pbc, double Cutoff, string Kind)
{
    /// <summary>Number of atoms.</summary>
    public int N => Positions.Length / 3;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Kind}: N={N}, cutoff={Cutoff:R}, pbc=[{string.Join(",", Pbc)}], cell=[{string.Join(", ", Cell.Select(c => c.ToString("R")))}]";
}

/// <summary>One directed pair: receiver i, sender j, image shift, distance.</summary>
public readonly record struct PairKey(long I, long J, long S0, long S1, long S2);

/// <summary>Random cells and an all-images brute force written independently of the cell list.</summary>
public static class NeighborTestKit
{
    /// <summary>A random right-handed triclinic system: tiny cells (cutoff ≫ cell), skewed cells or ordinary ones.</summary>
    public static AtomsCase RandomCase(int seed, int maxAtoms = 16)
    {
        var rng = new System.Random(seed);
        string kind = (seed & 3) switch { 0 => "tiny", 1 => "skewed", _ => "ordinary" };
        double length = kind == "tiny" ? 0.6 + rng.NextDouble() : 2 + 4 * rng.NextDouble();
        var cell = new double[9];
        do
        {
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++)
                {
                    double off = kind == "skewed" ? 0.9 * (2 * rng.NextDouble() - 1) : 0.25 * (2 * rng.NextDouble() - 1);
                    cell[3 * r + c] = length * (r == c ? 0.7 + 0.6 * rng.NextDouble() : off);
                }
            }
            if (Det(cell) < 0)
                for (int c = 0; c < 3; c++) cell[c] = -cell[c]; // flip a to make it right-handed
        }
        while (Math.Abs(Det(cell)) < 0.05 * Math.Pow(length, 3));
        var pbc = new bool[3];
        for (int a = 0; a < 3; a++) pbc[a] = rng.NextDouble() < 0.75;
        int n = 1 + rng.Next(maxAtoms);
        var pos = new double[3 * n];
        for (int i = 0; i < n; i++)
        {
            // Fractional coordinates partly outside [0, 1): positions need not be wrapped.
            double f0 = -0.3 + 1.6 * rng.NextDouble(), f1 = -0.3 + 1.6 * rng.NextDouble(), f2 = -0.3 + 1.6 * rng.NextDouble();
            for (int c = 0; c < 3; c++) pos[3 * i + c] = f0 * cell[c] + f1 * cell[3 + c] + f2 * cell[6 + c];
        }
        double cutoff = kind == "tiny" ? 1.5 + 2 * rng.NextDouble() : 0.5 + 3 * rng.NextDouble();
        return new AtomsCase(pos, cell, pbc, cutoff, kind);
    }

    /// <summary>Every (i, j, S) with |pos[j] − pos[i] + S·cell| &lt; cutoff, by trying all shifts in a box that surely holds them.</summary>
    public static List<(PairKey Key, double D)> BruteForce(AtomsCase c)
    {
        int n = c.N;
        var inv = Inverse(c.Cell);
        var range = new int[3];
        for (int a = 0; a < 3; a++)
        {
            if (!c.Pbc[a]) continue;
            // |Δf_a| ≤ |D|·|column a of cell⁻¹|, and fractional coordinates spread over [lo, hi].
            double colNorm = Math.Sqrt(inv[a] * inv[a] + inv[3 + a] * inv[3 + a] + inv[6 + a] * inv[6 + a]);
            double lo = double.MaxValue, hi = double.MinValue;
            for (int i = 0; i < n; i++)
            {
                double f = c.Positions[3 * i] * inv[a] + c.Positions[3 * i + 1] * inv[3 + a] + c.Positions[3 * i + 2] * inv[6 + a];
                lo = Math.Min(lo, f);
                hi = Math.Max(hi, f);
            }
            range[a] = (int)Math.Ceiling(c.Cutoff * colNorm + (hi - lo)) + 1;
        }
        var result = new List<(PairKey, double)>();
        var p = c.Positions;
        var m = c.Cell;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (long s0 = -range[0]; s0 <= range[0]; s0++)
                    for (long s1 = -range[1]; s1 <= range[1]; s1++)
                        for (long s2 = -range[2]; s2 <= range[2]; s2++)
                        {
                            if (i == j && s0 == 0 && s1 == 0 && s2 == 0) continue;
                            double dx = p[3 * j] - p[3 * i] + (s0 * m[0] + s1 * m[3] + s2 * m[6]);
                            double dy = p[3 * j + 1] - p[3 * i + 1] + (s0 * m[1] + s1 * m[4] + s2 * m[7]);
                            double dz = p[3 * j + 2] - p[3 * i + 2] + (s0 * m[2] + s1 * m[5] + s2 * m[8]);
                            double d = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                            if (d < c.Cutoff) result.Add((new PairKey(i, j, s0, s1, s2), d));
                        }
        return result;
    }

    /// <summary>The cell-list result of a case as (key, distance) rows in output order.</summary>
    public static List<(PairKey Key, double D)> CellList(AtomsCase c, int maxNeighbors = 0)
    {
        var pairs = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, maxNeighbors);
        return Rows(pairs);
    }

    /// <summary>Rows of a host neighbour list.</summary>
    public static List<(PairKey Key, double D)> Rows(NeighborPairs pairs)
    {
        var rows = new List<(PairKey, double)>(pairs.Count);
        for (int k = 0; k < pairs.Count; k++)
            rows.Add((new PairKey(pairs.First[k], pairs.Second[k], pairs.Shifts[3 * k], pairs.Shifts[3 * k + 1], pairs.Shifts[3 * k + 2]), pairs.Distances[k]));
        return rows;
    }

    /// <summary>
    /// Asserts two lists hold the same pairs (after mapping <paramref name="expected"/> keys) with
    /// distances within 1e-9, ignoring pairs within 1e-9 of the cutoff, which rounding may put on either side.
    /// </summary>
    public static void AssertSamePairs(List<(PairKey Key, double D)> expected, List<(PairKey Key, double D)> actual, double cutoff, Func<PairKey, PairKey> map, string what)
    {
        const double tol = 1e-9;
        var a = actual.ToDictionary(r => r.Key, r => r.D);
        var e = expected.ToDictionary(r => map(r.Key), r => r.D);
        foreach (var (key, d) in e)
        {
            if (d > cutoff - tol) continue;
            Xunit.Assert.True(a.TryGetValue(key, out var ad), $"{what}: pair {key} (d = {d:R}) missing");
            Xunit.Assert.True(Math.Abs(ad - d) <= tol * Math.Max(1, d), $"{what}: pair {key}: distance {ad:R}, expected {d:R}");
        }
        foreach (var (key, d) in a)
        {
            if (d > cutoff - tol) continue;
            Xunit.Assert.True(e.ContainsKey(key), $"{what}: unexpected pair {key} (d = {d:R})");
        }
    }

    /// <summary>Determinant of a row-major 3×3 matrix.</summary>
    public static double Det(double[] m)
        => m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);

    /// <summary>Inverse of a row-major 3×3 matrix (adjugate over determinant).</summary>
    public static double[] Inverse(double[] m)
    {
        double det = Det(m);
        return
        [
            (m[4] * m[8] - m[5] * m[7]) / det, (m[2] * m[7] - m[1] * m[8]) / det, (m[1] * m[5] - m[2] * m[4]) / det,
            (m[5] * m[6] - m[3] * m[8]) / det, (m[0] * m[8] - m[2] * m[6]) / det, (m[2] * m[3] - m[0] * m[5]) / det,
            (m[3] * m[7] - m[4] * m[6]) / det, (m[1] * m[6] - m[0] * m[7]) / det, (m[0] * m[4] - m[1] * m[3]) / det,
        ];
    }

    /// <summary>A random rotation matrix, row-major (no reflections: they would make the cell left-handed).</summary>
    public static double[] RandomRotation(System.Random rng)
    {
        // Unit quaternion → rotation matrix.
        double q0 = Normal(rng), q1 = Normal(rng), q2 = Normal(rng), q3 = Normal(rng);
        double n = Math.Sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3);
        q0 /= n; q1 /= n; q2 /= n; q3 /= n;
        double[] r =
        [
            1 - 2 * (q2 * q2 + q3 * q3), 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2),
            2 * (q1 * q2 + q0 * q3), 1 - 2 * (q1 * q1 + q3 * q3), 2 * (q2 * q3 - q0 * q1),
            2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1), 1 - 2 * (q1 * q1 + q2 * q2),
        ];
        return r;
    }

    /// <summary>Rows of <paramref name="rows"/> (k×3, row-major) times Rᵀ: each row vector rotated by R.</summary>
    public static double[] RotateRows(double[] rows, double[] r)
    {
        var y = new double[rows.Length];
        for (int k = 0; k < rows.Length / 3; k++)
            for (int a = 0; a < 3; a++)
                y[3 * k + a] = r[3 * a] * rows[3 * k] + r[3 * a + 1] * rows[3 * k + 1] + r[3 * a + 2] * rows[3 * k + 2];
        return y;
    }

    private static double Normal(System.Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
