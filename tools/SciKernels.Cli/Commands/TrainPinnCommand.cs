using System.CommandLine;

namespace SciKernels.Cli;

/// <summary><c>scikernels train pinn</c>: trains a physics-informed network on a built-in problem.</summary>
internal sealed class TrainPinnCommand : ICommand
{
    private readonly Option<string> problem = Opt.Choice("--problem", "burgers", "the problem", "burgers", "burgers-inverse", "poisson");
    private readonly Option<int?> adamSteps = Opt.OptionalInt("--adam-steps", "Adam steps (burgers 2000, burgers-inverse 2000, poisson 1000)", 0);
    private readonly Option<int?> lbfgsSteps = Opt.OptionalInt("--lbfgs-steps", "L-BFGS steps at most (burgers 6000, burgers-inverse 4000, poisson 1000)", 0);
    private readonly Option<int?> nf = Opt.OptionalInt("--nf", "collocation points N_f (burgers 10000, burgers-inverse 0, poisson 2000)", 0);
    private readonly Option<int?> dataPoints = Opt.OptionalInt("--data-points", "data points N_u: boundary/initial points, or exact samples for burgers-inverse (burgers 100, burgers-inverse 2000, poisson 400)", 1);
    private readonly Option<string?> nu = Opt.Removed("--nu", "renamed --data-points (it is the number of data points N_u, not the viscosity ν, which is fixed by the problem)");
    private readonly Option<double> lr = Opt.Double("--lr", 1e-3, "Adam learning rate", Opt.Positive);
    private readonly Option<string> dtype = Opt.Choice("--dtype", "float32", "precision", "float32", "float64");
    private readonly Option<string> sampler = Opt.Choice("--sampler", "lhs", "collocation sampler", "lhs", "sobol", "halton", "uniform");
    private readonly Option<string> weighting = Opt.Choice("--weighting", "fixed", "loss weighting", "fixed", "relobralo", "annealing");
    private readonly Option<int> rar = Opt.Int("--rar", 0, "residual-based refinement: add N points every 1000 Adam steps", 0);
    private readonly Option<bool> hard = Opt.Flag("--hard", "poisson: build the boundary condition into the network");
    private readonly Option<int> logEvery = Opt.Int("--log-every", 100, "log (and record the metrics) every N steps", 1);
    private readonly Option<double> maxSeconds = Opt.Double("--max-seconds", 0, "stop L-BFGS at the first log point after S seconds of training (0: no limit)", Opt.NonNegative);
    private readonly Option<int> seed = Opt.Int("--seed", 0, "seed of the weights and the points", 0);
    private readonly Option<string> device = DeviceOption.Create("cpu (the only device PINN training supports so far)");
    private readonly Option<string?> outDir = Opt.Text("--out", "output folder (default runs/pinn-PROBLEM-TIME)");
    private readonly Option<bool> json = Opt.Flag("--json", "print the results JSON on stdout, progress on stderr");
    private readonly Option<string> derivatives = Opt.Choice("--derivatives", "taylor", "input derivatives", "taylor", "reverse");

    public string[] Path => ["train", "pinn"];

    public string Summary => "train a PINN (Raissi et al. 2019): Burgers forward/inverse, 2-D Poisson";

    public string Notes => """
        burgers          u_t + u u_x = (0.01/π) u_xx, 2→20×8→1 tanh, N_u boundary/initial points (--data-points, 100),
                         N_f collocation points (--nf, 10000); error vs the Cole–Hopf reference on 256×100.
        burgers-inverse  learns λ₁ (u u_x) and ν from --data-points (2000) exact samples; reports their errors.
        poisson          −Δu = 2π² sin(πx) sin(πy) on [0,1]², u = 0 on the boundary (--hard: built in).
        --derivatives    taylor (default): forward Taylor propagation of u_x, u_t, u_xx through the MLP;
                         reverse: repeated reverse mode (the general path; both agree, see the tests).
        Writes DIR/model.safetensors, DIR/solution.png, DIR/error.png, DIR/loss_curves.png, DIR/metrics.csv
        (one row per log point) and DIR/results.json.
        """;

    public IEnumerable<Symbol> Symbols =>
        [problem, adamSteps, lbfgsSteps, nf, dataPoints, nu, lr, dtype, sampler, weighting, rar, hard, logEvery, maxSeconds, seed, device, outDir, json, derivatives];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        var name = p.GetValue(problem)!;
        var defaults = name switch
        {
            "burgers" => (Adam: 2000, Lbfgs: 6000, Nf: 10000, Nu: 100),
            "burgers-inverse" => (Adam: 2000, Lbfgs: 4000, Nf: 0, Nu: 2000),
            _ => (Adam: 1000, Lbfgs: 1000, Nf: 2000, Nu: 400),
        };
        var s = new PinnRunSettings(
            Problem: name,
            AdamSteps: p.GetValue(adamSteps) ?? defaults.Adam,
            LbfgsSteps: p.GetValue(lbfgsSteps) ?? defaults.Lbfgs,
            Nf: p.GetValue(nf) ?? defaults.Nf,
            Nu: p.GetValue(dataPoints) ?? defaults.Nu,
            LearningRate: p.GetValue(lr),
            DType: p.GetValue(dtype)!,
            Sampler: p.GetValue(sampler)!,
            Weighting: p.GetValue(weighting)!,
            Rar: p.GetValue(rar),
            Hard: p.GetValue(hard),
            LogEvery: p.GetValue(logEvery),
            MaxSeconds: p.GetValue(maxSeconds),
            Seed: (ulong)p.GetValue(seed),
            Device: p.GetValue(device)!,
            OutDir: p.GetValue(outDir) ?? System.IO.Path.Combine("runs", $"pinn-{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}"),
            Json: p.GetValue(json),
            Derivatives: p.GetValue(derivatives)!);
        if (s.Problem == "burgers" && s.Nf == 0) throw new OptionException("--nf must be positive for burgers");
        var resolved = DeviceOption.Resolve(s.Device);
        if (resolved.Kind != DeviceKind.Cpu) throw new OptionException($"--device {s.Device}: PINN training runs on the CPU only so far");
        OutputFolder.Validate(s.OutDir);
        return new Job(() => TrainPinnExperiment.Run(s, stdout, stderr), s.OutDir);
    }
}
