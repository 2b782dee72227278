using SciKernels.Kernels.Compilation;
using SciKernels.Kernels.Graph;
using Xunit;

namespace SciKernels.Kernels.Tests;

/// <summary>
/// The neighbour-list kernels on every backend: the three-pass exclusive scan against a host prefix
/// sum (one chunk, chunk boundaries, many chunks, empty), and count → scan → fill on a hand-made
/// binning whose bin lists the atoms backwards, so the per-receiver sort has work to do. The full
/// search against the CPU neighbour list is in SciKernels.Tests (NeighborDeviceTests).
/// </summary>
public class NeighborKernelsTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void ExclusiveScanMatchesHostPrefixSums(string backend)
    {
        var d = Backends.Get(backend);
        foreach (int n in new[] { 0, 1, 255, 256, 257, 1000 })
        {
            var rng = new System.Random(n);
            var counts = Enumerable.Range(0, n).Select(_ => (long)rng.Next(0, 40)).ToArray();
            var expected = new long[n + 1];
            for (int k = 0; k < n; k++) expected[k + 1] = expected[k] + counts[k];
            using var c = d.Up(counts);
            using var o = d.Alloc<long>(n + 1);
            d.Ops.ExclusiveScan(c.View, o.View, n);
            Assert.Equal(expected, d.Down(o.View.SubView(0, n + 1)));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void CountScanFillListsSortedPairs(string backend)
    {
        var d = Backends.Get(backend);
        // Open system, one bin, identity cell: atoms on a line at x = 0, 1, 1.5, 4; cutoff 2.
        double[] x = [0, 1, 1.5, 4];
        int n = x.Length;
        var pos = x.SelectMany(v => new[] { v, 0.0, 0.0 }).ToArray();
        var dbl = pos.Concat(pos).Concat(Enumerable.Range(0, n).Reverse().SelectMany(i => new[] { x[i], 0.0, 0.0 })).ToArray();
        int[] grid = [0, 0, 0, 0, /* bin starts */ 0, n, /* atoms in bin order */ 3, 2, 1, 0];
        var args = new NeighborArgs(n, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 2.0, 4.0 * (1 + 1e-8));
        using var dblBuf = d.Up(dbl);
        using var moved = d.Up(new long[3 * n]);
        using var gridBuf = d.Up(grid);
        using var counts = d.Alloc<long>(n);
        using var offsets = d.Alloc<long>(n + 1);
        d.Ops.NeighborCount(dblBuf.View, moved.View, gridBuf.View, counts.View, args);
        d.Ops.ExclusiveScan(counts.View, offsets.View, n);
        var off = d.Down(offsets.View);
        Assert.Equal(new long[] { 0, 2, 4, 6, 6 }, off);
        int e = (int)off[n];
        using var pairs = d.Alloc<long>(5 * e);
        using var dist = d.Alloc<double>(e);
        d.Ops.NeighborFill(dblBuf.View, moved.View, gridBuf.View, offsets.View, pairs.View, dist.View, args);
        var p = d.Down(pairs.View);
        Assert.Equal(new long[] { 0, 0, 1, 1, 2, 2 }, p[..e]);
        Assert.Equal(new long[] { 1, 2, 0, 2, 0, 1 }, p[e..(2 * e)]);
        Assert.All(p[(2 * e)..], s => Assert.Equal(0, s));
        Assert.Equal(new[] { 1, 1.5, 1, 0.5, 1.5, 0.5 }, d.Down(dist.View));
    }

    [Fact]
    public void CatalogueListsTheNeighborKernels()
    {
        var names = KernelCatalog.Select("neighbor_,scan_").Select(k => k.Name).ToArray();
        Assert.Equal(new[] { "graph/neighbor_count/f64", "graph/neighbor_fill/f64", "graph/scan_chunks/i64", "graph/scan_top/i64", "graph/scan_apply/i64" }, names);
    }

    [SkippableFact]
    public void NeighborKernelsAssembleForSm80AndSm90()
    {
        var ptxas = Ptxas.Locate();
        Skip.If(ptxas is null && !Backends.IsCI, "ptxas not found (run tools/ptxas/fetch-ptxas.sh, or set SCIKERNELS_PTXAS)");
        var report = KernelReport.Run(new KernelReportOptions { Arches = ["sm_80", "sm_90"], IncludeOpenCL = false, Filter = "neighbor_,scan_" }, ptxas);
        var failures = report.Failures.ToList();
        Assert.True(failures.Count == 0, "PTX failed to assemble:\n" + string.Join("\n", failures.Select(f => $"{f.Kernel} {f.Arch}: {f.Error}")));
        Assert.Equal(10, report.Ptx.Count);
        Assert.All(report.Ptx, e => Assert.Equal(0, e.Usage!.SpillStoreBytes));
    }
}
