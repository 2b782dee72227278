using System.Numerics;
using SciKernels.Data;
using SciKernels.IO;
using SciKernels.Random;
using Xunit;
using Xunit.Abstractions;

namespace SciKernels.Tests.Data;

public class NavierStokesTests(ITestOutputHelper output)
{
    private static double[] Grid(int n, Func<double, double, double> f)
    {
        var w = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) w[i * n + j] = f((double)i / n, (double)j / n);
        return w;
    }

    private static double[] Grf(int count, int n, ulong seed, double scale = 1)
    {
        var w = new double[count * n * n];
        GaussianRandomField.Sample2d(w, n, new Generator(seed), NavierStokesRecipe.Sigma, NavierStokesRecipe.Tau, NavierStokesRecipe.Alpha);
        for (int i = 0; i < w.Length; i++) w[i] *= scale;
        return w;
    }

    /// <summary>2-D DFT of one real [n, n] field (direct, for diagnostics): X[k1, k2] = Σ w e^{−2πi(k1 i + k2 j)/n}.</summary>
    private static Complex[,] Dft(ReadOnlySpan<double> w, int n)
    {
        var rows = new Complex[n, n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
            {
                Complex s = 0;
                for (int j = 0; j < n; j++) s += w[i * n + j] * Complex.FromPolarCoordinates(1, -2 * Math.PI * (j * k % n) / n);
                rows[i, k] = s;
            }
        var x = new Complex[n, n];
        for (int k1 = 0; k1 < n; k1++)
            for (int k2 = 0; k2 < n; k2++)
            {
                Complex s = 0;
                for (int i = 0; i < n; i++) s += rows[i, k2] * Complex.FromPolarCoordinates(1, -2 * Math.PI * (i * k1 % n) / n);
                x[k1, k2] = s;
            }
        return x;
    }

    /// <summary>Kinetic energy ½∫|u|² = ½Σ|ŵ_k|²/(4π²|k|²) and enstrophy ½∫w² of one field (grid-normalised).</summary>
    private static (double Energy, double Enstrophy) Invariants(ReadOnlySpan<double> w, int n)
    {
        var x = Dft(w, n);
        double e = 0, z = 0;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                int k1 = a <= n / 2 ? a : a - n, k2 = b <= n / 2 ? b : b - n;
                double p = Complex.Abs(x[a, b]) / ((double)n * n);
                p *= p;
                z += 0.5 * p;
                if (k1 != 0 || k2 != 0) e += 0.5 * p / (4 * Math.PI * Math.PI * (k1 * k1 + k2 * k2));
            }
        return (e, z);
    }

    [Theory]
    [InlineData(NavierStokesScheme.CrankNicolsonEuler)]
    [InlineData(NavierStokesScheme.CrankNicolsonHeun)]
    public void SingleShellVorticityDecaysExactly(NavierStokesScheme scheme)
    {
        // Any w with one |k|² is a steady Euler flow (ψ = w/λ, so u·∇w = J(ψ, w) = 0) and decays as
        // e^{−νλt}, λ = 4π²|k|². Here |k|² = 25: modes (3, 4), (5, 0), (4, −3).
        const int n = 16, steps = 1000;
        const double nu = 1e-3, dt = 1e-4;
        var w0 = Grid(n, (x, y) => Math.Cos(2 * Math.PI * (3 * x + 4 * y)) + 0.5 * Math.Sin(2 * Math.PI * 5 * x) + 0.3 * Math.Cos(2 * Math.PI * (4 * x - 3 * y)));
        var w = new double[2 * n * n];
        NavierStokesSolver.Solve(w0, n, w, steps / 2, nu, dt, scheme: scheme);
        double lambda = 4 * Math.PI * Math.PI * 25;
        for (int frame = 0; frame < 2; frame++)
        {
            double t = (frame + 1) * steps / 2 * dt;
            double exact = Math.Exp(-nu * lambda * t);
            double x = nu * lambda * dt, crank = Math.Pow((1 - x / 2) / (1 + x / 2), (frame + 1) * steps / 2);
            double errExact = 0, errCrank = 0;
            for (int i = 0; i < n * n; i++)
            {
                errExact = Math.Max(errExact, Math.Abs(w[frame * n * n + i] - exact * w0[i]));
                errCrank = Math.Max(errCrank, Math.Abs(w[frame * n * n + i] - crank * w0[i]));
            }
            output.WriteLine($"{scheme} t = {t}: max |w − e^(−νλt) w0| = {errExact:E2}, vs the discrete Crank–Nicolson factor {errCrank:E2}");
            Assert.True(errExact < 1e-9, $"error vs exact decay {errExact}");
            Assert.True(errCrank < 1e-13, $"error vs Crank–Nicolson factor {errCrank}");
        }
    }

    [Fact]
    public void MeanVorticityStaysZeroWithThePapersForcing()
    {
        const int n = 32;
        var w0 = Grf(2, n, 3, scale: 10);
        var w = new double[3 * w0.Length];
        NavierStokesSolver.Solve(w0, n, w, 20, 1e-3, 1e-3, NavierStokesSolver.PaperForcing(n));
        for (int f = 0; f < w.Length / (n * n); f++)
        {
            double mean = 0;
            for (int i = 0; i < n * n; i++) mean += w[f * n * n + i];
            Assert.True(Math.Abs(mean / (n * n)) < 1e-15, $"mean vorticity {mean / (n * n)} in frame {f}");
        }
    }

    [Theory]
    [InlineData(NavierStokesScheme.CrankNicolsonEuler, 1.0, 100)]
    [InlineData(NavierStokesScheme.CrankNicolsonHeun, 2.0, 20)]
    public void ConvergesInTimeAtTheSchemesOrder(NavierStokesScheme scheme, double order, int coarsest)
    {
        // A strong (×10) GRF flow with forcing to t = 0.4; successive differences shrink by 2^order per halving
        // (Euler needs smaller steps than Heun to leave the pre-asymptotic range).
        const int n = 32;
        const double nu = 1e-3, time = 0.4;
        var w0 = Grf(1, n, 11, scale: 10);
        var forcing = NavierStokesSolver.PaperForcing(n);
        double[] Run(int steps)
        {
            var w = new double[n * n];
            NavierStokesSolver.Solve(w0, n, w, steps, nu, time / steps, forcing, scheme);
            return w;
        }
        var runs = new[] { Run(coarsest), Run(2 * coarsest), Run(4 * coarsest), Run(8 * coarsest) };
        var diffs = new double[3];
        for (int r = 0; r < 3; r++)
        {
            double s = 0;
            for (int i = 0; i < n * n; i++) s += (runs[r][i] - runs[r + 1][i]) * (runs[r][i] - runs[r + 1][i]);
            diffs[r] = Math.Sqrt(s / (n * n));
        }
        double rate1 = Math.Log2(diffs[0] / diffs[1]), rate2 = Math.Log2(diffs[1] / diffs[2]);
        output.WriteLine($"{scheme}: differences {diffs[0]:E3} {diffs[1]:E3} {diffs[2]:E3}, observed orders {rate1:F3} {rate2:F3}");
        Assert.InRange(rate2, order - 0.15, order + 0.3);
        Assert.InRange(rate1, order - 0.3, order + 0.5);
    }

    [Fact]
    public void EnergyAndEnstrophyDecayWithoutForcing()
    {
        const int n = 24;
        var w0 = Grf(1, n, 5, scale: 10);
        const int frames = 12;
        var w = new double[frames * n * n];
        NavierStokesSolver.Solve(w0, n, w, 10, 1e-3, 2e-3, scheme: NavierStokesScheme.CrankNicolsonEuler);
        var (e, z) = Invariants(w0, n);
        output.WriteLine($"t = 0: energy {e:E6}, enstrophy {z:E6}");
        for (int f = 0; f < frames; f++)
        {
            var (e1, z1) = Invariants(w.AsSpan(f * n * n, n * n), n);
            Assert.True(e1 < e, $"energy rose to {e1} from {e} at frame {f}");
            Assert.True(z1 < z, $"enstrophy rose to {z1} from {z} at frame {f}");
            (e, z) = (e1, z1);
        }
        output.WriteLine($"t = {frames * 10 * 2e-3}: energy {e:E6}, enstrophy {z:E6}");
    }

    [Fact]
    public void DeterministicAndIndependentOfTheBatch()
    {
        const int n = 16, frames = 2;
        var w0 = Grf(3, n, 9, scale: 10);
        var forcing = NavierStokesSolver.PaperForcing(n);
        var batch = new double[frames * w0.Length];
        var again = new double[batch.Length];
        NavierStokesSolver.Solve(w0, n, batch, 15, 1e-4, 1e-3, forcing);
        NavierStokesSolver.Solve(w0, n, again, 15, 1e-4, 1e-3, forcing);
        Assert.Equal(batch, again);
        var single = new double[frames * n * n];
        NavierStokesSolver.Solve(w0.AsSpan(n * n, n * n), n, single, 15, 1e-4, 1e-3, forcing);
        Assert.Equal(single, batch.AsSpan(frames * n * n, frames * n * n).ToArray());
    }

    [Fact]
    public void InitialGrfHasTheRequestedSpectrum()
    {
        // E|ŵ_k|²/n⁴ = σ²(4π²|k|² + τ²)^(−α) with σ = 7^1.5, τ = 7, α = 2.5.
        const int n = 16, count = 400;
        var w = Grf(count, n, 21);
        var modes = new (int K1, int K2)[] { (1, 0), (1, 1), (2, 1), (0, 3) };
        var power = new double[modes.Length];
        for (int c = 0; c < count; c++)
        {
            var x = Dft(w.AsSpan(c * n * n, n * n), n);
            for (int m = 0; m < modes.Length; m++)
            {
                double a = Complex.Abs(x[modes[m].K1, modes[m].K2]) / (n * n);
                power[m] += a * a / count;
            }
        }
        for (int m = 0; m < modes.Length; m++)
        {
            var (k1, k2) = modes[m];
            double expected = Math.Pow(7, 3) * Math.Pow(4 * Math.PI * Math.PI * (k1 * k1 + k2 * k2) + 49, -2.5);
            output.WriteLine($"k = ({k1}, {k2}): mean |ŵ_k|² {power[m]:E4}, expected {expected:E4}");
            Assert.InRange(power[m] / expected, 0.75, 1.25);
        }
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var w = new double[16 * 16];
        Assert.Throws<ArgumentException>(() => NavierStokesSolver.Solve(w, 15, new double[w.Length], 1, 1e-3));
        Assert.Throws<ArgumentException>(() => NavierStokesSolver.Solve(w, 16, new double[w.Length + 1], 1, 1e-3));
        Assert.Throws<ArgumentException>(() => NavierStokesSolver.Solve(w, 16, new double[w.Length], 0, 1e-3));
        Assert.Throws<ArgumentException>(() => NavierStokesSolver.Solve(w, 16, new double[w.Length], 1, -1));
        Assert.Throws<ArgumentException>(() => NavierStokesSolver.Solve(w, 16, new double[w.Length], 1, 1e-3, forcing: new double[5]));
        w[3] = double.NaN;
        Assert.Throws<ArgumentException>(() => NavierStokesSolver.Solve(w, 16, new double[w.Length], 1, 1e-3));
        Assert.Throws<ArgumentException>(() => new NavierStokesRecipe(TimeStep: 3e-4, SnapshotInterval: 1e-3).Validate());
    }

    private static readonly NavierStokesRecipe Small = new(Viscosity: 1e-3, Snapshots: 3, SnapshotInterval: 0.01, TimeStep: 2e-3);

    [Fact]
    public void DatasetIsTheSolverOnTheGrfAndCacheRoundTrips()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"sk-ns-{Guid.NewGuid():N}");
        try
        {
            var d = NavierStokesDataset.Load(3, 16, 42, Small, dir);
            Assert.Equal(3, d.Count);
            Assert.Equal(3, d.SnapshotCount);
            var w0 = Grf(3, 16, 42);
            Assert.Equal(w0, d.Inputs);
            var frames = new double[3 * w0.Length];
            NavierStokesSolver.Solve(w0, 16, frames, 5, 1e-3, 2e-3, NavierStokesSolver.PaperForcing(16), NavierStokesScheme.CrankNicolsonEuler);
            // u[c, i, j, t] (time last) = frames[c, t, i, j]
            for (int c = 0; c < 3; c++)
                for (int t = 0; t < 3; t++)
                    for (int p = 0; p < 256; p++) Assert.Equal(frames[(c * 3 + t) * 256 + p], d.Snapshots[(c * 256 + p) * 3 + t]);
            var logs = new List<string>();
            var cached = NavierStokesDataset.Load(3, 16, 42, Small, dir, logs.Add);
            Assert.Contains(logs, l => l.Contains("read 3 samples"));
            Assert.Equal(d.Snapshots, cached.Snapshots);
            Assert.Equal(d.Inputs, cached.Inputs);
            var (a, u) = cached.Slice(1, 2, DType.Float64);
            Assert.Equal(new[] { 2, 16, 16 }, a.Shape.ToArray());
            Assert.Equal(new[] { 2, 16, 16, 3 }, u.Shape.ToArray());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CorruptOrMismatchedCacheIsRegenerated()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"sk-ns-{Guid.NewGuid():N}");
        try
        {
            var d = NavierStokesDataset.Load(2, 8, 7, Small, dir);
            string path = Directory.GetFiles(dir, "ns_*.safetensors").Single();
            var bytes = File.ReadAllBytes(path);
            // truncated
            File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 100).ToArray());
            var logs = new List<string>();
            Assert.Equal(d.Snapshots, NavierStokesDataset.Load(2, 8, 7, Small, dir, logs.Add).Snapshots);
            Assert.Contains(logs, l => l.Contains("unusable"));
            // a header claiming an absurd size
            var huge = (byte[])bytes.Clone();
            BitConverter.GetBytes(long.MaxValue / 2).CopyTo(huge, 0);
            File.WriteAllBytes(path, huge);
            logs.Clear();
            Assert.Equal(d.Snapshots, NavierStokesDataset.Load(2, 8, 7, Small, dir, logs.Add).Snapshots);
            Assert.Contains(logs, l => l.Contains("unusable"));
            // valid file, other recipe (different dt) under the same name
            SafeTensorsFile.Write(path, new[]
            {
                SafeTensorsEntry.Create<double>("a", d.Inputs, 2, 8, 8),
                SafeTensorsEntry.Create<double>("u", d.Snapshots, 2, 8, 8, 3),
            }, new Dictionary<string, string> { ["recipe"] = (Small with { TimeStep = 1e-3 }).Describe() });
            logs.Clear();
            NavierStokesDataset.Load(2, 8, 7, Small, dir, logs.Add);
            Assert.Contains(logs, l => l.Contains("different recipe"));
            // NaN in the data
            var bad = (double[])d.Snapshots.Clone();
            bad[5] = double.NaN;
            SafeTensorsFile.Write(path, new[]
            {
                SafeTensorsEntry.Create<double>("a", d.Inputs, 2, 8, 8),
                SafeTensorsEntry.Create<double>("u", bad, 2, 8, 8, 3),
            }, new Dictionary<string, string> { ["recipe"] = Small.Describe() });
            logs.Clear();
            Assert.Equal(d.Snapshots, NavierStokesDataset.Load(2, 8, 7, Small, dir, logs.Add).Snapshots);
            Assert.Contains(logs, l => l.Contains("non-finite"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RefinedDataIsTheSubsampledFineSolution()
    {
        var recipe = Small with { Refine = 2 };
        var d = NavierStokesDataset.Load(1, 8, 3, recipe);
        var fine = NavierStokesDataset.Load(1, 16, 3, Small);
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++)
            {
                Assert.Equal(fine.Inputs[2 * i * 16 + 2 * j], d.Inputs[i * 8 + j]);
                for (int t = 0; t < 3; t++) Assert.Equal(fine.Snapshots[(2 * i * 16 + 2 * j) * 3 + t], d.Snapshots[(i * 8 + j) * 3 + t]);
            }
    }
}
