using System.Runtime.CompilerServices;
using SciKernels.NN;

namespace SciKernels.Pinn;

/// <summary>
/// Input derivatives up to second order by forward Taylor propagation through an <see cref="Mlp"/>
/// (<see cref="TaylorMlp"/>): one stacked GEMM per layer for u and every requested ∂u/∂xᵢ and
/// ∂²u/∂xᵢ∂xⱼ (mixed ones included), instead of repeated reverse passes. Higher orders, output
/// transforms and networks that are not an <see cref="Mlp"/> fall back to
/// <see cref="ReverseModeDerivativeEngine"/>; both engines agree (tests compare them).
/// </summary>
/// <remarks>
/// <para>Each stream costs a share of every layer's work, so the engine propagates only the derivatives
/// the residuals read. It learns them per model and derivative order: the first evaluation propagates
/// every ∂u/∂xᵢ and every ∂²u/∂xᵢ² (the usual PDE terms) and records what is read; later evaluations
/// propagate exactly the recorded set (so u_tt is not computed for Burgers, and a mixed u_xy costs
/// one extra stream only in problems that read it). A derivative read but not propagated is computed
/// by a small extra Taylor pass (value, its first derivatives and itself) and recorded, never by
/// reverse mode; results are the same either way.</para>
/// <para>The learned sets make the work of an evaluation depend on earlier evaluations of the same
/// model, not on timing: a seeded training run is still reproducible bit for bit.</para>
/// </remarks>
public sealed class TaylorDerivativeEngine : IDerivativeEngine
{
    private readonly ConditionalWeakTable<PinnModel, Usage> usage = new();
    private long taylorPasses;
    private long reverseFallbacks;

    /// <summary>The shared instance (its learned derivative sets are keyed by model).</summary>
    public static TaylorDerivativeEngine Instance { get; } = new();

    /// <summary>Taylor forward passes run so far (main and extra ones); for tests.</summary>
    internal long TaylorPasses => Interlocked.Read(ref taylorPasses);

    /// <summary>Evaluations handed to reverse mode so far; for tests.</summary>
    internal long ReverseFallbacks => Interlocked.Read(ref reverseFallbacks);

    /// <inheritdoc/>
    public IDerivatives Evaluate(PinnModel model, Tensor points, int maxOrder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(points);
        if (maxOrder > 2 || model.Transform is not null || model.Network is not Mlp net)
        {
            Interlocked.Increment(ref reverseFallbacks);
            return ReverseModeDerivativeEngine.Instance.Evaluate(model, points, maxOrder);
        }
        int d = points.Size(1);
        var uses = usage.GetValue(model, _ => new Usage()).At(maxOrder);
        // Inputs are scaled affinely to [−1, 1]: each derivative picks up one scale factor per order.
        var scale = new double[d];
        for (int k = 0; k < d; k++) scale[k] = model.Lower is null ? 1 : 2 / (model.Upper![k] - model.Lower[k]);
        var scaled = model.ScaleInputs(points);
        var result = Run(net, scaled, uses.Request(d, maxOrder));
        return new TaylorDerivatives(this, net, points, scaled, maxOrder, result, scale, uses);
    }

    private TaylorResult Run(Mlp net, Tensor scaled, TaylorRequest request)
    {
        Interlocked.Increment(ref taylorPasses);
        return TaylorMlp.Forward(net, scaled, request);
    }

    /// <summary>The derivatives read from one model's evaluations at each maximum order.</summary>
    private sealed class Usage
    {
        private readonly Dictionary<int, Reads> byOrder = new();

        public Reads At(int maxOrder)
        {
            lock (byOrder)
            {
                if (!byOrder.TryGetValue(maxOrder, out var r)) byOrder[maxOrder] = r = new Reads();
                return r;
            }
        }
    }

    /// <summary>The set of derivatives read at one order (thread-safe).</summary>
    private sealed class Reads
    {
        private readonly SortedSet<int> first = new();
        private readonly SortedSet<(int, int)> pairs = new();
        private readonly Lock gate = new();
        private bool any;

        /// <summary>What to propagate: the recorded reads, or before any the value, all ∂ᵢ and all ∂ᵢ².</summary>
        public TaylorRequest Request(int d, int maxOrder)
        {
            lock (gate)
            {
                if (any) return new TaylorRequest(first.Where(i => i < d).ToArray(), pairs.Where(p => p.Item2 < d).ToArray());
            }
            return new TaylorRequest(
                maxOrder >= 1 ? Enumerable.Range(0, d) : Array.Empty<int>(),
                maxOrder >= 2 ? Enumerable.Range(0, d).Select(i => (i, i)) : null);
        }

        public void Record(ReadOnlySpan<int> dims)
        {
            lock (gate)
            {
                any = true;
                if (dims.Length == 1) first.Add(dims[0]);
                else if (dims.Length == 2) pairs.Add(dims[0] <= dims[1] ? (dims[0], dims[1]) : (dims[1], dims[0]));
            }
        }
    }

    private sealed class TaylorDerivatives(TaylorDerivativeEngine engine, Mlp net, Tensor points, Tensor scaled, int maxOrder,
        TaylorResult result, double[] scale, Reads reads) : IDerivatives
    {
        // Extra passes for derivatives the main pass did not propagate, keyed by (i, −1) or (i, j).
        private Dictionary<(int, int), TaylorResult>? extra;

        public Tensor Points => points;

        public Tensor Output => result.U;

        public Tensor Value(int component = 0)
        {
            reads.Record(ReadOnlySpan<int>.Empty);
            return result.U.Narrow(1, component, 1);
        }

        public Tensor Derivative(int component, params int[] dims)
        {
            ArgumentNullException.ThrowIfNull(dims);
            foreach (var k in dims)
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)k, (uint)points.Size(1), nameof(dims));
            if (dims.Length > maxOrder)
                throw new InvalidOperationException($"Derivative: order {dims.Length} was asked for but the points were evaluated with maxOrder {maxOrder}");
            if (dims.Length == 0) return Value(component);
            reads.Record(dims);
            if (dims.Length == 1)
            {
                int i = dims[0];
                var r = result.Request.FirstStream(i) >= 0 ? result : Extra((i, -1));
                return r.Dx[i].Narrow(1, component, 1).Mul(scale[i]);
            }
            int a = Math.Min(dims[0], dims[1]), b = Math.Max(dims[0], dims[1]);
            var rr = result.Request.PairStream(a, b) >= 0 ? result : Extra((a, b));
            return rr.Dxx[a, b].Narrow(1, component, 1).Mul(scale[a] * scale[b]);
        }

        private TaylorResult Extra((int I, int J) key)
        {
            extra ??= new();
            if (extra.TryGetValue(key, out var hit)) return hit;
            var request = key.J < 0 ? new TaylorRequest(new[] { key.I }) : new TaylorRequest(Array.Empty<int>(), new[] { key });
            return extra[key] = engine.Run(net, scaled, request);
        }
    }
}
