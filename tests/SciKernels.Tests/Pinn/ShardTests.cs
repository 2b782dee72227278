using FsCheck.Xunit;
using SciKernels.NN;
using SciKernels.Pinn;
using SciKernels.Random;

namespace SciKernels.Tests.Pinn;

/// <summary>
/// Data-parallel PINN training shards every condition's points: the ranks' shard-weighted term losses and their
/// gradients must add up to the unsharded ones, for every kind of condition, with empty shards included.
/// </summary>
public class ShardTests
{
    [Property(MaxTest = 12)]
    public bool ShardLossesAndGradientsSumToTheFullOnes(byte rankByte, byte countByte, int seed)
    {
        int ranks = 1 + rankByte % 5;
        int n = 1 + countByte % 9; // fewer points than ranks too: some shards are empty
        ulong s = (ulong)(uint)seed;
        var net = new Mlp([2, 6, 1], new Generator(s), Activation.Tanh, dtype: DType.Float64);
        using var model = new PinnModel(net, ["x", "t"], ["u"]);
        var domain = new SpaceTimeDomain(new Interval(0, 1), 0, 1);
        var side = domain.SampleBoundary(n, SamplingMethod.Uniform, s + 1);
        var times = UnitCubeSampler.Sample(SamplingMethod.Uniform, n, 1, s + 2).Data;
        using var problem = new PinnProblem(model);
        problem.Add("pde", new PdeCondition(domain.SampleInterior(n + 3, SamplingMethod.Uniform, s + 3), f => f["u_t"] - f["u_xx"] * 0.1));
        problem.Add("ic", new InitialCondition(domain.SampleInitial(n, SamplingMethod.Uniform, s + 4), p => Math.Sin(3 * p[0])), 2.5);
        problem.Add("robin", new RobinCondition(side, domain.Normals(side), 1, 0.5, p => p[1]));
        problem.Add("periodic", new PeriodicCondition(new PointSet(times.SelectMany(t => new[] { 0.0, t }).ToArray(), 2),
            new PointSet(times.SelectMany(t => new[] { 1.0, t }).ToArray(), 2), dimension: 0, derivativeOrder: 1));
        var parameters = model.Parameters().ToList();

        var (fullTerms, fullGrads) = LossesAndGradients(problem, parameters);
        var terms = new double[fullTerms.Length];
        var grads = fullGrads.Select(g => new double[g.Length]).ToArray();
        for (int r = 0; r < ranks; r++)
        {
            problem.Shard(r, ranks);
            var (t, g) = LossesAndGradients(problem, parameters);
            for (int i = 0; i < t.Length; i++) terms[i] += t[i];
            for (int i = 0; i < g.Length; i++)
                for (int k = 0; k < g[i].Length; k++) grads[i][k] += g[i][k];
        }
        problem.Shard(0, 1);
        static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-12 * Math.Max(1, Math.Abs(b));
        return terms.Zip(fullTerms).All(p => Close(p.First, p.Second))
            && grads.Zip(fullGrads).All(p => p.First.Zip(p.Second).All(q => Close(q.First, q.Second)));
    }

    private static (double[] Terms, double[][] Grads) LossesAndGradients(PinnProblem problem, List<Tensor> parameters)
    {
        using var scope = TensorScope.Begin();
        foreach (var p in parameters) p.ZeroGrad();
        var terms = problem.TermLosses();
        var total = problem.Total(terms);
        if (total.RequiresGrad) total.Backward();
        return (terms.Select(t => t.Item()).ToArray(),
            parameters.Select(p => p.Grad?.ToArray<double>() ?? new double[p.NumElements]).ToArray());
    }
}
