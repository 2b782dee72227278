using FsCheck.Xunit;
using SciKernels.Generative.Crystals;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Generative;

/// <summary>The wrapped normal on the unit circle: normalisation, score against finite differences, sampling moments, the score norm.</summary>
public sealed class WrappedNormalTests
{
    /// <summary>σ in [0.005, 3] (log-uniform) and a mean in [−2, 2) from a seed.</summary>
    private static (double Sigma, double Mean) Draw(int seed)
    {
        var rng = new System.Random(seed);
        return (0.005 * Math.Pow(600, rng.NextDouble()), 4 * rng.NextDouble() - 2);
    }

    [Property(MaxTest = 20)]
    public bool DensityIntegratesToOneOverAPeriod(int seed)
    {
        var (sigma, mean) = Draw(seed);
        // Simpson over [μ − 0.5, μ + 0.5] with the peak in the middle, ≥ 25 points per σ.
        int intervals = 2 * (int)Math.Ceiling(Math.Max(200, 12.5 / sigma));
        double h = 1.0 / intervals, sum = 0;
        for (int i = 0; i <= intervals; i++)
        {
            double w = i == 0 || i == intervals ? 1 : i % 2 == 1 ? 4 : 2;
            sum += w * WrappedNormal.Density(mean - 0.5 + i * h, sigma, mean);
        }
        double integral = sum * h / 3;
        return Math.Abs(integral - 1) < 1e-8;
    }

    [Property(MaxTest = 30)]
    public bool ScoreIsTheDerivativeOfTheLogDensity(int seed)
    {
        var (sigma, mean) = Draw(seed);
        var rng = new System.Random(seed ^ 0x5a5a);
        // Points within a few σ of the mean (and anywhere on the circle for wide σ), shifted by whole periods.
        double x = mean + Math.Min(0.5, 3 * sigma) * (2 * rng.NextDouble() - 1) + rng.Next(-2, 3);
        double h = 1e-5 * Math.Min(sigma, 0.1);
        double numeric = (WrappedNormal.LogDensity(x + h, sigma, mean) - WrappedNormal.LogDensity(x - h, sigma, mean)) / (2 * h);
        double analytic = WrappedNormal.Score(x, sigma, mean);
        return Math.Abs(numeric - analytic) <= 1e-6 * Math.Max(1, Math.Abs(analytic)) + 1e-6 / sigma;
    }

    [Fact]
    public void LimitsAreTheNormalAndTheUniform()
    {
        // Small σ: one image dominates, the density and score are the normal's.
        double s = 0.02, x = 0.013;
        Assert.Equal(Math.Exp(-x * x / (2 * s * s)) / (s * Math.Sqrt(2 * Math.PI)), WrappedNormal.Density(x, s), 10);
        Assert.Equal(-x / (s * s), WrappedNormal.Score(x, s), 9);
        Assert.Equal(-x / (s * s), WrappedNormal.Score(x + 3, s), 9);
        // Large σ: uniform up to the first Fourier term 2 e^(−2π²σ²) cos 2πx.
        Assert.Equal(1 + 2 * Math.Exp(-2 * Math.PI * Math.PI * 0.36) * Math.Cos(2 * Math.PI * 0.3), WrappedNormal.Density(0.3, 0.6), 4);
        Assert.True(Math.Abs(WrappedNormal.Score(0.3, 2.0)) < 1e-12);
        // The score norm: 1/σ² for small σ, far below it (and positive) for wide σ.
        Assert.Equal(1.0, WrappedNormal.ScoreNorm(0.005) * 0.005 * 0.005, 8);
        // Wide σ: p ≈ 1 + 2ρ cos 2πx with ρ = e^(−2π²σ²), so λ ≈ 8π²ρ².
        double rho = Math.Exp(-2 * Math.PI * Math.PI * 0.25);
        Assert.Equal(1.0, WrappedNormal.ScoreNorm(0.5) / (8 * Math.PI * Math.PI * rho * rho), 2);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    public void SamplesHaveTheCircularMomentsAndTheScoreNorm(double sigma)
    {
        var gen = new Generator(7);
        const int n = 40000;
        double mean = 0.8, c = 0, s2 = 0;
        for (int i = 0; i < n; i++)
        {
            double x = WrappedNormal.Sample(sigma, gen, mean);
            Assert.InRange(x, 0, 1 - 1e-17);
            c += Math.Cos(2 * Math.PI * (x - mean));
            double sc = WrappedNormal.Score(x, sigma, mean);
            s2 += sc * sc;
        }
        // E cos 2π(x − μ) = e^(−2π²σ²); the sample standard error is below 1/√(2n).
        Assert.True(Math.Abs(c / n - Math.Exp(-2 * Math.PI * Math.PI * sigma * sigma)) < 4 / Math.Sqrt(2.0 * n), $"σ = {sigma}: E cos = {c / n}");
        // λ(σ) = E[score²]: the quadrature against Monte Carlo (relative error of a mean of squares ≲ √(2/n)·kurtosis).
        double lambda = WrappedNormal.ScoreNorm(sigma);
        Assert.True(Math.Abs(s2 / n / lambda - 1) < 0.05, $"σ = {sigma}: Monte Carlo {s2 / n} vs quadrature {lambda}");
    }

    [Fact]
    public void BadSigmaIsAnError()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => WrappedNormal.Score(0.1, 0));
        Assert.Contains("σ must be positive", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TorusSchedule(10, 0.5, 0.1));
    }

    [Fact]
    public void TorusScheduleIsGeometric()
    {
        var s = new TorusSchedule(100, 0.005, 0.5);
        Assert.Equal(0, s.Sigma(0));
        Assert.Equal(0.005, s.Sigma(1), 14);
        Assert.Equal(0.5, s.Sigma(100), 14);
        for (int t = 2; t < 100; t++) Assert.Equal(s.Sigma(t) * s.Sigma(t), s.Sigma(t - 1) * s.Sigma(t + 1), 12);
        Assert.Equal(WrappedNormal.ScoreNorm(s.Sigma(50)), s.ScoreNorm(50));
    }
}
