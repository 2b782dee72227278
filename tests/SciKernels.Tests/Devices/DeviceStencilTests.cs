using SciKernels.Autograd;
using SciKernels.Data;
using SciKernels.Devices;
using SciKernels.Diagnostics;
using SciKernels.Kernels.Runtime;
using SciKernels.Random;
using SciKernels.Stencils;
using Xunit;
using static SciKernels.Tests.Stencils.StencilTestKit;

namespace SciKernels.Tests.Devices;

/// <summary>
/// Stencil ops (including face averages and the conservative flux divergence) and PDE residuals
/// (Poisson, heat, Burgers, Navier–Stokes vorticity, Darcy) on an ILGPU device against the CPU kernel (the specification):
/// forward values and the gradients of a random cotangent (the backward is the same fused primitive,
/// so it runs on the device too), for every boundary kind, 1-D/2-D/3-D, float32/float64; plus the
/// dispatcher's choice of the shared-memory tiled kernel, a float64 GradCheck and an adjoint
/// dot-product test on the device. One small concrete class per backend (bottom of the file).
/// </summary>
public abstract class DeviceStencilTests(DeviceFixture fixture)
{
    private Device Dev => fixture.Get();

    private IlgpuBackend Backend => (IlgpuBackend)Dev.Backend;

    private static readonly DType[] Dtypes = { DType.Float32, DType.Float64 };

    public static readonly string[] OpNames =
    {
        "Gradient", "GradientUpwind", "Laplacian2", "Laplacian4", "Divergence", "Advection", "Advect",
        "FaceAverageArithmetic", "FaceAverageHarmonic", "FluxDivergence",
    };

    public static IEnumerable<object[]> OpCases()
    {
        foreach (var op in OpNames)
            foreach (var bc in BoundaryNames)
                for (int d = 1; d <= 3; d++)
                    if (bc != "mixed" || d > 1)
                        yield return new object[] { op, bc, d };
    }

    public static readonly string[] Residuals = { "Poisson2", "Poisson4", "Heat", "HeatStep", "HeatStepImplicit", "Burgers", "BurgersStep", "NavierStokes", "NavierStokesForced", "Darcy" };

    public static IEnumerable<object[]> ResidualCases()
    {
        foreach (var r in Residuals)
            foreach (var bc in BoundaryNames)
                for (int d = 1; d <= 3; d++)
                {
                    if (bc == "mixed" && d == 1) continue;
                    if (r.StartsWith("Burgers", StringComparison.Ordinal) && d != 1) continue;
                    if (r.StartsWith("NavierStokes", StringComparison.Ordinal) && d != 2) continue;
                    if (r == "Darcy" && (d != 2 || bc != "dirichlet")) continue; // Darcy sets its own boundary
                    yield return new object[] { r, bc, d };
                }
    }

    // ------------------------------------------------------------------ helpers

    private static void AssertClose(Tensor expected, Tensor actual, DType dtype, string what)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        // Sums of up to a few dozen products with coefficients ~1/h²: relative to the largest output.
        double tol = (dtype == DType.Float32 ? 2e-5 : 1e-12) * (1 + MaxAbs(e));
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol, $"{what}: element {i} of {Tensor.ShapeString(expected.Shape)}: cpu {e[i]:R}, device {a[i]:R} (tol {tol:G3})");
    }

    /// <summary>
    /// f on the CPU and on the device: forward values and the gradients of ⟨f, cotangent⟩ with respect
    /// to the inputs flagged in <paramref name="differentiable"/>.
    /// </summary>
    private void CompareWithCpu(string what, DType dtype, Tensor[] inputs, bool[] differentiable, Func<Tensor[], Tensor> f, ulong seed)
    {
        using var scope = TensorScope.Begin();
        var cpu = Array.ConvertAll(inputs, x => x.To(dtype));
        var dev = Array.ConvertAll(cpu, x => x.To(Dev));
        for (int k = 0; k < cpu.Length; k++)
            if (differentiable[k]) { cpu[k].RequiresGrad_(); dev[k].RequiresGrad_(); }
        var yc = f(cpu);
        var yd = f(dev);
        Assert.Equal(Dev, yd.Device);
        AssertClose(yc, yd, dtype, $"{what} {dtype.Name()} forward");
        var cot = Tensor.Randn(yc.Shape, new Generator(seed), dtype);
        var wrtC = cpu.Where((_, k) => differentiable[k]).ToArray();
        var wrtD = dev.Where((_, k) => differentiable[k]).ToArray();
        var gc = Autodiff.Grad(new[] { yc }, wrtC, new[] { cot });
        var gd = Autodiff.Grad(new[] { yd }, wrtD, new[] { cot.To(Dev) });
        for (int k = 0; k < gc.Length; k++) AssertClose(gc[k], gd[k], dtype, $"{what} {dtype.Name()} gradient {k}");
    }

    private static Tensor Field(int[] lead, int[] spatial, Generator gen, bool vector = false)
        => Tensor.Rand(lead.Concat(vector ? new[] { spatial.Length } : Array.Empty<int>()).Concat(spatial).ToArray(), gen, DType.Float64, Device.Cpu, -1, 1);

    // ------------------------------------------------------------------ ops and residuals vs CPU

    [SkippableTheory]
    [MemberData(nameof(OpCases))]
    public void OpMatchesCpu(string op, string boundary, int d)
    {
        ulong seed = (ulong)(Array.IndexOf(OpNames, op) * 100 + Array.IndexOf(BoundaryNames, boundary) * 10 + d);
        var gen = new Generator(seed);
        var (grid, spatial) = RandomGrid(gen, boundary, d);
        var lead = d == 2 ? new[] { 2, 2 } : new[] { 2 };
        var scalar = Field(lead, spatial, gen);
        var vector = Field(lead, spatial, gen, vector: true);
        var (inputs, diff, f) = op switch
        {
            "Gradient" => (new[] { scalar }, new[] { true }, (Func<Tensor[], Tensor>)(t => Stencil.Gradient(t[0], grid))),
            "GradientUpwind" => (new[] { scalar, vector }, new[] { true, false }, t => Stencil.GradientUpwind(t[0], t[1], grid)),
            "Laplacian2" => (new[] { scalar }, new[] { true }, t => Stencil.Laplacian(t[0], grid, 2)),
            "Laplacian4" => (new[] { scalar }, new[] { true }, t => Stencil.Laplacian(t[0], grid, 4)),
            "Divergence" => (new[] { vector }, new[] { true }, t => Stencil.Divergence(t[0], grid)),
            "Advection" => (new[] { vector }, new[] { true }, t => Stencil.Advection(t[0], grid)),
            "Advect" => (new[] { vector, scalar }, new[] { true, true }, t => Stencil.Advect(t[0], t[1], grid)),
            "FaceAverageArithmetic" => (new[] { scalar }, new[] { true }, t => Stencil.FaceAverage(t[0], grid, FaceAveraging.Arithmetic)),
            "FaceAverageHarmonic" => (new[] { scalar.Add(2.0) }, new[] { true }, t => Stencil.FaceAverage(t[0], grid, FaceAveraging.Harmonic)),
            "FluxDivergence" => (new[] { scalar, vector.Add(2.0) }, new[] { true, true }, t => Stencil.FluxDivergence(t[0], t[1], grid)),
            _ => throw new ArgumentException(op),
        };
        foreach (var dtype in Dtypes) CompareWithCpu($"{op} {boundary} {d}-D", dtype, inputs, diff, f, seed + 1);
    }

    [SkippableTheory]
    [MemberData(nameof(ResidualCases))]
    public void ResidualMatchesCpu(string residual, string boundary, int d)
    {
        ulong seed = (ulong)(Array.IndexOf(Residuals, residual) * 100 + Array.IndexOf(BoundaryNames, boundary) * 10 + d + 5000);
        var gen = new Generator(seed);
        var (grid, spatial) = RandomGrid(gen, boundary, d, minSize: residual == "Darcy" ? 3 : 2);
        var lead = new[] { 2 };
        var a = Field(lead, spatial, gen);
        var b = Field(lead, spatial, gen);
        var c = Field(lead, spatial, gen);
        var e = Field(lead, spatial, gen);
        var psiGrid = d == 2 ? new StencilGrid(grid.Spacing.ToArray(), new[] { Boundary.Dirichlet(0.2), Boundary.Periodic }) : null;
        var (inputs, f) = residual switch
        {
            "Poisson2" => (new[] { a, b }, (Func<Tensor[], Tensor>)(t => PdeResidual.Poisson(t[0], t[1], grid, 2))),
            "Poisson4" => (new[] { a, b }, t => PdeResidual.Poisson(t[0], t[1], grid, 4)),
            "Heat" => (new[] { a, b }, t => PdeResidual.Heat(t[0], t[1], 0.7, grid)),
            "HeatStep" => (new[] { a, b }, t => PdeResidual.HeatStep(t[0], t[1], 0.05, 0.7, grid)),
            "HeatStepImplicit" => (new[] { a, b }, t => PdeResidual.HeatStep(t[0], t[1], 0.05, 0.7, grid, implicitLaplacian: true)),
            "Burgers" => (new[] { a, b }, t => PdeResidual.Burgers(t[0], t[1], 0.03, grid)),
            "BurgersStep" => (new[] { a, b }, t => PdeResidual.BurgersStep(t[0], t[1], 0.01, 0.03, grid)),
            "NavierStokes" => (new[] { a, b, c }, t => PdeResidual.NavierStokesVorticity(t[0], t[1], t[2], 0.01, grid)),
            "NavierStokesForced" => (new[] { a, b, c, e }, t => PdeResidual.NavierStokesVorticity(t[0], t[1], t[2], 0.01, grid, t[3], psiGrid)),
            "Darcy" => (new[] { a, b.Add(2.0), c }, t => PdeResidual.Darcy(t[0], t[1], t[2], FaceAveraging.Harmonic, 0.3)),
            _ => throw new ArgumentException(residual),
        };
        var diff = Enumerable.Repeat(true, inputs.Length).ToArray();
        foreach (var dtype in Dtypes) CompareWithCpu($"{residual} {boundary} {d}-D", dtype, inputs, diff, f, seed + 1);
    }

    // ------------------------------------------------------------------ the tiled fast path

    public static IEnumerable<object[]> TiledCases()
    {
        foreach (var bc in new[] { "periodic", "dirichlet", "neumann", "mixed" })
            foreach (int d in new[] { 2, 3 })
                foreach (var op in new[] { "Laplacian2", "Laplacian4", "Gradient", "Poisson", "HeatStepImplicit" })
                    yield return new object[] { op, bc, d };
    }

    /// <summary>
    /// 2-D/3-D band stencils reading one field component go through the shared-memory tiled kernel
    /// (the dispatcher's counter proves it), over several tiles including partial ones, and match both
    /// the general kernel and the CPU, forward and backward.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(TiledCases))]
    public void TiledKernelIsUsedAndMatches(string op, string boundary, int d)
    {
        var gen = new Generator((ulong)(op.Length * 31 + boundary.Length * 7 + d));
        var spatial = d == 2 ? new[] { 13, 19 } : new[] { 5, 9, 11 };
        var h = d == 2 ? new[] { 0.7, 1.1 } : new[] { 0.7, 1.1, 0.9 };
        var grid = new StencilGrid(h, Boundaries(boundary, d));
        Func<Tensor[], Tensor> f = op switch
        {
            "Laplacian2" => t => Stencil.Laplacian(t[0], grid, 2),
            "Laplacian4" => t => Stencil.Laplacian(t[0], grid, 4),
            "Gradient" => t => Stencil.Gradient(t[0], grid),
            "Poisson" => t => PdeResidual.Poisson(t[0], t[1], grid),
            "HeatStepImplicit" => t => PdeResidual.HeatStep(t[0], t[1], 0.1, 0.5, grid, implicitLaplacian: true),
            _ => throw new ArgumentException(op),
        };
        var inputs = new[] { Field(new[] { 2 }, spatial, gen), Field(new[] { 2 }, spatial, gen) };
        int arity = op is "Poisson" or "HeatStepImplicit" ? 2 : 1;
        inputs = inputs[..arity];
        var backend = Backend;
        foreach (var dtype in Dtypes)
        {
            using var scope = TensorScope.Begin();
            var dev = Array.ConvertAll(inputs, x => x.To(dtype).To(Dev));
            int tiled = backend.StencilTiledLaunches, general = backend.StencilGeneralLaunches;
            var yTiled = f(dev);
            Assert.Equal(tiled + 1, backend.StencilTiledLaunches);
            Assert.Equal(general, backend.StencilGeneralLaunches);
            Tensor yGeneral;
            backend.StencilTilingEnabled = false;
            try { yGeneral = f(dev); }
            finally { backend.StencilTilingEnabled = true; }
            Assert.Equal(general + 1, backend.StencilGeneralLaunches);
            AssertClose(yGeneral, yTiled, dtype, $"{op} {boundary} {d}-D tiled vs general");
            AssertClose(f(Array.ConvertAll(inputs, x => x.To(dtype))), yTiled, dtype, $"{op} {boundary} {d}-D tiled vs cpu");
        }
        // The backward of a Laplacian-type op (adjoint band stencils of one component) is tiled too; the
        // gradient's adjoint is a divergence (several components), which the general kernel runs.
        int tiledBefore = backend.StencilTiledLaunches;
        CompareWithCpu($"{op} {boundary} {d}-D (tiled)", DType.Float64, inputs, Enumerable.Repeat(true, arity).ToArray(), f, 99);
        Assert.True(backend.StencilTiledLaunches >= tiledBefore + (op == "Gradient" ? 1 : 2), "forward (and backward) should use the tiled kernel");
    }

    [SkippableFact]
    public void DispatcherChoosesTiledOnlyForSingleSourceBandStencils()
    {
        var ops = Backend.Context.Ops;
        var grid2 = StencilGrid.Periodic(1, 1);
        var grid1 = StencilGrid.Periodic(1);
        var x2 = new[] { Tensor.Zeros(new[] { 1, 1, 8, 8 }) };
        var v2 = new[] { Tensor.Zeros(new[] { 1, 2, 8, 8 }) };
        var lap2 = GridOperators.LaplacianTerms(grid2, new[] { 8, 8 }, 2, 0, 1, "test");
        Assert.NotNull(ops.StencilTile(StencilProgramFactory.Build(FusedStencil.Describe(x2, new[] { 8, 8 }, 1, lap2, Array.Empty<BilinearTerm>()))));
        // 1-D, bilinear, and stencils of several components stay on the general kernel.
        var lap1 = GridOperators.LaplacianTerms(grid1, new[] { 8 }, 2, 0, 1, "test");
        Assert.Null(ops.StencilTile(StencilProgramFactory.Build(FusedStencil.Describe(new[] { Tensor.Zeros(new[] { 1, 1, 8 }) }, new[] { 8 }, 1, lap1, Array.Empty<BilinearTerm>()))));
        var div = new[]
        {
            new LinearTerm(0, new Factor(0, 0, 0, GridOperators.D1(grid2, 0, 8)), 1),
            new LinearTerm(0, new Factor(0, 1, 1, GridOperators.D1(grid2, 1, 8)), 1),
        };
        Assert.Null(ops.StencilTile(StencilProgramFactory.Build(FusedStencil.Describe(v2, new[] { 8, 8 }, 1, div, Array.Empty<BilinearTerm>()))));
        var adv = new[] { new BilinearTerm(0, Factor.Identity(0, 0), new Factor(0, 0, 0, GridOperators.D1(grid2, 0, 8)), 1) };
        Assert.Null(ops.StencilTile(StencilProgramFactory.Build(FusedStencil.Describe(x2, new[] { 8, 8 }, 1, Array.Empty<LinearTerm>(), adv))));
    }

    [SkippableFact]
    public void RepeatedCallsReuseTheUploadedProgram()
    {
        using var scope = TensorScope.Begin();
        var cache = Backend.Context.Ops.StencilPrograms;
        var grid = new StencilGrid(Boundary.Dirichlet(0.3), 0.5, 0.25);
        var u = Tensor.Rand(new[] { 1, 6, 7 }, new Generator(3), DType.Float32, Dev);
        Stencil.Laplacian(u, grid);
        int uploads = cache.Uploads;
        for (int k = 0; k < 3; k++) Stencil.Laplacian(u, grid);
        Assert.Equal(uploads, cache.Uploads);
    }

    [SkippableFact]
    public void StridedInputsAndMixedDevices()
    {
        using var scope = TensorScope.Begin();
        var grid = new StencilGrid(new[] { 0.5, 0.8 }, new[] { Boundary.Neumann(0.1), Boundary.Periodic });
        var u = Tensor.Rand(new[] { 2, 7, 5 }, new Generator(8), DType.Float64, Device.Cpu, -1, 1);
        var f = Tensor.Rand(new[] { 2, 5, 7 }, new Generator(9), DType.Float64, Device.Cpu, -1, 1);
        // A transposed (non-contiguous) device view is made contiguous first.
        AssertClose(PdeResidual.Poisson(u.Transpose(1, 2), f, grid), PdeResidual.Poisson(u.To(Dev).Transpose(1, 2), f.To(Dev), grid), DType.Float64, "Poisson of a transposed view");
        var e = Assert.Throws<TensorException>(() => PdeResidual.Poisson(u.Transpose(1, 2).To(Dev), f, grid));
        Assert.Contains("PoissonResidual", e.Message);
    }

    // ------------------------------------------------------------------ derivatives on the device

    [SkippableFact]
    public void GradCheck_NavierStokesAndLaplacianOnDevice()
    {
        var gen = new Generator(41);
        var grid = new StencilGrid(new[] { 0.6, 0.8 }, new[] { Boundary.Neumann(0.2), Boundary.Dirichlet(-0.3) });
        var w = Tensor.Rand(new[] { 1, 4, 5 }, gen, DType.Float64, Dev, -1, 1);
        var p = Tensor.Rand(new[] { 1, 4, 5 }, gen, DType.Float64, Dev, -1, 1);
        var wt = Tensor.Rand(new[] { 1, 4, 5 }, gen, DType.Float64, Dev, -1, 1);
        GradCheck.Check(t => PdeResidual.NavierStokesVorticity(t[0], t[1], t[2], 0.05, grid).Square().Sum(), new[] { w, p, wt }).ThrowIfFailed();
        var grid3 = new StencilGrid(new[] { 0.6, 0.8, 0.7 }, new[] { Boundary.Periodic, Boundary.Dirichlet(0.4), Boundary.Neumann(0.1) });
        var u = Tensor.Rand(new[] { 1, 3, 4, 5 }, gen, DType.Float64, Dev, -1, 1);
        GradCheck.Check(t => Stencil.Laplacian(t[0], grid3, 4).Square().Sum(), new[] { u }).ThrowIfFailed();
    }

    [SkippableTheory]
    [InlineData("dirichlet", 2)]
    [InlineData("neumann", 3)]
    [InlineData("mixed", 2)]
    public void AdjointDotProductOnDevice(string boundary, int d)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator((ulong)(d * 10 + boundary.Length));
        var (grid, spatial) = RandomGrid(gen, boundary, d, minSize: 3);
        var lin = grid.Homogeneous();
        var shape = new[] { 2 }.Concat(spatial).ToArray();
        var x = Tensor.Randn(shape, gen, DType.Float64).To(Dev).RequiresGrad_();
        var lx = Stencil.Laplacian(x, lin, 4);
        var y = Tensor.Randn(lx.Shape, gen, DType.Float64).To(Dev);
        var ltY = Autodiff.Grad(new[] { lx }, new[] { x }, new[] { y })[0];
        Assert.Equal(Dev, ltY.Device);
        double lhs = Dot(lx, y), rhs = Dot(x, ltY);
        Assert.True(Math.Abs(lhs - rhs) <= 1e-10 * (1 + Math.Abs(lhs)), $"<Lx, y> = {lhs:R} but <x, Lᵀy> = {rhs:R}");
    }
}

/// <summary>The stencil device tests on ILGPU's CPU simulator.</summary>
[Collection("device-simulator")]
public sealed class SimulatorStencilTests(SimulatorFixture fixture) : DeviceStencilTests(fixture);

/// <summary>The stencil device tests on the OpenCL device (PoCL in CI).</summary>
[Collection("device-opencl")]
public sealed class OpenCLStencilTests(OpenCLFixture fixture) : DeviceStencilTests(fixture);
