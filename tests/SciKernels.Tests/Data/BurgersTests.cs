using System.Numerics;
using SciKernels.Data;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Data;

public class BurgersTests
{
    /// <summary>
    /// Exact periodic solution by the Cole–Hopf transform: u = −2ν φ_x/φ with φ solving the heat
    /// equation from φ₀ = exp(−∫u₀/(2ν)). For u₀ = A sin 2πx, φ₀ = exp(A cos(2πx)/(4πν)); its Fourier
    /// series (computed by a fine-grid DFT) decays mode by mode.
    /// </summary>
    private static double[] ColeHopf(double amplitude, double nu, double t, int n)
    {
        const int fine = 512;
        var coeff = new Complex[fine];
        for (int k = 0; k < fine; k++)
        {
            Complex sum = 0;
            for (int j = 0; j < fine; j++)
            {
                double x = (double)j / fine;
                sum += Math.Exp(amplitude * Math.Cos(2 * Math.PI * x) / (4 * Math.PI * nu)) * Complex.Exp(new Complex(0, -2 * Math.PI * k * x));
            }
            coeff[k] = sum / fine;
        }
        var u = new double[n];
        for (int j = 0; j < n; j++)
        {
            double x = (double)j / n;
            Complex phi = 0, phiX = 0;
            for (int k = -fine / 2 + 1; k < fine / 2; k++)
            {
                var c = coeff[(k + fine) % fine] * Math.Exp(-nu * 4 * Math.PI * Math.PI * k * k * t);
                var e = Complex.Exp(new Complex(0, 2 * Math.PI * k * x));
                phi += c * e;
                phiX += c * e * new Complex(0, 2 * Math.PI * k);
            }
            u[j] = (-2 * nu * phiX / phi).Real;
        }
        return u;
    }

    [Theory]
    [InlineData(1.0, 0.1, 128)]
    [InlineData(2.0, 0.05, 256)]
    public void SolverMatchesColeHopf(double amplitude, double nu, int n)
    {
        var u = new double[n];
        for (int j = 0; j < n; j++) u[j] = amplitude * Math.Sin(2 * Math.PI * j / n);
        BurgersSolver.Solve(u, n, nu, 0.5);
        var exact = ColeHopf(amplitude, nu, 0.5, n);
        double err = 0, norm = 0;
        for (int j = 0; j < n; j++)
        {
            err += (u[j] - exact[j]) * (u[j] - exact[j]);
            norm += exact[j] * exact[j];
        }
        Assert.True(Math.Sqrt(err / norm) < 1e-6, $"relative L2 error {Math.Sqrt(err / norm):E3} against Cole–Hopf");
    }

    [Fact]
    public void SolvesRowsIndependently()
    {
        int n = 64;
        var g = new Generator(3);
        var batch = new double[3 * n];
        GaussianRandomField.Sample1d(batch, n, g);
        var single = batch.AsSpan(n, n).ToArray();
        double cfl = 0.4 * MaxAbs(single) / MaxAbs(batch); // the batch's step size for the single row
        BurgersSolver.Solve(batch, n);
        BurgersSolver.Solve(single, n, 0.1, 1.0, cfl);
        Assert.Equal(single.Length, n);
        for (int j = 0; j < n; j++) Assert.Equal(single[j], batch[n + j], 10);
    }

    private static double MaxAbs(ReadOnlySpan<double> v)
    {
        double m = 0;
        foreach (var x in v) m = Math.Max(m, Math.Abs(x));
        return m;
    }

    [Fact]
    public void RandomFieldHasThePrescribedPointwiseVariance()
    {
        int n = 64, count = 4000;
        var samples = new double[count * n];
        GaussianRandomField.Sample1d(samples, n, new Generator(11));
        double expected = 0;
        for (int m = 1; m <= (n - 1) / 2; m++)
        {
            double amp = Math.Sqrt(2) * 25 / (4 * Math.PI * Math.PI * m * m + 25);
            expected += amp * amp;
        }
        double sum = 0;
        for (int i = 0; i < count; i++) sum += samples[i * n + 5] * samples[i * n + 5];
        double variance = sum / count;
        Assert.InRange(variance / expected, 0.93, 1.07);
    }

    [Fact]
    public void SameSeedSameData()
    {
        var a = BurgersDataset.Load(4, 32, 5);
        var b = BurgersDataset.Load(4, 32, 5);
        Assert.Equal(a.Inputs, b.Inputs);
        Assert.Equal(a.Targets, b.Targets);
    }

    [Fact]
    public void CorruptCacheIsRegenerated()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sk-burgers-" + Guid.NewGuid().ToString("N"));
        try
        {
            var fresh = BurgersDataset.Load(3, 32, 9, dir);
            var file = Directory.GetFiles(dir).Single();
            File.WriteAllBytes(file, new byte[] { 1, 2, 3 });
            var messages = new List<string>();
            var again = BurgersDataset.Load(3, 32, 9, dir, messages.Add);
            Assert.Equal(fresh.Targets, again.Targets);
            Assert.Contains(messages, m => m.Contains("regenerating"));
            var cached = BurgersDataset.Load(3, 32, 9, dir, messages.Add);
            Assert.Contains(messages, m => m.Contains("read 3 samples"));
            Assert.Equal(fresh.Inputs, cached.Inputs);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
