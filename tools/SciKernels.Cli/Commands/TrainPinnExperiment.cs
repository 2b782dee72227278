using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SciKernels.NN;
using SciKernels.Pinn;
using SciKernels.Random;
using SciKernels.Training;
using SciKernels.Training.Distributed;

namespace SciKernels.Cli;

/// <summary>Settings of a PINN run (the <c>train pinn</c> options).</summary>
internal sealed record PinnRunSettings(
    string Problem, int AdamSteps, int LbfgsSteps, int Nf, int Nu, double LearningRate, string DType, string Sampler,
    string Weighting, int Rar, bool Hard, int LogEvery, double MaxSeconds, ulong Seed, string Device, string OutDir, bool Json,
    string Derivatives = "taylor");

/// <summary>
/// The PINN experiments of docs/pinn.md: builds the problem with the SciKernels.Pinn API, trains it with
/// Adam then L-BFGS, evaluates against an exact or reference solution, and writes a checkpoint,
/// PNGs and results.json.
/// </summary>
internal static class TrainPinnExperiment
{
    private sealed record Setup(PinnProblem Problem, Func<double[], double[]> Reference, double[] GridX, double[] GridY,
        string XName, string YName, Dictionary<string, double>? TrueCoefficients);

    public static int Run(PinnRunSettings s, TextWriter stdout, TextWriter stderr)
    {
        // Under mpirun: data-parallel, every term's points sharded over the ranks; rank 0 alone prints and writes files.
        var comm = MpiComm.World;
        if (comm.Size > 1 && s.Weighting == "annealing")
            throw new OptionException("--weighting annealing needs per-term gradients, which are not reduced across MPI ranks; use fixed or relobralo");
        if (!comm.IsRoot) stdout = TextWriter.Null;
        else Directory.CreateDirectory(s.OutDir);
        var log = s.Json ? (Action<string>)(m => stderr.WriteLine(m)) : m => stdout.WriteLine(m);
        if (!comm.IsRoot) log = _ => { };
        var total = Stopwatch.StartNew();
        var dtype = s.DType == "float64" ? DType.Float64 : DType.Float32;
        var sampler = s.Sampler switch
        {
            "sobol" => SamplingMethod.Sobol,
            "halton" => SamplingMethod.Halton,
            "uniform" => SamplingMethod.Uniform,
            _ => SamplingMethod.LatinHypercube,
        };
        var setup = s.Problem switch
        {
            "burgers" => Burgers(s, dtype, sampler),
            "burgers-inverse" => BurgersInverse(s, dtype),
            _ => Poisson(s, dtype, sampler),
        };
        var problem = setup.Problem;
        // Taylor-mode input derivatives for plain MLPs (falls back to reverse mode where it does not apply).
        problem.DerivativeEngine = s.Derivatives == "taylor" ? TaylorDerivativeEngine.Instance : ReverseModeDerivativeEngine.Instance;
        var model = problem.Model;
        ILossWeighting weighting = s.Weighting switch
        {
            "relobralo" => new ReLoBRaLo(seed: s.Seed),
            "annealing" => new LearningRateAnnealing(),
            _ => new FixedWeighting(),
        };
        var trainer = new PinnTrainer(problem, weighting) { LogEvery = s.LogEvery, TimeLimit = s.MaxSeconds > 0 ? TimeSpan.FromSeconds(s.MaxSeconds) : null };
        DataParallel? dataParallel = null;
        if (comm.Size > 1)
        {
            dataParallel = new DataParallel(comm, JsonSerializer.Serialize(s with { OutDir = "", Json = false }));
            dataParallel.Begin(model, model.Parameters().ToList(), PointsHash(problem), "train pinn");
            trainer.DataParallel = dataParallel;
            log($"pinn: data-parallel over {comm.Size} MPI ranks, every term's points sharded");
        }
        var setupSeconds = total.Elapsed.TotalSeconds;
        // metrics.csv: one row per log point: phase, step, loss, each term's loss and weight, the learned coefficients.
        var csvColumns = new List<string> { "phase", "step", "loss", "seconds" };
        csvColumns.AddRange(problem.Terms.Select(t => "loss_" + t.Name));
        csvColumns.AddRange(problem.Terms.Select(t => "weight_" + t.Name));
        csvColumns.AddRange(model.CoefficientNames.Select(c => "coef_" + c));
        string metricsPath = Path.Combine(s.OutDir, MetricsLog.FileName);
        using var metricsCsv = comm.IsRoot ? new MetricsLog(metricsPath, csvColumns) : null;
        trainer.OnLog = e =>
        {
            var row = new List<object?> { e.Phase.ToString().ToLowerInvariant(), e.Step, e.Loss, e.Seconds };
            row.AddRange(e.TermLosses.Select(v => (object?)v));
            row.AddRange(problem.Terms.Select((_, i) => (object?)(i < e.Weights.Length ? e.Weights[i] : null)));
            row.AddRange(model.CoefficientNames.Select(c => (object?)model.CoefficientValue(c)));
            metricsCsv?.Append(row);
            var terms = string.Join(" ", problem.Terms.Select((t, i) => $"{t.Name} {e.TermLosses[i]:E3}"));
            var coefs = string.Join(" ", model.CoefficientNames.Select(c => $"{c} {model.CoefficientValue(c):G6}"));
            log($"{e.Phase.ToString().ToLowerInvariant(),-5} {e.Step,6}  loss {e.Loss:E4}  [{terms}]{(coefs.Length > 0 ? "  " + coefs : "")}  {e.Seconds:F1} s (cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F0} s)");
        };
        log($"pinn {s.Problem}: {model.ParameterCount} parameters, {string.Join(", ", problem.Terms.Select(t => $"{t.Name}: {t.Condition.HostPoints.Count} pts"))}, {s.DType}, Adam {s.AdamSteps} + L-BFGS ≤ {s.LbfgsSteps}");

        var train = Stopwatch.StartNew();
        RarOptions? rar = s.Rar > 0 && problem.Terms.Any(t => t.Name == "pde")
            ? new RarOptions("pde", seed => CandidateSampler(s, seed), 1000, s.Rar)
            : null;
        if (s.AdamSteps > 0) trainer.Adam(s.AdamSteps, s.LearningRate, rar: rar);
        double adamSeconds = train.Elapsed.TotalSeconds;
        Optim.LbfgsResult? lbfgs = null;
        if (s.LbfgsSteps > 0)
        {
            lbfgs = trainer.Lbfgs(s.LbfgsSteps);
            log($"l-bfgs stopped: {lbfgs.Reason} ({lbfgs.Message})");
        }
        double trainSeconds = train.Elapsed.TotalSeconds;
        if (!comm.IsRoot)
        {
            // The model is the same on every rank: rank 0 evaluates and writes.
            problem.Dispose();
            model.Dispose();
            return 0;
        }

        // Evaluate on the tensor grid: index [j (y or t), i (x)].
        int nx = setup.GridX.Length, ny = setup.GridY.Length;
        var pts = new double[nx * ny * 2];
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
            {
                pts[2 * (j * nx + i)] = setup.GridX[i];
                pts[2 * (j * nx + i) + 1] = setup.GridY[j];
            }
        var prediction = model.Predict(new PointSet(pts, 2));
        var reference = setup.Reference(pts);
        double relL2 = BurgersReference.RelativeL2(prediction, reference);
        double maxErr = prediction.Zip(reference, (a, b) => Math.Abs(a - b)).Max();

        var coefficients = new Dictionary<string, object>();
        foreach (var c in model.CoefficientNames)
        {
            double v = model.CoefficientValue(c);
            var entry = new Dictionary<string, double> { ["value"] = v };
            if (setup.TrueCoefficients?.TryGetValue(c, out var truth) == true)
            {
                entry["true"] = truth;
                entry["relative_error"] = Math.Abs(v - truth) / Math.Abs(truth);
            }
            coefficients[c] = entry;
        }

        string checkpoint = Path.Combine(s.OutDir, "model.safetensors");
        Checkpoint.Save(checkpoint, model, null, new Dictionary<string, string>
        {
            ["problem"] = s.Problem,
            ["relative_l2"] = relL2.ToString("R", CultureInfo.InvariantCulture),
            ["settings"] = JsonSerializer.Serialize(s),
        });

        // Plots: horizontal axis = second coordinate for Burgers (t), as in the paper's figure.
        bool timeDependent = s.Problem != "poisson";
        var solutionPng = Path.Combine(s.OutDir, "solution.png");
        var errorPng = Path.Combine(s.OutDir, "error.png");
        var lossPng = Path.Combine(s.OutDir, "loss_curves.png");
        var (pred2d, ext) = Grid(prediction, setup, timeDependent);
        var err = prediction.Zip(reference, (a, b) => a - b).ToArray();
        var (err2d, _) = Grid(err, setup, timeDependent);
        string hLabel = timeDependent ? setup.YName : setup.XName, vLabel = timeDependent ? setup.XName : setup.YName;
        Plots.Heatmap(solutionPng, pred2d, ext, $"PINN u({setup.XName}, {setup.YName}) — {s.Problem}", hLabel, vLabel);
        Plots.Heatmap(errorPng, err2d, ext, $"error u_PINN − u_ref (rel. L2 {relL2:E2}, max {maxErr:E2})", hLabel, vLabel, symmetric: true);
        var steps = new List<double>();
        foreach (var e in trainer.History) steps.Add(e.Phase == Pinn.PinnPhase.Adam ? e.Step : s.AdamSteps + e.Step);
        var series = new Dictionary<string, double[]> { ["total"] = trainer.History.Select(e => e.Loss).ToArray() };
        for (int k = 0; k < problem.Terms.Count; k++)
            series[problem.Terms[k].Name] = trainer.History.Select(e => e.TermLosses[k]).ToArray();
        Plots.PinnLossCurves(lossPng, steps, series, s.AdamSteps > 0 && s.LbfgsSteps > 0 ? s.AdamSteps : null, $"PINN {s.Problem} loss");

        var results = new Dictionary<string, object?>
        {
            ["problem"] = s.Problem,
            ["relative_l2"] = relL2,
            ["max_abs_error"] = maxErr,
            ["grid"] = $"{nx}x{ny}",
            ["coefficients"] = coefficients,
            ["final_loss"] = trainer.History.Count > 0 ? trainer.History[^1].Loss : double.NaN,
            ["term_losses"] = trainer.History.Count > 0 ? problem.Terms.Select((t, i) => (t.Name, trainer.History[^1].TermLosses[i])).ToDictionary(p => p.Name, p => p.Item2) : null,
            ["weights"] = problem.Terms.ToDictionary(t => t.Name, t => t.Weight),
            ["adam_steps"] = s.AdamSteps,
            ["lbfgs_iterations"] = trainer.History.Where(e => e.Phase == Pinn.PinnPhase.Lbfgs).Select(e => e.Step).DefaultIfEmpty(0).Max(),
            ["lbfgs_stop"] = lbfgs?.Reason.ToString(),
            ["time_limit_hit"] = s.MaxSeconds > 0 && trainSeconds >= s.MaxSeconds,
            ["loss_evaluations"] = trainer.Evaluations,
            ["parameters"] = model.ParameterCount,
            ["setup_seconds"] = setupSeconds,
            ["adam_seconds"] = adamSeconds,
            ["train_seconds"] = trainSeconds,
            ["total_seconds"] = total.Elapsed.TotalSeconds,
            ["process_cpu_seconds"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            ["load_average"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
            ["processors"] = Environment.ProcessorCount,
            ["checkpoint"] = checkpoint,
            ["plots"] = new[] { solutionPng, errorPng, lossPng },
            ["metrics"] = metricsPath,
            ["history"] = trainer.History.Select(e => new { phase = e.Phase.ToString(), e.Step, e.Loss, terms = e.TermLosses, e.Seconds }).ToArray(),
            ["settings"] = s,
            ["ranks"] = comm.Size,
            ["allreduce_seconds"] = dataParallel?.AllreduceTime.TotalSeconds ?? 0.0,
        };
        var json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true });
        RunFiles.WriteAllText(Path.Combine(s.OutDir, "results.json"), json);
        if (s.Json) stdout.WriteLine(json);
        else
        {
            stdout.WriteLine($"relative L2 {relL2:E3} (max |error| {maxErr:E2}) on {nx}×{ny}; training {trainSeconds:F1} s (Adam {adamSeconds:F1} s), total {total.Elapsed.TotalSeconds:F1} s");
            foreach (var (c, v) in coefficients) stdout.WriteLine($"  {c}: {JsonSerializer.Serialize(v)}");
            stdout.WriteLine($"checkpoint: {checkpoint}");
            stdout.WriteLine($"plots: {solutionPng}, {errorPng}, {lossPng}");
        }
        problem.Dispose();
        model.Dispose();
        return 0;
    }

    // What the ranks must agree on besides the settings: every term's points (generated from the seed on each rank).
    private static ulong PointsHash(PinnProblem problem)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var t in problem.Terms)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{t.Name}:{t.Condition.GetType().Name}:{t.Condition.HostPoints.Count};"));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Condition.HostPoints.Data.AsSpan()));
        }
        return DataParallel.HashBytes(sha.GetHashAndReset());
    }

    private static (double[,] Values, (double, double, double, double) Extent) Grid(double[] v, Setup setup, bool transpose)
    {
        int nx = setup.GridX.Length, ny = setup.GridY.Length;
        if (transpose)
        {
            // rows: x from top (largest) to bottom; columns: t.
            var a = new double[nx, ny];
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++) a[nx - 1 - i, j] = v[j * nx + i];
            return (a, (setup.GridY[0], setup.GridY[^1], setup.GridX[0], setup.GridX[^1]));
        }
        var b = new double[ny, nx];
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++) b[ny - 1 - j, i] = v[j * nx + i];
        return (b, (setup.GridX[0], setup.GridX[^1], setup.GridY[0], setup.GridY[^1]));
    }

    private static PointSet CandidateSampler(PinnRunSettings s, ulong seed) => s.Problem switch
    {
        "poisson" => new Rectangle(0, 0, 1, 1).SampleInterior(10000, SamplingMethod.Uniform, seed + 1000),
        _ => new SpaceTimeDomain(new Interval(-1, 1), 0, 1).SampleInterior(10000, SamplingMethod.Uniform, seed + 1000),
    };

    private static Mlp Network(int inputs, int width, int depth, int outputs, ulong seed, DType dtype)
    {
        var widths = new List<int> { inputs };
        for (int i = 0; i < depth; i++) widths.Add(width);
        widths.Add(outputs);
        return new Mlp(widths, new Generator(seed), Activation.Tanh, dtype: dtype, initializer: Mlp.XavierInit());
    }

    /// <summary>
    /// Raissi et al. 2019, §3.1: N_u initial/boundary points drawn from the 256 initial and 2×100 boundary
    /// grid points, N_f Latin-hypercube collocation points (plus the N_u points), 9-layer tanh network.
    /// </summary>
    private static Setup Burgers(PinnRunSettings s, DType dtype, SamplingMethod sampler)
    {
        var (gx, gt) = BurgersReference.PaperGrid();
        var reference = new BurgersReference();
        var domain = new SpaceTimeDomain(new Interval(-1, 1), 0, 1);
        // Candidate data points: the initial slice and both boundaries of the paper grid.
        var candidates = new List<double>();
        foreach (var x in gx) candidates.AddRange([x, 0.0]);
        foreach (var t in gt) candidates.AddRange([-1.0, t]);
        foreach (var t in gt) candidates.AddRange([1.0, t]);
        var all = new PointSet(candidates.ToArray(), 2);
        var perm = new Generator(s.Seed + 17).Permutation(all.Count);
        var dataPoints = all.Select(perm.Take(Math.Min(s.Nu, all.Count)).ToArray());
        var dataValues = dataPoints.Map(p => p[1] == 0 ? -Math.Sin(Math.PI * p[0]) : 0.0);
        var collocation = domain.SampleInterior(s.Nf, sampler, s.Seed).Concat(dataPoints);

        var model = new PinnModel(Network(2, 20, 8, 1, s.Seed + 1, dtype), ["x", "t"], ["u"], domain.Lower, domain.Upper);
        var problem = new PinnProblem(model);
        double nu = BurgersReference.PaperViscosity;
        problem.Add("pde", new PdeCondition(collocation, f => f["u_t"] + f["u"] * f["u_x"] - nu * f["u_xx"]));
        problem.Add("data", new DirichletCondition(dataPoints, dataValues));
        return new Setup(problem, p => Reference(reference, p), gx, gt, "x", "t", null);
    }

    /// <summary>
    /// Raissi et al. 2019, §4.1.1: u_t + λ₁ u u_x − λ₂ u_xx = 0 with λ₁, λ₂ unknown, from N_u exact samples
    /// of the solution on the paper grid (which double as collocation points). λ₂ is learned through
    /// its logarithm (initial log λ₂ = −6, λ₁ = 0, as in the paper's code).
    /// </summary>
    private static Setup BurgersInverse(PinnRunSettings s, DType dtype)
    {
        var (gx, gt) = BurgersReference.PaperGrid();
        var reference = new BurgersReference();
        var u = reference.EvaluateGrid(gx, gt);
        var perm = new Generator(s.Seed + 17).Permutation(gx.Length * gt.Length);
        int n = Math.Min(s.Nu, perm.Length);
        var pts = new double[2 * n];
        var values = new double[n];
        for (int k = 0; k < n; k++)
        {
            int idx = perm[k], j = idx / gx.Length, i = idx % gx.Length;
            pts[2 * k] = gx[i];
            pts[2 * k + 1] = gt[j];
            values[k] = u[idx];
        }
        var data = new PointSet(pts, 2);
        var model = new PinnModel(Network(2, 20, 8, 1, s.Seed + 1, dtype), ["x", "t"], ["u"], [-1.0, 0.0], [1.0, 0.99]);
        model.AddCoefficient("lambda1", 0.0);
        model.AddCoefficient("nu", Math.Exp(-6), positive: true);
        var problem = new PinnProblem(model);
        problem.Add("data", new DirichletCondition(data, values));
        problem.Add("pde", new PdeCondition(data, f => f["u_t"] + f.Coefficient("lambda1") * f["u"] * f["u_x"] - f.Coefficient("nu") * f["u_xx"]));
        return new Setup(problem, p => Reference(reference, p), gx, gt, "x", "t",
            new Dictionary<string, double> { ["lambda1"] = 1.0, ["nu"] = BurgersReference.PaperViscosity });
    }

    /// <summary>−Δu = 2π² sin(πx) sin(πy) on [0,1]², u = 0 on the boundary; exact u = sin(πx) sin(πy).</summary>
    private static Setup Poisson(PinnRunSettings s, DType dtype, SamplingMethod sampler)
    {
        var domain = new Rectangle(0, 0, 1, 1);
        OutputTransform? hard = s.Hard ? (x, n) => x.Narrow(1, 0, 1) * x.Narrow(1, 0, 1).RSub(1) * x.Narrow(1, 1, 1) * x.Narrow(1, 1, 1).RSub(1) * n : null;
        var model = new PinnModel(Network(2, 32, 3, 1, s.Seed + 1, dtype), ["x", "y"], ["u"], domain.Lower, domain.Upper, hard);
        var problem = new PinnProblem(model);
        var interior = domain.SampleInterior(s.Nf, sampler, s.Seed);
        double c = 2 * Math.PI * Math.PI;
        problem.Add("pde", new PdeCondition(interior, f =>
            f.Laplacian("u", "x", "y") + c * (f.X("x") * Math.PI).Sin() * (f.X("y") * Math.PI).Sin()));
        if (!s.Hard)
        {
            var boundary = domain.SampleBoundary(s.Nu, sampler, s.Seed + 1);
            problem.Add("bc", new DirichletCondition(boundary, _ => 0.0));
        }
        var grid = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray();
        return new Setup(problem, p =>
        {
            var v = new double[p.Length / 2];
            for (int k = 0; k < v.Length; k++) v[k] = Math.Sin(Math.PI * p[2 * k]) * Math.Sin(Math.PI * p[2 * k + 1]);
            return v;
        }, grid, grid, "x", "y", null);
    }

    private static double[] Reference(BurgersReference reference, double[] points)
    {
        var v = new double[points.Length / 2];
        Parallel.For(0, v.Length, k => v[k] = reference.Evaluate(points[2 * k], points[2 * k + 1]));
        return v;
    }
}
