using SciKernels.Autograd;
using SciKernels.Diagnostics;
using SciKernels.Equivariant;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Equivariant.TensorProducts;

/// <summary>NequIP's radial network: the Bessel basis, the smooth polynomial cutoff, and derivatives to second order.</summary>
public class RadialNetworkTests
{
    private static RadialNetwork Make() => new(5.0, 8, [16, 16], 12, new Generator(1), dtype: DType.Float64);

    [Fact]
    public void BesselBasisAndCutoffFollowTheirFormulas()
    {
        var net = Make();
        double[] rs = [0.3, 1.7, 4.2, 4.999, 5.0, 6.5];
        var r = Tensor.FromDoubles(rs, [rs.Length, 1], DType.Float64);
        var b = net.Bessel(r).ToArray<double>();
        var u = net.Cutoff(r).ToArray<double>();
        for (int i = 0; i < rs.Length; i++)
        {
            for (int n = 1; n <= 8; n++)
                Assert.True(Math.Abs(b[i * 8 + n - 1] - Math.Sqrt(2 / 5.0) * Math.Sin(n * Math.PI * rs[i] / 5) / rs[i]) < 1e-13);
            double x = rs[i] / 5, expected = x < 1 ? 1 - 28 * Math.Pow(x, 6) + 48 * Math.Pow(x, 7) - 21 * Math.Pow(x, 8) : 0;
            Assert.True(Math.Abs(u[i] - expected) < 1e-13);
        }
    }

    [Fact]
    public void WeightsVanishSmoothlyAtTheCutoff()
    {
        var net = Make();
        // u ∝ (1 − x)³ at x → 1, so w, dw/dr and d²w/dr² vanish at r_c like δ³, δ², δ: halving δ divides them by 8, 4, 2
        double[] At(double delta)
        {
            var r = Tensor.FromDoubles([5.0 - delta], [1, 1], DType.Float64).RequiresGrad_();
            var w = net.Forward(r).Sum();
            var d1 = Autodiff.Grad([w], [r], createGraph: true)[0];
            var d2 = Autodiff.Grad([d1.Sum()], [r])[0];
            return [w.Item(), d1.Item(), d2.Item()];
        }
        var far = At(1e-3);
        var near = At(0.5e-3);
        double[] expected = [8, 4, 2];
        for (int k = 0; k < 3; k++) Assert.True(Math.Abs(far[k] / near[k] / expected[k] - 1) < 0.01, $"derivative {k}: {far[k]} at δ vs {near[k]} at δ/2");
        var beyond = net.Forward(Tensor.FromDoubles([5.0, 7.0], [2, 1], DType.Float64));
        Assert.All(beyond.ToArray<double>(), v => Assert.Equal(0, v));
        Assert.Throws<TensorException>(() => net.Forward(Tensor.Zeros([3])));
    }

    [Fact]
    public void GradCheckFirstAndSecondOrderInLengths()
    {
        var net = new RadialNetwork(5.0, 4, [8], 3, new Generator(2), dtype: DType.Float64);
        var r = Tensor.FromDoubles([0.9, 2.5, 4.7], [3, 1], DType.Float64);
        Tensor F(Tensor[] xs) => net.Forward(xs[0]);
        Assert.True(GradCheck.Check(F, [r]).Passed);
        var second = GradCheck.CheckSecondOrder(F, [r]);
        Assert.True(second.Passed, second.ToString());
    }
}
