using Xunit;
using SciKernels.Diagnostics;
using SciKernels.Random;
using SciKernels.Stencils;

namespace SciKernels.Tests.Stencils;

/// <summary>Nonlinear fused residuals against float64 central differences (first and second order).</summary>
public sealed class StencilGradCheckTests
{
    private static Tensor R(Generator gen, params int[] shape) => Tensor.Randn(shape, gen, DType.Float64);

    private static StencilGrid Grid(string bc, params double[] h) => bc switch
    {
        "periodic" => StencilGrid.Periodic(h),
        "dirichlet" => new StencilGrid(Boundary.Dirichlet(0.4), h),
        _ => new StencilGrid(Boundary.Neumann(-0.3), h),
    };

    [Theory]
    [InlineData("periodic")]
    [InlineData("dirichlet")]
    [InlineData("neumann")]
    public void Advection2D(string bc)
    {
        var gen = new Generator(11);
        var grid = Grid(bc, 0.7, 1.3);
        GradCheck.Check(x => Stencil.Advection(x[0], grid), new[] { R(gen, 1, 2, 4, 5) }).ThrowIfFailed();
    }

    [Fact]
    public void Advection3DAndAdvect()
    {
        var gen = new Generator(12);
        var grid = new StencilGrid(new[] { 0.9, 1.1, 0.8 }, new[] { Boundary.Periodic, Boundary.Dirichlet(0.2), Boundary.Neumann(0.1) });
        GradCheck.Check(x => Stencil.Advection(x[0], grid), new[] { R(gen, 1, 3, 3, 3, 4) }).ThrowIfFailed();
        var g2 = Grid("dirichlet", 0.6, 0.9);
        GradCheck.Check(x => Stencil.Advect(x[0], x[1], g2), new[] { R(gen, 2, 2, 3, 4), R(gen, 2, 3, 4) }).ThrowIfFailed();
    }

    [Theory]
    [InlineData("periodic")]
    [InlineData("dirichlet")]
    [InlineData("neumann")]
    public void Burgers(string bc)
    {
        var gen = new Generator(13);
        var grid = Grid(bc, 0.3);
        GradCheck.Check(x => PdeResidual.Burgers(x[0], x[1], 0.05, grid), new[] { R(gen, 2, 7), R(gen, 2, 7) }).ThrowIfFailed();
        GradCheck.Check(x => PdeResidual.BurgersStep(x[0], x[1], 0.1, 0.05, grid), new[] { R(gen, 2, 1, 6), R(gen, 2, 1, 6) }).ThrowIfFailed();
    }

    [Theory]
    [InlineData("periodic")]
    [InlineData("dirichlet")]
    [InlineData("neumann")]
    public void NavierStokesVorticity(string bc)
    {
        var gen = new Generator(14);
        var grid = Grid(bc, 0.5, 0.8);
        GradCheck.Check(x => PdeResidual.NavierStokesVorticity(x[0], x[1], x[2], 0.01, grid, x[3]),
            new[] { R(gen, 1, 4, 5), R(gen, 1, 4, 5), R(gen, 1, 4, 5), R(gen, 1, 4, 5) }).ThrowIfFailed();
    }

    [Fact]
    public void NavierStokesWithSeparatePsiBoundary()
    {
        var gen = new Generator(15);
        var grid = Grid("neumann", 0.5, 0.8);
        var psiGrid = Grid("dirichlet", 0.5, 0.8);
        GradCheck.Check(x => PdeResidual.NavierStokesVorticity(x[0], x[1], x[2], 0.02, grid, psiGrid: psiGrid),
            new[] { R(gen, 2, 3, 4), R(gen, 2, 3, 4), R(gen, 2, 3, 4) }).ThrowIfFailed();
    }

    [Fact]
    public void LinearResidualsAndUpwind()
    {
        var gen = new Generator(16);
        var grid = new StencilGrid(new[] { 0.7, 1.2 }, new[] { Boundary.Dirichlet(1.5), Boundary.Neumann(0.5) });
        GradCheck.Check(x => PdeResidual.Poisson(x[0], x[1], grid, 4), new[] { R(gen, 2, 5, 6), R(gen, 2, 5, 6) }).ThrowIfFailed();
        GradCheck.Check(x => PdeResidual.Heat(x[0], x[1], 0.3, grid), new[] { R(gen, 1, 4, 5), R(gen, 1, 4, 5) }).ThrowIfFailed();
        GradCheck.Check(x => PdeResidual.HeatStep(x[0], x[1], 0.1, 0.3, grid), new[] { R(gen, 1, 4, 5), R(gen, 1, 4, 5) }).ThrowIfFailed();
        GradCheck.Check(x => PdeResidual.HeatStep(x[0], x[1], 0.1, 0.3, grid, implicitLaplacian: true), new[] { R(gen, 1, 4, 5), R(gen, 1, 4, 5) }).ThrowIfFailed();
        var vel = R(gen, 1, 2, 4, 5);
        GradCheck.Check(x => Stencil.GradientUpwind(x[0], vel, grid), new[] { R(gen, 1, 4, 5) }).ThrowIfFailed();
    }

    [Fact]
    public void BurgersSecondOrder()
    {
        var gen = new Generator(17);
        var grid = Grid("dirichlet", 0.4);
        GradCheck.CheckSecondOrder(x => PdeResidual.Burgers(x[0], x[1], 0.1, grid), new[] { R(gen, 1, 6), R(gen, 1, 6) }).ThrowIfFailed();
    }

    [Fact]
    public void NavierStokesAndAdvectionSecondOrder()
    {
        var gen = new Generator(18);
        var grid = Grid("periodic", 0.6, 0.9);
        GradCheck.CheckSecondOrder(x => PdeResidual.NavierStokesVorticity(x[0], x[1], x[2], 0.05, grid),
            new[] { R(gen, 1, 3, 4), R(gen, 1, 3, 4), R(gen, 1, 3, 4) }).ThrowIfFailed();
        var g2 = Grid("neumann", 0.6, 0.9);
        GradCheck.CheckSecondOrder(x => Stencil.Advection(x[0], g2), new[] { R(gen, 1, 2, 3, 4) }).ThrowIfFailed();
    }
}
