using SciKernels.Kernels.Runtime;
using Xunit;

namespace SciKernels.Kernels.Tests;

/// <summary>
/// The message-passing kernels against straightforward host loops on every backend: CSR segment sum
/// (receiver order and through a sender permutation), segment max with argmax (empty segments, ties,
/// NaN, ±Inf), the argmax scatter and gather, and the fused edge combine with and without its
/// optional terms. Exact equality: each output is summed in the same order as the reference.
/// </summary>
public class GraphKernelsTests
{
    // a multigraph with 4 nodes: node 3 receives nothing; receivers sorted, senders arbitrary
    private static readonly long[] Recv = { 0, 0, 0, 1, 1, 2, 2 };
    private static readonly long[] Send = { 1, 1, 0, 3, 2, 2, 0 };
    private static readonly long[] Offsets = { 0, 3, 5, 7, 7 };
    private const int Nodes = 4, Cols = 3;

    private static (long[] Perm, long[] Off) BySender()
    {
        var order = Enumerable.Range(0, Send.Length).OrderBy(k => Send[k]).Select(k => (long)k).ToArray();
        var off = new long[Nodes + 1];
        foreach (var s in Send) off[s + 1]++;
        for (int n = 0; n < Nodes; n++) off[n + 1] += off[n];
        return (order, off);
    }

    private static double[] Edges(System.Random rng)
    {
        var x = Ref.Rand(rng, Recv.Length * Cols);
        x[1] = double.NaN;               // edge 0, column 1: wins node 0's column 1
        x[2] = x[2 * Cols + 2] = 1.5;    // tie in node 0's column 2: edge 0 wins
        x[3 * Cols] = double.PositiveInfinity;
        x[5 * Cols + 1] = double.NegativeInfinity;
        return x;
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void SegmentSumAndMaxMatchReference(string backend)
    {
        var d = Backends.Get(backend);
        var x = Edges(new System.Random(11));
        var (perm, sOff) = BySender();

        var sumR = new double[Nodes * Cols];
        var sumS = new double[Nodes * Cols];
        var max = new double[Nodes * Cols];
        var arg = new long[Nodes * Cols];
        for (int n = 0; n < Nodes; n++)
            for (int c = 0; c < Cols; c++)
            {
                double acc = 0;
                for (long k = Offsets[n]; k < Offsets[n + 1]; k++) acc += x[k * Cols + c];
                sumR[n * Cols + c] = acc;
                acc = 0;
                for (long k = sOff[n]; k < sOff[n + 1]; k++) acc += x[perm[k] * Cols + c];
                sumS[n * Cols + c] = acc;
                long best = -1;
                for (long k = Offsets[n]; k < Offsets[n + 1]; k++)
                    if (best < 0 || (!double.IsNaN(x[best * Cols + c]) && (double.IsNaN(x[k * Cols + c]) || x[k * Cols + c] > x[best * Cols + c]))) best = k;
                arg[n * Cols + c] = best;
                max[n * Cols + c] = best < 0 ? 0 : x[best * Cols + c];
            }
        Assert.Equal(0L, arg[1]);   // the NaN
        Assert.Equal(0L, arg[2]);   // the tie
        Assert.Equal(-1L, arg[3 * Cols]);

        using var dx = d.Up(x); using var fx = d.Up(Ref.F(x));
        using var doff = d.Up(Offsets); using var dperm = d.Up(perm); using var dsoff = d.Up(sOff);
        using var y = d.Alloc<double>(Nodes * Cols); using var fy = d.Alloc<float>(Nodes * Cols);
        using var a = d.Alloc<long>(Nodes * Cols);
        var yv = y.View.SubView(0, Nodes * Cols);
        var fyv = fy.View.SubView(0, Nodes * Cols);
        var av = a.View.SubView(0, Nodes * Cols);

        d.Ops.GraphSegmentSum(dx.View, doff.View, null, yv, Cols);
        Assert.Equal(sumR, d.Down(yv));
        d.Ops.GraphSegmentSum(dx.View, dsoff.View, dperm.View, yv, Cols);
        Assert.Equal(sumS, d.Down(yv));
        d.Ops.GraphSegmentSum(fx.View, doff.View, null, fyv, Cols);
        var sumF = new float[Nodes * Cols];
        for (int n = 0; n < Nodes; n++)
            for (long k = Offsets[n]; k < Offsets[n + 1]; k++)
                for (int c = 0; c < Cols; c++) sumF[n * Cols + c] += (float)x[k * Cols + c];
        Assert.Equal(sumF, d.Down(fyv));

        d.Ops.GraphSegmentMax(dx.View, doff.View, yv, av, Cols);
        Assert.Equal(max, d.Down(yv));
        Assert.Equal(arg, d.Down(av));
        d.Ops.GraphSegmentMax(fx.View, doff.View, fyv, av, Cols);
        Assert.Equal(Ref.F(max), d.Down(fyv));
        Assert.Equal(arg, d.Down(av));

        // the max's backward and its adjoint
        var g = Ref.Rand(new System.Random(12), Nodes * Cols);
        var scattered = new double[Recv.Length * Cols];
        for (int k = 0; k < Recv.Length; k++)
            for (int c = 0; c < Cols; c++)
                scattered[k * Cols + c] = arg[Recv[k] * Cols + c] == k ? g[Recv[k] * Cols + c] : 0;
        var picked = arg.Select((k, i) => k < 0 ? 0 : x[k * Cols + i % Cols]).ToArray();
        using var dg = d.Up(g); using var drecv = d.Up(Recv); using var de = d.Alloc<double>(x.Length);
        var ev = de.View.SubView(0, x.Length);
        d.Ops.GraphSegmentMax(dx.View, doff.View, yv, av, Cols);
        d.Ops.GraphScatterArgMax<double>(dg.View, av, drecv.View, ev, Cols);
        Assert.Equal(scattered, d.Down(ev));
        d.Ops.GraphGatherArgMax<double>(dx.View, av, yv, Cols);
        Assert.Equal(picked, d.Down(yv));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void EdgeCombineMatchesReference(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(13);
        var a = Ref.Rand(rng, Nodes * Cols);
        var b = Ref.Rand(rng, Nodes * Cols);
        var e = Ref.Rand(rng, Recv.Length * Cols);
        var bias = Ref.Rand(rng, Cols);
        using var da = d.Up(a); using var db = d.Up(b); using var de = d.Up(e); using var dbias = d.Up(bias);
        using var fa = d.Up(Ref.F(a)); using var fb = d.Up(Ref.F(b)); using var fe = d.Up(Ref.F(e)); using var fbias = d.Up(Ref.F(bias));
        using var dr = d.Up(Recv); using var ds = d.Up(Send);
        using var y = d.Alloc<double>(e.Length); using var fy = d.Alloc<float>(e.Length);
        var yv = y.View.SubView(0, e.Length);
        var fyv = fy.View.SubView(0, e.Length);
        foreach (var (withEdge, withBias) in new[] { (true, true), (false, true), (true, false), (false, false) })
        {
            var expected = new double[e.Length];
            var expectedF = new float[e.Length];
            for (int k = 0; k < Recv.Length; k++)
                for (int c = 0; c < Cols; c++)
                {
                    int l = k * Cols + c;
                    double v = a[Recv[k] * Cols + c] + b[Send[k] * Cols + c];
                    float vf = (float)a[Recv[k] * Cols + c] + (float)b[Send[k] * Cols + c];
                    if (withEdge) { v += e[l]; vf += (float)e[l]; }
                    if (withBias) { v += bias[c]; vf += (float)bias[c]; }
                    expected[l] = v;
                    expectedF[l] = vf;
                }
            d.Ops.GraphEdgeCombine(da.View, db.View, withEdge ? de.View : null, withBias ? dbias.View : null, dr.View, ds.View, yv, Cols);
            Assert.Equal(expected, d.Down(yv));
            d.Ops.GraphEdgeCombine(fa.View, fb.View, withEdge ? fe.View : null, withBias ? fbias.View : null, dr.View, ds.View, fyv, Cols);
            Assert.Equal(expectedF, d.Down(fyv));
        }
    }
}
