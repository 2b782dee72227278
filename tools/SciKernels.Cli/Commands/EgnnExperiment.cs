using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SciKernels.Autograd;
using SciKernels.Data;
using SciKernels.Equivariant;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Random;
using SciKernels.Training;
using SciKernels.Training.Distributed;

namespace SciKernels.Cli;

/// <summary>Settings of an EGNN training run (the <c>train egnn</c> options).</summary>
/// <remarks><c>TimeLimitMinutes</c> ≤ 0 and <c>Patience</c> ≤ 0 switch those limits off. <c>Schedule</c>: "none" (the
/// reference's constant rate) or "cosine" (annealed to 0 over <c>Epochs</c>, per step; not the paper's recipe).</remarks>
internal sealed record EgnnRunSettings(
    string Problem, int NTrain, int NVal, int NTest, int Epochs, int Hidden, int Layers, int Batch,
    double LearningRate, double WeightDecay, int ValEvery, int Patience, double TimeLimitMinutes,
    ulong Seed, ulong DataSeed, string OutDir, string DataDir, bool Json, string Schedule = "none", string Data = "reference");

/// <summary>
/// The EGNN of the N-body experiment behind the single-tensor <see cref="Module.Forward(Tensor)"/> that
/// <see cref="Trainer"/> slices: a row is one system, [B, 5, 7] = (position 3, velocity 3, charge 1) per
/// particle; the output is the predicted positions [B, 5, 3]. Node feature ‖v‖ and edge attributes
/// [q_i q_j, ‖x_i − x_j‖²] are built here as in the reference's main_nbody.py.
/// </summary>
internal sealed class NBodyEgnn : Module
{
    /// <summary>Values per particle in a packed row: position, velocity, charge.</summary>
    public const int PackedWidth = 2 * NBodyDataset.Dimensions + 1;

    private readonly Dictionary<int, (Tensor Senders, Tensor Receivers)> edges = new();

    /// <summary>Wraps <paramref name="model"/> (built with 1 node feature and 2 edge attributes).</summary>
    public NBodyEgnn(EgnnVel model) => Model = RegisterModule("egnn", model);

    /// <summary>The wrapped model (what the checkpoint stores).</summary>
    public EgnnVel Model { get; }

    /// <summary>Packs the first <paramref name="count"/> systems of <paramref name="data"/> as inputs [count, 5, 7] and targets [count, 5, 3].</summary>
    public static (Tensor Inputs, Tensor Targets) Pack(NBodyDataset data, int count)
    {
        const int p = NBodyDataset.Particles, d = NBodyDataset.Dimensions;
        var x = new double[count * p * PackedWidth];
        for (int k = 0; k < count * p; k++)
        {
            for (int c = 0; c < d; c++)
            {
                x[k * PackedWidth + c] = data.Positions[k * d + c];
                x[k * PackedWidth + d + c] = data.Velocities[k * d + c];
            }
            x[k * PackedWidth + 2 * d] = data.Charges[k];
        }
        return (Tensor.FromDoubles(x, [count, p, PackedWidth]), Tensor.FromDoubles(data.Targets.AsSpan(0, count * p * d), [count, p, d]));
    }

    /// <summary>Predicted positions [B, 5, 3] of packed systems [B, 5, 7].</summary>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 3 || input.Shape[1] != NBodyDataset.Particles || input.Shape[2] != PackedWidth)
            throw new TensorException(nameof(NBodyEgnn), $"input must be [B, {NBodyDataset.Particles}, {PackedWidth}], got [{string.Join(", ", input.Shape.ToArray())}]");
        int b = input.Shape[0], n = b * NBodyDataset.Particles;
        var (senders, receivers) = Edges(b);
        var rows = input.Reshape(n, PackedWidth);
        var x = rows.Narrow(1, 0, NBodyDataset.Dimensions);
        var v = rows.Narrow(1, NBodyDataset.Dimensions, NBodyDataset.Dimensions);
        var q = rows.Narrow(1, 2 * NBodyDataset.Dimensions, 1);
        var speed = v.Square().Sum(1, keepDim: true).Sqrt();
        var qq = q.IndexSelect(0, receivers).Mul(q.IndexSelect(0, senders));
        var distance = x.IndexSelect(0, receivers).Sub(x.IndexSelect(0, senders)).Square().Sum(1, keepDim: true);
        var edgeAttributes = Tensor.Concat([qq, distance], 1);
        return Model.Forward(speed, x, senders, receivers, v, edgeAttributes).Reshape(b, NBodyDataset.Particles, NBodyDataset.Dimensions);
    }

    /// <summary>Fully connected edges of B stacked systems, built once per batch size and kept out of every tensor scope.</summary>
    private (Tensor Senders, Tensor Receivers) Edges(int graphs)
    {
        if (edges.TryGetValue(graphs, out var cached)) return cached;
        var (s, r) = NBodyDataset.FullyConnectedEdges(graphs);
        var device = Model.Parameters().First().Device;
        Tensor Index(long[] values)
        {
            var t = Tensor.FromArray(values, values.Length);
            return TensorScope.Keep(t.Device == device ? t : t.To(device));
        }
        var e = (Index(s), Index(r));
        edges[graphs] = e;
        return e;
    }
}

/// <summary>
/// Validates every <c>ValEvery</c> epochs (and before a stop), writes the checkpoint at each improvement,
/// stops on patience or the wall-clock budget, and loads the best checkpoint back at the end — the
/// reference's "test loss at the best validation epoch".
/// </summary>
internal sealed class PeriodicValidation(EgnnRunSettings s, NBodyEgnn model, Trainer evaluator, Tensor valX, Tensor valY,
    Action<string> log, Func<int, double, IReadOnlyDictionary<string, string>> checkpointMetadata, string checkpointPath, DataParallel? dataParallel = null)
    : BudgetedValidation(s.TimeLimitMinutes, s.Epochs, s.ValEvery, dataParallel)
{
    private int badValidations;

    /// <summary>(epoch, validation MSE) of every validation.</summary>
    public List<(int Epoch, double Loss)> Curve { get; } = new();

    /// <inheritdoc/>
    protected override void Validate(TrainingContext context, EpochMetrics metrics)
    {
        // Data-parallel: each rank evaluates its contiguous share and the sums are reduced (collective; the schedule is agreed).
        double val = evaluator.Evaluate(valX, valY, Ranks).Loss;
        Curve.Add((metrics.Epoch, val));
        if (Improved(metrics.Epoch, val))
        {
            badValidations = 0;
            if (context.WritesFiles) Checkpoint.Save(checkpointPath, model.Model, null, checkpointMetadata(BestEpoch, BestLoss));
        }
        else badValidations++;
        log(string.Create(CultureInfo.InvariantCulture,
            $"epoch {metrics.Epoch}: train MSE {metrics.TrainLoss:0.0000e+00}  val MSE {val:0.0000e+00}  best {BestLoss:0.0000e+00} @ {BestEpoch}  {Clock.Elapsed.TotalMinutes:F1} min (cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalMinutes:F1} min)"));
    }

    /// <inheritdoc/>
    protected override string? EarlyStopReason() =>
        s.Patience > 0 && badValidations >= s.Patience ? $"validation MSE did not improve in {badValidations} validations (best {BestLoss:G6} at epoch {BestEpoch})" : null;

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingContext context)
    {
        // The checkpoint holds the best validation epoch's weights (written at each improvement): load them back.
        // Data-parallel: only rank 0 wrote it, and only rank 0 evaluates afterwards.
        if (BestEpoch > 0 && context.WritesFiles) Checkpoint.Load(checkpointPath, model.Model);
    }
}

/// <summary>
/// The charged N-body experiment of Satorras et al. 2021 (§5.1) as the reference's main_nbody.py runs it:
/// EGNN_vel, Adam, MSE on positions, shuffled batches without the last partial one, validation every few
/// epochs, the test MSE of the best validation epoch. Writes a checkpoint, PNGs and results.json.
/// </summary>
internal static class EgnnExperiment
{
    private static NBodyDataSource Source(EgnnRunSettings s) => s.Data == "scikernels" ? NBodyDataSource.SciKernels : NBodyDataSource.Reference;

    /// <summary>Runs the experiment; returns the exit code.</summary>
    public static int Run(EgnnRunSettings s, TextWriter stdout, TextWriter stderr)
    {
        // Under mpirun: data-parallel over the ranks (systems sharded); rank 0 alone prints and writes files.
        var comm = MpiComm.World;
        if (!comm.IsRoot) stdout = TextWriter.Null;
        if (comm.IsRoot) Directory.CreateDirectory(s.OutDir);
        var log = s.Json ? (Action<string>)(m => stderr.WriteLine(m)) : m => stdout.WriteLine(m);
        if (!comm.IsRoot) log = _ => { };
        var total = Stopwatch.StartNew();

        // Rank 0 generates (and caches) the data first, so the ranks do not all write the same cache files.
        if (!comm.IsRoot) comm.Barrier();
        var train = NBodyDataset.Load(NBodySplit.Train, s.NTrain, s.DataSeed, s.DataDir, log, source: Source(s));
        var val = NBodyDataset.Load(NBodySplit.Validation, s.NVal, s.DataSeed, s.DataDir, log, source: Source(s));
        var test = NBodyDataset.Load(NBodySplit.Test, s.NTest, s.DataSeed, s.DataDir, log, source: Source(s));
        if (comm.IsRoot) comm.Barrier();
        // Packed once: the trainer only gathers rows of these per batch.
        var (trainX, trainY) = NBodyEgnn.Pack(train, s.NTrain);
        var (valX, valY) = NBodyEgnn.Pack(val, s.NVal);
        var (testX, testY) = NBodyEgnn.Pack(test, s.NTest);

        var egnn = new EgnnVel(1, 2, s.Hidden, new Generator(s.Seed + 1), s.Layers);
        var model = new NBodyEgnn(egnn);
        var optimizer = new Adam(model.Parameters(), s.LearningRate, weightDecay: s.WeightDecay);
        int batch = s.Batch;
        int stepsPerEpoch = s.NTrain / batch;
        Func<Tensor, Tensor, Tensor> mse = (p, y) => Losses.Mse(p, y);
        var evaluator = new Trainer(model, optimizer, mse, new TrainerOptions { ValidationBatchSize = 500 });
        string checkpoint = Path.Combine(s.OutDir, "model.safetensors");
        IReadOnlyDictionary<string, string> Metadata(int epoch, double valLoss) => new Dictionary<string, string>
        {
            ["problem"] = s.Problem,
            ["best_epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["val_mse"] = valLoss.ToString("R", CultureInfo.InvariantCulture),
            ["settings"] = JsonSerializer.Serialize(s),
        };
        LRScheduler? scheduler = s.Schedule switch
        {
            "none" => null,
            "cosine" => new LRScheduler(optimizer, new CosineAnnealingLR((long)s.Epochs * stepsPerEpoch)),
            _ => throw new OptionException($"--schedule must be none or cosine, got '{s.Schedule}'"),
        };
        log($"egnn: charged N-body, {model.ParameterCount} parameters, {s.Layers} layers × {s.Hidden} hidden, ntrain {s.NTrain}, nval {s.NVal}, ntest {s.NTest}, " +
            $"batch {batch} ({stepsPerEpoch} steps/epoch), Adam lr {s.LearningRate:G3} wd {s.WeightDecay:G3}, ≤ {s.Epochs} epochs" +
            (s.TimeLimitMinutes > 0 ? $", time limit {s.TimeLimitMinutes:G} min" : "") + (s.Patience > 0 ? $", patience {s.Patience} validations" : "") +
            (scheduler is null ? "" : $", {s.Schedule} schedule"));
        if (comm.Size > 1) log($"egnn: data-parallel over {comm.Size} MPI ranks, {batch} systems per global batch");
        var progress = new ConsoleTrainingProgress(s.Json || !comm.IsRoot ? ProgressDisplay.None : ProgressDisplay.Auto);
        // The recipe the ranks must agree on: every setting but where files go.
        var dataParallel = comm.Size > 1 ? new DataParallel(comm, JsonSerializer.Serialize(s with { OutDir = "", DataDir = "", Json = false }), overlap: MpiLaunch.Overlap) : null;
        var validation = new PeriodicValidation(s, model, evaluator, valX, valY, log, Metadata, checkpoint, dataParallel);
        // The validation callback runs first: its MSE of this epoch (every --val-every epochs) is the val_mse column.
        using var metricsCsv = new EpochMetricsCsv(Path.Combine(s.OutDir, MetricsLog.FileName),
            ("val_mse", m => validation.Curve.Count > 0 && validation.Curve[^1].Epoch == m.Epoch ? validation.Curve[^1].Loss : null));
        var trainer = new Trainer(model, optimizer, mse, new TrainerOptions
        {
            Scheduler = scheduler,
            StepSchedulerPerBatch = true,
            Epochs = s.Epochs,
            BatchSize = batch,
            DropLast = true, // as the reference's training loader
            Seed = s.Seed,
            Callbacks = [validation, metricsCsv],
            Progress = progress,
            DataParallel = dataParallel,
        });
        var trainClock = Stopwatch.StartNew();
        var history = progress.Run(() => trainer.Fit(trainX, trainY));
        double trainSeconds = trainClock.Elapsed.TotalSeconds;
        if (!comm.IsRoot) return 0; // the model is the same on every rank: rank 0 tests and writes
        if (validation.BestEpoch == 0)
            throw new InvalidOperationException($"egnn: no finite validation loss ({history.StopReason ?? "no validation ran"})");

        // The best validation epoch's weights are restored: evaluate the test set once with them.
        double testMse = evaluator.Evaluate(testX, testY).Loss;
        int shown = Math.Min(4, s.NTest);
        double[] prediction;
        using (GradMode.NoGrad())
        using (TensorScope.Begin())
        {
            model.Eval();
            prediction = model.Forward(testX.Narrow(0, 0, shown)).ToArray<double>();
        }
        Checkpoint.Save(checkpoint, egnn, null, new Dictionary<string, string>(Metadata(validation.BestEpoch, validation.BestLoss))
        {
            ["test_mse"] = testMse.ToString("R", CultureInfo.InvariantCulture),
        });

        string lossPng = Path.Combine(s.OutDir, "loss_curves.png");
        var epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        Plots.LossCurves(lossPng, [
            ("train MSE", epochs, history.Epochs.Select(e => e.TrainLoss).ToArray()),
            ("validation MSE", validation.Curve.Select(c => (double)c.Epoch).ToArray(), validation.Curve.Select(c => c.Loss).ToArray()),
        ], $"EGNN on charged N-body: test MSE {testMse:0.00000} (best val. epoch {validation.BestEpoch})", "log10 MSE");
        string predPng = Path.Combine(s.OutDir, "predictions.png");
        var systems = new List<Plots.NBodySystem>();
        const int p = NBodyDataset.Particles, d = NBodyDataset.Dimensions;
        for (int k = 0; k < shown; k++)
            systems.Add(new Plots.NBodySystem(test.Positions.AsSpan(k * p * d, p * d).ToArray(), test.Targets.AsSpan(k * p * d, p * d).ToArray(),
                prediction.AsSpan(k * p * d, p * d).ToArray(), test.Charges.AsSpan(k * p, p).ToArray()));
        Plots.NBodyPredictions(predPng, systems, "EGNN");

        double stepSeconds = history.Epochs.Count == 0 ? double.NaN : history.Epochs.Min(e => e.Elapsed.TotalSeconds) / stepsPerEpoch;
        var results = new Dictionary<string, object>
        {
            ["problem"] = s.Problem,
            ["test_mse"] = testMse,
            ["best_val_mse"] = validation.BestLoss,
            ["best_epoch"] = validation.BestEpoch,
            ["epochs_run"] = history.Epochs.Count,
            ["stop_reason"] = validation.StopReason ?? history.StopReason ?? "epochs done",
            ["final_train_mse"] = history.Last?.TrainLoss ?? double.NaN,
            ["parameters"] = model.ParameterCount,
            ["steps_per_epoch"] = stepsPerEpoch,
            ["fastest_epoch_seconds_per_step"] = stepSeconds,
            ["train_seconds"] = trainSeconds,
            ["total_seconds"] = total.Elapsed.TotalSeconds,
            // Process CPU time: on a shared machine wall time overstates the cost; CPU time / wall time shows the share we got.
            ["cpu_seconds"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            ["train_mse_curve"] = history.Epochs.Select(e => e.TrainLoss).ToArray(),
            ["val_curve"] = validation.Curve.Select(c => new[] { c.Epoch, c.Loss }).ToArray(),
            ["checkpoint"] = checkpoint,
            ["plots"] = new[] { lossPng, predPng },
            ["metrics"] = metricsCsv.Path,
            ["settings"] = s,
            ["ranks"] = comm.Size,
            ["allreduce_seconds"] = dataParallel?.AllreduceTime.TotalSeconds ?? 0.0,
            ["allreduce_exposed_seconds"] = dataParallel?.ExposedAllreduceTime.TotalSeconds ?? 0.0,
        };
        string json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true });
        RunFiles.WriteAllText(Path.Combine(s.OutDir, "results.json"), json);
        if (s.Json) stdout.WriteLine(json);
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test MSE: {testMse:0.000000} at the best validation epoch {validation.BestEpoch} (val MSE {validation.BestLoss:0.000000}); {history.Epochs.Count} epochs in {trainSeconds:F1} s ({stepSeconds * 1e3:F1} ms/step), total {total.Elapsed.TotalSeconds:F1} s"));
            if (validation.StopReason is { } why) stdout.WriteLine($"stopped: {why}");
            stdout.WriteLine($"checkpoint: {checkpoint}");
            stdout.WriteLine($"plots: {lossPng}, {predPng}");
        }
        return 0;
    }
}
