using SciKernels.Backends;
using SciKernels.Kernels.Compilation;
using Xunit;

namespace SciKernels.Kernels.Tests;

/// <summary>
/// The four tensor-product convolution kernels against host loops of the defining sums, on random
/// sparse couplings (several paths sharing an input block, pairs and entries chosen at random, so
/// every index of the table is exercised) over a multigraph with an isolated node, a node that only
/// sends and a self-loop: float64 to 1e-12 and float32 to 1e-4 of the largest value; the coupling
/// table rejects blocks outside their rows.
/// </summary>
public class TensorProductKernelsTests
{
    private static readonly long[] Recv = { 0, 0, 0, 1, 1, 2, 2, 2, 4 };
    private static readonly long[] Send = { 1, 1, 0, 3, 2, 2, 0, 3, 4 };
    private const int Nodes = 6;

    private sealed record Problem(TensorProductCoupling Coupling, TensorProductCouplingPath[] Paths, int InDim, int ShDim);

    private static Problem RandomCoupling(System.Random rng)
    {
        // input blocks (mul, degree); harmonics up to l = 2
        var blocks = new (int Mul, int Deg)[] { (3, 1), (2, 3), (4, 5) };
        var inOff = new int[blocks.Length];
        for (int b = 1; b < blocks.Length; b++) inOff[b] = inOff[b - 1] + blocks[b - 1].Mul * blocks[b - 1].Deg;
        int inDim = inOff[^1] + blocks[^1].Mul * blocks[^1].Deg, shDim = 9;
        var paths = new List<TensorProductCouplingPath>();
        int outOff = 0, wOff = 0;
        for (int k = 0; k < 7; k++)
        {
            int b = k < 3 ? k : rng.Next(blocks.Length); // every block at least once, then shared ones
            int l1 = rng.Next(3), outDeg = 2 * rng.Next(3) + 1;
            var (mul, deg) = blocks[b];
            var m2s = new List<int>(); var m3s = new List<int>(); var starts = new List<int> { 0 };
            var m1s = new List<int>(); var coefs = new List<double>();
            for (int m2 = 0; m2 < deg; m2++)
                for (int m3 = 0; m3 < outDeg; m3++)
                {
                    if (rng.NextDouble() < 0.4) continue;
                    for (int m1 = 0; m1 < 2 * l1 + 1; m1++)
                        if (rng.NextDouble() < 0.6) { m1s.Add(m1); coefs.Add(rng.NextDouble() * 2 - 1); }
                    if (m1s.Count == starts[^1]) { m1s.Add(rng.Next(2 * l1 + 1)); coefs.Add(0.5); }
                    m2s.Add(m2); m3s.Add(m3); starts.Add(m1s.Count);
                }
            paths.Add(new TensorProductCouplingPath(inOff[b], mul, deg, l1 * l1, 2 * l1 + 1, outOff, outDeg, wOff,
                m2s.ToArray(), m3s.ToArray(), starts.ToArray(), m1s.ToArray(), coefs.ToArray()));
            outOff += outDeg * mul;
            wOff += mul;
        }
        var arr = paths.ToArray();
        return new Problem(new TensorProductCoupling(outOff, wOff, shDim, inDim, arr), arr, inDim, shDim);
    }

    /// <summary>The four targets by their definitions (every term of every edge and path), in float64.</summary>
    private static double[][] Reference(Problem pb, double[] g, double[] w, double[] y, double[] h)
    {
        var c = pb.Coupling;
        int e = Recv.Length;
        var outp = new double[Nodes * c.OutputDim];
        var dw = new double[e * c.WeightWidth];
        var dy = new double[e * c.ShDim];
        var dh = new double[Nodes * c.InputDim];
        for (int k = 0; k < e; k++)
        {
            int i = (int)Recv[k], j = (int)Send[k];
            foreach (var p in pb.Paths)
                for (int q = 0; q < p.PairM2.Length; q++)
                    for (int t = p.PairStart[q]; t < p.PairStart[q + 1]; t++)
                    {
                        double cf = p.EntryCoef[t];
                        int m1 = p.ShOffset + p.EntryM1[t];
                        for (int ch = 0; ch < p.Mul; ch++)
                        {
                            int o = i * c.OutputDim + p.OutOffset + p.PairM3[q] * p.Mul + ch;
                            int hi = j * c.InputDim + p.InOffset + p.PairM2[q] * p.Mul + ch;
                            int wi = k * c.WeightWidth + p.WOffset + ch;
                            double yy = y[k * c.ShDim + m1];
                            outp[o] += cf * yy * w[wi] * h[hi];
                            dw[wi] += cf * yy * h[hi] * g[o];
                            dy[k * c.ShDim + m1] += cf * w[wi] * h[hi] * g[o];
                            dh[hi] += cf * yy * w[wi] * g[o];
                        }
                    }
        }
        return [outp, dw, dy, dh];
    }

    private static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1 + expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * scale, $"{what}: element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void EveryTargetMatchesTheDefinition(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(31);
        var pb = RandomCoupling(rng);
        var c = pb.Coupling;
        int e = Recv.Length;
        var g = Ref.Rand(rng, Nodes * c.OutputDim);
        var w = Ref.Rand(rng, e * c.WeightWidth);
        var y = Ref.Rand(rng, e * c.ShDim);
        var h = Ref.Rand(rng, Nodes * c.InputDim);
        var expected = Reference(pb, g, w, y, h);

        var offsets = new long[Nodes + 1];
        foreach (var r in Recv) offsets[r + 1]++;
        var sOff = new long[Nodes + 1];
        foreach (var s in Send) sOff[s + 1]++;
        for (int n = 0; n < Nodes; n++) { offsets[n + 1] += offsets[n]; sOff[n + 1] += sOff[n]; }
        var perm = Enumerable.Range(0, e).OrderBy(k => Send[k]).Select(k => (long)k).ToArray();

        using var table = d.Up(c.Table.ToArray());
        using var drecv = d.Up(Recv); using var dsend = d.Up(Send); using var doff = d.Up(offsets);
        using var dsoff = d.Up(sOff); using var dperm = d.Up(perm);
        int[] sizes = [Nodes * c.OutputDim, e * c.WeightWidth, e * c.ShDim, Nodes * c.InputDim];

        // float64
        using (var cf = d.Up(c.Coefficients.ToArray()))
        using (var dg = d.Up(g)) using (var dw = d.Up(w)) using (var dy = d.Up(y)) using (var dh = d.Up(h))
        {
            var outs = sizes.Select(n => d.Alloc<double>(n)).ToArray();
            var v = outs.Select((b, t) => b.View.SubView(0, sizes[t])).ToArray();
            d.Ops.TensorProductOut(dw.View, dy.View, dh.View, v[0], doff.View, dsend.View, table.View, cf.View);
            d.Ops.TensorProductWeights(dg.View, dy.View, dh.View, v[1], drecv.View, dsend.View, table.View, cf.View);
            d.Ops.TensorProductSh(dg.View, dw.View, dh.View, v[2], drecv.View, dsend.View, table.View, cf.View);
            d.Ops.TensorProductNodes(dg.View, dw.View, dy.View, v[3], dsoff.View, dperm.View, drecv.View, table.View, cf.View);
            for (int t = 0; t < 4; t++) AssertClose(expected[t], d.Down(v[t]), 1e-12, $"f64 target {(TensorProductTarget)t} on {backend}");
            // the isolated node 5 receives and sends nothing: zero rows, not stale memory
            Assert.All(d.Down(v[0])[(5 * c.OutputDim)..], x => Assert.Equal(0.0, x));
            foreach (var b in outs) b.Dispose();
        }
        // float32
        using (var cf = d.Up(Ref.F(c.Coefficients.ToArray())))
        using (var dg = d.Up(Ref.F(g))) using (var dw = d.Up(Ref.F(w))) using (var dy = d.Up(Ref.F(y))) using (var dh = d.Up(Ref.F(h)))
        {
            var outs = sizes.Select(n => d.Alloc<float>(n)).ToArray();
            var v = outs.Select((b, t) => b.View.SubView(0, sizes[t])).ToArray();
            d.Ops.TensorProductOut(dw.View, dy.View, dh.View, v[0], doff.View, dsend.View, table.View, cf.View);
            d.Ops.TensorProductWeights(dg.View, dy.View, dh.View, v[1], drecv.View, dsend.View, table.View, cf.View);
            d.Ops.TensorProductSh(dg.View, dw.View, dh.View, v[2], drecv.View, dsend.View, table.View, cf.View);
            d.Ops.TensorProductNodes(dg.View, dw.View, dy.View, v[3], dsoff.View, dperm.View, drecv.View, table.View, cf.View);
            for (int t = 0; t < 4; t++) AssertClose(expected[t], d.Down(v[t]).Select(x => (double)x).ToArray(), 1e-4, $"f32 target {(TensorProductTarget)t} on {backend}");
            foreach (var b in outs) b.Dispose();
        }
    }

    [Fact]
    public void TheCouplingTableRejectsBlocksOutsideTheirRows()
    {
        var ok = new TensorProductCouplingPath(0, 2, 3, 1, 3, 0, 1, 0, [0, 2], [0, 0], [0, 1, 2], [0, 2], [0.5, -0.5]);
        var c = new TensorProductCoupling(2, 2, 4, 6, [ok]);
        Assert.Equal(TensorProductCoupling.HeaderInts + TensorProductCoupling.PathInts + 2 * TensorProductCoupling.PairInts + 2, c.Table.Length);
        Assert.Throws<ArgumentException>(() => new TensorProductCoupling(2, 2, 4, 5, [ok]));            // input row too narrow
        Assert.Throws<ArgumentException>(() => new TensorProductCoupling(2, 2, 3, 6, [ok]));            // harmonics too narrow
        Assert.Throws<ArgumentException>(() => new TensorProductCoupling(4, 4, 4, 6, [ok, ok with { WOffset = 1, OutOffset = 2 }])); // overlapping weights
        Assert.Throws<ArgumentException>(() => new TensorProductCoupling(2, 2, 4, 6, [ok with { PairM2 = [2, 0] }])); // pairs out of order
        Assert.Throws<ArgumentException>(() => new TensorProductCoupling(2, 2, 4, 6, [ok with { EntryM1 = [0, 3] }])); // m₁ outside l₁
    }

    [Fact]
    public void CatalogueListsTheTensorProductKernels()
    {
        var names = KernelCatalog.Select("tensor_product_").Select(k => k.Name).ToArray();
        Assert.Equal(8, names.Length);
        foreach (var t in new[] { "out", "weights", "sh", "nodes" })
            foreach (var tag in new[] { "f32", "f64" })
                Assert.Contains($"graph/tensor_product_{t}/{tag}", names);
    }

    [SkippableFact]
    public void TensorProductKernelsAssembleForSm80AndSm90WithoutSpills()
    {
        var ptxas = Ptxas.Locate();
        Skip.If(ptxas is null && !Backends.IsCI, "ptxas not found (run tools/ptxas/fetch-ptxas.sh, or set SCIKERNELS_PTXAS)");
        var report = KernelReport.Run(new KernelReportOptions { Arches = ["sm_80", "sm_90"], IncludeOpenCL = false, Filter = "tensor_product_" }, ptxas);
        var failures = report.Failures.ToList();
        Assert.True(failures.Count == 0, "PTX failed to assemble:\n" + string.Join("\n", failures.Select(f => $"{f.Kernel} {f.Arch}: {f.Error}")));
        Assert.Equal(16, report.Ptx.Count);
        Assert.All(report.Ptx, e => Assert.Equal(0, e.Usage!.SpillStoreBytes));
    }
}
