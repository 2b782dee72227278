using SciKernels.NN;

namespace SciKernels.Pinn;

/// <summary>
/// Forward-mode (Taylor) propagation of input derivatives through an MLP: the value u and the
/// requested ∂u/∂xᵢ and ∂²u/∂xᵢ∂xⱼ at N points in one forward pass, differentiable with respect to
/// the weights — the fast path for PINN residuals.
/// </summary>
/// <remarks>
/// <para>The streams (value, first and second directional derivatives) are stacked as row blocks
/// of one [streams·N, width] tensor, so each linear layer is a single matrix product for all of them
/// (z' = W h', z'' = W h''; the bias only enters the value block), and each activation is one fused
/// element-wise pass applying a = σ(z), a' = σ'(z) z', a'' = σ''(z) z'z' + σ'(z) z''.</para>
/// <para>Compared with reverse-over-reverse (differentiating <c>Autodiff.Grad(u, x, createGraph)</c>
/// again), no backward graph is built inside the forward pass, so the weight gradient of the PINN
/// loss costs one ordinary backward pass through a short graph.</para>
/// <para>Supported activations: Identity, Tanh, Sin (any ω), Sigmoid, Softplus, Silu, Gelu.</para>
/// </remarks>
public static class TaylorMlp
{
    /// <summary>Runs <paramref name="net"/> on <paramref name="x"/> propagating the derivatives of <paramref name="request"/>.</summary>
    /// <param name="net">The network (built from <see cref="Linear"/> layers and supported activations).</param>
    /// <param name="x">Points [N, inputs].</param>
    /// <param name="request">Which derivatives to propagate.</param>
    /// <returns>u and the derivatives, each [N, outputs].</returns>
    public static TaylorResult Forward(Mlp net, Tensor x, TaylorRequest request)
    {
        ArgumentNullException.ThrowIfNull(net);
        return Forward(net.Layers, x, request);
    }

    /// <summary>
    /// Runs a stack of layers (<see cref="Linear"/>, <see cref="Identity"/>, <see cref="Tanh"/>,
    /// <see cref="Sin"/>, <see cref="Sigmoid"/>, <see cref="Softplus"/>, <see cref="Silu"/>,
    /// <see cref="Gelu"/>) on <paramref name="x"/>, propagating the derivatives of <paramref name="request"/>.
    /// </summary>
    /// <param name="layers">The layers in order.</param>
    /// <param name="x">Points [N, inputs].</param>
    /// <param name="request">Which derivatives to propagate.</param>
    /// <returns>u and the derivatives, each [N, outputs].</returns>
    public static TaylorResult Forward(IEnumerable<Module> layers, Tensor x, TaylorRequest request)
        => Run(Steps(layers), x, request, fused: true);

    /// <summary>
    /// Runs the dense layers <paramref name="layers"/> (weights given as tensors) on <paramref name="x"/>,
    /// propagating the derivatives of <paramref name="request"/>.
    /// </summary>
    /// <param name="layers">The layers in order.</param>
    /// <param name="x">Points [N, inputs].</param>
    /// <param name="request">Which derivatives to propagate.</param>
    /// <returns>u and the derivatives, each [N, outputs].</returns>
    public static TaylorResult Forward(IReadOnlyList<TaylorLayer> layers, Tensor x, TaylorRequest request)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return Run(layers.Select(l => new Step(l.Weight ?? throw new ArgumentException("TaylorMlp: a layer has no weight", nameof(layers)), l.Bias, new TaylorAct(l.Activation, l.Omega))), x, request, fused: true);
    }

    /// <summary>The same computation in plain tensor operations (no fused kernels): the reference for tests.</summary>
    internal static TaylorResult ForwardComposite(IEnumerable<Module> layers, Tensor x, TaylorRequest request)
        => Run(Steps(layers), x, request, fused: false);

    /// <summary>The same computation in plain tensor operations (no fused kernels): the reference for tests.</summary>
    internal static TaylorResult ForwardComposite(IReadOnlyList<TaylorLayer> layers, Tensor x, TaylorRequest request)
        => Run(layers.Select(l => new Step(l.Weight, l.Bias, new TaylorAct(l.Activation, l.Omega))), x, request, fused: false);

    /// <summary>An optional linear map (weight, bias) followed by an activation.</summary>
    private readonly record struct Step(Tensor? Weight, Tensor? Bias, TaylorAct Act);

    private static TaylorResult Run(IEnumerable<Step> steps, Tensor x, TaylorRequest request, bool fused)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(request);
        if (x.Rank != 2) throw new TensorException("TaylorMlp", $"expected points [N, inputs], got shape {Tensor.ShapeString(x.Shape)}");
        int n = x.Size(0), d = x.Size(1);
        if (request.MaxIndex >= d)
            throw new ArgumentException($"TaylorMlp: {request} asks for input index {request.MaxIndex} but the points have {d} coordinates", nameof(request));

        var h = InputStreams(x, request);
        foreach (var step in steps)
        {
            if (step.Weight is not null) h = TaylorLinear.Apply(h, step.Weight, fused);
            // Identity without a bias changes nothing; otherwise one fused pass adds the bias to the
            // value block and applies the activation's Taylor rule to every stream.
            if (step.Act.Kind != Activation.Identity || step.Bias is not null)
                h = TaylorActivation.Apply(h, step.Bias, step.Act, request, n, fused);
        }
        return new TaylorResult(h, request, n);
    }

    /// <summary>Groups modules into steps: each Linear with the activation that follows it.</summary>
    private static IEnumerable<Step> Steps(IEnumerable<Module> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        Linear? pending = null;
        foreach (var layer in Flatten(layers))
        {
            if (layer is Identity) continue;
            if (layer is Linear lin)
            {
                if (pending is not null) yield return new Step(pending.Weight, pending.Bias, new TaylorAct(Activation.Identity));
                pending = lin;
                continue;
            }
            var act = Describe(layer);
            yield return new Step(pending?.Weight, pending?.Bias, act);
            pending = null;
        }
        if (pending is not null) yield return new Step(pending.Weight, pending.Bias, new TaylorAct(Activation.Identity));
    }

    private static IEnumerable<Module> Flatten(IEnumerable<Module> layers)
    {
        foreach (var m in layers)
        {
            if (m is Sequential s)
                foreach (var inner in Flatten(s)) yield return inner;
            else if (m is Mlp mlp)
                foreach (var inner in Flatten(mlp.Layers)) yield return inner;
            else yield return m;
        }
    }

    private static TaylorAct Describe(Module m) => m switch
    {
        Tanh => new TaylorAct(Activation.Tanh),
        Sin s => new TaylorAct(Activation.Sin, s.Omega),
        Sigmoid => new TaylorAct(Activation.Sigmoid),
        Softplus => new TaylorAct(Activation.Softplus),
        Silu => new TaylorAct(Activation.Silu),
        Gelu => new TaylorAct(Activation.Gelu),
        _ => throw new NotSupportedException($"TaylorMlp: layer {m.GetType().Name} is not supported (use Linear, Identity, Tanh, Sin, Sigmoid, Softplus, Silu or Gelu)"),
    };

    /// <summary>[x; e_i (one block per first derivative); 0 (one block per pair)] as one [streams·N, d] tensor.</summary>
    private static Tensor InputStreams(Tensor x, TaylorRequest request)
    {
        if (request.StreamCount == 1) return x;
        int n = x.Size(0), d = x.Size(1);
        var seeds = new double[(long)(request.StreamCount - 1) * n * d];
        for (int f = 0; f < request.FirstOrder.Count; f++)
        {
            int col = request.FirstOrder[f];
            long start = (long)f * n * d;
            for (int r = 0; r < n; r++) seeds[start + (long)r * d + col] = 1;
        }
        var c = Tensor.FromDoubles(seeds, new[] { (request.StreamCount - 1) * n, d }, x.DType, x.Device);
        return Tensor.Concat(new[] { x, c }, 0);
    }
}
