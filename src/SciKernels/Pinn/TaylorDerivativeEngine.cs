using SciKernels.NN;

namespace SciKernels.Pinn;

/// <summary>
/// Input derivatives up to second order by forward Taylor propagation through an <see cref="Mlp"/>
/// (<see cref="TaylorMlp"/>): one stacked GEMM per layer for u, every ∂u/∂xᵢ and every ∂²u/∂xᵢ²,
/// instead of repeated reverse passes. Mixed second derivatives, higher orders, output transforms and
/// networks that are not an <see cref="Mlp"/> fall back to <see cref="ReverseModeDerivativeEngine"/>;
/// both engines agree (tests compare them).
/// </summary>
public sealed class TaylorDerivativeEngine : IDerivativeEngine
{
    /// <summary>The shared instance (the engine is stateless).</summary>
    public static TaylorDerivativeEngine Instance { get; } = new();

    /// <inheritdoc/>
    public IDerivatives Evaluate(PinnModel model, Tensor points, int maxOrder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(points);
        if (maxOrder > 2 || model.Transform is not null || model.Network is not Mlp net)
            return ReverseModeDerivativeEngine.Instance.Evaluate(model, points, maxOrder);
        int d = points.Size(1);
        var request = new TaylorRequest(
            maxOrder >= 1 ? Enumerable.Range(0, d) : Array.Empty<int>(),
            maxOrder >= 2 ? Enumerable.Range(0, d).Select(i => (i, i)) : null);
        // Inputs are scaled affinely to [−1, 1]: each derivative picks up one scale factor per order.
        var scale = new double[d];
        for (int k = 0; k < d; k++) scale[k] = model.Lower is null ? 1 : 2 / (model.Upper![k] - model.Lower[k]);
        var result = TaylorMlp.Forward(net, model.ScaleInputs(points), request);
        return new TaylorDerivatives(model, points, maxOrder, result, scale);
    }

    private sealed class TaylorDerivatives(PinnModel model, Tensor points, int maxOrder, TaylorResult result, double[] scale) : IDerivatives
    {
        private IDerivatives? fallback;

        public Tensor Points => points;

        public Tensor Output => result.U;

        public Tensor Value(int component = 0) => result.U.Narrow(1, component, 1);

        public Tensor Derivative(int component, params int[] dims)
        {
            ArgumentNullException.ThrowIfNull(dims);
            foreach (var k in dims)
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)k, (uint)points.Size(1), nameof(dims));
            if (dims.Length > maxOrder)
                throw new InvalidOperationException($"Derivative: order {dims.Length} was asked for but the points were evaluated with maxOrder {maxOrder}");
            switch (dims.Length)
            {
                case 0: return Value(component);
                case 1: return result.Dx[dims[0]].Narrow(1, component, 1).Mul(scale[dims[0]]);
                case 2 when dims[0] == dims[1]:
                    return result.Dxx[dims[0], dims[0]].Narrow(1, component, 1).Mul(scale[dims[0]] * scale[dims[0]]);
                default:
                    fallback ??= ReverseModeDerivativeEngine.Instance.Evaluate(model, points, maxOrder);
                    return fallback.Derivative(component, dims);
            }
        }
    }
}
