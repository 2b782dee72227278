namespace SciKernels.Cli;

/// <summary><c>scikernels train pinn</c>: trains a physics-informed network on a built-in problem.</summary>
internal sealed class TrainPinnCommand : ICommand
{
    public string[] Path => ["train", "pinn"];

    public string Summary => "train a PINN (Raissi et al. 2019): Burgers forward/inverse, 2-D Poisson";

    public string Usage => """
        usage: scikernels train pinn --problem burgers|burgers-inverse|poisson
                                    [--adam-steps N] [--lbfgs-steps N] [--nf N] [--nu N] [--lr 1e-3]
                                    [--dtype float32|float64] [--sampler lhs|sobol|halton|uniform]
                                    [--weighting fixed|relobralo|annealing] [--rar N] [--hard]
                                    [--log-every 100] [--max-seconds S] [--seed 0] [--device cpu] [--out DIR] [--json]
                                    [--derivatives taylor|reverse]
        burgers          u_t + u u_x = (0.01/π) u_xx, 2→20×8→1 tanh, N_u boundary/initial points (--nu, 100),
                         N_f collocation points (--nf, 10000); error vs the Cole–Hopf reference on 256×100.
        burgers-inverse  learns λ₁ (u u_x) and ν from --nu (2000) exact samples; reports their errors.
        poisson          −Δu = 2π² sin(πx) sin(πy) on [0,1]², u = 0 on the boundary (--hard: built in).
        --max-seconds S  stop L-BFGS at the first log point after S seconds of training (0: no limit).
        --rar N          residual-based refinement: add N points every 1000 Adam steps.
        --derivatives    taylor (default): forward Taylor propagation of u_x, u_t, u_xx through the MLP;
                         reverse: repeated reverse mode (the general path; both agree, see the tests).
        Writes DIR/model.safetensors, DIR/solution.png, DIR/error.png, DIR/loss_curves.png, DIR/results.json.
        """;

    public int Run(Options o, TextWriter stdout, TextWriter stderr)
    {
        var problem = o.String("problem", "burgers");
        var defaults = problem switch
        {
            "burgers" => (Adam: 2000, Lbfgs: 6000, Nf: 10000, Nu: 100),
            "burgers-inverse" => (Adam: 2000, Lbfgs: 4000, Nf: 0, Nu: 2000),
            "poisson" => (Adam: 1000, Lbfgs: 1000, Nf: 2000, Nu: 400),
            _ => throw new OptionException($"--problem must be burgers, burgers-inverse or poisson, got '{problem}'"),
        };
        var s = new PinnRunSettings(
            Problem: problem,
            AdamSteps: o.Int("adam-steps", defaults.Adam, 0),
            LbfgsSteps: o.Int("lbfgs-steps", defaults.Lbfgs, 0),
            Nf: o.Int("nf", defaults.Nf, 0),
            Nu: o.Int("nu", defaults.Nu, 1),
            LearningRate: o.Double("lr", 1e-3),
            DType: o.String("dtype", "float32"),
            Sampler: o.String("sampler", "lhs"),
            Weighting: o.String("weighting", "fixed"),
            Rar: o.Int("rar", 0, 0),
            Hard: o.Flag("hard"),
            LogEvery: o.Int("log-every", 100, 1),
            MaxSeconds: o.Double("max-seconds", 0),
            Seed: (ulong)o.Int("seed", 0, 0),
            Device: o.String("device", "cpu"),
            OutDir: o.String("out", System.IO.Path.Combine("runs", $"pinn-{problem}-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
            Json: o.Flag("json"),
            Derivatives: o.String("derivatives", "taylor"));
        if (s.DType is not ("float32" or "float64")) throw new OptionException($"--dtype must be float32 or float64, got '{s.DType}'");
        if (s.Sampler is not ("lhs" or "sobol" or "halton" or "uniform")) throw new OptionException($"--sampler must be lhs, sobol, halton or uniform, got '{s.Sampler}'");
        if (s.Weighting is not ("fixed" or "relobralo" or "annealing")) throw new OptionException($"--weighting must be fixed, relobralo or annealing, got '{s.Weighting}'");
        if (s.Derivatives is not ("taylor" or "reverse")) throw new OptionException($"--derivatives must be taylor or reverse, got '{s.Derivatives}'");
        if (s.Device != "cpu") throw new OptionException($"--device {s.Device}: PINN training runs on the CPU only so far");
        if (s.Problem == "burgers" && s.Nf == 0) throw new OptionException("--nf must be positive for burgers");
        return TrainPinnExperiment.Run(s, stdout, stderr);
    }
}
