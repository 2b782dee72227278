using SciKernels.Diagnostics;
using SciKernels.Equivariant;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Equivariant.TensorProducts;

/// <summary>The equivariant linear map and the gate: equivariance under rotations and reflections, the bias rule, gradients.</summary>
public class IrrepsLayerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LinearIsEquivariantWithParity(bool reflection)
    {
        var input = IrrepsLayout.Parse("3x0e+2x0o+2x1o+2x1e+2x2e+1x1o");
        var output = IrrepsLayout.Parse("4x0e+1x0o+3x1o+2x2e+1x3o+2x1e");
        var lin = new IrrepsLinear(input, output, new Generator(1), dtype: DType.Float64);
        foreach (var (name, p) in lin.NamedParameters())
            if (name.StartsWith("bias", StringComparison.Ordinal))
                SciKernels.NN.Init.Normal(p, new Generator(2));
        var rng = new System.Random(3);
        var x = Tensor.Randn([6, input.Dim], new Generator(4), DType.Float64);
        for (int trial = 0; trial < 3; trial++)
        {
            var r = IrrepsTestSupport.RandomOrthogonal(rng, reflection);
            var lhs = lin.Forward(IrrepsTestSupport.Transform(x, input.Representation(r)));
            var rhs = IrrepsTestSupport.Transform(lin.Forward(x), output.Representation(r));
            Assert.True(IrrepsTestSupport.MaxAbsDiff(lhs, rhs) < 1e-12);
        }
        // biases only on 0e outputs; the 3o block has no input and is zero
        Assert.Equal(new[] { "bias_0" }, lin.NamedParameters().Select(p => p.Name).Where(n => n.StartsWith("bias", StringComparison.Ordinal)).ToArray());
        var y = lin.Forward(x);
        Assert.Equal(0, IrrepsTestSupport.MaxAbs(y.Narrow(1, output.Offset(4), output[4].Dim)));
    }

    [Fact]
    public void LinearMixesChannelsOfOneIrrepAsOneGemmPerBlock()
    {
        var input = IrrepsLayout.Parse("2x1o+3x1o");
        var output = IrrepsLayout.Parse("4x1o");
        var lin = new IrrepsLinear(input, output, new Generator(5), dtype: DType.Float64);
        var x = Tensor.Randn([3, input.Dim], new Generator(6), DType.Float64);
        var y = lin.Forward(x).ToArray<double>();
        var w0 = lin.NamedParameters().First(p => p.Name == "weight_0_0").Parameter.ToArray<double>();
        var w1 = lin.NamedParameters().First(p => p.Name == "weight_1_0").Parameter.ToArray<double>();
        var xs = x.ToArray<double>();
        for (int n = 0; n < 3; n++)
            for (int m = 0; m < 3; m++)
                for (int c = 0; c < 4; c++)
                {
                    double s = 0;
                    for (int a = 0; a < 2; a++) s += xs[n * input.Dim + input.Index(0, m, a)] * w0[a * 4 + c];
                    for (int a = 0; a < 3; a++) s += xs[n * input.Dim + input.Index(1, m, a)] * w1[a * 4 + c];
                    Assert.True(Math.Abs(s / Math.Sqrt(5) - y[n * output.Dim + output.Index(0, m, c)]) < 1e-12);
                }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GateIsEquivariantAndActivatesAsDocumented(bool reflection)
    {
        var gate = new Gate(IrrepsLayout.Parse("3x0e+2x0o"), IrrepsLayout.Parse("2x1o+1x2e+2x1e"));
        Assert.Equal("3x0e+2x0o+5x0e+2x1o+1x2e+2x1e", gate.Input.ToString());
        var x = Tensor.Randn([5, gate.Input.Dim], new Generator(7), DType.Float64);
        var rng = new System.Random(8);
        var r = IrrepsTestSupport.RandomOrthogonal(rng, reflection);
        var lhs = gate.Forward(IrrepsTestSupport.Transform(x, gate.Input.Representation(r)));
        var rhs = IrrepsTestSupport.Transform(gate.Forward(x), gate.Output.Representation(r));
        Assert.True(IrrepsTestSupport.MaxAbsDiff(lhs, rhs) < 1e-12);

        var xs = x.ToArray<double>();
        var ys = gate.Forward(x).ToArray<double>();
        int din = gate.Input.Dim, dout = gate.Output.Dim;
        double Sig(double t) => 1 / (1 + Math.Exp(-t));
        Assert.True(Math.Abs(ys[0] - xs[0] * Sig(xs[0])) < 1e-14);       // 0e: SiLU
        Assert.True(Math.Abs(ys[3] - Math.Tanh(xs[3])) < 1e-14);        // 0o: tanh
        // component m = 2 of channel 1 of the first gated block (1o) times sigmoid of gate 1
        int inIndex = gate.Input.Index(3, 2, 1), outIndex = gate.Output.Index(2, 2, 1);
        Assert.True(Math.Abs(ys[outIndex] - xs[inIndex] * Sig(xs[gate.Input.Index(2, 0, 1)])) < 1e-14);
        _ = din + dout;
    }

    [Fact]
    public void LinearAndGateGradientsCheckFirstAndSecondOrder()
    {
        var input = IrrepsLayout.Parse("2x0e+1x1o+1x2e");
        var gate = new Gate(IrrepsLayout.Parse("1x0e"), IrrepsLayout.Parse("1x1o+1x2e"));
        var lin = new IrrepsLinear(input, gate.Input, new Generator(9), dtype: DType.Float64);
        var x = Tensor.Randn([3, input.Dim], new Generator(10), DType.Float64);
        Tensor F(Tensor[] xs) => gate.Forward(lin.Forward(xs[0]));
        Assert.True(GradCheck.Check(F, [x]).Passed);
        var second = GradCheck.CheckSecondOrder(F, [x]);
        Assert.True(second.Passed, second.ToString());
    }
}
