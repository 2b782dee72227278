using Xunit;
using FsCheck.Xunit;
using SciKernels.Autograd;
using SciKernels.Random;
using SciKernels.Stencils;
using static SciKernels.Tests.Stencils.StencilTestKit;

namespace SciKernels.Tests.Stencils;

/// <summary>
/// Dot-product tests ⟨L x, y⟩ = ⟨x, Lᵀ y⟩ of every linear stencil × boundary × dimension, where Lᵀ y
/// is what the backward pass computes, and the adjoint of the adjoint (double backward) gives L back.
/// </summary>
public sealed class StencilAdjointTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var op in LinearOps)
            foreach (var bc in BoundaryNames)
                for (int d = 1; d <= 3; d++)
                    if (bc != "mixed" || d > 1)
                        yield return new object[] { op, bc, d };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AdjointMatchesBackward(string op, string boundary, int d)
    {
        ulong seed = (ulong)(Array.IndexOf(LinearOps, op) * 100 + Array.IndexOf(BoundaryNames, boundary) * 10 + d);
        CheckAdjoint(op, boundary, d, seed, channels: d == 2);
    }

    [Property(MaxTest = 25)]
    public bool AdjointHoldsOnRandomGrids(int seed)
    {
        var gen = new Generator((ulong)(uint)seed);
        string op = LinearOps[gen.NextInt64(LinearOps.Length)];
        int d = 1 + (int)gen.NextInt64(3);
        string bc = BoundaryNames[gen.NextInt64(d == 1 ? 3 : 4)];
        CheckAdjoint(op, bc, d, (ulong)(uint)seed + 17, channels: gen.NextDouble() < 0.5);
        return true;
    }

    private static void CheckAdjoint(string op, string boundary, int d, ulong seed, bool channels)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(seed);
        var (grid, spatial) = RandomGrid(gen, boundary, d);
        var shape = InputShape(op, spatial, channels);
        var velocity = op == "GradientUpwind" ? Tensor.Randn(InputShape("Divergence", spatial, channels), gen, DType.Float64) : null;
        var f = Operator(op, grid, velocity);

        var x = Tensor.Randn(shape, gen, DType.Float64).RequiresGrad_();
        var lx = f(x);
        var y = Tensor.Randn(lx.Shape, gen, DType.Float64).RequiresGrad_();
        var ltY = Autodiff.Grad(new[] { lx }, new[] { x }, new[] { y }, createGraph: true)[0];
        Tensor linearX;
        using (GradMode.NoGrad()) linearX = f(x.Detach()).Sub(f(Tensor.ZerosLike(x)));

        double lhs = Dot(linearX, y), rhs = Dot(x, ltY);
        double scale = Math.Sqrt(Dot(linearX, linearX) * Dot(y, y)) + 1e-300;
        Assert.True(Math.Abs(lhs - rhs) <= 1e-11 * scale, $"{op} {grid}, shape [{string.Join(", ", shape)}]: <Lx,y> = {lhs:R} but <x,Lᵀy> = {rhs:R}");

        // Double backward: ∂⟨Lᵀy, v⟩/∂y = L v (the linear part), so the adjoint stencil's own backward is L.
        var v = Tensor.Randn(shape, gen, DType.Float64);
        var lv = Autodiff.Grad(new[] { ltY }, new[] { y }, new[] { v })[0];
        Tensor expected;
        using (GradMode.NoGrad()) expected = f(v).Sub(f(Tensor.ZerosLike(v)));
        var a = lv.ToArray<double>();
        var e = expected.ToArray<double>();
        double tol = 1e-12 * (MaxAbs(e) + 1);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= tol, $"{op} {grid}: (Lᵀ)ᵀ v differs from L v at {i}: {a[i]:R} vs {e[i]:R}");
    }
}
