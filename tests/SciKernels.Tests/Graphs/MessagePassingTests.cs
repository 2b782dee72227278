using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SciKernels.Autograd;
using SciKernels.Graphs;
using SciKernels.Random;
using SciKernels.Tests.Support;
using Xunit;
using static SciKernels.Graphs.MessagePassing;
using static SciKernels.Tests.Support.TensorGen;

namespace SciKernels.Tests.Graphs;

/// <summary>A directed multigraph as pairs (self-loops, multi-edges and isolated nodes allowed).</summary>
public sealed record GraphCase(int N, long[] Senders, long[] Receivers)
{
    public int E => Senders.Length;

    public EdgeIndex Index() => EdgeIndex.FromPairs(Senders, Receivers, N);

    public override string ToString() => $"N={N} edges=[{string.Join(", ", Senders.Select((s, i) => $"{s}->{Receivers[i]}"))}]";
}

/// <summary>
/// The message-passing primitives on the CPU: the edge index, first- and second-order gradient checks
/// at random graphs, equality with the composite forms (IndexSelect / IndexAdd / Concat + MatMul),
/// determinism, the max's NaN and tie rules and the error messages.
/// </summary>
public class MessagePassingTests
{
    private const int N = 20;

    public static Gen<GraphCase> Graphs(int maxNodes = 5, int maxEdges = 8) =>
        from n in Gen.Choose(1, maxNodes)
        from e in Gen.Choose(0, maxEdges)
        from s in Gen.ArrayOf(Gen.Choose(0, n - 1), e)
        from r in Gen.ArrayOf(Gen.Choose(0, n - 1), e)
        select new GraphCase(n, s.Select(v => (long)v).ToArray(), r.Select(v => (long)v).ToArray());

    /// <summary>A graph and edge rows [E, C] (or node rows [N, C]).</summary>
    private static Gen<(TensorValue[] Inputs, GraphCase Arg)> Rows(bool onEdges, Domain domain = Domain.Any) =>
        from g in Graphs()
        from c in Gen.Choose(1, 3)
        from x in Of(new[] { onEdges ? g.E : g.N, c }, domain)
        select (new[] { x }, g);

    // ---------------------------------------------------------------- the edge index

    [Property(MaxTest = 100)]
    public Property EdgeIndexIsAStableReceiverSortWithASenderGrouping() => Prop.ForAll(Arb.From(Graphs(8, 20)), g =>
    {
        using var ix = g.Index();
        var order = ix.Order.ToArray<long>();
        var recv = ix.Receivers.ToArray<long>();
        var send = ix.Senders.ToArray<long>();
        var row = ix.RowOffsets.ToArray<long>();
        var perm = ix.SenderPerm.ToArray<long>();
        var sOff = ix.SenderOffsets.ToArray<long>();
        // receiver order is the stable sort of the pairs
        var expected = Enumerable.Range(0, g.E).OrderBy(i => g.Receivers[i]).Select(i => (long)i).ToArray();
        Assert.Equal(expected, order);
        for (int k = 0; k < g.E; k++)
        {
            Assert.Equal(g.Receivers[order[k]], recv[k]);
            Assert.Equal(g.Senders[order[k]], send[k]);
        }
        for (int n = 0; n < g.N; n++)
        {
            Assert.Equal(recv.Count(r => r == n), row[n + 1] - row[n]);
            for (long k = row[n]; k < row[n + 1]; k++) Assert.Equal(n, recv[k]);
            var group = perm[(int)sOff[n]..(int)sOff[n + 1]];
            Assert.Equal(Enumerable.Range(0, g.E).Where(k => send[k] == n).Select(k => (long)k).ToArray(), group);
        }
        Assert.Equal(g.E, row[g.N]);
        Assert.Equal(g.E, sOff[g.N]);
    });

    [Fact]
    public void EdgeIndexRejectsBadPairs()
    {
        var e1 = Assert.Throws<TensorException>(() => EdgeIndex.FromPairs(new long[] { 0, 3 }, new long[] { 1, 1 }, 3));
        Assert.Contains("EdgeIndex.FromPairs", e1.Message);
        Assert.Contains("sender 3 of edge 1", e1.Message);
        var e2 = Assert.Throws<TensorException>(() => EdgeIndex.FromPairs(new long[] { 0 }, new long[] { 1, 1 }, 3));
        Assert.Contains("1 senders but 2 receivers", e2.Message);
        var e3 = Assert.Throws<TensorException>(() => EdgeIndex.FromPairs(new long[] { 0 }, new long[] { -1 }, 3));
        Assert.Contains("receiver -1", e3.Message);
    }

    // ---------------------------------------------------------------- gradients, first and second order

    [Property(MaxTest = N)]
    public Property GatherReceivers() => GradProperty.For("GatherRows(receiver)", Rows(onEdges: false), (x, g) => GatherRows(x[0], g.Index(), EdgeEnd.Receiver).Tanh());

    [Property(MaxTest = N)]
    public Property GatherSenders() => GradProperty.For("GatherRows(sender)", Rows(onEdges: false), (x, g) => GatherRows(x[0], g.Index(), EdgeEnd.Sender).Tanh());

    [Property(MaxTest = N)]
    public Property SumOverReceivers() => GradProperty.For("SegmentSum", Rows(onEdges: true), (x, g) => MessagePassing.SegmentSum(x[0], g.Index()).Tanh());

    [Property(MaxTest = N)]
    public Property SumOverSenders() => GradProperty.For("SegmentSum(sender)", Rows(onEdges: true), (x, g) => MessagePassing.SegmentSum(x[0], g.Index(), EdgeEnd.Sender).Tanh());

    [Property(MaxTest = N)]
    public Property Mean() => GradProperty.For("SegmentMean", Rows(onEdges: true), (x, g) => SegmentMean(x[0], g.Index()).Tanh());

    // distinct values: no ties, so the max is differentiable at every point checked
    [Property(MaxTest = N)]
    public Property Max() => GradProperty.For("SegmentMax", Rows(onEdges: true, Domain.Distinct), (x, g) => SegmentMax(x[0], g.Index()).Square());

    private static Gen<(TensorValue[] Inputs, (GraphCase G, bool Edge, bool Bias) Arg)> EdgeLinearCases() =>
        from g in Graphs(4, 7)
        from f in Gen.Choose(1, 2)
        from k in Gen.Choose(1, 2)
        from o in Gen.Choose(1, 2)
        from edge in Gen.Elements(true, false)
        from bias in Gen.Elements(true, false)
        from h in Of(new[] { g.N, f })
        from e in Of(new[] { g.E, k })
        from wa in Of(new[] { f, o })
        from wb in Of(new[] { f, o })
        from wc in Of(new[] { k, o })
        from b in Of(new[] { o })
        select (new[] { h, e, wa, wb, wc, b }, (g, edge, bias));

    [Property(MaxTest = N)]
    public Property EdgeLinearGradients() => GradProperty.For("EdgeLinear", EdgeLinearCases(), (x, a) =>
        EdgeLinear(x[0], a.Edge ? x[1] : null, a.G.Index(), x[2], x[3], a.Edge ? x[4] : null, a.Bias ? x[5] : null).Tanh());

    // ---------------------------------------------------------------- forward mode

    /// <summary>The forward rules agree with the reverse ones: ⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩ for every primitive.</summary>
    [Property(MaxTest = N)]
    public Property ForwardRulesAreTheAdjointsOfTheBackwardRules() => Prop.ForAll(Arb.From(Graphs(5, 10)), g =>
    {
        using var scope = TensorScope.Begin();
        using var ix = g.Index();
        var gen = new Generator((ulong)(g.E * 7 + g.N));
        Tensor R(params int[] s) => Tensor.Randn(s, gen, DType.Float64);
        var x = new[] { R(g.N, 2), R(g.E, 3), R(2, 2), R(2, 2), R(3, 2), R(2) };
        var v = x.Select(t => R(t.Shape.ToArray())).ToArray();
        Tensor[] F(Tensor[] p)
        {
            var m = EdgeLinear(p[0], p[1], ix, p[2], p[3], p[4], p[5]);
            return new[]
            {
                m.Tanh(),
                SegmentMax(m, ix),
                SegmentMean(p[1], ix),
                MessagePassing.SegmentSum(m, ix, EdgeEnd.Sender),
                GatherRows(p[0], ix, EdgeEnd.Receiver),
                EdgeLinear(p[0], null, ix, p[2], p[3], null, p[5]),
            };
        }
        var jvp = Autodiff.Jvp(F, x, v);
        var w = jvp.Outputs.Select(o => R(o.Shape.ToArray())).ToArray();
        var xs = x.Select(t => t.Detach().RequiresGrad_()).ToArray();
        var grads = Autodiff.Grad(F(xs), xs, w);
        double lhs = jvp.Tangents.Zip(w, (t, wi) => t.Mul(wi).Sum().Item()).Sum();
        double rhs = grads.Zip(v, (gi, vi) => gi.Mul(vi).Sum().Item()).Sum();
        Assert.True(Math.Abs(lhs - rhs) <= 1e-10 * (1 + Math.Abs(lhs)), $"{g}: <Jv, w> = {lhs:R} but <v, J^T w> = {rhs:R}");
        return true;
    });

    // ---------------------------------------------------------------- composite forms

    private static Tensor Naive(Tensor h, Tensor e, EdgeIndex ix, Tensor wa, Tensor wb, Tensor wc, Tensor b) =>
        Tensor.Concat(new[] { h.IndexSelect(0, ix.Receivers), h.IndexSelect(0, ix.Senders), e }, 1)
            .MatMul(Tensor.Concat(new[] { wa, wb, wc }, 0)).Add(b);

    [Property(MaxTest = 50)]
    public Property MatchesCompositeForms() => Prop.ForAll(Arb.From(Graphs(6, 16)), g =>
    {
        using var scope = TensorScope.Begin();
        using var ix = g.Index();
        var gen = new Generator((ulong)(g.E * 31 + g.N));
        var e = Tensor.Randn(new[] { g.E, 3 }, gen, DType.Float64);
        var h = Tensor.Randn(new[] { g.N, 3 }, gen, DType.Float64);
        var zeros = Tensor.Zeros(new[] { g.N, 3 }, DType.Float64);
        AssertBits(zeros.IndexAdd(0, ix.Receivers, e), MessagePassing.SegmentSum(e, ix), "sum over receivers vs IndexAdd");
        AssertBits(zeros.IndexAdd(0, ix.Senders, e), MessagePassing.SegmentSum(e, ix, EdgeEnd.Sender), "sum over senders vs IndexAdd");
        AssertBits(h.IndexSelect(0, ix.Senders), GatherRows(h, ix, EdgeEnd.Sender), "gather vs IndexSelect");
        var deg = zeros.Narrow(1, 0, 1).IndexAdd(0, ix.Receivers, Tensor.Ones(new[] { g.E, 1 }, DType.Float64)).Clamp(1, double.PositiveInfinity);
        AssertClose(zeros.IndexAdd(0, ix.Receivers, e).Div(deg), SegmentMean(e, ix), 1e-15, "mean");
        var wa = Tensor.Randn(new[] { 3, 4 }, gen, DType.Float64);
        var wb = Tensor.Randn(new[] { 3, 4 }, gen, DType.Float64);
        var wc = Tensor.Randn(new[] { 3, 4 }, gen, DType.Float64);
        var b = Tensor.Randn(new[] { 4 }, gen, DType.Float64);
        AssertClose(Naive(h, e, ix, wa, wb, wc, b), EdgeLinear(h, e, ix, wa, wb, wc, b), 1e-13, "edge linear vs concat + matmul");
        // and the composite path of every primitive (the per-instance seam) gives the same bits
        using var composite = g.Index();
        composite.UseFusedKernels = false;
        AssertBits(MessagePassing.SegmentSum(e, ix, EdgeEnd.Sender), MessagePassing.SegmentSum(e, composite, EdgeEnd.Sender), "composite sum");
        AssertBits(SegmentMax(e, ix), SegmentMax(e, composite), "composite max");
        AssertBits(EdgeLinear(h, e, ix, wa, wb, wc, b), EdgeLinear(h, e, composite, wa, wb, wc, b), "composite edge linear");
        var (gf, gc) = (Grads(ix), Grads(composite));
        for (int i = 0; i < gf.Length; i++) AssertBits(gf[i], gc[i], $"composite gradient {i}");
        return true;

        Tensor[] Grads(EdgeIndex on)
        {
            var inputs = new[] { h, e, wa, wb, wc, b }.Select(t => t.Detach().RequiresGrad_()).ToArray();
            var y = EdgeLinear(inputs[0], inputs[1], on, inputs[2], inputs[3], inputs[4], inputs[5]).Add(SegmentMax(inputs[1], on).Sum());
            return Autodiff.Grad(new[] { y.Square().Sum() }, inputs);
        }
    });

    // ---------------------------------------------------------------- determinism, max semantics, errors

    [Fact]
    public void BitIdenticalAcrossRuns()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(5);
        int n = 400, e = 6000;
        var s = Enumerable.Range(0, e).Select(i => (long)((i * 7919L) % n)).ToArray();
        var r = Enumerable.Range(0, e).Select(i => (long)((i * 104729L + i / 3) % n)).ToArray();
        using var ix = EdgeIndex.FromPairs(s, r, n);
        var h = Tensor.Randn(new[] { n, 32 }, gen);
        var ef = Tensor.Randn(new[] { e, 8 }, gen);
        var wa = Tensor.Randn(new[] { 32, 32 }, gen);
        var wb = Tensor.Randn(new[] { 32, 32 }, gen);
        var wc = Tensor.Randn(new[] { 8, 32 }, gen);
        var b = Tensor.Randn(new[] { 32 }, gen);
        Tensor[] Run()
        {
            var inputs = new[] { h, ef, wa, wb, wc, b }.Select(t => t.Detach().RequiresGrad_()).ToArray();
            var m = EdgeLinear(inputs[0], inputs[1], ix, inputs[2], inputs[3], inputs[4], inputs[5]).Tanh();
            var y = MessagePassing.SegmentSum(m, ix).Add(SegmentMean(m, ix)).Add(SegmentMax(m, ix));
            var grads = Autodiff.Grad(new[] { y.Square().Sum() }, inputs);
            return new[] { y }.Concat(grads).ToArray();
        }
        var first = Run();
        var second = Run();
        for (int i = 0; i < first.Length; i++) AssertBits(first[i], second[i], $"output {i}");
    }

    [Fact]
    public void MaxPropagatesNaNAndGivesTiesToTheFirstEdge()
    {
        // node 0 receives edges 0, 1, 2; node 1 receives edge 3; node 2 receives nothing
        using var ix = EdgeIndex.FromPairs(new long[] { 1, 2, 0, 0 }, new long[] { 0, 0, 0, 1 }, 3);
        var e = Tensor.FromArray(new[]
        {
            1.0, double.NaN, -1, 2,
            3.0, 5, double.PositiveInfinity, 2,
            3.0, double.NaN, 7, 1,
            double.NegativeInfinity, 0, 1, 1,
        }, 4, 4).RequiresGrad_();
        var y = SegmentMax(e, ix);
        var v = y.ToArray<double>();
        Assert.Equal(new[] { 3.0, double.NaN, double.PositiveInfinity, 2 }, v[..4]);
        Assert.Equal(new[] { double.NegativeInfinity, 0, 1, 1 }, v[4..8]);
        Assert.Equal(new double[4], v[8..]);
        var g = Autodiff.Grad(new[] { y.Sum() }, new[] { e })[0].ToArray<double>();
        // column 0: tie 3 = 3 → first edge (1); column 1: first NaN (edge 0); column 2: +inf (edge 1); column 3: tie 2 = 2 → edge 0
        Assert.Equal(new double[] { 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1 }, g);
    }

    [Fact]
    public void ErrorsNameTheOpAndShapes()
    {
        using var ix = EdgeIndex.FromPairs(new long[] { 0, 1 }, new long[] { 1, 2 }, 3);
        var ex = Assert.Throws<TensorException>(() => MessagePassing.SegmentSum(Tensor.Zeros(new[] { 3, 2 }), ix));
        Assert.Contains("MessagePassing.SegmentSum", ex.Message);
        Assert.Contains("[3, 2]", ex.Message);
        ex = Assert.Throws<TensorException>(() => EdgeLinear(Tensor.Zeros(new[] { 3, 4 }), null, ix, Tensor.Zeros(new[] { 4, 5 }), Tensor.Zeros(new[] { 3, 5 })));
        Assert.Contains("MessagePassing.EdgeLinear", ex.Message);
        Assert.Contains("Wb [3, 5]", ex.Message);
        ex = Assert.Throws<TensorException>(() => EdgeLinear(Tensor.Zeros(new[] { 3, 4 }), Tensor.Zeros(new[] { 2, 1 }), ix, Tensor.Zeros(new[] { 4, 5 }), Tensor.Zeros(new[] { 4, 5 }), Tensor.Zeros(new[] { 2, 5 })));
        Assert.Contains("Wc [2, 5]", ex.Message);
        ex = Assert.Throws<TensorException>(() => GatherRows(Tensor.FromArray(new long[3], 3), ix, EdgeEnd.Sender));
        Assert.Contains("MessagePassing.GatherRows", ex.Message);
    }

    internal static void AssertBits(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var a = expected.ToArray<double>();
        var b = actual.ToArray<double>();
        for (int i = 0; i < a.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(a[i]) == BitConverter.DoubleToInt64Bits(b[i]) || (double.IsNaN(a[i]) && double.IsNaN(b[i])),
                $"{what}: element {i} of {Tensor.ShapeString(expected.Shape)}: {a[i]:R} vs {b[i]:R}");
    }

    internal static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var a = expected.ToArray<double>();
        var b = actual.ToArray<double>();
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= tol * (1 + Math.Abs(a[i])) || a[i].Equals(b[i]), $"{what}: element {i} of {Tensor.ShapeString(expected.Shape)}: {a[i]:R} vs {b[i]:R}");
    }
}
