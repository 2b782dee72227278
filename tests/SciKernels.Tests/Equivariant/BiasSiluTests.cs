using SciKernels.Diagnostics;
using SciKernels.Equivariant;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Equivariant;

/// <summary>The fused bias + SiLU of the EGNN MLPs against its composite form and finite differences (float64).</summary>
public class BiasSiluTests
{
    private static Tensor Composite(Tensor z, Tensor? b)
    {
        var u = b is null ? z : z.Add(b);
        return u.Mul(u.Sigmoid());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ValueAndGradientsEqualTheComposite(bool bias)
    {
        var gen = new Generator(21);
        var z = Tensor.Randn([37, 9], gen, DType.Float64).Mul(3).RequiresGrad_();
        var b = bias ? Tensor.Randn([9], gen, DType.Float64).RequiresGrad_() : null;
        var g = Tensor.Randn([37, 9], gen, DType.Float64);
        var fused = BiasSilu.Apply(z, b);
        var plain = Composite(z, b);
        Assert.True(fused.Sub(plain).Abs().Max().Item() < 1e-14);
        var inputs = b is null ? new[] { z } : new[] { z, b };
        var gf = Autodiff.Grad(new[] { fused }, inputs, new[] { g });
        var gp = Autodiff.Grad(new[] { plain }, inputs, new[] { g });
        for (int i = 0; i < inputs.Length; i++) Assert.True(gf[i].Sub(gp[i]).Abs().Max().Item() < 1e-12);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GradientsMatchFiniteDifferencesFirstAndSecondOrder(bool bias)
    {
        var gen = new Generator(22);
        Tensor[] inputs = bias ? [Tensor.Randn([5, 4], gen, DType.Float64), Tensor.Randn([4], gen, DType.Float64)] : [Tensor.Randn([5, 4], gen, DType.Float64)];
        Tensor F(Tensor[] xs) => BiasSilu.Apply(xs[0], bias ? xs[1] : null);
        var first = GradCheck.Check(F, inputs);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, inputs);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void Float32VectorPathMatchesTheCompositeToRounding()
    {
        // 67 columns: four 16-wide vectors and a scalar tail; values wide enough to reach both saturations
        var gen = new Generator(23);
        var z = Tensor.Randn([41, 67], gen).Mul(12).RequiresGrad_();
        var b = Tensor.Randn([67], gen).RequiresGrad_();
        var g = Tensor.Randn([41, 67], gen);
        var fused = BiasSilu.Apply(z, b);
        var plain = Composite(z.To(DType.Float64), b.To(DType.Float64));
        var f = fused.ToArray<float>();
        var p = plain.ToArray<double>();
        for (int i = 0; i < f.Length; i++) Assert.True(Math.Abs(f[i] - p[i]) <= 2e-6 * (1 + Math.Abs(p[i])), $"{i}: {f[i]} vs {p[i]}");
        var gf = Autodiff.Grad(new[] { fused }, new[] { z, b }, new[] { g });
        var zz = z.To(DType.Float64);
        var bb = b.To(DType.Float64);
        var gp = Autodiff.Grad(new[] { Composite(zz, bb) }, new[] { zz, bb }, new[] { g.To(DType.Float64) });
        for (int k = 0; k < 2; k++)
        {
            var a = gf[k].ToArray<float>();
            var e = gp[k].ToArray<double>();
            double scale = 1 + e.Max(Math.Abs);
            for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - e[i]) <= 1e-5 * scale, $"grad {k}, {i}: {a[i]} vs {e[i]}");
        }
    }
}
