using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SciKernels.Data;
using SciKernels.Generative;
using SciKernels.Random;

namespace SciKernels.Cli;

/// <summary><c>scikernels sample</c>: draws structures from a <c>train diffusion</c> checkpoint and evaluates them.</summary>
internal sealed class SampleCommand : ICommand
{
    private readonly Option<string?> model = Opt.Text("--model", "checkpoint written by scikernels train diffusion (required)");
    private readonly Option<int?> count = Opt.OptionalInt("--count", "number of structures (required, ≥ 1)");
    private readonly Option<string?> outDir = Opt.Text("--out", "output folder (required)");
    private readonly Option<string> sampler = Opt.Choice("--sampler", "ancestral", "sampler", "ancestral", "ddim");
    private readonly Option<int> ddimSteps = Opt.Int("--ddim-steps", 100, "steps of the DDIM sampler", 1);
    private readonly Option<int> batch = Opt.Int("--batch", 256, "structures denoised together", 1);
    private readonly Option<int> seed = Opt.Int("--seed", 0, "seed of the samples", 0);
    private readonly Option<string?> dataDir = Opt.Text("--data-dir", "data cache folder (reference data for the metrics)", System.IO.Path.Combine(".cache", "data"));
    private readonly Option<bool> json = Opt.Flag("--json", "print the results JSON on stdout, progress on stderr");
    private readonly Option<string?> composition = Opt.Text("--composition", "crystal models: the composition of every sample, e.g. Cu3Au1 (default: draws of the training compositions)");
    private readonly Option<double> stepSize = Opt.Double("--step-size", 1e-5, "crystal models: corrector step size at σ_min", Opt.Positive);

    public string[] Path => ["sample"];

    public string Summary => "sample structures from a trained diffusion model (extended XYZ, metrics, PNGs)";

    public string Notes => """
        Writes DIR/samples.xyz (extended XYZ; per frame its LJ energy, FIRE-relaxed energy and whether it
        relaxed to the icosahedron), DIR/energy_histogram.png, DIR/samples.png and DIR/results.json
        (icosahedron fraction, Wasserstein-1 of energies against the reference data, timings).
        Same --seed, same structures bit for bit.
        """;

    public IEnumerable<Symbol> Symbols => [model, count, outDir, sampler, ddimSteps, batch, seed, dataDir, json, composition, stepSize];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string path = p.GetValue(model) ?? throw new OptionException("--model is required");
        int n = p.GetValue(count) ?? throw new OptionException("--count is required");
        if (n <= 0) throw new OptionException($"--count must be ≥ 1, got {n}");
        string dir = OutputFolder.Validate(p.GetValue(outDir) ?? throw new OptionException("--out is required"));
        if (CrystalModelFile.IsCrystalCheckpoint(path))
        {
            // Periodic crystals (CrystalDiffusionExperiment): species of --composition checked against the model here, before any work.
            var crystalInfo = CrystalModelFile.ReadInfo(path);
            string? comp = p.GetValue(composition);
            if (comp is not null)
                foreach (int z in CrystalComposition.Parse(comp).Distinct())
                    if (!crystalInfo.Species.Contains(SciKernels.Potentials.Elements.Symbol(z)))
                        throw new OptionException($"--composition {comp}: {SciKernels.Potentials.Elements.Symbol(z)} is a species the model never saw (it knows {string.Join(", ", crystalInfo.Species)})");
            double step = p.GetValue(stepSize);
            int cb = p.GetValue(batch);
            ulong cs = (ulong)p.GetValue(seed);
            bool cj = p.GetValue(json);
            return new Job(() => CrystalDiffusionExperiment.Sample(path, n, dir, comp, step, cb, cs, cj, stdout, stderr), dir);
        }
        var info = DiffusionModelFile.ReadInfo(path);
        if (info.Problem != "lj13") throw new OptionException($"--model {path}: problem '{info.Problem}' has no evaluation here (lj13 only)");
        string which = p.GetValue(sampler)!;
        int ddim = p.GetValue(ddimSteps);
        if (which == "ddim" && ddim > info.Timesteps) throw new OptionException($"--ddim-steps {ddim} exceeds the model's {info.Timesteps} diffusion steps");
        int b = p.GetValue(batch);
        ulong sd = (ulong)p.GetValue(seed);
        string cache = p.GetValue(dataDir)!;
        bool asJson = p.GetValue(json);
        return new Job(() => Run(path, info, n, dir, which, ddim, b, sd, cache, asJson, stdout, stderr), dir);
    }

    private static int Run(string path, DiffusionModelInfo info, int count, string dir, string which, int ddim, int batch, ulong seed, string cache, bool asJson, TextWriter stdout, TextWriter stderr)
    {
        var log = asJson ? (Action<string>)(m => stderr.WriteLine(m)) : m => stdout.WriteLine(m);
        Directory.CreateDirectory(dir);
        var model = DiffusionModelFile.Load(path, info);
        var reference = Lj13Dataset.Load(1000, info.DataSeed + 1, info.Temperature, cache, log);
        var clock = Stopwatch.StartNew();
        var positions = model.Sample(count, info.Types, new Generator(seed), which == "ddim" ? DiffusionSampler.Ddim : DiffusionSampler.Ancestral, ddim, batch);
        double seconds = clock.Elapsed.TotalSeconds;
        log(string.Create(CultureInfo.InvariantCulture, $"sampling: {count} structures ({which}) in {seconds:F1} s ({count / seconds:F1} per second)"));
        var metrics = Lj13Evaluation.Evaluate(dir, positions, count, reference, info.Species[0], log);
        var results = new Dictionary<string, object>(metrics)
        {
            ["model"] = path,
            ["sampler"] = which,
            ["ddim_steps"] = which == "ddim" ? ddim : info.Timesteps,
            ["seed"] = seed,
            ["sample_seconds"] = seconds,
            ["structures_per_second"] = count / seconds,
        };
        string json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        RunFiles.WriteAllText(System.IO.Path.Combine(dir, "results.json"), json);
        if (asJson) stdout.WriteLine(json);
        else stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"icosahedron fraction: {(double)metrics["icosahedron_fraction"]:P1} of {count}; W1(energies) {(double)metrics["energy_w1"]:G4} ε (clipped at 0 ε: {(double)metrics["energy_w1_clipped_at_0"]:F3} ε); samples: {metrics["samples_file"]}"));
        return 0;
    }
}
