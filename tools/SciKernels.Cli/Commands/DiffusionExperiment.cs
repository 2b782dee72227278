using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SciKernels.Data;
using SciKernels.Generative;
using SciKernels.Optim;
using SciKernels.Random;
using SciKernels.Training.Distributed;

namespace SciKernels.Cli;

/// <summary>Settings of a <c>train diffusion</c> run.</summary>
internal sealed record DiffusionRunSettings(
    string Problem, int NTrain, double Temperature, int Hidden, int Layers, int Timesteps, string Schedule, int Batch,
    double LearningRate, int Steps, double TimeLimitMinutes, int Samples, string Sampler, int DdimSteps,
    ulong Seed, ulong DataSeed, string OutDir, string DataDir, bool Json, double EmaDecay = 0.999,
    string Coords = "sum", double CoordsRange = 15, double CoordsNorm = 1);

/// <summary>
/// Trains the LJ13 diffusion model: shuffled batches of the Monte Carlo data, Adam on E‖ε − ε̂‖², a
/// checkpoint every log interval and at the end, then sampling and the LJ13 evaluation.
/// </summary>
internal static class DiffusionExperiment
{
    /// <summary>Steps between progress lines (and loss-curve points and checkpoints).</summary>
    private const int LogEvery = 250;

    /// <summary>The species name written for LJ atoms (a symbol ASE reads: argon, the textbook LJ atom).</summary>
    public const string Lj13Species = "Ar";

    /// <summary>Runs the experiment; returns the exit code.</summary>
    public static int Run(DiffusionRunSettings s, TextWriter stdout, TextWriter stderr)
    {
        // Under mpirun: data-parallel (each rank denoises its slice of every batch); rank 0 alone prints, writes and samples.
        var comm = MpiComm.World;
        if (comm.Size > s.Batch) throw new OptionException($"--batch {s.Batch} is smaller than the {comm.Size} MPI ranks: every rank needs a structure per step");
        if (!comm.IsRoot) stdout = TextWriter.Null;
        if (comm.IsRoot) Directory.CreateDirectory(s.OutDir);
        var log = s.Json ? (Action<string>)(m => stderr.WriteLine(m)) : m => stdout.WriteLine(m);
        if (!comm.IsRoot) log = _ => { };
        var total = Stopwatch.StartNew();
        if (!comm.IsRoot) comm.Barrier(); // rank 0 generates and caches the data first
        var data = Lj13Dataset.Load(s.NTrain, s.DataSeed, s.Temperature, s.DataDir, log);
        var reference = Lj13Dataset.Load(1000, s.DataSeed + 1, s.Temperature, s.DataDir, log);
        if (comm.IsRoot) comm.Barrier();

        // Mean: the range applies per layer; sum: EDM's total range, split between the layers, and its normalization factor.
        var layerOptions = s.Coords == "sum" ? EgnnDenoiser.EdmLayerOptions(s.Layers, s.CoordsRange, s.CoordsNorm) : EgnnDenoiser.DefaultLayerOptions with { CoordsRange = s.CoordsRange };
        var info = new DiffusionModelInfo(s.Problem, [Lj13Species], new int[Lj13.Atoms], s.Hidden, s.Layers, s.Schedule, s.Timesteps, s.Temperature, s.DataSeed, s.NTrain,
            s.Coords, layerOptions.CoordsRange, layerOptions.CoordsWeight);
        var denoiser = new EgnnDenoiser(1, s.Hidden, s.Layers, new Generator(s.Seed + 1), layerOptions: layerOptions);
        var model = new EquivariantDiffusion(denoiser, NoiseSchedule.FromName(s.Schedule, s.Timesteps));
        var adam = new Adam(denoiser.Parameters(), s.LearningRate);
        // An exponential moving average of the weights (EDM's ema_decay 0.999) is what is saved and sampled:
        // single Adam iterates are noisy, and diffusion samples are sensitive to it.
        var emaDenoiser = new EgnnDenoiser(1, s.Hidden, s.Layers, new Generator(s.Seed + 1), layerOptions: layerOptions);
        var ema = new EquivariantDiffusion(emaDenoiser, model.Schedule);
        var pairs = emaDenoiser.Parameters().Zip(denoiser.Parameters()).ToArray();
        void UpdateEma(double decay)
        {
            using var noGrad = SciKernels.Autograd.GradMode.NoGrad();
            foreach (var (e, p) in pairs) e.AffineInPlace(decay, 0).AddInPlace(p, 1 - decay);
        }
        var saved = s.EmaDecay > 0 ? ema : model;
        var onehot = TensorScope.Keep(model.OneHot(info.Types, s.Batch));
        var gen = new Generator(s.Seed + 2);
        string checkpoint = Path.Combine(s.OutDir, "model.safetensors");
        log($"diffusion: LJ13, {s.NTrain} structures at T = {s.Temperature:G3}, EGNN denoiser {s.Layers} × {s.Hidden} ({denoiser.ParameterCount} parameters, coordinates: {s.Coords}, range {layerOptions.CoordsRange:G3} per layer), " +
            $"{s.Schedule} schedule, T = {s.Timesteps}, batch {s.Batch}, Adam {s.LearningRate:G3}, EMA {s.EmaDecay:G4}, ≤ {s.Steps} steps" + (s.TimeLimitMinutes > 0 ? $", time limit {s.TimeLimitMinutes:G} min" : ""));

        // The recipe the ranks must agree on: every setting but where files go. Parameters are broadcast from rank 0.
        var dp = comm.Size > 1 ? new DataParallel(comm, JsonSerializer.Serialize(s with { OutDir = "", DataDir = "", Json = false })) : null;
        var parameters = denoiser.Parameters().ToList();
        dp?.Begin(denoiser, parameters, DataParallel.HashBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Positions.AsSpan())), "train diffusion");
        var (first, count) = dp is null ? (0, s.Batch) : DataParallel.Shard(0, s.Batch, comm.Rank, comm.Size);
        double share = (double)count / s.Batch;
        if (dp is not null) log($"diffusion: data-parallel over {comm.Size} MPI ranks, {s.Batch} structures per global batch");
        var curve = new List<(int Step, double Loss)>();
        var clock = Stopwatch.StartNew();
        int[] order = gen.Permutation(s.NTrain);
        int cursor = 0, step = 0;
        double window = 0, intervalSeconds = 0;
        var batchValues = new double[s.Batch * 39];
        string stopReason = "steps done";
        var intervalClock = Stopwatch.StartNew();
        while (step < s.Steps)
        {
            for (int k = 0; k < s.Batch; k++)
            {
                if (cursor == s.NTrain)
                {
                    order = gen.Permutation(s.NTrain);
                    cursor = 0;
                }
                data.Structure(order[cursor++]).CopyTo(batchValues.AsSpan(k * 39, 39));
            }
            using (TensorScope.Begin())
            {
                adam.ZeroGrad();
                var x = Tensor.FromDoubles(batchValues, [s.Batch, Lj13.Atoms, 3]);
                // Data-parallel: t and ε are drawn for the whole batch on every rank, each denoises its slice.
                var loss = dp is null ? model.Loss(x, onehot, gen) : model.Loss(x, onehot, gen, first, count);
                loss.Backward();
                dp?.ReduceGradients(parameters, share);
                GradientClipping.ClipGradNorm(denoiser.Parameters(), 1.0);
                adam.Step();
                if (s.EmaDecay > 0) UpdateEma(s.EmaDecay);
                Span<double> value = [loss.Item() * share];
                dp?.SumScalars(value);
                window += value[0];
            }
            step++;
            if (step % LogEvery == 0 || step == s.Steps)
            {
                int n = step % LogEvery == 0 ? LogEvery : step % LogEvery;
                curve.Add((step, window / n));
                window = 0;
                intervalSeconds = intervalClock.Elapsed.TotalSeconds;
                intervalClock.Restart();
                if (comm.IsRoot) DiffusionModelFile.Save(checkpoint, saved, info, new Dictionary<string, string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) });
                log(string.Create(CultureInfo.InvariantCulture,
                    $"step {step}: loss {curve[^1].Loss:F4}  {clock.Elapsed.TotalMinutes:F1} min ({intervalSeconds / n * 1e3:F1} ms/step, cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalMinutes:F1} min)"));
                // Stop when another interval like this one (with a margin for a busy machine) would overrun the budget.
                bool outOfTime = s.TimeLimitMinutes > 0 && clock.Elapsed.TotalSeconds + 1.5 * intervalSeconds > s.TimeLimitMinutes * 60;
                if (dp is not null && s.TimeLimitMinutes > 0) outOfTime = dp.Any(outOfTime); // the ranks' clocks differ: all stop together
                if (outOfTime && step < s.Steps)
                {
                    stopReason = $"time limit of {s.TimeLimitMinutes:G} min reached after {step} steps";
                    break;
                }
            }
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        if (!comm.IsRoot) return 0; // the model is the same on every rank: rank 0 saves, samples and evaluates
        if (curve.Count == 0 || curve[^1].Step != step)
            DiffusionModelFile.Save(checkpoint, saved, info, new Dictionary<string, string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) });
        log($"training: {step} steps in {trainSeconds:F1} s ({stopReason})");

        var sampleClock = Stopwatch.StartNew();
        var sampler = s.Sampler == "ddim" ? DiffusionSampler.Ddim : DiffusionSampler.Ancestral;
        var positions = saved.Sample(s.Samples, info.Types, new Generator(s.Seed + 3), sampler, s.DdimSteps);
        double sampleSeconds = sampleClock.Elapsed.TotalSeconds;
        log(string.Create(CultureInfo.InvariantCulture, $"sampling: {s.Samples} structures ({s.Sampler}) in {sampleSeconds:F1} s"));
        var metrics = Lj13Evaluation.Evaluate(s.OutDir, positions, s.Samples, reference, Lj13Species, log);

        string lossPng = Path.Combine(s.OutDir, "loss.png");
        DiffusionPlots.LossCurve(lossPng, curve.Select(c => (double)c.Step).ToArray(), curve.Select(c => c.Loss).ToArray(), "LJ13 diffusion: training loss");
        var results = new Dictionary<string, object>
        {
            ["problem"] = s.Problem,
            ["icosahedron_fraction"] = metrics["icosahedron_fraction"],
            ["energy_w1"] = metrics["energy_w1"],
            ["energy_w1_clipped_at_0"] = metrics["energy_w1_clipped_at_0"],
            ["train_seconds"] = trainSeconds,
            ["steps"] = step,
            ["stop_reason"] = stopReason,
            ["final_loss"] = curve.Count > 0 ? curve[^1].Loss : double.NaN,
            ["parameters"] = denoiser.ParameterCount,
            ["sampler"] = s.Sampler,
            ["sample_seconds"] = sampleSeconds,
            ["structures_per_second"] = s.Samples / sampleSeconds,
            ["evaluation"] = metrics,
            ["data_acceptance"] = double.IsFinite(data.Acceptance) ? data.Acceptance : "read from the cache",
            ["loss_curve"] = curve.Select(c => new[] { c.Step, c.Loss }).ToArray(),
            ["checkpoint"] = checkpoint,
            ["loss_plot"] = lossPng,
            ["total_seconds"] = total.Elapsed.TotalSeconds,
            ["cpu_seconds"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            ["settings"] = s,
            ["ranks"] = comm.Size,
            ["allreduce_seconds"] = dp?.AllreduceTime.TotalSeconds ?? 0.0,
        };
        string json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        RunFiles.WriteAllText(Path.Combine(s.OutDir, "results.json"), json);
        if (s.Json) stdout.WriteLine(json);
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"icosahedron fraction: {(double)metrics["icosahedron_fraction"]:P1} of {s.Samples} samples; W1(energies) {(double)metrics["energy_w1"]:G4} ε (clipped at 0 ε: {(double)metrics["energy_w1_clipped_at_0"]:F3} ε); training {trainSeconds / 60:F1} min"));
            stdout.WriteLine($"checkpoint: {checkpoint}");
        }
        return 0;
    }
}
