using Xunit;
using SciKernels.Data;
using SciKernels.Diagnostics;
using SciKernels.Random;
using SciKernels.Stencils;

namespace SciKernels.Tests.Stencils;

/// <summary>PdeResidual.Darcy against DarcySolver's discretization, a manufactured solution and finite differences.</summary>
public sealed class DarcyResidualTests
{
    private static double[] Permeability(int s, ulong seed)
    {
        var g = new double[s * s];
        GaussianRandomField.Sample2d(g, s, new Generator(seed), 3, 3, 2, GrfBoundary.Neumann);
        for (int i = 0; i < g.Length; i++) g[i] = g[i] >= 0 ? DarcyDataset.High : DarcyDataset.Low;
        return g;
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    /// <summary>The residual of the solver's own solution is its PCG residual: ‖r‖/‖f‖ ≤ tolerance (plus rounding).</summary>
    [Theory]
    [InlineData(1e-4, FaceAveraging.Harmonic)]
    [InlineData(1e-9, FaceAveraging.Harmonic)]
    [InlineData(1e-9, FaceAveraging.Arithmetic)]
    public void SolverSolutionHasResidualAtThePcgTolerance(double tolerance, FaceAveraging averaging)
    {
        const int s = 33, batch = 2;
        var a = new double[batch * s * s];
        var f = new double[a.Length];
        var u = new double[a.Length];
        var gen = new Generator(5);
        for (int b = 0; b < batch; b++)
        {
            Permeability(s, (ulong)(10 + b)).CopyTo(a, b * s * s);
            for (int p = 0; p < s * s; p++) f[b * s * s + p] = b == 0 ? 1 : 0.5 + gen.NextDouble(); // the benchmark's f = 1, and a varying f
            var info = DarcySolver.Solve(a.AsSpan(b * s * s, s * s), f.AsSpan(b * s * s, s * s), u.AsSpan(b * s * s, s * s), s, tolerance, averaging);
            Assert.True(info.RelativeResidual <= tolerance);
        }
        var shape = new[] { batch, s, s };
        var r = PdeResidual.Darcy(Tensor.FromDoubles(u, shape, DType.Float64), Tensor.FromDoubles(a, shape, DType.Float64),
            Tensor.FromDoubles(f, shape, DType.Float64), averaging).ToArray<double>();
        for (int b = 0; b < batch; b++)
        {
            var rb = r.AsSpan(b * s * s, s * s).ToArray();
            var fInterior = new List<double>();
            for (int i = 1; i < s - 1; i++)
                for (int j = 1; j < s - 1; j++) fInterior.Add(f[b * s * s + i * s + j]);
            double rel = Norm(rb) / Norm(fInterior.ToArray());
            Assert.True(rel <= 1.01 * tolerance + 1e-12, $"sample {b}: ‖r‖/‖f‖ = {rel:G3} above the PCG tolerance {tolerance:G1}");
            if (tolerance >= 1e-6) Assert.True(rel > 1e-3 * tolerance, $"sample {b}: ‖r‖/‖f‖ = {rel:G3} is suspiciously far below the tolerance");
        }

        // A perturbation of one interior node shows up at that node and its four neighbours.
        u[5 * s + 7] += 1e-3;
        var perturbed = PdeResidual.Darcy(Tensor.FromDoubles(u, shape, DType.Float64), Tensor.FromDoubles(a, shape, DType.Float64),
            Tensor.FromDoubles(f, shape, DType.Float64), averaging).ToArray<double>();
        Assert.True(Math.Abs(perturbed[5 * s + 7]) > 1e-3 * 4 * DarcyDataset.Low * (s - 1) * (s - 1) * 0.9);
        Assert.True(Math.Abs(perturbed[4 * s + 7]) > 1e-3 * DarcyDataset.Low * (s - 1) * (s - 1) * 0.9);
    }

    /// <summary>u* = sin πx sin πy with a = 1 + x + y²: the residual of the exact solution is the truncation error, O(h²).</summary>
    [Theory]
    [InlineData(FaceAveraging.Harmonic)]
    [InlineData(FaceAveraging.Arithmetic)]
    public void ManufacturedSolutionResidualIsSecondOrder(FaceAveraging averaging)
    {
        static double MaxResidual(int s, FaceAveraging averaging)
        {
            var u = new double[s * s];
            var a = new double[s * s];
            var f = new double[s * s];
            double h = 1.0 / (s - 1), pi = Math.PI;
            for (int i = 0; i < s; i++)
                for (int j = 0; j < s; j++)
                {
                    double x = j * h, y = i * h; // row index y, column index x, as DarcySolver
                    double uu = Math.Sin(pi * x) * Math.Sin(pi * y);
                    double ux = pi * Math.Cos(pi * x) * Math.Sin(pi * y), uy = pi * Math.Sin(pi * x) * Math.Cos(pi * y);
                    double aa = 1 + x + y * y;
                    u[i * s + j] = uu;
                    a[i * s + j] = aa;
                    f[i * s + j] = -(1 * ux + 2 * y * uy - 2 * pi * pi * aa * uu);
                }
            var shape = new[] { 1, 1, s, s }; // with a channel axis
            var r = PdeResidual.Darcy(Tensor.FromDoubles(u, shape, DType.Float64), Tensor.FromDoubles(a, shape, DType.Float64),
                Tensor.FromDoubles(f, shape, DType.Float64), averaging).ToArray<double>();
            return r.Max(Math.Abs);
        }
        double e1 = MaxResidual(17, averaging), e2 = MaxResidual(33, averaging), e3 = MaxResidual(65, averaging);
        Assert.InRange(Math.Log2(e1 / e2), 1.8, 2.3);
        Assert.InRange(Math.Log2(e2 / e3), 1.9, 2.2);
    }

    [Fact]
    public void BoundaryRowsHoldTheScaledDirichletResidual()
    {
        const int s = 5;
        var gen = new Generator(6);
        var u = Tensor.Randn(new[] { 1, s, s }, gen, DType.Float64);
        var a = Tensor.Rand(new[] { 1, s, s }, gen, DType.Float64).Add(1);
        var f = Tensor.Randn(new[] { 1, s, s }, gen, DType.Float64);
        var r = PdeResidual.Darcy(u, a, f, boundaryValue: 0.25).ToArray<double>();
        var uv = u.ToArray<double>();
        var av = a.ToArray<double>();
        double diagonal = 4.0 * (s - 1) * (s - 1);
        foreach (var p in new[] { 0, 3, 4 * s + 2, 2 * s, 3 * s + 4 })
            Assert.Equal(av[p] * (uv[p] - 0.25) * diagonal, r[p], 10);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var gen = new Generator(7);
        Tensor Positive(params int[] shape) => Tensor.Rand(shape, gen, DType.Float64).Mul(2).Add(0.5);
        var inputs = new[] { Tensor.Randn(new[] { 2, 5, 6 }, gen, DType.Float64), Positive(2, 5, 6), Tensor.Randn(new[] { 2, 5, 6 }, gen, DType.Float64) };
        GradCheck.Check(x => PdeResidual.Darcy(x[0], x[1], x[2]), inputs).ThrowIfFailed();
        GradCheck.Check(x => PdeResidual.Darcy(x[0], x[1], x[2], FaceAveraging.Arithmetic, 0.3), inputs).ThrowIfFailed();
        var f = Tensor.Randn(new[] { 1, 4, 4 }, gen, DType.Float64);
        GradCheck.CheckSecondOrder(x => PdeResidual.Darcy(x[0], x[1], f),
            new[] { Tensor.Randn(new[] { 1, 4, 4 }, gen, DType.Float64), Positive(1, 4, 4) }).ThrowIfFailed();
    }

    [Fact]
    public void BadInputsNameTheOperation()
    {
        Tensor Z(DType dtype, params int[] shape) => Tensor.Zeros(shape, dtype);
        var u = Z(DType.Float64, 2, 5, 5);
        var e1 = Assert.Throws<TensorException>(() => PdeResidual.Darcy(Z(DType.Float64, 5, 5), Z(DType.Float64, 5, 5), Z(DType.Float64, 5, 5)));
        Assert.Contains("DarcyResidual", e1.Message);
        Assert.Contains("[5, 5]", e1.Message);
        var e2 = Assert.Throws<TensorException>(() => PdeResidual.Darcy(Z(DType.Float64, 2, 2, 5), Z(DType.Float64, 2, 2, 5), Z(DType.Float64, 2, 2, 5)));
        Assert.Contains("3×3", e2.Message);
        var e3 = Assert.Throws<TensorException>(() => PdeResidual.Darcy(u, Z(DType.Float64, 2, 5, 4), u));
        Assert.Contains("a has shape [2, 5, 4]", e3.Message);
        var e4 = Assert.Throws<TensorException>(() => PdeResidual.Darcy(u, u, Z(DType.Float32, 2, 5, 5)));
        Assert.Contains("float32", e4.Message);
        Assert.Throws<TensorException>(() => PdeResidual.Darcy(Tensor.Zeros(new[] { 2, 5, 5 }, DType.Int32), u, u));
    }
}
