namespace SciKernels.Optim;

/// <summary>
/// A learning-rate schedule: a pure function from the step (or epoch) count and the base rate to the
/// rate. Closed forms rather than PyTorch's recursive updates, so a resumed run only needs the step count.
/// </summary>
/// <remarks>Bind a schedule to an optimizer with <see cref="LRScheduler"/>; compose with <see cref="SequentialLR"/> and <see cref="ChainedLR"/>.</remarks>
public abstract class LRSchedule
{
    /// <summary>The learning rate after <paramref name="step"/> scheduler steps (0 = before the first).</summary>
    public abstract double LearningRateAt(long step, double baseLearningRate);

    /// <summary>Runs this schedule for <paramref name="steps"/> steps, then <paramref name="next"/> (restarted at step 0).</summary>
    public LRSchedule Then(LRSchedule next, long steps) => new SequentialLR([this, next], [steps]);

    /// <summary>Linear warm-up from 0 over <paramref name="warmupSteps"/>, then cosine annealing to <paramref name="etaMin"/> at <paramref name="totalSteps"/>.</summary>
    public static LRSchedule WarmupCosine(long warmupSteps, long totalSteps, double etaMin = 0)
    {
        if (totalSteps <= warmupSteps) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "WarmupCosine: totalSteps must exceed warmupSteps");
        return new LinearLR(0, 1, warmupSteps).Then(new CosineAnnealingLR(totalSteps - warmupSteps, etaMin), warmupSteps);
    }

    private protected static void CheckStep(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "LRSchedule: the step must be non-negative");
    }
}

/// <summary>lr·γ^⌊step/stepSize⌋ (like <c>torch.optim.lr_scheduler.StepLR</c>).</summary>
public sealed class StepLR : LRSchedule
{
    /// <summary>Decays by <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
    public StepLR(long stepSize, double gamma = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Steps between decays.</summary>
    public long StepSize { get; }

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, double baseLearningRate)
    {
        CheckStep(step);
        return baseLearningRate * Math.Pow(Gamma, step / StepSize);
    }
}

/// <summary>lr·γ^step (like <c>ExponentialLR</c>).</summary>
public sealed class ExponentialLR : LRSchedule
{
    /// <summary>Decays by <paramref name="gamma"/> every step.</summary>
    public ExponentialLR(double gamma) => Gamma = gamma;

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, double baseLearningRate)
    {
        CheckStep(step);
        return baseLearningRate * Math.Pow(Gamma, step);
    }
}

/// <summary>
/// η_min + (lr − η_min)(1 + cos(π·step/T))/2 for step ≤ T, then η_min (PyTorch's
/// <c>CosineAnnealingLR</c> closed form, held at the minimum instead of rising again).
/// </summary>
public sealed class CosineAnnealingLR : LRSchedule
{
    /// <summary>Anneals over <paramref name="tMax"/> steps down to <paramref name="etaMin"/>.</summary>
    public CosineAnnealingLR(long tMax, double etaMin = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
        TMax = tMax;
        EtaMin = etaMin;
    }

    /// <summary>Length of the half period.</summary>
    public long TMax { get; }

    /// <summary>Final learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, double baseLearningRate)
    {
        CheckStep(step);
        if (step >= TMax) return EtaMin;
        return EtaMin + (baseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * step / TMax)) / 2;
    }
}

/// <summary>
/// Linear ramp of the factor from <c>startFactor</c> to <c>endFactor</c> over <c>totalSteps</c>, then
/// constant (like <c>LinearLR</c>); with startFactor &lt; 1 this is a linear warm-up.
/// </summary>
public sealed class LinearLR : LRSchedule
{
    /// <summary>Creates the ramp.</summary>
    public LinearLR(double startFactor, double endFactor, long totalSteps)
    {
        if (totalSteps < 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "LinearLR: totalSteps must be non-negative");
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalSteps = totalSteps;
    }

    /// <summary>Linear warm-up from <paramref name="startFactor"/>·lr to lr over <paramref name="warmupSteps"/>.</summary>
    public static LinearLR Warmup(long warmupSteps, double startFactor = 0) => new(startFactor, 1, warmupSteps);

    /// <summary>Factor at step 0.</summary>
    public double StartFactor { get; }

    /// <summary>Factor from <see cref="TotalSteps"/> on.</summary>
    public double EndFactor { get; }

    /// <summary>Length of the ramp.</summary>
    public long TotalSteps { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, double baseLearningRate)
    {
        CheckStep(step);
        if (TotalSteps == 0 || step >= TotalSteps) return baseLearningRate * EndFactor;
        return baseLearningRate * (StartFactor + (EndFactor - StartFactor) * step / TotalSteps);
    }
}

/// <summary>
/// Runs schedule k from milestone k−1 (exclusive) to milestone k, each restarted at step 0 with the
/// same base rate (like <c>SequentialLR</c>).
/// </summary>
public sealed class SequentialLR : LRSchedule
{
    private readonly LRSchedule[] schedules;
    private readonly long[] milestones;

    /// <summary>Creates the sequence; there is one milestone fewer than schedules, increasing.</summary>
    public SequentialLR(IReadOnlyList<LRSchedule> schedules, IReadOnlyList<long> milestones)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedules.Count == 0 || milestones.Count != schedules.Count - 1)
            throw new ArgumentException($"SequentialLR: {schedules.Count} schedules need {Math.Max(0, schedules.Count - 1)} milestones, got {milestones.Count}");
        for (int i = 0; i < milestones.Count; i++)
            if (milestones[i] <= 0 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ArgumentException("SequentialLR: milestones must be positive and increasing", nameof(milestones));
        this.schedules = schedules.ToArray();
        this.milestones = milestones.ToArray();
    }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, double baseLearningRate)
    {
        CheckStep(step);
        int k = 0;
        while (k < milestones.Length && step >= milestones[k]) k++;
        long start = k == 0 ? 0 : milestones[k - 1];
        return schedules[k].LearningRateAt(step - start, baseLearningRate);
    }
}

/// <summary>
/// Applies schedules one after another at the same step, each taking the previous one's rate as its
/// base; for multiplicative schedules this multiplies their factors (like <c>ChainedScheduler</c>).
/// </summary>
public sealed class ChainedLR : LRSchedule
{
    private readonly LRSchedule[] schedules;

    /// <summary>Chains <paramref name="schedules"/>.</summary>
    public ChainedLR(params LRSchedule[] schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        if (schedules.Length == 0) throw new ArgumentException("ChainedLR: no schedules", nameof(schedules));
        this.schedules = (LRSchedule[])schedules.Clone();
    }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, double baseLearningRate)
    {
        double lr = baseLearningRate;
        foreach (var s in schedules) lr = s.LearningRateAt(step, lr);
        return lr;
    }
}

/// <summary>Binds a <see cref="LRSchedule"/> to an optimizer: sets its rate now and on every <see cref="Step"/>.</summary>
public sealed class LRScheduler
{
    /// <summary>Captures the optimizer's current rate as the base and applies the step-0 rate.</summary>
    public LRScheduler(Optimizer optimizer, LRSchedule schedule)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        BaseLearningRate = optimizer.LearningRate;
        Apply();
    }

    /// <summary>The optimizer whose rate is set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The schedule.</summary>
    public LRSchedule Schedule { get; }

    /// <summary>The rate the schedule scales.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Scheduler steps taken so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>The optimizer's current rate.</summary>
    public double LearningRate => Optimizer.LearningRate;

    /// <summary>Advances one step (call once per epoch or per batch, consistently) and updates the rate.</summary>
    public void Step()
    {
        StepCount++;
        Apply();
    }

    /// <summary>Jumps to <paramref name="step"/> (e.g. when resuming) and updates the rate.</summary>
    public void SetStep(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        StepCount = step;
        Apply();
    }

    private void Apply() => Optimizer.LearningRate = Schedule.LearningRateAt(StepCount, BaseLearningRate);
}
