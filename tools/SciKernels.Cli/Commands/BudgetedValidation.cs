using System.Diagnostics;
using SciKernels.Training;
using SciKernels.Training.Distributed;

namespace SciKernels.Cli;

/// <summary>
/// The validation schedule the train commands share: validate every <c>valEvery</c> epochs and at the
/// last one, keep the best loss, and stop when another epoch like the last (with a margin for a busy
/// machine) and a validation would overrun the wall-clock budget.
/// </summary>
/// <param name="timeLimitMinutes">Budget in minutes (0: none).</param>
/// <param name="epochs">The planned number of epochs.</param>
/// <param name="valEvery">Validation period in epochs.</param>
/// <param name="dataParallel">Under mpirun: the ranks, which then agree on running out of time (their clocks differ, and a
/// sharded validation is collective, so all must validate or none).</param>
internal abstract class BudgetedValidation(double timeLimitMinutes, int epochs, int valEvery, DataParallel? dataParallel = null) : TrainingCallback
{
    private double lastValidationSeconds;

    /// <summary>The ranks of a data-parallel run (null in one process): a sharded validation is collective over them.</summary>
    protected DataParallel? Ranks { get; } = dataParallel;

    /// <summary>Wall clock since training began.</summary>
    protected Stopwatch Clock { get; } = new();

    /// <summary>The best validation loss so far.</summary>
    public double BestLoss { get; private set; } = double.PositiveInfinity;

    /// <summary>Epoch of <see cref="BestLoss"/> (0 before the first validation).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Why training stopped before the last epoch, or null.</summary>
    public string? StopReason { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingContext context) => Clock.Restart();

    /// <inheritdoc/>
    public sealed override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        double budget = timeLimitMinutes * 60;
        bool outOfTime = budget > 0 && Clock.Elapsed.TotalSeconds + 1.5 * metrics.Elapsed.TotalSeconds + lastValidationSeconds > budget;
        if (budget > 0 && Ranks is { Comm.Size: > 1 } ranks) outOfTime = ranks.Any(outOfTime);
        bool last = metrics.Epoch == epochs || outOfTime;
        if (metrics.Epoch % valEvery != 0 && !last) return;
        var watch = Stopwatch.StartNew();
        Validate(context, metrics);
        lastValidationSeconds = watch.Elapsed.TotalSeconds;
        if (outOfTime && metrics.Epoch < epochs) Stop(context, $"time limit of {timeLimitMinutes:G} min reached after {metrics.Epoch} epochs");
        else if (EarlyStopReason() is { } reason) Stop(context, reason);
    }

    /// <summary>Evaluates on the validation data and reports the loss through <see cref="Improved"/>.</summary>
    protected abstract void Validate(TrainingContext context, EpochMetrics metrics);

    /// <summary>A reason to stop now other than the budget (e.g. patience), or null.</summary>
    protected virtual string? EarlyStopReason() => null;

    /// <summary>Records a validation loss; true when it is finite and the best so far.</summary>
    protected bool Improved(int epoch, double loss)
    {
        if (!double.IsFinite(loss) || loss >= BestLoss) return false;
        BestLoss = loss;
        BestEpoch = epoch;
        return true;
    }

    private void Stop(TrainingContext context, string reason)
    {
        StopReason = reason;
        context.RequestStop(reason);
    }
}
