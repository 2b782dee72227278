using FsCheck.Xunit;
using SciKernels.Graphs;
using SciKernels.Potentials;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>
/// <see cref="PairMlpPotential"/> through <see cref="PotentialEvaluator"/> in float64: forces and stress
/// against finite differences of the energy, the stress against the analytic pair virial, invariance
/// under rotations, translations and permutations, and batching that changes nothing.
/// </summary>
public sealed class PairMlpPotentialTests
{
    private static readonly int[] CuAu = [29, 79];

    /// <summary>A strained, rattled 2×2×2 FCC supercell (32 atoms), Cu with some Au, periodic on the axes asked for.</summary>
    internal static AtomicStructure RandomCrystal(int seed, bool[]? pbc = null, double rattle = 0.15)
    {
        var rng = new System.Random(seed);
        double a = 3.5 + 0.4 * rng.NextDouble();
        var cell = new double[9];
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++) cell[3 * r + c] = 2 * a * ((r == c ? 1 : 0) + 0.06 * (2 * rng.NextDouble() - 1));
        (double, double, double)[] basis = [(0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)];
        var pos = new List<double>();
        var numbers = new List<int>();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 2; k++)
                    foreach (var (u, v, w) in basis)
                    {
                        double f0 = (i + u) / 2, f1 = (j + v) / 2, f2 = (k + w) / 2;
                        for (int c = 0; c < 3; c++)
                            pos.Add(f0 * cell[c] + f1 * cell[3 + c] + f2 * cell[6 + c] + rattle * (2 * rng.NextDouble() - 1));
                        numbers.Add(rng.NextDouble() < 0.3 ? 79 : 29);
                    }
        return new AtomicStructure(numbers.ToArray(), pos.ToArray(), cell, pbc ?? [true, true, true]);
    }

    /// <summary>A model with random weights and a non-trivial shift and scale.</summary>
    internal static PairMlpPotential RandomModel(int seed, double cutoff = 4.5)
    {
        var model = new PairMlpPotential(CuAu, cutoff, new Generator((ulong)seed + 7), basis: 6, hidden: [16, 16]);
        model.SetEnergyReference([-3.5, -3.9], 0.7);
        return model;
    }

    private static PotentialResult Evaluate(PairMlpPotential model, AtomicStructure s)
    {
        using var ev = new PotentialEvaluator(model, [s]);
        return ev.EvaluateAll()[0];
    }

    private static double Energy(PairMlpPotential model, AtomicStructure s)
    {
        using var ev = new PotentialEvaluator(model, [s]);
        using var scope = TensorScope.Begin();
        using var p = ev.Predict([0], forces: false, stress: false);
        return p.Energy.Item();
    }

    [Property(MaxTest = 8)]
    public bool ForcesAreMinusEnergyGradient(int seed)
    {
        var s = RandomCrystal(seed, [true, seed % 3 != 0, true]);
        var model = RandomModel(seed);
        var f = Evaluate(model, s).Forces;
        var rng = new System.Random(seed ^ 0x5eed);
        const double h = 1e-5;
        for (int t = 0; t < 5; t++)
        {
            int k = rng.Next(s.Positions.Length);
            var plus = (double[])s.Positions.Clone();
            var minus = (double[])s.Positions.Clone();
            plus[k] += h;
            minus[k] -= h;
            double fd = -(Energy(model, new AtomicStructure(s.Numbers, plus, s.Cell, s.Pbc)) - Energy(model, new AtomicStructure(s.Numbers, minus, s.Cell, s.Pbc))) / (2 * h);
            Assert.True(Math.Abs(fd - f[k]) <= 1e-6 * Math.Max(1, Math.Abs(fd)), $"seed {seed}: force component {k}: autodiff {f[k]:R}, finite difference {fd:R}");
        }
        return true;
    }

    [Property(MaxTest = 6)]
    public bool StressIsStrainDerivativeOverVolume(int seed)
    {
        var s = RandomCrystal(seed);
        var model = RandomModel(seed);
        var stress = Evaluate(model, s).Stress!;
        const double h = 1e-6;
        int[][] voigt = [[0, 0], [1, 1], [2, 2], [1, 2], [0, 2], [0, 1]];
        for (int v = 0; v < 6; v++)
        {
            double Strained(double d)
            {
                // Symmetric strain with ε_ab = ε_ba = d: x' = x(I + ε), cell' = cell(I + ε).
                var m = new double[9];
                m[0] = m[4] = m[8] = 1;
                m[3 * voigt[v][0] + voigt[v][1]] += d;
                if (voigt[v][0] != voigt[v][1]) m[3 * voigt[v][1] + voigt[v][0]] += d;
                return Energy(model, new AtomicStructure(s.Numbers, Apply(s.Positions, m), Apply(s.Cell!, m), s.Pbc));
            }
            double dE = (Strained(h) - Strained(-h)) / (2 * h);
            double fd = dE / s.Volume / (voigt[v][0] == voigt[v][1] ? 1 : 2);
            Assert.True(Math.Abs(fd - stress[v]) <= 1e-7 + 1e-5 * Math.Abs(fd), $"seed {seed}: stress component {v}: autodiff {stress[v]:R}, finite difference {fd:R}");
        }
        return true;
    }

    [Property(MaxTest = 6)]
    public bool StressIsThePairVirial(int seed)
    {
        // σ_ab = (1/V) Σ_edges ½·scale·φ′(r)·D_a·D_b / r — the pair virial, with φ′ from the radial function alone.
        var s = RandomCrystal(seed);
        var model = RandomModel(seed);
        var stress = Evaluate(model, s).Stress!;
        var pairs = NeighborList.Search(s.Positions, s.Cell, s.Pbc, model.Cutoff);
        var species = s.Numbers.Select(z => Array.IndexOf(CuAu, z)).ToArray();
        var pairIndex = new long[pairs.Count];
        for (int e = 0; e < pairs.Count; e++) pairIndex[e] = model.PairIndex(species[pairs.First[e]], species[pairs.Second[e]]);
        double[] dphi;
        using (TensorScope.Begin())
        {
            var r = Tensor.FromDoubles(pairs.Distances, [pairs.Count], DType.Float64);
            r.RequiresGrad = true;
            var phi = model.PairEnergy(r, Tensor.FromSpan<long>(pairIndex, [pairs.Count, 1]));
            dphi = Autodiff.Grad(phi.Sum(), r).ToArray<double>();
        }
        var virial = new double[9];
        var d = pairs.Vectors;
        for (int e = 0; e < pairs.Count; e++)
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++)
                    virial[3 * a + b] += 0.5 * 0.7 * dphi[e] * d[3 * e + a] * d[3 * e + b] / pairs.Distances[e];
        int[] flat = [0, 4, 8, 5, 2, 1];
        for (int v = 0; v < 6; v++)
        {
            double expect = virial[flat[v]] / s.Volume;
            Assert.True(Math.Abs(expect - stress[v]) <= 1e-12 + 1e-9 * Math.Abs(expect), $"seed {seed}: stress component {v}: evaluator {stress[v]:R}, virial {expect:R}");
        }
        return true;
    }

    [Property(MaxTest = 8)]
    public bool InvariantUnderRotationTranslationPermutation(int seed)
    {
        var s = RandomCrystal(seed, [true, true, seed % 2 == 0]);
        var model = RandomModel(seed);
        var baseResult = Evaluate(model, s);
        var rng = new System.Random(seed * 31 + 1);
        var rot = RandomRotation(rng);
        // Rows are vectors: x' = x·Rᵀ for positions and lattice vectors.
        var rt = Transpose(rot);
        var shift = new[] { rng.NextDouble() * 5 - 2.5, rng.NextDouble() * 5 - 2.5, rng.NextDouble() * 5 - 2.5 };
        var perm = new Generator((ulong)seed).Permutation(s.NumAtoms);
        var pos = Apply(s.Positions, rt);
        var moved = new double[pos.Length];
        var numbers = new int[s.NumAtoms];
        for (int i = 0; i < s.NumAtoms; i++)
        {
            numbers[i] = s.Numbers[perm[i]];
            for (int c = 0; c < 3; c++) moved[3 * i + c] = pos[3 * perm[i] + c] + shift[c];
        }
        var t = new AtomicStructure(numbers, moved, Apply(s.Cell!, rt), s.Pbc);
        var r = Evaluate(model, t);
        Assert.True(Math.Abs(r.Energy - baseResult.Energy) <= 1e-10 * Math.Max(1, Math.Abs(baseResult.Energy)), $"energy {r.Energy:R} vs {baseResult.Energy:R}");
        var fRot = Apply(baseResult.Forces, rt);
        for (int i = 0; i < s.NumAtoms; i++)
        {
            Assert.True(Math.Abs(r.AtomicEnergies[i] - baseResult.AtomicEnergies[perm[i]]) <= 1e-10, $"atomic energy {i}");
            for (int c = 0; c < 3; c++)
                Assert.True(Math.Abs(r.Forces[3 * i + c] - fRot[3 * perm[i] + c]) <= 1e-10, $"force {i},{c}: {r.Forces[3 * i + c]:R} vs {fRot[3 * perm[i] + c]:R}");
        }
        // σ' = R σ Rᵀ.
        var sig = FromVoigt(baseResult.Stress!);
        var expect = MatMul(MatMul(rot, sig), rt);
        var got = FromVoigt(r.Stress!);
        for (int k = 0; k < 9; k++) Assert.True(Math.Abs(got[k] - expect[k]) <= 1e-11, $"stress entry {k}: {got[k]:R} vs {expect[k]:R}");
        return true;
    }

    [Fact]
    public void BatchedPredictionEqualsSingleOnes()
    {
        var model = RandomModel(3);
        AtomicStructure[] structures = [RandomCrystal(1), RandomCrystal(2, [true, false, true]), OpenCluster()];
        using var ev = new PotentialEvaluator(model, structures);
        var batched = ev.EvaluateAll();
        for (int k = 0; k < structures.Length; k++)
        {
            var single = Evaluate(model, structures[k]);
            Assert.Equal(single.Energy, batched[k].Energy, 12);
            for (int i = 0; i < single.Forces.Length; i++) Assert.Equal(single.Forces[i], batched[k].Forces[i], 12);
            Assert.Equal(single.Stress is null, batched[k].Stress is null);
        }
        Assert.Null(batched[2].Stress);
    }

    [Fact]
    public void UnknownElementIsNamed()
    {
        var model = RandomModel(1);
        var s = new AtomicStructure([29, 47], [0, 0, 0, 2.5, 0, 0]);
        var e = Assert.Throws<ArgumentException>(() => new PotentialEvaluator(model, [s]));
        Assert.Contains("Ag", e.Message);
        Assert.Contains("structure 0, atom 1", e.Message);
    }

    [Fact]
    public void EnvelopeVanishesSmoothlyAtTheCutoff()
    {
        using var scope = TensorScope.Begin();
        const double rc = 4;
        var r = Tensor.FromDoubles([rc * (1 - 1e-4), rc, rc * 1.1], [3], DType.Float64);
        r.RequiresGrad = true;
        var u = RadialBasis.PolynomialCutoff(r, rc);
        var du = Autodiff.Grad(u.Sum(), r).ToArray<double>();
        var values = u.ToArray<double>();
        Assert.True(values[0] is > 0 and < 1e-9, $"u just inside the cutoff: {values[0]}");
        Assert.Equal(0, values[1]);
        Assert.Equal(0, values[2]);
        // u ≈ c(1 − x)³ near the cutoff (c = p(p+1)(p+2)/6 = 56): u′ ≈ 3c(1 − x)²/r_c ≈ 4e-7 here.
        Assert.True(Math.Abs(du[0]) < 1e-6, $"u′ just inside the cutoff: {du[0]}");
    }

    private static AtomicStructure OpenCluster() => new([29, 29, 79, 29], [0, 0, 0, 2.4, 0.1, 0, 0.2, 2.5, 0.1, 1.2, 1.3, 2.2]);

    private static double[] RandomRotation(System.Random rng)
    {
        // A random unit quaternion → a proper rotation (cells stay right-handed).
        double q0 = Normal(rng), q1 = Normal(rng), q2 = Normal(rng), q3 = Normal(rng);
        double n = Math.Sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3);
        q0 /= n; q1 /= n; q2 /= n; q3 /= n;
        return
        [
            1 - 2 * (q2 * q2 + q3 * q3), 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2),
            2 * (q1 * q2 + q0 * q3), 1 - 2 * (q1 * q1 + q3 * q3), 2 * (q2 * q3 - q0 * q1),
            2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1), 1 - 2 * (q1 * q1 + q2 * q2),
        ];
    }

    private static double Normal(System.Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Rows of <paramref name="rows"/> (3 per row) times the 3×3 matrix <paramref name="m"/>.</summary>
    private static double[] Apply(double[] rows, double[] m)
    {
        var y = new double[rows.Length];
        for (int i = 0; i < rows.Length / 3; i++)
            for (int c = 0; c < 3; c++)
                y[3 * i + c] = rows[3 * i] * m[c] + rows[3 * i + 1] * m[3 + c] + rows[3 * i + 2] * m[6 + c];
        return y;
    }

    private static double[] Transpose(double[] m) => [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];

    private static double[] MatMul(double[] a, double[] b) => Apply(a, b);

    private static double[] FromVoigt(double[] v) => [v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2]];
}
