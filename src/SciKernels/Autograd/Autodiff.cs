using SciKernels.Autograd;

namespace SciKernels;

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
}
