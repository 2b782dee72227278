using SciKernels.Autograd;

namespace SciKernels;

/// <summary>The result of <see cref="Autodiff.Jvp(Func{Tensor[], Tensor[]}, Tensor[], Tensor[])"/>: f's outputs and their tangents J·v.</summary>
/// <param name="Outputs">f(primals).</param>
/// <param name="Tangents">One tangent per output, shaped like it: the directional derivative of the output along the input tangents (zeros where the output does not depend on the inputs).</param>
public sealed record JvpResult(Tensor[] Outputs, Tensor[] Tangents);

/// <summary>The result of <see cref="Autodiff.Vjp(Func{Tensor[], Tensor[]}, Tensor[], Tensor[], bool)"/>: f's outputs and the cotangents pulled back to the inputs.</summary>
/// <param name="Outputs">f(primals).</param>
/// <param name="Cotangents">One per primal, shaped like it: Σ_k uₖᵀ·∂outputₖ/∂primal.</param>
public sealed record VjpResult(Tensor[] Outputs, Tensor[] Cotangents);

/// <summary>Functional autodiff, like <c>torch.autograd.grad</c>.</summary>
public static class Autodiff
{
    /// <summary>
    /// Computes Σ_k gradOutputs[k]ᵀ · ∂outputs[k]/∂inputs[i] for each input, without touching
    /// <see cref="Tensor.Grad"/>. With <paramref name="createGraph"/> the results are themselves
    /// differentiable, so derivatives of any order can be taken by calling Grad again.
    /// </summary>
    /// <param name="outputs">Tensors to differentiate.</param>
    /// <param name="inputs">Tensors to differentiate with respect to; they must require grad.</param>
    /// <param name="gradOutputs">Vectors of the vector-Jacobian product; null entries mean 1 for scalar outputs.</param>
    /// <param name="createGraph">Record the backward pass for higher-order derivatives.</param>
    /// <param name="retainGraph">Keep the graph for another pass (defaults to <paramref name="createGraph"/>).</param>
    /// <param name="allowUnused">Return zeros for inputs the outputs do not depend on, instead of throwing.</param>
    /// <returns>One gradient per input, shaped like the input.</returns>
    public static Tensor[] Grad(
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor?>? gradOutputs = null,
        bool createGraph = false,
        bool? retainGraph = null,
        bool allowUnused = true)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"Grad: {outputs.Count} outputs but {gradOutputs.Count} output gradients");
        var roots = new List<Tensor>();
        var rootGrads = new List<Tensor>();
        for (int i = 0; i < outputs.Count; i++)
        {
            var o = outputs[i];
            o.ThrowIfDisposed("Grad");
            if (!o.RequiresGrad) continue;
            var go = gradOutputs?[i] ?? Tensor.DefaultGradOutput(o, "Grad");
            if (!go.Shape.SequenceEqual(o.Shape))
                throw new TensorException("Grad", $"output {i} has shape {Tensor.ShapeString(o.Shape)} but its gradient has shape {Tensor.ShapeString(go.Shape)}");
            roots.Add(o);
            rootGrads.Add(go);
        }
        var stop = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var x in inputs)
        {
            if (!x.RequiresGrad) throw new TensorException("Grad", $"input of shape {Tensor.ShapeString(x.Shape)} does not require grad");
            stop.Add(x);
        }
        var captured = Engine.Run(roots, rootGrads, stop, retainGraph ?? createGraph, createGraph, accumulateIntoLeaves: false);
        var result = new Tensor[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            if (captured.TryGetValue(inputs[i], out var g)) result[i] = g;
            else if (allowUnused) result[i] = Tensor.ZerosLike(inputs[i]);
            else throw new InvalidOperationException($"Grad: input {i} is not used by the outputs (pass allowUnused: true to get zeros)");
        }
        return result;
    }

    /// <summary>Gradient of one scalar output w.r.t. one input (convenience overload).</summary>
    public static Tensor Grad(Tensor output, Tensor input, bool createGraph = false, Tensor? gradOutput = null)
        => Grad(new[] { output }, new[] { input }, gradOutput is null ? null : new[] { gradOutput }, createGraph)[0];

    /// <summary>
    /// Forward-mode autodiff: evaluates <paramref name="f"/> at <paramref name="primals"/> and its
    /// Jacobian-vector product along <paramref name="tangents"/> in the same pass (like
    /// <c>jax.jvp</c>), without any reverse pass.
    /// </summary>
    /// <remarks>
    /// Every op's forward rule runs as the op runs. Ops without an explicit rule derive one from
    /// their backward rule (the backward is linear in the output gradient g, so J·v =
    /// ∂/∂g ⟨backward(g), v⟩): correct for every op, about three times the op's cost — see
    /// docs/autodiff.md for which ops have explicit rules. Tangents are computed with
    /// differentiable ops, so Jvp nests (forward-over-forward), runs inside a reverse pass and can
    /// be differentiated with <see cref="Grad(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor?}?, bool, bool?, bool)"/>
    /// or <see cref="Tensor.Backward"/>; it also works under <see cref="GradMode.NoGrad"/>.
    /// </remarks>
    /// <param name="f">The function; it receives tensors standing for the primals (same values, carrying the tangents).</param>
    /// <param name="primals">Points at which to differentiate.</param>
    /// <param name="tangents">Directions, one per primal, of the same shape, dtype and device.</param>
    /// <returns>The outputs of f and one tangent per output.</returns>
    /// <exception cref="TensorException">A tangent does not match its primal in shape, dtype or device.</exception>
    public static JvpResult Jvp(Func<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] tangents)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(primals);
        ArgumentNullException.ThrowIfNull(tangents);
        if (primals.Length != tangents.Length)
            throw new ArgumentException($"Jvp: {primals.Length} primals but {tangents.Length} tangents");
        for (int i = 0; i < primals.Length; i++)
        {
            primals[i].ThrowIfDisposed("Jvp");
            tangents[i].ThrowIfDisposed("Jvp");
            if (!primals[i].DType.IsFloatingPoint())
                throw new TensorException("Jvp", $"primal {i} of shape {Tensor.ShapeString(primals[i].Shape)} is {primals[i].DType.Name()}; only floating-point inputs have tangents");
            ForwardMode.CheckTangent("Jvp", $"tangent {i} has", tangents[i], primals[i]);
        }
        using var level = ForwardMode.Enter();
        var duals = new Tensor[primals.Length];
        for (int i = 0; i < primals.Length; i++)
        {
            // A recorded identity: gradients still reach the primal, and outer levels' tangents carry over.
            duals[i] = primals[i].DualAlias();
            ForwardMode.Attach(duals[i], level.Id, tangents[i]);
        }
        var outputs = f(duals) ?? throw new InvalidOperationException("Jvp: f returned null");
        var outTangents = new Tensor[outputs.Length];
        for (int k = 0; k < outputs.Length; k++)
        {
            var o = outputs[k] ?? throw new InvalidOperationException($"Jvp: output {k} of f is null");
            o.ThrowIfDisposed("Jvp");
            outTangents[k] = ForwardMode.TangentOf(o, level.Id) ?? Tensor.ZerosLike(o);
        }
        return new JvpResult(outputs, outTangents);
    }

    /// <summary>Jacobian-vector product of a one-input, one-output function (convenience overload).</summary>
    /// <param name="f">The function.</param>
    /// <param name="primal">Point at which to differentiate.</param>
    /// <param name="tangent">Direction, shaped like <paramref name="primal"/>.</param>
    /// <returns>f(primal) and its directional derivative J·tangent.</returns>
    public static (Tensor Output, Tensor Tangent) Jvp(Func<Tensor, Tensor> f, Tensor primal, Tensor tangent)
    {
        ArgumentNullException.ThrowIfNull(f);
        var r = Jvp(xs => new[] { f(xs[0]) }, new[] { primal }, new[] { tangent });
        return (r.Outputs[0], r.Tangents[0]);
    }

    /// <summary>
    /// Hessian-vector product H·v of a scalar function, computed forward-over-reverse (the Jvp of
    /// the gradient): about the cost of two gradients, with no Hessian formed.
    /// </summary>
    /// <param name="f">Scalar function of the primals.</param>
    /// <param name="primals">Point at which the Hessian is taken.</param>
    /// <param name="v">Direction, one tensor per primal, of the same shape.</param>
    /// <param name="createGraph">Keep the result differentiable w.r.t. primals that require grad (third derivatives).</param>
    /// <returns>One tensor per primal: Σ_j ∂²f/∂primal_i∂primal_j · v_j.</returns>
    public static Tensor[] Hvp(Func<Tensor[], Tensor> f, Tensor[] primals, Tensor[] v, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(primals);
        using var _ = GradMode.EnableGrad();
        var leaves = Leaves(primals, createGraph, "Hvp");
        var r = Jvp(xs =>
        {
            var y = f(xs);
            if (y.NumElements != 1)
                throw new InvalidOperationException($"Hvp: f must return a scalar, got shape {Tensor.ShapeString(y.Shape)}");
            return Grad(new[] { y }, xs, createGraph: createGraph);
        }, leaves, v);
        return r.Tangents;
    }

    /// <summary>Hessian-vector product of a scalar function of one tensor (convenience overload).</summary>
    /// <param name="f">Scalar function.</param>
    /// <param name="primal">Point at which the Hessian is taken.</param>
    /// <param name="v">Direction, shaped like <paramref name="primal"/>.</param>
    /// <returns>H·v, shaped like <paramref name="primal"/>.</returns>
    public static Tensor Hvp(Func<Tensor, Tensor> f, Tensor primal, Tensor v) => Hvp(xs => f(xs[0]), new[] { primal }, new[] { v })[0];

    /// <summary>
    /// Vector-Jacobian product (like <c>jax.vjp</c>): evaluates <paramref name="f"/> and pulls
    /// <paramref name="cotangents"/> back to the primals with one reverse pass.
    /// </summary>
    /// <param name="f">The function.</param>
    /// <param name="primals">Points at which to differentiate (they need not require grad).</param>
    /// <param name="cotangents">One per output of f, shaped like it.</param>
    /// <param name="createGraph">Keep the result differentiable w.r.t. primals that require grad.</param>
    /// <returns>The outputs of f and one cotangent per primal.</returns>
    public static VjpResult Vjp(Func<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] cotangents, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(primals);
        ArgumentNullException.ThrowIfNull(cotangents);
        using var _ = GradMode.EnableGrad();
        var leaves = Leaves(primals, createGraph, "Vjp");
        var outputs = f(leaves) ?? throw new InvalidOperationException("Vjp: f returned null");
        if (outputs.Length != cotangents.Length)
            throw new ArgumentException($"Vjp: f returned {outputs.Length} outputs but {cotangents.Length} cotangents were given");
        for (int k = 0; k < outputs.Length; k++)
        {
            if (!cotangents[k].Shape.SequenceEqual(outputs[k].Shape) || cotangents[k].DType != outputs[k].DType || cotangents[k].Device != outputs[k].Device)
                throw new TensorException("Vjp", $"cotangent {k} is {Tensor.ShapeString(cotangents[k].Shape)} {cotangents[k].DType.Name()} on {cotangents[k].Device} but output {k} is {Tensor.ShapeString(outputs[k].Shape)} {outputs[k].DType.Name()} on {outputs[k].Device}");
        }
        return new VjpResult(outputs, Grad(outputs, leaves, cotangents, createGraph));
    }

    /// <summary>Inputs that require grad standing for the primals: linked to them when the result must stay differentiable, fresh leaves otherwise.</summary>
    private static Tensor[] Leaves(Tensor[] primals, bool createGraph, string op)
    {
        var leaves = new Tensor[primals.Length];
        for (int i = 0; i < primals.Length; i++)
        {
            var p = primals[i];
            p.ThrowIfDisposed(op);
            if (!p.DType.IsFloatingPoint())
                throw new TensorException(op, $"primal {i} of shape {Tensor.ShapeString(p.Shape)} is {p.DType.Name()}; only floating-point inputs can be differentiated");
            leaves[i] = createGraph && p.RequiresGrad ? p.DualAlias() : p.DetachKeepingTangents().RequiresGrad_();
        }
        return leaves;
    }
}
