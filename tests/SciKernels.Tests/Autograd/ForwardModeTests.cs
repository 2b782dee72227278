using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SciKernels.Autograd;
using SciKernels.Random;
using SciKernels.Spectral;
using SciKernels.Stencils;
using Xunit;
using static SciKernels.Tests.Autograd.JvpCases;

namespace SciKernels.Tests.Autograd;

/// <summary>
/// Forward mode against finite differences and against reverse mode: the dot-product identity
/// ⟨J v, u⟩ = ⟨v, Jᵀ u⟩ over every op with an explicit forward rule (which proves the rule agrees
/// with the op's backward) and over ops that use the generic fallback.
/// </summary>
public class ForwardModeTests
{
    private static ulong Seed(string name) => (ulong)name.Aggregate(17, (h, c) => h * 31 + c) & 0xffffff;

    private static Tensor Jv(JvpCase c, Tensor[] xs, Tensor[] v, out int fallbacks)
    {
        int before = ForwardMode.FallbackCount;
        var r = Autodiff.Jvp(ys => new[] { c.F(ys) }, xs, v);
        fallbacks = ForwardMode.FallbackCount - before;
        return r.Tangents[0];
    }

    private static void CheckAdjoint(JvpCase c, ulong seed)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(seed);
        var xs = c.Inputs(gen);
        var v = Directions(gen, xs);
        var jv = Jv(c, xs, v, out int fallbacks);
        var leaves = xs.Select(x => x.Detach().RequiresGrad_()).ToArray();
        var y = c.F(leaves);
        Assert.Equal(y.Shape.ToArray(), jv.Shape.ToArray());
        var u = Tensor.Randn(y.Shape, gen, DType.Float64);
        var jtu = Autodiff.Grad(new[] { y }, leaves, new[] { u });
        double lhs = Dot(jv, u);
        double rhs = 0, scale = Math.Abs(lhs);
        for (int i = 0; i < xs.Length; i++)
        {
            double term = Dot(v[i], jtu[i]);
            rhs += term;
            scale += Math.Abs(term);
        }
        double tol = c.Float32Path ? 1e-6 : 1e-11;
        Assert.True(Math.Abs(lhs - rhs) <= tol * (1 + scale), $"{c.Name}: ⟨Jv, u⟩ = {lhs:R} but ⟨v, Jᵀu⟩ = {rhs:R}");
        if (c.Explicit) Assert.True(fallbacks == 0, $"{c.Name}: {fallbacks} tangents came from the generic fallback; every op here should have an explicit rule");
        else Assert.True(fallbacks > 0, $"{c.Name}: expected the generic fallback to be used");
    }

    [Theory]
    [MemberData(nameof(JvpCases.Names), MemberType = typeof(JvpCases))]
    public void AdjointIdentityWithReverseMode(string name) => CheckAdjoint(Get(name), Seed(name));

    [Property(MaxTest = 40)]
    public Property AdjointIdentityOnRandomSeeds() => Prop.ForAll(
        Arb.From(Gen.Choose(0, All.Count - 1).Zip(Gen.Choose(1, int.MaxValue))),
        p => CheckAdjoint(All[p.Item1], (ulong)p.Item2));

    [Theory]
    [MemberData(nameof(JvpCases.Names), MemberType = typeof(JvpCases))]
    public void JvpMatchesCentralDifferences(string name)
    {
        var c = Get(name);
        using var scope = TensorScope.Begin();
        var gen = new Generator(Seed(name) + 1);
        var xs = c.Inputs(gen);
        var v = Directions(gen, xs);
        var (y, jv) = (c.F(xs), Jv(c, xs, v, out _));
        // a function rounding through float32 needs a large step (it is linear here, so that is exact up to rounding)
        double tol = c.Float32Path ? 1e-4 : 1e-6;
        Close(CentralDifference(c.F, xs, v, c.Float32Path ? 1e-2 : 1e-6), jv.ToArray<double>(), tol, tol, $"{name}: J·v vs central differences");
        Close(y.ToArray<double>(), Autodiff.Jvp(ys => new[] { c.F(ys) }, xs, v).Outputs[0].ToArray<double>(), 0, 0, $"{name}: Jvp's output vs f(x)");
    }

    [Fact]
    public void SingleTensorOverloadAndMultipleOutputs()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(new[] { 0.3, -1.2, 2.0 }, 3);
        var v = Tensor.FromArray(new[] { 1.0, 0.5, -2.0 }, 3);
        var (y, t) = Autodiff.Jvp(a => a.Sin(), x, v);
        Close(new[] { Math.Sin(0.3), Math.Sin(-1.2), Math.Sin(2.0) }, y.ToArray<double>(), 0, 0, "sin");
        Close(new[] { Math.Cos(0.3), 0.5 * Math.Cos(-1.2), -2 * Math.Cos(2.0) }, t.ToArray<double>(), 1e-15, 1e-15, "cos·v");

        // outputs that do not depend on the inputs get zero tangents; a passed-through input gets its tangent
        var r = Autodiff.Jvp(a => new[] { a[0].Mul(a[1]), Tensor.Ones([2], DType.Float64), a[1] }, new[] { x, x.Exp() }, new[] { v, v });
        Close(v.Mul(x.Exp()).Add(x.Mul(v)).ToArray<double>(), r.Tangents[0].ToArray<double>(), 1e-15, 1e-15, "product rule");
        Assert.Equal(new[] { 0.0, 0.0 }, r.Tangents[1].ToArray<double>());
        Assert.Equal(v.ToArray<double>(), r.Tangents[2].ToArray<double>());
    }

    [Fact]
    public void MismatchedTangentsAreClearErrors()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.Zeros([2, 3], DType.Float64);
        var e = Assert.Throws<TensorException>(() => Autodiff.Jvp(a => a.Sin(), x, Tensor.Zeros([3, 2], DType.Float64)));
        Assert.Contains("Jvp", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        e = Assert.Throws<TensorException>(() => Autodiff.Jvp(a => a.Sin(), x, Tensor.Zeros([2, 3], DType.Float32)));
        Assert.Contains("float32", e.Message);
        Assert.Throws<ArgumentException>(() => Autodiff.Jvp(a => a, new[] { x }, Array.Empty<Tensor>()));
        var ints = Assert.Throws<TensorException>(() => Autodiff.Jvp(a => a, Tensor.FromArray(new long[] { 1 }, 1), Tensor.FromArray(new long[] { 1 }, 1)));
        Assert.Contains("int64", ints.Message);
    }

    [Fact]
    public void ForwardModeEndsWithTheJvpCall()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(new[] { 0.5, 1.5 }, 2);
        var (y, _) = Autodiff.Jvp(a => a.Exp(), x, Tensor.OnesLike(x));
        Assert.Equal(0, ForwardMode.Visible);
        var z = y.Sin(); // the stale tangent of the closed level is not propagated
        Assert.Null(z.Tangents);
    }

    [Fact]
    public void ReverseModeIsUnchangedInsideJvp()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(3);
        var w = Tensor.Randn([3, 2], gen, DType.Float64).RequiresGrad_();
        var x = Tensor.Randn([4, 3], gen, DType.Float64);
        var plain = Autodiff.Grad(x.MatMul(w).Tanh().Square().Sum(), w).ToArray<double>();
        var r = Autodiff.Jvp(a => new[] { a[0].MatMul(w).Tanh().Square().Sum() }, new[] { x }, new[] { Tensor.OnesLike(x) });
        var inside = Autodiff.Grad(r.Outputs[0], w).ToArray<double>();
        Assert.Equal(plain, inside);
    }

    [Fact]
    public void JvpUnderNoGradComputesTangentsWithoutAGraph()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(5);
        var w = Tensor.Randn([3, 16], gen, DType.Float64).RequiresGrad_();
        var x = Tensor.Randn([2, 16], gen, DType.Float64);
        var v = Tensor.Randn([2, 16], gen, DType.Float64);
        var grid = StencilGrid.Periodic(0.5);
        Tensor F(Tensor a) => Stencil.Laplacian(a.Mul(w.Narrow(0, 0, 2)).Tanh(), grid).Sum(1); // explicit rules and the fallback
        var withGrad = Autodiff.Jvp(F, x, v);
        (Tensor Output, Tensor Tangent) noGrad;
        using (GradMode.NoGrad()) noGrad = Autodiff.Jvp(F, x, v);
        Assert.True(withGrad.Tangent.RequiresGrad); // depends on w, which requires grad
        Assert.False(noGrad.Output.RequiresGrad);
        Assert.False(noGrad.Tangent.RequiresGrad);
        Assert.Equal(withGrad.Tangent.ToArray<double>(), noGrad.Tangent.ToArray<double>());
    }
}

/// <summary>Hessian-vector products (forward-over-reverse) and nested forward mode.</summary>
public class HigherOrderForwardTests
{
    private static readonly int[][] Shapes = { new[] { 4, 3 }, new[] { 3, 2 } };

    private static Tensor Objective(Tensor[] p) =>
        p[0].MatMul(p[1]).Tanh().Square().Sum().Add(p[1].Sin().Mul(p[1]).Sum()).Add(p[0].Gelu().Sigmoid().Mean());

    private static Tensor SpectralObjective(Tensor[] p) =>
        Fourier.Rfft(p[0].Tanh()).Square().Sum().Add(Stencil.Laplacian(p[0].Sin(), StencilGrid.Periodic(0.3)).Square().Sum());

    private static Tensor[] ReverseOverReverse(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] v)
    {
        var leaves = xs.Select(x => x.Detach().RequiresGrad_()).ToArray();
        var g = Autodiff.Grad(new[] { f(leaves) }, leaves, createGraph: true);
        Tensor gv = g[0].Mul(v[0]).Sum();
        for (int i = 1; i < g.Length; i++) gv = gv.Add(g[i].Mul(v[i]).Sum());
        return Autodiff.Grad(new[] { gv }, leaves);
    }

    private static Tensor[] Gradient(Func<Tensor[], Tensor> f, Tensor[] xs)
    {
        var leaves = xs.Select(x => x.Detach().RequiresGrad_()).ToArray();
        return Autodiff.Grad(new[] { f(leaves) }, leaves);
    }

    public static TheoryData<string> Objectives => new() { "mlp-like", "spectral+stencil" };

    private static (Func<Tensor[], Tensor> F, Tensor[] Xs, Tensor[] V) Setup(string which, Generator gen)
    {
        if (which == "mlp-like")
        {
            var xs = Shapes.Select(s => Tensor.Randn(s, gen, DType.Float64)).ToArray();
            return (Objective, xs, Directions(gen, xs));
        }
        var x = new[] { Tensor.Randn([2, 16], gen, DType.Float64) };
        return (SpectralObjective, x, Directions(gen, x));
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void HvpMatchesReverseOverReverse(string which)
    {
        using var scope = TensorScope.Begin();
        var (f, xs, v) = Setup(which, new Generator(21));
        var hv = Autodiff.Hvp(f, xs, v);
        var expected = ReverseOverReverse(f, xs, v);
        for (int i = 0; i < xs.Length; i++)
            Close(expected[i].ToArray<double>(), hv[i].ToArray<double>(), 1e-11, 1e-10, $"{which}: H·v input {i}");
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void HvpMatchesDifferencesOfTheGradient(string which)
    {
        using var scope = TensorScope.Begin();
        var (f, xs, v) = Setup(which, new Generator(22));
        var hv = Autodiff.Hvp(f, xs, v);
        const double eps = 1e-5;
        var plus = Gradient(f, xs.Zip(v, (x, d) => x.Add(d.Mul(eps))).ToArray());
        var minus = Gradient(f, xs.Zip(v, (x, d) => x.Sub(d.Mul(eps))).ToArray());
        for (int i = 0; i < xs.Length; i++)
        {
            var fd = plus[i].Sub(minus[i]).Div(2 * eps).ToArray<double>();
            Close(fd, hv[i].ToArray<double>(), 1e-6, 1e-6, $"{which}: H·v input {i} vs differences of ∇f");
        }
    }

    [Property(MaxTest = 15)]
    public Property HvpIsSymmetric() => Prop.ForAll(Arb.From(Gen.Choose(1, int.MaxValue)), seed =>
    {
        // ⟨w, H v⟩ = ⟨v, H w⟩
        using var scope = TensorScope.Begin();
        var gen = new Generator((ulong)seed);
        var xs = Shapes.Select(s => Tensor.Randn(s, gen, DType.Float64)).ToArray();
        var v = Directions(gen, xs);
        var w = Directions(gen, xs);
        var hv = Autodiff.Hvp(Objective, xs, v);
        var hw = Autodiff.Hvp(Objective, xs, w);
        double a = 0, b = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            a += Dot(w[i], hv[i]);
            b += Dot(v[i], hw[i]);
        }
        Assert.True(Math.Abs(a - b) <= 1e-10 * (1 + Math.Abs(a)), $"⟨w, Hv⟩ = {a:R}, ⟨v, Hw⟩ = {b:R}");
    });

    [Fact]
    public void HvpUsesOnlyExplicitRulesForElementwiseNetworks()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(23);
        var xs = Shapes.Select(s => Tensor.Randn(s, gen, DType.Float64)).ToArray();
        int before = ForwardMode.FallbackCount;
        Autodiff.Hvp(Objective, xs, Directions(gen, xs));
        Assert.Equal(before, ForwardMode.FallbackCount);
    }

    [Fact]
    public void HvpWithCreateGraphGivesThirdDerivatives()
    {
        // f = Σ x⁴/12 + sin x: H v = (x² − sin x)·v, and d/dx Σ (H v) = (2x − cos x)·v
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(new[] { 0.4, -1.3, 2.1 }, 3).RequiresGrad_();
        var v = Tensor.FromArray(new[] { 1.0, -0.5, 2.0 }, 3);
        var hv = Autodiff.Hvp(p => p[0].Pow(4).Div(12).Add(p[0].Sin()).Sum(), new[] { x }, new[] { v }, createGraph: true)[0];
        var xd = x.ToArray<double>();
        var vd = v.ToArray<double>();
        Close(xd.Select((a, i) => (a * a - Math.Sin(a)) * vd[i]).ToArray(), hv.ToArray<double>(), 1e-14, 1e-13, "H·v");
        var third = Autodiff.Grad(hv.Sum(), x);
        Close(xd.Select((a, i) => (2 * a - Math.Cos(a)) * vd[i]).ToArray(), third.ToArray<double>(), 1e-14, 1e-13, "∇⟨1, H·v⟩");
    }

    [Fact]
    public void VjpMatchesGrad()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(24);
        var xs = Shapes.Select(s => Tensor.Randn(s, gen, DType.Float64)).ToArray();
        var u = Tensor.Randn([4, 2], gen, DType.Float64);
        var r = Autodiff.Vjp(p => new[] { p[0].MatMul(p[1]).Sin() }, xs, new[] { u });
        var leaves = xs.Select(x => x.Detach().RequiresGrad_()).ToArray();
        var g = Autodiff.Grad(new[] { leaves[0].MatMul(leaves[1]).Sin() }, leaves, new[] { u });
        for (int i = 0; i < 2; i++) Assert.Equal(g[i].ToArray<double>(), r.Cotangents[i].ToArray<double>());
        Assert.Throws<TensorException>(() => Autodiff.Vjp(p => new[] { p[0].Sin() }, xs.Take(1).ToArray(), new[] { u }));
    }

    /// <summary>d²/dε² f(x + εv) by forward-over-forward.</summary>
    private static Tensor SecondDirectional(Func<Tensor, Tensor> f, Tensor x, Tensor v) =>
        Autodiff.Jvp(a => Autodiff.Jvp(f, a, v).Tangent, x, v).Tangent;

    public static TheoryData<string> NestedCases => new() { "Mlp", "Softmax", "ViewsAndReductions", "Rfft", "Laplacian2dDirichlet", "SpectralConv1d" };

    [Theory]
    [MemberData(nameof(NestedCases))]
    public void ForwardOverForwardMatchesSecondDifferences(string name)
    {
        var c = Get(name);
        using var scope = TensorScope.Begin();
        var gen = new Generator(31);
        var xs = c.Inputs(gen);
        var v = Directions(gen, xs);
        // all inputs move together: differentiate ε ↦ f(x + εv) twice
        var dual = Autodiff.Jvp(a => new[] { Autodiff.Jvp(b => new[] { c.F(b) }, a, v).Tangents[0] }, xs, v).Tangents[0];
        // the fourth-order five-point second difference
        const double h = 1e-2;
        var p1 = At(c.F, xs, v, h);
        var p2 = At(c.F, xs, v, 2 * h);
        var m1 = At(c.F, xs, v, -h);
        var m2 = At(c.F, xs, v, -2 * h);
        var z = At(c.F, xs, v, 0);
        var fd = z.Select((f0, i) => (-p2[i] + 16 * p1[i] - 30 * f0 + 16 * m1[i] - m2[i]) / (12 * h * h)).ToArray();
        Close(fd, dual.ToArray<double>(), 1e-5, 1e-5, $"{name}: d²/dε² f(x + εv)");
    }

    [Fact]
    public void MixedForwardOverForwardIsSymmetric()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(32);
        var x = Tensor.Randn([3, 4], gen, DType.Float64);
        var v = Tensor.Randn([3, 4], gen, DType.Float64);
        var w = Tensor.Randn([3, 4], gen, DType.Float64);
        Tensor F(Tensor a) => a.Tanh().MatMul(a.T).Exp().Sum(1).Add(Fourier.Rfft(a).Square().Sum([1, 2]));
        var vw = Autodiff.Jvp(a => Autodiff.Jvp(F, a, v).Tangent, x, w).Tangent;
        var wv = Autodiff.Jvp(a => Autodiff.Jvp(F, a, w).Tangent, x, v).Tangent;
        Close(vw.ToArray<double>(), wv.ToArray<double>(), 1e-11, 1e-11, "∂²F/∂v∂w = ∂²F/∂w∂v");
    }

    [Fact]
    public void ThirdOrderForwardOfSin()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(new[] { -1.0, 0.2, 1.4 }, 3);
        var one = Tensor.OnesLike(x);
        var d3 = Autodiff.Jvp(a => SecondDirectional(b => b.Sin(), a, one), x, one).Tangent;
        Close(x.ToArray<double>().Select(a => -Math.Cos(a)).ToArray(), d3.ToArray<double>(), 1e-15, 1e-14, "d³ sin/dx³");
    }

    [Fact]
    public void JvpOutputsAreDifferentiableByReverseMode()
    {
        // loss(W) = Σ (∂/∂ε tanh((x + εv)·W) + Laplacian((x + εv)·a))² — explicit rules and the fallback
        using var scope = TensorScope.Begin();
        var gen = new Generator(33);
        var x = Tensor.Randn([2, 8], gen, DType.Float64);
        var v = Tensor.Randn([2, 8], gen, DType.Float64);
        var w0 = Tensor.Randn([8, 8], gen, DType.Float64);
        var a0 = Tensor.Randn([8], gen, DType.Float64);
        var grid = StencilGrid.Periodic(0.4);
        Tensor Loss(Tensor w, Tensor a) =>
            Autodiff.Jvp(z => z.MatMul(w).Tanh().Add(Stencil.Laplacian(z.Mul(a), grid)), x, v).Tangent.Square().Sum();
        var wl = w0.Detach().RequiresGrad_();
        var al = a0.Detach().RequiresGrad_();
        Loss(wl, al).Backward();
        const double eps = 1e-6;
        var dw = Directions(gen, new[] { w0 })[0];
        var da = Directions(gen, new[] { a0 })[0];
        double fd;
        using (GradMode.NoGrad())
            fd = (Loss(w0.Add(dw.Mul(eps)), a0.Add(da.Mul(eps))).Item() - Loss(w0.Sub(dw.Mul(eps)), a0.Sub(da.Mul(eps))).Item()) / (2 * eps);
        double analytic = Dot(wl.Grad!, dw) + Dot(al.Grad!, da);
        Assert.True(Math.Abs(fd - analytic) <= 1e-6 * (1 + Math.Abs(fd)), $"directional derivative of the Jvp loss: reverse {analytic:R}, differences {fd:R}");
    }
}
