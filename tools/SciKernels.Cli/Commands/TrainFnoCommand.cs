namespace SciKernels.Cli;

/// <summary><c>scikernels train fno</c>: trains a Fourier Neural Operator on a built-in problem.</summary>
internal sealed class TrainFnoCommand : ICommand
{
    public string[] Path => ["train", "fno"];

    public string Summary => "train an FNO (Li et al. 2021) on Burgers 1-D or Darcy 2-D";

    public string Usage => """
        usage: scikernels train fno --problem burgers|darcy [--resolution N] [--ntrain 1000] [--ntest N]
                                   [--epochs 100] [--width W] [--modes M] [--batch 20] [--lr 1e-3]
                                   [--weight-decay 1e-4] [--schedule step|cosine] [--seed 0] [--padding P]
                                   [--refine R] [--data-file FILE.mat] [--physics-weight λ] [--ntrain-labelled K]
                                   [--device cpu|opencl[:i]|cuda[:i]] [--out DIR] [--data-dir DIR] [--json]
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
        Writes DIR/model.safetensors, DIR/loss_curves.png, DIR/predictions.png and DIR/results.json.
        Data sets are generated once and cached in --data-dir (default .cache/data).
        """;

    public int Run(Options o, TextWriter stdout, TextWriter stderr)
    {
        string problem = o.String("problem", "burgers");
        bool darcy = problem == "darcy";
        var s = new FnoRunSettings(
            Problem: problem,
            Resolution: o.Int("resolution", darcy ? 85 : 1024, darcy ? 9 : 16, 1 << 16),
            NTrain: o.Int("ntrain", 1000, 1),
            NTest: o.Int("ntest", darcy ? 100 : 200, 1),
            Epochs: o.Int("epochs", 100, 1),
            Width: o.Int("width", darcy ? 32 : 64, 1, 4096),
            Modes: o.Int("modes", darcy ? 12 : 16, 1, 1 << 15),
            Batch: o.Int("batch", 20, 1),
            LearningRate: o.Double("lr", 1e-3),
            WeightDecay: o.Double("weight-decay", 1e-4),
            Schedule: o.String("schedule", "step"),
            Seed: (ulong)o.Int("seed", 0, 0),
            Device: o.String("device", "cpu"),
            OutDir: o.String("out", System.IO.Path.Combine("runs", $"fno-{problem}-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
            DataDir: o.String("data-dir", System.IO.Path.Combine(".cache", "data")),
            Json: o.Flag("json"),
            Padding: o.Int("padding", -1, 0, 1 << 12),
            Refine: o.Int("refine", 1, 1, 64),
            DataFile: o.String("data-file"),
            PhysicsWeight: NullIfNaN(o.Double("physics-weight", double.NaN)),
            Labelled: NullIfNegative(o.Int("ntrain-labelled", -1, 1)));
        if (!darcy && s.Refine != 1) throw new OptionException("--refine applies to --problem darcy only");
        if (s.PhysicsWeight is not null || s.Labelled is not null)
        {
            if (!darcy) throw new OptionException("--physics-weight and --ntrain-labelled apply to --problem darcy only");
            if (s.PhysicsWeight < 0) throw new OptionException($"--physics-weight must be ≥ 0, got {s.PhysicsWeight}");
            if (s.Labelled > s.NTrain) throw new OptionException($"--ntrain-labelled {s.Labelled} exceeds --ntrain {s.NTrain}");
        }
        int padded = s.Resolution + (s.Padding >= 0 ? s.Padding : darcy ? 9 : 0);
        if (s.Modes > padded / 2 + 1 || (darcy && 2 * s.Modes > padded))
            throw new OptionException($"--modes {s.Modes} do not fit resolution {s.Resolution} (+ padding): need modes ≤ {(darcy ? padded / 2 : padded / 2 + 1)}");
        return FnoExperiment.Run(s, stdout, stderr);
    }

    private static double? NullIfNaN(double v) => double.IsNaN(v) ? null : v;

    private static int? NullIfNegative(int v) => v < 0 ? null : v;
}
