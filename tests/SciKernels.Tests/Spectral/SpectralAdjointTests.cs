using FsCheck.Xunit;
using SciKernels.Autograd;
using SciKernels.Diagnostics;
using SciKernels.Random;
using SciKernels.Spectral;
using Xunit;
using static SciKernels.Tests.Spectral.SpectralTestUtil;

namespace SciKernels.Tests.Spectral;

/// <summary>
/// ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ for every linear transform, with Aᵀ y taken from the backward pass: proves
/// the gradient rules (Hermitian weighting included) are the exact adjoints of the forward maps.
/// </summary>
public sealed class SpectralAdjointTests
{
    private static void CheckAdjoint(Func<Tensor, Tensor> a, int[] inShape, ulong seed)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(seed);
        var x = Tensor.Randn(inShape, gen, DType.Float64).RequiresGrad_();
        var ax = a(x);
        var y = Tensor.Randn(ax.Shape, gen, DType.Float64);
        var aty = Autodiff.Grad(new[] { ax }, new[] { x }, new[] { y })[0];
        double lhs = Dot(ax, y), rhs = Dot(x, aty);
        Assert.True(Math.Abs(lhs - rhs) <= 1e-10 * (1 + Math.Abs(lhs)), $"⟨Ax, y⟩ = {lhs:R} but ⟨x, Aᵀy⟩ = {rhs:R}");
    }

    public static TheoryData<int, FftNorm> Cases1d => new()
    {
        { 1, FftNorm.Backward }, { 2, FftNorm.Backward }, { 7, FftNorm.Backward }, { 16, FftNorm.Ortho },
        { 85, FftNorm.Forward }, { 421, FftNorm.Backward },
    };

    [Theory]
    [MemberData(nameof(Cases1d))]
    public void RfftAdjoint(int n, FftNorm norm) => CheckAdjoint(x => Fourier.Rfft(x, norm), new[] { 3, n }, (ulong)n);

    [Theory]
    [MemberData(nameof(Cases1d))]
    public void IrfftAdjoint(int n, FftNorm norm) => CheckAdjoint(x => Fourier.Irfft(x, n, norm), new[] { 3, n / 2 + 1, 2 }, (ulong)n + 1);

    [Theory]
    [InlineData(5, 6)]
    [InlineData(4, 7)]
    public void Rfft2AndIrfft2Adjoint(int h, int w)
    {
        CheckAdjoint(x => Fourier.Rfft2(x), new[] { 2, h, w }, 3);
        CheckAdjoint(x => Fourier.Irfft2(x, (h, w)), new[] { 2, h, w / 2 + 1, 2 }, 4);
    }

    [Fact]
    public void Rfft3AndIrfft3Adjoint()
    {
        CheckAdjoint(x => Fourier.Rfft3(x, FftNorm.Ortho), new[] { 2, 3, 4, 5 }, 5);
        CheckAdjoint(x => Fourier.Irfft3(x, (3, 4, 6)), new[] { 2, 3, 4, 4, 2 }, 6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedTransformsAdjoint(bool fft)
    {
        var path = fft ? TruncatedStrategy.Fft : TruncatedStrategy.Gemm;
        foreach (var (n, m) in new[] { (16, 5), (17, 9), (64, 33), (85, 12) })
        {
            CheckAdjoint(x => Fourier.TruncatedRfft(x, m, path), new[] { 3, n }, (ulong)(n * m));
            CheckAdjoint(x => Fourier.TruncatedIrfft(x, n, path), new[] { 3, m, 2 }, (ulong)(n * m + 1));
        }
    }

    [Property(MaxTest = 20)]
    public bool AdjointHoldsOnRandomSizes(int seed)
    {
        var gen = new Generator((ulong)(uint)seed);
        int n = 1 + (int)gen.NextInt64(200);
        int m = 1 + (int)gen.NextInt64(n / 2 + 1);
        var norm = (FftNorm)gen.NextInt64(3);
        CheckAdjoint(x => Fourier.Rfft(x, norm), new[] { 2, n }, (ulong)(uint)seed);
        CheckAdjoint(x => Fourier.Irfft(x, n, norm), new[] { 2, n / 2 + 1, 2 }, (ulong)(uint)seed + 1);
        CheckAdjoint(x => Fourier.TruncatedRfft(x, m), new[] { 2, n }, (ulong)(uint)seed + 2);
        CheckAdjoint(x => Fourier.TruncatedIrfft(x, n), new[] { 2, m, 2 }, (ulong)(uint)seed + 3);
        return true;
    }

    [Theory]
    [InlineData(16, 5)]
    [InlineData(85, 43)]
    [InlineData(421, 12)]
    public void TruncatedStrategiesAgree(int n, int m)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(8);
        var x = Randn(gen, DType.Float64, 4, n);
        var spec = Randn(gen, DType.Float64, 4, m, 2);
        var a = Fourier.TruncatedRfft(x, m, TruncatedStrategy.Gemm).ToArray<double>();
        var ia = Fourier.TruncatedIrfft(spec, n, TruncatedStrategy.Gemm).ToArray<double>();
        var b = Fourier.TruncatedRfft(x, m, TruncatedStrategy.Fft).ToArray<double>();
        var ib = Fourier.TruncatedIrfft(spec, n, TruncatedStrategy.Fft).ToArray<double>();
        Assert.True(MaxAbsDiff(a, b) < 1e-10 * n);
        Assert.True(MaxAbsDiff(ia, ib) < 1e-12 * n);
        var full = Fourier.Rfft(x).Narrow(1, 0, m).ToArray<double>();
        Assert.True(MaxAbsDiff(a, full) < 1e-10 * n);
    }

    [Fact]
    public void AutoStrategyIsTheFixedModeThreshold()
    {
        // The rule, not a timing, decides: results are bit-identical to the forced path on either side.
        using var scope = TensorScope.Begin();
        var gen = new Generator(1);
        foreach (var (n, m, path) in new[] { (96, 7, TruncatedStrategy.Gemm), (2 * Fourier.FftMinModes, Fourier.FftMinModes, TruncatedStrategy.Fft) })
        {
            var x = Randn(gen, DType.Float32, 3, n);
            var auto = Fourier.TruncatedRfft(x, m).ToArray<float>();
            var autoInverse = Fourier.TruncatedIrfft(Fourier.TruncatedRfft(x, m), n).ToArray<float>();
            Assert.Equal(Fourier.TruncatedRfft(x, m, path).ToArray<float>(), auto);
            Assert.Equal(Fourier.TruncatedIrfft(Fourier.TruncatedRfft(x, m, path), n, path).ToArray<float>(), autoInverse);
        }
    }

    [Fact]
    public void SecondOrderThroughTransformsIsDifferentiable()
    {
        // f(x) = Σ (Irfft(Rfft(x)²))·… : exercises the backward rules under createGraph.
        using var scope = TensorScope.Begin();
        var gen = new Generator(4);
        var x = Randn(gen, DType.Float64, 2, 7);
        Tensor F(Tensor[] v) => Fourier.Irfft(Fourier.Rfft(v[0]).Square(), 7).Tanh();
        GradCheck.Check(F, new[] { x }).ThrowIfFailed();
        GradCheck.CheckSecondOrder(F, new[] { x }).ThrowIfFailed();
        Tensor G(Tensor[] v) => Fourier.Rfft2(v[0].Square()).Sin();
        GradCheck.CheckSecondOrder(G, new[] { Randn(gen, DType.Float64, 3, 4) }).ThrowIfFailed();
    }
}
