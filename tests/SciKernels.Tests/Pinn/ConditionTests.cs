using SciKernels.Pinn;
using Xunit;

namespace SciKernels.Tests.Pinn;

/// <summary>Each condition's residual vanishes on a manufactured exact solution and not on a wrong one.</summary>
public class ConditionTests
{
    private static double MaxAbs(Condition c, PinnModel model)
    {
        using var scope = TensorScope.Begin();
        var problem = new PinnProblem(model);
        return c.Residual(problem, DType.Float64).Abs().Max().Item();
    }

    // u(x, t) = sin(x)·e^{−t} solves the heat equation u_t = u_xx.
    private static readonly PinnModel Heat = PinnTestModels.Exact(p => p.Col(0).Sin() * p.Col(1).Neg().Exp(), ["x", "t"], ["u"]);

    [Fact]
    public void Pde_residual_vanishes_on_the_exact_solution()
    {
        var pts = new SpaceTimeDomain(new Interval(0, 3), 0, 1).SampleInterior(50, SamplingMethod.Sobol, 1);
        Assert.True(MaxAbs(new PdeCondition(pts, f => f["u_t"] - f["u_xx"]), Heat) < 1e-14);
        Assert.True(MaxAbs(new PdeCondition(pts, f => f["u_t"] + f["u_x"]), Heat) > 0.1);
        // Mixed partial: u_xt = −cos(x)e^{−t}.
        Assert.True(MaxAbs(new PdeCondition(pts, f => f["u_xt"] + f.X("x").Cos() * f.X("t").Neg().Exp()), Heat) < 1e-14);
    }

    [Fact]
    public void Systems_return_one_residual_per_equation()
    {
        // (u, v) = (cos x, sin x): u_x = −v, v_x = u.
        var model = PinnTestModels.Exact(p => Tensor.Concat([p.Col(0).Cos(), p.Col(0).Sin()], 1), ["x"], ["u", "v"]);
        var pts = new Interval(-2, 2).SampleInterior(20, SamplingMethod.Halton, 3);
        var pde = new PdeCondition(pts, f => new[] { f["u_x"] + f["v"], f["v_x"] - f["u"], f.D2("v", "x", "x") + f.Value("v") });
        using var scope = TensorScope.Begin();
        var r = pde.Residual(new PinnProblem(model), DType.Float64);
        Assert.Equal([20, 3], r.Shape.ToArray());
        Assert.True(r.Abs().Max().Item() < 1e-14);
    }

    [Fact]
    public void Initial_Dirichlet_Neumann_Robin_and_periodic_conditions_hold_for_the_exact_solution()
    {
        var domain = new SpaceTimeDomain(new Interval(0, 3), 0, 1);
        var init = domain.SampleInitial(20, SamplingMethod.LatinHypercube, 2);
        Assert.True(MaxAbs(new InitialCondition(init, p => Math.Sin(p[0])), Heat) < 1e-15);
        var side = domain.SampleBoundary(20, SamplingMethod.LatinHypercube, 3);
        Assert.True(MaxAbs(new DirichletCondition(side, p => Math.Sin(p[0]) * Math.Exp(-p[1])), Heat) < 1e-15);
        // ∂u/∂n = ±cos(x)e^{−t} at x = 0 (n = −1) and x = 3 (n = +1).
        var normals = domain.Normals(side);
        PointFunction dn = p => (p[0] < 1 ? -1 : 1) * Math.Cos(p[0]) * Math.Exp(-p[1]);
        Assert.True(MaxAbs(new NeumannCondition(side, normals, dn), Heat) < 1e-14);
        Assert.True(MaxAbs(new NeumannCondition(side, normals, _ => 0), Heat) > 0.1);
        PointFunction robin = p => 2 * Math.Sin(p[0]) * Math.Exp(-p[1]) + 0.5 * dn(p);
        Assert.True(MaxAbs(new RobinCondition(side, normals, 2, 0.5, robin), Heat) < 1e-14);

        // u = sin(2πx)·(1 + t) is periodic in x with period 1, derivatives included.
        var periodic = PinnTestModels.Exact(p => (p.Col(0) * (2 * Math.PI)).Sin() * p.Col(1).Add(1), ["x", "t"], ["u"]);
        var times = UnitCubeSampler.Sample(SamplingMethod.Sobol, 16, 1, 4).Data;
        var left = new PointSet(times.SelectMany(t => new[] { 0.0, t }).ToArray(), 2);
        var right = new PointSet(times.SelectMany(t => new[] { 1.0, t }).ToArray(), 2);
        Assert.True(MaxAbs(new PeriodicCondition(left, right, dimension: 0, derivativeOrder: 2), periodic) < 1e-12);
        var half = new PointSet(times.SelectMany(t => new[] { 0.25, t }).ToArray(), 2);
        Assert.True(MaxAbs(new PeriodicCondition(left, half, dimension: 0), periodic) > 0.5);
    }

    [Fact]
    public void Hard_constraint_transform_satisfies_the_boundary_condition_exactly()
    {
        var net = new SciKernels.NN.Mlp([2, 8, 1], generator: new SciKernels.Random.Generator(1), dtype: DType.Float64);
        var model = new PinnModel(net, ["x", "y"], ["u"], transform: (x, n) => x.Col(0) * x.Col(0).RSub(1) * x.Col(1) * x.Col(1).RSub(1) * n);
        var boundary = new Rectangle(0, 0, 1, 1).SampleBoundary(64, SamplingMethod.Sobol, 1);
        Assert.True(MaxAbs(new DirichletCondition(boundary, _ => 0), model) < 1e-15);
    }

    [Fact]
    public void Named_accessors_reject_unknown_names()
    {
        var pts = new SpaceTimeDomain(new Interval(0, 1), 0, 1).SampleInterior(4);
        Assert.Throws<KeyNotFoundException>(() => MaxAbs(new PdeCondition(pts, f => f["u_y"]), Heat));
        Assert.Throws<KeyNotFoundException>(() => MaxAbs(new PdeCondition(pts, f => f["w_x"]), Heat));
    }
}
