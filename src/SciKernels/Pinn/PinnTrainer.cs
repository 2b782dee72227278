using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SciKernels.Optim;

namespace SciKernels.Pinn;

/// <summary>Which optimizer produced a history entry.</summary>
public enum PinnPhase
{
    /// <summary>First-order phase.</summary>
    Adam,
    /// <summary>Quasi-Newton phase.</summary>
    Lbfgs,
}

/// <summary>One logged point of a training run.</summary>
/// <param name="Phase">Optimizer.</param>
/// <param name="Step">Adam step or L-BFGS iteration (1-based, per phase).</param>
/// <param name="Loss">Weighted total loss.</param>
/// <param name="TermLosses">Unweighted loss of each term, in <see cref="PinnProblem.Terms"/> order.</param>
/// <param name="Weights">Weights in effect.</param>
/// <param name="Seconds">Wall time since the trainer was created.</param>
public sealed record PinnLogEntry(PinnPhase Phase, long Step, double Loss, double[] TermLosses, double[] Weights, double Seconds);

/// <summary>Residual-based adaptive refinement (Lu et al. 2021, DeepXDE's RAR) settings for the Adam phase.</summary>
/// <param name="Term">Name of the PDE term whose collocation set grows.</param>
/// <param name="Candidates">Samples candidate points (argument: a fresh seed).</param>
/// <param name="Every">Adam steps between refinements.</param>
/// <param name="Add">Points added per refinement (those with the largest |residual|).</param>
public sealed record RarOptions(string Term, Func<ulong, PointSet> Candidates, int Every, int Add);

/// <summary>
/// Trains a <see cref="PinnProblem"/>: Adam (with optional adaptive weights and RAR), then L-BFGS,
/// logging the loss of every term. Each step runs in its own <see cref="TensorScope"/>.
/// </summary>
/// <remarks>Writes nothing to the console: entries go to <see cref="OnLog"/>, <see cref="History"/> and <see cref="Logger"/>.</remarks>
public sealed partial class PinnTrainer
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private double[]? lastTerms;
    private IPinnDataParallel? dataParallel;

    /// <summary>Creates a trainer.</summary>
    /// <param name="problem">The problem (its model's parameters are trained).</param>
    /// <param name="weighting">Adaptive weighting for the Adam phase (fixed weights when null).</param>
    public PinnTrainer(PinnProblem problem, ILossWeighting? weighting = null)
    {
        Problem = problem ?? throw new ArgumentNullException(nameof(problem));
        Weighting = weighting ?? new FixedWeighting();
    }

    /// <summary>The problem.</summary>
    public PinnProblem Problem { get; }

    /// <summary>The weighting scheme used by <see cref="Adam"/>.</summary>
    public ILossWeighting Weighting { get; }

    /// <summary>Log every this many steps/iterations (and the last one).</summary>
    public int LogEvery { get; set; } = 100;

    /// <summary>Called with each logged entry (e.g. to print progress).</summary>
    public Action<PinnLogEntry>? OnLog { get; set; }

    /// <summary>Receives each logged entry (Information) and L-BFGS restarts (Debug); none when null.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Optional wall-clock budget measured from the trainer's creation; L-BFGS stops at the first log point past it.</summary>
    public TimeSpan? TimeLimit { get; set; }

    /// <summary>
    /// Train data-parallel over several processes: setting it shards every term's points over the ranks
    /// (<see cref="PinnProblem.Shard"/>); each step sums the ranks' shard-weighted term losses and gradients, so the
    /// weights, the optimizer steps and L-BFGS's line searches are the same on every rank and equal one process's up
    /// to floating-point reassociation. Weighting schemes that need per-term gradients are not supported.
    /// Null (the default) or one rank: this process alone.
    /// </summary>
    public IPinnDataParallel? DataParallel
    {
        get => dataParallel;
        set
        {
            if (value is { Size: > 1 } && Weighting.NeedsGradients)
                throw new NotSupportedException($"PinnTrainer: {Weighting.GetType().Name} needs per-term gradients, which data-parallel training does not reduce; use fixed weights or ReLoBRaLo");
            dataParallel = value is { Size: > 1 } ? value : null;
            Problem.Shard(dataParallel?.Rank ?? 0, dataParallel?.Size ?? 1);
        }
    }

    /// <summary>Every logged entry.</summary>
    public List<PinnLogEntry> History { get; } = new();

    /// <summary>Total evaluations of the loss and its gradient so far.</summary>
    public long Evaluations { get; private set; }

    private double[] Weights => Problem.Terms.Select(t => t.Weight).ToArray();

    /// <summary>Runs <paramref name="steps"/> Adam steps.</summary>
    /// <param name="steps">Number of steps.</param>
    /// <param name="learningRate">Base learning rate.</param>
    /// <param name="schedule">Optional learning-rate schedule over the steps.</param>
    /// <param name="rar">Optional residual-based adaptive refinement.</param>
    /// <returns>The last weighted loss.</returns>
    public double Adam(int steps, double learningRate = 1e-3, LRSchedule? schedule = null, RarOptions? rar = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var parameters = Problem.Model.Parameters().ToList();
        using var adam = new Adam(parameters, learningRate);
        var weights = Weights;
        double loss = double.NaN;
        for (int step = 0; step < steps; step++)
        {
            if (rar is not null && step > 0 && step % rar.Every == 0) Refine(rar, (ulong)step);
            if (schedule is not null) adam.LearningRate = schedule.LearningRateAt(step, learningRate);
            using var scope = TensorScope.Begin();
            var terms = Problem.TermLosses();
            var termValues = terms.Select(t => t.Item()).ToArray();
            dataParallel?.Sum(termValues); // every rank sees (and weights by) the global term losses
            if (step % Weighting.Interval == 0 || Weighting.Interval == 1)
            {
                IReadOnlyList<(double, double)>? stats = Weighting.NeedsGradients ? GradientStats(terms, parameters) : null;
                Weighting.Update(step, termValues, stats, weights);
                for (int i = 0; i < weights.Length; i++) Problem.Terms[i].Weight = weights[i];
            }
            var total = Problem.Total(terms);
            adam.ZeroGrad();
            loss = Backward(total, termValues, parameters);
            if (!double.IsFinite(loss)) throw new InvalidOperationException($"PinnTrainer: the loss became {loss} at Adam step {step + 1}; lower the learning rate");
            adam.Step();
            Evaluations++;
            if ((step + 1) % LogEvery == 0 || step + 1 == steps) Log(PinnPhase.Adam, step + 1, loss, termValues);
        }
        return loss;
    }

    /// <summary>
    /// Runs L-BFGS with the current (frozen) weights, in chunks of <see cref="LogEvery"/> iterations
    /// (one log entry each), until <paramref name="iterations"/> (rounded up to whole chunks) are done,
    /// it converges, or <see cref="TimeLimit"/> passes.
    /// </summary>
    /// <param name="iterations">Iterations to run.</param>
    /// <param name="historySize">Curvature pairs kept (50 as in SciPy's L-BFGS-B setup of Raissi et al.).</param>
    /// <param name="toleranceChange">Stop when the loss or the step changes less than this.</param>
    /// <returns>The result of the last L-BFGS call.</returns>
    public LbfgsResult Lbfgs(int iterations, int historySize = 50, double toleranceChange = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        var lbfgs = new Lbfgs(Problem.Model.Parameters(), maxIterations: Math.Min(LogEvery, iterations),
            maxEvaluations: (int)(Math.Min(LogEvery, iterations) * 1.25) + 5, toleranceGrad: 0, toleranceChange: toleranceChange, historySize: historySize);
        long done = 0;
        LbfgsResult? result = null;
        bool restarted = false;
        while (done < iterations)
        {
            result = lbfgs.Step(Closure);
            done += result.Iterations;
            Log(PinnPhase.Lbfgs, done, result.Loss, lastTerms!);
            bool late = TimeLimit is { } limit && clock.Elapsed >= limit;
            if (dataParallel is not null) late = dataParallel.Any(late); // the ranks' clocks differ: stop together
            if (late) break;
            if (result.Reason is LbfgsStopReason.MaxIterations or LbfgsStopReason.MaxEvaluations)
            {
                restarted = false;
                continue;
            }
            // A failed line search or a stalled step often comes from stale curvature pairs (float32
            // round-off near a minimum): retry once from a steepest-descent step before giving up.
            if (result.Reason is LbfgsStopReason.LineSearchFailed or LbfgsStopReason.ChangeTolerance && !restarted)
            {
                restarted = true;
                if (Logger is { } logger) LbfgsRestart(logger, result.Reason, done);
                lbfgs.ResetHistory();
                continue;
            }
            break;
        }
        return result!;
    }

    private Tensor Closure()
    {
        var terms = Problem.TermLosses();
        var total = Problem.Total(terms);
        if (dataParallel is null)
        {
            total.Backward();
            lastTerms = terms.Select(t => t.Item()).ToArray();
            Evaluations++;
            return total;
        }
        lastTerms = terms.Select(t => t.Item()).ToArray();
        dataParallel.Sum(lastTerms);
        double loss = Backward(total, lastTerms, Problem.Model.Parameters().ToList());
        Evaluations++;
        return Tensor.Scalar(loss, Problem.DType); // L-BFGS reads the global loss; the gradients are already summed
    }

    // Backward of this rank's total; data-parallel: the gradients summed over the ranks and the global loss Σ wᵢ·Lᵢ.
    private double Backward(Tensor total, double[] globalTerms, List<Tensor> parameters)
    {
        if (dataParallel is null)
        {
            total.Backward();
            return total.Item();
        }
        if (total.RequiresGrad) total.Backward(); // a rank with no points in any term has no graph
        dataParallel.SumGradients(parameters);
        double loss = 0;
        for (int i = 0; i < globalTerms.Length; i++) loss += Problem.Terms[i].Weight * globalTerms[i];
        return loss;
    }

    private List<(double, double)> GradientStats(Tensor[] terms, List<Tensor> parameters)
    {
        var stats = new List<(double, double)>();
        foreach (var t in terms)
        {
            var grads = Autodiff.Grad([t], parameters, retainGraph: true);
            double max = 0, sum = 0;
            long count = 0;
            foreach (var g in grads)
            {
                foreach (var v in g.ToArray<double>())
                {
                    max = Math.Max(max, Math.Abs(v));
                    sum += Math.Abs(v);
                }
                count += g.NumElements;
            }
            stats.Add((max, sum / Math.Max(1, count)));
        }
        return stats;
    }

    /// <summary>
    /// Adds the <see cref="RarOptions.Add"/> candidate points with the largest PDE residual to the
    /// term's collocation set.
    /// </summary>
    /// <returns>The mean |residual| over the candidates before refinement.</returns>
    public double Refine(RarOptions rar, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(rar);
        var term = Problem[rar.Term];
        if (term.Condition is not PdeCondition pde) throw new ArgumentException($"RAR: term '{rar.Term}' is not a PDE condition", nameof(rar));
        var candidates = rar.Candidates(seed);
        double[] score;
        using (var scope = TensorScope.Begin())
        {
            var r = pde.ResidualAt(Problem, candidates.ToTensor(Problem.DType));
            score = r.Abs().Sum(1).ToArray<double>();
        }
        var top = Enumerable.Range(0, score.Length).OrderByDescending(i => score[i]).ThenBy(i => i).Take(rar.Add).ToList();
        pde.SetPoints(pde.HostPoints.Concat(candidates.Select(top)));
        return score.Average();
    }

    private void Log(PinnPhase phase, long step, double loss, double[] termLosses)
    {
        var e = new PinnLogEntry(phase, step, loss, termLosses, Weights, clock.Elapsed.TotalSeconds);
        History.Add(e);
        if (Logger is { } logger) Logged(logger, phase, step, loss, e.Seconds);
        OnLog?.Invoke(e);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Phase} {Step}: loss {Loss:E4} after {Seconds:F1} s")]
    private static partial void Logged(ILogger logger, PinnPhase phase, long step, double loss, double seconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "L-BFGS stopped ({Reason}) after {Iterations} iterations; restarting once from steepest descent")]
    private static partial void LbfgsRestart(ILogger logger, LbfgsStopReason reason, long iterations);
}
