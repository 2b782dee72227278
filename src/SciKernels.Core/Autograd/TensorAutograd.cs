using SciKernels.Autograd;

namespace SciKernels;

public sealed partial class Tensor
{
    private bool requiresGrad;

    /// <summary>
    /// Whether gradients flow to this tensor. Setting it marks a leaf (a parameter or an input
    /// whose derivatives you want); results of recorded operations require grad automatically.
    /// </summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (value && !DType.IsFloatingPoint())
                throw new TensorException("RequiresGrad", $"only floating-point tensors can require gradients, not {DType.Name()}");
            if (!value && GradFn is not null)
                throw new TensorException("RequiresGrad", $"cannot clear RequiresGrad on the result of '{GradFn.Op}'; use Detach()");
            requiresGrad = value;
        }
    }

    /// <summary>Accumulated gradient of a leaf after <see cref="Backward"/>; null before.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The operation that produced this tensor, or null for a leaf.</summary>
    internal Node? GradFn { get; set; }

    /// <summary>Forward-mode tangents of this tensor, one per active Jvp level (null: none).</summary>
    internal TangentLink? Tangents { get; set; }

    /// <summary>Sets the flag without the leaf checks: forward mode's fallback marks inputs for the duration of one call.</summary>
    internal void SetRequiresGradUnchecked(bool value) => requiresGrad = value;

    /// <summary>True when the tensor was not produced by a recorded operation.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Name of the operation that produced this tensor, or null for a leaf.</summary>
    public string? GradFnName => GradFn?.Op;

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (fluent).</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>A view of the same data that is cut from the graph.</summary>
    public Tensor Detach()
    {
        ThrowIfDisposed("Detach");
        return View(shape, strides, Offset);
    }

    /// <summary>A recorded identity of this tensor: the stand-in for a primal inside Jvp.</summary>
    internal Tensor DualAlias() => Alias();

    /// <summary>A detached view that keeps the forward-mode tangents (cut from reverse mode only).</summary>
    internal Tensor DetachKeepingTangents()
    {
        var d = Detach();
        d.Tangents = Tangents;
        return d;
    }

    /// <summary>Drops the accumulated gradient (sets <see cref="Grad"/> to null and frees it).</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    /// <summary>
    /// Back-propagates from this tensor, accumulating d(this)/d(leaf) into every leaf's
    /// <see cref="Grad"/>. A non-scalar needs <paramref name="gradient"/> (the vector of the
    /// vector-Jacobian product).
    /// </summary>
    /// <param name="gradient">Gradient of the final objective w.r.t. this tensor; defaults to 1 for a scalar.</param>
    /// <param name="retainGraph">Keep the graph for a further backward pass (defaults to <paramref name="createGraph"/>).</param>
    /// <param name="createGraph">Record the backward pass itself so the gradients can be differentiated again.</param>
    public void Backward(Tensor? gradient = null, bool? retainGraph = null, bool createGraph = false)
    {
        ThrowIfDisposed("Backward");
        if (!RequiresGrad)
            throw new InvalidOperationException($"Backward: this {ShapeString(shape)} tensor does not require grad and has no grad_fn (did you forget RequiresGrad = true on an input, or run under NoGrad?)");
        var g = gradient ?? DefaultGradOutput(this, "Backward");
        Engine.Run(new[] { this }, new[] { g }, null, retainGraph ?? createGraph, createGraph, accumulateIntoLeaves: true);
    }

    internal static Tensor DefaultGradOutput(Tensor output, string op)
    {
        if (output.NumElements != 1)
            throw new InvalidOperationException($"{op}: the output has shape {ShapeString(output.Shape)}; gradients can be created implicitly only for scalar outputs — pass the output gradient explicitly");
        return OnesLike(output);
    }

    internal void AccumulateGrad(Tensor g, bool createGraph)
    {
        if (Grad is null)
        {
            // Copy: the incoming tensor may be shared with other branches of the graph, be the caller's
            // own gradient tensor, or a stride-0 broadcast; with createGraph the copy is recorded
            // (Clone is differentiable) so the gradient can still be differentiated.
            Grad = TensorScope.Keep(createGraph ? g.Clone() : g.Detach().Contiguous(forceCopy: true));
        }
        else if (createGraph || Grad.RequiresGrad)
        {
            Grad = TensorScope.Keep(Grad.Add(g));
        }
        else
        {
            Grad.AddInPlace(g);
        }
    }
}
