using SciKernels.Diagnostics;
using SciKernels.Operators;
using SciKernels.Random;
using SciKernels.Training;
using Xunit;

namespace SciKernels.Tests.Operators;

public class FnoTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ForwardShapesAreChannelsLast(int dims)
    {
        var modes = Enumerable.Repeat(3, dims).ToArray();
        var model = new Fno(new FnoOptions(modes, 4, InChannels: 2, OutChannels: 3, ProjectionWidth: 5), new Generator(1));
        var shape = new[] { 2 }.Concat(Enumerable.Repeat(8, dims)).Append(2).ToArray();
        var y = model.Forward(Tensor.Randn(shape, new Generator(2)));
        var expected = (int[])shape.Clone();
        expected[^1] = 3;
        Assert.Equal(expected, y.Shape.ToArray());
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var model = new Fno(new FnoOptions(new[] { 2 }, 3, Layers: 2, ProjectionWidth: 4), new Generator(3), DType.Float64);
        var x = Tensor.Randn(new[] { 2, 8, 1 }, new Generator(4), DType.Float64);
        var r = GradCheck.Check(xs => model.Forward(xs[0]), new[] { x });
        Assert.True(r.Passed, r.ToString());
        // and with respect to a spectral weight, through the whole network: Backward vs central differences
        var w = model.NamedParameters().First(p => p.Name == "spectral0.weight_re").Parameter;
        model.ZeroGrad();
        model.Forward(x).Square().Sum().Backward();
        var analytic = w.Grad!.ToArray<double>();
        var values = w.ToArray<double>();
        double Loss(double[] v)
        {
            using (SciKernels.Autograd.GradMode.NoGrad())
            {
                w.CopyFrom(Tensor.FromArray(v, w.Shape.ToArray()));
                return model.Forward(x).Square().Sum().Item();
            }
        }
        for (int i = 0; i < values.Length; i++)
        {
            var plus = (double[])values.Clone();
            var minus = (double[])values.Clone();
            plus[i] += 1e-6;
            minus[i] -= 1e-6;
            double numeric = (Loss(plus) - Loss(minus)) / 2e-6;
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 + 1e-4 * Math.Abs(numeric), $"weight element {i}: analytic {analytic[i]}, numeric {numeric}");
        }
        Loss(values);
    }

    [Fact]
    public void CheckpointRoundTripIsBitExact()
    {
        var a = new Fno(new FnoOptions(new[] { 4 }, 6), new Generator(5));
        var b = new Fno(new FnoOptions(new[] { 4 }, 6), new Generator(6));
        var path = Path.Combine(Path.GetTempPath(), $"fno-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, a);
            Checkpoint.Load(path, b);
            var x = Tensor.Randn(new[] { 2, 16, 1 }, new Generator(7));
            Assert.Equal(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WrongInputShapeNamesTheModel()
    {
        var model = new Fno(new FnoOptions(new[] { 4 }, 6), new Generator(5));
        var e = Assert.Throws<TensorException>(() => model.Forward(Tensor.Zeros(new[] { 2, 16 })));
        Assert.Contains("Fno", e.Message);
        Assert.Contains("[2, 16]", e.Message);
    }
}
