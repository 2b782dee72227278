using SciKernels.Optim;
using Xunit;

namespace SciKernels.Tests.Optim;

public sealed class GradientClippingTests
{
    private static (Tensor A, Tensor B) WithGrads(double[] ga, double[] gb)
    {
        var a = Tensor.Zeros([ga.Length], DType.Float64).RequiresGrad_();
        var b = Tensor.Zeros([gb.Length], DType.Float32).RequiresGrad_();
        a.Grad = Tensor.FromArray(ga, ga.Length);
        b.Grad = Tensor.FromArray(gb.Select(v => (float)v).ToArray(), gb.Length);
        return (a, b);
    }

    [Fact]
    public void ClipsTheGlobalNorm()
    {
        // ‖(3, 4, 12)‖ = 13; clipping to 6.5 halves every gradient (up to the 1e-6 guard).
        var (a, b) = WithGrads([3, 4], [12]);
        double norm = GradientClipping.ClipGradNorm([a, b], 6.5);
        Assert.Equal(13, norm, 12);
        double coef = 6.5 / (13 + 1e-6);
        Assert.Equal([3 * coef, 4 * coef], a.Grad!.ToArray<double>());
        Assert.Equal((float)(12 * coef), b.Grad!.ToArray<float>()[0]);
    }

    [Fact]
    public void LeavesSmallGradientsAlone()
    {
        var (a, b) = WithGrads([0.3, 0.4], [0]);
        Assert.Equal(0.5, GradientClipping.ClipGradNorm([a, b], 1), 12);
        Assert.Equal([0.3, 0.4], a.Grad!.ToArray<double>());
    }

    [Fact]
    public void InfinityNormAndNonFiniteHandling()
    {
        var (a, b) = WithGrads([3, -4], [1]);
        Assert.Equal(4, GradientClipping.ClipGradNorm([a, b], 2, double.PositiveInfinity), 12);
        Assert.Equal(-2, a.Grad!.ToArray<double>()[1], 5);
        var (c, d) = WithGrads([double.NaN], [1]);
        Assert.True(double.IsNaN(GradientClipping.ClipGradNorm([c, d], 1)));
        Assert.Throws<ArithmeticException>(() => GradientClipping.ClipGradNorm([c, d], 1, errorIfNonFinite: true));
    }

    [Fact]
    public void ClipsValues()
    {
        var (a, _) = WithGrads([3, -4, 0.5], [0]);
        GradientClipping.ClipGradValue([a], 1);
        Assert.Equal([1, -1, 0.5], a.Grad!.ToArray<double>());
    }
}
