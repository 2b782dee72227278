using SciKernels.Spectral;
using Xunit;

namespace SciKernels.Tests.Spectral;

/// <summary>
/// Shapes whose derived sizes (batch·channels, products of spatial sizes, DFT matrices, FFT scratch) pass 2^31 are
/// refused with a <see cref="TensorException"/> naming the operation and the shapes, before anything is allocated.
/// The inputs are zero-stride views (<c>Expand</c>), so the huge tensors are never materialised; in 32-bit
/// arithmetic these products wrapped (65536·65537 = 65536 mod 2^32), silently computing on the wrong sizes.
/// </summary>
public sealed class SpectralSizeLimitTests
{
    /// <summary>Runs <paramref name="call"/> on a fresh thread; returns its exception and the bytes it allocated.</summary>
    private static (Exception? Thrown, long Allocated) Measure(Func<object> call) => AllocationProbe.Run(() => call());

    private static void AssertRefused(Func<object> call, string op, params string[] mentions)
    {
        var (thrown, allocated) = Measure(call);
        var e = Assert.IsType<TensorException>(thrown);
        Assert.Equal(op, e.Op);
        foreach (var m in mentions) Assert.Contains(m, e.Message);
        Assert.True(allocated < 16 << 20, $"{op} allocated {allocated} bytes before refusing: {e.Message}");
    }

    private static Tensor Huge(params int[] shape) => Tensor.Zeros(shape.Select(_ => 1).ToArray()).Expand(shape);

    [Theory]
    [InlineData(65536, 65537)] // wraps to 65536
    [InlineData(65536, 32768)] // exactly 2^31
    public void SpectralConv1dBatchTimesChannels(int batch, int channels)
    {
        using var scope = TensorScope.Begin();
        var x = Huge(batch, channels, 8);
        var w = Tensor.Zeros([channels, 1, 2]);
        AssertRefused(() => Fourier.SpectralConv1d(x, w, w), "SpectralConv1d", "batch·channels", $"[{batch}, {channels}, 8]", $"[{channels}, 1, 2]");
    }

    [Fact]
    public void SpectralConv1dOutputChannelsCount()
    {
        using var scope = TensorScope.Begin();
        // the input is small but batch·out_channels is 2^32 + 65536
        var x = Huge(65536, 1, 8);
        var w = Huge(1, 65537, 2);
        AssertRefused(() => Fourier.SpectralConv1d(x, w, w), "SpectralConv1d", "batch·channels", "[1, 65537, 2]");
    }

    [Fact]
    public void SpectralConv2dChannelsTimesRows()
    {
        using var scope = TensorScope.Begin();
        var x = Huge(1, 65536, 65536, 4);
        var w = Huge(2, 65536, 1, 1, 1);
        AssertRefused(() => Fourier.SpectralConv2d(x, w, w), "SpectralConv2d", "spatial sizes but the last", "[1, 65536, 65536, 4]");
    }

    [Fact]
    public void SpectralConv3dSpatialProduct()
    {
        using var scope = TensorScope.Begin();
        var x = Huge(2, 1, 46341, 46341, 4); // 2·46341² > 2^32
        var w = Huge(4, 1, 1, 1, 1, 1);
        AssertRefused(() => Fourier.SpectralConv3d(x, w, w), "SpectralConv3d", "spatial sizes but the last", "[2, 1, 46341, 46341, 4]");
    }

    [Fact]
    public void SpectralConv2dModeColumns()
    {
        using var scope = TensorScope.Begin();
        // batch·channels·h = 2^28 fits, but (modes of w)·batch·channels = 2^14·2^26 does not
        var x = Huge(1024, 65536, 4, 32768);
        var w = Huge(2, 65536, 1, 1, 16384);
        AssertRefused(() => Fourier.SpectralConv2d(x, w, w), "SpectralConv2d", "kept modes", "[1024, 65536, 4, 32768]");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TruncatedTransformsRefuseADftMatrixPastAHostArray(bool gemm)
    {
        var strategy = gemm ? TruncatedStrategy.Gemm : TruncatedStrategy.Auto;
        using var scope = TensorScope.Begin();
        // [65536, 2·32769] has 4 295 098 368 entries (5 GiB of float32 times 2 as doubles); in int it wrapped to 131 072
        var x = Tensor.Zeros([65536]);
        if (strategy == TruncatedStrategy.Gemm)
        {
            AssertRefused(() => Fourier.TruncatedRfft(x, 32769, strategy), "TruncatedRfft", "[65536, 2·32769]", "[65536]");
            AssertRefused(() => Fourier.TruncatedIrfft(Tensor.Zeros([32769, 2]), 65536, strategy), "TruncatedIrfft", "[2·32769, 65536]", "[32769, 2]");
        }
        else
        {
            // Auto takes the FFT for this many modes, which fits: it must still work
            using var y = Fourier.TruncatedRfft(x, 32769, strategy);
            Assert.Equal([32769, 2], y.Shape.ToArray());
        }
    }

    [Fact]
    public void FftScratchPastAHostArrayIsRefused()
    {
        using var scope = TensorScope.Begin();
        // 2^31 − 1 is prime: Bluestein's inner transform would have 2^32 points
        var x = Huge(int.MaxValue);
        AssertRefused(() => Fourier.Rfft(x), "Rfft", "FFT of length 2147483647", $"[{int.MaxValue}]");
        var spectrum = Huge(3, 2);
        AssertRefused(() => Fourier.Irfft(spectrum, int.MaxValue), "Irfft", "FFT of length 2147483647", "[3, 2]");
        AssertRefused(() => Fourier.Rfft2(Huge(int.MaxValue, 2)), "Rfft2", "FFT of length 2147483647");
    }

    [Theory]
    [InlineData(new long[] { 65536, 65537 }, 4295032832L)]
    [InlineData(new long[] { 3, 0, long.MaxValue }, 0L)]
    [InlineData(new long[] { 1L << 40, 1L << 40 }, long.MaxValue)]
    [InlineData(new long[] { int.MaxValue, int.MaxValue, 2 }, 2L * int.MaxValue * int.MaxValue)]
    public void SaturatingProductNeverWraps(long[] factors, long expected) =>
        Assert.Equal(expected, Fourier.SaturatingProduct(factors));
}
