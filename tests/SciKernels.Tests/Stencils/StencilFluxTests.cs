using Xunit;
using FsCheck.Xunit;
using SciKernels.Autograd;
using SciKernels.Data;
using SciKernels.Diagnostics;
using SciKernels.Random;
using SciKernels.Stencils;
using static SciKernels.Tests.Stencils.StencilTestKit;

namespace SciKernels.Tests.Stencils;

/// <summary>The flux-form operators: face averages and ∇·(A∇u) (adjoints, symmetry, accuracy, gradients).</summary>
public sealed class StencilFluxTests
{
    private static Tensor Positive(Generator gen, int[] shape) => Tensor.Rand(shape, gen, DType.Float64).Mul(2).Add(0.5);

    private static int[] Shape(int[] lead, int[] spatial, int comps = 0)
        => comps > 0 ? lead.Append(comps).Concat(spatial).ToArray() : lead.Concat(spatial).ToArray();

    public static IEnumerable<object[]> Cases()
    {
        foreach (var bc in BoundaryNames)
            for (int d = 1; d <= 3; d++)
                if (bc != "mixed" || d > 1)
                    yield return new object[] { bc, d };
    }

    /// <summary>⟨L x, y⟩ = ⟨x, Lᵀ y⟩ for L = u ↦ ∇·(A∇u) (A fixed) and for L = A ↦ ∇·(A∇u) (u fixed), Lᵀ from the backward pass.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void FluxDivergenceAdjointMatchesBackward(string boundary, int d)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator((ulong)(Array.IndexOf(BoundaryNames, boundary) * 10 + d));
        var (grid, spatial) = RandomGrid(gen, boundary, d);
        var lead = d == 2 ? new[] { 2, 3 } : new[] { 2 };
        var faces = Positive(gen, Shape(lead, spatial, d));
        var u0 = Tensor.Randn(Shape(lead, spatial), gen, DType.Float64);
        CheckAdjoint(x => Stencil.FluxDivergence(x, faces, grid), Shape(lead, spatial), gen, $"u, {grid}");
        CheckAdjoint(x => Stencil.FluxDivergence(u0, x, grid), Shape(lead, spatial, d), gen, $"A, {grid}");
    }

    private static void CheckAdjoint(Func<Tensor, Tensor> f, int[] shape, Generator gen, string what)
    {
        var x = Tensor.Randn(shape, gen, DType.Float64).RequiresGrad_();
        var lx = f(x);
        var y = Tensor.Randn(lx.Shape, gen, DType.Float64);
        var ltY = Autodiff.Grad(new[] { lx }, new[] { x }, new[] { y })[0];
        Tensor linearX;
        using (GradMode.NoGrad()) linearX = f(x.Detach()).Sub(f(Tensor.ZerosLike(x)));
        double lhs = Dot(linearX, y), rhs = Dot(x, ltY);
        double scale = Math.Sqrt(Dot(linearX, linearX) * Dot(y, y)) + 1e-300;
        Assert.True(Math.Abs(lhs - rhs) <= 1e-11 * scale, $"{what}: <Lx,y> = {lhs:R} but <x,Lᵀy> = {rhs:R}");
    }

    /// <summary>With periodic or homogeneous Dirichlet closures the conservative scheme is a symmetric operator in u.</summary>
    [Property(MaxTest = 20)]
    public bool FluxDivergenceIsSymmetric(int seed)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator((ulong)(uint)seed);
        int d = 1 + (int)gen.NextInt64(3);
        var bc = gen.NextDouble() < 0.5 ? Boundary.Periodic : Boundary.Dirichlet(0);
        var (random, spatial) = RandomGrid(gen, "periodic", d);
        var grid = new StencilGrid(random.Spacing.ToArray(), Enumerable.Repeat(bc, d).ToArray());
        var faces = Positive(gen, Shape(new[] { 1 }, spatial, d));
        var x = Tensor.Randn(Shape(new[] { 1 }, spatial), gen, DType.Float64);
        var y = Tensor.Randn(x.Shape, gen, DType.Float64);
        double lxy = Dot(Stencil.FluxDivergence(x, faces, grid), y), xly = Dot(x, Stencil.FluxDivergence(y, faces, grid));
        return Math.Abs(lxy - xly) <= 1e-11 * (Math.Abs(lxy) + Math.Abs(xly) + 1);
    }

    [Theory]
    [InlineData(FaceAveraging.Harmonic)]
    [InlineData(FaceAveraging.Arithmetic)]
    public void FaceAverageMatchesTheDefinition(FaceAveraging averaging)
    {
        var gen = new Generator(3);
        var a = Positive(gen, new[] { 1, 4, 5 });
        var av = a.ToArray<double>();
        var faces = Stencil.FaceAverage(a, new StencilGrid(new[] { 0.5, 0.7 }, new[] { Boundary.Dirichlet(9), Boundary.Periodic }), averaging).ToArray<double>();
        double Mean(double p, double q) => averaging == FaceAveraging.Harmonic ? 2 * p * q / (p + q) : 0.5 * (p + q);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 5; j++)
            {
                double p = av[i * 5 + j];
                // axis 0 is non-periodic: mirrored past the last node (the Dirichlet value 9 belongs to u, not a)
                double down = av[(i < 3 ? i + 1 : 2) * 5 + j], right = av[i * 5 + (j + 1) % 5];
                Assert.Equal(Mean(p, down), faces[i * 5 + j], 14);
                Assert.Equal(Mean(p, right), faces[20 + i * 5 + j], 14);
            }
    }

    /// <summary>
    /// Against ∇·(a∇u) of smooth functions: second order at interior nodes and with mirrored
    /// coefficients at Neumann boundary nodes, for both averages; constant a gives back the Laplacian.
    /// </summary>
    [Theory]
    [InlineData(FaceAveraging.Harmonic)]
    [InlineData(FaceAveraging.Arithmetic)]
    public void FluxDivergenceIsSecondOrderInside(FaceAveraging averaging)
    {
        double Error(int n)
        {
            double h = 1.0 / (n - 1);
            var spatial = new[] { n, n };
            var grid = new StencilGrid(Boundary.Neumann(0), h, h);
            var origin = new[] { 0.0, 0.0 };
            var spacing = new[] { h, h };
            var u = Sample(spatial, origin, spacing, x => Math.Sin(2 * x[0]) * Math.Cos(3 * x[1]));
            var a = Sample(spatial, origin, spacing, x => 1 + x[0] + x[1] * x[1]);
            var exact = Sample(spatial, origin, spacing, x =>
            {
                double ux = 2 * Math.Cos(2 * x[0]) * Math.Cos(3 * x[1]), uy = -3 * Math.Sin(2 * x[0]) * Math.Sin(3 * x[1]);
                double lap = -13 * Math.Sin(2 * x[0]) * Math.Cos(3 * x[1]);
                return 1 * ux + 2 * x[1] * uy + (1 + x[0] + x[1] * x[1]) * lap;
            }).ToArray<double>();
            var got = Stencil.FluxDivergence(u, Stencil.FaceAverage(a, grid, averaging), grid).ToArray<double>();
            double err = 0;
            for (int i = 1; i < n - 1; i++)
                for (int j = 1; j < n - 1; j++) err = Math.Max(err, Math.Abs(got[i * n + j] - exact[i * n + j]));
            return err;
        }
        double e1 = Error(17), e2 = Error(33);
        Assert.InRange(Math.Log2(e1 / e2), 1.8, 2.3);

        var gen = new Generator(4);
        var g2 = new StencilGrid(new[] { 0.6, 0.9 }, new[] { Boundary.Neumann(0.3), Boundary.Dirichlet(-0.5) });
        var w = Tensor.Randn(new[] { 2, 5, 6 }, gen, DType.Float64);
        var ones = Tensor.Full(new[] { 2, 2, 5, 6 }, 1.0, DType.Float64);
        var flux = Stencil.FluxDivergence(w, ones, g2).ToArray<double>();
        var lap = Stencil.Laplacian(w, g2).ToArray<double>();
        for (int i = 0; i < flux.Length; i++) Assert.Equal(lap[i], flux[i], 10);
    }

    [Theory]
    [InlineData("periodic")]
    [InlineData("dirichlet")]
    [InlineData("neumann")]
    public void GradientsMatchFiniteDifferences(string bc)
    {
        var gen = new Generator(21);
        var grid = bc switch
        {
            "periodic" => StencilGrid.Periodic(0.7, 1.2),
            "dirichlet" => new StencilGrid(Boundary.Dirichlet(0.4), 0.7, 1.2),
            _ => new StencilGrid(Boundary.Neumann(-0.3), 0.7, 1.2),
        };
        foreach (var avg in new[] { FaceAveraging.Harmonic, FaceAveraging.Arithmetic })
            GradCheck.Check(x => Stencil.FaceAverage(x[0], grid, avg), new[] { Positive(gen, new[] { 2, 4, 5 }) }).ThrowIfFailed();
        GradCheck.Check(x => Stencil.FluxDivergence(x[0], x[1], grid), new[] { Tensor.Randn(new[] { 2, 4, 5 }, gen, DType.Float64), Positive(gen, new[] { 2, 2, 4, 5 }) }).ThrowIfFailed();
        var g1 = new StencilGrid(Boundary.Dirichlet(0.2), 0.5);
        GradCheck.CheckSecondOrder(x => Stencil.FluxDivergence(x[0], Stencil.FaceAverage(x[1], g1), g1),
            new[] { Tensor.Randn(new[] { 1, 6 }, gen, DType.Float64), Positive(gen, new[] { 1, 6 }) }).ThrowIfFailed();
    }

    [Fact]
    public void BadShapesNameTheOperation()
    {
        var grid = StencilGrid.Periodic(1.0, 1.0);
        var u = Tensor.Zeros(new[] { 2, 4, 5 }, DType.Float64);
        var e1 = Assert.Throws<TensorException>(() => Stencil.FluxDivergence(u, Tensor.Zeros(new[] { 2, 4, 5 }, DType.Float64), grid));
        Assert.Contains("FluxDivergence", e1.Message);
        Assert.Contains("faceCoefficients", e1.Message);
        var e2 = Assert.Throws<TensorException>(() => Stencil.FluxDivergence(u, Tensor.Zeros(new[] { 3, 2, 4, 5 }, DType.Float64), grid));
        Assert.Contains("batch axes", e2.Message);
        var e3 = Assert.Throws<TensorException>(() => Stencil.FluxDivergence(u, Tensor.Zeros(new[] { 2, 2, 4, 5 }, DType.Float32), grid));
        Assert.Contains("float32", e3.Message);
        var e4 = Assert.Throws<TensorException>(() => Stencil.FaceAverage(Tensor.Zeros(new[] { 4 }, DType.Float64), grid));
        Assert.Contains("FaceAverage", e4.Message);
    }
}
