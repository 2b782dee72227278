using System.CommandLine;
using SciKernels.Training;

namespace SciKernels.Cli;

/// <summary><c>scikernels train potential</c>: trains a learned interatomic potential on energies, forces and stresses.</summary>
internal sealed class TrainPotentialCommand : ICommand
{
    private readonly Option<string?> data = Opt.Text("--data", "training data: an extended-XYZ file with energy=, a forces column and (optionally) stress=");
    private readonly Option<string?> generate = Opt.Text("--generate", "generate the data instead: cu (EMT-labelled Cu FCC supercells)");
    private readonly Option<int> structures = Opt.Int("--structures", 120, "structures to generate (--generate)", 3, 1_000_000);
    private readonly Option<int> supercell = Opt.Int("--supercell", 2, "conventional FCC cells per axis of the generated supercells (4n³ atoms)", 1, 8);
    private readonly Option<int> dataSeed = Opt.Int("--data-seed", 0, "seed of the generated data", 0);
    private readonly Option<string> model = Opt.Choice("--model", "pair", "the model", [.. PotentialModels.Names]);
    private readonly Option<double> cutoff = Opt.Double("--cutoff", 5.0, "cutoff radius (Å)", Opt.Positive);
    private readonly Option<int> basis = Opt.Int("--basis", 8, "radial (Bessel) basis functions", 1, 64);
    private readonly Option<int> hidden = Opt.Int("--hidden", 32, "hidden width of the radial MLP (pair: two layers; nequip: one)", 1, 4096);
    private readonly Option<int> channels = Opt.Int("--channels", 32, "nequip: channels per irrep", 1, 1024);
    private readonly Option<int> lmax = Opt.Int("--lmax", 2, "nequip: highest degree l of the features and spherical harmonics", 0, 4);
    private readonly Option<int> layers = Opt.Int("--layers", 3, "nequip: interaction blocks", 1, 32);
    private readonly Option<int> epochs = Opt.Int("--epochs", 100, "training epochs", 1);
    private readonly Option<double> timeLimit = Opt.Double("--time-limit", 0, "training budget in minutes (0: off)", Opt.NonNegative);
    private readonly Option<int> batch = Opt.Int("--batch", 4, "structures per batch", 1);
    private readonly Option<double> lr = Opt.Double("--lr", 5e-3, "Adam learning rate", Opt.Positive);
    private readonly Option<double> energyWeight = Opt.Double("--energy-weight", 1, "weight of the energy-per-atom MSE ((eV/atom)²)", Opt.NonNegative);
    private readonly Option<double> forceWeight = Opt.Double("--force-weight", 1, "weight of the force MSE ((eV/Å)²)", Opt.NonNegative);
    private readonly Option<double> stressWeight = Opt.Double("--stress-weight", 1, "weight of the stress MSE ((eV/Å³)²)", Opt.NonNegative);
    private readonly Option<double> valFraction = Opt.Double("--val-fraction", 0.1, "share of the structures held out for validation", ("in (0, 0.5)", v => v > 0 && v < 0.5));
    private readonly Option<double> testFraction = Opt.Double("--test-fraction", 0.1, "share of the structures held out for the test", ("in (0, 0.5)", v => v > 0 && v < 0.5));
    private readonly Option<int> valEvery = Opt.Int("--val-every", 5, "validate every N epochs", 1);
    private readonly Option<int> seed = Opt.Int("--seed", 0, "seed of the weights, the split and the shuffling", 0);
    private readonly Option<string?> outDir = Opt.Text("--out", "output folder (default runs/potential-MODEL-TIME)");
    private readonly Option<bool> json = Opt.Flag("--json", "print the results JSON on stdout, progress on stderr");

    public string[] Path => ["train", "potential"];

    public string Summary => "train a learned interatomic potential on energies, forces and stresses (extended XYZ or generated EMT data)";

    public string Notes => """
        Data: --data FILE.extxyz reads every frame (energy=, a forces column, optionally stress= as ASE writes
        them), or --generate cu makes --structures Cu FCC supercells (random strain, thermal displacements
        at 300–1200 K, some with a vacancy) labelled by the library's EMT. The structures are split at
        random (--seed) into training, validation (--val-fraction) and test (--test-fraction) sets.
        Model: --model pair is a learned pair potential (a Bessel-basis MLP per species pair with NequIP's
        polynomial envelope), the baseline; --model nequip is the E(3)-equivariant NequIP-style network
        (--channels, --lmax, --layers; tensor-product convolutions, docs/irreps.md). Per-species energy shifts are fitted by least squares on the
        training set and the energy scale is the RMS training force.
        Loss: w_E·MSE(E/atom) + w_F·MSE(F) + w_S·MSE(stress) in eV/atom, eV/Å and eV/Å³ (stresses are small
        numbers, so their term is weak at weight 1; --stress-weight 100 fits them, see docs/potentials.md).
        Adam, shuffled batches, validation every --val-every epochs; the best validation epoch's weights
        are kept (--time-limit M stops before an epoch would overrun the budget).
        Writes DIR/model.safetensors (parameters, shift, scale and the configuration, loadable by
        scikernels evaluate --potential DIR/model.safetensors), DIR/parity_energy.png and
        DIR/parity_forces.png (held-out test set), DIR/metrics.csv and DIR/results.json (energy MAE in
        meV/atom, force MAE in meV/Å and the force standard deviation on the test set, training time).
        """;

    public IEnumerable<Symbol> Symbols =>
        [data, generate, structures, supercell, dataSeed, model, cutoff, basis, hidden, channels, lmax, layers, epochs, timeLimit, batch, lr, energyWeight, forceWeight, stressWeight,
         valFraction, testFraction, valEvery, seed, outDir, json];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string? file = p.GetValue(data);
        string? gen = p.GetValue(generate);
        if ((file is null) == (gen is null)) throw new OptionException("give exactly one of --data FILE.extxyz and --generate cu");
        if (file is not null && !File.Exists(file)) throw new OptionException($"--data {file} does not exist");
        if (gen is not null && gen != "cu") throw new OptionException($"--generate must be cu, got '{gen}'");
        var weights = new PotentialLossWeights(p.GetValue(energyWeight), p.GetValue(forceWeight), p.GetValue(stressWeight));
        if (weights.Energy == 0 && weights.Forces == 0 && weights.Stress == 0) throw new OptionException("all loss weights are 0: nothing to train on");
        if (p.GetValue(valFraction) + p.GetValue(testFraction) >= 0.9) throw new OptionException("--val-fraction and --test-fraction leave less than 10% of the data to train on");
        string kind = p.GetValue(model)!;
        var s = new PotentialRunSettings(
            DataFile: file,
            Generate: gen,
            Structures: p.GetValue(structures),
            Supercell: p.GetValue(supercell),
            DataSeed: (ulong)p.GetValue(dataSeed),
            Model: kind,
            Cutoff: p.GetValue(cutoff),
            Basis: p.GetValue(basis),
            Hidden: p.GetValue(hidden),
            Epochs: p.GetValue(epochs),
            TimeLimitMinutes: p.GetValue(timeLimit),
            Batch: p.GetValue(batch),
            LearningRate: p.GetValue(lr),
            Weights: weights,
            ValFraction: p.GetValue(valFraction),
            TestFraction: p.GetValue(testFraction),
            ValEvery: p.GetValue(valEvery),
            Seed: (ulong)p.GetValue(seed),
            OutDir: OutputFolder.Validate(p.GetValue(outDir) ?? System.IO.Path.Combine("runs", $"potential-{kind}-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
            Json: p.GetValue(json),
            Channels: p.GetValue(channels),
            LMax: p.GetValue(lmax),
            Layers: p.GetValue(layers));
        return new Job(() => PotentialExperiment.Run(s, stdout, stderr), s.OutDir);
    }
}
