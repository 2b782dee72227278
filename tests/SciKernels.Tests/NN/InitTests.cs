using SciKernels.NN;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.NN;

public sealed class InitTests
{
    private static double Variance(double[] v)
    {
        double m = v.Average();
        return v.Select(x => (x - m) * (x - m)).Average();
    }

    [Fact]
    public void FansCountTheReceptiveField()
    {
        Assert.Equal((3, 5), Init.CalculateFans(Tensor.Empty([5, 3])));
        Assert.Equal((3 * 4 * 4, 8 * 4 * 4), Init.CalculateFans(Tensor.Empty([8, 3, 4, 4])));
        Assert.Throws<ArgumentException>(() => Init.CalculateFans(Tensor.Empty([5])));
    }

    [Fact]
    public void XavierUniformHasBoundAndVariance()
    {
        var w = Init.XavierUniform(Tensor.Empty([200, 100], DType.Float64), new Generator(1), gain: 2);
        double a = 2 * Math.Sqrt(6.0 / 300);
        var v = w.ToArray<double>();
        Assert.All(v, x => Assert.InRange(x, -a, a));
        Assert.Equal(a * a / 3, Variance(v), 0.05 * a * a / 3); // 20 000 samples: within 5 %
    }

    [Fact]
    public void XavierNormalHasStd()
    {
        var v = Init.XavierNormal(Tensor.Empty([200, 100], DType.Float64), new Generator(2)).ToArray<double>();
        Assert.Equal(2.0 / 300, Variance(v), 0.05 * 2.0 / 300);
    }

    [Fact]
    public void KaimingUniformAndNormalMatchHe()
    {
        var u = Init.KaimingUniform(Tensor.Empty([100, 200], DType.Float64), new Generator(3), nonlinearity: "relu").ToArray<double>();
        double bound = Math.Sqrt(2) * Math.Sqrt(3.0 / 200);
        Assert.All(u, x => Assert.InRange(x, -bound, bound));
        Assert.Equal(2.0 / 200, Variance(u), 0.05 * 2.0 / 200);
        var n = Init.KaimingNormal(Tensor.Empty([100, 200], DType.Float64), new Generator(4), mode: FanMode.FanOut, nonlinearity: "relu").ToArray<double>();
        Assert.Equal(2.0 / 100, Variance(n), 0.05 * 2.0 / 100);
    }

    [Fact]
    public void SameSeedGivesSameWeightsInEveryDType()
    {
        var a = Init.XavierUniform(Tensor.Empty([7, 5], DType.Float64), new Generator(11)).ToArray<double>();
        var b = Init.XavierUniform(Tensor.Empty([7, 5], DType.Float64), new Generator(11)).ToArray<double>();
        var f = Init.XavierUniform(Tensor.Empty([7, 5], DType.Float32), new Generator(11)).ToArray<float>();
        Assert.Equal(a, b);
        Assert.Equal(a.Select(x => (float)x), f);
    }

    [Fact]
    public void GainsMatchPyTorch()
    {
        Assert.Equal(5.0 / 3, Init.CalculateGain("tanh"));
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain("relu"));
        Assert.Equal(Math.Sqrt(2.0 / (1 + 5)), Init.CalculateGain("leaky_relu", Math.Sqrt(5)), 15);
    }
}
