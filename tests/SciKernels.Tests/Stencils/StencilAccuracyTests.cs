using Xunit;
using SciKernels.Random;
using SciKernels.Stencils;
using static SciKernels.Tests.Stencils.StencilTestKit;

namespace SciKernels.Tests.Stencils;

/// <summary>Convergence order on smooth functions, and agreement with a naive reference loop.</summary>
public sealed class StencilAccuracyTests
{
    /// <summary>A smooth test problem on the unit box: nodes, boundary, function and analytic operator.</summary>
    private sealed record Problem(string Bc, Func<double[], double> U, Func<double[], double> Lap, Func<double[], int, double> Grad);

    // Periodic on [0, 1)^d: product of sin(2π x_k + k).
    private static readonly Problem Periodic = new("periodic",
        x => x.Select((v, k) => Math.Sin(2 * Math.PI * v + k)).Aggregate(1.0, (a, b) => a * b),
        x => -4 * Math.PI * Math.PI * x.Length * x.Select((v, k) => Math.Sin(2 * Math.PI * v + k)).Aggregate(1.0, (a, b) => a * b),
        (x, c) => x.Select((v, k) => k == c ? 2 * Math.PI * Math.Cos(2 * Math.PI * v + k) : Math.Sin(2 * Math.PI * v + k)).Aggregate(1.0, (a, b) => a * b));

    // Dirichlet on [0, 1]^d with value 0.5 on the boundary: 0.5 + Π sin(π x_k).
    private static readonly Problem Dirichlet = new("dirichlet",
        x => 0.5 + x.Select(v => Math.Sin(Math.PI * v)).Aggregate(1.0, (a, b) => a * b),
        x => -Math.PI * Math.PI * x.Length * x.Select(v => Math.Sin(Math.PI * v)).Aggregate(1.0, (a, b) => a * b),
        (x, c) => x.Select((v, k) => k == c ? Math.PI * Math.Cos(Math.PI * v) : Math.Sin(Math.PI * v)).Aggregate(1.0, (a, b) => a * b));

    // Neumann on [0, 1]^d with outward flux 0.3: Σ cos(π x_k) + 0.3 (x_k − 1/2)².
    private static readonly Problem Neumann = new("neumann",
        x => x.Sum(v => Math.Cos(Math.PI * v) + 0.3 * (v - 0.5) * (v - 0.5)),
        x => x.Sum(v => -Math.PI * Math.PI * Math.Cos(Math.PI * v) + 0.6),
        (x, c) => -Math.PI * Math.Sin(Math.PI * x[c]) + 0.6 * (x[c] - 0.5));

    private static (StencilGrid Grid, int[] Spatial, double[] Origin, double[] H) Discretize(Problem p, int d, int cells)
    {
        double h = 1.0 / cells;
        return p.Bc switch
        {
            "periodic" => (StencilGrid.Periodic(Enumerable.Repeat(h, d).ToArray()), Enumerable.Repeat(cells, d).ToArray(), new double[d], Enumerable.Repeat(h, d).ToArray()),
            "dirichlet" => (new StencilGrid(Boundary.Dirichlet(0.5), Enumerable.Repeat(h, d).ToArray()), Enumerable.Repeat(cells - 1, d).ToArray(), Enumerable.Repeat(h, d).ToArray(), Enumerable.Repeat(h, d).ToArray()),
            _ => (new StencilGrid(Boundary.Neumann(0.3), Enumerable.Repeat(h, d).ToArray()), Enumerable.Repeat(cells + 1, d).ToArray(), new double[d], Enumerable.Repeat(h, d).ToArray()),
        };
    }

    private static double LaplacianError(Problem p, int d, int cells, int order)
    {
        using var scope = TensorScope.Begin();
        var (grid, spatial, origin, h) = Discretize(p, d, cells);
        var u = Sample(spatial, origin, h, p.U);
        var exact = Sample(spatial, origin, h, p.Lap).ToArray<double>();
        var lap = Stencil.Laplacian(u, grid, order).ToArray<double>();
        return MaxAbs(lap.Select((v, i) => v - exact[i]).ToArray());
    }

    private static double GradientError(Problem p, int d, int cells)
    {
        using var scope = TensorScope.Begin();
        var (grid, spatial, origin, h) = Discretize(p, d, cells);
        var g = Stencil.Gradient(Sample(spatial, origin, h, p.U), grid);
        double err = 0;
        for (int c = 0; c < d; c++)
        {
            var exact = Sample(spatial, origin, h, x => p.Grad(x, c)).ToArray<double>();
            var got = g.Select(1, c).ToArray<double>();
            err = Math.Max(err, MaxAbs(got.Select((v, i) => v - exact[i]).ToArray()));
        }
        return err;
    }

    public static IEnumerable<object[]> Order2Cases()
    {
        foreach (var bc in new[] { "periodic", "dirichlet", "neumann" })
            for (int d = 1; d <= 3; d++)
                yield return new object[] { bc, d };
    }

    private static Problem Of(string bc) => bc switch { "periodic" => Periodic, "dirichlet" => Dirichlet, _ => Neumann };

    private static int Cells(int d) => d switch { 1 => 64, 2 => 32, _ => 12 };

    [Theory]
    [MemberData(nameof(Order2Cases))]
    public void Laplacian2ndOrderConverges(string bc, int d)
    {
        var p = Of(bc);
        double e1 = LaplacianError(p, d, Cells(d), 2), e2 = LaplacianError(p, d, 2 * Cells(d), 2);
        double order = Math.Log2(e1 / e2);
        Assert.True(order >= 1.8, $"{bc} {d}-D Laplacian: errors {e1:E3} → {e2:E3}, observed order {order:F2}");
    }

    [Theory]
    [MemberData(nameof(Order2Cases))]
    public void Gradient2ndOrderConverges(string bc, int d)
    {
        var p = Of(bc);
        double e1 = GradientError(p, d, Cells(d)), e2 = GradientError(p, d, 2 * Cells(d));
        double order = Math.Log2(e1 / e2);
        Assert.True(order >= 1.8, $"{bc} {d}-D gradient: errors {e1:E3} → {e2:E3}, observed order {order:F2}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Laplacian4thOrderConvergesOnPeriodicGrids(int d)
    {
        int cells = d == 3 ? 10 : 16;
        double e1 = LaplacianError(Periodic, d, cells, 4), e2 = LaplacianError(Periodic, d, 2 * cells, 4);
        double order = Math.Log2(e1 / e2);
        Assert.True(order >= 3.7, $"{d}-D 4th-order Laplacian: errors {e1:E3} → {e2:E3}, observed order {order:F2}");
    }

    [Fact]
    public void Laplacian4thOrderIsAtLeast2ndOrderWithDirichlet()
    {
        double e1 = LaplacianError(Dirichlet, 2, 16, 4), e2 = LaplacianError(Dirichlet, 2, 32, 4);
        Assert.True(Math.Log2(e1 / e2) >= 1.8, $"errors {e1:E3} → {e2:E3}");
    }

    /// <summary>Naive periodic/Dirichlet 7-point Laplacian, the reference for the tiled and segmented kernel paths.</summary>
    private static double[] NaiveLaplacian(double[] u, int[] n, double[] h, Boundary bc)
    {
        int d = n.Length;
        long total = n.Aggregate(1L, (a, b) => a * b);
        var strides = new long[d];
        long s = 1;
        for (int k = d - 1; k >= 0; k--) { strides[k] = s; s *= n[k]; }
        var y = new double[total];
        for (long p = 0; p < total; p++)
        {
            double v = 0;
            for (int k = 0; k < d; k++)
            {
                int i = (int)(p / strides[k] % n[k]);
                double At(int j) => bc.Kind == BoundaryKind.Periodic ? u[p + (((j % n[k]) + n[k]) % n[k] - i) * strides[k]]
                    : j < 0 || j >= n[k] ? bc.Value : u[p + (j - i) * strides[k]];
                v += (At(i - 1) - 2 * u[p] + At(i + 1)) / (h[k] * h[k]);
            }
            y[p] = v;
        }
        return y;
    }

    [Theory]
    [InlineData(new[] { 3, 50, 70 }, "periodic")]   // 3-D tiles of the middle axis
    [InlineData(new[] { 4, 45, 33 }, "dirichlet")]
    [InlineData(new[] { 9001 }, "periodic")]        // rows longer than one segment
    [InlineData(new[] { 2, 5000 }, "dirichlet")]
    [InlineData(new[] { 6, 37, 19 }, "periodic")]    // flattened runs of interior rows with odd lengths
    [InlineData(new[] { 5, 130, 40 }, "dirichlet")]  // runs cut by tiles and parallel chunks
    [InlineData(new[] { 70, 45 }, "periodic")]
    public void MatchesNaiveReference(int[] n, string bc)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(5);
        var boundary = bc == "periodic" ? Boundary.Periodic : Boundary.Dirichlet(0.25);
        var h = n.Select((_, k) => 0.5 + 0.1 * k).ToArray();
        var grid = new StencilGrid(boundary, h);
        var u = Tensor.Randn(new[] { 2 }.Concat(n).ToArray(), gen, DType.Float64);
        var got = Stencil.Laplacian(u, grid).ToArray<double>();
        var all = u.ToArray<double>();
        long per = all.Length / 2;
        for (int b = 0; b < 2; b++)
        {
            var expected = NaiveLaplacian(all[(int)(b * per)..(int)((b + 1) * per)], n, h, boundary);
            for (long i = 0; i < per; i++)
                Assert.True(Math.Abs(got[b * per + i] - expected[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"batch {b} element {i}: {got[b * per + i]:R} vs {expected[i]:R}");
        }
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(9);
        var grid = new StencilGrid(new[] { 0.05, 0.04 }, new[] { Boundary.Periodic, Boundary.Dirichlet(0.3) });
        var shape = new[] { 2, 40, 70 };
        var w = Tensor.Randn(shape, gen, DType.Float64);
        var psi = Tensor.Randn(shape, gen, DType.Float64);
        var wt = Tensor.Randn(shape, gen, DType.Float64);
        var f = Tensor.Randn(shape, gen, DType.Float64);
        var vec = Tensor.Randn(new[] { 2, 2, 40, 70 }, gen, DType.Float64);
        Func<Tensor[], Tensor>[] ops =
        {
            x => Stencil.Laplacian(x[0], grid, 4),
            x => PdeResidual.Poisson(x[0], x[3], grid),
            x => PdeResidual.NavierStokesVorticity(x[0], x[1], x[2], 0.01, grid, x[3]),
            x => Stencil.Advection(x[4], grid),
            x => Stencil.Divergence(x[4], grid),
        };
        var inputs64 = new[] { w, psi, wt, f, vec };
        var inputs32 = Array.ConvertAll(inputs64, t => t.To(DType.Float32));
        foreach (var op in ops)
        {
            var a = op(inputs64).ToArray<double>();
            var b = op(inputs32);
            Assert.Equal(DType.Float32, b.DType);
            var bv = b.ToArray<double>();
            double scale = MaxAbs(a);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - bv[i]) <= 2e-6 * scale, $"element {i}: float64 {a[i]:R}, float32 {bv[i]:R} (scale {scale:E3})");
        }
    }
}
