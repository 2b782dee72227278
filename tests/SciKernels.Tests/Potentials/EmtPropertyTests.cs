using FsCheck.Xunit;
using SciKernels.Graphs;
using SciKernels.Potentials;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>
/// <see cref="Emt"/> on random Cu/Au cells (random lattice constant, strain, displacements, periodicity):
/// forces and stress against finite differences of the energy, invariance under translations and rotations,
/// and clear errors for bad input.
/// </summary>
public sealed class EmtPropertyTests
{
    private sealed record Config(double[] Positions, int[] Numbers, double[] Cell, bool[] Pbc);

    /// <summary>A 2×2×2 cubic FCC supercell (32 atoms), strained, rattled, Cu/Au at random, random pbc.</summary>
    private static Config RandomConfig(int seed)
    {
        var rng = new System.Random(seed);
        for (int attempt = 0; ; attempt++)
        {
            double a = 3.5 + 0.4 * rng.NextDouble();
            var strain = new double[9];
            for (int k = 0; k < 9; k++) strain[k] = (k % 4 == 0 ? 1 : 0) + 0.08 * (2 * rng.NextDouble() - 1);
            double[] cell = new double[9];
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++) cell[3 * r + c] = 2 * a * strain[3 * r + c];
            var basis = new[] { (0.0, 0.0, 0.0), (0.0, 0.5, 0.5), (0.5, 0.0, 0.5), (0.5, 0.5, 0.0) };
            var pos = new List<double>();
            var numbers = new List<int>();
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    for (int k = 0; k < 2; k++)
                        foreach (var (u, v, w) in basis)
                        {
                            double f0 = (i + u) / 2, f1 = (j + v) / 2, f2 = (k + w) / 2;
                            for (int c = 0; c < 3; c++)
                                pos.Add(f0 * cell[c] + f1 * cell[3 + c] + f2 * cell[6 + c] + 0.15 * (2 * rng.NextDouble() - 1));
                            numbers.Add(rng.NextDouble() < 0.3 ? 79 : 29);
                        }
            var pbc = new[] { rng.NextDouble() < 0.8, rng.NextDouble() < 0.8, rng.NextDouble() < 0.8 };
            var config = new Config(pos.ToArray(), numbers.ToArray(), cell, pbc);
            // The list cutoff is a small step in the energy (θ ≈ 7e-6 there, as in ASE): keep pairs away from it
            // so the finite differences never straddle it.
            var near = NeighborList.Search(config.Positions, cell, pbc, Emt.Cutoff + 1e-3);
            if (near.Distances.All(d => Math.Abs(d - Emt.Cutoff) > 1e-3) || attempt > 50) return config;
        }
    }

    [Property(MaxTest = 12)]
    public bool ForcesAreMinusEnergyGradient(int seed)
    {
        var cfg = RandomConfig(seed);
        var emt = new Emt();
        var result = emt.Calculate(cfg.Positions, cfg.Numbers, cfg.Cell, cfg.Pbc);
        var rng = new System.Random(seed ^ 0x5eed);
        const double h = 1e-5;
        for (int t = 0; t < 6; t++)
        {
            int k = rng.Next(cfg.Positions.Length);
            var plus = (double[])cfg.Positions.Clone();
            var minus = (double[])cfg.Positions.Clone();
            plus[k] += h;
            minus[k] -= h;
            double fd = -(emt.Calculate(plus, cfg.Numbers, cfg.Cell, cfg.Pbc).Energy - emt.Calculate(minus, cfg.Numbers, cfg.Cell, cfg.Pbc).Energy) / (2 * h);
            Assert.True(Math.Abs(fd - result.Forces[k]) <= 1e-6 * Math.Max(1, Math.Abs(fd)),
                $"seed {seed}: force component {k}: analytic {result.Forces[k]:R}, finite difference {fd:R}");
        }
        return true;
    }

    [Property(MaxTest = 12)]
    public bool StressIsEnergyStrainDerivativeOverVolume(int seed)
    {
        var cfg = RandomConfig(seed);
        var emt = new Emt();
        var stress = emt.Calculate(cfg.Positions, cfg.Numbers, cfg.Cell, cfg.Pbc).Stress!;
        double volume = Math.Abs(Det(cfg.Cell));
        const double h = 1e-6;
        int[,] voigt = { { 0, 0 }, { 1, 1 }, { 2, 2 }, { 1, 2 }, { 0, 2 }, { 0, 1 } };
        for (int v = 0; v < 6; v++)
        {
            double Energy(double e)
            {
                // Symmetric strain ε_ab = ε_ba = e/2 (e on the diagonal): x → x (I + ε), rows of the cell likewise.
                var eps = new double[9];
                int a = voigt[v, 0], b = voigt[v, 1];
                eps[3 * a + b] += a == b ? e : e / 2;
                if (a != b) eps[3 * b + a] += e / 2;
                return emt.Calculate(Deform(cfg.Positions, eps), cfg.Numbers, Deform(cfg.Cell, eps), cfg.Pbc).Energy;
            }
            double fd = (Energy(h) - Energy(-h)) / (2 * h) / volume;
            Assert.True(Math.Abs(fd - stress[v]) <= 1e-7 + 1e-6 * Math.Abs(fd),
                $"seed {seed}: stress[{v}]: analytic {stress[v]:R}, finite difference {fd:R}");
        }
        return true;
    }

    [Property(MaxTest = 12)]
    public bool InvariantUnderTranslationAndRotation(int seed)
    {
        var cfg = RandomConfig(seed);
        var emt = new Emt();
        var rng = new System.Random(seed ^ 0x707);
        var r0 = emt.Calculate(cfg.Positions, cfg.Numbers, cfg.Cell, cfg.Pbc);

        var shifted = (double[])cfg.Positions.Clone();
        var t = new[] { 10 * rng.NextDouble() - 5, 10 * rng.NextDouble() - 5, 10 * rng.NextDouble() - 5 };
        for (int k = 0; k < shifted.Length; k++) shifted[k] += t[k % 3];
        var rt = emt.Calculate(shifted, cfg.Numbers, cfg.Cell, cfg.Pbc);
        Assert.True(Math.Abs(rt.Energy - r0.Energy) <= 1e-10 * Math.Max(1, Math.Abs(r0.Energy)), $"seed {seed}: translated energy {rt.Energy:R} vs {r0.Energy:R}");
        AssertAllClose(seed, "translated forces", r0.Forces, rt.Forces, 1e-9);

        // Random proper rotation R (Rodrigues); positions and lattice vectors (rows) map to x R^T.
        double[] axis = [rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5];
        double norm = Math.Sqrt(axis.Sum(x => x * x)), angle = 2 * Math.PI * rng.NextDouble();
        double ux = axis[0] / norm, uy = axis[1] / norm, uz = axis[2] / norm, c = Math.Cos(angle), s = Math.Sin(angle);
        double[] rot =
        [
            c + ux * ux * (1 - c), ux * uy * (1 - c) - uz * s, ux * uz * (1 - c) + uy * s,
            uy * ux * (1 - c) + uz * s, c + uy * uy * (1 - c), uy * uz * (1 - c) - ux * s,
            uz * ux * (1 - c) - uy * s, uz * uy * (1 - c) + ux * s, c + uz * uz * (1 - c),
        ];
        var rr = emt.Calculate(RotateRows(cfg.Positions, rot), cfg.Numbers, RotateRows(cfg.Cell, rot), cfg.Pbc);
        Assert.True(Math.Abs(rr.Energy - r0.Energy) <= 1e-10 * Math.Max(1, Math.Abs(r0.Energy)), $"seed {seed}: rotated energy {rr.Energy:R} vs {r0.Energy:R}");
        AssertAllClose(seed, "rotated forces", RotateRows(r0.Forces, rot), rr.Forces, 1e-9);
        // σ' = R σ Rᵀ.
        var s0 = FromVoigt(r0.Stress!);
        var expected = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++)
                    for (int l = 0; l < 3; l++) expected[3 * i + j] += rot[3 * i + k] * s0[3 * k + l] * rot[3 * j + l];
        AssertAllClose(seed, "rotated stress", expected, FromVoigt(rr.Stress!), 1e-11);
        return true;
    }

    [Property(MaxTest = 6)]
    public bool LeftHandedCellGivesTheSameResults(int seed)
    {
        // Negating a lattice vector leaves the lattice (and so the periodic system) unchanged.
        var cfg = RandomConfig(seed);
        var emt = new Emt();
        var right = emt.Calculate(cfg.Positions, cfg.Numbers, cfg.Cell, cfg.Pbc);
        var flipped = (double[])cfg.Cell.Clone();
        for (int c = 3; c < 6; c++) flipped[c] = -flipped[c];
        var left = emt.Calculate(cfg.Positions, cfg.Numbers, flipped, cfg.Pbc);
        Assert.True(Math.Abs(left.Energy - right.Energy) <= 1e-10 * Math.Max(1, Math.Abs(right.Energy)), $"seed {seed}: {left.Energy:R} vs {right.Energy:R}");
        AssertAllClose(seed, "forces", right.Forces, left.Forces, 1e-9);
        AssertAllClose(seed, "stress", right.Stress!, left.Stress!, 1e-11);
        return true;
    }

    [Fact]
    public void ThreadedResultIsIndependentOfCallAndAtomOrderInvariant()
    {
        // 4×4×4 Cu cells: 256 atoms span several parallel chunks; the same input twice gives the same bits.
        var cfg = RandomConfig(11);
        var big = Replicate(cfg, 2);
        var emt = new Emt();
        var r1 = emt.Calculate(big.Positions, big.Numbers, big.Cell, big.Pbc);
        var r2 = emt.Calculate(big.Positions, big.Numbers, big.Cell, big.Pbc);
        Assert.Equal(r1.Energy, r2.Energy);
        Assert.Equal(r1.Forces, r2.Forces);
        Assert.Equal(r1.Stress, r2.Stress);
        // A periodic supercell has 8× the energy and the same stress as its unit.
        var unit = new Config(cfg.Positions, cfg.Numbers, cfg.Cell, [true, true, true]);
        var bigP = big with { Pbc = [true, true, true] };
        var ru = emt.Calculate(unit.Positions, unit.Numbers, unit.Cell, unit.Pbc);
        var rb = emt.Calculate(bigP.Positions, bigP.Numbers, bigP.Cell, bigP.Pbc);
        Assert.True(Math.Abs(rb.Energy - 8 * ru.Energy) <= 1e-9 * Math.Abs(rb.Energy), $"supercell {rb.Energy:R} vs 8 × {ru.Energy:R}");
        AssertAllClose(11, "supercell stress", ru.Stress!, rb.Stress!, 1e-11);
    }

    [Fact]
    public void UnknownElementIsNamed()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Emt().Calculate([0, 0, 0, 1.5, 1.5, 0], [29, 26], [], []));
        Assert.Contains("atomic number 26", ex.Message);
        Assert.Contains("atom 1", ex.Message);
        Assert.Contains("Cu", ex.Message);
        Assert.Throws<ArgumentException>(() => Emt.AtomicNumber("Fe"));
        Assert.Equal(79, Emt.AtomicNumber("Au"));
    }

    [Fact]
    public void NonFinitePositionIsNamed()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Emt().Calculate([0, 0, 0, 1.5, double.NaN, 0], [29, 29], [], []));
        Assert.Contains("atom 1", ex.Message);
        Assert.Contains("not finite", ex.Message);
    }

    [Fact]
    public void SingularCellIsRejected()
    {
        double[] cell = [3, 0, 0, 0, 3, 0, 3, 3, 0];
        var ex = Assert.Throws<ArgumentException>(() => new Emt().Calculate([0, 0, 0], [29], cell, [true, true, true]));
        Assert.Contains("singular", ex.Message);
        var nan = Assert.Throws<ArgumentException>(() => new Emt().Calculate([0, 0, 0], [29], [3, 0, 0, 0, double.PositiveInfinity, 0, 0, 0, 3], []));
        Assert.Contains("not finite", nan.Message);
    }

    [Fact]
    public void CoincidentAtomsAndMismatchedLengthsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Emt().Calculate([1, 1, 1, 1, 1, 1], [29, 29], [], []));
        Assert.Contains("coincide", ex.Message);
        var len = Assert.Throws<ArgumentException>(() => new Emt().Calculate([1, 1, 1, 2, 2, 2], [29], [], []));
        Assert.Contains("2 positions but 1 atomic numbers", len.Message);
    }

    [Fact]
    public void IsolatedAtomHasMinusE0()
    {
        // No neighbour within the cutoff: σ = 0, E = −E0 (ASE's convention), no force.
        var r = new Emt().Calculate([0, 0, 0, 20, 0, 0], [29, 79], [], []);
        Assert.Equal(3.51 + 3.80, r.Energy, 12);
        Assert.All(r.Forces, f => Assert.Equal(0.0, f));
        Assert.Null(r.Stress);
    }

    private static Config Replicate(Config c, int m)
    {
        var pos = new List<double>();
        var num = new List<int>();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                for (int k = 0; k < m; k++)
                    for (int a = 0; a < c.Numbers.Length; a++)
                    {
                        for (int x = 0; x < 3; x++)
                            pos.Add(c.Positions[3 * a + x] + i * c.Cell[x] + j * c.Cell[3 + x] + k * c.Cell[6 + x]);
                        num.Add(c.Numbers[a]);
                    }
        return new Config(pos.ToArray(), num.ToArray(), c.Cell.Select(v => v * m).ToArray(), c.Pbc);
    }

    private static double[] Deform(double[] rows, double[] eps)
    {
        var o = new double[rows.Length];
        for (int r = 0; r < rows.Length / 3; r++)
            for (int c = 0; c < 3; c++)
                o[3 * r + c] = rows[3 * r + c] + rows[3 * r] * eps[c] + rows[3 * r + 1] * eps[3 + c] + rows[3 * r + 2] * eps[6 + c];
        return o;
    }

    private static double[] RotateRows(double[] rows, double[] rot)
    {
        var o = new double[rows.Length];
        for (int r = 0; r < rows.Length / 3; r++)
            for (int i = 0; i < 3; i++)
                o[3 * r + i] = rot[3 * i] * rows[3 * r] + rot[3 * i + 1] * rows[3 * r + 1] + rot[3 * i + 2] * rows[3 * r + 2];
        return o;
    }

    private static double[] FromVoigt(double[] v) => [v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2]];

    private static double Det(double[] m) =>
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);

    private static void AssertAllClose(int seed, string what, double[] expected, double[] actual, double atol)
    {
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= atol * scale, $"seed {seed}: {what}[{k}]: expected {expected[k]:R}, got {actual[k]:R}");
    }
}
