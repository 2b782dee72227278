namespace SciKernels.Cli;

/// <summary><c>scikernels train fno</c>: trains a Fourier Neural Operator on a built-in problem.</summary>
internal sealed class TrainFnoCommand : ICommand
{
    public string[] Path => ["train", "fno"];

    public string Summary => "train an FNO (Li et al. 2021) on Burgers 1-D";

    public string Usage => """
        usage: scikernels train fno --problem burgers [--resolution 1024] [--ntrain 1000] [--ntest 200]
                                   [--epochs 100] [--width 64] [--modes 16] [--batch 20] [--lr 1e-3]
                                   [--weight-decay 1e-4] [--schedule step|cosine] [--seed 0]
                                   [--device cpu|opencl[:i]|cuda[:i]] [--out DIR] [--data-dir DIR] [--json]
        Writes DIR/model.safetensors, DIR/loss_curves.png, DIR/predictions.png and DIR/results.json.
        Data sets are generated once and cached in --data-dir (default .cache/data).
        """;

    public int Run(Options o, TextWriter stdout, TextWriter stderr)
    {
        var s = new FnoRunSettings(
            Problem: o.String("problem", "burgers"),
            Resolution: o.Int("resolution", 1024, 16, 1 << 16),
            NTrain: o.Int("ntrain", 1000, 1),
            NTest: o.Int("ntest", 200, 1),
            Epochs: o.Int("epochs", 100, 1),
            Width: o.Int("width", 64, 1, 4096),
            Modes: o.Int("modes", 16, 1, 1 << 15),
            Batch: o.Int("batch", 20, 1),
            LearningRate: o.Double("lr", 1e-3),
            WeightDecay: o.Double("weight-decay", 1e-4),
            Schedule: o.String("schedule", "step"),
            Seed: (ulong)o.Int("seed", 0, 0),
            Device: o.String("device", "cpu"),
            OutDir: o.String("out", System.IO.Path.Combine("runs", $"fno-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
            DataDir: o.String("data-dir", System.IO.Path.Combine(".cache", "data")),
            Json: o.Flag("json"));
        if (s.Resolution % 2 != 0) throw new OptionException($"--resolution must be even, got {s.Resolution}");
        if (s.Modes > s.Resolution / 2 + 1) throw new OptionException($"--modes {s.Modes} exceeds resolution/2+1 = {s.Resolution / 2 + 1}");
        return FnoExperiment.Run(s, stdout, stderr);
    }
}
