namespace SciKernels.Pinn;

/// <summary>
/// Gives a condition the model's fields at any points (a condition may need more than one set, e.g.
/// periodic ones compare two).
/// </summary>
public interface IFieldEvaluator
{
    /// <summary>The fields at <paramref name="points"/>, with derivatives up to <paramref name="maxOrder"/>.</summary>
    Fields Evaluate(Tensor points, int maxOrder);
}

/// <summary>
/// One term of a PINN loss: a residual at a fixed set of points that is zero for the exact solution.
/// The loss of the term is the mean of the squared residual.
/// </summary>
public abstract class Condition : IDisposable
{
    private Tensor? points;
    private PointSet hostPoints;

    /// <summary>Stores the points the residual is evaluated at.</summary>
    protected Condition(PointSet points)
    {
        hostPoints = points ?? throw new ArgumentNullException(nameof(points));
        if (points.Count == 0) throw new ArgumentException("Condition: needs at least one point", nameof(points));
    }

    /// <summary>The points (host copy), all of them even when <see cref="Shard"/> restricts the residual to some.</summary>
    public PointSet HostPoints => hostPoints;

    /// <summary>This process's shard (rank, number of ranks) of the points; (0, 1): all of them.</summary>
    public (int Rank, int Size) ShardOf { get; private set; } = (0, 1);

    /// <summary>The rows [Start, Start + Count) of <see cref="HostPoints"/> that <see cref="Residual"/> evaluates.</summary>
    public (int Start, int Count) ShardRows
    {
        get
        {
            // Contiguous shards in rank order, as the data-parallel trainer's batches: ⌊n·r/R⌋ … ⌊n·(r+1)/R⌋.
            int n = hostPoints.Count;
            int lo = (int)((long)n * ShardOf.Rank / ShardOf.Size), hi = (int)((long)n * (ShardOf.Rank + 1) / ShardOf.Size);
            return (lo, hi - lo);
        }
    }

    /// <summary>
    /// Restricts <see cref="Residual"/> to rank <paramref name="rank"/>'s contiguous share of the points (data-parallel
    /// training: each rank evaluates its shard, the ranks sum the shard-weighted losses and gradients).
    /// </summary>
    /// <param name="rank">This process's rank.</param>
    /// <param name="size">Number of ranks; 1 restores all points.</param>
    public void Shard(int rank, int size)
    {
        if (size < 1 || rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), $"Condition.Shard: rank {rank} of {size} ranks");
        ShardOf = (rank, size);
        points?.Dispose();
        points = null;
        ReleaseTensors();
    }

    /// <summary>The <see cref="ShardRows"/> of <paramref name="set"/> (a set matched row by row with the points).</summary>
    protected PointSet ShardOfSet(PointSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (ShardOf.Size == 1) return set;
        var (start, count) = ShardRows;
        return new PointSet(set.Data.AsSpan(start * set.Dimension, count * set.Dimension).ToArray(), set.Dimension);
    }

    /// <summary>The <see cref="ShardRows"/> of a row-major array with <paramref name="width"/> values per point.</summary>
    protected double[] ShardOfRows(double[] values, int width)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (ShardOf.Size == 1) return values;
        var (start, count) = ShardRows;
        return values.AsSpan(start * width, count * width).ToArray();
    }

    /// <summary>Highest input-derivative order the residual reads.</summary>
    public abstract int DerivativeOrder { get; }

    /// <summary>The points of this shard (<see cref="ShardRows"/>; all by default) as an [n, d] tensor of <paramref name="dtype"/> (created once and cached).</summary>
    public Tensor Points(DType dtype)
    {
        if (points is null || points.DType != dtype)
        {
            points?.Dispose();
            points = TensorScope.Keep(ShardOfSet(hostPoints).ToTensor(dtype));
        }
        return points;
    }

    /// <summary>Replaces the point set (e.g. after residual-based refinement or resampling).</summary>
    public virtual void SetPoints(PointSet newPoints)
    {
        ArgumentNullException.ThrowIfNull(newPoints);
        if (newPoints.Dimension != hostPoints.Dimension) throw new ArgumentException("Condition: dimension mismatch", nameof(newPoints));
        hostPoints = newPoints;
        points?.Dispose();
        points = null;
    }

    /// <summary>The [n, k] residual at this condition's points (those of its shard, see <see cref="Shard"/>).</summary>
    public abstract Tensor Residual(IFieldEvaluator fields, DType dtype);

    /// <summary>Frees the cached tensors (points, targets, normals).</summary>
    public void Dispose()
    {
        points?.Dispose();
        points = null;
        ReleaseTensors();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees tensors a derived condition caches besides the points.</summary>
    protected virtual void ReleaseTensors() { }
}

/// <summary>
/// The PDE residual at collocation points, written as a lambda over <see cref="Fields"/>. A system of
/// equations returns several [n, 1] residuals (they are concatenated).
/// </summary>
public sealed class PdeCondition : Condition
{
    private readonly Func<Fields, Tensor[]> residual;

    /// <summary>A scalar PDE, e.g. <c>f =&gt; f["u_t"] + f["u"] * f["u_x"] - nu * f["u_xx"]</c>.</summary>
    /// <param name="points">Collocation points.</param>
    /// <param name="residual">The residual; zero for the exact solution.</param>
    /// <param name="order">Highest derivative order the residual reads (2 for second-order PDEs).</param>
    public PdeCondition(PointSet points, Func<Fields, Tensor> residual, int order = 2) : base(points)
    {
        ArgumentNullException.ThrowIfNull(residual);
        this.residual = f => [residual(f)];
        DerivativeOrder = order;
    }

    /// <summary>A system of PDEs: one residual per equation.</summary>
    /// <param name="points">Collocation points.</param>
    /// <param name="residuals">The residuals of all equations.</param>
    /// <param name="order">Highest derivative order read.</param>
    public PdeCondition(PointSet points, Func<Fields, Tensor[]> residuals, int order = 2) : base(points)
    {
        residual = residuals ?? throw new ArgumentNullException(nameof(residuals));
        DerivativeOrder = order;
    }

    /// <inheritdoc/>
    public override int DerivativeOrder { get; }

    /// <summary>The residual at arbitrary points (for refinement and diagnostics).</summary>
    public Tensor ResidualAt(IFieldEvaluator fields, Tensor points)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var r = residual(fields.Evaluate(points, DerivativeOrder));
        return r.Length == 1 ? r[0] : Tensor.Concat(r, 1);
    }

    /// <inheritdoc/>
    public override Tensor Residual(IFieldEvaluator fields, DType dtype) => ResidualAt(fields, Points(dtype));
}

/// <summary>Base of conditions that compare a linear functional of the solution with given data g.</summary>
public abstract class DataCondition : Condition
{
    private readonly double[] target;
    private Tensor? targetTensor;

    /// <summary>Stores points and target values.</summary>
    protected DataCondition(PointSet points, double[] target, string output) : base(points)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length != points.Count) throw new ArgumentException($"{GetType().Name}: {target.Length} target values for {points.Count} points", nameof(target));
        ArgumentException.ThrowIfNullOrEmpty(output);
        this.target = target;
        Output = output;
    }

    /// <summary>The output this condition constrains.</summary>
    public string Output { get; }

    /// <summary>The target values of the shard's points as [n, 1].</summary>
    protected Tensor Target(DType dtype)
    {
        if (targetTensor is null || targetTensor.DType != dtype)
        {
            targetTensor?.Dispose();
            var rows = ShardOfRows(target, 1);
            targetTensor = TensorScope.Keep(Tensor.FromDoubles(rows, [rows.Length, 1], dtype));
        }
        return targetTensor;
    }

    /// <inheritdoc/>
    protected override void ReleaseTensors()
    {
        targetTensor?.Dispose();
        targetTensor = null;
    }

    /// <inheritdoc/>
    public override void SetPoints(PointSet newPoints) => throw new NotSupportedException($"{GetType().Name}: the targets belong to the points; create a new condition instead");
}

/// <summary>u = g at the points (boundary data or scattered observations).</summary>
public class DirichletCondition : DataCondition
{
    /// <summary>u(x) = g(x) on <paramref name="points"/>.</summary>
    public DirichletCondition(PointSet points, PointFunction g, string output = "u") : this(points, points.Map(g), output) { }

    /// <summary>u = <paramref name="values"/> on <paramref name="points"/>.</summary>
    public DirichletCondition(PointSet points, double[] values, string output = "u") : base(points, values, output) { }

    /// <inheritdoc/>
    public override int DerivativeOrder => 0;

    /// <inheritdoc/>
    public override Tensor Residual(IFieldEvaluator fields, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return fields.Evaluate(Points(dtype), 0).Value(Output) - Target(dtype);
    }
}

/// <summary>u(x, t₀) = u₀(x): a Dirichlet condition on the initial time slice.</summary>
public sealed class InitialCondition : DirichletCondition
{
    /// <summary>u = u₀ at <paramref name="points"/> (which should lie at t = t₀).</summary>
    public InitialCondition(PointSet points, PointFunction u0, string output = "u") : base(points, u0, output) { }

    /// <summary>u = <paramref name="values"/> at <paramref name="points"/>.</summary>
    public InitialCondition(PointSet points, double[] values, string output = "u") : base(points, values, output) { }
}

/// <summary>a·u + b·∂u/∂n = g with outward normals n (Neumann: a = 0, b = 1).</summary>
public class RobinCondition : DataCondition
{
    private readonly double[] normals;
    private Tensor? normalTensor;

    /// <summary>Creates the condition.</summary>
    /// <param name="points">Boundary points.</param>
    /// <param name="normals">Outward unit normals, row-major like the points (zero in the time coordinate).</param>
    /// <param name="a">Coefficient of u.</param>
    /// <param name="b">Coefficient of the normal derivative.</param>
    /// <param name="g">Right-hand side.</param>
    /// <param name="output">Output constrained.</param>
    public RobinCondition(PointSet points, PointSet normals, double a, double b, PointFunction g, string output = "u")
        : base(points, points.Map(g), output)
    {
        ArgumentNullException.ThrowIfNull(normals);
        if (normals.Count != points.Count || normals.Dimension != points.Dimension) throw new ArgumentException("RobinCondition: one normal per point", nameof(normals));
        this.normals = normals.Data;
        A = a;
        B = b;
    }

    /// <summary>Coefficient of u.</summary>
    public double A { get; }

    /// <summary>Coefficient of ∂u/∂n.</summary>
    public double B { get; }

    /// <inheritdoc/>
    public override int DerivativeOrder => B == 0 ? 0 : 1;

    /// <inheritdoc/>
    protected override void ReleaseTensors()
    {
        base.ReleaseTensors();
        normalTensor?.Dispose();
        normalTensor = null;
    }

    /// <inheritdoc/>
    public override Tensor Residual(IFieldEvaluator fields, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var x = Points(dtype);
        var f = fields.Evaluate(x, DerivativeOrder);
        var r = f.Value(Output) * A;
        if (B != 0)
        {
            if (normalTensor is null || normalTensor.DType != dtype)
            {
                normalTensor?.Dispose();
                normalTensor = TensorScope.Keep(Tensor.FromDoubles(ShardOfRows(normals, HostPoints.Dimension), [ShardRows.Count, HostPoints.Dimension], dtype));
            }
            int c = f.OutputIndex(Output);
            Tensor? dn = null;
            for (int k = 0; k < HostPoints.Dimension; k++)
            {
                var term = f.Derivatives.Derivative(c, k) * normalTensor.Narrow(1, k, 1);
                dn = dn is null ? term : dn + term;
            }
            r = r + dn! * B;
        }
        return r - Target(dtype);
    }
}

/// <summary>∂u/∂n = g with outward normals n.</summary>
public sealed class NeumannCondition : RobinCondition
{
    /// <summary>Creates the condition.</summary>
    public NeumannCondition(PointSet points, PointSet normals, PointFunction g, string output = "u") : base(points, normals, 0, 1, g, output) { }
}

/// <summary>
/// Periodicity between two matched point sets (e.g. x = a and x = b at the same times):
/// u(A) = u(B), and optionally ∂ᵏu/∂x_dimᵏ(A) = ∂ᵏu/∂x_dimᵏ(B) for k = 1 … <see cref="DerivativeOrder"/>.
/// </summary>
public sealed class PeriodicCondition : Condition
{
    private readonly PointSet partner;
    private Tensor? partnerTensor;

    /// <summary>Creates the condition.</summary>
    /// <param name="pointsA">Points on one side.</param>
    /// <param name="pointsB">Matching points on the other side.</param>
    /// <param name="dimension">The periodic coordinate (for derivative matching).</param>
    /// <param name="derivativeOrder">Match derivatives along <paramref name="dimension"/> up to this order.</param>
    /// <param name="output">Output constrained.</param>
    public PeriodicCondition(PointSet pointsA, PointSet pointsB, int dimension, int derivativeOrder = 0, string output = "u") : base(pointsA)
    {
        ArgumentNullException.ThrowIfNull(pointsB);
        if (pointsB.Count != pointsA.Count || pointsB.Dimension != pointsA.Dimension) throw new ArgumentException("PeriodicCondition: the point sets must match one to one", nameof(pointsB));
        ArgumentOutOfRangeException.ThrowIfNegative(derivativeOrder);
        partner = pointsB;
        Dimension = dimension;
        DerivativeOrder = derivativeOrder;
        Output = output;
    }

    /// <summary>The periodic coordinate.</summary>
    public int Dimension { get; }

    /// <inheritdoc/>
    protected override void ReleaseTensors()
    {
        partnerTensor?.Dispose();
        partnerTensor = null;
    }

    /// <summary>Output constrained.</summary>
    public string Output { get; }

    /// <inheritdoc/>
    public override int DerivativeOrder { get; }

    /// <inheritdoc/>
    public override Tensor Residual(IFieldEvaluator fields, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (partnerTensor is null || partnerTensor.DType != dtype)
        {
            partnerTensor?.Dispose();
            partnerTensor = TensorScope.Keep(ShardOfSet(partner).ToTensor(dtype));
        }
        var a = fields.Evaluate(Points(dtype), DerivativeOrder);
        var b = fields.Evaluate(partnerTensor, DerivativeOrder);
        var parts = new List<Tensor> { a.Value(Output) - b.Value(Output) };
        int c = a.OutputIndex(Output);
        var dims = new List<int>();
        for (int k = 1; k <= DerivativeOrder; k++)
        {
            dims.Add(Dimension);
            parts.Add(a.Derivatives.Derivative(c, [.. dims]) - b.Derivatives.Derivative(c, [.. dims]));
        }
        return parts.Count == 1 ? parts[0] : Tensor.Concat(parts, 1);
    }
}
