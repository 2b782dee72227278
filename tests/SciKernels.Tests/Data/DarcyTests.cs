using SciKernels.Data;
using SciKernels.Stencils;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Data;

public class DarcyTests
{
    /// <summary>Manufactured solution u* = sin πx sin πy with a given a(x, y); returns the max nodal error.</summary>
    private static double ManufacturedError(int s, Func<double, double, double> a, Func<double, double, double> ax, Func<double, double, double> ay, FaceAveraging avg)
    {
        var av = new double[s * s];
        var f = new double[s * s];
        var exact = new double[s * s];
        double h = 1.0 / (s - 1), pi = Math.PI;
        for (int i = 0; i < s; i++)
        {
            for (int j = 0; j < s; j++)
            {
                double x = j * h, y = i * h;
                double u = Math.Sin(pi * x) * Math.Sin(pi * y);
                double ux = pi * Math.Cos(pi * x) * Math.Sin(pi * y), uy = pi * Math.Sin(pi * x) * Math.Cos(pi * y);
                // −∇·(a∇u) = −(a_x u_x + a_y u_y + a Δu), Δu = −2π² u
                f[i * s + j] = -(ax(x, y) * ux + ay(x, y) * uy - 2 * pi * pi * a(x, y) * u);
                av[i * s + j] = a(x, y);
                exact[i * s + j] = u;
            }
        }
        var sol = new double[s * s];
        DarcySolver.Solve(av, f, sol, s, 1e-12, avg);
        double err = 0;
        for (int i = 0; i < sol.Length; i++) err = Math.Max(err, Math.Abs(sol[i] - exact[i]));
        return err;
    }

    [Theory]
    [InlineData(false, FaceAveraging.Harmonic)]
    [InlineData(true, FaceAveraging.Harmonic)]
    [InlineData(true, FaceAveraging.Arithmetic)]
    public void ManufacturedSolutionConvergesAtSecondOrder(bool smooth, FaceAveraging avg)
    {
        Func<double, double, double> a = smooth ? (x, y) => 1 + x + y * y : (_, _) => 1;
        Func<double, double, double> ax = smooth ? (_, _) => 1 : (_, _) => 0;
        Func<double, double, double> ay = smooth ? (_, y) => 2 * y : (_, _) => 0;
        double e1 = ManufacturedError(17, a, ax, ay, avg);
        double e2 = ManufacturedError(33, a, ax, ay, avg);
        double e3 = ManufacturedError(65, a, ax, ay, avg);
        Assert.True(e3 < 2e-3, $"error at s=65: {e3}");
        double order1 = Math.Log2(e1 / e2), order2 = Math.Log2(e2 / e3);
        Assert.InRange(order1, 1.8, 2.3);
        Assert.InRange(order2, 1.9, 2.2);
    }

    private static double[] ThresholdedField(int s, ulong seed)
    {
        var g = new double[s * s];
        GaussianRandomField.Sample2d(g, s, new Generator(seed), 3, 3, 2, GrfBoundary.Neumann);
        for (int i = 0; i < g.Length; i++) g[i] = g[i] >= 0 ? DarcyDataset.High : DarcyDataset.Low;
        return g;
    }

    [Fact]
    public void SolutionIsPositiveInsideAndZeroOnTheBoundary()
    {
        const int s = 41;
        var a = ThresholdedField(s, 3);
        var u = new double[s * s];
        int iterations = DarcySolver.SolveBatch(a, u, s);
        Assert.InRange(iterations, 1, 200);
        for (int i = 0; i < s; i++)
        {
            for (int j = 0; j < s; j++)
            {
                double v = u[i * s + j];
                if (i == 0 || j == 0 || i == s - 1 || j == s - 1) Assert.Equal(0.0, v);
                else Assert.True(v > 0, $"u({i},{j}) = {v}");
            }
        }
    }

    [Fact]
    public void SolutionOperatorIsSymmetric()
    {
        // Green's reciprocity ⟨A⁻¹f₁, f₂⟩ = ⟨f₁, A⁻¹f₂⟩ for the symmetric discrete operator.
        const int s = 33;
        var a = ThresholdedField(s, 5);
        var g = new Generator(11);
        var f1 = new double[s * s];
        var f2 = new double[s * s];
        g.FillNormal(f1);
        g.FillNormal(f2);
        // the operator only sees interior right-hand sides
        for (int i = 0; i < s; i++)
        {
            foreach (var f in new[] { f1, f2 })
            {
                f[i] = f[(s - 1) * s + i] = f[i * s] = f[i * s + s - 1] = 0;
            }
        }
        var u1 = new double[s * s];
        var u2 = new double[s * s];
        DarcySolver.Solve(a, f1, u1, s, 1e-13);
        DarcySolver.Solve(a, f2, u2, s, 1e-13);
        double l = 0, r = 0;
        for (int i = 0; i < s * s; i++)
        {
            l += u1[i] * f2[i];
            r += f1[i] * u2[i];
        }
        Assert.True(Math.Abs(l - r) <= 1e-9 * Math.Abs(l), $"{l} vs {r}");
    }

    [Fact]
    public void MirrorSymmetricCoefficientGivesMirrorSymmetricSolution()
    {
        const int s = 29;
        var a = ThresholdedField(s, 8);
        for (int i = 0; i < s; i++)
            for (int j = 0; j < i; j++) a[j * s + i] = a[i * s + j]; // a(x, y) = a(y, x)
        var u = new double[s * s];
        DarcySolver.SolveBatch(a, u, s, tolerance: 1e-13);
        for (int i = 0; i < s; i++)
            for (int j = 0; j < s; j++) Assert.Equal(u[i * s + j], u[j * s + i], 1e-10);
    }

    [Fact]
    public void PeriodicGrfHasTheTheoreticalVariance()
    {
        const int n = 32, count = 400;
        double sigma = 2, tau = 3, alpha = 2;
        var f = new double[count * n * n];
        GaussianRandomField.Sample2d(f, n, new Generator(1), sigma, tau, alpha);
        double expected = 0;
        int kmax = (n - 1) / 2;
        for (int k1 = -kmax; k1 <= kmax; k1++)
            for (int k2 = -kmax; k2 <= kmax; k2++)
                if (k1 != 0 || k2 != 0) expected += sigma * sigma * Math.Pow(4 * Math.PI * Math.PI * (k1 * k1 + k2 * k2) + tau * tau, -alpha);
        double mean = f.Average(), variance = f.Select(v => v * v).Average();
        // 400 fields of ~a few correlation lengths each: a few per cent of sampling error
        Assert.InRange(variance / expected, 0.9, 1.1);
        Assert.True(Math.Abs(mean) < 0.1 * Math.Sqrt(expected), $"mean {mean}");
        // every field has zero mean exactly (the k = 0 mode is dropped)
        for (int c = 0; c < count; c += 37)
            Assert.True(Math.Abs(f.AsSpan(c * n * n, n * n).ToArray().Average()) < 1e-12);
    }

    [Fact]
    public void NeumannGrfHasZeroNormalDerivativeAndTheExpectedVariance()
    {
        const int n = 33, count = 300;
        var f = new double[count * n * n];
        GaussianRandomField.Sample2d(f, n, new Generator(2), 3, 3, 2, GrfBoundary.Neumann);
        // even extension: the cosine series is symmetric about each edge, so for a smooth field
        // (α = 4) the one-sided slope at the edge is O(h²) while the interior slope is O(h)
        var smooth = new double[count * n * n];
        GaussianRandomField.Sample2d(smooth, n, new Generator(3), 3, 3, 4, GrfBoundary.Neumann);
        double edge = 0, inner = 0;
        for (int c = 0; c < count; c++)
        {
            for (int i = 0; i < n; i++)
            {
                int o = c * n * n + i * n;
                edge += Math.Abs(smooth[o + 1] - smooth[o]);
                inner += Math.Abs(smooth[o + n / 2 + 1] - smooth[o + n / 2]);
            }
        }
        Assert.True(edge < 0.2 * inner, $"edge slope {edge} vs interior slope {inner}");
        // variance at the centre node: Σ λ_k φ_k(½)², φ_k(½)² = 2cos²(πk/2) (k > 0), 1 (k = 0)
        double expected = 0;
        for (int k1 = 0; k1 <= n - 2; k1++)
        {
            for (int k2 = 0; k2 <= n - 2; k2++)
            {
                if (k1 == 0 && k2 == 0) continue;
                double p1 = k1 == 0 ? 1 : 2 * Math.Pow(Math.Cos(Math.PI * k1 / 2), 2);
                double p2 = k2 == 0 ? 1 : 2 * Math.Pow(Math.Cos(Math.PI * k2 / 2), 2);
                expected += 9 * Math.Pow(Math.PI * Math.PI * (k1 * k1 + k2 * k2) + 9, -2) * p1 * p2;
            }
        }
        int centre = (n / 2) * n + n / 2;
        double variance = Enumerable.Range(0, count).Select(c => f[c * n * n + centre] * f[c * n * n + centre]).Average();
        Assert.InRange(variance / expected, 0.8, 1.2);
    }

    [Fact]
    public void SameSeedSameDataAndCacheRoundTrips()
    {
        string dir = Path.Combine(Path.GetTempPath(), "sk-darcy-" + Guid.NewGuid().ToString("N"));
        try
        {
            var d1 = DarcyDataset.Load(6, 17, 42, dir);
            var d2 = DarcyDataset.Load(6, 17, 42);
            Assert.Equal(d1.Inputs, d2.Inputs);
            Assert.Equal(d1.Targets, d2.Targets);
            Assert.All(d1.Inputs, v => Assert.True(v == 3 || v == 12));
            Assert.Contains(3.0, d1.Inputs);
            Assert.Contains(12.0, d1.Inputs);
            var cached = DarcyDataset.Load(6, 17, 42, dir);
            Assert.Equal(d1.Targets, cached.Targets);
            var other = DarcyDataset.Load(6, 17, 43);
            Assert.NotEqual(d1.Inputs, other.Inputs);
            var (a, u) = d1.Slice(2, 3);
            Assert.Equal(new[] { 3, 17, 17 }, a.Shape.ToArray());
            Assert.Equal(d1.Targets[2 * 17 * 17 + 8 * 17 + 8], u.ToArray<double>()[8 * 17 + 8], 1e-6);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CorruptCacheIsRegenerated()
    {
        string dir = Path.Combine(Path.GetTempPath(), "sk-darcy-" + Guid.NewGuid().ToString("N"));
        try
        {
            var d1 = DarcyDataset.Load(3, 9, 7, dir);
            string file = Directory.GetFiles(dir).Single();
            var bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes.AsSpan(0, bytes.Length / 2).ToArray());
            var messages = new List<string>();
            var d2 = DarcyDataset.Load(3, 9, 7, dir, messages.Add);
            Assert.Contains(messages, m => m.Contains("regenerating"));
            Assert.Equal(d1.Targets, d2.Targets);
            Assert.Equal(bytes, File.ReadAllBytes(file));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RefinedDataIsTheSubsampledFineSolution()
    {
        var coarse = DarcyDataset.Load(2, 9, 5, refine: 2);
        var fine = DarcyDataset.Load(2, 17, 5);
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 9; i++)
                for (int j = 0; j < 9; j++)
                    Assert.Equal(fine.Targets[c * 289 + 2 * i * 17 + 2 * j], coarse.Targets[c * 81 + i * 9 + j]);
    }
}
