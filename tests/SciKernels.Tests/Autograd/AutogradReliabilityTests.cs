using SciKernels.Autograd;
using SciKernels.Diagnostics;
using Xunit;

namespace SciKernels.Tests.Autograd;

/// <summary>
/// Regression tests of issue 15's autograd defects: saved tensors modified in place, intermediates
/// disposed before Backward, createGraph gradients aliasing the caller's tensor, and gradients at
/// the boundary of a function's domain (PyTorch's conventions).
/// </summary>
public class AutogradReliabilityTests
{
    private static Tensor Vec(params double[] v) => Tensor.FromArray(v, v.Length);

    private static void AssertClose(double[] expected, Tensor actual, double tol = 1e-12)
    {
        var a = actual.ToArray<double>();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(expected[i] - a[i]) <= tol, $"element {i}: expected {expected[i]}, got {a[i]}");
    }

    // ---- defect 4: version counter ----

    [Fact]
    public void ModifyingASavedOutputInPlaceIsReportedAtBackward()
    {
        using var s = TensorScope.Begin();
        var x = Vec(0, 1).RequiresGrad_();
        var y = x.Exp(); // its backward uses y
        var loss = y.Sum();
        using (GradMode.NoGrad()) y.AddInPlace(Vec(1, 1));
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("modified by an inplace operation", e.Message);
        Assert.Contains("Exp", e.Message);
        Assert.Contains("[2]", e.Message);
        Assert.Contains("is at version 1; expected version 0", e.Message);
    }

    [Fact]
    public void ModifyingASavedInputThroughAViewIsReportedAtBackward()
    {
        using var s = TensorScope.Begin();
        var x = Vec(1, 2, 3).RequiresGrad_();
        var loss = x.Mul(x).Sum();
        using (GradMode.NoGrad()) x.Narrow(0, 1, 1).FillInPlace(5);
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("Mul", e.Message);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void ModifyingATensorNoRuleReadsIsAllowed()
    {
        using var s = TensorScope.Begin();
        var a = Vec(1, 2).RequiresGrad_();
        var b = Vec(3, 4).RequiresGrad_();
        var loss = a.Add(b).Sum();
        using (GradMode.NoGrad()) a.AffineInPlace(10, 0);
        loss.Backward();
        AssertClose([1, 1], a.Grad!);
        AssertClose([1, 1], b.Grad!);
    }

    [Fact]
    public void UnmodifiedGraphsBackwardAsBefore()
    {
        using var s = TensorScope.Begin();
        var x = Vec(0, 1).RequiresGrad_();
        x.Exp().Sum().Backward();
        AssertClose([1, Math.E], x.Grad!);
        // the leaf's own gradient accumulation and an optimizer-like update between passes
        using (GradMode.NoGrad()) x.AddInPlace(Vec(1, 1));
        x.Exp().Sum().Backward();
        AssertClose([1 + Math.E, Math.E + Math.E * Math.E], x.Grad!, 1e-12);
    }

    // ---- defect 5: disposed intermediates ----

    [Fact]
    public void DisposingAnIntermediateBeforeBackwardIsAClearError()
    {
        using var s = TensorScope.Begin();
        var w = Vec(1, 2).RequiresGrad_();
        var h = w.Mul(Vec(3, 4));
        var loss = h.Tanh().Sum();
        h.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => loss.Backward());
        Assert.Contains("'Tanh'", e.Message); // the rule that needed it
        Assert.Contains("'Mul'", e.Message);  // the op that made it
        Assert.Contains("[2]", e.Message);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void DisposingAnIntermediateNoRuleReadsIsAlsoAClearError()
    {
        using var s = TensorScope.Begin();
        var w = Vec(1, 2).RequiresGrad_();
        var h = w.Mul(Vec(3, 4));
        var loss = h.Add(1.0).Sum(); // Affine's rule reads nothing: the gradient would silently stop at h
        h.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => loss.Backward());
        Assert.Contains("'Mul'", e.Message);
        Assert.Contains("[2] float64", e.Message);
        Assert.Null(w.Grad);
        Assert.Null(h.Grad);
    }

    // ---- defect 6: createGraph must not alias the incoming gradient ----

    [Fact]
    public void CreateGraphGradientOfASumCanBeAccumulatedInto()
    {
        using var s = TensorScope.Begin();
        var x = Vec(1, 2).RequiresGrad_();
        x.Sum().Backward(createGraph: true); // the incoming gradient is a stride-0 broadcast
        x.Sum().Backward();
        AssertClose([2, 2], x.Grad!);
    }

    [Fact]
    public void CreateGraphNeverStoresTheCallersGradientTensor()
    {
        using var s = TensorScope.Begin();
        var x = Vec(1, 2).RequiresGrad_();
        var g = Vec(1, 1);
        x.Mul(1.0).Backward(g, createGraph: true);
        Assert.NotSame(g, x.Grad);
        x.Mul(1.0).Backward(Vec(5, 5));
        AssertClose([1, 1], g);
        AssertClose([6, 6], x.Grad!);

        var leaf = Vec(3, 4).RequiresGrad_();
        var g2 = Vec(1, 2);
        leaf.Backward(g2, createGraph: true);
        leaf.Backward(Vec(1, 1));
        AssertClose([1, 2], g2);
        AssertClose([2, 3], leaf.Grad!);
    }

    [Fact]
    public void CreateGraphGradientStaysDifferentiable()
    {
        using var s = TensorScope.Begin();
        var x = Vec(1, 2).RequiresGrad_();
        x.Pow(3.0).Sum().Backward(createGraph: true);
        var g = x.Grad!;
        AssertClose([3, 12], g);
        Assert.True(g.RequiresGrad);
        var gx = Autodiff.Grad(g.Sum(), x);
        AssertClose([6, 12], gx);
    }

    // ---- defect 11: gradients at the boundary ----

    [Fact]
    public void PowerZeroHasAZeroGradientAtZero()
    {
        using var s = TensorScope.Begin();
        var x = Vec(0, 2, -1).RequiresGrad_();
        x.Pow(0.0).Sum().Backward();
        AssertClose([0, 0, 0], x.Grad!);
    }

    [Fact]
    public void TensorPowerAtAZeroBaseFollowsPyTorch()
    {
        using var s = TensorScope.Begin();
        // torch: a=[0,0,2], b=[0,2,3] → a.grad = [0, 0, 12], b.grad = [0, 0, 8 ln 2]
        var a = Vec(0, 0, 2).RequiresGrad_();
        var b = Vec(0, 2, 3).RequiresGrad_();
        a.Pow(b).Sum().Backward();
        AssertClose([0, 0, 12], a.Grad!);
        AssertClose([0, 0, 8 * Math.Log(2)], b.Grad!);
    }

    [Fact]
    public void NormOfTheZeroVectorHasAZeroGradient()
    {
        using var s = TensorScope.Begin();
        var x = Vec(0, 0, 0).RequiresGrad_();
        x.Norm().Backward();
        AssertClose([0, 0, 0], x.Grad!);
        var y = Vec(0, 0, 0).RequiresGrad_();
        y.Norm(3).Backward();
        AssertClose([0, 0, 0], y.Grad!);
    }

    [Fact]
    public void NormOverRowsWithAZeroRow()
    {
        using var s = TensorScope.Begin();
        var x = Tensor.FromArray(new[] { 0.0, 0, 3, 4 }, 2, 2).RequiresGrad_();
        var n = x.Norm(dims: [1]);
        AssertClose([0, 5], n);
        n.Sum().Backward();
        AssertClose([0, 0, 0.6, 0.8], x.Grad!);
        var k = Tensor.FromArray(new[] { 0.0, 0, 3, 4 }, 2, 2).RequiresGrad_();
        var nk = k.Norm(dims: [1], keepDim: true);
        Assert.Equal(new[] { 2, 1 }, nk.Shape.ToArray());
        nk.Sum().Backward();
        AssertClose([0, 0, 0.6, 0.8], k.Grad!);
    }

    [Fact]
    public void BoundaryFixesKeepSecondOrderGradientsWhereSmooth()
    {
        using var s = TensorScope.Begin();
        var a = Vec(0.5, 1.3, 2.1, 0.9);
        var b = Vec(1.5, 0.7, 2.2, -0.4);
        GradCheck.Check(x => x[0].Pow(x[1]).Sum(), [a, b]).ThrowIfFailed();
        GradCheck.CheckSecondOrder(x => x[0].Pow(x[1]).Sum(), [a, b]).ThrowIfFailed();
        var m = Tensor.FromArray(new[] { 0.3, -1.2, 2.0, 0.5, 1.1, -0.7 }, 2, 3);
        GradCheck.Check(x => x[0].Norm(dims: [1]).Sum(), [m]).ThrowIfFailed();
        GradCheck.CheckSecondOrder(x => x[0].Norm(dims: [1]).Sum(), [m]).ThrowIfFailed();
        GradCheck.CheckSecondOrder(x => x[0].Norm(3).Sum(), [m]).ThrowIfFailed();
        GradCheck.CheckSecondOrder(x => x[0].Norm(), [m]).ThrowIfFailed();
        GradCheck.CheckSecondOrder(x => x[0].Pow(0.0).Add(x[0].Pow(3.0)).Sum(), [m]).ThrowIfFailed();
    }

    [Fact]
    public void NormJvpMatchesReverseMode()
    {
        using var s = TensorScope.Begin();
        var m = Tensor.FromArray(new[] { 0.3, -1.2, 2.0, 0.0, 0.0, 0.0 }, 2, 3);
        var v = Tensor.FromArray(new[] { 1.0, 0.5, -2, 1, 1, 1 }, 2, 3);
        var jvp = Autodiff.Jvp(x => x.Norm(dims: [1]), m, v).Tangent;
        var n = Math.Sqrt(0.09 + 1.44 + 4);
        AssertClose([(0.3 * 1 - 1.2 * 0.5 - 2 * 2.0) / n, 0], jvp, 1e-12);
    }
}
