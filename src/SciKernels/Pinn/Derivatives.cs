namespace SciKernels.Pinn;

/// <summary>
/// Values and input derivatives of a network's outputs at a batch of points. Implementations compute
/// what is asked for lazily and cache it, so a PDE that reads u_x and u_xx pays for each once.
/// </summary>
/// <remarks>
/// Every result is an [n, 1] tensor that stays differentiable with respect to the model parameters
/// (and trainable PDE coefficients), so losses built from it can be minimized.
/// </remarks>
public interface IDerivatives
{
    /// <summary>The [n, d] points the derivatives are taken at.</summary>
    Tensor Points { get; }

    /// <summary>The full [n, m] network output.</summary>
    Tensor Output { get; }

    /// <summary>Output component <paramref name="component"/> as [n, 1].</summary>
    Tensor Value(int component = 0);

    /// <summary>
    /// ∂^k u_c / ∂x_{dims[0]} … ∂x_{dims[k−1]} as [n, 1]; the order of <paramref name="dims"/> does not
    /// matter (mixed partials commute for smooth networks). An empty list gives the value.
    /// </summary>
    Tensor Derivative(int component, params int[] dims);
}

/// <summary>
/// Computes <see cref="IDerivatives"/> of a model at points. The general engine is
/// <see cref="ReverseModeDerivativeEngine"/>; a faster one (e.g. forward-mode Taylor propagation
/// through an MLP) can be plugged into <see cref="PinnProblem.DerivativeEngine"/>.
/// </summary>
public interface IDerivativeEngine
{
    /// <summary>Evaluates <paramref name="model"/> at <paramref name="points"/>, ready to give derivatives up to <paramref name="maxOrder"/>.</summary>
    /// <param name="model">The model (network, input scaling, output transform).</param>
    /// <param name="points">[n, d] points; the engine does not modify them.</param>
    /// <param name="maxOrder">Highest derivative order that will be asked for (0: values only).</param>
    IDerivatives Evaluate(PinnModel model, Tensor points, int maxOrder);
}

/// <summary>
/// Input derivatives by repeated reverse mode (reverse-over-reverse): ∂u/∂x is
/// <c>Autodiff.Grad(u, x, ones, createGraph: true)</c>, the next order differentiates one column of that,
/// and so on. Works for any model whose outputs at a point depend only on that point (no batch coupling).
/// </summary>
public sealed class ReverseModeDerivativeEngine : IDerivativeEngine
{
    /// <summary>The shared instance (the engine is stateless).</summary>
    public static ReverseModeDerivativeEngine Instance { get; } = new();

    /// <inheritdoc/>
    public IDerivatives Evaluate(PinnModel model, Tensor points, int maxOrder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(points);
        if (maxOrder == 0) return new ReverseModeDerivatives(points, model.Forward(points));
        // Input derivatives need the forward graph even inside GradMode.NoGrad (e.g. when evaluating residuals).
        using var _ = Autograd.GradMode.EnableGrad();
        var x = points.Detach().RequiresGrad_();
        return new ReverseModeDerivatives(x, model.Forward(x));
    }

    private sealed class ReverseModeDerivatives(Tensor points, Tensor output) : IDerivatives
    {
        private readonly Dictionary<string, Tensor> cache = new(StringComparer.Ordinal);

        public Tensor Points => points;

        public Tensor Output => output;

        public Tensor Value(int component = 0)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)component, (uint)output.Size(1), nameof(component));
            // Keep the graph to the points even when the caller is in a no-grad region.
            using var _ = points.RequiresGrad ? Autograd.GradMode.EnableGrad() : null;
            return output.Narrow(1, component, 1);
        }

        public Tensor Derivative(int component, params int[] dims)
        {
            ArgumentNullException.ThrowIfNull(dims);
            if (dims.Length == 0) return Value(component);
            foreach (var d in dims)
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)d, (uint)points.Size(1), nameof(dims));
            if (!points.RequiresGrad) throw new InvalidOperationException("Derivative: the points were evaluated with maxOrder 0; ask the engine for the derivative order you need");
            using var _ = Autograd.GradMode.EnableGrad();
            var sorted = dims.Order().ToArray();
            var key = Key(component, sorted);
            if (cache.TryGetValue(key, out var hit)) return hit;
            // Differentiate the lower-order derivative once; its gradient row gives every next-order partial.
            var lower = sorted[..^1];
            var parent = Derivative(component, lower);
            var grad = Autodiff.Grad([parent], [points], [Tensor.OnesLike(parent)], createGraph: true)[0];
            for (int k = 0; k < points.Size(1); k++)
            {
                var kk = Key(component, [.. lower, k]);
                cache.TryAdd(kk, grad.Narrow(1, k, 1));
            }
            return cache[key];
        }

        private static string Key(int component, int[] dims)
        {
            var d = (int[])dims.Clone();
            Array.Sort(d);
            return component + ":" + string.Join(',', d);
        }
    }
}
