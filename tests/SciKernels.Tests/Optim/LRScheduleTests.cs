using SciKernels.Optim;
using Xunit;

namespace SciKernels.Tests.Optim;

public sealed class LRScheduleTests
{
    private static double[] Rates(LRSchedule s, int steps, double baseLr = 1)
        => Enumerable.Range(0, steps).Select(t => s.LearningRateAt(t, baseLr)).ToArray();

    private static void Near(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-12);
    }

    [Fact]
    public void StepLRDecaysEveryStepSize() => Near([1, 1, 0.5, 0.5, 0.25], Rates(new StepLR(2, 0.5), 5));

    [Fact]
    public void ExponentialLRDecaysEveryStep() => Near([2, 1.8, 1.62, 1.458], Rates(new ExponentialLR(0.9), 4, baseLr: 2));

    [Fact]
    public void CosineAnnealsToEtaMinAndStays()
        => Near([1, 0.1 + 0.9 * (1 + Math.Sqrt(0.5)) / 2, 0.55, 0.1 + 0.9 * (1 - Math.Sqrt(0.5)) / 2, 0.1, 0.1], Rates(new CosineAnnealingLR(4, 0.1), 6));

    [Fact]
    public void LinearWarmupRampsToTheBaseRate() => Near([0.1, 0.4, 0.7, 1, 1], Rates(LinearLR.Warmup(3, 0.1), 5));

    [Fact]
    public void WarmupThenCosineComposes()
    {
        // 2 warm-up steps from 0, then cosine over 2 steps to 0.
        Near([0, 0.5, 1, 0.5, 0, 0], Rates(LRSchedule.WarmupCosine(2, 4), 6));
    }

    [Fact]
    public void ChainedMultipliesFactors()
        => Near([1, 0.9, 0.81 * 0.5, 0.729 * 0.5], Rates(new ChainedLR(new ExponentialLR(0.9), new StepLR(2, 0.5)), 4));

    [Fact]
    public void SchedulerSetsTheOptimizerRate()
    {
        var p = Tensor.FromArray(new[] { 1.0 }, 1).RequiresGrad_();
        var opt = new Sgd([p], 0.2);
        var sched = new LRScheduler(opt, LinearLR.Warmup(2, 0.5));
        Assert.Equal(0.1, opt.LearningRate, 15);
        sched.Step();
        Assert.Equal(0.15, opt.LearningRate, 15);
        sched.Step();
        Assert.Equal(0.2, opt.LearningRate, 15);
        sched.SetStep(0);
        Assert.Equal(0.1, sched.LearningRate, 15);
    }

    [Fact]
    public void SequentialNeedsIncreasingMilestones()
        => Assert.Throws<ArgumentException>(() => new SequentialLR([new ExponentialLR(1), new ExponentialLR(1), new ExponentialLR(1)], [3, 3]));
}
