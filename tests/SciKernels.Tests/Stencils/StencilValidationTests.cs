using Xunit;
using SciKernels.Random;
using SciKernels.Stencils;

namespace SciKernels.Tests.Stencils;

/// <summary>Bad shapes, spacings and parameters fail with a TensorException naming the operation.</summary>
public sealed class StencilValidationTests
{
    private static readonly Generator Gen = new(3);
    private static readonly StencilGrid Grid2 = StencilGrid.Periodic(0.1, 0.1);

    private static Tensor R(params int[] shape) => Tensor.Randn(shape, Gen, DType.Float64);

    private static void Throws(string op, string fragment, Action act)
    {
        var e = Assert.Throws<TensorException>(act);
        Assert.Equal(op, e.Op);
        Assert.StartsWith(op + ":", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void WrongRankNamesOpAndLayout() => Throws("Laplacian", "[batch, (channels,) nx, ny]", () => Stencil.Laplacian(R(8, 8), Grid2));

    [Fact]
    public void WrongComponentAxis() => Throws("Divergence", "component axis", () => Stencil.Divergence(R(1, 3, 8, 8), Grid2));

    [Fact]
    public void TooFewNodes() => Throws("Gradient", "at least 2", () => Stencil.Gradient(R(1, 1, 8), Grid2));

    [Fact]
    public void BadOrder() => Throws("Laplacian", "order must be 2 or 4", () => Stencil.Laplacian(R(1, 8, 8), Grid2, order: 3));

    [Fact]
    public void ShapeMismatch() => Throws("PoissonResidual", "must match", () => PdeResidual.Poisson(R(1, 8, 8), R(2, 8, 8), Grid2));

    [Fact]
    public void DTypeMismatch() => Throws("HeatResidual", "float32", () => PdeResidual.Heat(R(1, 8, 8), R(1, 8, 8).To(DType.Float32), 1, Grid2));

    [Fact]
    public void BurgersNeeds1D() => Throws("BurgersResidual", "1-D", () => PdeResidual.Burgers(R(1, 8, 8), R(1, 8, 8), 0.1, Grid2));

    [Fact]
    public void NavierStokesNeeds2D() => Throws("NavierStokesVorticityResidual", "2-D", () => PdeResidual.NavierStokesVorticity(R(1, 8), R(1, 8), R(1, 8), 0.1, StencilGrid.Periodic(0.1)));

    [Fact]
    public void NonPositiveTimeStep() => Throws("HeatStepResidual", "dt", () => PdeResidual.HeatStep(R(1, 8, 8), R(1, 8, 8), 0, 1, Grid2));

    [Fact]
    public void UpwindVelocityShape() => Throws("GradientUpwind", "velocity", () => Stencil.GradientUpwind(R(2, 8, 8), R(1, 2, 8, 8), Grid2));

    [Fact]
    public void IntegerFieldRejected() => Throws("Laplacian", "int64", () => Stencil.Laplacian(Tensor.FromArray(new long[16], 1, 4, 4), Grid2));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void BadSpacing(double h) => Throws("StencilGrid", "spacing of axis 1", () => StencilGrid.Periodic(0.1, h));

    [Fact]
    public void SpacingCountMismatch() => Throws("StencilGrid", "2 spacings but 1 boundary", () => new StencilGrid(new[] { 0.1, 0.2 }, new[] { Boundary.Periodic }));
}
