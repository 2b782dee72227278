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

namespace SciKernels.Cli;

/// <summary>Settings of an FNO training run (the <c>train fno</c> options).</summary>
internal sealed record FnoRunSettings(
    string Problem, int Resolution, int NTrain, int NTest, int Epochs, int Width, int Modes, int Batch,
    double LearningRate, double WeightDecay, string Schedule, ulong Seed, string Device, string OutDir, string DataDir, bool Json);

/// <summary>
/// Trains an FNO on a built-in data set, the way Li et al. 2021 do (Adam, relative-L2 loss), and
/// writes a checkpoint, PNG plots and results.json into the output folder.
/// </summary>
internal static class FnoExperiment
{
    public static int Run(FnoRunSettings s, TextWriter stdout, TextWriter stderr)
    {
        if (s.Problem != "burgers")
            throw new OptionException($"--problem {s.Problem}: only 'burgers' is available so far (darcy is planned)");
        var device = SciKernels.Device.Parse(s.Device);
        Directory.CreateDirectory(s.OutDir);
        var log = s.Json ? (Action<string>)(m => stderr.WriteLine(m)) : m => stdout.WriteLine(m);
        var total = Stopwatch.StartNew();

        var data = BurgersDataset.Load(s.NTrain + s.NTest, s.Resolution, s.Seed, s.DataDir, log);
        var (xtr, ytr) = data.Slice(0, s.NTrain, DType.Float32, device);
        var (xte, yte) = data.Slice(s.NTrain, s.NTest, DType.Float32, device);
        xtr = xtr.Reshape(s.NTrain, s.Resolution, 1);
        ytr = ytr.Reshape(s.NTrain, s.Resolution, 1);
        xte = xte.Reshape(s.NTest, s.Resolution, 1);
        yte = yte.Reshape(s.NTest, s.Resolution, 1);

        var model = new Fno(new FnoOptions(new[] { s.Modes }, s.Width), new Generator(s.Seed + 1), DType.Float32, device);
        var optimizer = new Adam(model.Parameters(), s.LearningRate, weightDecay: s.WeightDecay);
        int stepsPerEpoch = (s.NTrain + s.Batch - 1) / s.Batch;
        long totalSteps = (long)stepsPerEpoch * s.Epochs;
        LRSchedule schedule = s.Schedule switch
        {
            "cosine" => new CosineAnnealingLR(totalSteps),
            "step" => new StepLR(Math.Max(1, totalSteps / 5), 0.5), // the paper halves the rate 5 times (every 100 of 500 epochs)
            _ => throw new OptionException($"--schedule must be step or cosine, got '{s.Schedule}'"),
        };
        log($"fno: {model.ParameterCount} parameters, width {s.Width}, modes {s.Modes}, s={s.Resolution}, ntrain {s.NTrain}, ntest {s.NTest}, {s.Epochs} epochs × {stepsPerEpoch} steps, {s.Schedule} schedule, device {device}");
        var trainer = new Trainer(model, optimizer, (p, t) => Losses.RelativeL2(p, t), new TrainerOptions
        {
            Epochs = s.Epochs,
            BatchSize = s.Batch,
            Seed = s.Seed,
            Scheduler = new LRScheduler(optimizer, schedule),
            StepSchedulerPerBatch = true,
            ValidationBatchSize = 50,
            Progress = s.Json ? ProgressDisplay.None : ProgressDisplay.Auto,
        });
        var trainTime = Stopwatch.StartNew();
        var history = trainer.Fit(xtr, ytr, xte, yte);
        double trainSeconds = trainTime.Elapsed.TotalSeconds;

        // Final test error, per-sample relative L2 averaged as in the paper.
        model.Eval();
        double testError;
        double[] prediction;
        using (GradMode.NoGrad())
        using (var warm = TensorScope.Begin())
            Predict(model, xte, 50); // warm-up (JIT, transform autotune): time the steady state
        var inferenceTime = Stopwatch.StartNew();
        using (GradMode.NoGrad())
        using (var scope = TensorScope.Begin())
        {
            var pred = Predict(model, xte, 50);
            inferenceTime.Stop();
            testError = Losses.RelativeL2PerSample(pred, yte).Mean().Item();
            prediction = pred.ToArray<double>();
        }
        double inferenceSeconds = inferenceTime.Elapsed.TotalSeconds;

        // The speed-up the seed talks about: our own solver on the same test inputs.
        var solverInputs = data.Inputs.AsSpan(s.NTrain * s.Resolution, s.NTest * s.Resolution).ToArray();
        var solverTime = Stopwatch.StartNew();
        BurgersSolver.Solve(solverInputs, s.Resolution, BurgersDataset.Viscosity, 1.0);
        double solverSeconds = solverTime.Elapsed.TotalSeconds;

        string checkpoint = Path.Combine(s.OutDir, "model.safetensors");
        Checkpoint.Save(checkpoint, model, optimizer, new Dictionary<string, string>
        {
            ["problem"] = s.Problem,
            ["test_relative_l2"] = testError.ToString("R", CultureInfo.InvariantCulture),
            ["settings"] = JsonSerializer.Serialize(s),
        });
        string lossPng = Path.Combine(s.OutDir, "loss_curves.png");
        Plots.LossCurves(lossPng, history.Epochs.Select(e => e.TrainLoss).ToList(),
            history.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToList(), $"FNO on Burgers (s={s.Resolution})");
        string predPng = Path.Combine(s.OutDir, "predictions.png");
        var samples = new List<(double[], double[], double[])>();
        for (int i = 0; i < Math.Min(3, s.NTest); i++)
        {
            int off = (s.NTrain + i) * s.Resolution;
            samples.Add((data.Inputs.AsSpan(off, s.Resolution).ToArray(), data.Targets.AsSpan(off, s.Resolution).ToArray(),
                prediction.AsSpan(i * s.Resolution, s.Resolution).ToArray()));
        }
        Plots.Predictions1d(predPng, samples, $"FNO vs solver, test rel. L2 {testError:F4}");

        var results = new Dictionary<string, object>
        {
            ["problem"] = s.Problem,
            ["test_relative_l2"] = testError,
            ["final_train_loss"] = history.Epochs.Count > 0 ? history.Epochs[^1].TrainLoss : double.NaN,
            ["epochs"] = history.Epochs.Count,
            ["parameters"] = model.ParameterCount,
            ["train_seconds"] = trainSeconds,
            ["total_seconds"] = total.Elapsed.TotalSeconds,
            ["inference_seconds"] = inferenceSeconds,
            ["solver_seconds"] = solverSeconds,
            ["speedup_vs_solver"] = solverSeconds / inferenceSeconds,
            ["checkpoint"] = checkpoint,
            ["plots"] = new[] { lossPng, predPng },
            ["settings"] = s,
        };
        string json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true });
        AtomicWrite(Path.Combine(s.OutDir, "results.json"), json);
        if (s.Json) stdout.WriteLine(json);
        else
        {
            stdout.WriteLine($"test relative L2: {testError:F4} ({s.NTest} samples, s={s.Resolution}); training {trainSeconds:F1} s, total {total.Elapsed.TotalSeconds:F1} s");
            stdout.WriteLine($"inference {inferenceSeconds * 1e3:F1} ms for {s.NTest} samples vs {solverSeconds * 1e3:F0} ms for the pseudo-spectral solver ({solverSeconds / inferenceSeconds:F0}× faster)");
            stdout.WriteLine($"checkpoint: {checkpoint}");
            stdout.WriteLine($"plots: {lossPng}, {predPng}");
        }
        return 0;
    }

    private static Tensor Predict(Fno model, Tensor x, int batch)
    {
        var parts = new List<Tensor>();
        for (int i = 0; i < x.Shape[0]; i += batch)
            parts.Add(model.Forward(x.Narrow(0, i, Math.Min(batch, x.Shape[0] - i))));
        return Tensor.Concat(parts, 0);
    }

    private static void AtomicWrite(string path, string text)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}
