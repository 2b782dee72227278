using SciKernels.Optim;
using Xunit;

namespace SciKernels.Tests.Optim;

/// <summary>
/// Adam and AdamW against updates worked out by hand: p₀ = (1, −2), lr = 0.1, β = (0.9, 0.999), ε = 1e-8,
/// gradients g₁ = (0.5, −1) then g₂ = (0.1, −1).
/// </summary>
public sealed class AdamTests
{
    private const double Eps = 1e-8;

    private static (double[] After1, double[] After2) Run(Func<Tensor, Optimizer> make)
    {
        var p = Tensor.FromArray(new[] { 1.0, -2.0 }, 2).RequiresGrad_();
        var opt = make(p);
        p.Grad = Tensor.FromArray(new[] { 0.5, -1.0 }, 2);
        opt.Step();
        var a1 = p.ToArray<double>();
        p.Grad = Tensor.FromArray(new[] { 0.1, -1.0 }, 2);
        opt.Step();
        return (a1, p.ToArray<double>());
    }

    [Fact]
    public void AdamFirstStepMovesByLrAndSecondUsesBiasCorrectedMoments()
    {
        var (a1, a2) = Run(p => new Adam([p], 0.1));
        // Step 1: m = 0.1·g, v = 0.001·g²; m̂ = g, v̂ = g², so p moves by lr·g/(|g| + ε).
        double[] e1 = [1 - 0.1 * 0.5 / (0.5 + Eps), -2 + 0.1 * 1 / (1 + Eps)];
        Assert.Equal(e1[0], a1[0], 1e-15);
        Assert.Equal(e1[1], a1[1], 1e-15);
        // Step 2, element 0: m = 0.9·0.05 + 0.1·0.1 = 0.055, v = 0.999·0.00025 + 0.001·0.01 = 0.00025975,
        // bias corrections 1 − 0.9² = 0.19 and 1 − 0.999² = 0.001999.
        // Element 1: m = 0.9·(−0.1) + 0.1·(−1) = −0.19, v = 0.999·0.001 + 0.001·1 = 0.001999 ⇒ m̂ = −1, v̂ = 1.
        double e20 = e1[0] - 0.1 * (0.055 / 0.19) / (Math.Sqrt(0.00025975 / 0.001999) + Eps);
        double e21 = e1[1] + 0.1 * 1 / (1 + Eps);
        Assert.Equal(e20, a2[0], 1e-13);
        Assert.Equal(e21, a2[1], 1e-13);
        Assert.Equal(0.81970, a2[0], 1e-5); // the smaller gradient shrinks the step from 0.1 to ≈ 0.0803
    }

    [Fact]
    public void AdamWeightDecayIsAnL2Gradient()
    {
        var (a1, _) = Run(p => new Adam([p], 0.1, weightDecay: 0.1));
        // g' = g + 0.1·p₀ = (0.6, −1.2); the first step is still lr·g'/(|g'| + ε).
        Assert.Equal(1 - 0.1 * 0.6 / (0.6 + Eps), a1[0], 1e-15);
        Assert.Equal(-2 + 0.1 * 1.2 / (1.2 + Eps), a1[1], 1e-15);
    }

    [Fact]
    public void AdamWDecaysTheWeightsBeforeTheAdamStep()
    {
        var (a1, a2) = Run(p => new AdamW([p], 0.1, weightDecay: 0.1));
        // p ← p·(1 − 0.1·0.1) then the Adam step: (0.99 − 0.1, −1.98 + 0.1) up to ε.
        double[] e1 = [0.99 - 0.1 * 0.5 / (0.5 + Eps), -1.98 + 0.1 / (1 + Eps)];
        Assert.Equal(e1[0], a1[0], 1e-15);
        Assert.Equal(e1[1], a1[1], 1e-15);
        Assert.Equal(e1[0] * 0.99 - 0.1 * (0.055 / 0.19) / (Math.Sqrt(0.00025975 / 0.001999) + Eps), a2[0], 1e-13);
        Assert.Equal(e1[1] * 0.99 + 0.1 / (1 + Eps), a2[1], 1e-13);
    }

    [Fact]
    public void StepCountDrivesBiasCorrection()
    {
        var p = Tensor.FromArray(new[] { 0.0 }, 1).RequiresGrad_();
        var opt = new Adam([p], 0.1);
        for (int i = 0; i < 5; i++)
        {
            p.Grad = Tensor.FromArray(new[] { 2.0 }, 1);
            opt.Step();
        }
        Assert.Equal(5, opt.StepCount);
        // A constant gradient gives m̂ = g and v̂ = g² at every step: five steps of lr.
        Assert.Equal(-0.5, p.ToArray<double>()[0], 1e-8);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FusedAndGenericPathsAgreeInFloat32(bool decoupled)
    {
        var values = Enumerable.Range(0, 41).Select(i => (float)Math.Sin(i)).ToArray();
        float[] RunPath(bool generic)
        {
            var p = Tensor.FromArray(values, 41).RequiresGrad_();
            Optimizer opt = decoupled ? new AdamW([p], 0.01, weightDecay: 0.1) : new Adam([p], 0.01, weightDecay: 0.1);
            opt.UseFusedKernels = !generic;
            for (int s = 1; s <= 4; s++)
            {
                p.Grad = Tensor.FromArray(Enumerable.Range(0, 41).Select(i => (float)Math.Cos(s * i)).ToArray(), 41);
                opt.Step();
            }
            return p.ToArray<float>();
        }
        var fused = RunPath(false);
        var generic = RunPath(true);
        for (int i = 0; i < fused.Length; i++) Assert.Equal(generic[i], fused[i], 2e-6f);
    }
}
