using SciKernels.Cpu;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Random;
using SciKernels.Training;
using Xunit;

namespace SciKernels.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("scikernels-trainer-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void StartEpochContinuesTheShuffledScheduledTrajectoryBitwise(int stop)
    {
        var (x, y) = Data(11, 44); // batches of 8: five full and one of 4
        TrainerOptions Options(LRScheduler scheduler, TrainingCallback[] callbacks, int start) => new()
        {
            Epochs = 4, BatchSize = 8, Seed = 7, Scheduler = scheduler, StepSchedulerPerBatch = true, Callbacks = callbacks, StartEpoch = start,
        };
        using var full = new Mlp([2, 8, 1], generator: new Generator(3));
        var fullOpt = new Adam(full.Parameters(), 1e-2);
        var ckpt = new CheckpointCallback(System.IO.Path.Combine(dir, "s_{epoch}.safetensors"), everyEpochs: 1);
        var fullHistory = new Trainer(full, fullOpt, options: Options(new LRScheduler(fullOpt, new StepLR(5, 0.7)), [ckpt], 0)).Fit(x, y);

        using var resumed = new Mlp([2, 8, 1], generator: new Generator(42));
        var opt = new Adam(resumed.Parameters(), 1e-2);
        Checkpoint.Load(ckpt.Written[stop - 1], resumed, opt);
        var rest = new Trainer(resumed, opt, options: Options(new LRScheduler(opt, new StepLR(5, 0.7)), [], stop)).Fit(x, y);
        Assert.Equal(fullHistory.BatchLosses.Skip(6 * stop), rest.BatchLosses);
        Assert.Equal(fullHistory.Epochs.Skip(stop).Select(e => (e.Epoch, e.LearningRate)), rest.Epochs.Select(e => (e.Epoch, e.LearningRate)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(resumed, opt, options: Options(new LRScheduler(opt, new StepLR(5, 0.7)), [], 5)));
    }

    internal static (Tensor X, Tensor Y) Data(ulong seed, int n)
    {
        var x = Tensor.Rand([n, 2], new Generator(seed), low: -1, high: 1);
        var y = x.Narrow(1, 0, 1).Mul(3).Sin().Add(x.Narrow(1, 1, 1).Square()).Add(2); // in [1, 4]: relative errors are meaningful
        return (x, y);
    }

    private static TrainingHistory TrainOnce(ulong seed, int epochs = 3)
    {
        var (x, y) = Data(100, 96);
        using var model = new Sequential(new Linear(2, 16, generator: new Generator(seed)), new Silu(), new Dropout(0.1, new Generator(seed + 1)), new Linear(16, 1, generator: new Generator(seed + 2)));
        var opt = new AdamW(model.Parameters(), 1e-2);
        return new Trainer(model, opt, (p, t) => Losses.Mse(p, t), new TrainerOptions
        {
            Epochs = epochs,
            BatchSize = 20, // 96 samples: four full batches and one of 16
            Seed = seed,
            ClipGradNorm = 1,
            Scheduler = new LRScheduler(opt, new StepLR(1, 0.5)),
        }).Fit(x, y);
    }

    [Fact]
    public void SameSeedGivesBitwiseIdenticalLosses()
    {
        var a = TrainOnce(7);
        var b = TrainOnce(7);
        Assert.Equal(15, a.BatchLosses.Count);
        Assert.Equal(a.BatchLosses.Select(BitConverter.DoubleToInt64Bits), b.BatchLosses.Select(BitConverter.DoubleToInt64Bits));
        Assert.NotEqual(a.BatchLosses, TrainOnce(8).BatchLosses);
        Assert.Equal([1e-2, 5e-3, 2.5e-3], a.Epochs.Select(e => e.LearningRate));
    }

    [Fact]
    public void TrainsAndReportsValidationMetrics()
    {
        var (x, y) = Data(1, 128);
        var (xv, yv) = Data(2, 64);
        using var model = new Mlp([2, 32, 32, 1], new Generator(3), Activation.Tanh);
        var opt = new Adam(model.Parameters(), 1e-2);
        var log = new StringWriter();
        var history = new Trainer(model, opt, options: new TrainerOptions
        {
            Epochs = 60,
            BatchSize = 16,
            Seed = 4,
            Metrics = new Dictionary<string, Func<Tensor, Tensor, Tensor>> { ["rel_l2"] = (p, t) => Losses.RelativeL2(p, t) },
            Callbacks = [new LoggingCallback(log, everyEpochs: 20)],
        }).Fit(x, y, xv, yv);
        var first = history.Epochs[0];
        var last = history.Last!;
        Assert.True(last.TrainLoss < first.TrainLoss / 10, $"{first.TrainLoss} → {last.TrainLoss}");
        Assert.True(last.ValidationLoss < 0.02, last.ToString());
        Assert.True(last.ValidationMetrics["rel_l2"] < 0.06, last.ToString());
        Assert.True(last.TryGet("val_rel_l2", out _));
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("epoch 20/60  loss ", lines[0]);
        Assert.Contains("val_rel_l2", lines[0]);
    }

    [Fact]
    public void EarlyStoppingStopsAndRestoresTheBestWeights()
    {
        var (x, y) = Data(5, 32);
        using var model = new Mlp([2, 8, 1], generator: new Generator(6));
        // A learning rate this large diverges, so the validation loss stops improving quickly.
        var opt = new Sgd(model.Parameters(), 3.0);
        var stop = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
        var history = new Trainer(model, opt, options: new TrainerOptions { Epochs = 100, BatchSize = 0, StopOnNonFiniteLoss = false, Callbacks = [stop] })
            .Fit(x, y, x, y);
        Assert.True(history.StoppedEarly);
        Assert.Contains("did not improve", history.StopReason);
        Assert.Equal(stop.BestEpoch + 3, history.Epochs.Count);
        var trainer = new Trainer(model, opt, options: new TrainerOptions { BatchSize = 0 });
        Assert.Equal(stop.Best, trainer.Evaluate(x, y).Loss, 12);
    }

    [Fact]
    public void NonFiniteLossStopsWithoutApplyingTheStep()
    {
        var (x, y) = Data(7, 16);
        using var model = new Mlp([2, 4, 1], generator: new Generator(8));
        var opt = new Sgd(model.Parameters(), 0.1);
        var before = model.Parameters().First().ToArray<float>();
        var history = new Trainer(model, opt, (p, t) => Losses.Mse(p, t).Mul(double.NaN), new TrainerOptions { Epochs = 3 }).Fit(x, y);
        Assert.True(history.StoppedEarly);
        Assert.Contains("NaN", history.StopReason);
        Assert.Empty(history.Epochs);
        Assert.Equal(before, model.Parameters().First().ToArray<float>());
    }

    [Fact]
    public void CheckpointCallbackWritesEveryNEpochsAndTheRunResumes()
    {
        var (x, y) = Data(9, 40);
        var options = new Func<TrainingCallback[], int, TrainerOptions>((cbs, epochs) => new TrainerOptions
        {
            Epochs = epochs, BatchSize = 8, Shuffle = false, Callbacks = cbs,
        });
        using var full = new Mlp([2, 8, 1], generator: new Generator(10));
        var fullHistory = new Trainer(full, new Adam(full.Parameters(), 1e-2), options: options([], 5)).Fit(x, y);

        using var part = new Mlp([2, 8, 1], generator: new Generator(10));
        var ckpt = new CheckpointCallback(System.IO.Path.Combine(dir, "run_{epoch}.safetensors"), everyEpochs: 2);
        new Trainer(part, new Adam(part.Parameters(), 1e-2), options: options([ckpt], 3)).Fit(x, y);
        Assert.Equal(["run_2.safetensors", "run_3.safetensors"], ckpt.Written.Select(System.IO.Path.GetFileName));

        using var resumed = new Mlp([2, 8, 1], generator: new Generator(99));
        var opt = new Adam(resumed.Parameters(), 1e-2);
        var meta = Checkpoint.Load(ckpt.Written[0], resumed, opt);
        Assert.Equal("2", meta["epoch"]);
        var rest = new Trainer(resumed, opt, options: options([], 3)).Fit(x, y);
        Assert.Equal(fullHistory.BatchLosses.Skip(10), rest.BatchLosses); // epochs 3–5, bitwise
    }

    [Fact]
    public void LbfgsIsRejected()
    {
        using var model = new Mlp([2, 4, 1], new Generator(0));
        Assert.Throws<ArgumentException>(() => new Trainer(model, new Lbfgs(model.Parameters())));
    }
}

/// <summary>Tests that read the process-wide pool counters run alone.</summary>
[CollectionDefinition(nameof(PoolCounters), DisableParallelization = true)]
public sealed class PoolCounters
{
}

[Collection(nameof(PoolCounters))]
public sealed class TrainingMemoryTests
{
    private sealed class LiveBytesProbe : TrainingCallback
    {
        public List<long> LiveBytes { get; } = new();

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics) => LiveBytes.Add(CpuBackend.Instance.Pool.LiveBytes);
    }

    private static void SettleFinalizers()
    {
        // Tensors other tests left undisposed return their buffers from finalizers; let that happen first.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [Fact]
    public void MemoryStaysFlatAcrossEpochs()
    {
        var (x, y) = TrainerTests.Data(13, 64);
        var gen = new Generator(0);
        using var model = new Sequential(new Linear(2, 32, gen), new LayerNorm(32), new Gelu(), new Dropout(0.2, new Generator(1)), new Linear(32, 1, gen));
        var opt = new Adam(model.Parameters(), 1e-3);
        var probe = new LiveBytesProbe();
        SettleFinalizers(); // the data set's temporaries are garbage now
        new Trainer(model, opt, options: new TrainerOptions
        {
            Epochs = 6,
            BatchSize = 16,
            ClipGradNorm = 1,
            Metrics = new Dictionary<string, Func<Tensor, Tensor, Tensor>> { ["l1"] = (p, t) => Losses.L1(p, t) },
            Callbacks = [probe],
        }).Fit(x, y, x, y);
        // After the first epoch (which creates optimizer step state and gradients) nothing grows.
        Assert.All(probe.LiveBytes.Skip(1), b => Assert.Equal(probe.LiveBytes[1], b));
    }

    [Fact]
    public void FusedOptimizerStepsAllocateNothing()
    {
        SettleFinalizers();
        var p = Tensor.Randn([1000], new Generator(1)).RequiresGrad_();
        p.Grad = Tensor.Randn([1000], new Generator(2));
        Optimizer[] optimizers = [new Sgd([p], 0.01, momentum: 0.9, nesterov: true), new Adam([p]), new AdamW([p])];
        foreach (var opt in optimizers)
        {
            opt.Step();
            long before = CpuBackend.Instance.Pool.LiveBytes;
            for (int i = 0; i < 10; i++) opt.Step();
            Assert.Equal(before, CpuBackend.Instance.Pool.LiveBytes);
        }
    }
}
