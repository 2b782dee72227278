namespace SciKernels.Pinn;

/// <summary>A named, weighted condition of a <see cref="PinnProblem"/>.</summary>
public sealed class LossTerm
{
    internal LossTerm(string name, Condition condition, double weight)
    {
        Name = name;
        Condition = condition;
        Weight = weight;
    }

    /// <summary>Name used in logs and results (e.g. "pde", "ic", "bc").</summary>
    public string Name { get; }

    /// <summary>The condition.</summary>
    public Condition Condition { get; }

    /// <summary>Current weight of the term in the total loss.</summary>
    public double Weight { get; set; }
}

/// <summary>
/// A physics-informed learning problem: a <see cref="PinnModel"/> and weighted conditions whose mean
/// squared residuals add up to the loss. Evaluates fields through a pluggable <see cref="IDerivativeEngine"/>.
/// </summary>
/// <example>
/// <code>
/// var problem = new PinnProblem(model);
/// problem.Add("pde", new PdeCondition(collocation, f =&gt; f["u_t"] + f["u"] * f["u_x"] - nu * f["u_xx"]));
/// problem.Add("data", new DirichletCondition(boundaryAndInitial, values));
/// var trainer = new PinnTrainer(problem);
/// trainer.Adam(2000, 1e-3);
/// trainer.Lbfgs(5000);
/// </code>
/// </example>
public sealed class PinnProblem : IFieldEvaluator, IDisposable
{
    private readonly List<LossTerm> terms = new();

    /// <summary>Creates an empty problem for <paramref name="model"/>.</summary>
    public PinnProblem(PinnModel model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        DType = model.ComputeType;
    }

    /// <summary>The model.</summary>
    public PinnModel Model { get; }

    /// <summary>Dtype of the points and targets (that of the model's parameters).</summary>
    public DType DType { get; }

    /// <summary>How input derivatives are computed (reverse-over-reverse by default).</summary>
    public IDerivativeEngine DerivativeEngine { get; set; } = ReverseModeDerivativeEngine.Instance;

    /// <summary>The loss terms in the order they were added.</summary>
    public IReadOnlyList<LossTerm> Terms => terms;

    /// <summary>Adds a condition with a fixed initial weight.</summary>
    /// <returns>The new term.</returns>
    public LossTerm Add(string name, Condition condition, double weight = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(condition);
        if (terms.Exists(t => t.Name == name)) throw new ArgumentException($"PinnProblem: a term named '{name}' already exists", nameof(name));
        if (!(weight >= 0) || !double.IsFinite(weight)) throw new ArgumentOutOfRangeException(nameof(weight), "weights must be finite and non-negative");
        var term = new LossTerm(name, condition, weight);
        terms.Add(term);
        return term;
    }

    /// <summary>The term named <paramref name="name"/>.</summary>
    public LossTerm this[string name] => terms.Find(t => t.Name == name) ?? throw new KeyNotFoundException($"PinnProblem: no term '{name}'");

    /// <inheritdoc/>
    public Fields Evaluate(Tensor points, int maxOrder) => new(Model, DerivativeEngine.Evaluate(Model, points, maxOrder));

    /// <summary>The mean squared residual of every term (unweighted), as scalar tensors with graphs.</summary>
    public Tensor[] TermLosses()
    {
        if (terms.Count == 0) throw new InvalidOperationException("PinnProblem: add at least one condition");
        var losses = new Tensor[terms.Count];
        for (int i = 0; i < terms.Count; i++)
        {
            var c = terms[i].Condition;
            if (c.ShardOf.Size == 1)
            {
                losses[i] = c.Residual(this, DType).Square().Mean();
                continue;
            }
            // Sharded: this rank's part of the global mean, so that the ranks' values (and gradients) sum to it.
            var (_, count) = c.ShardRows;
            losses[i] = count == 0 ? Tensor.Scalar(0, DType) : c.Residual(this, DType).Square().Mean() * ((double)count / c.HostPoints.Count);
        }
        return losses;
    }

    /// <summary>
    /// Restricts every term to rank <paramref name="rank"/>'s shard of its points (see <see cref="Condition.Shard"/>):
    /// <see cref="TermLosses"/> then returns this rank's share of each mean, and the sum over ranks is the full loss.
    /// </summary>
    /// <param name="rank">This process's rank.</param>
    /// <param name="size">Number of ranks; 1 restores all points.</param>
    public void Shard(int rank, int size)
    {
        foreach (var t in terms) t.Condition.Shard(rank, size);
    }

    /// <summary>Σ wᵢ·Lᵢ from term losses and the current weights.</summary>
    public Tensor Total(IReadOnlyList<Tensor> termLosses)
    {
        ArgumentNullException.ThrowIfNull(termLosses);
        Tensor? total = null;
        for (int i = 0; i < termLosses.Count; i++)
        {
            var w = termLosses[i] * terms[i].Weight;
            total = total is null ? w : total + w;
        }
        return total!;
    }

    /// <summary>Disposes the conditions' cached tensors (not the model).</summary>
    public void Dispose()
    {
        foreach (var t in terms) t.Condition.Dispose();
    }
}
