using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SciKernels.Autograd;
using SciKernels.Data;
using SciKernels.NN;
using SciKernels.Operators;
using SciKernels.Optim;
using SciKernels.Random;
using SciKernels.Training;
using SciKernels.Training.Distributed;

namespace SciKernels.Cli;

/// <summary>Settings of an FNO training run (the <c>train fno</c> options).</summary>
/// <remarks><c>Padding</c> &lt; 0 takes the problem's default (0 for Burgers, 9 for Darcy). <c>DataFile</c>: the paper's
/// .mat data instead of generated data (Darcy only). <c>PhysicsWeight</c>/<c>Labelled</c> (Darcy only): physics-informed
/// training with λ and the number of labelled training samples; both null for plain supervised training.</remarks>
internal sealed record FnoRunSettings(
    string Problem, int Resolution, int NTrain, int NTest, int Epochs, int Width, int Modes, int Batch,
    double LearningRate, double WeightDecay, string Schedule, ulong Seed, string Device, string OutDir, string DataDir, bool Json,
    int Padding = -1, int Refine = 1, string? DataFile = null, double? PhysicsWeight = null, int? Labelled = null,
    string? Resume = null, int CheckpointEvery = 0)
{
    /// <summary>What the model, data and trajectory depend on: every setting but where files go and how the run is split up.</summary>
    public string Recipe() => JsonSerializer.Serialize(this with { OutDir = "", DataDir = "", Json = false, Resume = null, CheckpointEvery = 0 });

    /// <summary>True when the run uses the physics-informed loss (either option given).</summary>
    public bool PhysicsInformed => PhysicsWeight is not null || Labelled is not null;
}

/// <summary>
/// One built-in FNO benchmark: its data as channels-last tensors, how its model's output is decoded,
/// the classical solver to compare against and its prediction plot. Everything else (training,
/// evaluation, checkpoint, results) is shared by <see cref="FnoExperiment"/>.
/// </summary>
internal abstract class FnoProblem
{
    /// <summary>Training inputs/targets and test inputs/targets, [n, spatial…, 1].</summary>
    public required Tensor TrainX, TrainY, TestX, TestY;

    /// <summary>Spatial dimensions (1 or 2).</summary>
    public abstract int Dimensions { get; }

    /// <summary>Zero padding of the FNO when the user does not choose one.</summary>
    public abstract int DefaultPadding { get; }

    /// <summary>Short description for titles, e.g. "Burgers (s=1024)".</summary>
    public abstract string Title { get; }

    /// <summary>Wraps the FNO if the problem decodes its output (identity by default).</summary>
    public virtual Module Wrap(Fno fno) => fno;

    /// <summary>Runs the classical solver on the test inputs; returns its wall time in seconds.</summary>
    public abstract double TimeSolver();

    /// <summary>Writes the prediction figure for the first test samples.</summary>
    public abstract void PlotPredictions(string path, double[] prediction, double testError);

    /// <summary>Training and test targets packed for <see cref="DarcyPhysicsLoss"/> (the first <paramref name="labelled"/> training samples labelled).</summary>
    public virtual (Tensor Train, Tensor Test) PhysicsTargets(int labelled)
        => throw new OptionException($"--physics-weight is not available for {Title}");

    public static FnoProblem Load(FnoRunSettings s, SciKernels.Device device, Action<string> log) => s.Problem switch
    {
        "burgers" => BurgersProblem.Create(s, device, log),
        "darcy" => DarcyProblem.Create(s, device, log),
        _ => throw new OptionException($"--problem must be burgers or darcy, got '{s.Problem}'"),
    };
}

/// <summary>Burgers 1-D (Li et al. §5.1): u₀ ↦ u(·, 1), raw data, no normalisation (as the paper's fourier_1d.py).</summary>
internal sealed class BurgersProblem : FnoProblem
{
    private BurgersDataset data = null!;
    private FnoRunSettings settings = null!;

    public override int Dimensions => 1;
    public override int DefaultPadding => 0;
    public override string Title => $"Burgers (s={settings.Resolution})";

    public static BurgersProblem Create(FnoRunSettings s, SciKernels.Device device, Action<string> log)
    {
        if (s.Resolution % 2 != 0) throw new OptionException($"--resolution must be even for burgers, got {s.Resolution}");
        if (s.DataFile is not null) throw new OptionException("--data-file is supported for --problem darcy only so far");
        var data = BurgersDataset.Load(s.NTrain + s.NTest, s.Resolution, s.Seed, s.DataDir, log);
        var (xtr, ytr) = data.Slice(0, s.NTrain, DType.Float32, device);
        var (xte, yte) = data.Slice(s.NTrain, s.NTest, DType.Float32, device);
        return new BurgersProblem
        {
            data = data,
            settings = s,
            TrainX = xtr.Reshape(s.NTrain, s.Resolution, 1),
            TrainY = ytr.Reshape(s.NTrain, s.Resolution, 1),
            TestX = xte.Reshape(s.NTest, s.Resolution, 1),
            TestY = yte.Reshape(s.NTest, s.Resolution, 1),
        };
    }

    public override double TimeSolver()
    {
        var inputs = data.Inputs.AsSpan(settings.NTrain * settings.Resolution, settings.NTest * settings.Resolution).ToArray();
        var sw = Stopwatch.StartNew();
        BurgersSolver.Solve(inputs, settings.Resolution, BurgersDataset.Viscosity, 1.0);
        return sw.Elapsed.TotalSeconds;
    }

    public override void PlotPredictions(string path, double[] prediction, double testError)
    {
        int n = settings.Resolution;
        var samples = new List<(double[], double[], double[])>();
        for (int i = 0; i < Math.Min(3, settings.NTest); i++)
        {
            int off = (settings.NTrain + i) * n;
            samples.Add((data.Inputs.AsSpan(off, n).ToArray(), data.Targets.AsSpan(off, n).ToArray(), prediction.AsSpan(i * n, n).ToArray()));
        }
        Plots.Predictions1d(path, samples, $"FNO vs solver, test rel. L2 {testError:F4}");
    }
}

/// <summary>
/// Darcy 2-D (Li et al. §5.2): a ↦ u on an s×s grid. As the paper's fourier_2d.py, a and u are
/// normalised with UnitGaussianNormalizer statistics — the mean and standard deviation of every grid
/// point over the training samples (pointwise, not per sample) — the input is encoded before the
/// network and the network's output is decoded (out·σ_u + μ_u) inside the model, so the relative-L2
/// loss and the reported error are on the physical u.
/// </summary>
internal sealed class DarcyProblem : FnoProblem
{
    private DarcyDataset data = null!;
    private FnoRunSettings settings = null!;
    private Tensor yMean = null!, yStd = null!;

    public override int Dimensions => 2;
    public override int DefaultPadding => 9;
    public override string Title => $"Darcy (s={settings.Resolution})";

    public static DarcyProblem Create(FnoRunSettings s, SciKernels.Device device, Action<string> log)
    {
        DarcyDataset data;
        if (s.DataFile is null) data = DarcyDataset.Load(s.NTrain + s.NTest, s.Resolution, s.Seed, s.DataDir, log, s.Refine);
        else
        {
            try
            {
                data = DarcyDataset.FromMatFile(s.DataFile, s.Resolution, s.NTrain + s.NTest);
            }
            catch (MatFileException e)
            {
                throw new OptionException($"--data-file {s.DataFile}: {e.Message}");
            }
            log($"darcy: read {data.Count} samples at s={s.Resolution} from {s.DataFile}");
        }
        var (xtr, ytr) = data.Slice(0, s.NTrain, DType.Float32, device);
        var (xte, yte) = data.Slice(s.NTrain, s.NTest, DType.Float32, device);
        Tensor xMean, xStd, yMean, yStd;
        using (GradMode.NoGrad())
        {
            // Inputs are known for every sample; the output statistics may only use the labelled ones.
            (xMean, xStd) = PointwiseStats(xtr);
            (yMean, yStd) = PointwiseStats(s.Labelled is { } k ? ytr.Narrow(0, 0, k) : ytr);
            xtr = xtr.Sub(xMean).Div(xStd);
            xte = xte.Sub(xMean).Div(xStd);
        }
        int r = s.Resolution;
        return new DarcyProblem
        {
            data = data,
            settings = s,
            yMean = yMean,
            yStd = yStd,
            TrainX = xtr.Reshape(s.NTrain, r, r, 1),
            TrainY = ytr.Reshape(s.NTrain, r, r, 1),
            TestX = xte.Reshape(s.NTest, r, r, 1),
            TestY = yte.Reshape(s.NTest, r, r, 1),
        };
    }

    /// <summary>UnitGaussianNormalizer: mean and std (population, + 1e-5 as in the paper) of each point over the samples.</summary>
    private static (Tensor Mean, Tensor Std) PointwiseStats(Tensor x)
    {
        var mean = x.Mean(new[] { 0 }, keepDim: true);
        var std = x.Sub(mean).Square().Mean(new[] { 0 }, keepDim: true).Sqrt().Add(1e-5);
        return (mean, std);
    }

    public override (Tensor Train, Tensor Test) PhysicsTargets(int labelled)
    {
        int r = settings.Resolution;
        Tensor Pack(int start, int count, int labels, Tensor u)
        {
            var (a, _) = data.Slice(start, count, DType.Float32, u.Device);
            var shape = new[] { count, r, r, 1 };
            return DarcyPhysicsLoss.PackTargets(u, a.Reshape(shape), Tensor.Full(shape, 1.0, DType.Float32, u.Device), labels); // f = 1 (DarcyDataset)
        }
        return (Pack(0, settings.NTrain, labelled, TrainY), Pack(settings.NTrain, settings.NTest, settings.NTest, TestY));
    }

    public override Module Wrap(Fno fno) => new DecodedOutput(fno, yMean.Reshape(1, settings.Resolution, settings.Resolution, 1),
        yStd.Reshape(1, settings.Resolution, settings.Resolution, 1));

    public override double TimeSolver()
    {
        int p = settings.Resolution * settings.Resolution;
        var a = data.Inputs.AsSpan(settings.NTrain * p, settings.NTest * p).ToArray();
        var u = new double[a.Length];
        var sw = Stopwatch.StartNew();
        DarcySolver.SolveBatch(a, u, settings.Resolution);
        return sw.Elapsed.TotalSeconds;
    }

    public override void PlotPredictions(string path, double[] prediction, double testError)
    {
        int r = settings.Resolution, p = r * r, off = settings.NTrain * p;
        Plots.Predictions2d(path, data.Inputs.AsSpan(off, p).ToArray(), data.Targets.AsSpan(off, p).ToArray(),
            prediction.AsSpan(0, p).ToArray(), r, $"FNO on Darcy (s={r}), test sample 0; test rel. L2 {testError:F4}");
    }
}

/// <summary>The paper's decoding of a normalised output: model(x)·σ + μ, with σ and μ saved as buffers.</summary>
internal sealed class DecodedOutput : Module
{
    public DecodedOutput(Module inner, Tensor mean, Tensor std)
    {
        RegisterModule("fno", inner);
        RegisterBuffer("y_mean", mean);
        RegisterBuffer("y_std", std);
    }

    public override Tensor Forward(Tensor input)
        => NamedChildren().First().Module.Forward(input).Mul(GetBuffer("y_std")!).Add(GetBuffer("y_mean")!);
}

/// <summary>
/// Trains an FNO on a built-in data set, the way Li et al. 2021 do (Adam, relative-L2 loss, step
/// schedule), and writes a checkpoint, PNG plots and results.json into the output folder.
/// </summary>
internal static class FnoExperiment
{
    public static int Run(FnoRunSettings s, TextWriter stdout, TextWriter stderr)
    {
        var device = SciKernels.Device.Parse(s.Device);
        // Under mpirun: data-parallel over the ranks; rank 0 alone prints and writes files.
        var comm = MpiComm.World;
        if (comm.Size > 1 && s.PhysicsInformed)
            throw new OptionException("--physics-weight and --ntrain-labelled are not data-parallel yet (their loss is not a per-sample mean); run them without mpirun");
        if (!comm.IsRoot) stdout = TextWriter.Null;
        if (comm.IsRoot) Directory.CreateDirectory(s.OutDir);
        var log = s.Json ? (Action<string>)(m => stderr.WriteLine(m)) : m => stdout.WriteLine(m);
        if (!comm.IsRoot) log = _ => { };
        var total = Stopwatch.StartNew();

        // Rank 0 generates (and caches) the data first, so the ranks do not all write the same cache file.
        if (!comm.IsRoot) comm.Barrier();
        var problem = FnoProblem.Load(s, device, log);
        if (comm.IsRoot) comm.Barrier();
        int padding = s.Padding >= 0 ? s.Padding : problem.DefaultPadding;
        var fnoOptions = new FnoOptions(Enumerable.Repeat(s.Modes, problem.Dimensions).ToArray(), s.Width, Padding: padding);
        var model = problem.Wrap(new Fno(fnoOptions, new Generator(s.Seed + 1), DType.Float32, device));
        var optimizer = new Adam(model.Parameters(), s.LearningRate, weightDecay: s.WeightDecay);
        int stepsPerEpoch = (s.NTrain + s.Batch - 1) / s.Batch;
        long totalSteps = (long)stepsPerEpoch * s.Epochs;
        LRSchedule schedule = s.Schedule switch
        {
            "cosine" => new CosineAnnealingLR(totalSteps),
            "step" => new StepLR(Math.Max(1, totalSteps / 5), 0.5), // the paper halves the rate 5 times (every 100 of 500 epochs)
            _ => throw new OptionException($"--schedule must be step or cosine, got '{s.Schedule}'"),
        };
        log($"fno: {problem.Title}, {model.ParameterCount} parameters, width {s.Width}, modes {s.Modes}, padding {padding}, ntrain {s.NTrain}, ntest {s.NTest}, {s.Epochs} epochs × {stepsPerEpoch} steps, {s.Schedule} schedule, device {device}");
        // Physics-informed: targets carry (u, a, f, labelled); the FNO's output is already cropped to the s×s grid and decoded.
        var physics = s.PhysicsInformed ? new DarcyPhysicsLoss(s.PhysicsWeight ?? 0) : null;
        int labelled = s.Labelled ?? s.NTrain;
        var (trainTargets, testTargets) = physics is null ? (problem.TrainY, problem.TestY) : problem.PhysicsTargets(labelled);
        int startEpoch = s.Resume is null ? 0 : Resume(s, model, optimizer);
        if (startEpoch > 0) log($"fno: resuming after epoch {startEpoch} from {s.Resume}");
        if (physics is not null) log($"fno: physics-informed loss, λ = {physics.PhysicsWeight:G3}, {labelled} of {s.NTrain} training samples labelled");
        if (comm.Size > 1) log($"fno: data-parallel over {comm.Size} MPI ranks, {s.Batch} samples per global batch");
        var progress = new ConsoleTrainingProgress(s.Json || !comm.IsRoot ? ProgressDisplay.None : ProgressDisplay.Auto);
        // The recipe the ranks must agree on: every setting but where files go (a node-local cache may differ).
        var dataParallel = comm.Size > 1 ? new DataParallel(comm, s.Recipe(), overlap: MpiLaunch.Overlap) : null;
        using var metricsCsv = new EpochMetricsCsv(Path.Combine(s.OutDir, MetricsLog.FileName));
        // Resumable checkpoints (model, Adam state, epoch, recipe); any rank count may resume them.
        var callbacks = new List<TrainingCallback> { metricsCsv };
        if (s.CheckpointEvery > 0)
            callbacks.Add(new CheckpointCallback(Path.Combine(s.OutDir, "checkpoint-{epoch}.safetensors"), s.CheckpointEvery, includeOptimizer: true,
                new Dictionary<string, string> { [RecipeKey] = s.Recipe() }));
        var trainer = new Trainer(model, optimizer, physics is null ? (p, t) => Losses.RelativeL2(p, t) : physics.Loss, new TrainerOptions
        {
            Metrics = physics?.Metrics ?? new Dictionary<string, Func<Tensor, Tensor, Tensor>>(),
            Epochs = s.Epochs,
            BatchSize = s.Batch,
            Seed = s.Seed,
            Scheduler = new LRScheduler(optimizer, schedule),
            StepSchedulerPerBatch = true,
            ValidationBatchSize = 50,
            Progress = progress,
            Callbacks = callbacks,
            StartEpoch = startEpoch,
            DataParallel = dataParallel,
        });
        var trainTime = Stopwatch.StartNew();
        var history = progress.Run(() => trainer.Fit(problem.TrainX, trainTargets, problem.TestX, testTargets));
        double trainSeconds = trainTime.Elapsed.TotalSeconds;
        if (!comm.IsRoot) return 0; // the model is the same on every rank: rank 0 evaluates and writes

        // Final test error, per-sample relative L2 averaged as in the paper.
        model.Eval();
        double testError;
        double[] prediction;
        using (GradMode.NoGrad())
        using (var warm = TensorScope.Begin())
            Predict(model, problem.TestX, 50); // warm-up (JIT, pooled buffers): time the steady state
        var inferenceTime = Stopwatch.StartNew();
        using (GradMode.NoGrad())
        using (var scope = TensorScope.Begin())
        {
            var pred = Predict(model, problem.TestX, 50);
            inferenceTime.Stop();
            testError = Losses.RelativeL2PerSample(pred, problem.TestY).Mean().Item();
            prediction = pred.ToArray<double>();
        }
        double inferenceSeconds = inferenceTime.Elapsed.TotalSeconds;
        double solverSeconds = problem.TimeSolver(); // the speed-up over our own solver on the same test inputs

        string checkpoint = Path.Combine(s.OutDir, "model.safetensors");
        Checkpoint.Save(checkpoint, model, optimizer, new Dictionary<string, string>
        {
            ["problem"] = s.Problem,
            ["test_relative_l2"] = testError.ToString("R", CultureInfo.InvariantCulture),
            ["settings"] = JsonSerializer.Serialize(s),
        });
        string lossPng = Path.Combine(s.OutDir, "loss_curves.png");
        if (physics is null)
            Plots.LossCurves(lossPng, history.Epochs.Select(e => e.TrainLoss).ToList(),
                history.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToList(), $"FNO on {problem.Title}");
        else
            Plots.LossCurves(lossPng, new (string, IReadOnlyList<double>)[]
            {
                ($"train data (rel. L2, {labelled} labelled)", Curve(history, "data", validation: false)),
                ("test rel. L2", Curve(history, "data", validation: true)),
                ("train physics mean(r²)/mean(f²)", Curve(history, "physics", validation: false)),
                ("test physics", Curve(history, "physics", validation: true)),
            }, $"PINO-loss FNO on {problem.Title}, λ = {physics.PhysicsWeight:G3}", "log10 loss");
        string predPng = Path.Combine(s.OutDir, "predictions.png");
        problem.PlotPredictions(predPng, prediction, testError);

        var results = new Dictionary<string, object>
        {
            ["problem"] = s.Problem,
            ["test_relative_l2"] = testError,
            ["final_train_loss"] = history.Epochs.Count > 0 ? history.Epochs[^1].TrainLoss : double.NaN,
            ["epochs"] = history.Epochs.Count,
            ["parameters"] = model.ParameterCount,
            ["padding"] = padding,
            ["train_seconds"] = trainSeconds,
            ["total_seconds"] = total.Elapsed.TotalSeconds,
            ["inference_seconds"] = inferenceSeconds,
            ["solver_seconds"] = solverSeconds,
            ["speedup_vs_solver"] = solverSeconds / inferenceSeconds,
            ["checkpoint"] = checkpoint,
            ["plots"] = new[] { lossPng, predPng },
            ["metrics"] = metricsCsv.Path,
            ["settings"] = s,
            ["ranks"] = comm.Size,
            ["train_steps"] = history.BatchLosses.Count,
            ["allreduce_seconds"] = dataParallel?.AllreduceTime.TotalSeconds ?? 0.0,
            ["allreduce_exposed_seconds"] = dataParallel?.ExposedAllreduceTime.TotalSeconds ?? 0.0,
            ["batch_losses"] = history.BatchLosses,
        };
        if (physics is not null)
        {
            results["physics_weight"] = physics.PhysicsWeight;
            results["ntrain_labelled"] = labelled;
            results["final_train_data_loss"] = Last(history, "data", validation: false);
            results["final_train_physics_loss"] = Last(history, "physics", validation: false);
            results["final_test_physics_loss"] = Last(history, "physics", validation: true);
            results["train_data_loss_curve"] = Curve(history, "data", validation: false);
            results["train_physics_loss_curve"] = Curve(history, "physics", validation: false);
            results["test_data_loss_curve"] = Curve(history, "data", validation: true);
            results["test_physics_loss_curve"] = Curve(history, "physics", validation: true);
        }
        string json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true });
        RunFiles.WriteAllText(Path.Combine(s.OutDir, "results.json"), json);
        if (s.Json) stdout.WriteLine(json);
        else
        {
            stdout.WriteLine($"test relative L2: {testError:F4} ({s.NTest} samples, {problem.Title}); training {trainSeconds:F1} s, total {total.Elapsed.TotalSeconds:F1} s");
            double ratio = solverSeconds / inferenceSeconds;
            // Small grids (or a loaded machine) can make the solver win: say so instead of printing "0× faster".
            string verdict = ratio >= 1 ? $"{ratio:F0}× faster" : $"{1 / ratio:F1}× slower than the solver at this size";
            stdout.WriteLine($"inference {inferenceSeconds * 1e3:F1} ms for {s.NTest} samples vs {solverSeconds * 1e3:F0} ms for the numerical solver ({verdict})");
            stdout.WriteLine($"checkpoint: {checkpoint}");
            stdout.WriteLine($"plots: {lossPng}, {predPng}");
        }
        return 0;
    }

    private const string RecipeKey = "fno_recipe";

    // Loads a --checkpoint-every file into the model and optimizer; returns the epochs it had trained.
    private static int Resume(FnoRunSettings s, Module model, Optimizer optimizer)
    {
        if (!File.Exists(s.Resume)) throw new OptionException($"--resume {s.Resume}: no such file");
        // The recipe first: a checkpoint of other settings would otherwise fail on a shape, less clearly.
        var meta = SciKernels.IO.SafeTensorsFile.Read(s.Resume!).Metadata ?? new Dictionary<string, string>();
        if (!meta.TryGetValue(RecipeKey, out var recipe) || !meta.TryGetValue("epoch", out var epochText)
            || !int.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
            throw new OptionException($"--resume {s.Resume}: not a checkpoint of train fno --checkpoint-every (no '{RecipeKey}' and 'epoch' metadata)");
        if (recipe != s.Recipe())
            throw new OptionException($"--resume {s.Resume}: the checkpoint was trained with other settings ({recipe}); resume with the same options (all but --out, --data-dir, --json, --checkpoint-every)");
        if (epoch > s.Epochs) throw new OptionException($"--resume {s.Resume}: the checkpoint is of epoch {epoch}, beyond --epochs {s.Epochs}");
        Checkpoint.Load(s.Resume!, model, optimizer);
        return epoch;
    }

    private static double[] Curve(TrainingHistory history, string metric, bool validation)
        => history.Epochs.Select(e => (validation ? e.ValidationMetrics : e.TrainMetrics).GetValueOrDefault(metric, double.NaN)).ToArray();

    private static double Last(TrainingHistory history, string metric, bool validation)
        => history.Epochs.Count == 0 ? double.NaN : Curve(history, metric, validation)[^1];

    private static Tensor Predict(Module model, Tensor x, int batch)
    {
        var parts = new List<Tensor>();
        for (int i = 0; i < x.Shape[0]; i += batch)
        {
            // One scope per batch: its intermediates go back to the pool before the next batch, so
            // the pass reuses warm buffers instead of faulting in fresh pages for every layer.
            using var scope = TensorScope.Begin();
            parts.Add(scope.Return(model.Forward(x.Narrow(0, i, Math.Min(batch, x.Shape[0] - i)))));
        }
        return Tensor.Concat(parts, 0);
    }
}
