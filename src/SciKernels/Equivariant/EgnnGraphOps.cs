using SciKernels.Graphs;

namespace SciKernels.Equivariant;

/// <summary>
/// The bridge from the EGNN layers' senders/receivers overloads to the fused message-passing
/// primitives (<see cref="MessagePassing"/>): those overloads build a CSR <see cref="MessagePassing.EdgeIndex"/>
/// and put per-edge tensors in its (receiver) order, then run the <c>EdgeIndex</c> path.
/// </summary>
internal static class EgnnGraphOps
{
    /// <summary>
    /// The edge index of the pairs senders[e] → receivers[e]. Not disposed by the caller: the backward
    /// of the results reads its tensors, and the garbage collector reclaims them afterwards.
    /// </summary>
    public static MessagePassing.EdgeIndex Index(Tensor senders, Tensor receivers, int numNodes)
        => MessagePassing.EdgeIndex.FromPairs(senders, receivers, numNodes);

    /// <summary>Per-edge rows given in pair order, reordered to the index's receiver order (differentiable; null stays null).</summary>
    public static Tensor? ToEdgeOrder(Tensor? perEdge, MessagePassing.EdgeIndex edges)
        => perEdge?.IndexSelect(0, edges.On(perEdge.Device).Order);
}
