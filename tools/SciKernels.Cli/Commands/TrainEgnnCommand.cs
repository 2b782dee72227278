namespace SciKernels.Cli;

/// <summary><c>scikernels train egnn</c>: trains an E(n)-equivariant GNN on the charged N-body problem.</summary>
internal sealed class TrainEgnnCommand : ICommand
{
    public string[] Path => ["train", "egnn"];

    public string Summary => "train an EGNN (Satorras et al. 2021) on the charged N-body system";

    public string Usage => """
        usage: scikernels train egnn --problem nbody [--ntrain 3000] [--nval 2000] [--ntest 2000] [--epochs 10000]
                                    [--hidden 64] [--layers 4] [--batch 100] [--lr 5e-4] [--weight-decay 1e-12]
                                    [--val-every 5] [--patience N] [--time-limit MIN] [--schedule none|cosine]
                                    [--seed 0] [--data-seed 0]
                                    [--out DIR] [--data-dir DIR] [--json]
        Defaults follow the paper and its reference (n_body_system/main_nbody.py): EGNN_vel, node feature ‖v‖,
        edge attributes [q_i q_j, ‖x_i − x_j‖²], Adam, MSE on the positions 1000 steps ahead, shuffled
        batches without the last partial one, validation every 5 epochs, and the test MSE of the best
        validation epoch (its weights are restored for the test).
        --patience N   stop after N validations without improvement (default: off).
        --time-limit M wall-clock budget of the training in minutes: stops before an epoch would overrun it
                       (default: off).
        --schedule     none (default, the reference's constant rate) or cosine: anneal the rate to 0 over --epochs
                       (per step). Not the paper's recipe; for a fixed budget, set --epochs to what fits in it.
        --seed         weights and shuffling; --data-seed the simulated data set (cached in --data-dir,
                       default .cache/data).
        Writes DIR/model.safetensors (the best validation epoch's weights, rewritten at each improvement),
        DIR/loss_curves.png, DIR/predictions.png and DIR/results.json.
        """;

    public int Run(Options o, TextWriter stdout, TextWriter stderr)
    {
        string problem = o.String("problem") ?? throw new OptionException("--problem is required (nbody)");
        if (problem != "nbody") throw new OptionException($"--problem must be nbody, got '{problem}'");
        var s = new EgnnRunSettings(
            Problem: problem,
            NTrain: o.Int("ntrain", 3000, 1, 1_000_000),
            NVal: o.Int("nval", 2000, 1, 1_000_000),
            NTest: o.Int("ntest", 2000, 1, 1_000_000),
            Epochs: o.Int("epochs", 10000, 1),
            Hidden: o.Int("hidden", 64, 1, 4096),
            Layers: o.Int("layers", 4, 1, 64),
            Batch: o.Int("batch", 100, 1),
            LearningRate: o.Double("lr", 5e-4),
            WeightDecay: o.Double("weight-decay", 1e-12),
            ValEvery: o.Int("val-every", 5, 1),
            Patience: o.Int("patience", 0, 0),
            TimeLimitMinutes: o.Double("time-limit", 0),
            Seed: (ulong)o.Int("seed", 0, 0),
            DataSeed: (ulong)o.Int("data-seed", 0, 0),
            OutDir: o.String("out", System.IO.Path.Combine("runs", $"egnn-{problem}-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
            DataDir: o.String("data-dir", System.IO.Path.Combine(".cache", "data")),
            Json: o.Flag("json"),
            Schedule: o.String("schedule", "none"));
        if (s.Schedule is not ("none" or "cosine")) throw new OptionException($"--schedule must be none or cosine, got '{s.Schedule}'");
        if (s.LearningRate <= 0) throw new OptionException($"--lr must be > 0, got {s.LearningRate}");
        if (s.WeightDecay < 0) throw new OptionException($"--weight-decay must be ≥ 0, got {s.WeightDecay}");
        if (s.TimeLimitMinutes < 0) throw new OptionException($"--time-limit must be ≥ 0 minutes, got {s.TimeLimitMinutes}");
        if (s.Batch > s.NTrain) throw new OptionException($"--batch {s.Batch} exceeds --ntrain {s.NTrain}: no full batch to train on");
        if (File.Exists(s.OutDir)) throw new OptionException($"--out {s.OutDir} is a file, not a folder");
        o.ThrowIfUnused(); // a typo fails now, not after a 30-minute run
        return EgnnExperiment.Run(s, stdout, stderr);
    }
}
