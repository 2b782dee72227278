using FsCheck.Xunit;
using SciKernels.Diagnostics;
using SciKernels.Random;
using SciKernels.Spectral;
using Xunit;
using static SciKernels.Tests.Spectral.SpectralTestUtil;

namespace SciKernels.Tests.Spectral;

public sealed class SpectralConvTests
{
    private static Tensor Conv(int d, Tensor x, Tensor wr, Tensor wi) => d switch
    {
        1 => Fourier.SpectralConv1d(x, wr, wi),
        2 => Fourier.SpectralConv2d(x, wr, wi),
        _ => Fourier.SpectralConv3d(x, wr, wi),
    };

    private static int[] WeightShape(int d, int cin, int cout, int[] modes)
        => d == 1 ? new[] { cin, cout, modes[0] } : new[] { 1 << (d - 1), cin, cout }.Concat(modes).ToArray();

    private static void CheckAgainstReference(int[] xShape, int cout, int[] modes, ulong seed, DType dtype = DType.Float64)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(seed);
        int d = xShape.Length - 2;
        var wShape = WeightShape(d, xShape[1], cout, modes);
        var x = Tensor.Randn(xShape, gen, DType.Float64);
        var wr = Tensor.Randn(wShape, gen, DType.Float64);
        var wi = Tensor.Randn(wShape, gen, DType.Float64);
        var y = Conv(d, x.To(dtype), wr.To(dtype), wi.To(dtype));
        Assert.Equal(new[] { xShape[0], cout }.Concat(xShape[2..]).ToArray(), y.Shape.ToArray());
        var expected = ReferenceSpectralConv(x.ToArray<double>(), xShape, wr.ToArray<double>(), wi.ToArray<double>(), wShape);
        double tol = (dtype == DType.Float32 ? 1e-5 : 1e-12) * (1 + MaxAbs(expected)) * Math.Sqrt(xShape[1]);
        double err = MaxAbsDiff(y.ToArray<double>(), expected);
        Assert.True(err <= tol, $"max error {err:E3} > {tol:E3}");
    }

    [Theory]
    [InlineData(new[] { 2, 3, 16 }, 4, new[] { 5 })]
    [InlineData(new[] { 1, 2, 17 }, 3, new[] { 9 })]  // odd n, all bins
    [InlineData(new[] { 2, 2, 12 }, 2, new[] { 7 })]  // even n, Nyquist bin kept
    [InlineData(new[] { 2, 3, 8, 10 }, 2, new[] { 2, 4 })]
    [InlineData(new[] { 1, 2, 7, 9 }, 3, new[] { 3, 5 })]
    [InlineData(new[] { 1, 2, 4, 6, 5 }, 2, new[] { 2, 1, 3 })]
    [InlineData(new[] { 2, 1, 6, 4, 8 }, 2, new[] { 1, 2, 2 })]
    public void MatchesExplicitReference(int[] xShape, int cout, int[] modes) => CheckAgainstReference(xShape, cout, modes, 42);

    [Theory]
    [InlineData(new[] { 2, 3, 64 }, 4, new[] { 16 })]
    [InlineData(new[] { 2, 3, 12, 16 }, 2, new[] { 4, 5 })]
    public void Float32MatchesReference(int[] xShape, int cout, int[] modes) => CheckAgainstReference(xShape, cout, modes, 7, DType.Float32);

    [Property(MaxTest = 15)]
    public bool MatchesReferenceOnRandomShapes(int seed)
    {
        var gen = new Generator((ulong)(uint)seed);
        int d = 1 + (int)gen.NextInt64(3);
        var sizes = Enumerable.Range(0, d).Select(_ => 2 + (int)gen.NextInt64(d == 1 ? 30 : 7)).ToArray();
        var modes = sizes.Select((s, i) => 1 + (int)gen.NextInt64(i == d - 1 ? s / 2 + 1 : s / 2)).ToArray();
        var xShape = new[] { 1 + (int)gen.NextInt64(2), 1 + (int)gen.NextInt64(3) }.Concat(sizes).ToArray();
        CheckAgainstReference(xShape, 1 + (int)gen.NextInt64(3), modes, (ulong)(uint)seed);
        return true;
    }

    public static TheoryData<int> Dims => new() { 1, 2, 3 };

    private static Tensor[] SmallInputs(int d, Generator gen)
    {
        var (xShape, modes) = d switch
        {
            1 => (new[] { 2, 2, 8 }, new[] { 3 }),
            2 => (new[] { 1, 2, 4, 5 }, new[] { 1, 2 }),
            _ => (new[] { 1, 1, 4, 2, 4 }, new[] { 1, 1, 2 }),
        };
        var wShape = WeightShape(d, xShape[1], 2, modes);
        return new[] { Tensor.Randn(xShape, gen, DType.Float64), Tensor.Randn(wShape, gen, DType.Float64), Tensor.Randn(wShape, gen, DType.Float64) };
    }

    [Theory]
    [MemberData(nameof(Dims))]
    public void GradCheckInputAndWeights(int d)
    {
        var inputs = SmallInputs(d, new Generator((ulong)d));
        GradCheck.Check(v => Conv(d, v[0], v[1], v[2]), inputs).ThrowIfFailed();
    }

    [Theory]
    [MemberData(nameof(Dims))]
    public void GradCheckSecondOrder(int d)
    {
        // The layer is bilinear in (x, w); a tanh makes every second derivative non-trivial.
        var inputs = SmallInputs(d, new Generator((ulong)d + 10));
        GradCheck.CheckSecondOrder(v => Conv(d, v[0], v[1], v[2]).Tanh(), inputs).ThrowIfFailed();
    }

    [Property(MaxTest = 10)]
    public bool SpectralConv1dIsEquivariantUnderCircularShifts(int seed)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator((ulong)(uint)seed);
        int n = 4 + (int)gen.NextInt64(60);
        int m = 1 + (int)gen.NextInt64(n / 2 + 1);
        int s = (int)gen.NextInt64(n);
        var x = Randn(gen, DType.Float64, 2, 3, n);
        var wr = Randn(gen, DType.Float64, 3, 2, m);
        var wi = Randn(gen, DType.Float64, 3, 2, m);
        var a = Fourier.SpectralConv1d(Roll(x, s), wr, wi).ToArray<double>();
        var b = Roll(Fourier.SpectralConv1d(x, wr, wi), s).ToArray<double>();
        return MaxAbsDiff(a, b) <= 1e-11 * (1 + MaxAbs(b));
    }

    [Fact]
    public void StridedInputsWork()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(3);
        var x = Randn(gen, DType.Float64, 16, 3, 2).Permute(2, 1, 0); // [2, 3, 16] non-contiguous
        var wr = Randn(gen, DType.Float64, 3, 4, 5);
        var wi = Randn(gen, DType.Float64, 3, 4, 5);
        var a = Fourier.SpectralConv1d(x, wr, wi).ToArray<double>();
        var b = Fourier.SpectralConv1d(x.Contiguous(forceCopy: true), wr, wi).ToArray<double>();
        Assert.True(MaxAbsDiff(a, b) < 1e-13);
    }

    [Fact]
    public void RejectsWrongShapesNamingTheOpAndShapes()
    {
        using var scope = TensorScope.Begin();
        var x1 = Tensor.Zeros(new[] { 2, 3, 16 }, DType.Float64);
        var w1 = Tensor.Zeros(new[] { 4, 5, 6 }, DType.Float64);
        var e = Assert.Throws<TensorException>(() => Fourier.SpectralConv1d(x1, w1, w1));
        Assert.Contains("SpectralConv1d", e.Message);
        Assert.Contains("[2, 3, 16]", e.Message);
        Assert.Contains("[4, 5, 6]", e.Message);

        var wTooMany = Tensor.Zeros(new[] { 3, 5, 10 }, DType.Float64);
        e = Assert.Throws<TensorException>(() => Fourier.SpectralConv1d(x1, wTooMany, wTooMany));
        Assert.Contains("10 modes", e.Message);

        var x2 = Tensor.Zeros(new[] { 1, 2, 8, 8 }, DType.Float64);
        var w2 = Tensor.Zeros(new[] { 2, 2, 3, 5, 3 }, DType.Float64);
        e = Assert.Throws<TensorException>(() => Fourier.SpectralConv2d(x2, w2, w2));
        Assert.Contains("SpectralConv2d", e.Message);
        Assert.Contains("2·modes", e.Message);

        var wNoCorners = Tensor.Zeros(new[] { 2, 3, 2, 3 }, DType.Float64);
        e = Assert.Throws<TensorException>(() => Fourier.SpectralConv2d(x2, wNoCorners, wNoCorners));
        Assert.Contains("[2, in_channels, out_channels, m1, m2]", e.Message);

        var wOk = Tensor.Zeros(new[] { 2, 2, 3, 2, 3 }, DType.Float64);
        var wOther = Tensor.Zeros(new[] { 2, 2, 3, 2, 2 }, DType.Float64);
        e = Assert.Throws<TensorException>(() => Fourier.SpectralConv2d(x2, wOk, wOther));
        Assert.Contains("same shape", e.Message);

        var x3 = Tensor.Zeros(new[] { 1, 2, 4, 4 }, DType.Float64);
        e = Assert.Throws<TensorException>(() => Fourier.SpectralConv3d(x3, wOk, wOk));
        Assert.Contains("[batch, in_channels, d1, d2, d3]", e.Message);

        var w32 = Tensor.Zeros(new[] { 2, 2, 3, 2, 3 }, DType.Float32);
        e = Assert.Throws<TensorException>(() => Fourier.SpectralConv2d(x2, w32, w32));
        Assert.Contains("dtype", e.Message);
    }
}
