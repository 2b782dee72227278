using System.CommandLine;

namespace SciKernels.Cli;

/// <summary><c>scikernels train fno</c>: trains a Fourier Neural Operator on a built-in problem.</summary>
internal sealed class TrainFnoCommand : ICommand
{
    private readonly Option<string> problem = Opt.Choice("--problem", "burgers", "the problem", "burgers", "darcy");
    private readonly Option<int?> resolution = Opt.OptionalInt("--resolution", "grid points (burgers 1024, ≥ 16) or nodes per side (darcy 85, ≥ 9)", 9, 1 << 16);
    private readonly Option<int> ntrain = Opt.Int("--ntrain", 1000, "training samples", 1);
    private readonly Option<int?> ntest = Opt.OptionalInt("--ntest", "test samples (burgers 200, darcy 100)", 1);
    private readonly Option<int> epochs = Opt.Int("--epochs", 100, "training epochs", 1);
    private readonly Option<int?> width = Opt.OptionalInt("--width", "channels (burgers 64, darcy 32)", 1, 4096);
    private readonly Option<int?> modes = Opt.OptionalInt("--modes", "Fourier modes per dimension (burgers 16, darcy 12)", 1, 1 << 15);
    private readonly Option<int> batch = Opt.Int("--batch", 20, "samples per batch", 1);
    private readonly Option<double> lr = Opt.Double("--lr", 1e-3, "Adam learning rate", Opt.Positive);
    private readonly Option<double> weightDecay = Opt.Double("--weight-decay", 1e-4, "Adam weight decay", Opt.NonNegative);
    private readonly Option<string> schedule = Opt.Choice("--schedule", "step", "learning-rate schedule", "step", "cosine");
    private readonly Option<int> seed = Opt.Int("--seed", 0, "seed of the weights and the shuffling", 0);
    private readonly Option<int?> padding = Opt.OptionalInt("--padding", "zero padding of the domain (burgers 0, darcy 9)", 0, 1 << 12);
    private readonly Option<int> refine = Opt.Int("--refine", 1, "darcy: solve on the (s−1)·R+1 grid and subsample", 1, 64);
    private readonly Option<string?> dataFile = Opt.Text("--data-file", "darcy: the paper's MAT file (Level 5 or v7.3)");
    private readonly Option<double?> physicsWeight = Opt.OptionalDouble("--physics-weight", "darcy: weight λ of the PDE residual loss (PINO)", Opt.NonNegative);
    private readonly Option<int?> labelled = Opt.OptionalInt("--ntrain-labelled", "darcy: only the first K training samples have labels", 1);
    private readonly Option<string> device = DeviceOption.Create();
    private readonly Option<string?> outDir = Opt.Text("--out", "output folder (default runs/fno-PROBLEM-TIME)");
    private readonly Option<string?> dataDir = Opt.Text("--data-dir", "data cache folder", System.IO.Path.Combine(".cache", "data"));
    private readonly Option<bool> json = Opt.Flag("--json", "print the results JSON on stdout, progress on stderr");
    private readonly Option<int> checkpointEvery = Opt.Int("--checkpoint-every", 0, "write DIR/checkpoint-EPOCH.safetensors every K epochs (0: none)", 0);
    private readonly Option<string?> resume = Opt.Text("--resume", "continue from a --checkpoint-every file (same options; any number of MPI ranks)");

    public string[] Path => ["train", "fno"];

    public string Summary => "train an FNO (Li et al. 2021) on Burgers 1-D or Darcy 2-D";

    public string Notes => """
        Defaults follow the paper: burgers  s=1024, width 64, modes 16, ntest 200, no padding;
                                   darcy    s=85 (nodes per side, boundary included), width 32, modes 12
                                            per dimension, ntest 100, padding 9, inputs and outputs
                                            normalised pointwise (UnitGaussianNormalizer).
        --refine R (darcy): solve on the (s−1)·R+1 grid and subsample, as the paper's 421 → 85 (R = 5).
        --data-file (darcy): the paper's MAT file, Level 5 or v7.3 (coeff, sol [N, S, S]; e.g.
                   piececonst_r421_N1024_smooth1.mat), subsampled to --resolution with stride (S−1)/(s−1).
        --physics-weight λ (darcy): physics-informed (PINO) training, loss = data + λ·mean(r²)/mean(f²) with r the
                   residual of the de-normalised prediction in the solver's 5-point scheme (PdeResidual.Darcy;
                   boundary rows: the Dirichlet residual scaled like an interior row). λ = 0 reports the residual
                   without training on it and reproduces the plain data loss bit for bit.
        --ntrain-labelled K (darcy): only the first K of the --ntrain training samples have labels: the data loss
                   (relative L2, averaged over the labelled samples of each batch) and the output normaliser use
                   those K; the physics term uses all ntrain inputs. Default: all labelled.
        Writes DIR/model.safetensors, DIR/loss_curves.png, DIR/predictions.png, DIR/metrics.csv (one row per
        epoch) and DIR/results.json. Data sets are generated once and cached in --data-dir.
        --checkpoint-every K writes DIR/checkpoint-EPOCH.safetensors (model, Adam state, epoch, settings) every K
                   epochs and after the last; --resume FILE continues such a run where it stopped, on the same
                   trajectory (same options required; the number of MPI ranks may differ).
        """;

    public IEnumerable<Symbol> Symbols =>
        [problem, resolution, ntrain, ntest, epochs, width, modes, batch, lr, weightDecay, schedule, seed, padding, refine, dataFile,
         physicsWeight, labelled, device, outDir, dataDir, json, checkpointEvery, resume];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string name = p.GetValue(problem)!;
        bool darcy = name == "darcy";
        int res = p.GetValue(resolution) ?? (darcy ? 85 : 1024);
        if (!darcy && res < 16) throw new OptionException($"--resolution must be an integer in [16, {1 << 16}] for burgers, got '{res}'");
        var s = new FnoRunSettings(
            Problem: name,
            Resolution: res,
            NTrain: p.GetValue(ntrain),
            NTest: p.GetValue(ntest) ?? (darcy ? 100 : 200),
            Epochs: p.GetValue(epochs),
            Width: p.GetValue(width) ?? (darcy ? 32 : 64),
            Modes: p.GetValue(modes) ?? (darcy ? 12 : 16),
            Batch: p.GetValue(batch),
            LearningRate: p.GetValue(lr),
            WeightDecay: p.GetValue(weightDecay),
            Schedule: p.GetValue(schedule)!,
            Seed: (ulong)p.GetValue(seed),
            Device: p.GetValue(device)!,
            OutDir: p.GetValue(outDir) ?? System.IO.Path.Combine("runs", $"fno-{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}"),
            DataDir: p.GetValue(dataDir)!,
            Json: p.GetValue(json),
            Padding: p.GetValue(padding) ?? -1,
            Refine: p.GetValue(refine),
            DataFile: p.GetValue(dataFile),
            PhysicsWeight: p.GetValue(physicsWeight),
            Labelled: p.GetValue(labelled),
            Resume: p.GetValue(resume),
            CheckpointEvery: p.GetValue(checkpointEvery));
        if (!darcy && s.Resolution % 2 != 0) throw new OptionException($"--resolution must be even for burgers, got {s.Resolution}");
        if (!darcy && s.Refine != 1) throw new OptionException("--refine applies to --problem darcy only");
        if (!darcy && s.DataFile is not null) throw new OptionException("--data-file applies to --problem darcy only");
        if (s.DataFile is not null && !File.Exists(s.DataFile)) throw new OptionException($"--data-file {s.DataFile} does not exist");
        if (s.PhysicsWeight is not null || s.Labelled is not null)
        {
            if (!darcy) throw new OptionException("--physics-weight and --ntrain-labelled apply to --problem darcy only");
            if (s.Labelled > s.NTrain) throw new OptionException($"--ntrain-labelled {s.Labelled} exceeds --ntrain {s.NTrain}");
        }
        int padded = s.Resolution + (s.Padding >= 0 ? s.Padding : darcy ? 9 : 0);
        if (s.Modes > padded / 2 + 1 || (darcy && 2 * s.Modes > padded))
            throw new OptionException($"--modes {s.Modes} do not fit resolution {s.Resolution} (+ padding): need modes ≤ {(darcy ? padded / 2 : padded / 2 + 1)}");
        OutputFolder.Validate(s.OutDir);
        DeviceOption.Resolve(s.Device);
        return new Job(() => FnoExperiment.Run(s, stdout, stderr), s.OutDir);
    }
}
