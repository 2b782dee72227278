using FsCheck.Xunit;
using SciKernels.Diagnostics;
using SciKernels.Graphs;
using Xunit;
using static SciKernels.Tests.Graphs.NeighborTestKit;

namespace SciKernels.Tests.Graphs;

/// <summary>The cell-list neighbour list against an all-images brute force, and its symmetries.</summary>
public class NeighborListTests
{
    private static PairKey Same(PairKey k) => k;

    [Property(MaxTest = 60)]
    public bool MatchesBruteForceExactly(int seed)
    {
        var c = RandomCase(seed);
        var expected = BruteForce(c);
        var actual = CellList(c);
        // Same decision formula, same order (i, j, S ascending): the lists are equal, bit for bit.
        Assert.True(expected.Count == actual.Count, $"{c}: brute force {expected.Count} pairs, cell list {actual.Count}");
        for (int k = 0; k < expected.Count; k++)
        {
            Assert.True(expected[k].Key == actual[k].Key, $"{c}: row {k}: expected {expected[k].Key}, got {actual[k].Key}");
            Assert.Equal(expected[k].D, actual[k].D);
        }
        return true;
    }

    [Fact]
    public void ManyAtomsOverSeveralChunksMatchBruteForce()
    {
        // More receivers than one chunk, and several bins per axis: the threaded path.
        var rng = new System.Random(5);
        int n = 1500;
        double[] cell = [14, 0, 0, 2, 13, 0, -1.5, 1, 12];
        var pos = new double[3 * n];
        for (int i = 0; i < n; i++)
        {
            double f0 = rng.NextDouble(), f1 = rng.NextDouble(), f2 = rng.NextDouble();
            for (int c = 0; c < 3; c++) pos[3 * i + c] = f0 * cell[c] + f1 * cell[3 + c] + f2 * cell[6 + c];
        }
        var atoms = new AtomsCase(pos, cell, [true, true, false], 2.2, "dense");
        var expected = BruteForce(atoms);
        var actual = CellList(atoms);
        Assert.Equal(expected.Select(r => r.Key), actual.Select(r => r.Key));
        Assert.Equal(expected.Select(r => r.D), actual.Select(r => r.D));
    }

    [Property(MaxTest = 30)]
    public bool InvariantUnderTranslation(int seed)
    {
        var c = RandomCase(seed);
        var rng = new System.Random(seed ^ 0x5151);
        double tx = 10 * rng.NextDouble() - 5, ty = 10 * rng.NextDouble() - 5, tz = 10 * rng.NextDouble() - 5;
        var moved = (double[])c.Positions.Clone();
        for (int i = 0; i < c.N; i++)
        {
            moved[3 * i] += tx;
            moved[3 * i + 1] += ty;
            moved[3 * i + 2] += tz;
        }
        AssertSamePairs(CellList(c), CellList(c with { Positions = moved }), c.Cutoff, Same, $"translation of {c}");
        return true;
    }

    [Property(MaxTest = 30)]
    public bool InvariantUnderRotationOfPositionsAndCell(int seed)
    {
        var c = RandomCase(seed);
        var r = RandomRotation(new System.Random(seed ^ 0x2323));
        var rotated = c with { Positions = RotateRows(c.Positions, r), Cell = RotateRows(c.Cell, r) };
        AssertSamePairs(CellList(c), CellList(rotated), c.Cutoff, Same, $"rotation of {c}");
        return true;
    }

    [Property(MaxTest = 30)]
    public bool EquivariantUnderPermutation(int seed)
    {
        var c = RandomCase(seed);
        var rng = new System.Random(seed ^ 0x7777);
        var perm = Enumerable.Range(0, c.N).OrderBy(_ => rng.Next()).ToArray(); // new atom k is old atom perm[k]
        var inverse = new long[c.N];
        for (int k = 0; k < c.N; k++) inverse[perm[k]] = k;
        var pos = new double[c.Positions.Length];
        for (int k = 0; k < c.N; k++)
            for (int a = 0; a < 3; a++) pos[3 * k + a] = c.Positions[3 * perm[k] + a];
        AssertSamePairs(CellList(c), CellList(c with { Positions = pos }), c.Cutoff,
            k => k with { I = inverse[k.I], J = inverse[k.J] }, $"permutation of {c}");
        return true;
    }

    [Property(MaxTest = 30)]
    public bool WrappingIntoTheCellOnlyChangesShifts(int seed)
    {
        var c = RandomCase(seed);
        var inv = Inverse(c.Cell);
        var wrapped = (double[])c.Positions.Clone();
        var n = new long[3 * c.N];
        for (int i = 0; i < c.N; i++)
        {
            for (int a = 0; a < 3; a++)
            {
                if (!c.Pbc[a]) continue;
                double f = c.Positions[3 * i] * inv[a] + c.Positions[3 * i + 1] * inv[3 + a] + c.Positions[3 * i + 2] * inv[6 + a];
                n[3 * i + a] = (long)Math.Floor(f);
            }
            for (int x = 0; x < 3; x++)
                wrapped[3 * i + x] -= n[3 * i] * c.Cell[x] + n[3 * i + 1] * c.Cell[3 + x] + n[3 * i + 2] * c.Cell[6 + x];
        }
        // pos = wrapped + n·cell, so D = w_j − w_i + (S + n_j − n_i)·cell.
        AssertSamePairs(CellList(c), CellList(c with { Positions = wrapped }), c.Cutoff,
            k => k with
            {
                S0 = k.S0 + n[3 * k.J] - n[3 * k.I],
                S1 = k.S1 + n[3 * k.J + 1] - n[3 * k.I + 1],
                S2 = k.S2 + n[3 * k.J + 2] - n[3 * k.I + 2],
            }, $"wrapping of {c}");
        return true;
    }

    [Property(MaxTest = 20)]
    public bool NearestCapKeepsTheNearestInOrder(int seed)
    {
        var c = RandomCase(seed, maxAtoms: 12);
        int k = 1 + Math.Abs(seed % 5);
        var full = BruteForce(c);
        var capped = CellList(c, maxNeighbors: k);
        var expected = full.GroupBy(r => r.Key.I)
            .SelectMany(g => g.OrderBy(r => r.D).ThenBy(r => r.Key.J).ThenBy(r => r.Key.S0).ThenBy(r => r.Key.S1).ThenBy(r => r.Key.S2).Take(k)
                .OrderBy(r => r.Key.J).ThenBy(r => r.Key.S0).ThenBy(r => r.Key.S1).ThenBy(r => r.Key.S2))
            .ToList();
        Assert.Equal(expected.Select(r => r.Key), capped.Select(r => r.Key));
        return true;
    }

    [Fact]
    public void OpenSystemWithoutCell()
    {
        // Three atoms on a line, 1 apart: with cutoff 1.5 only nearest neighbours pair up.
        var pairs = NeighborList.Search([0, 0, 0, 1, 0, 0, 2, 0, 0], default, default, 1.5);
        Assert.Equal(new long[] { 0, 1, 1, 2 }, pairs.First);
        Assert.Equal(new long[] { 1, 0, 2, 1 }, pairs.Second);
        Assert.All(pairs.Shifts, s => Assert.Equal(0, s));
        Assert.Equal(new double[] { 1, 0, 0, -1, 0, 0 }, pairs.Vectors.Take(6));
    }

    [Fact]
    public void SingleAtomSeesItsOwnImagesButNotItself()
    {
        // Simple cubic, a = 1, cutoff 1.1: the six face images.
        var pairs = NeighborList.Search([0.2, 0.3, 0.4], [1, 0, 0, 0, 1, 0, 0, 0, 1], [true, true, true], 1.1);
        Assert.Equal(6, pairs.Count);
        Assert.All(pairs.Distances, d => Assert.Equal(1, d, 12));
        Assert.Equal(new long[] { -1, 0, 0 }, pairs.Shifts.Take(3));
    }

    [Fact]
    public void SameInputSameBits()
    {
        var c = RandomCase(41, maxAtoms: 40);
        var a = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff);
        var b = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff);
        Assert.Equal(a.First, b.First);
        Assert.Equal(a.Second, b.Second);
        Assert.Equal(a.Shifts, b.Shifts);
        Assert.Equal(a.Vectors, b.Vectors);
    }

    [Fact]
    public void TensorResultMatchesHostSearch()
    {
        using var scope = TensorScope.Begin();
        var c = RandomCase(6);
        var pos = Tensor.FromSpan<double>(c.Positions, [c.N, 3]);
        var cell = Tensor.FromSpan<double>(c.Cell, [3, 3]);
        var host = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff);
        var t = NeighborList.Compute(pos, c.Cutoff, cell, c.Pbc);
        Assert.Equal(host.First, t.First.ToArray<long>());
        Assert.Equal(host.Second, t.Second.ToArray<long>());
        Assert.Equal(host.Shifts, t.Shifts.ToArray<long>());
        var d = t.Distances.ToArray<double>();
        for (int k = 0; k < d.Length; k++) Assert.Equal(host.Distances[k], d[k], 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void GradientOfSquaredDistancesMatchesFiniteDifferences(int seed)
    {
        using var scope = TensorScope.Begin();
        var c = RandomCase(seed, maxAtoms: 6);
        var pos = Tensor.FromSpan<double>(c.Positions, [c.N, 3]);
        var cell = Tensor.FromSpan<double>(c.Cell, [3, 3]);
        // The pair list is fixed at the unperturbed point so finite differences see a smooth function.
        var pairs = NeighborList.Compute(pos, c.Cutoff, cell, c.Pbc);
        Assert.True(pairs.First.Size(0) > 0, $"{c} has no pairs");
        var shifts = pairs.Shifts.To(DType.Float64);
        Tensor F(Tensor[] x)
        {
            var d = x[0].IndexSelect(0, pairs.Second).Sub(x[0].IndexSelect(0, pairs.First)).Add(shifts.MatMul(x[1]));
            return d.Square().Sum();
        }
        GradCheck.Check(F, [pos, cell], atol: 1e-6, rtol: 1e-6).ThrowIfFailed();
        // And the library's own recompute gives the same gradient as that formula.
        var p = pos.Detach().RequiresGrad_();
        var m = cell.Detach().RequiresGrad_();
        NeighborList.Compute(p, c.Cutoff, m, c.Pbc).Distances.Square().Sum().Backward();
        var p2 = pos.Detach().RequiresGrad_();
        var m2 = cell.Detach().RequiresGrad_();
        F([p2, m2]).Backward();
        Assert.Equal(p2.Grad!.ToArray<double>(), p.Grad!.ToArray<double>(), new Tol(1e-10));
        Assert.Equal(m2.Grad!.ToArray<double>(), m.Grad!.ToArray<double>(), new Tol(1e-10));
    }

    [Fact]
    public void GraphEdgeVectorsGradientMatchesFiniteDifferences()
    {
        using var scope = TensorScope.Begin();
        var c = RandomCase(12, maxAtoms: 5); // a tiny cell: many image pairs
        var pos = Tensor.FromSpan<double>(c.Positions, [c.N, 3]);
        var cell = Tensor.FromSpan<double>(c.Cell, [3, 3]);
        using var g = NeighborList.RadiusGraph(pos, c.Cutoff, cell, c.Pbc);
        Assert.True(g.NumEdges > 0);
        // Not disposed inside f: the backward pass still reads the graph's index tensors (the scope frees them).
        GradCheck.Check(x => g.WithGeometry(x[0], x[1]).EdgeLengths().Sum(), [pos, cell], atol: 1e-6, rtol: 1e-6).ThrowIfFailed();
    }

    [Fact]
    public void BadInputGetsClearErrors()
    {
        double[] cube = [2, 0, 0, 0, 2, 0, 0, 0, 2];
        bool[] all = [true, true, true];
        Assert.Contains("cutoff", Assert.Throws<TensorException>(() => NeighborList.Search([0, 0, 0], cube, all, 0)).Message);
        Assert.Contains("cutoff", Assert.Throws<TensorException>(() => NeighborList.Search([0, 0, 0], cube, all, double.NaN)).Message);
        Assert.Contains("not finite", Assert.Throws<TensorException>(() => NeighborList.Search([0, double.NaN, 0], cube, all, 1)).Message);
        Assert.Contains("singular", Assert.Throws<TensorException>(() => NeighborList.Search([0, 0, 0], [1, 0, 0, 2, 0, 0, 0, 0, 1], all, 1)).Message);
        Assert.Contains("left-handed", Assert.Throws<TensorException>(() => NeighborList.Search([0, 0, 0], [0, 1, 0, 1, 0, 0, 0, 0, 1], all, 1)).Message);
        Assert.Contains("needs a cell", Assert.Throws<TensorException>(() => NeighborList.Search([0, 0, 0], default, all, 1)).Message);
        Assert.Contains("periodic images", Assert.Throws<TensorException>(() => NeighborList.Search([0, 0, 0], [1e-3, 0, 0, 0, 1e-3, 0, 0, 0, 1e-3], all, 10)).Message);
        Assert.Contains("wrap the positions", Assert.Throws<TensorException>(() => NeighborList.Search([1e20, 0, 0], cube, all, 1)).Message);
        using var scope = TensorScope.Begin();
        var e = Assert.Throws<TensorException>(() => NeighborList.Compute(Tensor.Zeros([4, 2], DType.Float64), 1));
        Assert.Equal("NeighborList", e.Op);
        Assert.Contains("[4, 2]", e.Message);
    }

    [Fact]
    public void SparseSystemInHugeBoxStaysSmall()
    {
        // Two atoms in a 1e6 Å box with a 1 Å cutoff: bins are capped by the atom count, not the volume.
        var pairs = NeighborList.Search([0, 0, 0, 0.5, 0, 0], [1e6, 0, 0, 0, 1e6, 0, 0, 0, 1e6], [true, true, true], 1);
        Assert.Equal(2, pairs.Count);
    }

    private sealed class Tol(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tol * Math.Max(1, Math.Abs(y));
        public int GetHashCode(double obj) => 0;
    }
}
