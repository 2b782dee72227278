using FsCheck.Xunit;
using SciKernels.Graphs;
using SciKernels.Tests.Core;
using Xunit;
using static SciKernels.Tests.Graphs.NeighborTestKit;

namespace SciKernels.Tests.Graphs;

/// <summary>The search into a caller-owned <see cref="NeighborPairBuffer"/>: the fresh result, bit for bit, and no allocation once grown.</summary>
public class NeighborPairBufferTests
{
    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    internal static void AssertIdentical(NeighborPairs expected, NeighborPairBuffer actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {expected.Count} pairs expected, got {actual.Count}");
        Assert.True(actual.Capacity >= actual.Count, $"{what}: capacity {actual.Capacity} below count {actual.Count}");
        Assert.Equal(expected.First, actual.First.ToArray());
        Assert.Equal(expected.Second, actual.Second.ToArray());
        Assert.Equal(expected.Shifts, actual.Shifts.ToArray());
        Assert.Equal(expected.Distances.Select(Bits), actual.Distances.ToArray().Select(Bits));
        Assert.Equal(expected.Vectors.Select(Bits), actual.Vectors.ToArray().Select(Bits));
    }

    [Property(MaxTest = 25)]
    public bool ReusedBufferGivesTheFreshResult(int seed)
    {
        // One workspace and one buffer through systems whose pair counts grow and shrink (and a capped
        // search): stale pairs of a larger earlier list must never show through.
        var ws = new NeighborListWorkspace();
        var buffer = new NeighborPairBuffer();
        for (int t = 0; t < 6; t++)
        {
            var c = RandomCase(seed * 11 + t, maxAtoms: t % 3 == 0 ? 48 : t % 3 == 1 ? 4 : 20);
            int cap = t == 4 ? 1 + Math.Abs(seed % 5) : 0;
            var fresh = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, cap);
            NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, ws, buffer, cap);
            AssertIdentical(fresh, buffer, $"search {t} ({c}, cap {cap})");
            var copy = buffer.ToPairs();
            Assert.Equal(fresh.Second, copy.Second);
            Assert.Equal(fresh.Vectors.Select(Bits), copy.Vectors.Select(Bits));
        }
        return true;
    }

    [Fact]
    public void VectorsFollowTheLatestSearch()
    {
        // Vectors are cached per search: read them, move the atoms, search again; they must be the new ones.
        var c = RandomCase(5, maxAtoms: 30);
        var ws = new NeighborListWorkspace();
        var buffer = new NeighborPairBuffer();
        NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, ws, buffer);
        _ = buffer.Vectors;
        var moved = c.Positions.Select((x, k) => x + 0.05 * Math.Sin(k)).ToArray();
        NeighborList.Search(moved, c.Cell, c.Pbc, c.Cutoff, ws, buffer);
        AssertIdentical(NeighborList.Search(moved, c.Cell, c.Pbc, c.Cutoff), buffer, "after moving");
    }

    [Fact]
    public void ThreadedSearchIntoBufferMatchesTheSerialOne()
    {
        var (pos, cell, pbc, cutoff) = Jittered(2600, seed: 3);
        var buffer = new NeighborPairBuffer();
        var threaded = new NeighborListWorkspace { ParallelAtoms = 0 };
        var expected = NeighborList.Search(pos, cell, pbc, cutoff, new NeighborListWorkspace { ParallelAtoms = int.MaxValue });
        for (int r = 0; r < 2; r++)
        {
            NeighborList.Search(pos, cell, pbc, cutoff, threaded, buffer);
            AssertIdentical(expected, buffer, $"threaded call {r}");
        }
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => NeighborList.Search([0, 0, 0], default, default, 1.0, new NeighborListWorkspace(), null!));
        Assert.Throws<ArgumentNullException>(() => NeighborList.Search([0, 0, 0], default, default, 1.0, null!, new NeighborPairBuffer()));
    }

    /// <summary>A periodic triclinic box of <paramref name="n"/> random atoms, about 12 neighbours each.</summary>
    internal static (double[] Pos, double[] Cell, bool[] Pbc, double Cutoff) Jittered(int n, int seed)
    {
        var rng = new System.Random(seed);
        double l = Math.Cbrt(n) * 1.6;
        double[] cell = [l, 0, 0, 0.1 * l, l, 0, -0.05 * l, 0.08 * l, l];
        var pos = new double[3 * n];
        for (int i = 0; i < n; i++)
        {
            double f0 = rng.NextDouble(), f1 = rng.NextDouble(), f2 = rng.NextDouble();
            for (int c = 0; c < 3; c++) pos[3 * i + c] = f0 * cell[c] + f1 * cell[3 + c] + f2 * cell[6 + c];
        }
        return (pos, cell, [true, true, true], 2.3);
    }
}

/// <summary>Allocation per search once the workspace and buffer have grown (reads process-wide counters, so not alongside other tests).</summary>
[Collection(PoolCounterCollection.Name)]
public class NeighborPairBufferAllocationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SteadyStateSearchAllocatesNoPairStorage(bool threaded)
    {
        var (pos, cell, pbc, cutoff) = NeighborPairBufferTests.Jittered(2600, seed: 9);
        var ws = new NeighborListWorkspace { ParallelAtoms = threaded ? 0 : int.MaxValue };
        var buffer = new NeighborPairBuffer();
        // Grow everything, with the atoms moving a little between steps as in MD.
        var rng = new System.Random(4);
        for (int step = 0; step < 4; step++)
        {
            for (int k = 0; k < pos.Length; k++) pos[k] += 0.01 * (rng.NextDouble() - 0.5);
            NeighborList.Search(pos, cell, pbc, cutoff, ws, buffer);
        }
        int pairs = buffer.Count;
        Assert.True(pairs > 20_000, $"only {pairs} pairs");
        const int calls = 10;
        long thread0 = GC.GetAllocatedBytesForCurrentThread(), total0 = GC.GetTotalAllocatedBytes(true);
        for (int step = 0; step < calls; step++) NeighborList.Search(pos, cell, pbc, cutoff, ws, buffer);
        long onThread = GC.GetAllocatedBytesForCurrentThread() - thread0, all = GC.GetTotalAllocatedBytes(true) - total0;
        // A fresh list would be 48 bytes per pair (over 1 MB here); the serial path allocates nothing at
        // all, the threaded one only the thread pool's per-call bookkeeping (on any thread).
        if (!threaded) Assert.True(onThread == 0, $"serial search allocated {onThread / calls} bytes per call on the calling thread");
        Assert.True(all / calls < 16 * 1024, $"{all / calls} bytes allocated per call for {pairs} pairs (threaded: {threaded})");
        AssertSame(pos, cell, pbc, cutoff, buffer);
    }

    private static void AssertSame(double[] pos, double[] cell, bool[] pbc, double cutoff, NeighborPairBuffer buffer)
        => NeighborPairBufferTests.AssertIdentical(NeighborList.Search(pos, cell, pbc, cutoff), buffer, "steady state");
}
