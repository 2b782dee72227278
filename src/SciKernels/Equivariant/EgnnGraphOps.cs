using SciKernels.Autograd;

namespace SciKernels.Equivariant;

/// <summary>
/// The graph primitives the EGNN layers use, in one place: gathering node rows onto edges and
/// aggregating edge rows back onto their receivers.
/// </summary>
/// <remarks>
/// Today these are compositions of the core's <see cref="Tensor.IndexSelect"/> and
/// <see cref="Tensor.IndexAdd"/> (deterministic, differentiable to any order, any edge order).
/// They are the seam where the fused message-passing primitives (gather, CSR segment sum/mean,
/// fused edge-linear) replace them; nothing else in <c>Equivariant/</c> touches indices.
/// </remarks>
internal static class EgnnGraphOps
{
    /// <summary>Rows <paramref name="index"/> of the node tensor <paramref name="nodes"/> [N, F] → [E, F].</summary>
    public static Tensor Gather(Tensor nodes, Tensor index) => nodes.IndexSelect(0, index);

    /// <summary>Σ over the edges e with receiver r of <paramref name="edges"/>[e] → [numNodes, F].</summary>
    public static Tensor AggregateSum(Tensor edges, Tensor receivers, int numNodes)
    {
        // Not disposed: the result's graph node keeps it as an input.
        var zeros = Tensor.Zeros([numNodes, edges.Shape[1]], edges.DType, edges.Device);
        return zeros.IndexAdd(0, receivers, edges);
    }

    /// <summary>
    /// Mean over the incoming edges of each node → [numNodes, F]; a node without incoming edges gets 0
    /// (the reference divides by max(count, 1)).
    /// </summary>
    public static Tensor AggregateMean(Tensor edges, Tensor receivers, int numNodes)
    {
        var sum = AggregateSum(edges, receivers, numNodes);
        Tensor count;
        using (GradMode.NoGrad())
        {
            // The in-degree depends only on the indices, so it is a constant of the graph.
            using var ones = Tensor.Ones([edges.Shape[0], 1], edges.DType, edges.Device);
            using var degree = AggregateSum(ones, receivers, numNodes);
            count = degree.Clamp(1, double.PositiveInfinity);
        }
        return sum.Div(count);
    }
}
