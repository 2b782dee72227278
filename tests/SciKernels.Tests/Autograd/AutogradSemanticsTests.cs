using SciKernels.Autograd;
using SciKernels.Tests.Support;
using Xunit;

namespace SciKernels.Tests.Autograd;

/// <summary>Mechanics of the reverse pass: accumulation, no-grad, detach, explicit output gradients, freed graphs.</summary>
public class AutogradSemanticsTests
{
    private static Tensor Vec(params double[] v) => Tensor.FromArray(v, v.Length);

    [Fact]
    public void GradientsAccumulateAcrossBackwardCallsUntilZeroGrad()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(1, -2, 3).RequiresGrad_();
        x.Square().Sum().Backward();
        Assert.Equal(new[] { 2.0, -4, 6 }, x.Grad!.ToArray<double>());
        x.Square().Sum().Backward();
        Assert.Equal(new[] { 4.0, -8, 12 }, x.Grad!.ToArray<double>());
        x.ZeroGrad();
        Assert.Null(x.Grad);
        x.Mul(3.0).Sum().Backward();
        Assert.Equal(new[] { 3.0, 3, 3 }, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void LeafGradIsACopyNotTheSharedIncomingGradient()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(1, 2).RequiresGrad_();
        var z = Vec(5, 6).RequiresGrad_();
        x.Add(z).Sum().Backward();
        Assert.False(ReferenceEquals(x.Grad, z.Grad));
        x.Add(z).Sum().Backward();
        Assert.Equal(new[] { 2.0, 2 }, x.Grad!.ToArray<double>());
        Assert.Equal(new[] { 2.0, 2 }, z.Grad!.ToArray<double>());
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(1, 2).RequiresGrad_();
        Tensor y;
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            y = x.Exp().Mul(x).Sum();
        }
        Assert.True(GradMode.IsEnabled);
        Assert.False(y.RequiresGrad);
        Assert.True(y.IsLeaf);
        Assert.Null(y.GradFnName);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("does not require grad", e.Message);
    }

    [Fact]
    public void EnableGradInsideNoGradRecords()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(1, 2).RequiresGrad_();
        using (GradMode.NoGrad())
        using (GradMode.EnableGrad())
        {
            Assert.True(x.Sin().RequiresGrad);
        }
    }

    [Fact]
    public void DetachCutsTheGraphAndSharesStorage()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(1, 2, 3).RequiresGrad_();
        var y = x.Mul(2.0);
        var d = y.Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        Assert.Same(y.Storage, d.Storage);
        var loss = d.Mul(y).Sum();   // only the y path is differentiated: d(loss)/dx = 2·d
        loss.Backward();
        Assert.Equal(new[] { 4.0, 8, 12 }, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void BackwardWithExplicitGradientForNonScalar()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3).RequiresGrad_();
        var y = x.Square();
        var v = Tensor.FromArray(new double[] { 1, 0, -1, 2, 0.5, 3 }, 2, 3);
        y.Backward(v);
        Assert.Equal(new double[] { 2, 0, -6, 16, 5, 36 }, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void BackwardOnNonScalarWithoutGradientSaysSo()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(1, 2, 3).RequiresGrad_();
        var e = Assert.Throws<InvalidOperationException>(() => x.Sin().Backward());
        Assert.Contains("Backward", e.Message);
        Assert.Contains("[3]", e.Message);
        Assert.Contains("scalar", e.Message);
        var e2 = Assert.Throws<InvalidOperationException>(() => Autodiff.Grad(x.Sin(), x));
        Assert.Contains("scalar", e2.Message);
    }

    [Fact]
    public void SecondBackwardThroughFreedGraphThrowsMentioningRetainGraph()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(0.5, 1.5).RequiresGrad_();
        var loss = x.Exp().Mul(x).Sum();
        loss.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("retainGraph", e.Message);
        Assert.Contains("freed", e.Message);
    }

    [Fact]
    public void SecondBackwardThroughSharedFreedSubgraphThrows()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(0.5, 1.5).RequiresGrad_();
        var h = x.Exp();
        h.Sin().Sum().Backward();
        var e = Assert.Throws<InvalidOperationException>(() => h.Cos().Sum().Backward());
        Assert.Contains("retainGraph", e.Message);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(0.5, 1.5).RequiresGrad_();
        var loss = x.Exp().Mul(x).Sum();
        loss.Backward(retainGraph: true);
        var first = x.Grad!.ToArray<double>();
        loss.Backward();
        var expected = new[] { 0.5, 1.5 }.Select(v => 2 * (Math.Exp(v) * (1 + v))).ToArray();
        Ref.Close(expected, x.Grad!.ToArray<double>(), 1e-14, "accumulated gradient after retained second pass");
        Ref.Close(expected.Select(v => v / 2).ToArray(), first, 1e-14, "first pass");
    }

    [Fact]
    public void DeepChainDoesNotOverflowTheStack()
    {
        const int depth = 100_000;
        using var scope = TensorScope.Begin();
        var x = Tensor.Scalar(1.0, DType.Float64).RequiresGrad_();
        var y = x;
        for (int i = 0; i < depth; i++) y = y.Mul(1.0).Add(0.0);
        y.Backward();
        Assert.Equal(1.0, x.Grad!.Item());
        // and functional Grad on a deep chain of binary nodes
        var z = x;
        for (int i = 0; i < depth / 2; i++) z = z.Add(x).Mul(0.5);
        Assert.Equal(1.0, Autodiff.Grad(z, x).Item(), 12);
    }

    [Fact]
    public void AutodiffGradAllowUnused()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(1, 2).RequiresGrad_();
        var unused = Vec(3, 4, 5).RequiresGrad_();
        var y = x.Square().Sum();
        var g = Autodiff.Grad(new[] { y }, new[] { x, unused }, retainGraph: true, allowUnused: true);
        Assert.Equal(new[] { 2.0, 4 }, g[0].ToArray<double>());
        Assert.Equal(new double[3], g[1].ToArray<double>());
        Assert.Equal(new[] { 3 }, g[1].Shape.ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => Autodiff.Grad(new[] { y }, new[] { x, unused }, allowUnused: false));
        Assert.Contains("input 1", e.Message);
        Assert.Contains("allowUnused", e.Message);
        // Grad leaves .Grad untouched
        Assert.Null(x.Grad);
    }

    [Fact]
    public void InputUsedTwiceGetsTheSummedGradient()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(0.3, -1.2, 2.0).RequiresGrad_();
        // diamond: a = exp(x) feeds both branches
        var a = x.Exp();
        var y = a.Mul(a).Add(a.Sin()).Add(x.Mul(x)).Sum();
        y.Backward();
        var expected = new[] { 0.3, -1.2, 2.0 }.Select(v => 2 * Math.Exp(2 * v) + Math.Cos(Math.Exp(v)) * Math.Exp(v) + 2 * v).ToArray();
        Ref.Close(expected, x.Grad!.ToArray<double>(), 1e-13, "diamond gradient");
    }

    [Fact]
    public void MultipleOutputsWithGradOutputsSumTheirVectorJacobianProducts()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(0.5, 2).RequiresGrad_();
        var y1 = x.Square();
        var y2 = x.Sin();
        var g = Autodiff.Grad(new[] { y1, y2 }, new[] { x }, new[] { Vec(1, 2), Vec(3, -1) });
        var expected = new[] { 2 * 0.5 * 1 + 3 * Math.Cos(0.5), 2 * 2 * 2 - Math.Cos(2) };
        Ref.Close(expected, g[0].ToArray<double>(), 1e-14, "Σ vᵀJ");
    }

    [Fact]
    public void BackwardWithCreateGraphGivesDifferentiableLeafGrad()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(0.7, -0.2).RequiresGrad_();
        x.Pow(3).Sum().Backward(createGraph: true);
        var g = x.Grad!;
        Assert.True(g.RequiresGrad);
        var gg = Autodiff.Grad(g.Sum(), x);
        Ref.Close(new[] { 6 * 0.7, 6 * -0.2 }, gg.ToArray<double>(), 1e-14, "d/dx of 3x² after createGraph backward");
    }

    [Fact]
    public void RequiresGradRulesOnIntegersAndResults()
    {
        using var scope = TensorScope.Begin();
        var i = Tensor.FromArray(new long[] { 1, 2 }, 2);
        var e = Assert.Throws<TensorException>(() => i.RequiresGrad = true);
        Assert.Contains("int64", e.Message);
        var x = Vec(1, 2).RequiresGrad_();
        var y = x.Exp();
        var e2 = Assert.Throws<TensorException>(() => y.RequiresGrad = false);
        Assert.Contains("Exp", e2.Message);
        Assert.Equal("Exp", y.GradFnName);
        Assert.False(y.IsLeaf);
    }

    [Fact]
    public void GradientReachesOnlyLeavesThatRequireIt()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(1, 2).RequiresGrad_();
        var c = Vec(3, 4);
        x.Mul(c).Sum().Backward();
        Assert.Null(c.Grad);
        Assert.Equal(new[] { 3.0, 4 }, x.Grad!.ToArray<double>());
    }
}
