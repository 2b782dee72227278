using SciKernels.Diagnostics;
using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Random;
using Xunit;
using static SciKernels.Tests.Equivariant.EgnnTestGraphs;

namespace SciKernels.Tests.Equivariant;

/// <summary>E(n) and permutation equivariance, gradients, and parameter layout of the EGNN modules, in float64.</summary>
public class EgnnPropertyTests
{
    private const double Tolerance = 1e-12;
    private const int F = 4, Hidden = 8;

    /// <summary>Layer settings under test: 0 reference defaults; 1 every option on; 2 not recurrent, C ≠ 1.</summary>
    internal static EgclOptions Config(int config) => config switch
    {
        0 => new EgclOptions(),
        1 => new EgclOptions { Activation = Activation.Silu, Attention = true, Tanh = true, CoordsRange = 3, NormDiff = true, EdgeAttributes = 2, NodeAttributes = 1 },
        2 => new EgclOptions { Activation = Activation.Silu, Recurrent = false, CoordsWeight = 0.7, EdgeAttributes = 1 },
        _ => throw new ArgumentOutOfRangeException(nameof(config)),
    };

    /// <summary>
    /// Re-draws the last φ_x layer at a usable scale: the reference's gain-0.001 start makes the
    /// coordinate path almost invisible, and the tests should see it.
    /// </summary>
    internal static void Enliven(Module model, Generator gen)
    {
        foreach (var (name, p) in model.NamedParameters())
            if (name.EndsWith("coord_mlp.2.weight", StringComparison.Ordinal)) Init.Normal(p, gen, 0, 0.5);
    }

    /// <summary>A layer and a random graph with inputs for it.</summary>
    internal sealed record Case(EgclVel Layer, Tensor H, Tensor X, Tensor V, Tensor Senders, Tensor Receivers, Tensor? EdgeAttr, Tensor? NodeAttr, long[] S, long[] R);

    internal static Case MakeCase(int config, int d, ulong seed, int n = 6)
    {
        var gen = new Generator(seed);
        var options = Config(config);
        int outF = options.Recurrent ? F : F + 1;
        var layer = new EgclVel(F, outF, Hidden, gen, options, DType.Float64);
        Enliven(layer, gen);
        var (s, r) = RandomEdges(n, gen);
        var ea = options.EdgeAttributes > 0 ? Randn(gen, s.Length, options.EdgeAttributes) : null;
        var na = options.NodeAttributes > 0 ? Randn(gen, n, options.NodeAttributes) : null;
        return new Case(layer, Randn(gen, n, F), Randn(gen, n, d), Randn(gen, n, d), Index(s), Index(r), ea, na, s, r);
    }

    [Theory]
    [InlineData(0, 1, 3)]
    [InlineData(0, -1, 3)]
    [InlineData(1, 1, 3)]
    [InlineData(1, -1, 3)]
    [InlineData(2, 1, 3)]
    [InlineData(2, -1, 3)]
    [InlineData(1, -1, 2)]
    [InlineData(1, 1, 5)]
    public void EgclIsEquivariantUnderOrthogonalMapsAndTranslations(int config, int determinant, int d)
    {
        var c = MakeCase(config, d, seed: (ulong)(100 + 10 * config + d));
        var gen = new Generator(7 + (ulong)d);
        var q = RandomOrthogonal(d, gen, determinant);
        Assert.Equal(determinant, Math.Sign(Determinant(q)));
        var t = Enumerable.Range(0, d).Select(_ => 3 * gen.NextNormal()).ToArray();

        Egcl plain = c.Layer; // the E_GCL forward of the same weights
        var (h1, x1) = plain.Forward(c.H, c.X, c.Senders, c.Receivers, c.EdgeAttr, c.NodeAttr);
        var (h2, x2) = plain.Forward(c.H, Transform(c.X, q, t), c.Senders, c.Receivers, c.EdgeAttr, c.NodeAttr);
        Assert.True(RelativeError(h2, h1) < Tolerance, $"h not invariant: {RelativeError(h2, h1):E2}");
        Assert.True(RelativeError(x2, Transform(x1, q, t)) < Tolerance, $"x not equivariant: {RelativeError(x2, Transform(x1, q, t)):E2}");
        // The layer must actually move the points, or the check above proves little.
        Assert.True(RelativeError(x1, c.X) > 1e-3);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, -1)]
    [InlineData(1, 1)]
    [InlineData(1, -1)]
    [InlineData(2, -1)]
    public void EgclVelIsEquivariant(int config, int determinant)
    {
        const int d = 3;
        var c = MakeCase(config, d, seed: (ulong)(200 + config));
        var gen = new Generator(11);
        var q = RandomOrthogonal(d, gen, determinant);
        var t = new[] { 1.5, -2.0, 0.25 };

        var (h1, x1, v1) = c.Layer.Forward(c.H, c.X, c.Senders, c.Receivers, c.V, c.EdgeAttr, c.NodeAttr);
        var (h2, x2, v2) = c.Layer.Forward(c.H, Transform(c.X, q, t), c.Senders, c.Receivers, Transform(c.V, q), c.EdgeAttr, c.NodeAttr);
        Assert.True(RelativeError(h2, h1) < Tolerance, $"h: {RelativeError(h2, h1):E2}");
        Assert.True(RelativeError(x2, Transform(x1, q, t)) < Tolerance, $"x: {RelativeError(x2, Transform(x1, q, t)):E2}");
        Assert.True(RelativeError(v2, Transform(v1, q)) < Tolerance, $"v: {RelativeError(v2, Transform(v1, q)):E2}");
        Assert.True(RelativeError(x1.Sub(c.X), v1) < Tolerance, "x_new must be x + v");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void EgnnVelIsEquivariant(int determinant)
    {
        const int n = 5, d = 3;
        var gen = new Generator(300);
        var model = new EgnnVel(1, 2, 16, gen, layerCount: 3, dtype: DType.Float64);
        Enliven(model, gen);
        var (s, r) = RandomEdges(n, gen, p: 1.0);
        var h = Randn(gen, n, 1);
        var x = Randn(gen, n, d);
        var v = Randn(gen, n, d);
        var ea = Randn(gen, s.Length, 2);
        var q = RandomOrthogonal(d, gen, determinant);
        var t = new[] { -4.0, 0.5, 2.0 };

        var (h1, x1, v1) = model.ForwardAll(h, x, Index(s), Index(r), v, ea);
        var (h2, x2, v2) = model.ForwardAll(h, Transform(x, q, t), Index(s), Index(r), Transform(v, q), ea);
        Assert.True(RelativeError(h2, h1) < Tolerance, $"h: {RelativeError(h2, h1):E2}");
        Assert.True(RelativeError(x2, Transform(x1, q, t)) < Tolerance, $"x: {RelativeError(x2, Transform(x1, q, t)):E2}");
        Assert.True(RelativeError(v2, Transform(v1, q)) < Tolerance, $"v: {RelativeError(v2, Transform(v1, q)):E2}");
        Assert.True(RelativeError(model.Forward(h, x, Index(s), Index(r), v, ea), x1) == 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void EgclVelIsPermutationEquivariant(int config)
    {
        var c = MakeCase(config, 3, seed: (ulong)(400 + config), n: 7);
        int n = c.H.Shape[0];
        var perm = new Generator(5).Permutation(n); // new node k is old node perm[k]
        var inverse = new long[n];
        for (int k = 0; k < n; k++) inverse[perm[k]] = k;
        var p = Index(perm.Select(i => (long)i).ToArray());
        var s2 = Index(c.S.Select(i => inverse[i]).ToArray());
        var r2 = Index(c.R.Select(i => inverse[i]).ToArray());

        var (h1, x1, v1) = c.Layer.Forward(c.H, c.X, c.Senders, c.Receivers, c.V, c.EdgeAttr, c.NodeAttr);
        var (h2, x2, v2) = c.Layer.Forward(c.H.IndexSelect(0, p), c.X.IndexSelect(0, p), s2, r2, c.V.IndexSelect(0, p), c.EdgeAttr, c.NodeAttr?.IndexSelect(0, p));
        Assert.True(RelativeError(h2, h1.IndexSelect(0, p)) < Tolerance);
        Assert.True(RelativeError(x2, x1.IndexSelect(0, p)) < Tolerance);
        Assert.True(RelativeError(v2, v1.IndexSelect(0, p)) < Tolerance);
    }

    [Fact]
    public void EdgeOrderDoesNotMatter()
    {
        var c = MakeCase(1, 3, seed: 450);
        var order = new Generator(9).Permutation(c.S.Length);
        var o = Index(order.Select(i => (long)i).ToArray());
        var (h1, x1, v1) = c.Layer.Forward(c.H, c.X, c.Senders, c.Receivers, c.V, c.EdgeAttr, c.NodeAttr);
        var s2 = Index(order.Select(i => c.S[i]).ToArray());
        var r2 = Index(order.Select(i => c.R[i]).ToArray());
        var (h2, x2, v2) = c.Layer.Forward(c.H, c.X, s2, r2, c.V, c.EdgeAttr!.IndexSelect(0, o), c.NodeAttr);
        Assert.True(RelativeError(h2, h1) < Tolerance);
        Assert.True(RelativeError(x2, x1) < Tolerance);
        Assert.True(RelativeError(v2, v1) < Tolerance);
    }

    /// <summary>Outputs and every gradient (inputs and parameters) of a loss over the layer's outputs.</summary>
    private static double[][] OutputsAndGradients(Module module, Tensor[] inputs, Func<Tensor[], Tensor> f)
    {
        module.ZeroGrad();
        var xs = inputs.Select(t => t.Detach().RequiresGrad_()).ToArray();
        var y = f(xs);
        y.Square().Sum().Backward();
        return new[] { y.ToArray<double>() }
            .Concat(xs.Select(t => t.Grad!.ToArray<double>()))
            .Concat(module.Parameters().Select(p => p.Grad?.ToArray<double>() ?? []))
            .ToArray();
    }

    private static void AssertClose(double[][] a, double[][] b)
    {
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            double scale = 1 + a[i].Select(Math.Abs).DefaultIfEmpty().Max();
            for (int j = 0; j < a[i].Length; j++)
                Assert.True(Math.Abs(a[i][j] - b[i][j]) <= 1e-12 * scale, $"array {i}, element {j}: {a[i][j]} vs {b[i][j]}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void EdgeIndexPathEqualsPairsPath(int config)
    {
        var c = MakeCase(config, 3, seed: (ulong)(470 + config), n: 7);
        // pairs in a shuffled order, so the index must reorder the edge attributes
        var order = new Generator(13).Permutation(c.S.Length);
        var s = order.Select(i => c.S[i]).ToArray();
        var r = order.Select(i => c.R[i]).ToArray();
        var ea = c.EdgeAttr?.IndexSelect(0, Index(order.Select(i => (long)i).ToArray()));
        using var edges = MessagePassing.EdgeIndex.FromPairs(s, r, c.H.Shape[0]);
        var eaSorted = ea?.IndexSelect(0, edges.Order);
        Tensor[] inputs = ea is null ? [c.H, c.X, c.V] : [c.H, c.X, c.V, ea];
        Tensor Pack((Tensor H, Tensor X, Tensor V) o) => Tensor.Concat([o.H, o.X, o.V], 1);
        var pairs = OutputsAndGradients(c.Layer, inputs, xs => Pack(c.Layer.Forward(xs[0], xs[1], Index(s), Index(r), xs[2], xs.Length > 3 ? xs[3] : null, c.NodeAttr)));
        var fast = OutputsAndGradients(c.Layer, inputs, xs => Pack(c.Layer.Forward(xs[0], xs[1], edges, xs[2], xs.Length > 3 ? xs[3].IndexSelect(0, edges.Order) : null, c.NodeAttr)));
        AssertClose(pairs, fast);
        // and the Egcl forward of the same weights
        Egcl plain = c.Layer;
        var (h1, x1) = plain.Forward(c.H, c.X, Index(s), Index(r), ea, c.NodeAttr);
        var (h2, x2) = plain.Forward(c.H, c.X, edges, eaSorted, c.NodeAttr);
        Assert.True(RelativeError(h2, h1) < Tolerance);
        Assert.True(RelativeError(x2, x1) < Tolerance);
    }

    [Fact]
    public void EgnnVelEdgeIndexPathEqualsPairsPath()
    {
        const int n = 6;
        var gen = new Generator(480);
        var model = new EgnnVel(1, 2, 8, gen, layerCount: 3, dtype: DType.Float64);
        Enliven(model, gen);
        var (s0, r0) = RandomEdges(n, gen, p: 0.8);
        var order = gen.Permutation(s0.Length);
        var s = order.Select(i => s0[i]).ToArray();
        var r = order.Select(i => r0[i]).ToArray();
        using var edges = MessagePassing.EdgeIndex.FromPairs(s, r, n);
        Tensor[] inputs = [Randn(gen, n, 1), Randn(gen, n, 3), Randn(gen, n, 3), Randn(gen, s.Length, 2)];
        Tensor Pack((Tensor H, Tensor X, Tensor V) o) => Tensor.Concat([o.H, o.X, o.V], 1);
        var pairs = OutputsAndGradients(model, inputs, xs => Pack(model.ForwardAll(xs[0], xs[1], Index(s), Index(r), xs[2], xs[3])));
        var fast = OutputsAndGradients(model, inputs, xs => Pack(model.ForwardAll(xs[0], xs[1], edges, xs[2], xs[3].IndexSelect(0, edges.Order))));
        AssertClose(pairs, fast);
    }

    [Fact]
    public void EdgeIndexPathGradientsMatchFiniteDifferencesFirstAndSecondOrder()
    {
        var c = MakeCase(1, 3, seed: 530, n: 4);
        using var edges = MessagePassing.EdgeIndex.FromPairs(c.S, c.R, c.H.Shape[0]);
        var ea = c.EdgeAttr!.IndexSelect(0, edges.Order);
        Tensor F(Tensor[] xs)
        {
            var (h, x, v) = c.Layer.Forward(xs[0], xs[1], edges, xs[2], xs[3], xs[4]);
            return Tensor.Concat([h, x, v], 1);
        }
        Tensor[] inputs = [c.H, c.X, c.V, ea, c.NodeAttr!];
        var first = GradCheck.Check(F, inputs);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, inputs);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void NodeWithoutIncomingEdgesKeepsItsCoordinates()
    {
        var c = MakeCase(0, 3, seed: 460);
        int last = c.H.Shape[0] - 1; // RandomEdges leaves the last node without incoming edges
        Assert.DoesNotContain((long)last, c.R);
        var (_, x1) = ((Egcl)c.Layer).Forward(c.H, c.X, c.Senders, c.Receivers);
        Assert.Equal(c.X.Narrow(0, last, 1).ToArray<double>(), x1.Narrow(0, last, 1).ToArray<double>());
    }

    private static Func<Tensor[], Tensor> LayerFunction(Case c) => xs =>
    {
        var (h, x, v) = c.Layer.Forward(xs[0], xs[1], c.Senders, c.Receivers, xs[2], xs[3], xs[4]);
        return Tensor.Concat([h, x, v], 1);
    };

    [Fact]
    public void EgclVelGradientsMatchFiniteDifferences()
    {
        var c = MakeCase(1, 3, seed: 500, n: 4);
        Tensor[] inputs = [c.H, c.X, c.V, c.EdgeAttr!, c.NodeAttr!];
        var result = GradCheck.Check(LayerFunction(c), inputs);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void EgclVelSecondDerivativesMatchFiniteDifferences()
    {
        var c = MakeCase(1, 3, seed: 510, n: 4);
        Tensor[] inputs = [c.H, c.X, c.V, c.EdgeAttr!, c.NodeAttr!];
        var result = GradCheck.CheckSecondOrder(LayerFunction(c), inputs);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void EgnnVelGradientsMatchFiniteDifferencesFirstAndSecondOrder()
    {
        const int n = 4;
        var gen = new Generator(520);
        var model = new EgnnVel(1, 2, 6, gen, layerCount: 2, dtype: DType.Float64);
        Enliven(model, gen);
        var (s, r) = RandomEdges(n, gen, p: 1.0);
        var senders = Index(s);
        var receivers = Index(r);
        Tensor[] inputs = [Randn(gen, n, 1), Randn(gen, n, 3), Randn(gen, n, 3), Randn(gen, s.Length, 2)];
        Tensor Model(Tensor[] xs) => model.Forward(xs[0], xs[1], senders, receivers, xs[2], xs[3]);
        var first = GradCheck.Check(Model, inputs);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(Model, inputs);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void ParametersAreNamedAndCountedAsInTheReference()
    {
        using var model = new EgnnVel(1, 2, 64, new Generator(1));
        var names = model.NamedParameters().Select(p => p.Name).ToList();
        Assert.Equal("embedding.weight", names[0]);
        foreach (var expected in new[] { "gcl_0.edge_mlp.0.weight", "gcl_0.edge_mlp.2.bias", "gcl_0.node_mlp.0.weight", "gcl_0.node_mlp.2.bias",
                     "gcl_0.coord_mlp.0.weight", "gcl_0.coord_mlp.2.weight", "gcl_3.coord_mlp_vel.0.weight", "gcl_3.coord_mlp_vel.2.bias" })
            Assert.Contains(expected, names);
        Assert.DoesNotContain("gcl_0.coord_mlp.2.bias", names);
        Assert.DoesNotContain(names, n => n.Contains("att_mlp", StringComparison.Ordinal));
        // Per layer: edge 131·64+64 + 64·64+64; node 128·64+64 + 64·64+64; coord 64·64+64 + 64; vel 64·64+64 + 64+1.
        Assert.Equal(128 + 4 * 33473, model.ParameterCount);
        // The last φ_x layer starts at Xavier gain 0.001: |w| ≤ 0.001·√(6/65).
        var w = model.NamedParameters().Single(p => p.Name == "gcl_0.coord_mlp.2.weight").Parameter.ToArray<float>();
        Assert.All(w, v => Assert.True(Math.Abs(v) <= 0.001 * Math.Sqrt(6.0 / 65) + 1e-9));
        Assert.Contains(w, v => v != 0);
    }

    [Fact]
    public void SameGeneratorSeedGivesSameWeights()
    {
        using var a = new EgnnVel(1, 2, 16, new Generator(3), layerCount: 2);
        using var b = new EgnnVel(1, 2, 16, new Generator(3), layerCount: 2);
        foreach (var ((_, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
            Assert.Equal(pa.ToArray<float>(), pb.ToArray<float>());
    }

    [Fact]
    public void BadInputsAreReportedByName()
    {
        var c = MakeCase(1, 3, seed: 600);
        var e = Assert.Throws<TensorException>(() => c.Layer.Forward(c.H, c.X, c.Senders, c.Receivers, c.V, null, c.NodeAttr));
        Assert.Contains("edge attributes", e.Message);
        e = Assert.Throws<TensorException>(() => c.Layer.Forward(c.H, c.X.Narrow(0, 0, 2), c.Senders, c.Receivers, c.V, c.EdgeAttr, c.NodeAttr));
        Assert.Contains("coordinates", e.Message);
        e = Assert.Throws<TensorException>(() => c.Layer.Forward(c.H, c.X, c.Senders, c.Receivers.Narrow(0, 0, 1), c.V, c.EdgeAttr, c.NodeAttr));
        Assert.Contains("senders and receivers", e.Message);
        e = Assert.Throws<TensorException>(() => c.Layer.Forward(c.H, c.X, c.Senders, c.Receivers, c.V.Narrow(1, 0, 2), c.EdgeAttr, c.NodeAttr));
        Assert.Contains("velocities", e.Message);
        var bad = Index(c.S.Select(i => i + 100).ToArray());
        Assert.Throws<TensorException>(() => c.Layer.Forward(c.H, c.X, bad, c.Receivers, c.V, c.EdgeAttr, c.NodeAttr));
        Assert.Throws<ArgumentException>(() => new Egcl(4, 5, 8, new Generator(1)));
        Assert.Throws<NotSupportedException>(() => c.Layer.Forward(c.H));
    }
}
