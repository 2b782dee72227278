using SciKernels.Optim;
using Xunit;

namespace SciKernels.Tests.Optim;

public sealed class LbfgsTests
{
    /// <summary>f(a, b) = (1 − a)² + 100(b − a²)², minimum 0 at (1, 1).</summary>
    private static Tensor Rosenbrock(Tensor x)
    {
        var a = x.Narrow(0, 0, 1);
        var b = x.Narrow(0, 1, 1);
        return a.RSub(1).Square().Add(b.Sub(a.Square()).Square().Mul(100)).Sum();
    }

    private static Func<Tensor> Closure(Tensor x, Func<Tensor, Tensor> f) => () =>
    {
        var loss = f(x);
        loss.Backward();
        return loss;
    };

    [Fact]
    public void MinimizesRosenbrockTo1e8()
    {
        var x = Tensor.FromArray(new[] { -1.2, 1.0 }, 2).RequiresGrad_();
        var opt = new Lbfgs([x], maxIterations: 200, toleranceGrad: 1e-10, toleranceChange: 1e-15, historySize: 10);
        var result = opt.Step(Closure(x, Rosenbrock));
        Assert.True(result.Converged, result.ToString());
        Assert.True(result.Loss < 1e-8, result.ToString());
        var v = x.ToArray<double>();
        Assert.Equal(1, v[0], 1e-4);
        Assert.Equal(1, v[1], 1e-4);
        Assert.Equal(Rosenbrock(x).Item(), result.Loss);
        Assert.True(result.Iterations < 100, $"took {result.Iterations} iterations");
    }

    [Fact]
    public void HistoryCarriesOverShortSteps()
    {
        // Ten calls of five iterations reach the same minimum as one long call.
        var x = Tensor.FromArray(new[] { -1.2, 1.0 }, 2).RequiresGrad_();
        var opt = new Lbfgs([x], maxIterations: 5, toleranceGrad: 1e-10, toleranceChange: 1e-15, historySize: 4);
        LbfgsResult r = null!;
        for (int i = 0; i < 40 && (r is null || !r.Converged); i++) r = opt.Step(Closure(x, Rosenbrock));
        Assert.True(r.Loss < 1e-8, r.ToString());
    }

    [Fact]
    public void StopsOnGradientToleranceAtTheMinimum()
    {
        var x = Tensor.FromArray(new[] { 1.0, 1.0 }, 2).RequiresGrad_();
        var r = new Lbfgs([x]).Step(Closure(x, Rosenbrock));
        Assert.Equal(LbfgsStopReason.GradientTolerance, r.Reason);
        Assert.Equal(0, r.Iterations);
        Assert.Equal(1, r.FunctionEvaluations);
    }

    [Fact]
    public void NonFiniteStartIsReportedAndParametersAreUntouched()
    {
        var x = Tensor.FromArray(new[] { -1.0 }, 1).RequiresGrad_();
        var r = new Lbfgs([x]).Step(Closure(x, t => t.Sqrt().Sum()));
        Assert.Equal(LbfgsStopReason.NonFinite, r.Reason);
        Assert.True(r.HitNonFinite);
        Assert.Equal([-1.0], x.ToArray<double>());
    }

    [Fact]
    public void BlowUpDuringTheSearchStopsAtTheLastFinitePoint()
    {
        // The "simulation" diverges after two evaluations: every later loss is NaN.
        var x = Tensor.FromArray(new[] { 3.0, -2.0 }, 2).RequiresGrad_();
        int calls = 0;
        var r = new Lbfgs([x], maxIterations: 50).Step(() =>
        {
            var loss = x.Square().Sum();
            if (++calls > 2) loss = loss.Mul(double.NaN);
            loss.Backward();
            return loss;
        });
        Assert.Equal(LbfgsStopReason.NonFinite, r.Reason);
        Assert.True(double.IsFinite(r.Loss));
        var v = x.ToArray<double>();
        Assert.All(v, e => Assert.True(double.IsFinite(e)));
        Assert.Equal(r.Loss, v.Sum(e => e * e), 12);
        Assert.True(r.Loss < 13, "the finite progress made before the blow-up is kept");
    }

    [Fact]
    public void BarrierWithNaNOutsideTheDomainStaysFinite()
    {
        // f = (x − 3)² − log(1 − x) is NaN for x > 1; the minimizer lies inside, near x ≈ 0.8.
        var x = Tensor.FromArray(new[] { 0.0 }, 1).RequiresGrad_();
        var r = new Lbfgs([x], maxIterations: 100, toleranceGrad: 1e-9).Step(Closure(x, t => t.Sub(3).Square().Sub(t.RSub(1).Log()).Sum()));
        Assert.True(double.IsFinite(r.Loss), r.ToString());
        double v = x.ToArray<double>()[0];
        // f'(x) = 2(x − 3) + 1/(1 − x) = 0 ⇒ 2x² − 8x + 5 = 0 ⇒ x = 2 − √1.5
        Assert.Equal(2 - Math.Sqrt(1.5), v, 1e-6);
    }

    [Fact]
    public void WorksOnFloat32Parameters()
    {
        var x = Tensor.FromArray(new[] { 2f, -1f, 0.5f }, 3).RequiresGrad_();
        var target = Tensor.FromArray(new[] { 1f, 2f, 3f }, 3);
        var r = new Lbfgs([x], maxIterations: 50).Step(Closure(x, t => t.Sub(target).Square().Sum()));
        Assert.True(r.Converged, r.ToString());
        Assert.Equal([1f, 2f, 3f], x.ToArray<float>().Select(v => MathF.Round(v, 4)));
    }

    [Fact]
    public void PlainStepAndStateDictAreRejected()
    {
        var x = Tensor.FromArray(new[] { 1.0 }, 1).RequiresGrad_();
        var opt = new Lbfgs([x]);
        Assert.Throws<InvalidOperationException>(() => opt.Step());
        Assert.Throws<NotSupportedException>(() => opt.StateDict());
    }

    [Fact]
    public void CubicInterpolationFindsTheMinimumOfACubic()
    {
        // f(t) = (t − 1)² has f(0) = 1, f'(0) = −2, f(3) = 4, f'(3) = 4 ⇒ minimizer 1.
        Assert.Equal(1, Lbfgs.CubicMinimizer(0, 1, -2, 3, 4, 4, 0, 3), 12);
    }
}
