namespace SciKernels.Graphs;

/// <summary>Collates many small graphs into one batched <see cref="Graph"/> (torch-geometric's <c>Batch</c>).</summary>
public static class GraphBatch
{
    /// <summary>
    /// Concatenates <paramref name="graphs"/>: nodes and edges in graph order, sender and receiver
    /// indices offset by the nodes of the graphs before, <see cref="Graph.NodeGraph"/> naming each
    /// node's graph, features/positions concatenated along dim 0 and cells stacked to [G, 3, 3].
    /// </summary>
    /// <remarks>
    /// Optional parts must be present in all graphs or in none (an error names the first graph that
    /// differs). The concatenations are differentiable: gradients flow back to each graph's tensors.
    /// </remarks>
    /// <param name="graphs">At least one graph; all on the same device.</param>
    public static Graph Collate(IReadOnlyList<Graph> graphs)
    {
        const string op = "GraphBatch.Collate";
        ArgumentNullException.ThrowIfNull(graphs);
        if (graphs.Count == 0) throw new TensorException(op, "no graphs given");
        var first = graphs[0];
        long nodes = 0, edges = 0;
        for (int g = 0; g < graphs.Count; g++)
        {
            var x = graphs[g] ?? throw new TensorException(op, $"graph {g} is null");
            Same(op, g, "node features", first.NodeFeatures, x.NodeFeatures);
            Same(op, g, "edge features", first.EdgeFeatures, x.EdgeFeatures);
            Same(op, g, "positions", first.Positions, x.Positions);
            Same(op, g, "a cell", first.Cell, x.Cell);
            if (x.Index.Device != first.Index.Device)
                throw new TensorException(op, $"graph {g} is on {x.Index.Device}, graph 0 on {first.Index.Device}");
            nodes += x.NumNodes;
            edges += x.NumEdges;
        }
        if (nodes > int.MaxValue || edges > int.MaxValue)
            throw new TensorException(op, $"the batch would hold {nodes} nodes and {edges} edges; at most {int.MaxValue} of each are supported");

        int n = (int)nodes, e = (int)edges, count = graphs.Count;
        var senders = new long[e];
        var receivers = new long[e];
        var shifts = first.Cell is not null ? new long[3L * e] : null;
        var nodeOffsets = new long[count + 1];
        var edgeOffsets = new long[count + 1];
        for (int g = 0; g < count; g++)
        {
            var x = graphs[g].Index;
            long n0 = nodeOffsets[g], e0 = edgeOffsets[g];
            for (int k = 0; k < x.NumEdges; k++)
            {
                senders[e0 + k] = x.Senders[k] + n0;
                receivers[e0 + k] = x.Receivers[k] + n0;
            }
            x.Shifts?.CopyTo(shifts!, 3 * e0);
            nodeOffsets[g + 1] = n0 + x.NumNodes;
            edgeOffsets[g + 1] = e0 + x.NumEdges;
        }
        // Graphs may be batches themselves: the result is flat, one entry per inner graph.
        var flatNodeOffsets = new List<long> { 0 };
        var flatEdgeOffsets = new List<long> { 0 };
        for (int g = 0; g < count; g++)
        {
            var x = graphs[g].Index;
            for (int h = 1; h < x.NodeOffsets.Length; h++)
            {
                flatNodeOffsets.Add(nodeOffsets[g] + x.NodeOffsets[h]);
                flatEdgeOffsets.Add(edgeOffsets[g] + x.EdgeOffsets[h]);
            }
        }
        // Number graphs by position (from the offsets, so empty graphs keep their index).
        var flatNodeGraph = new long[n];
        for (int h = 0; h + 1 < flatNodeOffsets.Count; h++)
            for (long k = flatNodeOffsets[h]; k < flatNodeOffsets[h + 1]; k++) flatNodeGraph[k] = h;

        var index = GraphIndex.Build(n, senders, receivers, shifts, flatNodeOffsets.ToArray(), flatEdgeOffsets.ToArray(), flatNodeGraph, first.Index.Device);
        Tensor? Cat(Func<Graph, Tensor?> part) => part(first) is null ? null : Tensor.Concat(graphs.Select(x => part(x)!).ToArray(), 0);
        Tensor? cell = null;
        if (first.Cell is not null)
            cell = Tensor.Concat(graphs.Select(x => x.Cell!.Rank == 2 ? x.Cell.Unsqueeze(0) : x.Cell).ToArray(), 0);
        return Graph.FromIndex(index, Cat(x => x.NodeFeatures), Cat(x => x.EdgeFeatures), Cat(x => x.Positions), cell);
    }

    private static void Same(string op, int g, string what, Tensor? first, Tensor? other)
    {
        if ((first is null) != (other is null))
            throw new TensorException(op, $"graph {g} {(other is null ? "lacks" : "has")} {what} but graph 0 {(first is null ? "does not" : "does")}");
        if (first is not null && other is not null && first.Rank > 1 && other.Rank == first.Rank && what != "a cell" && !first.Shape[1..].SequenceEqual(other.Shape[1..]))
            throw new TensorException(op, $"graph {g} has {what} of shape {Tensor.ShapeString(other.Shape)}, graph 0 {Tensor.ShapeString(first.Shape)}");
    }
}
