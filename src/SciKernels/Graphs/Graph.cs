namespace SciKernels.Graphs;

/// <summary>
/// A directed graph — or a batch of many small graphs stored as one — with features and geometry,
/// over one CSR <see cref="MessagePassing.EdgeIndex"/> (<see cref="Edges"/>): edges sorted by receiver
/// with row offsets, plus the sender permutation for the backward pass.
/// </summary>
/// <remarks>
/// <para><b>Direction.</b> Messages flow from sender <c>j</c> to receiver <c>i</c> (the
/// torch-geometric / ASE convention): edge <c>e</c> carries a message from <see cref="Senders"/>[e]
/// to <see cref="Receivers"/>[e]. For a neighbour list, the receiver is ASE's first index <c>i</c>
/// and the sender its second index <c>j</c>, and the edge vector is
/// <c>D = pos[j] − pos[i] + S·cell</c> (<see cref="EdgeVectors"/>).</para>
/// <para><b>Order.</b> Edges are sorted by (receiver, sender, shift), so the order depends only on
/// the set of edges, not on the order they were given in; same input, same bits.</para>
/// <para><b>Batches.</b> <see cref="GraphBatch.Collate"/> concatenates graphs: node and edge indices
/// are offset, <see cref="NodeGraph"/> names each node's graph and the cell becomes [G, 3, 3]. A
/// single graph is a batch of one (<see cref="NumGraphs"/> = 1, <see cref="NodeGraph"/> all zero).</para>
/// <para><b>Ownership.</b> The graph owns its index tensors and disposes them; the feature,
/// position and cell tensors stay the caller's.</para>
/// </remarks>
public sealed class Graph : IDisposable
{
    private readonly GraphIndex index;
    private bool disposed;

    private Graph(GraphIndex index, Tensor? nodeFeatures, Tensor? edgeFeatures, Tensor? positions, Tensor? cell)
    {
        this.index = index;
        NodeFeatures = nodeFeatures;
        EdgeFeatures = edgeFeatures;
        Positions = positions;
        Cell = cell;
        var dev = index.Device;
        // Already in canonical order, so the index's receiver order is this order (Order = identity).
        Edges = MessagePassing.EdgeIndex.FromPairs(index.Senders, index.Receivers, index.NumNodes, dev);
        NodeGraph = Tensor.FromSpan<long>(index.NodeGraph, [index.NodeGraph.Length], dev);
        Shifts = index.Shifts is { } s ? Tensor.FromSpan<long>(s, [index.NumEdges, 3], dev) : null;
    }

    /// <summary>Number of nodes (over all graphs of a batch).</summary>
    public int NumNodes => index.NumNodes;

    /// <summary>Number of directed edges.</summary>
    public int NumEdges => index.NumEdges;

    /// <summary>Number of graphs in the batch (1 for a single graph).</summary>
    public int NumGraphs => index.NumGraphs;

    /// <summary>
    /// The edges as the CSR index the message-passing primitives take (<see cref="MessagePassing"/>):
    /// its receiver order is this graph's edge order, so <see cref="EdgeFeatures"/> and every per-edge
    /// tensor of this graph can be passed to them as they are. Owned by the graph.
    /// </summary>
    public MessagePassing.EdgeIndex Edges { get; }

    /// <summary>Sender (source, ASE's <c>j</c>) of each edge: [E] int64.</summary>
    public Tensor Senders => Edges.Senders;

    /// <summary>Receiver (target, ASE's <c>i</c>) of each edge, ascending: [E] int64.</summary>
    public Tensor Receivers => Edges.Receivers;

    /// <summary>CSR offsets over receivers: the edges into node n are <c>[off[n], off[n+1])</c>. [N+1] int64.</summary>
    public Tensor ReceiverOffsets => Edges.RowOffsets;

    /// <summary>Edge ids ordered by sender (ties by edge id): a segment sum over senders — the backward of a gather at senders — reads edges in this order. [E] int64.</summary>
    public Tensor SenderPermutation => Edges.SenderPerm;

    /// <summary>CSR offsets into <see cref="SenderPermutation"/>: the edges out of node n are <c>perm[off[n]..off[n+1]]</c>. [N+1] int64.</summary>
    public Tensor SenderOffsets => Edges.SenderOffsets;

    /// <summary>Graph index of each node, ascending: [N] int64.</summary>
    public Tensor NodeGraph { get; }

    /// <summary>Integer periodic-image shift of each edge, [E, 3] int64; null when the graph has no cell.</summary>
    public Tensor? Shifts { get; }

    /// <summary>Node features [N, F], or null.</summary>
    public Tensor? NodeFeatures { get; }

    /// <summary>Edge features [E, K] in edge order, or null.</summary>
    public Tensor? EdgeFeatures { get; }

    /// <summary>Node positions [N, 3] (or [N, d] without a cell), or null.</summary>
    public Tensor? Positions { get; }

    /// <summary>Periodic cell, rows are lattice vectors (ASE convention): [3, 3] for a single graph, [G, 3, 3] for a batch; null when not periodic.</summary>
    public Tensor? Cell { get; }

    /// <summary>First node of each graph and the total: [G+1] (host copy).</summary>
    public ReadOnlySpan<long> NodeOffsets => index.NodeOffsets;

    /// <summary>First edge of each graph and the total: [G+1] (host copy; edges are grouped by graph because they are sorted by receiver).</summary>
    public ReadOnlySpan<long> EdgeOffsets => index.EdgeOffsets;

    internal GraphIndex Index => index;

    /// <summary>
    /// Builds a graph from an edge list given as host arrays. Edges are put in canonical order
    /// (receiver, sender, shift); edge features are permuted to match.
    /// </summary>
    /// <param name="numNodes">Number of nodes N; every index must be in [0, N).</param>
    /// <param name="senders">Sender (source) of each edge.</param>
    /// <param name="receivers">Receiver (target) of each edge.</param>
    /// <param name="shifts">Integer image shift per edge, flattened [E·3]; empty when there is no cell.</param>
    /// <param name="nodeFeatures">Optional [N, F] node features.</param>
    /// <param name="edgeFeatures">Optional [E, K] edge features, in the order of the edges given.</param>
    /// <param name="positions">Optional [N, d] positions (d = 3 with a cell).</param>
    /// <param name="cell">Optional [3, 3] cell (rows = lattice vectors); requires shifts and positions.</param>
    /// <param name="device">Device of the index tensors (default: that of the first tensor given, else the CPU).</param>
    public static Graph FromEdges(int numNodes, ReadOnlySpan<long> senders, ReadOnlySpan<long> receivers, ReadOnlySpan<long> shifts = default,
        Tensor? nodeFeatures = null, Tensor? edgeFeatures = null, Tensor? positions = null, Tensor? cell = null, Device? device = null)
    {
        const string op = "Graph.FromEdges";
        if (numNodes < 0) throw new TensorException(op, $"numNodes must be non-negative, got {numNodes}");
        if (senders.Length != receivers.Length)
            throw new TensorException(op, $"{senders.Length} senders but {receivers.Length} receivers");
        int e = senders.Length;
        bool hasShifts = !shifts.IsEmpty || (cell is not null && e == 0);
        if (!shifts.IsEmpty && shifts.Length != 3L * e)
            throw new TensorException(op, $"shifts must hold 3 integers per edge ({3L * e}), got {shifts.Length}");
        if (cell is not null && shifts.IsEmpty && e > 0)
            throw new TensorException(op, "a cell needs the integer image shift of every edge");
        if (cell is null && !shifts.IsEmpty)
            throw new TensorException(op, "image shifts were given without a cell");
        for (int k = 0; k < e; k++)
        {
            if ((ulong)senders[k] >= (ulong)numNodes || (ulong)receivers[k] >= (ulong)numNodes)
                throw new TensorException(op, $"edge {k} ({senders[k]} → {receivers[k]}) has a node index outside [0, {numNodes})");
        }
        var dev = device ?? nodeFeatures?.Device ?? edgeFeatures?.Device ?? positions?.Device ?? cell?.Device ?? Device.Cpu;
        CheckFeatures(op, numNodes, e, nodeFeatures, edgeFeatures, positions, cell, graphs: 1);

        var perm = GraphIndex.CanonicalOrder(senders, receivers, shifts);
        var s = new long[e];
        var r = new long[e];
        long[]? sh = hasShifts ? new long[3L * e] : null;
        for (int k = 0; k < e; k++)
        {
            int p = perm is null ? k : perm[k];
            s[k] = senders[p];
            r[k] = receivers[p];
            if (sh is not null)
            {
                sh[3 * k] = shifts[3 * p];
                sh[3 * k + 1] = shifts[3 * p + 1];
                sh[3 * k + 2] = shifts[3 * p + 2];
            }
        }
        Tensor? ef = edgeFeatures;
        if (ef is not null && perm is not null)
        {
            var pt = Tensor.FromSpan<long>(Array.ConvertAll(perm, x => (long)x), [e], ef.Device);
            ef = ef.IndexSelect(0, pt);
        }
        var index = GraphIndex.Build(numNodes, s, r, sh, [0, numNodes], [0, e], new long[numNodes], dev);
        return new Graph(index, nodeFeatures, ef, positions, cell);
    }

    /// <summary>Builds a graph from [E] int64 sender and receiver tensors (and optional [E, 3] int64 shifts); see the host-array overload.</summary>
    /// <param name="numNodes">Number of nodes.</param>
    /// <param name="senders">[E] int64 senders.</param>
    /// <param name="receivers">[E] int64 receivers.</param>
    /// <param name="shifts">Optional [E, 3] int64 image shifts (required with a cell).</param>
    /// <param name="nodeFeatures">Optional [N, F] node features.</param>
    /// <param name="edgeFeatures">Optional [E, K] edge features.</param>
    /// <param name="positions">Optional [N, d] positions.</param>
    /// <param name="cell">Optional [3, 3] cell.</param>
    public static Graph FromEdges(int numNodes, Tensor senders, Tensor receivers, Tensor? shifts = null,
        Tensor? nodeFeatures = null, Tensor? edgeFeatures = null, Tensor? positions = null, Tensor? cell = null)
    {
        const string op = "Graph.FromEdges";
        ArgumentNullException.ThrowIfNull(senders);
        ArgumentNullException.ThrowIfNull(receivers);
        if (senders.DType != DType.Int64 || receivers.DType != DType.Int64 || senders.Rank != 1 || receivers.Rank != 1)
            throw new TensorException(op, $"senders and receivers must be 1-D int64, got {senders.DType.Name()}{Tensor.ShapeString(senders.Shape)} and {receivers.DType.Name()}{Tensor.ShapeString(receivers.Shape)}");
        if (shifts is not null && (shifts.DType != DType.Int64 || shifts.Rank != 2 || shifts.Size(1) != 3 || shifts.Size(0) != senders.Size(0)))
            throw new TensorException(op, $"shifts must be [E, 3] int64 with E = {senders.Size(0)}, got {shifts.DType.Name()}{Tensor.ShapeString(shifts.Shape)}");
        return FromEdges(numNodes, senders.ToArray<long>(), receivers.ToArray<long>(), shifts is null ? default : shifts.ToArray<long>(),
            nodeFeatures, edgeFeatures, positions, cell, senders.Device);
    }

    /// <summary>
    /// The complete directed graph on <paramref name="numNodes"/> nodes without self-loops (N·(N−1)
    /// edges), as EGNN uses for small particle systems; batch many with <see cref="GraphBatch.Collate"/>.
    /// </summary>
    /// <param name="numNodes">Number of nodes.</param>
    /// <param name="nodeFeatures">Optional [N, F] node features.</param>
    /// <param name="positions">Optional [N, d] positions.</param>
    /// <param name="device">Device of the index tensors (default: that of the tensors given, else the CPU).</param>
    public static Graph FullyConnected(int numNodes, Tensor? nodeFeatures = null, Tensor? positions = null, Device? device = null)
    {
        if (numNodes < 0) throw new TensorException("Graph.FullyConnected", $"numNodes must be non-negative, got {numNodes}");
        long e = (long)numNodes * Math.Max(0, numNodes - 1);
        if (e > Array.MaxLength) throw new TensorException("Graph.FullyConnected", $"{numNodes} nodes would need {e} edges");
        var s = new long[e];
        var r = new long[e];
        int k = 0;
        // Already canonical: receivers ascending, senders ascending within each.
        for (int i = 0; i < numNodes; i++)
            for (int j = 0; j < numNodes; j++)
            {
                if (i == j) continue;
                r[k] = i;
                s[k++] = j;
            }
        return FromEdges(numNodes, s, r, default, nodeFeatures, null, positions, null, device);
    }

    internal static Graph FromIndex(GraphIndex index, Tensor? nodeFeatures, Tensor? edgeFeatures, Tensor? positions, Tensor? cell)
    {
        CheckFeatures("Graph", index.NumNodes, index.NumEdges, nodeFeatures, edgeFeatures, positions, cell, index.NumGraphs);
        if (cell is not null && index.Shifts is null) throw new TensorException("Graph", "a cell needs the integer image shift of every edge");
        return new Graph(index, nodeFeatures, edgeFeatures, positions, cell);
    }

    /// <summary>The same structure with other node features (the index tensors are shared views).</summary>
    /// <param name="nodeFeatures">[N, F] node features, or null.</param>
    public Graph WithNodeFeatures(Tensor? nodeFeatures) => FromIndex(index, nodeFeatures, EdgeFeatures, Positions, Cell);

    /// <summary>The same structure with other edge features (in this graph's edge order).</summary>
    /// <param name="edgeFeatures">[E, K] edge features, or null.</param>
    public Graph WithEdgeFeatures(Tensor? edgeFeatures) => FromIndex(index, NodeFeatures, edgeFeatures, Positions, Cell);

    /// <summary>The same structure with other positions and cell — e.g. displaced copies for forces and stress.</summary>
    /// <param name="positions">[N, 3] positions.</param>
    /// <param name="cell">The cell, [3, 3] (or [G, 3, 3] for a batch), or null for an open system.</param>
    public Graph WithGeometry(Tensor? positions, Tensor? cell) => FromIndex(index, NodeFeatures, EdgeFeatures, positions, cell);

    /// <summary>
    /// Edge vectors <c>D = pos[sender] − pos[receiver] + shift·cell</c>, [E, 3], built from tensor
    /// ops so that gradients flow to <see cref="Positions"/> and <see cref="Cell"/> (forces and stress).
    /// </summary>
    public Tensor EdgeVectors()
    {
        ThrowIfDisposed();
        var pos = Positions ?? throw new TensorException("Graph.EdgeVectors", "the graph has no positions");
        var d = MessagePassing.GatherRows(pos, Edges, EdgeEnd.Sender).Sub(MessagePassing.GatherRows(pos, Edges, EdgeEnd.Receiver));
        if (Cell is null || Shifts is null) return d;
        var s = Shifts.To(pos.DType);
        if (Cell.Rank == 2) return d.Add(s.MatMul(Cell));
        // A batch: each edge uses its own graph's cell; [E,1,3] @ [E,3,3].
        var edgeGraph = Tensor.FromSpan<long>(index.EdgeGraph(), [NumEdges], Cell.Device);
        var perEdge = s.Unsqueeze(1).MatMul(Cell.IndexSelect(0, edgeGraph)).Reshape(NumEdges, 3);
        return d.Add(perEdge);
    }

    /// <summary>Edge lengths |D|, [E] (differentiable; not at coincident nodes).</summary>
    public Tensor EdgeLengths() => EdgeVectors().Square().Sum(1).Sqrt();

    /// <summary>
    /// Disposes the index tensors this graph owns (not the features, positions or cell). Backward
    /// passes through results of this graph read those tensors: dispose after them.
    /// </summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Edges.Dispose();
        NodeGraph.Dispose();
        Shifts?.Dispose();
    }

    private void ThrowIfDisposed()
    {
        if (disposed) throw new ObjectDisposedException(nameof(Graph), $"a graph of {NumNodes} nodes and {NumEdges} edges was used after Dispose");
    }

    internal static void CheckFeatures(string op, int n, int e, Tensor? nodeFeatures, Tensor? edgeFeatures, Tensor? positions, Tensor? cell, int graphs)
    {
        if (nodeFeatures is not null && (nodeFeatures.Rank < 1 || nodeFeatures.Size(0) != n))
            throw new TensorException(op, $"node features {Tensor.ShapeString(nodeFeatures.Shape)} must have {n} rows (one per node)");
        if (edgeFeatures is not null && (edgeFeatures.Rank < 1 || edgeFeatures.Size(0) != e))
            throw new TensorException(op, $"edge features {Tensor.ShapeString(edgeFeatures.Shape)} must have {e} rows (one per edge)");
        if (positions is not null)
        {
            if (positions.Rank != 2 || positions.Size(0) != n || !positions.DType.IsFloatingPoint())
                throw new TensorException(op, $"positions must be a floating [{n}, d] tensor, got {positions.DType.Name()}{Tensor.ShapeString(positions.Shape)}");
        }
        if (cell is not null)
        {
            bool single = cell.Rank == 2 && graphs == 1 && cell.Size(0) == 3 && cell.Size(1) == 3;
            bool batch = cell.Rank == 3 && cell.Size(0) == graphs && cell.Size(1) == 3 && cell.Size(2) == 3;
            if (!single && !batch)
                throw new TensorException(op, $"cell must be [3, 3] for one graph or [{graphs}, 3, 3] for a batch of {graphs}, got {Tensor.ShapeString(cell.Shape)}");
            if (positions is null || positions.Size(1) != 3)
                throw new TensorException(op, $"a cell needs [{n}, 3] positions, got {(positions is null ? "none" : Tensor.ShapeString(positions.Shape))}");
            if (cell.DType != positions.DType)
                throw new TensorException(op, $"cell is {cell.DType.Name()} but positions are {positions.DType.Name()}");
        }
    }
}
