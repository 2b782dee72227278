using FsCheck.Xunit;
using SciKernels.Autograd;
using SciKernels.Diagnostics;
using SciKernels.NN;
using SciKernels.Pinn;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Pinn;

/// <summary>
/// The Taylor (forward-mode) derivative path against reverse-over-reverse autodiff: values,
/// derivatives and weight gradients of PINN-style losses must agree on random networks and points.
/// </summary>
public sealed class TaylorMlpTests
{
    private static readonly Activation[] Smooth = { Activation.Tanh, Activation.Sin, Activation.Sigmoid, Activation.Softplus, Activation.Silu, Activation.Gelu };

    // ---------------------------------------------------------------- properties

    [Property(MaxTest = 40)]
    public bool DerivativesMatchReverseOverReverse(int seed)
    {
        using var scope = TensorScope.Begin();
        var (layers, x, request) = RandomCase(new Generator((ulong)(uint)seed));
        var taylor = TaylorMlp.Forward(layers, x, request);
        var reference = Reference(layers, x, request);
        AssertSame(reference, taylor, 1e-10);
        return true;
    }

    [Property(MaxTest = 30)]
    public bool LossGradientsMatchReverseOverReverse(int seed)
    {
        using var scope = TensorScope.Begin();
        var (layers, x, request) = RandomCase(new Generator((ulong)(uint)seed + 99));
        var parameters = Parameters(layers);
        var gt = Autodiff.Grad(new[] { Loss(TaylorMlp.Forward(layers, x, request)) }, parameters);
        var gr = Autodiff.Grad(new[] { Loss(Reference(layers, x, request)) }, parameters);
        for (int i = 0; i < parameters.Length; i++) AssertClose(gr[i], gt[i], 1e-9, $"parameter {i}");
        return true;
    }

    [Property(MaxTest = 25)]
    public bool FusedKernelsMatchCompositeForm(int seed)
    {
        using var scope = TensorScope.Begin();
        var (layers, x, request) = RandomCase(new Generator((ulong)(uint)seed + 7));
        var parameters = Parameters(layers);
        var fused = TaylorMlp.Forward(layers, x, request);
        var composite = TaylorMlp.ForwardComposite(layers, x, request);
        AssertClose(composite.Stacked, fused.Stacked, 1e-12, "stacked streams");
        // Fused backward (no graph) vs the recorded tensor-op backward (createGraph) vs autodiff of the composite forward.
        var gFast = Autodiff.Grad(new[] { Loss(fused) }, parameters);
        var gGraph = Autodiff.Grad(new[] { Loss(TaylorMlp.Forward(layers, x, request)) }, parameters, createGraph: true);
        var gComposite = Autodiff.Grad(new[] { Loss(composite) }, parameters);
        for (int i = 0; i < parameters.Length; i++)
        {
            AssertClose(gComposite[i], gFast[i], 1e-11, $"fused backward, parameter {i}");
            AssertClose(gComposite[i], gGraph[i], 1e-11, $"recorded backward, parameter {i}");
        }
        return true;
    }

    // ---------------------------------------------------------------- PINN loss (Burgers)

    [Fact]
    public void BurgersLossGradientMatchesReverseOverReverse()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(3);
        var layers = RandomLayers(gen, new[] { 2, 20, 20, 20, 1 }, Activation.Tanh);
        var x = Tensor.Rand(new[] { 64, 2 }, gen, DType.Float64, low: -1, high: 1);
        var parameters = Parameters(layers);
        var taylor = TaylorMlp.Forward(layers, x, TaylorRequest.SpaceTime1D);
        var reference = Reference(layers, x, TaylorRequest.SpaceTime1D);
        AssertSame(reference, taylor, 1e-11);
        var gt = Autodiff.Grad(new[] { BurgersLoss(taylor) }, parameters);
        var gr = Autodiff.Grad(new[] { BurgersLoss(reference) }, parameters);
        for (int i = 0; i < parameters.Length; i++) AssertClose(gr[i], gt[i], 1e-10, $"parameter {i}");
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sin)]
    [InlineData(Activation.Silu)]
    public void BurgersLossPassesGradCheck(Activation act)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(11);
        var layers = RandomLayers(gen, new[] { 2, 5, 4, 1 }, act);
        var x = Tensor.Rand(new[] { 6, 2 }, gen, DType.Float64, low: -1, high: 1);
        GradCheck.Check(ps => BurgersLoss(TaylorMlp.Forward(Rebuild(layers, ps), x, TaylorRequest.SpaceTime1D)), Parameters(layers)).ThrowIfFailed();
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Softplus)]
    public void BurgersLossPassesSecondOrderGradCheck(Activation act)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(12);
        var layers = RandomLayers(gen, new[] { 2, 4, 3, 1 }, act);
        var x = Tensor.Rand(new[] { 5, 2 }, gen, DType.Float64, low: -1, high: 1);
        GradCheck.CheckSecondOrder(ps => BurgersLoss(TaylorMlp.Forward(Rebuild(layers, ps), x, TaylorRequest.SpaceTime1D)), Parameters(layers)).ThrowIfFailed();
    }

    // ---------------------------------------------------------------- kernels at size

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sin)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Softplus)]
    [InlineData(Activation.Silu)]
    [InlineData(Activation.Gelu)]
    public void FusedKernelsMatchCompositeOnManyChunks(Activation act)
    {
        // 3001 points × width 7 / 20: many chunks and parallel tasks with ragged ends.
        using var scope = TensorScope.Begin();
        var gen = new Generator(21);
        var layers = RandomLayers(gen, new[] { 3, 7, 20, 2 }, act);
        var x = Tensor.Randn(new[] { 3001, 3 }, gen, DType.Float64);
        var request = new TaylorRequest(new[] { 2 }, new[] { (0, 0), (1, 0), (2, 2) });
        var parameters = Parameters(layers);
        var fused = TaylorMlp.Forward(layers, x, request);
        var composite = TaylorMlp.ForwardComposite(layers, x, request);
        AssertClose(composite.Stacked, fused.Stacked, 1e-12, "streams");
        var gf = Autodiff.Grad(new[] { Loss(fused) }, parameters);
        var gc = Autodiff.Grad(new[] { Loss(composite) }, parameters);
        for (int i = 0; i < parameters.Length; i++) AssertClose(gc[i], gf[i], 1e-11, $"parameter {i}");
    }

    [Fact]
    public void Float32MatchesFloat64()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(5);
        var layers = RandomLayers(gen, new[] { 2, 20, 20, 1 }, Activation.Tanh);
        var x = Tensor.Rand(new[] { 500, 2 }, gen, DType.Float64, low: -1, high: 1);
        var layers32 = layers.Select(l => l with { Weight = l.Weight.To(DType.Float32), Bias = l.Bias?.To(DType.Float32) }).ToArray();
        var r64 = TaylorMlp.Forward(layers, x, TaylorRequest.SpaceTime1D);
        var r32 = TaylorMlp.Forward(layers32, x.To(DType.Float32), TaylorRequest.SpaceTime1D);
        AssertClose(r64.Stacked, r32.Stacked, 2e-5, "float32 streams");
    }

    // ---------------------------------------------------------------- modules and API

    [Fact]
    public void MlpAndSequentialOverloadsMatchLayerForm()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(8);
        using var net = new Mlp(new[] { 2, 6, 6, 1 }, gen, () => new Sin(2.5), dtype: DType.Float64);
        var x = Tensor.Randn(new[] { 9, 2 }, gen, DType.Float64);
        var lins = net.Layers.OfType<Linear>().ToArray();
        var layers = new[]
        {
            new TaylorLayer(lins[0].Weight, lins[0].Bias, Activation.Sin, 2.5),
            new TaylorLayer(lins[1].Weight, lins[1].Bias, Activation.Sin, 2.5),
            new TaylorLayer(lins[2].Weight, lins[2].Bias, Activation.Identity),
        };
        var fromNet = TaylorMlp.Forward(net, x, TaylorRequest.SpaceTime1D);
        AssertClose(TaylorMlp.Forward(layers, x, TaylorRequest.SpaceTime1D).Stacked, fromNet.Stacked, 1e-14, "Mlp");
        AssertClose(net.Forward(x), fromNet.U, 1e-14, "value");
        AssertSame(Reference(layers, x, TaylorRequest.SpaceTime1D), fromNet, 1e-10);

        // Linear layers back to back (an Identity between them) compose without an activation.
        var seq = new Sequential(lins[0], new Tanh(), lins[1], new Identity(), lins[2]);
        var noAct = new[]
        {
            new TaylorLayer(lins[0].Weight, lins[0].Bias, Activation.Tanh),
            new TaylorLayer(lins[1].Weight, lins[1].Bias, Activation.Identity),
            new TaylorLayer(lins[2].Weight, lins[2].Bias, Activation.Identity),
        };
        var fromSeq = TaylorMlp.Forward(seq, x, TaylorRequest.SpaceTime1D);
        AssertSame(Reference(noAct, x, TaylorRequest.SpaceTime1D), fromSeq, 1e-10);
    }

    [Fact]
    public void RequestNormalizesPairsAndAddsTheirComponents()
    {
        var r = new TaylorRequest(new[] { 2 }, new[] { (1, 0), (0, 1), (3, 3) });
        Assert.Equal(new[] { 0, 1, 2, 3 }, r.FirstOrder);
        Assert.Equal(new[] { (0, 1), (3, 3) }, r.SecondOrder);
        Assert.Equal(7, r.StreamCount);
        Assert.Equal(4, TaylorRequest.SpaceTime1D.StreamCount);
    }

    [Fact]
    public void ErrorsNameTheProblem()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(1);
        var x = Tensor.Randn(new[] { 4, 2 }, gen, DType.Float64);
        using var relu = new Mlp(new[] { 2, 3, 1 }, gen, Activation.Relu, dtype: DType.Float64);
        Assert.Throws<NotSupportedException>(() => TaylorMlp.Forward(relu, x, TaylorRequest.SpaceTime1D));
        using var net = new Mlp(new[] { 2, 3, 1 }, generator: gen, dtype: DType.Float64);
        Assert.Throws<ArgumentException>(() => TaylorMlp.Forward(net, x, new TaylorRequest(new[] { 2 })));
        var r = TaylorMlp.Forward(net, x, new TaylorRequest(new[] { 1 }));
        Assert.Throws<KeyNotFoundException>(() => r.Dx[0]);
        Assert.Throws<KeyNotFoundException>(() => r.Dxx[1, 1]);
        Assert.Equal(new[] { 4, 1 }, r.Dx[1].Shape.ToArray());
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>u, derivatives and their owner request, from either path.</summary>
    private sealed record Derivs(TaylorRequest Request, Tensor U, Func<int, Tensor> D1, Func<int, int, Tensor> D2);

    private static Derivs Of(TaylorResult r) => new(r.Request, r.U, i => r.Dx[i], (i, j) => r.Dxx[i, j]);

    private static Tensor Loss(TaylorResult r) => Loss(Of(r));

    private static Tensor BurgersLoss(TaylorResult r) => BurgersLoss(Of(r));

    /// <summary>A nonlinear mix of every stream (products included), so every gradient term is exercised.</summary>
    private static Tensor Loss(Derivs r)
    {
        var total = r.U.Square().Mean();
        foreach (var i in r.Request.FirstOrder) total = total.Add(r.D1(i).Mul(r.U).Add(r.D1(i).Square()).Mean());
        foreach (var (i, j) in r.Request.SecondOrder) total = total.Add(r.D2(i, j).Add(r.U.Mul(0.5)).Square().Mean());
        return total;
    }

    /// <summary>mean((u_t + u·u_x − ν·u_xx)²) + mean(u²)·0.1.</summary>
    private static Tensor BurgersLoss(Derivs r)
    {
        var residual = r.D1(1).Add(r.U.Mul(r.D1(0))).Sub(r.D2(0, 0).Mul(0.01 / Math.PI));
        return residual.Square().Mean().Add(r.U.Square().Mean().Mul(0.1));
    }

    /// <summary>Reverse-over-reverse derivatives of the plain forward pass.</summary>
    private static Derivs Reference(IReadOnlyList<TaylorLayer> layers, Tensor points, TaylorRequest request)
    {
        var x = points.Detach().RequiresGrad_();
        var u = PlainForward(layers, x);
        int n = u.Size(0), outs = u.Size(1);
        var first = new Dictionary<int, Tensor>();
        var second = new Dictionary<(int, int), Tensor>();
        var perOutFirst = new List<Dictionary<int, Tensor>>();
        var perOutSecond = new List<Dictionary<(int, int), Tensor>>();
        for (int k = 0; k < outs; k++)
        {
            var oneHot = new double[n * outs];
            for (int r = 0; r < n; r++) oneHot[r * outs + k] = 1;
            var g = Autodiff.Grad(new[] { u }, new[] { x }, new[] { Tensor.FromDoubles(oneHot, new[] { n, outs }, DType.Float64) }, createGraph: true)[0];
            var f1 = new Dictionary<int, Tensor>();
            var f2 = new Dictionary<(int, int), Tensor>();
            foreach (var i in request.FirstOrder) f1[i] = g.Narrow(1, i, 1);
            foreach (var (i, j) in request.SecondOrder)
                f2[(i, j)] = Autodiff.Grad(new[] { f1[i] }, new[] { x }, new[] { Tensor.Ones(new[] { n, 1 }, DType.Float64) }, createGraph: true)[0].Narrow(1, j, 1);
            perOutFirst.Add(f1);
            perOutSecond.Add(f2);
        }
        foreach (var i in request.FirstOrder) first[i] = Tensor.Concat(perOutFirst.Select(d => d[i]).ToArray(), 1);
        foreach (var p in request.SecondOrder) second[p] = Tensor.Concat(perOutSecond.Select(d => d[p]).ToArray(), 1);
        return new Derivs(request, u, i => first[i], (i, j) => second[i <= j ? (i, j) : (j, i)]);
    }

    private static Tensor PlainForward(IReadOnlyList<TaylorLayer> layers, Tensor x)
    {
        var h = x;
        foreach (var l in layers)
        {
            h = Tensor.Linear(h, l.Weight, l.Bias);
            h = l.Activation switch
            {
                Activation.Identity => h,
                Activation.Tanh => h.Tanh(),
                Activation.Sin => (l.Omega == 1 ? h : h.Mul(l.Omega)).Sin(),
                Activation.Sigmoid => h.Sigmoid(),
                Activation.Softplus => h.Softplus(),
                Activation.Silu => h.Silu(),
                Activation.Gelu => h.Gelu(),
                _ => throw new NotSupportedException(l.Activation.ToString()),
            };
        }
        return h;
    }

    private static (TaylorLayer[] Layers, Tensor X, TaylorRequest Request) RandomCase(Generator gen)
    {
        int d = 1 + (int)gen.NextInt64(3);
        int depth = 1 + (int)gen.NextInt64(3);
        var widths = new List<int> { d };
        for (int i = 0; i < depth; i++) widths.Add(1 + (int)gen.NextInt64(6));
        widths.Add(1 + (int)gen.NextInt64(2));
        var act = Smooth[gen.NextInt64(Smooth.Length)];
        var layers = RandomLayers(gen, widths, act);
        if (act == Activation.Sin && gen.NextDouble() < 0.5)
            layers = layers.Select(l => l.Activation == Activation.Sin ? l with { Omega = 1.7 } : l).ToArray();
        var x = Tensor.Randn(new[] { 1 + (int)gen.NextInt64(7), d }, gen, DType.Float64);
        var first = Enumerable.Range(0, d).Where(_ => gen.NextDouble() < 0.5).ToList();
        var pairs = new List<(int, int)>();
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++)
                if (gen.NextDouble() < 0.4) pairs.Add(gen.NextDouble() < 0.5 ? (i, j) : (j, i));
        return (layers, x, new TaylorRequest(first, pairs));
    }

    /// <summary>Dense layers with the given widths, activation between them, linear output; float64.</summary>
    private static TaylorLayer[] RandomLayers(Generator gen, IReadOnlyList<int> widths, Activation act)
    {
        var layers = new TaylorLayer[widths.Count - 1];
        for (int i = 0; i < layers.Length; i++)
        {
            var w = Tensor.Randn(new[] { widths[i + 1], widths[i] }, gen, DType.Float64, std: 1.2 / Math.Sqrt(widths[i])).RequiresGrad_();
            var b = Tensor.Randn(new[] { widths[i + 1] }, gen, DType.Float64, std: 0.3).RequiresGrad_();
            layers[i] = new TaylorLayer(w, b, i + 1 < layers.Length ? act : Activation.Identity);
        }
        return layers;
    }

    private static Tensor[] Parameters(IReadOnlyList<TaylorLayer> layers)
        => layers.SelectMany(l => l.Bias is null ? new[] { l.Weight } : new[] { l.Weight, l.Bias }).ToArray();

    private static TaylorLayer[] Rebuild(IReadOnlyList<TaylorLayer> layers, Tensor[] ps)
    {
        var r = new TaylorLayer[layers.Count];
        int k = 0;
        for (int i = 0; i < r.Length; i++)
        {
            var w = ps[k++];
            var b = layers[i].Bias is null ? null : ps[k++];
            r[i] = layers[i] with { Weight = w, Bias = b };
        }
        return r;
    }

    private static void AssertSame(Derivs expected, TaylorResult actual, double tol)
    {
        AssertClose(expected.U, actual.U, tol, "u");
        foreach (var i in actual.Request.FirstOrder) AssertClose(expected.D1(i), actual.Dx[i], tol, $"∂/∂x{i}");
        foreach (var (i, j) in actual.Request.SecondOrder) AssertClose(expected.D2(i, j), actual.Dxx[i, j], tol, $"∂²/∂x{i}∂x{j}");
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i])), $"{what}[{i}]: expected {e[i]:R}, got {a[i]:R}");
    }
}
