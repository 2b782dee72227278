using SciKernels.Graphs;

namespace SciKernels.Generative.Crystals;

/// <summary>
/// A batch of G crystals with n_g atoms each, as one graph: atoms stacked in structure order, and every
/// ordered pair (i, j) of atoms of the same crystal an edge, self-pairs included (a one-atom cell still
/// sees its own periodic images through the lattice features).
/// </summary>
public sealed class CrystalGraph
{
    /// <summary>Builds the graph of crystals with the given atom counts.</summary>
    /// <param name="atomCounts">n_g ≥ 1 per crystal.</param>
    public CrystalGraph(IReadOnlyList<int> atomCounts)
    {
        ArgumentNullException.ThrowIfNull(atomCounts);
        if (atomCounts.Count == 0) throw new ArgumentException("CrystalGraph: no crystals", nameof(atomCounts));
        AtomCounts = atomCounts.ToArray();
        var offsets = new int[AtomCounts.Length + 1];
        long edgeCount = 0;
        for (int g = 0; g < AtomCounts.Length; g++)
        {
            if (AtomCounts[g] < 1) throw new ArgumentException($"CrystalGraph: crystal {g} has {AtomCounts[g]} atoms (need ≥ 1)", nameof(atomCounts));
            offsets[g + 1] = offsets[g] + AtomCounts[g];
            edgeCount += (long)AtomCounts[g] * AtomCounts[g];
        }
        if (edgeCount > int.MaxValue) throw new ArgumentException($"CrystalGraph: {edgeCount} edges are too many", nameof(atomCounts));
        Offsets = offsets;
        int nodes = offsets[^1];
        var senders = new long[edgeCount];
        var receivers = new long[edgeCount];
        var nodeGraph = new long[nodes];
        int e = 0;
        // Receiver-major order: already the CSR order of the index.
        for (int g = 0; g < AtomCounts.Length; g++)
            for (int i = offsets[g]; i < offsets[g + 1]; i++)
            {
                nodeGraph[i] = g;
                for (int j = offsets[g]; j < offsets[g + 1]; j++)
                {
                    receivers[e] = i;
                    senders[e] = j;
                    e++;
                }
            }
        Edges = MessagePassing.EdgeIndex.FromPairs(senders, receivers, nodes);
        // The crystal of each edge, in the index's own edge order.
        var r = Edges.Receivers.ToArray<long>();
        var edgeGraph = new long[r.Length];
        for (int k = 0; k < r.Length; k++) edgeGraph[k] = nodeGraph[r[k]];
        NodeGraph = Tensor.FromArray(nodeGraph, nodes);
        EdgeGraph = Tensor.FromArray(edgeGraph, edgeGraph.Length);
        TensorScope.Keep(NodeGraph);
        TensorScope.Keep(EdgeGraph);
    }

    /// <summary>n_g per crystal.</summary>
    public int[] AtomCounts { get; }

    /// <summary>First atom of each crystal (and the total at the end).</summary>
    public int[] Offsets { get; }

    /// <summary>Number of crystals G.</summary>
    public int Crystals => AtomCounts.Length;

    /// <summary>Total atoms N.</summary>
    public int Atoms => Offsets[^1];

    /// <summary>The fully connected edges within each crystal.</summary>
    public MessagePassing.EdgeIndex Edges { get; }

    /// <summary>Crystal of each atom, int64 [N].</summary>
    public Tensor NodeGraph { get; }

    /// <summary>Crystal of each edge in the index's edge order, int64 [E].</summary>
    public Tensor EdgeGraph { get; }

    /// <summary>The mean of node rows [N, F] over each crystal: [G, F].</summary>
    public Tensor MeanOverCrystals(Tensor nodeRows)
    {
        ArgumentNullException.ThrowIfNull(nodeRows);
        if (nodeRows.Rank != 2 || nodeRows.Shape[0] != Atoms)
            throw new TensorException("CrystalGraph.MeanOverCrystals", $"expected [{Atoms}, F] node rows, got {Tensor.ShapeString(nodeRows.Shape)}");
        var inv = new double[Crystals];
        for (int g = 0; g < inv.Length; g++) inv[g] = 1.0 / AtomCounts[g];
        var sum = Tensor.Zeros([Crystals, nodeRows.Shape[1]], nodeRows.DType, nodeRows.Device).IndexAdd(0, NodeGraph, nodeRows);
        return sum.Mul(Tensor.FromDoubles(inv, [Crystals, 1], nodeRows.DType));
    }
}
