using SciKernels.Autograd;
using SciKernels.Diagnostics;
using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.Irreps;
using SciKernels.Random;
using Xunit;
using static SciKernels.Tests.Equivariant.TensorProducts.IrrepsTestSupport;
using Operand = SciKernels.Equivariant.ChannelwiseTensorProduct.Operand;

namespace SciKernels.Tests.Equivariant.TensorProducts;

/// <summary>
/// The fused channel-wise tensor-product convolution against its composite form, finite differences
/// (first and second order), equivariance under rotations and reflections, node relabelling and
/// determinism — all in float64 unless stated.
/// </summary>
public class TensorProductConvTests
{
    /// <summary>A problem: plan, graph, and operands in receiver order (edge vectors give the harmonics).</summary>
    private sealed record Problem(ChannelwiseTensorProduct Tp, MessagePassing.EdgeIndex Edges, Tensor Vectors, Tensor W, Tensor H, Tensor Positions);

    private static Problem Make(string irreps, int shLmax, int nodes, int edges, int seed, string? allowed = null, DType dtype = DType.Float64)
    {
        var rng = new System.Random(seed);
        var gen = new Generator((ulong)seed);
        var tp = new ChannelwiseTensorProduct(IrrepsLayout.Parse(irreps), shLmax, allowed is null ? null : IrrepsLayout.Parse(allowed));
        var (s, r) = RandomPairs(rng, nodes, edges);
        var ix = Index(s, r, nodes);
        var pos = Tensor.Randn([nodes, 3], gen, DType.Float64);
        var vec = MessagePassing.GatherRows(pos, ix, EdgeEnd.Sender).Sub(MessagePassing.GatherRows(pos, ix, EdgeEnd.Receiver));
        // self-loops have r = 0 (harmonics 0 for l > 0): give every edge a non-zero offset
        vec = vec.Add(Tensor.Randn([edges, 3], gen, DType.Float64).Mul(0.3));
        return new Problem(tp, ix, vec.To(dtype), Tensor.Randn([edges, tp.WeightWidth], gen, dtype), Tensor.Randn([nodes, tp.Input.Dim], gen, dtype), pos);
    }

    private static Tensor Sh(Problem p) => SphericalHarmonics.Compute(p.Vectors, p.Tp.ShLmax);

    public static TheoryData<string, int, string?> Layouts() => new()
    {
        // channel counts below, at and above the SIMD width (with tails); odd inputs; a filtered output set
        { "3x0e+2x1o+2x2e", 2, null },
        { "9x0e+9x1o+5x2e", 2, "0e+1o+2e" },
        { "4x0o+3x1e+2x3o", 3, null },
        { "1x0e", 1, null },
        { "16x0e+16x1o", 2, "0e+1o+1e+2e+2o" },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void EveryTargetOfTheFusedKernelMatchesTheCompositeForm(string irreps, int shLmax, string? allowed)
    {
        var p = Make(irreps, shLmax, nodes: 7, edges: 23, seed: 11, allowed);
        var tp = p.Tp;
        var g = Tensor.Randn([7, tp.Output.Dim], new Generator(12), DType.Float64);
        var y = Sh(p);
        var operands = new[] { g, p.W, y, p.H };
        for (int t = 0; t < 4; t++)
        {
            var args = (Tensor?[])operands.Clone();
            args[t] = null;
            var fused = TensorProductContraction.Contract(tp, p.Edges, (Operand)t, args[0], args[1], args[2], args[3]);
            p.Edges.UseFusedKernels = false;
            var composite = TensorProductContraction.Contract(tp, p.Edges, (Operand)t, args[0], args[1], args[2], args[3]);
            p.Edges.UseFusedKernels = true;
            double scale = 1 + MaxAbs(composite);
            Assert.True(MaxAbsDiff(fused, composite) < 1e-12 * scale, $"target {(Operand)t}: {MaxAbsDiff(fused, composite)}");
        }
        // the forward equals the public composite oracle too
        Assert.True(MaxAbsDiff(tp.Convolve(p.W, y, p.H, p.Edges), tp.ConvolveComposite(p.W, y, p.H, p.Edges)) < 1e-12 * (1 + MaxAbs(tp.ConvolveComposite(p.W, y, p.H, p.Edges))));
    }

    [Fact]
    public void TheContractionIsOneScalarSeenFromEachOperand()
    {
        // ⟨g, out(w, Y, h)⟩ = ⟨w, ∂S/∂w⟩ = ⟨Y, ∂S/∂Y⟩ = ⟨h, ∂S/∂h⟩: S is linear in each operand
        var p = Make("5x0e+3x1o+2x2e", 2, 6, 19, 13);
        var g = Tensor.Randn([6, p.Tp.Output.Dim], new Generator(14), DType.Float64);
        var y = Sh(p);
        double s0 = g.Mul(TensorProductContraction.Contract(p.Tp, p.Edges, Operand.Out, null, p.W, y, p.H)).Sum().Item();
        double s1 = p.W.Mul(TensorProductContraction.Contract(p.Tp, p.Edges, Operand.Weights, g, null, y, p.H)).Sum().Item();
        double s2 = y.Mul(TensorProductContraction.Contract(p.Tp, p.Edges, Operand.Sh, g, p.W, null, p.H)).Sum().Item();
        double s3 = p.H.Mul(TensorProductContraction.Contract(p.Tp, p.Edges, Operand.Nodes, g, p.W, y, null)).Sum().Item();
        foreach (var s in new[] { s1, s2, s3 }) Assert.True(Math.Abs(s - s0) < 1e-11 * (1 + Math.Abs(s0)), $"{s} vs {s0}");
    }

    [Fact]
    public void GradientsEqualTheCompositeFormsAutodiffFirstAndSecondOrder()
    {
        var p = Make("3x0e+2x1o+2x2e", 2, 6, 17, 15);
        var v = Tensor.Randn([6, p.Tp.Output.Dim], new Generator(16), DType.Float64);
        double[][] Grads(bool fused)
        {
            var w = p.W.Detach().RequiresGrad_();
            var vec = p.Vectors.Detach().RequiresGrad_();
            var h = p.H.Detach().RequiresGrad_();
            var y = SphericalHarmonics.Compute(vec, 2);
            var o = fused ? p.Tp.Convolve(w, y, h, p.Edges) : p.Tp.ConvolveComposite(w, y, h, p.Edges);
            var s = o.Mul(v).Sum();
            var first = Autodiff.Grad([s], [w, vec, h], createGraph: true);
            // second order: the gradient of a scalar of the first gradients (forces-style double backward)
            var t = first[0].Square().Sum().Add(first[1].Square().Sum()).Add(first[2].Mul(h).Sum());
            var second = Autodiff.Grad([t], [w, vec, h]);
            return [.. first.Select(x => x.ToArray<double>()), .. second.Select(x => x.ToArray<double>())];
        }
        var a = Grads(true);
        var b = Grads(false);
        for (int i = 0; i < a.Length; i++)
        {
            double scale = 1 + b[i].Max(Math.Abs);
            for (int k = 0; k < a[i].Length; k++) Assert.True(Math.Abs(a[i][k] - b[i][k]) < 1e-11 * scale, $"gradient {i}, element {k}: {a[i][k]} vs {b[i][k]}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GradCheckFirstAndSecondOrder(bool fused)
    {
        var p = Make("2x0e+2x1o+1x2e", 2, 4, 9, 17);
        p.Edges.UseFusedKernels = fused;
        Tensor F(Tensor[] xs) => p.Tp.Convolve(xs[0], SphericalHarmonics.Compute(xs[1], 2), xs[2], p.Edges);
        Tensor[] inputs = [p.W, p.Vectors, p.H];
        var first = GradCheck.Check(F, inputs);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, inputs);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void ForwardModeTangentsMatchReverseMode()
    {
        var p = Make("3x0e+2x1o", 1, 5, 12, 18);
        var y = Sh(p);
        var (tw, th) = (Tensor.Randn(p.W.Shape, new Generator(19), DType.Float64), Tensor.Randn(p.H.Shape, new Generator(20), DType.Float64));
        var tangent = Autodiff.Jvp(xs => [p.Tp.Convolve(xs[0], y, xs[1], p.Edges)], [p.W, p.H], [tw, th]).Tangents[0];
        var expected = p.Tp.Convolve(tw, y, p.H, p.Edges).Add(p.Tp.Convolve(p.W, y, th, p.Edges));
        Assert.True(MaxAbsDiff(tangent, expected) < 1e-12 * (1 + MaxAbs(expected)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IsEquivariantUnderRotationsAndReflectionsWithParity(bool reflection)
    {
        var p = Make("4x0e+2x0o+3x1o+2x1e+2x2e", 3, 6, 21, 21);
        var rng = new System.Random(22);
        var outRef = p.Tp.Convolve(p.W, Sh(p), p.H, p.Edges);
        for (int trial = 0; trial < 3; trial++)
        {
            var r = RandomOrthogonal(rng, reflection);
            // rotate the geometry (edge vectors) and the node features; the radial weights are invariant
            var rotated = p.Tp.Convolve(p.W, SphericalHarmonics.Compute(Transform(p.Vectors, r), 3), Transform(p.H, p.Tp.Input.Representation(r)), p.Edges);
            var expected = Transform(outRef, p.Tp.Output.Representation(r));
            Assert.True(MaxAbsDiff(rotated, expected) < 1e-12 * (1 + MaxAbs(expected)), $"trial {trial}: {MaxAbsDiff(rotated, expected)}");
        }
    }

    [Fact]
    public void RelabellingTheNodesPermutesTheOutput()
    {
        var rng = new System.Random(23);
        const int n = 8, e = 30;
        var tp = new ChannelwiseTensorProduct(IrrepsLayout.Parse("3x0e+2x1o+1x2e"), 2);
        var (s, r) = RandomPairs(rng, n, e);
        var gen = new Generator(24);
        var wPairs = Tensor.Randn([e, tp.WeightWidth], gen, DType.Float64);
        var vPairs = Tensor.Randn([e, 3], gen, DType.Float64);
        var h = Tensor.Randn([n, tp.Input.Dim], gen, DType.Float64);
        Tensor Run(long[] senders, long[] receivers, Tensor nodes)
        {
            using var ix = Index(senders, receivers, n);
            return tp.Convolve(wPairs.IndexSelect(0, ix.Order), SphericalHarmonics.Compute(vPairs.IndexSelect(0, ix.Order), 2), nodes, ix);
        }
        var baseline = Run(s, r, h);
        var perm = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Select(i => (long)i).ToArray(); // new label of node i
        var inverse = new long[n];
        for (int i = 0; i < n; i++) inverse[perm[i]] = i;
        var relabelled = Run(s.Select(x => perm[x]).ToArray(), r.Select(x => perm[x]).ToArray(), h.IndexSelect(0, Tensor.FromArray(inverse, n)));
        Assert.True(MaxAbsDiff(relabelled, baseline.IndexSelect(0, Tensor.FromArray(inverse, n))) < 1e-12 * (1 + MaxAbs(baseline)));
    }

    [Fact]
    public void IsDeterministicBitForBitInEveryTargetAndMatchesFloat64InFloat32()
    {
        var p = Make("32x0e+32x1o+32x2e", 2, 60, 900, 25, dtype: DType.Float32);
        var g = Tensor.Randn([60, p.Tp.Output.Dim], new Generator(26));
        var y = Sh(p);
        var operands = new[] { g, p.W, y, p.H };
        for (int t = 0; t < 4; t++)
        {
            var args = (Tensor?[])operands.Clone();
            args[t] = null;
            var a = TensorProductContraction.Contract(p.Tp, p.Edges, (Operand)t, args[0], args[1], args[2], args[3]);
            var b = TensorProductContraction.Contract(p.Tp, p.Edges, (Operand)t, args[0], args[1], args[2], args[3]);
            Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
            // calls racing for the worker pool (the loser runs on Parallel.For's threads): the same bits
            var racing = new float[3][];
            Parallel.For(0, 3, i => racing[i] = TensorProductContraction.Contract(p.Tp, p.Edges, (Operand)t, args[0], args[1], args[2], args[3]).ToArray<float>());
            foreach (var r in racing) Assert.Equal(a.ToArray<float>(), r);
            var d = Array.ConvertAll(args, x => x?.To(DType.Float64));
            var exact = TensorProductContraction.Contract(p.Tp, p.Edges, (Operand)t, d[0], d[1], d[2], d[3]);
            Assert.True(MaxAbsDiff(a.To(DType.Float64), exact) < 1e-4 * (1 + MaxAbs(exact)), $"target {(Operand)t}");
        }
    }

    [Fact]
    public void EmptyGraphsGiveZerosAndBadOperandsAreNamed()
    {
        var tp = new ChannelwiseTensorProduct(IrrepsLayout.Parse("2x0e+1x1o"), 1);
        using var none = Index([], [], 3);
        var h = Tensor.Randn([3, tp.Input.Dim], new Generator(27), DType.Float64);
        var o = tp.Convolve(Tensor.Zeros([0, tp.WeightWidth], DType.Float64), Tensor.Zeros([0, tp.ShDim], DType.Float64), h, none);
        Assert.Equal(new[] { 3, tp.Output.Dim }, o.Shape.ToArray());
        Assert.Equal(0, MaxAbs(o));
        var ex = Assert.Throws<TensorException>(() => tp.Convolve(Tensor.Zeros([0, tp.WeightWidth + 1], DType.Float64), Tensor.Zeros([0, tp.ShDim], DType.Float64), h, none));
        Assert.Contains("edge weights", ex.Message);
        Assert.Contains($"[0, {tp.WeightWidth}]", ex.Message);
        var mixed = Assert.Throws<TensorException>(() => tp.Convolve(Tensor.Zeros([0, tp.WeightWidth]), Tensor.Zeros([0, tp.ShDim], DType.Float64), h, none));
        Assert.Contains("dtype", mixed.Message);
        Assert.Throws<ArgumentException>(() => new ChannelwiseTensorProduct(IrrepsLayout.Parse("1x1o"), 1, IrrepsLayout.Parse("0o")));
    }

    [Fact]
    public void PlansThePathsByTriangleAndParity()
    {
        var tp = new ChannelwiseTensorProduct(IrrepsLayout.Parse("4x0e+2x1o"), 2, IrrepsLayout.Parse("0e+1o+2e"));
        // 0e⊗{0e,1o,2e} → 0e,1o,2e; 1o⊗0e → 1o; 1o⊗1o → 0e,(1e),2e; 1o⊗2e → 1o,(2o),(3o)
        Assert.Equal("4x0e+4x1o+4x2e+2x1o+2x0e+2x2e+2x1o", tp.Output.ToString());
        Assert.Equal(3 * 4 + 4 * 2, tp.WeightWidth);
    }
}
