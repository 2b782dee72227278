using SciKernels.Optim;
using Xunit;

namespace SciKernels.Tests.Optim;

/// <summary>SGD against updates worked out by hand for p₀ = (1, −2) and a constant gradient g = (0.5, −1), lr = 0.1.</summary>
public sealed class SgdTests
{
    private static (Tensor P, double[] After1, double[] After2) Run(Func<Tensor, Optimizer> make)
    {
        var p = Tensor.FromArray(new[] { 1.0, -2.0 }, 2).RequiresGrad_();
        var opt = make(p);
        p.Grad = Tensor.FromArray(new[] { 0.5, -1.0 }, 2);
        opt.Step();
        var a1 = p.ToArray<double>();
        opt.Step();
        return (p, a1, p.ToArray<double>());
    }

    private static void Near(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-14);
    }

    [Fact]
    public void PlainStepIsLrTimesGradient()
    {
        var (_, a1, a2) = Run(p => new Sgd([p], 0.1));
        Near([0.95, -1.9], a1);
        Near([0.9, -1.8], a2);
    }

    [Fact]
    public void MomentumStartsFromTheGradient()
    {
        // b₁ = g, p₁ = p₀ − 0.1·g = (0.95, −1.9); b₂ = 0.9·b₁ + g = (0.95, −1.9), p₂ = p₁ − 0.1·b₂ = (0.855, −1.71)
        var (_, a1, a2) = Run(p => new Sgd([p], 0.1, momentum: 0.9));
        Near([0.95, -1.9], a1);
        Near([0.855, -1.71], a2);
    }

    [Fact]
    public void NesterovLooksAhead()
    {
        // b₁ = g, d₁ = g + 0.9·b₁ = (0.95, −1.9), p₁ = (0.905, −1.81);
        // b₂ = 0.9·b₁ + g = (0.95, −1.9), d₂ = g + 0.9·b₂ = (1.355, −2.71), p₂ = (0.7695, −1.539)
        var (_, a1, a2) = Run(p => new Sgd([p], 0.1, momentum: 0.9, nesterov: true));
        Near([0.905, -1.81], a1);
        Near([0.7695, -1.539], a2);
    }

    [Fact]
    public void DampeningScalesTheNewGradient()
    {
        // b₂ = 0.9·(0.5, −1) + 0.5·(0.5, −1) = (0.7, −1.4); p₂ = (0.95, −1.9) − 0.1·b₂ = (0.88, −1.76)
        var (_, _, a2) = Run(p => new Sgd([p], 0.1, momentum: 0.9, dampening: 0.5));
        Near([0.88, -1.76], a2);
    }

    [Fact]
    public void WeightDecayAddsL2Gradient()
    {
        // d = g + 0.1·p₀ = (0.6, −1.2); p₁ = (0.94, −1.88)
        var (_, a1, _) = Run(p => new Sgd([p], 0.1, weightDecay: 0.1));
        Near([0.94, -1.88], a1);
    }

    [Fact]
    public void FusedAndGenericPathsAgreeInFloat32()
    {
        // 37 elements: a SIMD body plus a scalar tail.
        var values = Enumerable.Range(0, 37).Select(i => (float)Math.Sin(i)).ToArray();
        var grads = Enumerable.Range(0, 37).Select(i => (float)Math.Cos(3 * i)).ToArray();
        float[] RunPath(bool generic)
        {
            var p = Tensor.FromArray(values, 37).RequiresGrad_();
            var opt = new Sgd([p], 0.05, momentum: 0.8, weightDecay: 0.01, nesterov: true);
            opt.UseFusedKernels = !generic;
            for (int s = 0; s < 3; s++)
            {
                p.Grad = Tensor.FromArray(grads, 37);
                opt.Step();
            }
            return p.ToArray<float>();
        }
        var fused = RunPath(false);
        var generic = RunPath(true);
        for (int i = 0; i < 37; i++) Assert.Equal(generic[i], fused[i], 1e-6f);
    }

    [Fact]
    public void ParametersWithoutGradientsAreSkipped()
    {
        var p = Tensor.FromArray(new[] { 1.0 }, 1).RequiresGrad_();
        new Sgd([p], 0.1, momentum: 0.9).Step();
        Assert.Equal([1.0], p.ToArray<double>());
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        var p = Tensor.FromArray(new[] { 1.0 }, 1).RequiresGrad_();
        Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Sgd([Tensor.FromArray(new[] { 1.0 }, 1)], 0.1));
        var opt = new Sgd([p], 0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.LearningRate = double.NaN);
        opt.LearningRate = 0.5;
        Assert.Equal(0.5, opt.LearningRate);
    }
}
