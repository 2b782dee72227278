using SciKernels.Autograd;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Random;
using SciKernels.Training;
using Xunit;

namespace SciKernels.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("scikernels-ckpt-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
    }

    private string PathOf(string name) => System.IO.Path.Combine(dir, name);

    /// <summary>A model with float32 and float64 parameters and an int64 buffer.</summary>
    private sealed class Mixed : Module
    {
        public Mixed(ulong seed, int width = 3)
        {
            var gen = new Generator(seed);
            RegisterModule("net", new Mlp([2, width, 1], gen, Activation.Gelu));
            RegisterParameter("scale", Tensor.Randn([2], gen, DType.Float64));
            RegisterBuffer("steps", Tensor.FromArray(new[] { (long)seed * 1_000_000_007L, -5L }, 2));
        }

        public override Tensor Forward(Tensor input) => GetModule().Forward(input);

        private Module GetModule() => NamedChildren().First().Module;
    }

    private static void AssertBitEqual(Module a, Module b)
    {
        var sa = a.StateDict();
        var sb = b.StateDict();
        Assert.Equal(sa.Select(s => s.Name), sb.Select(s => s.Name));
        for (int i = 0; i < sa.Count; i++)
        {
            Assert.Equal(sa[i].Tensor.DType, sb[i].Tensor.DType);
            Assert.Equal(Bits(sa[i].Tensor), Bits(sb[i].Tensor));
        }
    }

    private static long[] Bits(Tensor t) => t.DType switch
    {
        DType.Float32 => t.ToArray<float>().Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray(),
        DType.Float64 => t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray(),
        _ => t.ToArray<long>(),
    };

    [Fact]
    public void ModuleRoundTripIsBitExact()
    {
        using var a = new Mixed(1);
        using (GradMode.NoGrad()) a.NamedParameters().First(p => p.Name == "net.layers.0.weight").Parameter.AsSpan<float>()[0] = float.Epsilon; // a subnormal survives too
        Checkpoint.Save(PathOf("m.safetensors"), a, metadata: new Dictionary<string, string> { ["note"] = "hi" });
        using var b = new Mixed(2);
        var meta = Checkpoint.Load(PathOf("m.safetensors"), b);
        AssertBitEqual(a, b);
        Assert.Equal("hi", meta["note"]);
        Assert.Equal(1_000_000_007L, b.NamedBuffers().Single().Buffer.ToArray<long>()[0]);
    }

    [Fact]
    public void FileIsAPlainStateDict()
    {
        using var a = new Mixed(3);
        Checkpoint.Save(PathOf("plain.safetensors"), a);
        var tensors = Checkpoint.LoadTensors(PathOf("plain.safetensors"));
        Assert.Equal(["net.layers.0.bias", "net.layers.0.weight", "net.layers.2.bias", "net.layers.2.weight", "scale", "steps"], tensors.Keys.Order());
        Assert.Equal(DType.Int64, tensors["steps"].DType);
        Assert.Equal([3, 2], tensors["net.layers.0.weight"].Shape.ToArray());
    }

    [Fact]
    public void ShapeMismatchNamesTheParameter()
    {
        using var a = new Mixed(4, width: 3);
        Checkpoint.Save(PathOf("w3.safetensors"), a);
        using var b = new Mixed(4, width: 5);
        var before = Bits(b.Parameters().First());
        var ex = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(PathOf("w3.safetensors"), b));
        Assert.Equal("net.layers.0.weight", ex.TensorName);
        Assert.Contains("[3, 2] in the file but [5, 2] in the model", ex.Message);
        Assert.Equal(before, Bits(b.Parameters().First())); // nothing was copied
    }

    [Fact]
    public void MissingUnexpectedAndDTypeMismatchesAreErrors()
    {
        using var small = new Mlp([2, 3, 1], generator: new Generator(5));
        Checkpoint.Save(PathOf("small.safetensors"), small);
        using var deeper = new Mlp([2, 3, 1, 1], generator: new Generator(5));
        var missing = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(PathOf("small.safetensors"), deeper));
        Assert.Equal("layers.4.weight", missing.TensorName);
        Assert.Contains("missing", missing.Message);

        Checkpoint.Save(PathOf("deeper.safetensors"), deeper);
        var extra = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(PathOf("deeper.safetensors"), small));
        Assert.Contains("not a parameter or buffer", extra.Message);

        using var f64 = new Mlp([2, 3, 1], generator: new Generator(5), dtype: DType.Float64);
        var dtype = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(PathOf("small.safetensors"), f64));
        Assert.Equal("layers.0.weight", dtype.TensorName);
        Assert.Contains("F32 in the file but float64", dtype.Message);
    }

    [Fact]
    public void NonStrictLoadIgnoresExtraTensors()
    {
        using var deeper = new Mlp([2, 3, 3, 1], generator: new Generator(6));
        Checkpoint.Save(PathOf("d.safetensors"), deeper);
        using var prefix = new Mlp([2, 3, 3, 1], generator: new Generator(7));
        Checkpoint.Load(PathOf("d.safetensors"), prefix, strict: false);
        AssertBitEqual(deeper, prefix);
    }

    [Fact]
    public void AdamStateRoundTripsAndResumesIdentically()
    {
        using var a = new Mlp([2, 4, 1], generator: new Generator(8));
        var optA = new Adam(a.Parameters(), 0.01);
        var x = Tensor.Randn([8, 2], new Generator(9));
        var y = x.Sum(1, keepDim: true).Sin();
        double Step(Module m, Optimizer o)
        {
            using var scope = TensorScope.Begin();
            o.ZeroGrad();
            var l = Losses.Mse(m.Forward(x), y);
            l.Backward();
            o.Step();
            return l.Item();
        }
        for (int i = 0; i < 3; i++) Step(a, optA);
        Checkpoint.Save(PathOf("adam.safetensors"), a, optA);

        using var b = new Mlp([2, 4, 1], generator: new Generator(10));
        var optB = new Adam(b.Parameters(), 0.01);
        Checkpoint.Load(PathOf("adam.safetensors"), b, optB);
        Assert.Equal(3, optB.StepCount);
        for (int i = 0; i < optA.ExpAvg.Count; i++)
        {
            Assert.Equal(Bits(optA.ExpAvg[i]), Bits(optB.ExpAvg[i]));
            Assert.Equal(Bits(optA.ExpAvgSq[i]), Bits(optB.ExpAvgSq[i]));
        }
        for (int i = 0; i < 3; i++) Assert.Equal(Step(a, optA), Step(b, optB)); // bitwise: same state, same math
        AssertBitEqual(a, b);
    }

    [Fact]
    public void OptimizerTypeAndPresenceAreChecked()
    {
        using var m = new Mlp([2, 2, 1], generator: new Generator(11));
        Checkpoint.Save(PathOf("noopt.safetensors"), m);
        var ex = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(PathOf("noopt.safetensors"), m, new Adam(m.Parameters())));
        Assert.Contains("no optimizer state", ex.Message);
        Checkpoint.Save(PathOf("sgd.safetensors"), m, new Sgd(m.Parameters(), 0.1, momentum: 0.9));
        var wrong = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(PathOf("sgd.safetensors"), m, new Adam(m.Parameters())));
        Assert.Contains("Sgd state, not Adam state", wrong.Message);
        Checkpoint.Load(PathOf("sgd.safetensors"), m, new Sgd(m.Parameters(), 0.1, momentum: 0.9));
    }

    [Fact]
    public void LbfgsCannotBeSaved()
    {
        using var m = new Mlp([2, 2, 1], generator: new Generator(12));
        Assert.Throws<NotSupportedException>(() => Checkpoint.Save(PathOf("lbfgs.safetensors"), m, new Lbfgs(m.Parameters())));
        Assert.False(File.Exists(PathOf("lbfgs.safetensors")));
    }

    [Fact]
    public void ANegativeOptimizerStepLeavesModelAndOptimizerUntouched()
    {
        // Issue 15, defect 7: the model used to be overwritten before the step count was checked.
        using var a = new Mixed(21);
        using var optA = new Adam(a.Parameters(), 0.01);
        using (var scope = TensorScope.Begin())
        {
            a.Forward(Tensor.Ones([4, 2])).Sum().Backward();
            optA.Step();
        }
        Checkpoint.Save(PathOf("good.safetensors"), a, optA);
        var tensors = Checkpoint.LoadTensors(PathOf("good.safetensors")).ToDictionary(kv => kv.Key, kv => kv.Value);
        var meta = SciKernels.IO.SafeTensorsFile.Read(PathOf("good.safetensors")).Metadata!;
        tensors["optimizer.step"].Dispose();
        tensors["optimizer.step"] = Tensor.FromSpan<long>(new[] { -3L }, ReadOnlySpan<int>.Empty);
        Checkpoint.SaveTensors(PathOf("bad.safetensors"), tensors.Select(kv => (kv.Key, kv.Value)), meta);
        foreach (var t in tensors.Values) t.Dispose();

        using var b = new Mixed(22);
        using var optB = new Adam(b.Parameters(), 0.01);
        var before = b.StateDict().Select(s => Bits(s.Tensor)).ToArray();
        var stateBefore = optB.StateDict().Select(s => Bits(s.Tensor)).ToArray();
        var ex = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(PathOf("bad.safetensors"), b, optB));
        Assert.Equal("optimizer.step", ex.TensorName);
        Assert.Contains("-3", ex.Message);
        Assert.Contains("bad.safetensors", ex.Message);
        Assert.Equal(before, b.StateDict().Select(s => Bits(s.Tensor)).ToArray());
        Assert.Equal(stateBefore, optB.StateDict().Select(s => Bits(s.Tensor)).ToArray());
        Assert.Equal(0, optB.StepCount);

        // The intact file still loads into the same objects.
        Checkpoint.Load(PathOf("good.safetensors"), b, optB);
        AssertBitEqual(a, b);
        Assert.Equal(1, optB.StepCount);
    }

    [Fact]
    public void OptimizerLoadStateDictValidatesEverythingBeforeCopying()
    {
        using var m = new Mlp([2, 2, 1], generator: new Generator(23));
        using var opt = new Adam(m.Parameters());
        var state = opt.StateDict();
        var before = state.Select(s => Bits(s.Tensor)).ToArray();
        var ex = Assert.Throws<InvalidDataException>(() => opt.LoadStateDict(name => name == "step"
            ? Tensor.FromSpan<long>(new[] { -1L }, ReadOnlySpan<int>.Empty)
            : Tensor.FullLike(state.First(s => s.Name == name).Tensor, 7)));
        Assert.Contains("negative", ex.Message);
        Assert.Equal(before, opt.StateDict().Select(s => Bits(s.Tensor)).ToArray());
    }
}
