using SciKernels.Diagnostics;
using SciKernels.Pinn;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Pinn;

public class DerivativeTests
{
    private static (Tensor W1, Tensor B1, Tensor W2, Tensor B2) Weights(ulong seed)
    {
        var g = new Generator(seed);
        return (Tensor.Randn([6, 2], g, DType.Float64), Tensor.Randn([6], g, DType.Float64),
                Tensor.Randn([1, 6], g, DType.Float64), Tensor.Randn([1], g, DType.Float64));
    }

    private static PinnModel Model((Tensor W1, Tensor B1, Tensor W2, Tensor B2) w)
        => new(new GivenWeightsNet(w.W1, w.B1, w.W2, w.B2), ["x", "t"], ["u"], [-1.0, 0.0], [1.0, 2.0]);

    [Fact]
    public void Input_derivatives_agree_with_finite_differences()
    {
        var model = Model(Weights(3));
        var pts = new SpaceTimeDomain(new Interval(-1, 1), 0, 2).SampleInterior(8, SamplingMethod.Sobol, 9);
        using var scope = TensorScope.Begin();
        var f = new PinnProblem(model).Evaluate(pts.ToTensor(DType.Float64), 2);
        var ux = f["u_x"].ToArray<double>();
        var ut = f["u_t"].ToArray<double>();
        var uxx = f["u_xx"].ToArray<double>();
        var uxt = f["u_xt"].ToArray<double>();
        var utx = f.Derivatives.Derivative(0, 1, 0).ToArray<double>();
        const double h = 1e-4;
        double U(double x, double t) => model.Predict(new PointSet([x, t], 2))[0];
        for (int i = 0; i < pts.Count; i++)
        {
            double x = pts[i][0], t = pts[i][1];
            Assert.Equal((U(x + h, t) - U(x - h, t)) / (2 * h), ux[i], 1e-7);
            Assert.Equal((U(x, t + h) - U(x, t - h)) / (2 * h), ut[i], 1e-7);
            Assert.Equal((U(x + h, t) - 2 * U(x, t) + U(x - h, t)) / (h * h), uxx[i], 1e-5);
            Assert.Equal((U(x + h, t + h) - U(x + h, t - h) - U(x - h, t + h) + U(x - h, t - h)) / (4 * h * h), uxt[i], 1e-5);
            Assert.Equal(uxt[i], utx[i], 1e-14);
        }
    }

    [Fact]
    public void Second_derivative_is_differentiable_with_respect_to_the_weights()
    {
        var pts = new SpaceTimeDomain(new Interval(-1, 1), 0, 2).SampleInterior(5, SamplingMethod.Halton, 2);
        var w = Weights(4);
        var result = GradCheck.Check(ts =>
        {
            var model = Model((ts[0], ts[1], ts[2], ts[3]));
            var f = new PinnProblem(model).Evaluate(pts.ToTensor(DType.Float64), 2);
            return (f["u_xx"] * f["u_t"] + f["u_xt"]).Sum();
        }, [w.W1, w.B1, w.W2, w.B2]);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Derivatives_are_cached_and_the_engine_can_be_replaced()
    {
        var model = Model(Weights(5));
        var counting = new CountingEngine();
        var problem = new PinnProblem(model) { DerivativeEngine = counting };
        var pts = new SpaceTimeDomain(new Interval(-1, 1), 0, 2).SampleInterior(8);
        problem.Add("pde", new PdeCondition(pts, f => f["u_t"] + f["u"] * f["u_x"] - f["u_xx"] - f["u_xx"]));
        using var scope = TensorScope.Begin();
        var f = problem.Evaluate(pts.ToTensor(DType.Float64), 2);
        Assert.Same(f["u_xx"], f["u_xx"]);
        problem.TermLosses();
        Assert.Equal(2, counting.Calls);
    }

    private sealed class CountingEngine : IDerivativeEngine
    {
        public int Calls { get; private set; }

        public IDerivatives Evaluate(PinnModel model, Tensor points, int maxOrder)
        {
            Calls++;
            return ReverseModeDerivativeEngine.Instance.Evaluate(model, points, maxOrder);
        }
    }
}
