namespace SciKernels.Graphs;

/// <summary>
/// Host copy of a graph's integer structure (already in canonical edge order), from which the
/// graph's <see cref="MessagePassing.EdgeIndex"/> and other index tensors are made. Kept on the host because collation and neighbour lists build it there.
/// </summary>
internal sealed class GraphIndex
{
    private long[]? edgeGraph;

    private GraphIndex(int numNodes, long[] senders, long[] receivers, long[]? shifts, long[] nodeOffsets, long[] edgeOffsets, long[] nodeGraph, Device device)
    {
        NumNodes = numNodes;
        Senders = senders;
        Receivers = receivers;
        Shifts = shifts;
        NodeOffsets = nodeOffsets;
        EdgeOffsets = edgeOffsets;
        NodeGraph = nodeGraph;
        Device = device;
    }

    public int NumNodes { get; }
    public int NumEdges => Senders.Length;
    public int NumGraphs => NodeOffsets.Length - 1;
    public long[] Senders { get; }
    public long[] Receivers { get; }
    public long[]? Shifts { get; }
    public long[] NodeOffsets { get; }
    public long[] EdgeOffsets { get; }
    public long[] NodeGraph { get; }
    public Device Device { get; }

    /// <summary>Graph of each edge (that of its receiver), made on first use.</summary>
    public long[] EdgeGraph()
    {
        if (edgeGraph is not null) return edgeGraph;
        var g = new long[NumEdges];
        for (int k = 0; k < g.Length; k++) g[k] = NodeGraph[Receivers[k]];
        return edgeGraph = g;
    }

    /// <summary>Wraps edges already in canonical order; the CSR offsets live in the graph's <see cref="MessagePassing.EdgeIndex"/>.</summary>
    public static GraphIndex Build(int numNodes, long[] senders, long[] receivers, long[]? shifts, long[] nodeOffsets, long[] edgeOffsets, long[] nodeGraph, Device device)
        => new(numNodes, senders, receivers, shifts, nodeOffsets, edgeOffsets, nodeGraph, device);

    /// <summary>
    /// The permutation that sorts edges by (receiver, sender, shift, original position), or null when
    /// they are already in that order (the common case: neighbour lists emit it).
    /// </summary>
    public static int[]? CanonicalOrder(ReadOnlySpan<long> senders, ReadOnlySpan<long> receivers, ReadOnlySpan<long> shifts)
    {
        int e = senders.Length;
        bool sorted = true;
        for (int k = 1; k < e && sorted; k++) sorted = Compare(senders, receivers, shifts, k - 1, k) <= 0;
        if (sorted) return null;
        var perm = new int[e];
        for (int k = 0; k < e; k++) perm[k] = k;
        var s = senders.ToArray();
        var r = receivers.ToArray();
        var sh = shifts.ToArray();
        Array.Sort(perm, (a, b) =>
        {
            int c = Compare(s, r, sh, a, b);
            return c != 0 ? c : a.CompareTo(b); // ties (duplicate edges) keep their input order
        });
        return perm;
    }

    private static int Compare(ReadOnlySpan<long> s, ReadOnlySpan<long> r, ReadOnlySpan<long> sh, int a, int b)
    {
        int c = r[a].CompareTo(r[b]);
        if (c != 0) return c;
        c = s[a].CompareTo(s[b]);
        if (c != 0 || sh.IsEmpty) return c;
        for (int d = 0; d < 3 && c == 0; d++) c = sh[3 * a + d].CompareTo(sh[3 * b + d]);
        return c;
    }
}
