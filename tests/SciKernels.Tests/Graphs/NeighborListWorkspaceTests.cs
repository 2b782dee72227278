using FsCheck.Xunit;
using SciKernels.Graphs;
using Xunit;
using static SciKernels.Tests.Graphs.NeighborTestKit;

namespace SciKernels.Tests.Graphs;

/// <summary>The search with a reused <see cref="NeighborListWorkspace"/>, and its threaded path, against the plain call and brute force.</summary>
public class NeighborListWorkspaceTests
{
    private static void AssertIdentical(NeighborPairs expected, NeighborPairs actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {expected.Count} pairs expected, got {actual.Count}");
        Assert.Equal(expected.First, actual.First);
        Assert.Equal(expected.Second, actual.Second);
        Assert.Equal(expected.Shifts, actual.Shifts);
        // Bit for bit, not within a tolerance.
        Assert.Equal(expected.Distances.Select(BitConverter.DoubleToInt64Bits), actual.Distances.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(expected.Vectors.Select(BitConverter.DoubleToInt64Bits), actual.Vectors.Select(BitConverter.DoubleToInt64Bits));
    }

    [Property(MaxTest = 20)]
    public bool ReusedWorkspaceGivesTheFreshResult(int seed)
    {
        // One workspace through cases of different sizes, cells and caps: it grows, and leftovers of
        // a larger earlier search must not leak into a smaller later one.
        var ws = new NeighborListWorkspace();
        for (int t = 0; t < 4; t++)
        {
            var c = RandomCase(seed * 7 + t, maxAtoms: t % 2 == 0 ? 40 : 6);
            int cap = t == 3 ? 1 + Math.Abs(seed % 4) : 0;
            var fresh = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, cap);
            var reused = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, ws, cap);
            AssertIdentical(fresh, reused, $"search {t} ({c}, cap {cap})");
        }
        return true;
    }

    [Property(MaxTest = 30)]
    public bool VectorWalkMatchesTheScalarWalk(int seed)
    {
        // The AVX-512 walk (vectorised exact test, compressed stores) against the scalar one (pre-filter,
        // then the exact test): same pairs, same bits, on tiny, skewed, partly open and unwrapped systems.
        var c = RandomCase(seed, maxAtoms: 60);
        var vector = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, new NeighborListWorkspace());
        var scalar = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, new NeighborListWorkspace { ScalarWalk = true });
        AssertIdentical(scalar, vector, c.ToString());
        var expected = BruteForce(c);
        Assert.Equal(expected.Select(r => r.Key), Rows(vector).Select(r => r.Key));
        Assert.Equal(expected.Select(r => BitConverter.DoubleToInt64Bits(r.D)), Rows(vector).Select(r => BitConverter.DoubleToInt64Bits(r.D)));
        return true;
    }

    [Fact]
    public void ThreadedPathMatchesBruteForceAndTheSerialPath()
    {
        // Force the threaded half-list walk and the concurrent mirroring on a system of several chunks.
        var rng = new System.Random(17);
        int n = 2600;
        double[] cell = [16, 0, 0, 2, 15, 0, -1.5, 1, 14];
        var pos = new double[3 * n];
        for (int i = 0; i < n; i++)
        {
            double f0 = rng.NextDouble(), f1 = rng.NextDouble(), f2 = 1.2 * rng.NextDouble() - 0.1;
            for (int c = 0; c < 3; c++) pos[3 * i + c] = f0 * cell[c] + f1 * cell[3 + c] + f2 * cell[6 + c];
        }
        bool[] pbc = [true, true, false];
        const double cutoff = 2.1;
        var threaded = new NeighborListWorkspace { ParallelAtoms = 0 };
        var serial = new NeighborListWorkspace { ParallelAtoms = int.MaxValue };
        var a = NeighborList.Search(pos, cell, pbc, cutoff, threaded);
        var b = NeighborList.Search(pos, cell, pbc, cutoff, serial);
        AssertIdentical(b, a, "threaded vs serial");
        AssertIdentical(a, NeighborList.Search(pos, cell, pbc, cutoff, threaded), "threaded, second call");
        var expected = BruteForce(new AtomsCase(pos, cell, pbc, cutoff, "threaded"));
        Assert.Equal(expected.Select(r => r.Key), Rows(a).Select(r => r.Key));
        Assert.Equal(expected.Select(r => r.D), Rows(a).Select(r => r.D));
    }

    [Fact]
    public void MirroredPairsHaveOppositeVectorsAndTheSameDistance()
    {
        // The half list is mirrored: (i, j, S) and (j, i, −S) must both be there, with D exactly negated.
        var c = RandomCase(12, maxAtoms: 40);
        var p = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, new NeighborListWorkspace());
        var index = new Dictionary<(long, long, long, long, long), int>();
        for (int k = 0; k < p.Count; k++) index[(p.First[k], p.Second[k], p.Shifts[3 * k], p.Shifts[3 * k + 1], p.Shifts[3 * k + 2])] = k;
        Assert.True(p.Count > 0, $"{c} has no pairs");
        for (int k = 0; k < p.Count; k++)
        {
            Assert.True(index.TryGetValue((p.Second[k], p.First[k], -p.Shifts[3 * k], -p.Shifts[3 * k + 1], -p.Shifts[3 * k + 2]), out int m),
                $"{c}: pair {k} has no mirror");
            Assert.Equal(BitConverter.DoubleToInt64Bits(p.Distances[k]), BitConverter.DoubleToInt64Bits(p.Distances[m]));
            for (int x = 0; x < 3; x++) Assert.Equal(-p.Vectors[3 * k + x], p.Vectors[3 * m + x]);
        }
    }

    [Fact]
    public void NullWorkspaceIsRejected()
    {
        Assert.Throws<ArgumentNullException>(() => NeighborList.Search([0, 0, 0], default, default, 1.0, (NeighborListWorkspace)null!));
    }
}
