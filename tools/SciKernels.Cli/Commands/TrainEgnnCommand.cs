using System.CommandLine;
using SciKernels.Data;

namespace SciKernels.Cli;

/// <summary><c>scikernels train egnn</c>: trains an E(n)-equivariant GNN on the charged N-body problem.</summary>
internal sealed class TrainEgnnCommand : ICommand
{
    private readonly Option<string?> problem = Opt.Text("--problem", "the data set: nbody (required)");
    private readonly Option<int> ntrain = Opt.Int("--ntrain", 3000, "training systems", 1, 1_000_000);
    private readonly Option<int> nval = Opt.Int("--nval", 2000, "validation systems", 1, 1_000_000);
    private readonly Option<int> ntest = Opt.Int("--ntest", 2000, "test systems", 1, 1_000_000);
    private readonly Option<int> epochs = Opt.Int("--epochs", 10000, "training epochs", 1);
    private readonly Option<int> hidden = Opt.Int("--hidden", 64, "hidden features", 1, 4096);
    private readonly Option<int> layers = Opt.Int("--layers", 4, "EGNN layers", 1, 64);
    private readonly Option<int> batch = Opt.Int("--batch", 100, "systems per batch", 1);
    private readonly Option<double> lr = Opt.Double("--lr", 5e-4, "Adam learning rate", Opt.Positive);
    private readonly Option<double> weightDecay = Opt.Double("--weight-decay", 1e-12, "Adam weight decay", Opt.NonNegative);
    private readonly Option<int> valEvery = Opt.Int("--val-every", 5, "validate every N epochs", 1);
    private readonly Option<int> patience = Opt.Int("--patience", 0, "stop after N validations without improvement (0: off)", 0);
    private readonly Option<double> timeLimit = Opt.Double("--time-limit", 0, "training budget in minutes (0: off)", Opt.NonNegative);
    private readonly Option<string> schedule = Opt.Choice("--schedule", "none", "learning-rate schedule", "none", "cosine");
    private readonly Option<int> seed = Opt.Int("--seed", 0, "seed of the weights and the shuffling", 0);
    private readonly Option<string> data = Opt.Choice("--data", "reference", "initial states of the systems", "reference", "scikernels");
    private readonly Option<int?> dataSeed = Opt.OptionalInt("--data-seed", "seed of the data set (default: 43 for --data reference, 0 for scikernels)", 0);
    private readonly Option<string?> outDir = Opt.Text("--out", "output folder (default runs/egnn-PROBLEM-TIME)");
    private readonly Option<string?> dataDir = Opt.Text("--data-dir", "data cache folder", System.IO.Path.Combine(".cache", "data"));
    private readonly Option<bool> json = Opt.Flag("--json", "print the results JSON on stdout, progress on stderr");

    public string[] Path => ["train", "egnn"];

    public string Summary => "train an EGNN (Satorras et al. 2021) on the charged N-body system";

    public string Notes => """
        Defaults follow the paper and its reference (n_body_system/main_nbody.py): EGNN_vel, node feature ‖v‖,
        edge attributes [q_i q_j, ‖x_i − x_j‖²], Adam, MSE on the positions 1000 steps ahead, shuffled
        batches without the last partial one, validation every 5 epochs, and the test MSE of the best
        validation epoch (its weights are restored for the test).
        --time-limit M stops before an epoch would overrun the budget.
        --schedule     none (the reference's constant rate) or cosine: anneal the rate to 0 over --epochs
                       (per step). Not the paper's recipe; for a fixed budget, set --epochs to what fits in it.
        --data         reference (default): the paper's own systems — the EGNN repository's nbody_small set
                       (NumPy seed 43, its draw order) regenerated and integrated by our simulator;
                       scikernels: independent systems from our own generator (--data-seed picks the set).
        The simulated data set is cached in --data-dir.
        Writes DIR/model.safetensors (the best validation epoch's weights, rewritten at each improvement),
        DIR/loss_curves.png, DIR/predictions.png, DIR/metrics.csv (one row per epoch) and DIR/results.json.
        """;

    public IEnumerable<Symbol> Symbols =>
        [problem, ntrain, nval, ntest, epochs, hidden, layers, batch, lr, weightDecay, valEvery, patience, timeLimit, schedule, seed, data, dataSeed, outDir, dataDir, json];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string name = p.GetValue(problem) ?? throw new OptionException("--problem is required (nbody)");
        if (name != "nbody") throw new OptionException($"--problem must be nbody, got '{name}'");
        var s = new EgnnRunSettings(
            Problem: name,
            NTrain: p.GetValue(ntrain),
            NVal: p.GetValue(nval),
            NTest: p.GetValue(ntest),
            Epochs: p.GetValue(epochs),
            Hidden: p.GetValue(hidden),
            Layers: p.GetValue(layers),
            Batch: p.GetValue(batch),
            LearningRate: p.GetValue(lr),
            WeightDecay: p.GetValue(weightDecay),
            ValEvery: p.GetValue(valEvery),
            Patience: p.GetValue(patience),
            TimeLimitMinutes: p.GetValue(timeLimit),
            Seed: (ulong)p.GetValue(seed),
            DataSeed: (ulong)(p.GetValue(dataSeed) ?? (p.GetValue(data) == "reference" ? (int)NBodyDataset.ReferenceSeed : 0)),
            OutDir: OutputFolder.Validate(p.GetValue(outDir) ?? System.IO.Path.Combine("runs", $"egnn-{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
            DataDir: p.GetValue(dataDir)!,
            Json: p.GetValue(json),
            Schedule: p.GetValue(schedule)!,
            Data: p.GetValue(data)!);
        if (s.Data == "reference")
            foreach (var (option, count, split) in new[] { ("--ntrain", s.NTrain, NBodySplit.Train), ("--nval", s.NVal, NBodySplit.Validation), ("--ntest", s.NTest, NBodySplit.Test) })
                if (count > NBodyDataset.ReferenceCount(split))
                    throw new OptionException($"{option} {count} exceeds the reference data set's {NBodyDataset.ReferenceCount(split)} systems (use --data scikernels for more)");
        if (s.Batch > s.NTrain) throw new OptionException($"--batch {s.Batch} exceeds --ntrain {s.NTrain}: no full batch to train on");
        return new Job(() => EgnnExperiment.Run(s, stdout, stderr), s.OutDir);
    }
}
