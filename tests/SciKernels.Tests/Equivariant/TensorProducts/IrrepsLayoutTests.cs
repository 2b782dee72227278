using SciKernels.Equivariant;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Equivariant.TensorProducts;

/// <summary>The irreps layout: e3nn's notation, sizes, offsets, and the conversions to and from e3nn's channel-major layout.</summary>
public class IrrepsLayoutTests
{
    [Theory]
    [InlineData("32x0e+32x1o+16x2e", 32 + 96 + 80, 80, 3)]
    [InlineData("0e+1o", 4, 2, 2)]
    [InlineData("3x0o + 2x3e", 3 + 14, 5, 2)]
    public void ParsesPrintsAndSizesBlocks(string text, int dim, int channels, int count)
    {
        var layout = IrrepsLayout.Parse(text);
        Assert.Equal(dim, layout.Dim);
        Assert.Equal(channels, layout.NumChannels);
        Assert.Equal(count, layout.Count);
        Assert.Equal(layout, IrrepsLayout.Parse(layout.ToString()));
        int offset = 0;
        for (int b = 0; b < layout.Count; b++)
        {
            Assert.Equal(offset, layout.Offset(b));
            offset += layout[b].Mul * (2 * layout[b].L + 1);
        }
        Assert.Equal(dim, layout.Offset(layout.Count));
    }

    [Fact]
    public void PrintsE3nnNotationAndParity()
    {
        var layout = IrrepsLayout.Parse("32x0e+ 1o+16x2e");
        Assert.Equal("32x0e+1x1o+16x2e", layout.ToString());
        Assert.Equal(-1, layout[1].Parity);
        Assert.Equal("1x0e+1x1o+1x2e+1x3o", IrrepsLayout.SphericalHarmonics(3).ToString());
    }

    [Theory]
    [InlineData("32x1")]
    [InlineData("0x1e")]
    [InlineData("ax1e")]
    [InlineData("32x-1e")]
    [InlineData("1e++2o")]
    public void RejectsMalformedBlocksNamingThem(string text)
    {
        var ex = Assert.Throws<FormatException>(() => IrrepsLayout.Parse(text));
        Assert.Contains("IrrepsLayout.Parse", ex.Message);
    }

    [Fact]
    public void ConvertsToAndFromE3nnLayoutComponentByComponent()
    {
        var layout = IrrepsLayout.Parse("3x0e+2x1o+4x2e+1x3o");
        var gen = new Generator(3);
        var x = Tensor.Randn([5, layout.Dim], gen, DType.Float64);
        var e3nn = layout.ToE3nn(x);
        var xs = x.ToArray<double>();
        var es = e3nn.ToArray<double>();
        for (int n = 0; n < 5; n++)
            for (int b = 0; b < layout.Count; b++)
                for (int m = 0; m < 2 * layout[b].L + 1; m++)
                    for (int c = 0; c < layout[b].Mul; c++)
                        Assert.Equal(xs[n * layout.Dim + layout.Index(b, m, c)], es[n * layout.Dim + layout.E3nnIndex(b, m, c)]);
        Assert.Equal(xs, layout.FromE3nn(e3nn).ToArray<double>());
        var bad = Assert.Throws<TensorException>(() => layout.ToE3nn(Tensor.Zeros([2, layout.Dim + 1])));
        Assert.Contains(layout.ToString(), bad.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RepresentationIsAHomomorphismAndMatchesHarmonics(bool reflection)
    {
        var rng = new System.Random(4);
        var layout = IrrepsLayout.Parse("2x0e+1x0o+2x1o+1x1e+2x2e");
        var r1 = IrrepsTestSupport.RandomOrthogonal(rng, reflection);
        var r2 = IrrepsTestSupport.RandomOrthogonal(rng, true);
        var d1 = layout.Representation(r1);
        var d2 = layout.Representation(r2);
        var r12 = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++) r12[i, j] += r1[i, k] * r2[k, j];
        var d12 = layout.Representation(r12);
        int n = layout.Dim;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double prod = 0;
                for (int k = 0; k < n; k++) prod += d1[i, k] * d2[k, j];
                Assert.True(Math.Abs(prod - d12[i, j]) < 1e-12, $"({i}, {j})");
            }
        // the harmonics' layout "1x0e+1x1o+1x2e" transforms them exactly: Y(R r) = D Y(r)
        var sh = IrrepsLayout.SphericalHarmonics(2);
        var v = Tensor.Randn([4, 3], new Generator(5), DType.Float64);
        var rotated = IrrepsTestSupport.Transform(v, r1);
        var expected = IrrepsTestSupport.Transform(SciKernels.Irreps.SphericalHarmonics.Compute(v, 2), sh.Representation(r1));
        Assert.True(IrrepsTestSupport.MaxAbsDiff(SciKernels.Irreps.SphericalHarmonics.Compute(rotated, 2), expected) < 1e-12);
    }
}
