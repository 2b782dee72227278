using Microsoft.Extensions.Logging;
using SciKernels.NN;
using SciKernels.Pinn;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Pinn;

public class TrainingTests
{
    private sealed class ListLogger(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => lines.Add($"{logLevel} {formatter(state, exception)}");
    }

    // u'' = −π² sin(πx) on [0, 1], u(0) = u(1) = 0: u = sin(πx).
    private static PinnProblem Poisson1d(ulong seed, int collocation = 32)
    {
        var net = new Mlp([1, 16, 16, 1], generator: new Generator(seed), dtype: DType.Float64, initializer: Mlp.XavierInit());
        var domain = new Interval(0, 1);
        var model = new PinnModel(net, ["x"], ["u"], domain.Lower, domain.Upper);
        var problem = new PinnProblem(model);
        problem.Add("pde", new PdeCondition(domain.SampleInterior(collocation, SamplingMethod.Sobol, seed),
            f => f["u_xx"] + Math.PI * Math.PI * (f.X("x") * Math.PI).Sin()));
        problem.Add("bc", new DirichletCondition(domain.SampleBoundary(2, SamplingMethod.LatinHypercube), _ => 0));
        return problem;
    }

    private static double Error(PinnModel model)
    {
        var x = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray();
        var p = model.Predict(new PointSet(x, 1));
        return BurgersReference.RelativeL2(p, x.Select(v => Math.Sin(Math.PI * v)).ToArray());
    }

    [Fact]
    public void Tiny_pinn_solves_1d_poisson_with_adam_then_lbfgs()
    {
        using var problem = Poisson1d(1);
        var logged = new List<string>();
        var trainer = new PinnTrainer(problem) { LogEvery = 50, Logger = new ListLogger(logged) };
        trainer.Adam(200, 1e-2);
        trainer.Lbfgs(200);
        double err = Error(problem.Model);
        Assert.True(err < 1e-3, $"relative L2 {err:E3}");
        Assert.True(trainer.History[^1].Loss < 1e-2 * trainer.History[0].Loss);
        Assert.Equal(trainer.History.Count, logged.Count(l => l.StartsWith("Information ", StringComparison.Ordinal)));
        Assert.StartsWith("Information Adam 50: loss ", logged[0]);
    }

    [Fact]
    public void Same_seed_gives_the_same_loss_trajectory()
    {
        double[] Run()
        {
            using var problem = Poisson1d(7, 16);
            var trainer = new PinnTrainer(problem, new ReLoBRaLo(seed: 3)) { LogEvery = 5 };
            trainer.Adam(20, 1e-2);
            trainer.Lbfgs(10);
            return trainer.History.Select(e => e.Loss).ToArray();
        }
        var a = Run();
        var b = Run();
        Assert.Equal(a, b);
        Assert.True(a.Length >= 5);
    }

    [Fact]
    public void Inverse_problem_recovers_a_coefficient()
    {
        // Data from u = sin(πx); PDE u'' + c·u = 0 with c unknown (true c = π²), initial c = 1.
        var net = new Mlp([1, 16, 16, 1], generator: new Generator(2), dtype: DType.Float64, initializer: Mlp.XavierInit());
        var domain = new Interval(0, 1);
        var model = new PinnModel(net, ["x"], ["u"], domain.Lower, domain.Upper);
        model.AddCoefficient("c", 1.0, positive: true);
        using var problem = new PinnProblem(model);
        var pts = domain.SampleInterior(24, SamplingMethod.Halton, 1);
        problem.Add("data", new DirichletCondition(pts, p => Math.Sin(Math.PI * p[0])));
        problem.Add("pde", new PdeCondition(pts, f => f["u_xx"] + f.Coefficient("c") * f["u"]));
        var trainer = new PinnTrainer(problem);
        trainer.Adam(300, 1e-2);
        trainer.Lbfgs(300);
        double c = model.CoefficientValue("c");
        Assert.True(Math.Abs(c - Math.PI * Math.PI) < 0.01 * Math.PI * Math.PI, $"c = {c}, expected {Math.PI * Math.PI}");
    }

    [Fact]
    public void Residual_based_refinement_adds_the_worst_points()
    {
        using var problem = Poisson1d(3, 8);
        var trainer = new PinnTrainer(problem);
        var pde = problem["pde"].Condition;
        int before = pde.HostPoints.Count;
        var candidates = new Interval(0, 1).SampleInterior(64, SamplingMethod.Uniform, 11);
        trainer.Refine(new RarOptions("pde", _ => candidates, 1, 5), 0);
        Assert.Equal(before + 5, pde.HostPoints.Count);
        // The added points have the largest residuals among the candidates.
        double[] Residuals(PointSet p)
        {
            using var scope = TensorScope.Begin();
            return ((PdeCondition)pde).ResidualAt(problem, p.ToTensor(DType.Float64)).Abs().ToArray<double>();
        }
        var all = Residuals(candidates);
        var added = Residuals(pde.HostPoints.Select(Enumerable.Range(before, 5).ToArray()));
        Assert.True(added.Min() >= all.OrderDescending().ElementAt(4) - 1e-12);
    }

    [Fact]
    public void Adaptive_weightings_move_towards_balance()
    {
        var relo = new ReLoBRaLo(alpha: 0.5, expectedRho: 1, seed: 1);
        var w = new[] { 1.0, 1.0 };
        relo.Update(0, [1.0, 1.0], null, w);
        relo.Update(1, [0.1, 1.0], null, w); // term 0 improved, term 1 stalled → term 1 gains weight
        Assert.True(w[1] > w[0]);
        Assert.Equal(2.0, w.Sum(), 1e-9);

        var lra = new LearningRateAnnealing(referenceTerm: 0, alpha: 1);
        var v = new[] { 1.0, 1.0 };
        lra.Update(0, [1, 1], [(MaxAbs: 10.0, MeanAbs: 1.0), (MaxAbs: 1.0, MeanAbs: 0.5)], v);
        Assert.Equal([1.0, 20.0], v);
    }

    [Fact]
    public void Learning_rate_annealing_runs_inside_adam()
    {
        using var problem = Poisson1d(4, 16);
        var trainer = new PinnTrainer(problem, new LearningRateAnnealing(interval: 5));
        trainer.Adam(11, 1e-3);
        Assert.NotEqual(1.0, problem["bc"].Weight);
        Assert.Equal(1.0, problem["pde"].Weight);
    }

    [Fact]
    public void Checkpoint_round_trips_the_network_and_the_coefficients()
    {
        PinnModel Make(ulong seed)
        {
            var m = new PinnModel(new Mlp([2, 8, 1], generator: new Generator(seed), dtype: DType.Float64), ["x", "t"], ["u"]);
            m.AddCoefficient("nu", 0.01 * (seed + 1), positive: true);
            return m;
        }
        var path = Path.Combine(Path.GetTempPath(), $"pinn-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var a = Make(1);
            using var b = Make(2);
            SciKernels.Training.Checkpoint.Save(path, a);
            SciKernels.Training.Checkpoint.Load(path, b);
            Assert.Equal(a.CoefficientValue("nu"), b.CoefficientValue("nu"), 1e-15);
            var pts = new PointSet([0.1, 0.2, -0.3, 0.9], 2);
            Assert.Equal(a.Predict(pts), b.Predict(pts));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
