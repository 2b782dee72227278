using SciKernels.NN;
using SciKernels.Pinn;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Pinn;

/// <summary>
/// <see cref="TaylorDerivativeEngine"/> against reverse-over-reverse: values, every first and second
/// derivative (mixed ones included) and weight gradients of residual losses, for 2-D and 3-D inputs
/// and several activations; and it stays on the Taylor path for mixed terms.
/// </summary>
public class TaylorEngineTests
{
    [Fact]
    public void TaylorEngineAgreesWithReverseOverReverse()
    {
        var net = new Mlp(new[] { 2, 7, 7, 2 }, new Generator(3), Activation.Tanh, dtype: DType.Float64);
        var model = new PinnModel(net, new[] { "x", "t" }, new[] { "u", "v" }, new[] { -1.0, 0.0 }, new[] { 1.0, 2.0 });
        var points = Tensor.Rand(new[] { 13, 2 }, new Generator(4), DType.Float64, low: -1, high: 1);
        var fast = new TaylorDerivativeEngine().Evaluate(model, points, 2);
        var slow = ReverseModeDerivativeEngine.Instance.Evaluate(model, points, 2);
        foreach (var dims in new[] { new int[0], new[] { 0 }, new[] { 1 }, new[] { 0, 0 }, new[] { 1, 1 }, new[] { 0, 1 } })
            for (int c = 0; c < 2; c++) AssertClose(slow.Derivative(c, dims), fast.Derivative(c, dims), $"component {c}, dims [{string.Join(",", dims)}]");
    }

    [Theory]
    [InlineData(2, Activation.Tanh)]
    [InlineData(3, Activation.Tanh)]
    [InlineData(2, Activation.Sin)]
    [InlineData(3, Activation.Silu)]
    [InlineData(3, Activation.Gelu)]
    [InlineData(2, Activation.Softplus)]
    [InlineData(3, Activation.Sigmoid)]
    public void EveryDerivativeIncludingMixedAgreesBeforeAndAfterLearning(int d, Activation act)
    {
        using var scope = TensorScope.Begin();
        var (model, points) = Case(d, act, seed: 10 + d);
        var engine = new TaylorDerivativeEngine();
        var slow = ReverseModeDerivativeEngine.Instance.Evaluate(model, points, 2);
        var all = AllDims(d);
        // First evaluation: the default streams plus extra passes for the mixed pairs; the second
        // propagates exactly what the first read, all in one pass.
        for (int round = 0; round < 2; round++)
        {
            long before = engine.TaylorPasses;
            var fast = engine.Evaluate(model, points, 2);
            foreach (var dims in all)
                for (int c = 0; c < 2; c++) AssertClose(slow.Derivative(c, dims), fast.Derivative(c, dims), $"round {round}, component {c}, dims [{string.Join(",", dims)}]");
            long passes = engine.TaylorPasses - before;
            Assert.Equal(round == 0 ? 1 + d * (d - 1) / 2 : 1, passes);
        }
        Assert.Equal(0, engine.ReverseFallbacks);
    }

    [Fact]
    public void WeightGradientsOfAResidualLossAgree()
    {
        var net = new Mlp(new[] { 2, 6, 6, 1 }, new Generator(5), Activation.Tanh, dtype: DType.Float64);
        var model = new PinnModel(net, new[] { "x", "t" }, new[] { "u" }, new[] { -1.0, 0.0 }, new[] { 1.0, 1.0 });
        var points = Tensor.Rand(new[] { 17, 2 }, new Generator(6), DType.Float64);
        double[] Grad(IDerivativeEngine engine)
        {
            model.ZeroGrad();
            var f = engine.Evaluate(model, points, 2);
            var r = f.Derivative(0, 1).Add(f.Value(0).Mul(f.Derivative(0, 0))).Sub(f.Derivative(0, 0, 0).Mul(0.01));
            r.Square().Mean().Backward();
            return model.Parameters().SelectMany(p => p.Grad!.ToArray<double>()).ToArray();
        }
        AssertClose(Grad(ReverseModeDerivativeEngine.Instance), Grad(new TaylorDerivativeEngine()), "parameter");
    }

    [Theory]
    [InlineData(2, Activation.Tanh)]
    [InlineData(3, Activation.Tanh)]
    [InlineData(3, Activation.Sin)]
    [InlineData(2, Activation.Gelu)]
    public void WeightGradientsOfAMixedResidualAgree(int d, Activation act)
    {
        using var scope = TensorScope.Begin();
        var (model, points) = Case(d, act, seed: 20 + d);
        // u_t-free residual with every mixed pair: Σ_{i<j} (1 + i + j)·u_ij + u·u_0 − 0.1·Δu + v_01.
        Tensor Residual(IDerivatives f)
        {
            var r = f.Value(0).Mul(f.Derivative(0, 0)).Add(f.Derivative(1, 0, 1));
            for (int i = 0; i < d; i++)
            {
                r = r.Sub(f.Derivative(0, i, i).Mul(0.1));
                for (int j = i + 1; j < d; j++) r = r.Add(f.Derivative(0, j, i).Mul(1 + i + j));
            }
            return r;
        }
        double[] Grad(IDerivativeEngine engine)
        {
            model.ZeroGrad();
            Residual(engine.Evaluate(model, points, 2)).Square().Mean().Backward();
            return model.Parameters().SelectMany(p => p.Grad!.ToArray<double>()).ToArray();
        }
        var expected = Grad(ReverseModeDerivativeEngine.Instance);
        var engine = new TaylorDerivativeEngine();
        AssertClose(expected, Grad(engine), "first step, parameter");
        AssertClose(expected, Grad(engine), "learned step, parameter");
        Assert.Equal(0, engine.ReverseFallbacks);
    }

    [Fact]
    public void APinnProblemWithUxyStaysOnTheTaylorPath()
    {
        using var scope = TensorScope.Begin();
        var net = new Mlp(new[] { 2, 8, 8, 1 }, new Generator(31), Activation.Tanh, dtype: DType.Float64);
        var model = new PinnModel(net, new[] { "x", "y" }, new[] { "u" }, new[] { 0.0, 0.0 }, new[] { 1.0, 2.0 });
        var pts = new Rectangle(0, 0, 1, 2).SampleInterior(40, SamplingMethod.Sobol, 1);
        var engine = new TaylorDerivativeEngine();
        var problem = new PinnProblem(model) { DerivativeEngine = engine };
        // u_xy − u_yy + u·u_x = sin(x)·y: a PDE with a mixed term.
        problem.Add("pde", new PdeCondition(pts, f => f["u_xy"] - f["u_yy"] + f["u"] * f["u_x"] - f.X("x").Sin() * f.X("y")));
        var reference = new PinnProblem(model) { DerivativeEngine = ReverseModeDerivativeEngine.Instance };
        reference.Add("pde", new PdeCondition(pts, f => f["u_xy"] - f["u_yy"] + f["u"] * f["u_x"] - f.X("x").Sin() * f.X("y")));
        double[] Step(PinnProblem p, out double loss)
        {
            model.ZeroGrad();
            var total = p.Total(p.TermLosses());
            loss = total.Item();
            total.Backward();
            return model.Parameters().SelectMany(q => q.Grad!.ToArray<double>()).ToArray();
        }
        var expected = Step(reference, out double expectedLoss);
        for (int step = 0; step < 2; step++)
        {
            long before = engine.TaylorPasses;
            var g = Step(problem, out double loss);
            Assert.True(Math.Abs(loss - expectedLoss) <= 1e-10 * (1 + Math.Abs(expectedLoss)), $"step {step}: loss {loss} vs {expectedLoss}");
            AssertClose(expected, g, $"step {step}, parameter");
            // Step 0 learns that u_xy is read (one extra pass); afterwards one pass per step.
            Assert.Equal(step == 0 ? 2 : 1, engine.TaylorPasses - before);
        }
        Assert.Equal(0, engine.ReverseFallbacks);
    }

    [Fact]
    public void UnreadDerivativesAreNotPropagatedOnceLearned()
    {
        using var scope = TensorScope.Begin();
        var (model, points) = Case(2, Activation.Tanh, seed: 40);
        var engine = new TaylorDerivativeEngine();
        var slow = ReverseModeDerivativeEngine.Instance.Evaluate(model, points, 2);
        // Burgers-like reads: u, u_x, u_t, u_xx (not u_tt).
        void Read(IDerivatives f)
        {
            f.Value(0);
            f.Derivative(0, 0);
            f.Derivative(0, 1);
            f.Derivative(0, 0, 0);
        }
        Read(engine.Evaluate(model, points, 2));
        Assert.Equal(1, engine.TaylorPasses);
        var learned = engine.Evaluate(model, points, 2);
        Read(learned);
        Assert.Equal(2, engine.TaylorPasses);
        // u_tt was not propagated this time: reading it costs one extra pass and gives the same value.
        AssertClose(slow.Derivative(0, 1, 1), learned.Derivative(0, 1, 1), "u_tt");
        Assert.Equal(3, engine.TaylorPasses);
        // Other models and orders learn separately; higher orders and transforms fall back.
        engine.Evaluate(model, points, 1);
        Assert.Equal(4, engine.TaylorPasses);
        engine.Evaluate(model, points, 3);
        Assert.Equal(1, engine.ReverseFallbacks);
    }

    private static (PinnModel Model, Tensor Points) Case(int d, Activation act, int seed)
    {
        var net = new Mlp(new[] { d, 7, 6, 2 }, new Generator((ulong)seed), act, dtype: DType.Float64);
        var lower = Enumerable.Range(0, d).Select(k => -1.0 + 0.5 * k).ToArray();
        var upper = Enumerable.Range(0, d).Select(k => 1.0 + k).ToArray();
        var model = new PinnModel(net, new[] { "x", "y", "z" }.Take(d).ToArray(), new[] { "u", "v" }, lower, upper);
        var points = Tensor.Rand(new[] { 11, d }, new Generator((ulong)seed + 1), DType.Float64, low: -1, high: 1);
        return (model, points);
    }

    private static List<int[]> AllDims(int d)
    {
        var all = new List<int[]> { System.Array.Empty<int>() };
        for (int i = 0; i < d; i++) all.Add(new[] { i });
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) all.Add(new[] { i, j });
        return all;
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
        => AssertClose(expected.ToArray<double>(), actual.ToArray<double>(), what);

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-10 * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]:R} vs {expected[i]:R}");
    }
}
