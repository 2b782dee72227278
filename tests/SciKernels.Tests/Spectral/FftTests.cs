using FsCheck.Xunit;
using SciKernels.Random;
using SciKernels.Spectral;
using Xunit;
using static SciKernels.Tests.Spectral.SpectralTestUtil;

namespace SciKernels.Tests.Spectral;

public sealed class FftTests
{
    public static TheoryData<int> Sizes => new() { 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17, 30, 64, 85, 97, 127, 128, 210, 421, 1024 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RfftMatchesNaiveDft(int n)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator((ulong)n);
        const int rows = 3; // odd: one transform pairs a row with padding
        var x = Randn(gen, DType.Float64, rows, n);
        var y = Fourier.Rfft(x);
        Assert.Equal(new[] { rows, n / 2 + 1, 2 }, y.Shape.ToArray());
        var expected = NaiveRfftn(x.ToArray<double>(), rows, new[] { n });
        Assert.True(MaxAbsDiff(y.ToArray<double>(), expected) <= 1e-11 * n, $"n = {n}");
    }

    [Property(MaxTest = 30)]
    public bool RfftMatchesNaiveDftOnRandomSizes(int seed)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator((ulong)(uint)seed);
        int n = 1 + (int)gen.NextInt64(300);
        int rows = 1 + (int)gen.NextInt64(5);
        var x = Randn(gen, DType.Float64, rows, n);
        var expected = NaiveRfftn(x.ToArray<double>(), rows, new[] { n });
        return MaxAbsDiff(Fourier.Rfft(x).ToArray<double>(), expected) <= 1e-11 * n;
    }

    [Theory]
    [InlineData(new[] { 6, 5 })]
    [InlineData(new[] { 7, 8 })]
    [InlineData(new[] { 4, 3, 7 })]
    [InlineData(new[] { 5, 6, 4 })]
    public void RfftnMatchesNaiveDft(int[] sizes)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(11);
        var x = Randn(gen, DType.Float64, new[] { 2 }.Concat(sizes).ToArray());
        var y = sizes.Length == 2 ? Fourier.Rfft2(x) : Fourier.Rfft3(x);
        var expected = NaiveRfftn(x.ToArray<double>(), 2, sizes);
        Assert.True(MaxAbsDiff(y.ToArray<double>(), expected) <= 1e-10);
    }

    [Theory]
    [InlineData(1, 64, DType.Float32)]
    [InlineData(1, 85, DType.Float64)]
    [InlineData(1, 421, DType.Float32)]
    [InlineData(1, 1024, DType.Float64)]
    [InlineData(2, 33, DType.Float64)]
    [InlineData(2, 64, DType.Float32)]
    [InlineData(3, 9, DType.Float64)]
    public void RoundTripRestoresTheSignal(int dims, int n, DType dtype)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator((ulong)(dims * 1000 + n));
        var shape = new[] { 3 }.Concat(Enumerable.Range(0, dims).Select(i => n - i)).ToArray();
        var x = Tensor.Randn(shape, gen, dtype);
        var sizes = shape[1..];
        var back = Fourier.Irfftn(Fourier.Rfftn(x, dims), sizes, dims);
        double tol = dtype == DType.Float32 ? 2e-5 : 1e-12;
        Assert.True(MaxAbsDiff(back.ToArray<double>(), x.ToArray<double>()) <= tol);
    }

    [Theory]
    [InlineData(FftNorm.Backward)]
    [InlineData(FftNorm.Ortho)]
    [InlineData(FftNorm.Forward)]
    public void ParsevalHolds(FftNorm norm)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(5);
        foreach (int n in new[] { 16, 17, 421 })
        {
            var x = Randn(gen, DType.Float64, 2, n);
            var spec = Fourier.Rfft(x, norm).ToArray<double>();
            double energy = x.ToArray<double>().Sum(v => v * v);
            double scale = norm switch { FftNorm.Backward => 1.0 / n, FftNorm.Ortho => 1, _ => n };
            int h = n / 2 + 1;
            double specEnergy = 0;
            for (int i = 0; i < spec.Length / 2; i++)
            {
                int k = i % h;
                double c = k == 0 || 2 * k == n ? 1 : 2;
                specEnergy += c * (spec[2 * i] * spec[2 * i] + spec[2 * i + 1] * spec[2 * i + 1]);
            }
            Assert.Equal(energy, specEnergy * scale, 1e-9 * energy);
        }
    }

    [Fact]
    public void IrfftIgnoresImaginaryDcAndNyquistAndPadsOrCuts()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(3);
        var spec = Randn(gen, DType.Float64, 2, 9, 2);
        var y16 = Fourier.Irfft(spec).ToArray<double>(); // n = 16 = 2·(9−1)
        var clean = spec.ToArray<double>();
        for (int r = 0; r < 2; r++)
        {
            clean[(r * 9) * 2 + 1] = 0;
            clean[(r * 9 + 8) * 2 + 1] = 0;
        }
        var yClean = Fourier.Irfft(Tensor.FromArray(clean, 2, 9, 2)).ToArray<double>();
        Assert.True(MaxAbsDiff(y16, yClean) < 1e-14);
        // cut to n = 10 (6 bins) and pad to n = 30 (16 bins)
        var y10 = Fourier.Irfft(spec, 10);
        var y10Ref = Fourier.Irfft(spec.Narrow(1, 0, 6), 10);
        Assert.True(MaxAbsDiff(y10.ToArray<double>(), y10Ref.ToArray<double>()) < 1e-14);
        var y30 = Fourier.Irfft(spec, 30);
        Assert.Equal(new[] { 2, 30 }, y30.Shape.ToArray());
        var back = Fourier.Rfft(y30).Narrow(1, 1, 8).ToArray<double>();
        var orig = spec.Narrow(1, 1, 8).ToArray<double>();
        Assert.True(MaxAbsDiff(back.Select(v => v).ToArray(), orig) < 1e-12);
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(9);
        foreach (int n in new[] { 64, 85, 421, 1024 })
        {
            var x = Randn(gen, DType.Float64, 4, n);
            var y64 = Fourier.Rfft(x).ToArray<double>();
            var y32 = Fourier.Rfft(x.To(DType.Float32)).ToArray<double>();
            Assert.True(MaxAbsDiff(y64, y32) <= 2e-6 * Math.Sqrt(n) * MaxAbs(y64) / 4, $"n = {n}");
        }
    }

    [Fact]
    public void AcceptsStridedInputs()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(21);
        var x = Randn(gen, DType.Float64, 12, 5);
        var xt = x.T; // [5, 12] strided
        var y = Fourier.Rfft(xt).ToArray<double>();
        var expected = Fourier.Rfft(xt.Contiguous(forceCopy: true)).ToArray<double>();
        Assert.Equal(expected, y);
    }

    [Fact]
    public void RejectsBadInputsWithClearMessages()
    {
        using var scope = TensorScope.Begin();
        var e1 = Assert.Throws<TensorException>(() => Fourier.Irfft(Tensor.Zeros(new[] { 4, 3 }, DType.Float64)));
        Assert.Contains("Irfft", e1.Message);
        Assert.Contains("[4, 3]", e1.Message);
        var e2 = Assert.Throws<TensorException>(() => Fourier.Rfft2(Tensor.Zeros(new[] { 4 }, DType.Float64)));
        Assert.Contains("Rfft2", e2.Message);
        var e3 = Assert.Throws<TensorException>(() => Fourier.Rfft(Tensor.Zeros(new[] { 4 }, DType.Int64)));
        Assert.Contains("int64", e3.Message);
        var e4 = Assert.Throws<TensorException>(() => Fourier.Irfft2(Tensor.Zeros(new[] { 4, 3, 2 }, DType.Float64), (5, 4)));
        Assert.Contains("Irfft2", e4.Message);
    }
}
