using SciKernels.Autograd;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.NN;

public sealed class MlpFitTests
{
    [Fact]
    public void MlpFitsSineOnMinusPiToPi()
    {
        // 1-32-32-1 tanh network, full-batch Adam with cosine decay: max error below 0.02 on a
        // finer grid than the 64 training points.
        var gen = new Generator(42);
        using var model = new Mlp([1, 32, 32, 1], gen, Activation.Tanh);
        var x = Tensor.Linspace(-Math.PI, Math.PI, 64).Reshape(64, 1);
        var y = x.Sin();
        var opt = new Adam(model.Parameters(), learningRate: 1e-2);
        var sched = new LRScheduler(opt, new CosineAnnealingLR(1500, 1e-4));
        double loss = double.NaN;
        for (int step = 0; step < 1500; step++)
        {
            using var scope = TensorScope.Begin();
            opt.ZeroGrad();
            var l = Losses.Mse(model.Forward(x), y);
            l.Backward();
            opt.Step();
            sched.Step();
            loss = l.Item();
        }
        Assert.True(loss < 1e-4, $"final training MSE {loss}");
        using (GradMode.NoGrad())
        {
            var xt = Tensor.Linspace(-Math.PI, Math.PI, 501).Reshape(501, 1);
            var err = model.Forward(xt).Sub(xt.Sin()).Abs().Max().Item();
            Assert.True(err < 0.02, $"max |error| on the test grid {err}");
        }
    }
}
