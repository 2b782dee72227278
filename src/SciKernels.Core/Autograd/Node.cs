namespace SciKernels.Autograd;

/// <summary>
/// One recorded operation of the autodiff graph: its inputs and a closure that maps the output's
/// gradient to the inputs' gradients.
/// </summary>
/// <remarks>
/// <para>The closure is written with tensor operations, so when the backward pass itself is recorded
/// (createGraph) it can be differentiated again: derivatives of any order come for free.</para>
/// <para>The closure may read its inputs and its output (the saved tensors): the node records their
/// storage versions, and <see cref="CheckSavedVersions"/> refuses to run the rule once one of them
/// was modified in place. Ops whose rule reads neither opt out (no versions recorded).</para>
/// </remarks>
internal sealed class Node
{
    private Tensor? output;
    private int[]? savedVersions; // inputs' versions, then the output's; null: the rule reads no saved tensor

    public Node(string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, Tensor? savedOutput = null, bool savesInputs = false)
    {
        Op = op;
        Inputs = inputs;
        Backward = backward;
        if (savedOutput is null && !savesInputs) return;
        output = savedOutput;
        savedVersions = new int[inputs.Length + 1];
        if (savesInputs)
            for (int i = 0; i < inputs.Length; i++) savedVersions[i] = inputs[i].Version;
        else Array.Fill(savedVersions, -1, 0, inputs.Length);
        savedVersions[inputs.Length] = savedOutput?.Version ?? -1;
    }

    /// <summary>Name of the forward operation (for error messages and anomaly reports).</summary>
    public string Op { get; }

    /// <summary>The forward inputs, in the order the closure returns their gradients.</summary>
    public Tensor[] Inputs { get; private set; }

    /// <summary>Gradient rule; null once the graph has been freed by a backward pass or its output disposed.</summary>
    public Func<Tensor, Tensor?[]>? Backward { get; private set; }

    private int[]? disposedShape;
    private DType disposedDType;

    /// <summary>Shape and dtype of the output when it was disposed before a backward pass ran the rule; null otherwise.</summary>
    public string? DisposedOutput => disposedShape is null ? null : $"{Tensor.ShapeString(disposedShape)} {disposedDType.Name()}";

    /// <summary>Drops the saved tensors so their buffers can be reused.</summary>
    public void Free()
    {
        Backward = null;
        Inputs = Array.Empty<Tensor>();
        output = null;
        savedVersions = null;
    }

    /// <summary>The output was disposed: frees the node and remembers it so Backward can say so.</summary>
    public void ReleaseForDisposedOutput(Tensor disposedOutput)
    {
        if (Backward is not null)
        {
            disposedShape = disposedOutput.ShapeArray;
            disposedDType = disposedOutput.DType;
        }
        Free();
    }

    /// <summary>Throws when a tensor the rule reads was modified in place after it was recorded (like PyTorch's version check).</summary>
    public void CheckSavedVersions()
    {
        if (savedVersions is not { } v) return;
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] < 0) continue;
            var t = i < Inputs.Length ? Inputs[i] : output!;
            if (t.IsDisposed && i < Inputs.Length)
                throw new ObjectDisposedException(nameof(Tensor),
                    $"Backward: input {i} of '{Op}' ({Tensor.ShapeString(t.Shape)} {t.DType.Name()}{(t.GradFnName is { } from ? $", the result of '{from}'" : "")}) " +
                    "was disposed before the backward pass needed it; keep the intermediates of a computation alive (e.g. in one TensorScope) until Backward has run");
            int now = t.Version;
            if (now == v[i]) continue;
            string which = i < Inputs.Length ? $"input {i}" : "output";
            throw new InvalidOperationException(
                $"Backward: one of the variables needed for gradient computation has been modified by an inplace operation: " +
                $"op {Op}, tensor {Tensor.ShapeString(t.Shape)} {t.DType.Name()} (its {which}) is at version {now}; expected version {v[i]}. " +
                "Update it out of place, clone it before modifying it, or run the backward pass before the in-place update");
        }
    }
}
