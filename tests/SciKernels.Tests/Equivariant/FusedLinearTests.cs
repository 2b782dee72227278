using SciKernels.Autograd;
using SciKernels.Diagnostics;
using SciKernels.Equivariant;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Equivariant;

/// <summary>The GEMM with a bias + SiLU epilogue against the unfused GEMM, bias add and SiLU pass.</summary>
public class FusedLinearTests
{
    private static Tensor Unfused(Tensor x, Tensor w, Tensor? b, bool silu) =>
        silu ? BiasSilu.Apply(x.MatMul(w.T), b) : Tensor.Linear(x, w, b);

    public static TheoryData<int, int, int, bool, bool> Shapes() => new()
    {
        // rows, in, out, bias, silu: a vector tail (67), the EGNN edge layer, skinny products (GEMV paths),
        // more columns than one 4096-wide cache block, and no rows at all
        { 37, 9, 67, true, true }, { 37, 9, 67, false, true }, { 37, 9, 67, true, false },
        { 2000, 64, 64, true, true }, { 500, 128, 64, true, false }, { 2000, 64, 1, false, false },
        { 3, 40, 50, true, true }, { 50, 40, 3, true, true }, { 9, 17, 4100, true, true }, { 0, 8, 16, true, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float32BitsEqualTheUnfusedOpsTrackedOrNot(int rows, int inF, int outF, bool bias, bool silu)
    {
        var gen = new Generator(31);
        var x = Tensor.Randn([rows, inF], gen).Mul(3);
        var w = Tensor.Randn([outF, inF], gen).Mul(0.4);
        var b = bias ? Tensor.Randn([outF], gen) : null;
        var expected = Unfused(x, w, b, silu).ToArray<float>();
        Assert.Equal(expected, FusedLinear.Apply(x, w, b, silu).ToArray<float>());
        w.RequiresGrad_();
        Assert.Equal(expected, FusedLinear.Apply(x, w, b, silu).ToArray<float>());
    }

    [Fact]
    public void StridedInputsAndWeightsAreRead()
    {
        var gen = new Generator(32);
        var xt = Tensor.Randn([24, 30], gen);          // x = xtᵀ narrowed: both strides ≠ 1 in one dimension
        var x = xt.T.Narrow(1, 3, 20);
        var wBig = Tensor.Randn([40, 22], gen);
        var w = wBig.Narrow(1, 1, 20).Narrow(0, 0, 33);
        var b = Tensor.Randn([33], gen);
        Assert.Equal(Unfused(x.Contiguous(), w.Contiguous(), b, true).ToArray<float>(), FusedLinear.Apply(x, w, b, true).ToArray<float>());
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void GradientsMatchFiniteDifferencesFirstAndSecondOrder(bool bias, bool silu)
    {
        var gen = new Generator(33);
        Tensor[] inputs = [Tensor.Randn([6, 5], gen, DType.Float64), Tensor.Randn([4, 5], gen, DType.Float64), Tensor.Randn([4], gen, DType.Float64)];
        Tensor F(Tensor[] xs) => FusedLinear.Apply(xs[0], xs[1], bias ? xs[2] : null, silu);
        var used = bias ? inputs : inputs[..2];
        Tensor G(Tensor[] xs) => F(bias ? xs : [xs[0], xs[1], inputs[2]]);
        var first = GradCheck.Check(G, used);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(G, used);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void ReverseAndForwardModeEqualTheUnfusedOps()
    {
        var gen = new Generator(34);
        var x = Tensor.Randn([11, 7], gen, DType.Float64).RequiresGrad_();
        var w = Tensor.Randn([9, 7], gen, DType.Float64).RequiresGrad_();
        var b = Tensor.Randn([9], gen, DType.Float64).RequiresGrad_();
        var g = Tensor.Randn([11, 9], gen, DType.Float64);
        var inputs = new[] { x, w, b };
        var gf = Autodiff.Grad(new[] { FusedLinear.Apply(x, w, b, true) }, inputs, new[] { g });
        var gp = Autodiff.Grad(new[] { Unfused(x, w, b, true) }, inputs, new[] { g });
        for (int i = 0; i < 3; i++) Assert.True(gf[i].Sub(gp[i]).Abs().Max().Item() < 1e-12, $"input {i}");

        var tangents = new[] { Tensor.Randn([11, 7], gen, DType.Float64), Tensor.Randn([9, 7], gen, DType.Float64), Tensor.Randn([9], gen, DType.Float64) };
        var tf = Autodiff.Jvp(xs => new[] { FusedLinear.Apply(xs[0], xs[1], xs[2], true) }, inputs, tangents).Tangents[0];
        var tp = Autodiff.Jvp(xs => new[] { Unfused(xs[0], xs[1], xs[2], true) }, inputs, tangents).Tangents[0];
        Assert.True(tf.Sub(tp).Abs().Max().Item() < 1e-12);
    }
}
