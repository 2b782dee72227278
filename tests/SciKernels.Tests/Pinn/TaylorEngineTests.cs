using SciKernels.NN;
using SciKernels.Pinn;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Pinn;

public class TaylorEngineTests
{
    [Fact]
    public void TaylorEngineAgreesWithReverseOverReverse()
    {
        var net = new Mlp(new[] { 2, 7, 7, 2 }, Activation.Tanh, generator: new Generator(3), dtype: DType.Float64);
        var model = new PinnModel(net, new[] { "x", "t" }, new[] { "u", "v" }, new[] { -1.0, 0.0 }, new[] { 1.0, 2.0 });
        var points = Tensor.Rand(new[] { 13, 2 }, new Generator(4), DType.Float64, low: -1, high: 1);
        var fast = TaylorDerivativeEngine.Instance.Evaluate(model, points, 2);
        var slow = ReverseModeDerivativeEngine.Instance.Evaluate(model, points, 2);
        foreach (var dims in new[] { new int[0], new[] { 0 }, new[] { 1 }, new[] { 0, 0 }, new[] { 1, 1 }, new[] { 0, 1 } })
        {
            for (int c = 0; c < 2; c++)
            {
                var a = fast.Derivative(c, dims).ToArray<double>();
                var b = slow.Derivative(c, dims).ToArray<double>();
                for (int i = 0; i < a.Length; i++)
                    Assert.True(Math.Abs(a[i] - b[i]) <= 1e-10 * (1 + Math.Abs(b[i])), $"component {c}, dims [{string.Join(",", dims)}], point {i}: {a[i]} vs {b[i]}");
            }
        }
    }

    [Fact]
    public void WeightGradientsOfAResidualLossAgree()
    {
        var net = new Mlp(new[] { 2, 6, 6, 1 }, Activation.Tanh, generator: new Generator(5), dtype: DType.Float64);
        var model = new PinnModel(net, new[] { "x", "t" }, new[] { "u" }, new[] { -1.0, 0.0 }, new[] { 1.0, 1.0 });
        var points = Tensor.Rand(new[] { 17, 2 }, new Generator(6), DType.Float64);
        double[] Grad(IDerivativeEngine engine)
        {
            model.ZeroGrad();
            var f = engine.Evaluate(model, points, 2);
            var r = f.Derivative(0, 1).Add(f.Value(0).Mul(f.Derivative(0, 0))).Sub(f.Derivative(0, 0, 0).Mul(0.01));
            r.Square().Mean().Backward();
            return model.Parameters().SelectMany(p => p.Grad!.ToArray<double>()).ToArray();
        }
        var a = Grad(TaylorDerivativeEngine.Instance);
        var b = Grad(ReverseModeDerivativeEngine.Instance);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-10 * (1 + Math.Abs(b[i])), $"parameter element {i}: {a[i]} vs {b[i]}");
    }
}
