using SciKernels.Autograd;
using SciKernels.Diagnostics;
using SciKernels.Random;
using SciKernels.Tests.Support;
using Xunit;

namespace SciKernels.Tests.Autograd;

/// <summary>Derivatives of order three, mixed partials and the PINN pattern (gradients of gradients w.r.t. weights).</summary>
public class HigherOrderTests
{
    private static readonly double[] Points = { -2.3, -1.1, -0.4, 0.0, 0.3, 0.9, 1.7, 2.6 };

    /// <summary>d/dx applied <paramref name="order"/> times to the element-wise function <paramref name="f"/>.</summary>
    private static double[] NthDerivative(Func<Tensor, Tensor> f, double[] at, int order)
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(at, at.Length).RequiresGrad_();
        var y = f(x);
        for (int k = 0; k < order; k++) y = Autodiff.Grad(y.Sum(), x, createGraph: k < order - 1);
        return y.ToArray<double>();
    }

    [Fact]
    public void ThirdDerivativeOfSinTimesCube()
    {
        var expected = Points.Select(x => -x * x * x * Math.Cos(x) - 9 * x * x * Math.Sin(x) + 18 * x * Math.Cos(x) + 6 * Math.Sin(x)).ToArray();
        Ref.Close(expected, NthDerivative(x => x.Sin().Mul(x.Pow(3)), Points, 3), 1e-12, "d³/dx³ sin(x)·x³");
        // the same through the other power paths (x·x·x and Square)
        Ref.Close(expected, NthDerivative(x => x.Sin().Mul(x.Square().Mul(x)), Points, 3), 1e-12, "d³/dx³ sin(x)·x²·x");
    }

    [Fact]
    public void ThirdDerivativeOfTanh()
    {
        var expected = Points.Select(x =>
        {
            double t = Math.Tanh(x);
            return (1 - t * t) * (6 * t * t - 2);
        }).ToArray();
        Ref.Close(expected, NthDerivative(x => x.Tanh(), Points, 3), 1e-12, "d³/dx³ tanh");
    }

    [Fact]
    public void FourthDerivativeOfExpTimesSin()
    {
        // (e^x sin x)'''' = -4 e^x sin x
        var expected = Points.Select(x => -4 * Math.Exp(x) * Math.Sin(x)).ToArray();
        Ref.Close(expected, NthDerivative(x => x.Exp().Mul(x.Sin()), Points, 4), 1e-11, "d⁴/dx⁴ eˣ sin x");
    }

    [Fact]
    public void ThirdDerivativeOfSigmoidAndSoftplus()
    {
        // softplus' = σ, so softplus''' = σ'' = σ(1-σ)(1-2σ)
        var expected = Points.Select(x =>
        {
            double s = 1 / (1 + Math.Exp(-x));
            return s * (1 - s) * (1 - 2 * s);
        }).ToArray();
        Ref.Close(expected, NthDerivative(x => x.Softplus(), Points, 3), 1e-12, "d³/dx³ softplus");
        Ref.Close(expected, NthDerivative(x => x.Sigmoid(), Points, 2), 1e-12, "d²/dx² sigmoid");
    }

    [Fact]
    public void MixedPartialOfTwoVariables()
    {
        // f = sin(x·y) + x²·y³ ; ∂²f/∂y∂x = cos(xy) − xy·sin(xy) + 6x·y²
        double[] xs = { -1.2, 0.4, 0.9, 1.5 }, ys = { 0.7, -0.8, 1.3, 0.2 };
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(xs, xs.Length).RequiresGrad_();
        var y = Tensor.FromArray(ys, ys.Length).RequiresGrad_();
        var f = x.Mul(y).Sin().Add(x.Square().Mul(y.Pow(3)));
        var fx = Autodiff.Grad(f.Sum(), x, createGraph: true);
        var fxy = Autodiff.Grad(fx.Sum(), y);
        var expected = xs.Select((a, i) => { double b = ys[i]; return Math.Cos(a * b) - a * b * Math.Sin(a * b) + 6 * a * b * b; }).ToArray();
        Ref.Close(expected, fxy.ToArray<double>(), 1e-12, "∂²f/∂y∂x");
        // symmetry of the Hessian: ∂/∂x ∂f/∂y equals it
        using var scope2 = TensorScope.Begin();
        var f2 = x.Mul(y).Sin().Add(x.Square().Mul(y.Pow(3)));
        var fy = Autodiff.Grad(f2.Sum(), y, createGraph: true);
        Ref.Close(expected, Autodiff.Grad(fy.Sum(), x).ToArray<double>(), 1e-12, "∂²f/∂x∂y");
    }

    [Fact]
    public void HessianVectorProductOfQuadraticForm()
    {
        // f = ½ xᵀAx  ⇒  ∇f = ½(A + Aᵀ)x, H·v = ½(A + Aᵀ)v
        var gen = new Generator(3);
        using var scope = TensorScope.Begin();
        var a = Tensor.Randn(new[] { 4, 4 }, gen, DType.Float64);
        var x = Tensor.Randn(new[] { 4 }, gen, DType.Float64).RequiresGrad_();
        var v = Tensor.Randn(new[] { 4 }, gen, DType.Float64);
        var f = x.MatMul(a.MatMul(x)).Mul(0.5);
        var g = Autodiff.Grad(f, x, createGraph: true);
        var hv = Autodiff.Grad(g.Mul(v).Sum(), x);
        var sym = a.Add(a.T).Mul(0.5);
        Ref.Close(sym.MatMul(v).ToArray<double>(), hv.ToArray<double>(), 1e-12, "H·v");
    }

    /// <summary>
    /// The PINN pattern: u = MLP(x, t) from Linear + Tanh; u_x and u_xx by Autodiff.Grad with
    /// createGraph; a residual loss of the heat equation u_t = ν u_xx; its gradient w.r.t. all the
    /// weights against central differences.
    /// </summary>
    [Fact]
    public void PinnLossGradientWithRespectToWeightsMatchesFiniteDifferences()
    {
        const int hidden = 3;
        var gen = new Generator(11);
        var shapes = new[] { new[] { hidden, 2 }, new[] { hidden }, new[] { hidden, hidden }, new[] { hidden }, new[] { 1, hidden }, new[] { 1 } };
        var weights = shapes.Select(s => Tensor.Randn(s, gen, DType.Float64, std: 0.8)).ToArray();
        var points = Tensor.Rand(new[] { 5, 2 }, gen, DType.Float64, low: -1, high: 1);
        var pv = points.ToArray<double>();

        Tensor Loss(Tensor[] w)
        {
            // Finite differences evaluate under NoGrad; the inner derivatives need recording anyway.
            using var _ = GradMode.EnableGrad();
            var xt = Tensor.FromArray(pv, 5, 2).RequiresGrad_();
            var h = Tensor.Linear(xt, w[0], w[1]).Tanh();
            h = Tensor.Linear(h, w[2], w[3]).Tanh();
            var u = Tensor.Linear(h, w[4], w[5]);                       // [5, 1]
            var du = Autodiff.Grad(u.Sum(), xt, createGraph: true);      // [5, 2] = (u_x, u_t)
            var ux = du.Select(1, 0);
            var ut = du.Select(1, 1);
            var uxx = Autodiff.Grad(ux.Sum(), xt, createGraph: true).Select(1, 0);
            var residual = ut.Sub(uxx.Mul(0.1));
            var boundary = u.Squeeze().Sub(xt.Select(1, 0).Detach().Sin());
            return residual.Square().Mean().Add(boundary.Square().Mean()).Add(ux.Square().Mean().Mul(0.01));
        }

        var r = GradCheck.Check(Loss, weights);
        Assert.True(r.Passed, $"PINN loss gradient w.r.t. weights: {r}");

        // The analytic gradient is not trivially zero (the check would pass vacuously otherwise).
        using var scope = TensorScope.Begin();
        var ws = weights.Select(w => w.Clone().Detach().RequiresGrad_()).ToArray();
        var grads = Autodiff.Grad(new[] { Loss(ws) }, ws);
        Assert.Contains(grads, g => g.Abs().Sum().Item() > 1e-6);
    }

    [Fact]
    public void PinnSecondOrderCheckOnTinyNetwork()
    {
        var gen = new Generator(5);
        var w = new[] { Tensor.Randn(new[] { 2, 1 }, gen, DType.Float64), Tensor.Randn(new[] { 1, 2 }, gen, DType.Float64) };
        var x0 = new[] { -0.5, 0.2, 0.8 };
        Tensor Uxx(Tensor[] p)
        {
            using var _ = GradMode.EnableGrad();
            var x = Tensor.FromArray(x0, 3, 1).RequiresGrad_();
            var u = Tensor.Linear(Tensor.Linear(x, p[0]).Tanh(), p[1]);
            var ux = Autodiff.Grad(u.Sum(), x, createGraph: true);
            return Autodiff.Grad(ux.Sum(), x, createGraph: true).Square().Sum();
        }
        var r = GradCheck.CheckSecondOrder(Uxx, w);
        Assert.True(r.Passed, $"second-order check of Σ u_xx²: {r}");
    }
}
