using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SciKernels.Data;
using SciKernels.Generative;
using SciKernels.Generative.Crystals;
using SciKernels.Optim;
using SciKernels.Random;

namespace SciKernels.Cli;

/// <summary>Settings of a <c>train diffusion --problem crystals</c> run.</summary>
internal sealed record CrystalRunSettings(
    string Data, int Hidden, int Layers, int Timesteps, int Batch, double LearningRate, int Steps, double TimeLimitMinutes,
    int Samples, ulong Seed, string OutDir, bool Json, double EmaDecay, bool DiffuseLattice, double LatticeWeight,
    double SigmaMin, double SigmaMax, int Frequencies, int CorrectorSteps, double StepSize);

/// <summary>The crystal-only options of <c>train diffusion</c> (registered beside the LJ13 ones).</summary>
internal sealed class CrystalTrainOptions
{
    private readonly Option<string?> data = Opt.Text("--data", "crystals: extended-XYZ file of periodic training structures ('toy': the built-in Cu / Cu3Au / CuAu set)");
    private readonly Option<string> lattice = Opt.Choice("--lattice", "diffused", "crystals: generate the lattice (diffused) or keep a training cell (fixed)", "diffused", "fixed");
    private readonly Option<double> latticeWeight = Opt.Double("--lattice-weight", 1, "crystals: weight of the lattice loss", Opt.NonNegative);
    private readonly Option<double> sigmaMin = Opt.Double("--sigma-min", 0.005, "crystals: smallest wrapped-normal σ of the fractional coordinates", Opt.Positive);
    private readonly Option<double> sigmaMax = Opt.Double("--sigma-max", 0.5, "crystals: largest wrapped-normal σ", Opt.Positive);
    private readonly Option<int> frequencies = Opt.Int("--frequencies", 8, "crystals: Fourier frequencies of the fractional differences", 1, 256);
    private readonly Option<int> corrector = Opt.Int("--corrector-steps", 1, "crystals: Langevin corrector steps per sampling step", 0, 100);
    private readonly Option<double> stepSize = Opt.Double("--step-size", 1e-5, "crystals: corrector step size at σ_min (DiffCSP's step_lr)", Opt.Positive);

    /// <summary>The options, for the command's symbol list.</summary>
    public IEnumerable<Symbol> Symbols => [data, lattice, latticeWeight, sigmaMin, sigmaMax, frequencies, corrector, stepSize];

    /// <summary>The crystal settings from the parse and the options shared with LJ13.</summary>
    public CrystalRunSettings Bind(ParseResult p, int hidden, int layers, int timesteps, int batch, double lr, int steps, double timeLimit, int samples, ulong seed, string outDir, bool json, double ema)
    {
        string file = p.GetValue(data) ?? throw new OptionException("--data is required with --problem crystals (an extended-XYZ file of periodic structures, or 'toy')");
        if (file != "toy" && !File.Exists(file)) throw new OptionException($"--data {file}: no such file");
        double lo = p.GetValue(sigmaMin), hi = p.GetValue(sigmaMax);
        if (!(hi > lo)) throw new OptionException($"--sigma-max {hi} must exceed --sigma-min {lo}");
        return new CrystalRunSettings(file, hidden, layers, timesteps, batch, lr, steps, timeLimit, samples, seed, outDir, json, ema,
            p.GetValue(lattice) == "diffused", p.GetValue(latticeWeight), lo, hi, p.GetValue(frequencies), p.GetValue(corrector), p.GetValue(stepSize));
    }
}

/// <summary>
/// Trains the crystal diffusion model (DiffCSP-style): batches of the training crystals, Adam on the
/// score-matching + lattice-ε loss, the moving average of the weights saved every log interval, then
/// samples for the training compositions and their evaluation (<see cref="CrystalSamples"/>).
/// </summary>
internal static class CrystalDiffusionExperiment
{
    private const int LogEvery = 250;

    /// <summary>
    /// The training crystals of <paramref name="file"/> ('toy': 96 built-in cells). Frames tagged <c>split=test</c>
    /// (as <c>generate crystal-data</c> writes them) are held out; every other frame trains.
    /// </summary>
    public static List<FractionalCrystal> LoadData(string file, ulong seed)
    {
        if (file == "toy") return ToyCrystals.Generate(96, seed).Select(FractionalCrystal.FromStructure).ToList();
        List<XyzFrame> frames;
        try
        {
            frames = ExtendedXyz.Read(file);
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            throw new OptionException($"--data {file}: {e.Message}");
        }
        if (frames.Count == 0) throw new OptionException($"--data {file}: no frames");
        frames = frames.Where(f => !f.Info.Any(kv => kv.Key == "split" && kv.Value == "test")).ToList();
        if (frames.Count == 0) throw new OptionException($"--data {file}: every frame is tagged split=test; nothing to train on");
        var result = new List<FractionalCrystal>(frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            try
            {
                result.Add(FractionalCrystal.FromStructure(PotentialFrames.ToStructure(frames[i], i)));
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new OptionException($"--data {file}: frame {i} is not a periodic crystal ({e.Message})");
            }
        }
        return result;
    }

    /// <summary>Runs the experiment; returns the exit code.</summary>
    public static int Run(CrystalRunSettings s, TextWriter stdout, TextWriter stderr)
    {
        Directory.CreateDirectory(s.OutDir);
        var log = s.Json ? (Action<string>)(m => stderr.WriteLine(m)) : m => stdout.WriteLine(m);
        var total = Stopwatch.StartNew();
        var data = LoadData(s.Data, s.Seed + 10);
        var species = data.SelectMany(c => c.Numbers).Distinct().Order().ToArray();
        var compositions = data.GroupBy(c => CrystalComposition.Key(c.Numbers)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var info = new CrystalModelInfo("crystals", species.Select(SciKernels.Potentials.Elements.Symbol).ToArray(), s.Hidden, s.Layers, s.Frequencies, 8, s.Timesteps,
            s.SigmaMin, s.SigmaMax, "cosine", s.DiffuseLattice, CrystalDiffusion.MeanVolumePerAtom(data), compositions, s.Data, s.Seed + 10);
        var model = CrystalModelFile.Build(info, s.Seed + 1);
        var emaModel = CrystalModelFile.Build(info, s.Seed + 1);
        var adam = new Adam(model.Denoiser.Parameters(), s.LearningRate);
        var pairs = emaModel.Denoiser.Parameters().Zip(model.Denoiser.Parameters()).ToArray();
        var saved = s.EmaDecay > 0 ? emaModel : model;
        var gen = new Generator(s.Seed + 2);
        string checkpoint = Path.Combine(s.OutDir, "model.safetensors");
        var inv = CultureInfo.InvariantCulture;
        log(string.Create(inv, $"crystal diffusion: {data.Count} crystals from {s.Data} ({string.Join(", ", compositions.Select(c => $"{c.Key} ×{c.Value}"))}), {info.VolumePerAtom:F2} Å³/atom; ") +
            string.Create(inv, $"denoiser {s.Layers} × {s.Hidden} ({model.Denoiser.ParameterCount} parameters), T = {s.Timesteps}, σ {s.SigmaMin:G3}…{s.SigmaMax:G3}, lattice {(s.DiffuseLattice ? "diffused" : "fixed")}, ") +
            string.Create(inv, $"batch {s.Batch}, Adam {s.LearningRate:G3}, EMA {s.EmaDecay:G4}, ≤ {s.Steps} steps") + (s.TimeLimitMinutes > 0 ? string.Create(inv, $", time limit {s.TimeLimitMinutes:G} min") : ""));

        var curve = new List<(int Step, double Loss, double Coordinates, double Lattice)>();
        var clock = Stopwatch.StartNew();
        var intervalClock = Stopwatch.StartNew();
        int[] order = gen.Permutation(data.Count);
        int cursor = 0, step = 0;
        double window = 0, windowF = 0, windowL = 0;
        string stopReason = "steps done";
        var batch = new List<FractionalCrystal>(s.Batch);
        while (step < s.Steps)
        {
            batch.Clear();
            for (int k = 0; k < s.Batch; k++)
            {
                if (cursor == data.Count)
                {
                    order = gen.Permutation(data.Count);
                    cursor = 0;
                }
                batch.Add(data[order[cursor++]]);
            }
            using (TensorScope.Begin())
            {
                adam.ZeroGrad();
                var loss = model.Loss(batch, gen);
                loss.Total.Backward();
                GradientClipping.ClipGradNorm(model.Denoiser.Parameters(), 1.0);
                adam.Step();
                if (s.EmaDecay > 0)
                    using (SciKernels.Autograd.GradMode.NoGrad())
                        foreach (var (e, p) in pairs) e.AffineInPlace(s.EmaDecay, 0).AddInPlace(p, 1 - s.EmaDecay);
                window += loss.Total.Item();
                windowF += loss.Coordinates.Item();
                windowL += loss.Lattice?.Item() ?? 0;
            }
            step++;
            if (step % LogEvery == 0 || step == s.Steps)
            {
                int n = step % LogEvery == 0 ? LogEvery : step % LogEvery;
                curve.Add((step, window / n, windowF / n, windowL / n));
                window = windowF = windowL = 0;
                double intervalSeconds = intervalClock.Elapsed.TotalSeconds;
                intervalClock.Restart();
                CrystalModelFile.Save(checkpoint, saved, info, new Dictionary<string, string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) });
                log(string.Create(CultureInfo.InvariantCulture,
                    $"step {step}: loss {curve[^1].Loss:F4} (coordinates {curve[^1].Coordinates:F4}, lattice {curve[^1].Lattice:F4})  {clock.Elapsed.TotalMinutes:F1} min ({intervalSeconds / n * 1e3:F1} ms/step, cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalMinutes:F1} min)"));
                if (s.TimeLimitMinutes > 0 && clock.Elapsed.TotalSeconds + 1.5 * intervalSeconds > s.TimeLimitMinutes * 60 && step < s.Steps)
                {
                    stopReason = $"time limit of {s.TimeLimitMinutes:G} min reached after {step} steps";
                    break;
                }
            }
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        if (curve.Count == 0 || curve[^1].Step != step)
            CrystalModelFile.Save(checkpoint, saved, info, new Dictionary<string, string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) });
        log($"training: {step} steps in {trainSeconds:F1} s ({stopReason})");

        var options = new CrystalSamplerOptions { CorrectorSteps = s.CorrectorSteps, StepSize = s.StepSize };
        var sampled = CrystalSamples.Draw(saved, info, data, null, s.Samples, new Generator(s.Seed + 3), options, log);
        var metrics = CrystalSamples.Evaluate(s.OutDir, sampled.Crystals, data, log);
        string lossPng = Path.Combine(s.OutDir, "loss.png");
        DiffusionPlots.LossCurve(lossPng, curve.Select(c => (double)c.Step).ToArray(), curve.Select(c => c.Loss).ToArray(), "crystal diffusion: training loss");
        var results = new Dictionary<string, object>
        {
            ["problem"] = "crystals",
            ["train_seconds"] = trainSeconds,
            ["steps"] = step,
            ["stop_reason"] = stopReason,
            ["final_loss"] = curve.Count > 0 ? curve[^1].Loss : double.NaN,
            ["final_coordinate_loss"] = curve.Count > 0 ? curve[^1].Coordinates : double.NaN,
            ["final_lattice_loss"] = curve.Count > 0 ? curve[^1].Lattice : double.NaN,
            ["parameters"] = model.Denoiser.ParameterCount,
            ["sample_seconds"] = sampled.Seconds,
            ["structures_per_second"] = s.Samples / sampled.Seconds,
            ["evaluation"] = metrics,
            ["training_compositions"] = compositions,
            ["loss_curve"] = curve.Select(c => new[] { c.Step, c.Loss, c.Coordinates, c.Lattice }).ToArray(),
            ["checkpoint"] = checkpoint,
            ["loss_plot"] = lossPng,
            ["total_seconds"] = total.Elapsed.TotalSeconds,
            ["cpu_seconds"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            ["settings"] = s,
        };
        string json = JsonSerializer.Serialize(results, CrystalSamples.JsonOptions);
        RunFiles.WriteAllText(Path.Combine(s.OutDir, "results.json"), json);
        if (s.Json) stdout.WriteLine(json);
        else
        {
            stdout.WriteLine(CrystalSamples.Summary(metrics, s.Samples) + string.Create(CultureInfo.InvariantCulture, $"; training {trainSeconds / 60:F1} min"));
            stdout.WriteLine($"checkpoint: {checkpoint}");
        }
        return 0;
    }

    /// <summary><c>scikernels sample</c> for a crystal checkpoint.</summary>
    public static int Sample(string path, int count, string dir, string? composition, double stepSize, int batch, ulong seed, bool asJson, TextWriter stdout, TextWriter stderr)
    {
        var log = asJson ? (Action<string>)(m => stderr.WriteLine(m)) : m => stdout.WriteLine(m);
        var info = CrystalModelFile.ReadInfo(path);
        var model = CrystalModelFile.Load(path, info);
        int[]? numbers = composition is null ? null : CrystalComposition.Parse(composition);
        // Known species are checked before any work (the model names the unknown one).
        if (numbers is not null)
            try
            {
                model.TypeIndices(numbers);
            }
            catch (ArgumentException e)
            {
                throw new OptionException($"--composition {composition}: {e.Message}");
            }
        // Fixed-lattice models take their cells (and compositions) from the training data; the others use it, when
        // it is still there, only as the reference of the metrics.
        bool haveData = info.Data == "toy" || File.Exists(info.Data);
        if (!info.DiffuseLattice && !haveData)
            throw new OptionException($"--model {path}: a fixed-lattice model samples in training cells, but its data file {info.Data} is gone");
        var data = haveData ? LoadData(info.Data, info.DataSeed) : null;
        Directory.CreateDirectory(dir);
        var options = new CrystalSamplerOptions { StepSize = stepSize, BatchSize = batch };
        var sampled = CrystalSamples.Draw(model, info, data, numbers, count, new Generator(seed), options, log);
        var metrics = CrystalSamples.Evaluate(dir, sampled.Crystals, data, log);
        var results = new Dictionary<string, object>
        {
            ["model"] = path,
            ["seed"] = seed,
            ["composition"] = composition ?? "training compositions",
            ["sample_seconds"] = sampled.Seconds,
            ["structures_per_second"] = count / sampled.Seconds,
            ["evaluation"] = metrics,
        };
        string json = JsonSerializer.Serialize(results, CrystalSamples.JsonOptions);
        RunFiles.WriteAllText(Path.Combine(dir, "results.json"), json);
        if (asJson) stdout.WriteLine(json);
        else stdout.WriteLine(CrystalSamples.Summary(metrics, count));
        return 0;
    }
}
