using SciKernels.NN;
using Xunit;

namespace SciKernels.Tests.NN;

public sealed class LossTests
{
    private static readonly Tensor Pred = Tensor.FromArray(new[] { 1.0, 2.0, 3.0, 0.0 }, 2, 2);
    private static readonly Tensor True = Tensor.FromArray(new[] { 1.0, 0.0, 0.0, 4.0 }, 2, 2);

    [Fact]
    public void MseAndL1ReduceLikePyTorch()
    {
        // differences 0, 2, 3, −4
        Assert.Equal((0 + 4 + 9 + 16) / 4.0, Losses.Mse(Pred, True).Item());
        Assert.Equal(29.0, Losses.Mse(Pred, True, Reduction.Sum).Item());
        Assert.Equal((0 + 2 + 3 + 4) / 4.0, Losses.L1(Pred, True).Item());
        Assert.Equal([0.0, 4, 9, 16], Losses.Mse(Pred, True, Reduction.None).ToArray<double>());
    }

    [Fact]
    public void RelativeL2IsPerSampleNormRatio()
    {
        // sample 0: ‖(0, 2)‖/‖(1, 0)‖ = 2; sample 1: ‖(3, −4)‖/‖(0, 4)‖ = 5/4
        Assert.Equal([2.0, 1.25], Losses.RelativeL2PerSample(Pred, True).ToArray<double>());
        Assert.Equal((2 + 1.25) / 2, Losses.RelativeL2(Pred, True).Item());
    }

    [Fact]
    public void RelativeL2IsDifferentiable()
    {
        var p = Tensor.FromArray(new[] { 3.0, 4.0 }, 1, 2).RequiresGrad_();
        var t = Tensor.FromArray(new[] { 0.0, 0.0 }, 1, 2).Add(Tensor.FromArray(new[] { 0.0, 1.0 }, 1, 2));
        Losses.RelativeL2(p, t).Backward();
        // ‖p − t‖ = ‖(3, 3)‖; gradient (p − t)/‖p − t‖ / ‖t‖
        double r = Math.Sqrt(18);
        Assert.Equal([3 / r, 3 / r], p.Grad!.ToArray<double>().Select(v => Math.Round(v, 14)).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void ShapeMismatchIsAnError()
    {
        Assert.Throws<ArgumentException>(() => Losses.Mse(Pred, Tensor.Zeros([2, 1], DType.Float64)));
    }
}
