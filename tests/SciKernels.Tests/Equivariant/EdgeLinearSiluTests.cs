using SciKernels.Autograd;
using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Equivariant;

/// <summary>The fused edge layer (gather + small edge GEMM + bias + SiLU in one pass) against the composite ops.</summary>
public class EdgeLinearSiluTests
{
    private sealed record Case(Tensor H, Tensor? E, MessagePassing.EdgeIndex Edges, Tensor Wa, Tensor Wb, Tensor? Wc, Tensor? B);

    private static Case Make(int nodes, int edgesCount, int f, int o, int k, bool bias, int seed)
    {
        var gen = new Generator((ulong)seed);
        var s = new long[edgesCount];
        var r = new long[edgesCount];
        for (int i = 0; i < edgesCount; i++)
        {
            s[i] = gen.NextInt64(nodes);
            r[i] = gen.NextInt64(nodes);
        }
        var edges = MessagePassing.EdgeIndex.FromPairs(s, r, nodes);
        // Wa, Wb, Wc as the Egcl layer makes them: transposed column blocks of one [O, 2F + k] weight.
        var w = Tensor.Randn([o, 2 * f + k], gen).Mul(0.3);
        return new Case(Tensor.Randn([nodes, f], gen).Mul(2), k == 0 ? null : Tensor.Randn([edgesCount, k], gen),
            edges, w.Narrow(1, 0, f).T, w.Narrow(1, f, f).T, k == 0 ? null : w.Narrow(1, 2 * f, k).T, bias ? Tensor.Randn([o], gen) : null);
    }

    private static Tensor Fused(Case c) => EdgeLinearSilu.Apply(c.H, c.E, c.Edges, c.Wa, c.Wb, c.Wc, c.B);

    private static Tensor Composite(Case c) => BiasSilu.Apply(MessagePassing.EdgeLinear(c.H, c.E, c.Edges, c.Wa, c.Wb, c.Wc), c.B);

    public static TheoryData<int, int, int, int, int, bool> Shapes() => new()
    {
        // nodes, edges, F, O, k, bias: the N-body layer (k = 3 after the radial term: q_i q_j and ‖·‖²),
        // no edge features, the widest folded k, a vector tail (O = 67), isolated nodes and no edges
        { 500, 2000, 64, 64, 3, true }, { 40, 150, 9, 16, 0, true }, { 40, 150, 9, 32, 8, false },
        { 31, 90, 5, 67, 1, true }, { 10, 0, 4, 16, 2, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float32BitsEqualTheCompositeTrackedOrNot(int nodes, int edges, int f, int o, int k, bool bias)
    {
        var c = Make(nodes, edges, f, o, k, bias, 41);
        var expected = Composite(c).ToArray<float>();
        Assert.Equal(expected, Fused(c).ToArray<float>());
        c.H.RequiresGrad_();
        Assert.Equal(expected, Fused(c).ToArray<float>());
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(0, false)]
    public void GradientsFirstAndSecondOrderEqualTheComposite(int k, bool bias)
    {
        // The fused op records the composite's nodes with the same backward ops, so float32
        // gradients (and gradients of gradients) are the composite's bit for bit.
        var c = Make(30, 120, 6, 32, k, bias, 42);
        var h = c.H.RequiresGrad_();
        var w = new Tensor[] { c.Wa, c.Wb };
        var leaves = new List<Tensor> { h };
        var e = c.E?.RequiresGrad_();
        if (e is not null) leaves.Add(e);
        var b = c.B?.RequiresGrad_();
        if (b is not null) leaves.Add(b);
        var gen = new Generator(43);
        var g = Tensor.Randn([120, 32], gen);
        var v = Tensor.Randn([30, 6], gen);

        Tensor[] Grads(Func<Case, Tensor> f)
        {
            var y = f(c with { H = h, E = e, B = b });
            var first = Autodiff.Grad([y], leaves, [g], createGraph: true);
            // second order: d/d(leaves) of <∂L/∂h, v>
            var second = Autodiff.Grad([first[0].Mul(v).Sum()], leaves, allowUnused: true);
            return [.. first, .. second];
        }

        var fused = Grads(Fused);
        var composite = Grads(Composite);
        for (int i = 0; i < fused.Length; i++)
            Assert.Equal(composite[i].ToArray<float>(), fused[i].ToArray<float>());
    }

    [Fact]
    public void ForwardModeMatchesTheComposite()
    {
        var c = Make(20, 70, 5, 16, 3, true, 44);
        var gen = new Generator(45);
        var primals = new[] { c.H, c.E!, c.B! };
        var tangents = new[] { Tensor.Randn([20, 5], gen), Tensor.Randn([70, 3], gen), Tensor.Randn([16], gen) };
        var tf = Autodiff.Jvp(xs => new[] { Fused(c with { H = xs[0], E = xs[1], B = xs[2] }) }, primals, tangents).Tangents[0];
        var tc = Autodiff.Jvp(xs => new[] { Composite(c with { H = xs[0], E = xs[1], B = xs[2] }) }, primals, tangents).Tangents[0];
        Assert.True(tf.Sub(tc).Abs().Max().Item() < 1e-5, "tangents differ");
    }
}
