namespace SciKernels.Autograd;

/// <summary>
/// One recorded operation of the autodiff graph: its inputs and a closure that maps the output's
/// gradient to the inputs' gradients.
/// </summary>
/// <remarks>
/// The closure is written with tensor operations, so when the backward pass itself is recorded
/// (createGraph) it can be differentiated again: derivatives of any order come for free.
/// </remarks>
internal sealed class Node
{
    public Node(string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        Op = op;
        Inputs = inputs;
        Backward = backward;
    }

    /// <summary>Name of the forward operation (for error messages and anomaly reports).</summary>
    public string Op { get; }

    /// <summary>The forward inputs, in the order the closure returns their gradients.</summary>
    public Tensor[] Inputs { get; private set; }

    /// <summary>Gradient rule; null once the graph has been freed by a backward pass.</summary>
    public Func<Tensor, Tensor?[]>? Backward { get; private set; }

    /// <summary>Drops the saved tensors so their buffers can be reused.</summary>
    public void Free()
    {
        Backward = null;
        Inputs = Array.Empty<Tensor>();
    }
}
