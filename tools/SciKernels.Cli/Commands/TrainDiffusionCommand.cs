using System.CommandLine;
using SciKernels.Data;

namespace SciKernels.Cli;

/// <summary><c>scikernels train diffusion</c>: trains an E(3)-equivariant diffusion model (EDM) of LJ13 clusters.</summary>
internal sealed class TrainDiffusionCommand : ICommand
{
    private readonly Option<string?> problem = Opt.Text("--problem", "the data set: lj13 or crystals (required)");
    private readonly Option<int> ntrain = Opt.Int("--ntrain", 5000, "training structures", 1, 10_000_000);
    private readonly Option<double> temperature = Opt.Double("--temperature", Lj13Dataset.DefaultTemperature, "temperature of the Monte Carlo data (ε/k_B)", Opt.Positive);
    private readonly Option<int> hidden = Opt.Int("--hidden", 64, "hidden features of the EGNN denoiser", 1, 4096);
    private readonly Option<int> layers = Opt.Int("--layers", 4, "EGNN layers", 1, 64);
    private readonly Option<string> coords = Opt.Choice("--coords", "sum", "aggregation of each layer's coordinate update: sum (EDM) or mean (the first design, 53.6 % icosahedra)", "sum", "mean");
    private readonly Option<double?> coordsRange = Opt.OptionalDouble("--coords-range", "tanh range of the coordinate weights: per layer for mean (default 3), in total for sum, split between the layers (default 15, EDM)", Opt.Positive);
    private readonly Option<double> coordsNorm = Opt.Double("--coords-norm", 1, "normalization factor dividing the summed coordinate update (EDM's normalization_factor)", Opt.Positive);
    private readonly Option<int> timesteps = Opt.Int("--timesteps", 500, "diffusion steps T", 2, 100_000);
    private readonly Option<string> schedule = Opt.Choice("--schedule", "polynomial_2", "noise schedule", "polynomial_2", "cosine");
    private readonly Option<int> batch = Opt.Int("--batch", 64, "structures per training step", 1);
    private readonly Option<double> lr = Opt.Double("--lr", 5e-4, "Adam learning rate", Opt.Positive);
    private readonly Option<double> emaDecay = Opt.Double("--ema", 0.999, "decay of the weights' moving average that is saved and sampled (0: off)", ("in [0, 1)", v => v >= 0 && v < 1));
    private readonly Option<int> steps = Opt.Int("--steps", 200_000, "training steps", 1);
    private readonly Option<double> timeLimit = Opt.Double("--time-limit", 0, "training budget in minutes (0: off)", Opt.NonNegative);
    private readonly Option<int> samples = Opt.Int("--samples", 500, "structures sampled for the final evaluation", 1, 1_000_000);
    private readonly Option<string> sampler = Opt.Choice("--sampler", "ancestral", "sampler of the evaluation", "ancestral", "ddim");
    private readonly Option<int> ddimSteps = Opt.Int("--ddim-steps", 100, "steps of the DDIM sampler", 1);
    private readonly Option<int> seed = Opt.Int("--seed", 0, "seed of the weights, the training noise and the samples", 0);
    private readonly Option<int> dataSeed = Opt.Int("--data-seed", 0, "seed of the training data (the reference data use seed + 1)", 0);
    private readonly Option<string?> outDir = Opt.Text("--out", "output folder (default runs/diffusion-PROBLEM-TIME)");
    private readonly Option<string?> dataDir = Opt.Text("--data-dir", "data cache folder", System.IO.Path.Combine(".cache", "data"));
    private readonly Option<bool> json = Opt.Flag("--json", "print the results JSON on stdout, progress on stderr");
    private readonly CrystalTrainOptions crystal = new();

    public string[] Path => ["train", "diffusion"];

    public string Summary => "train an E(3)-equivariant diffusion model (EDM-style) on LJ13 clusters";

    public string Notes => """
        Data: LJ13 configurations from Metropolis Monte Carlo at --temperature (ε = σ = 1, open boundaries,
        cached in --data-dir); positions kept at zero centre of mass. Model: an EGNN ε-predictor
        conditioned on t/T whose layers sum their coordinate steps over the neighbours (--coords sum,
        EDM's update: tanh range --coords-range split between the layers, divided by --coords-norm),
        variance-preserving --schedule over --timesteps, loss E‖ε − ε̂‖², Adam;
        the checkpoint and the samples use the moving average of the weights (--ema, 0 for the raw weights).
        --time-limit M stops training before a log interval would overrun the budget.
        At the end --samples structures are drawn (--sampler ancestral or ddim), each relaxed with FIRE;
        results.json reports the fraction that reach the icosahedron (E within 1e-3 of −44.326801 ε), the
        Wasserstein-1 distance between sample and reference energies, and the training time.
        Writes DIR/model.safetensors (for scikernels sample), DIR/samples.xyz, DIR/loss.png,
        DIR/energy_histogram.png, DIR/samples.png, DIR/results.json.
        """;

    public IEnumerable<Symbol> Symbols =>
        [problem, ntrain, temperature, hidden, layers, coords, coordsRange, coordsNorm, timesteps, schedule, batch, lr, emaDecay, steps, timeLimit, samples, sampler, ddimSteps, seed, dataSeed, outDir, dataDir, json, .. crystal.Symbols];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string name = p.GetValue(problem) ?? throw new OptionException("--problem is required (lj13 or crystals)");
        if (name == "crystals")
        {
            // The periodic-crystal model (CrystalDiffusionExperiment) shares the network and training options.
            var c = crystal.Bind(p, p.GetValue(hidden), p.GetValue(layers), p.GetValue(timesteps), p.GetValue(batch), p.GetValue(lr), p.GetValue(steps), p.GetValue(timeLimit),
                p.GetValue(samples), (ulong)p.GetValue(seed), OutputFolder.Validate(p.GetValue(outDir) ?? System.IO.Path.Combine("runs", $"diffusion-crystals-{DateTime.UtcNow:yyyyMMdd-HHmmss}")), p.GetValue(json), p.GetValue(emaDecay));
            return new Job(() => CrystalDiffusionExperiment.Run(c, stdout, stderr), c.OutDir);
        }
        if (name != "lj13") throw new OptionException($"--problem must be lj13 or crystals, got '{name}'");
        var s = new DiffusionRunSettings(
            Problem: name,
            NTrain: p.GetValue(ntrain),
            Temperature: p.GetValue(temperature),
            Hidden: p.GetValue(hidden),
            Layers: p.GetValue(layers),
            Timesteps: p.GetValue(timesteps),
            Schedule: p.GetValue(schedule)!,
            Batch: p.GetValue(batch),
            LearningRate: p.GetValue(lr),
            Steps: p.GetValue(steps),
            TimeLimitMinutes: p.GetValue(timeLimit),
            Samples: p.GetValue(samples),
            Sampler: p.GetValue(sampler)!,
            DdimSteps: p.GetValue(ddimSteps),
            Seed: (ulong)p.GetValue(seed),
            DataSeed: (ulong)p.GetValue(dataSeed),
            OutDir: OutputFolder.Validate(p.GetValue(outDir) ?? System.IO.Path.Combine("runs", $"diffusion-{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
            DataDir: p.GetValue(dataDir)!,
            Json: p.GetValue(json),
            EmaDecay: p.GetValue(emaDecay),
            Coords: p.GetValue(coords)!,
            CoordsRange: p.GetValue(coordsRange) ?? (p.GetValue(coords) == "sum" ? 15 : 3),
            CoordsNorm: p.GetValue(coordsNorm));
        if (s.Coords == "mean" && p.GetValue(coordsNorm) != 1) throw new OptionException("--coords-norm applies to --coords sum only");
        if (s.Batch > s.NTrain) throw new OptionException($"--batch {s.Batch} exceeds --ntrain {s.NTrain}");
        if (s.Sampler == "ddim" && s.DdimSteps > s.Timesteps) throw new OptionException($"--ddim-steps {s.DdimSteps} exceeds --timesteps {s.Timesteps}");
        return new Job(() => DiffusionExperiment.Run(s, stdout, stderr), s.OutDir);
    }
}
