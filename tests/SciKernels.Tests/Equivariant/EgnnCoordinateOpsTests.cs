using SciKernels.Autograd;
using SciKernels.Diagnostics;
using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.Random;
using Xunit;
using static SciKernels.Tests.Equivariant.EgnnTestGraphs;

namespace SciKernels.Tests.Equivariant;

/// <summary>
/// The fused coordinate ops of the EGNN layers (<see cref="EgnnCoordinateOps"/>): values equal to the
/// composite chains (bit for bit but for the order of the squared norm's D terms), gradients against finite differences (first and second order,
/// float64) and against the composite chains, forward-mode tangents.
/// </summary>
public class EgnnCoordinateOpsTests
{
    private const int N = 7;

    private static MessagePassing.EdgeIndex Graph(ulong seed, bool fused = true)
    {
        var gen = new Generator(seed);
        var (s, r) = RandomEdges(N, gen); // the last node has no incoming edge
        var edges = MessagePassing.EdgeIndex.FromPairs(s, r, N);
        edges.UseFusedKernels = fused;
        return edges;
    }

    /// <summary>Per-edge d and w whose products d·w fall on both sides of ±<paramref name="clamp"/>.</summary>
    private static (Tensor D, Tensor W) EdgeValues(int e, int dim, DType dtype, ulong seed)
    {
        var gen = new Generator(seed);
        return (Tensor.Randn([e, dim], gen, dtype).Mul(2), Tensor.Randn([e, 1], gen, dtype));
    }

    [Theory]
    [InlineData(DType.Float32, 3)]
    [InlineData(DType.Float64, 3)]
    [InlineData(DType.Float32, 2)]
    [InlineData(DType.Float64, 5)]
    public void ForwardEqualsTheCompositeChains(DType dtype, int dim)
    {
        using var edges = Graph(11);
        var x = Tensor.Randn([N, dim], new Generator(3), dtype).Mul(3);
        var (diff, radial) = EgnnCoordinateOps.Differences(x, edges);
        var (cdiff, cradial) = EgnnCoordinateOps.CompositeDifferences(x, edges);
        Assert.Equal(cdiff.To(DType.Float64).ToArray<double>(), diff.To(DType.Float64).ToArray<double>());
        // the squared norm sums its D terms in order, Sum may pair them differently: equal to rounding
        Assert.True(RelativeError(radial.To(DType.Float64), cradial.To(DType.Float64)) < (dtype == DType.Float32 ? 1e-6 : 1e-14));

        var (d, w) = EdgeValues(edges.NumEdges, dim, dtype, 5);
        const double clamp = 1.5;
        var y = EgnnCoordinateOps.ClampedMean(d, w, edges, clamp);
        var cy = EgnnCoordinateOps.CompositeClampedMean(d, w, edges, clamp);
        Assert.Equal(cy.To(DType.Float64).ToArray<double>(), y.To(DType.Float64).ToArray<double>());
        // the clamp is active on some terms and the node without incoming edges gets 0
        Assert.Contains(d.Mul(w).To(DType.Float64).ToArray<double>(), t => Math.Abs(t) > clamp);
        Assert.All(y.To(DType.Float64).ToArray<double>()[((N - 1) * dim)..], v => Assert.Equal(0.0, v));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void ClampedSumEqualsItsCompositeAndTheMeanTimesTheDegree(DType dtype)
    {
        using var edges = Graph(21);
        var (d, w) = EdgeValues(edges.NumEdges, 3, dtype, 22);
        var y = EgnnCoordinateOps.ClampedSum(d, w, edges, 1.5);
        Assert.Equal(EgnnCoordinateOps.CompositeClampedSum(d, w, edges, 1.5).To(DType.Float64).ToArray<double>(), y.To(DType.Float64).ToArray<double>());
        var mean = EgnnCoordinateOps.ClampedMean(d, w, edges, 1.5).To(DType.Float64).ToArray<double>();
        var sum = y.To(DType.Float64).ToArray<double>();
        var degree = new int[N];
        foreach (var r in edges.Receivers.ToArray<long>()) degree[r]++;
        for (int k = 0; k < sum.Length; k++)
            Assert.True(Math.Abs(sum[k] - mean[k] * Math.Max(1, degree[k / 3])) <= (dtype == DType.Float32 ? 1e-5 : 1e-13) * (1 + Math.Abs(sum[k])), $"[{k}]");
        Assert.Contains(degree, v => v > 1);
    }

    [Fact]
    public void ClampedSumGradientsMatchFiniteDifferencesAndTheComposite()
    {
        using var edges = Graph(23);
        using var composite = Graph(23, fused: false);
        var (d, w) = EdgeValues(edges.NumEdges, 3, DType.Float64, 24);
        var u = Randn(new Generator(25), N, 3);
        Assert.DoesNotContain(d.Mul(w).To(DType.Float64).ToArray<double>(), t => Math.Abs(Math.Abs(t) - 1.3) < 1e-4);
        Tensor F(Tensor[] xs) => EgnnCoordinateOps.ClampedSum(xs[0], xs[1], edges, 1.3).Mul(u).Sin();
        var first = GradCheck.Check(F, [d, w]);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, [d, w]);
        Assert.True(second.Passed, second.ToString());
        var tangent = Randn(new Generator(26), edges.NumEdges, 1);
        var f = Autodiff.Jvp(xs => [EgnnCoordinateOps.ClampedSum(xs[0], xs[1], edges, 1.3)], [d, w], [d.Mul(0.5), tangent]).Tangents[0];
        var c = Autodiff.Jvp(xs => [EgnnCoordinateOps.ClampedSum(xs[0], xs[1], composite, 1.3)], [d, w], [d.Mul(0.5), tangent]).Tangents[0];
        Assert.True(RelativeError(f, c) < 1e-12);
    }

    [Fact]
    public void ClampedMeanPassesNaNThroughLikeClamp()
    {
        using var edges = Graph(12);
        var (d, w) = EdgeValues(edges.NumEdges, 3, DType.Float32, 6);
        var dv = d.ToArray<float>();
        dv[4] = float.NaN;
        d = Tensor.FromArray(dv, edges.NumEdges, 3);
        var y = EgnnCoordinateOps.ClampedMean(d, w, edges, 1.0).To(DType.Float64).ToArray<double>();
        var cy = EgnnCoordinateOps.CompositeClampedMean(d, w, edges, 1.0).To(DType.Float64).ToArray<double>();
        Assert.Equal(cy, y);
        Assert.Contains(y, double.IsNaN);
    }

    [Fact]
    public void DifferencesGradientsMatchFiniteDifferencesFirstAndSecondOrder()
    {
        using var edges = Graph(13);
        var x = Randn(new Generator(4), N, 3);
        var a = Randn(new Generator(5), edges.NumEdges, 3);
        var b = Randn(new Generator(6), edges.NumEdges, 1);
        // a nonlinear read-out of both outputs so the second derivative of the difference path shows
        Tensor F(Tensor[] xs)
        {
            var (diff, radial) = EgnnCoordinateOps.Differences(xs[0], edges);
            return diff.Mul(a).Sin().Sum().Add(radial.Mul(b).Sum()).Reshape([1]);
        }
        var first = GradCheck.Check(F, [x]);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, [x]);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void ClampedMeanGradientsMatchFiniteDifferencesFirstAndSecondOrder()
    {
        using var edges = Graph(14);
        var (d, w) = EdgeValues(edges.NumEdges, 3, DType.Float64, 7);
        var u = Randn(new Generator(8), N, 3);
        // clamp at 1.3: several terms are cut off (zero gradient), the rest pass; none is within 1e-4 of ±1.3
        Assert.DoesNotContain(d.Mul(w).To(DType.Float64).ToArray<double>(), t => Math.Abs(Math.Abs(t) - 1.3) < 1e-4);
        Tensor F(Tensor[] xs) => EgnnCoordinateOps.ClampedMean(xs[0], xs[1], edges, 1.3).Mul(u).Sin();
        var first = GradCheck.Check(F, [d, w]);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, [d, w]);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void GradientsEqualTheCompositeChains()
    {
        using var fused = Graph(15);
        using var composite = Graph(15, fused: false);
        var x0 = Randn(new Generator(9), N, 3);
        var w0 = Randn(new Generator(10), fused.NumEdges, 1);
        (double[] X, double[] W) Grads(MessagePassing.EdgeIndex edges)
        {
            var x = x0.Detach().RequiresGrad_();
            var w = w0.Detach().RequiresGrad_();
            var (diff, radial) = EgnnCoordinateOps.Differences(x, edges);
            var y = EgnnCoordinateOps.ClampedMean(diff, w.Mul(radial), edges, 2.0);
            var gx = Autodiff.Grad([y.Square().Sum()], [x, w]);
            return (gx[0].To(DType.Float64).ToArray<double>(), gx[1].To(DType.Float64).ToArray<double>());
        }
        var (fx, fw) = Grads(fused);
        var (cx, cw) = Grads(composite);
        Assert.True(RelativeError(Tensor.FromArray(fx, fx.Length), Tensor.FromArray(cx, cx.Length)) < 1e-12);
        Assert.True(RelativeError(Tensor.FromArray(fw, fw.Length), Tensor.FromArray(cw, cw.Length)) < 1e-12);
    }

    [Fact]
    public void ForwardModeTangentsEqualTheCompositeChains()
    {
        using var fused = Graph(16);
        using var composite = Graph(16, fused: false);
        var gen = new Generator(17);
        var x = Randn(gen, N, 3);
        var w = Randn(gen, fused.NumEdges, 1);
        var tx = Randn(gen, N, 3);
        var tw = Randn(gen, fused.NumEdges, 1);
        Tensor[] Tangents(MessagePassing.EdgeIndex edges) => Autodiff.Jvp(xs =>
        {
            var (diff, radial) = EgnnCoordinateOps.Differences(xs[0], edges);
            return [radial, EgnnCoordinateOps.ClampedMean(diff, xs[1], edges, 1.0)];
        }, [x, w], [tx, tw]).Tangents;
        var f = Tangents(fused);
        var c = Tangents(composite);
        for (int i = 0; i < 2; i++) Assert.True(RelativeError(f[i], c[i]) < 1e-12, $"tangent {i}");
    }

    [Fact]
    public void MismatchedShapesAreReportedByName()
    {
        using var edges = Graph(18);
        var d = Tensor.Zeros([edges.NumEdges, 3]);
        var ex = Assert.Throws<TensorException>(() => EgnnCoordinateOps.ClampedMean(d, Tensor.Zeros([edges.NumEdges, 3]), edges, 1));
        Assert.Contains("Egnn.ClampedMean", ex.Message);
        Assert.Contains($"[{edges.NumEdges}, 3]", ex.Message);
    }
}
