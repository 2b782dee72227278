using SciKernels.NN;

namespace SciKernels.Optim;

/// <summary>
/// Base class of optimizers: a fixed list of parameters, a settable learning rate and a step count.
/// </summary>
/// <remarks>
/// Updates run under <see cref="Autograd.GradMode.NoGrad"/>. State tensors (moments, momentum
/// buffers) are created once, kept out of any <see cref="TensorScope"/>, and updated in place, so a
/// training step allocates nothing for the optimizer. Parameters without a gradient are skipped.
/// </remarks>
public abstract class Optimizer : IDisposable
{
    private readonly Tensor[] parameters;
    private double learningRate;
    private Tensor? stepTensor;

    /// <summary>Creates the optimizer over <paramref name="parameters"/> (duplicates are removed).</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var list = new List<Tensor>();
        foreach (var p in parameters)
        {
            ArgumentNullException.ThrowIfNull(p);
            if (!p.RequiresGrad) throw new ArgumentException($"{GetType().Name}: a {p.DType.Name()} parameter of shape [{string.Join(", ", p.Shape.ToArray())}] does not require grad");
            if (!p.IsLeaf) throw new ArgumentException($"{GetType().Name}: parameters must be leaves; got the result of '{p.GradFnName}'");
            if (seen.Add(p)) list.Add(p);
        }
        if (list.Count == 0) throw new ArgumentException($"{GetType().Name}: the parameter list is empty");
        this.parameters = list.ToArray();
        LearningRate = learningRate;
    }

    /// <summary>The parameters, in the order their state is stored.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The learning rate used by the next step (schedules set it).</summary>
    public double LearningRate
    {
        get => learningRate;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(value), value, $"{GetType().Name}: the learning rate must be finite and non-negative");
            learningRate = value;
        }
    }

    /// <summary>
    /// False makes this optimizer update host tensors with its tensor-op form instead of the fused span
    /// kernel (a test seam: tests compare the two paths; per instance, so parallel tests do not interfere).
    /// </summary>
    internal bool UseFusedKernels { get; set; } = true;

    /// <summary>Number of steps taken (Adam's bias correction uses it).</summary>
    public long StepCount { get; protected set; }

    /// <summary>Applies one update from the current gradients.</summary>
    public abstract void Step();

    /// <summary>Drops (or zeroes in place) the gradients of all parameters.</summary>
    /// <param name="setToNone">True frees the gradients; false zeroes them and reuses their buffers.</param>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in parameters) Module.ZeroGradOf(p, setToNone);
    }

    /// <summary>
    /// The optimizer's state as named tensors for a checkpoint: per-parameter state is named
    /// <c>state.{index}.{key}</c> (index into <see cref="Parameters"/>), scalars like <c>step</c> are
    /// 0-d int64 tensors. The tensors are the live state, not copies.
    /// </summary>
    /// <exception cref="NotSupportedException">The optimizer cannot be checkpointed.</exception>
    public virtual IReadOnlyList<(string Name, Tensor Tensor)> StateDict()
        => throw new NotSupportedException($"{GetType().Name} does not support saving its state");

    /// <summary>Hyper-parameters as text, stored as checkpoint metadata for reference.</summary>
    public virtual IReadOnlyDictionary<string, string> HyperParameters()
        => new Dictionary<string, string> { ["lr"] = LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>
    /// Restores state saved by <see cref="StateDict"/>: every name must be present with the same shape
    /// and dtype, and the step count non-negative; values are copied into the live state tensors only
    /// once all of them have been checked, so a failed load leaves the optimizer untouched.
    /// </summary>
    /// <param name="lookup">Returns the saved tensor for a name, or null when it is missing.</param>
    /// <exception cref="NotSupportedException">The optimizer cannot be checkpointed.</exception>
    /// <exception cref="InvalidDataException">A name is missing or a shape/dtype differs.</exception>
    public virtual void LoadStateDict(Func<string, Tensor?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var plan = new List<(Tensor Live, Tensor Saved)>();
        foreach (var (name, live) in StateDict())
        {
            var saved = lookup(name) ?? throw new InvalidDataException($"{GetType().Name}: optimizer state '{name}' is missing from the checkpoint");
            StateIO.CheckCompatible(name, live, saved, $"{GetType().Name} state");
            if (ReferenceEquals(live, stepTensor)) CheckStepCount(saved.ToArray<long>()[0]);
            plan.Add((live, saved));
        }
        foreach (var (live, saved) in plan) StateIO.CopyInto(live, saved);
        OnStateLoaded();
    }

    /// <summary>Called after <see cref="LoadStateDict"/> copied the tensors (e.g. to read the step counter).</summary>
    protected virtual void OnStateLoaded() => RestoreStepCount();

    /// <summary>The step counter as a live 0-d int64 entry for <see cref="StateDict"/>.</summary>
    protected (string Name, Tensor Tensor) StepEntry()
    {
        stepTensor ??= StateIO.StepTensor(0);
        stepTensor.AsSpan<long>()[0] = StepCount;
        return ("step", stepTensor);
    }

    /// <summary>Reads the step counter back after <see cref="LoadStateDict"/> copied the saved one in.</summary>
    protected void RestoreStepCount()
    {
        if (stepTensor is null) return;
        long step = stepTensor.AsSpan<long>()[0];
        CheckStepCount(step);
        StepCount = step;
    }

    private void CheckStepCount(long step)
    {
        if (step < 0) throw new InvalidDataException($"{GetType().Name}: the checkpoint's step count {step} is negative");
    }

    /// <summary>Creates a zero state tensor shaped like <paramref name="like"/> that outlives every scope.</summary>
    protected static Tensor StateLike(Tensor like) => TensorScope.Keep(Tensor.ZerosLike(like));

    /// <summary>Frees the state tensors.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the state tensors; override to dispose them.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) stepTensor?.Dispose();
    }
}
