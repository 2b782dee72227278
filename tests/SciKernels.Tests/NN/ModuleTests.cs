using SciKernels.Autograd;
using SciKernels.NN;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.NN;

public sealed class ModuleTests
{
    /// <summary>A module with a parameter, a buffer and a shared child, to test naming and discovery.</summary>
    private sealed class Block : Module
    {
        public Block(Linear shared)
        {
            RegisterParameter("scale", Tensor.Ones([3]));
            RegisterBuffer("count", Tensor.Zeros([1], DType.Int64));
            RegisterModule("first", shared);
            RegisterModule("second", shared);
        }

        public override Tensor Forward(Tensor input) => GetParameter("scale").Mul(input);
    }

    [Fact]
    public void MlpParametersHaveDottedNamesInRegistrationOrder()
    {
        using var mlp = new Mlp([2, 8, 8, 1], new Generator(1), Activation.Tanh);
        var names = mlp.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight", "layers.4.bias"], names);
        Assert.Equal(2 * 8 + 8 + 8 * 8 + 8 + 8 + 1, mlp.ParameterCount);
        Assert.All(mlp.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.Equal(["", "layers", "layers.0", "layers.1", "layers.2", "layers.3", "layers.4"], mlp.NamedModules().Select(m => m.Name));
    }

    [Fact]
    public void SharedSubmoduleIsListedOnce()
    {
        using var block = new Block(new Linear(3, 3, generator: new Generator(2)));
        Assert.Equal(["scale", "first.weight", "first.bias"], block.NamedParameters().Select(p => p.Name));
        Assert.Equal(["count"], block.NamedBuffers().Select(b => b.Name));
        Assert.Equal(["scale", "first.weight", "first.bias", "count"], block.StateDict().Select(s => s.Name));
    }

    [Fact]
    public void DuplicateAndDottedNamesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new DuplicateNames());
        Assert.Throws<ArgumentException>(() => new DottedName());
    }

    private sealed class DuplicateNames : Module
    {
        public DuplicateNames()
        {
            RegisterParameter("w", Tensor.Ones([1]));
            RegisterModule("w", new Tanh());
        }

        public override Tensor Forward(Tensor input) => input;
    }

    private sealed class DottedName : Module
    {
        public DottedName() => RegisterParameter("a.b", Tensor.Ones([1]));

        public override Tensor Forward(Tensor input) => input;
    }

    [Fact]
    public void ParametersSurviveTheScopeTheyWereCreatedIn()
    {
        Linear lin;
        using (TensorScope.Begin()) lin = new Linear(2, 2, generator: new Generator(3));
        Assert.False(lin.Weight.IsDisposed);
        Assert.False(lin.Bias!.IsDisposed);
        lin.Dispose();
        Assert.True(lin.Weight.IsDisposed);
    }

    [Fact]
    public void TrainAndEvalPropagateToChildren()
    {
        var gen = new Generator(0);
        using var model = new Sequential(new Linear(2, 2, gen), new Dropout(0.5, gen), new Sequential(new Dropout(0.1, gen)));
        model.Eval();
        Assert.All(model.NamedModules(), m => Assert.False(m.Module.IsTraining));
        model.Train();
        Assert.All(model.NamedModules(), m => Assert.True(m.Module.IsTraining));
    }

    [Fact]
    public void ToDTypeReplacesParametersAndKeepsValues()
    {
        using var lin = new Linear(3, 2, generator: new Generator(4));
        var before = lin.Weight.ToArray<float>();
        lin.To(DType.Float64);
        Assert.Equal(DType.Float64, lin.Weight.DType);
        Assert.True(lin.Weight.RequiresGrad);
        Assert.Equal(before.Select(v => (double)v), lin.Weight.ToArray<double>());
        lin.To(Device.Cpu); // same device: nothing changes
        Assert.Equal(DType.Float64, lin.Bias!.DType);
    }

    [Fact]
    public void ZeroGradDropsOrZeroesGradients()
    {
        using var lin = new Linear(2, 1, generator: new Generator(5));
        lin.Forward(Tensor.Ones([4, 2])).Sum().Backward();
        Assert.NotNull(lin.Weight.Grad);
        lin.ZeroGrad(setToNone: false);
        Assert.All(lin.Weight.Grad!.ToArray<float>(), v => Assert.Equal(0f, v));
        lin.ZeroGrad();
        Assert.Null(lin.Weight.Grad);
    }

    [Fact]
    public void LinearDefaultInitIsWithinPyTorchBounds()
    {
        using var lin = new Linear(16, 64, generator: new Generator(6));
        double bound = 1 / Math.Sqrt(16);
        Assert.All(lin.Weight.ToArray<double>(), v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.All(lin.Bias!.ToArray<double>(), v => Assert.InRange(Math.Abs(v), 0, bound));
        // U(-b, b) has variance b²/3; 1024 samples estimate it to within a few percent.
        double var = lin.Weight.ToArray<double>().Select(v => v * v).Average();
        Assert.InRange(var, 0.85 * bound * bound / 3, 1.15 * bound * bound / 3);
    }

    [Fact]
    public void LinearComputesAffineMap()
    {
        using var lin = new Linear(2, 1, generator: new Generator(7), dtype: DType.Float64);
        using (GradMode.NoGrad())
        {
            lin.Weight.CopyFrom(Tensor.FromArray(new[] { 2.0, -1.0 }, 1, 2));
            lin.Bias!.FillInPlace(0.5);
        }
        var y = lin.Forward(Tensor.FromArray(new[] { 1.0, 3.0, -2.0, 0.0 }, 2, 2));
        Assert.Equal([2 - 3 + 0.5, -4 + 0.5], y.ToArray<double>());
    }

    [Fact]
    public void DropoutIsSeededAndIdentityInEval()
    {
        var x = Tensor.Ones([1000], DType.Float64);
        var a = new Dropout(0.25, new Generator(9)).Forward(x).ToArray<double>();
        var b = new Dropout(0.25, new Generator(9)).Forward(x).ToArray<double>();
        Assert.Equal(a, b);
        Assert.All(a, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75) < 1e-15));
        Assert.InRange(a.Count(v => v == 0), 200, 300);
        var drop = new Dropout(0.25, new Generator(9));
        drop.Eval();
        Assert.Same(x, drop.Forward(x));
    }

    [Fact]
    public void LayerNormNormalizesTheLastDimension()
    {
        using var ln = new LayerNorm(4, dtype: DType.Float64);
        var x = Tensor.FromArray(new[] { 1.0, 2, 3, 4, -1, 0, 5, 10 }, 2, 4);
        var y = ln.Forward(x).ToArray2D<double>();
        for (int r = 0; r < 2; r++)
        {
            var row = Enumerable.Range(0, 4).Select(c => y[r, c]).ToArray();
            Assert.Equal(0, row.Average(), 12);
            Assert.Equal(1, row.Select(v => v * v).Average(), 4); // ε = 1e-5 shifts the variance slightly
        }
        // Row 0: mean 2.5, variance 1.25 ⇒ first element (1 − 2.5)/√(1.25 + 1e-5).
        Assert.Equal(-1.5 / Math.Sqrt(1.25 + 1e-5), y[0, 0], 12);
        Assert.Equal(["weight", "bias"], ln.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void ResidualAddsTheSkipPath()
    {
        using var res = new Residual(new Tanh());
        var x = Tensor.FromArray(new[] { 0.5, -2.0 }, 2);
        Assert.Equal([0.5 + Math.Tanh(0.5), -2 + Math.Tanh(-2.0)], res.Forward(x).ToArray<double>());
        var gen = new Generator(0);
        using var proj = new Residual(new Linear(2, 3, gen), new Linear(2, 3, gen, bias: false));
        Assert.Equal(["body.weight", "body.bias", "projection.weight"], proj.NamedParameters().Select(p => p.Name));
        Assert.Equal([5, 3], proj.Forward(Tensor.Ones([5, 2])).Shape.ToArray());
    }

    [Theory]
    [InlineData(Activation.Tanh, 0.7, 0.6043677771171636)]
    [InlineData(Activation.Sin, 0.7, 0.644217687237691)]
    [InlineData(Activation.Relu, -0.7, 0.0)]
    [InlineData(Activation.Softplus, 0.7, 1.103186048885458)]   // ln(1 + e^0.7)
    [InlineData(Activation.Silu, 0.7, 0.46773144051771626)]      // 0.7·σ(0.7)
    [InlineData(Activation.Gelu, 0.7, 0.5306254434438489)]      // 0.7·Φ(0.7)
    public void ActivationModulesComputeTheirFunction(Activation kind, double x, double expected)
    {
        var y = Activations.Create(kind).Forward(Tensor.Scalar(x, DType.Float64)).Item();
        Assert.Equal(expected, y, 12);
    }

    [Fact]
    public void ToStringShowsTheTree()
    {
        using var mlp = new Mlp([1, 4, 1], new Generator(0), Activation.Sin);
        var s = mlp.ToString();
        Assert.Contains("(layers): Sequential(", s);
        Assert.Contains("(0): Linear(in_features=1, out_features=4, bias=True)", s);
    }
}
