using SciKernels.Graphs;
using Xunit;

namespace SciKernels.Tests.Graphs;

/// <summary>The graph layout: canonical edge order, CSR offsets, sender permutation, batches, validation.</summary>
public class GraphTests
{
    // A 4-node graph given in a scrambled order; edge k carries feature k.
    private static readonly long[] S = [3, 0, 2, 1, 0, 3, 2];
    private static readonly long[] R = [0, 1, 1, 2, 3, 2, 0];

    [Fact]
    public void EdgesAreSortedByReceiverThenSenderWithFeaturesFollowing()
    {
        using var scope = TensorScope.Begin();
        var ef = Tensor.Arange(7, DType.Float64).Reshape(7, 1);
        using var g = Graph.FromEdges(4, S, R, edgeFeatures: ef);
        Assert.Equal(new long[] { 0, 0, 1, 1, 2, 2, 3 }, g.Receivers.ToArray<long>());
        Assert.Equal(new long[] { 2, 3, 0, 2, 1, 3, 0 }, g.Senders.ToArray<long>());
        Assert.Equal(new double[] { 6, 0, 1, 2, 3, 5, 4 }, g.EdgeFeatures!.ToArray<double>());
        Assert.Equal(new long[] { 0, 2, 4, 6, 7 }, g.ReceiverOffsets.ToArray<long>());
        // Edges out of each sender, by edge id: 0 → {2, 6}, 1 → {4}, 2 → {0, 3}, 3 → {1, 5}.
        Assert.Equal(new long[] { 2, 6, 4, 0, 3, 1, 5 }, g.SenderPermutation.ToArray<long>());
        Assert.Equal(new long[] { 0, 2, 3, 5, 7 }, g.SenderOffsets.ToArray<long>());
        Assert.Equal(new long[] { 0, 0, 0, 0 }, g.NodeGraph.ToArray<long>());
        Assert.Equal(1, g.NumGraphs);
    }

    [Fact]
    public void GraphIsBuiltOnOneEdgeIndexInItsOwnEdgeOrder()
    {
        using var scope = TensorScope.Begin();
        var ef = Tensor.Arange(7, DType.Float64).Reshape(7, 1);
        using var g = Graph.FromEdges(4, S, R, edgeFeatures: ef);
        // one CSR type: the graph's offsets are its edge index's, and its edge order is the index's receiver order
        Assert.Equal(4, g.Edges.NumNodes);
        Assert.Equal(Enumerable.Range(0, 7).Select(k => (long)k), g.Edges.Order.ToArray<long>());
        Assert.Equal(g.ReceiverOffsets.ToArray<long>(), g.Edges.RowOffsets.ToArray<long>());
        Assert.Equal(g.SenderPermutation.ToArray<long>(), g.Edges.SenderPerm.ToArray<long>());
        // so the graph's edge features feed the message-passing primitives as they are
        var sum = MessagePassing.SegmentSum(g.EdgeFeatures!, g.Edges).ToArray<double>();
        Assert.Equal(new double[] { 6 + 0, 1 + 2, 3 + 5, 4 }, sum);
    }

    [Fact]
    public void OrderDoesNotDependOnInputOrder()
    {
        using var scope = TensorScope.Begin();
        var rng = new System.Random(3);
        var perm = Enumerable.Range(0, S.Length).OrderBy(_ => rng.Next()).ToArray();
        using var a = Graph.FromEdges(4, S, R);
        using var b = Graph.FromEdges(4, perm.Select(k => S[k]).ToArray(), perm.Select(k => R[k]).ToArray());
        Assert.Equal(a.Senders.ToArray<long>(), b.Senders.ToArray<long>());
        Assert.Equal(a.Receivers.ToArray<long>(), b.Receivers.ToArray<long>());
        Assert.Equal(a.SenderPermutation.ToArray<long>(), b.SenderPermutation.ToArray<long>());
    }

    [Fact]
    public void CollateOffsetsIndicesAndStacksCells()
    {
        using var scope = TensorScope.Begin();
        var c1 = new AtomsCase([0, 0, 0, 1, 0.2, 0], [3, 0, 0, 0, 3, 0, 0, 0, 3], [true, true, true], 2.5, "a");
        var c2 = new AtomsCase([0, 0, 0, 0.5, 0.5, 0.5, 1, 1, 1], [2.5, 0, 0, 0.3, 2.6, 0, 0, 0.2, 2.7], [true, false, true], 1.5, "b");
        var graphs = new[] { c1, c2 }.Select(c => NeighborList.RadiusGraph(
            Tensor.FromSpan<double>(c.Positions, [c.N, 3]), c.Cutoff, Tensor.FromSpan<double>(c.Cell, [3, 3]), c.Pbc,
            nodeFeatures: Tensor.Ones([c.N, 2], DType.Float64))).ToArray();
        using var batch = GraphBatch.Collate(graphs);
        Assert.Equal(5, batch.NumNodes);
        Assert.Equal(graphs[0].NumEdges + graphs[1].NumEdges, batch.NumEdges);
        Assert.Equal(2, batch.NumGraphs);
        Assert.Equal(new long[] { 0, 0, 1, 1, 1 }, batch.NodeGraph.ToArray<long>());
        Assert.Equal(new long[] { 0, 2, 5 }, batch.NodeOffsets.ToArray());
        Assert.Equal(new long[] { 0, graphs[0].NumEdges, batch.NumEdges }, batch.EdgeOffsets.ToArray());
        Assert.Equal(new[] { 2, 3, 3 }, batch.Cell!.Shape.ToArray());
        var second = batch.Senders.ToArray<long>().Skip(graphs[0].NumEdges);
        Assert.Equal(graphs[1].Senders.ToArray<long>().Select(s => s + 2), second);
        // Each edge uses its own graph's cell.
        var expected = graphs[0].EdgeVectors().ToArray<double>().Concat(graphs[1].EdgeVectors().ToArray<double>());
        Assert.Equal(expected, batch.EdgeVectors().ToArray<double>());
        foreach (var g in graphs) g.Dispose();
    }

    [Fact]
    public void CollatedEdgeVectorsAreDifferentiablePerGraph()
    {
        using var scope = TensorScope.Begin();
        var p1 = Tensor.FromArray(new double[] { 0, 0, 0, 1, 0.2, 0 }, 2, 3).RequiresGrad_();
        var m1 = Tensor.FromArray(new double[] { 3, 0, 0, 0, 3, 0, 0, 0, 3 }, 3, 3).RequiresGrad_();
        var p2 = Tensor.FromArray(new double[] { 0, 0, 0, 0.5, 0.5, 0.4 }, 2, 3).RequiresGrad_();
        var m2 = Tensor.FromArray(new double[] { 2, 0, 0, 0.3, 2.2, 0, 0, 0.2, 2.1 }, 3, 3).RequiresGrad_();
        using var g1 = NeighborList.RadiusGraph(p1, 3.5, m1);
        using var g2 = NeighborList.RadiusGraph(p2, 2.5, m2);
        using var batch = GraphBatch.Collate([g1, g2]);
        batch.EdgeVectors().Square().Sum().Backward();
        var gm2 = m2.Grad!.ToArray<double>();
        // Reference: the second graph alone.
        var q2 = p2.Detach().RequiresGrad_();
        var n2 = m2.Detach().RequiresGrad_();
        using var h2 = g2.WithGeometry(q2, n2);
        h2.EdgeVectors().Square().Sum().Backward();
        Assert.Equal(n2.Grad!.ToArray<double>(), gm2);
        Assert.Equal(q2.Grad!.ToArray<double>(), p2.Grad!.ToArray<double>());
    }

    [Fact]
    public void ValidationNamesTheOpAndShapes()
    {
        using var scope = TensorScope.Begin();
        var e = Assert.Throws<TensorException>(() => Graph.FromEdges(3, [0, 5], [1, 2]));
        Assert.Equal("Graph.FromEdges", e.Op);
        Assert.Contains("outside [0, 3)", e.Message);
        Assert.Contains("2 senders but 1 receivers", Assert.Throws<TensorException>(() => Graph.FromEdges(3, [0, 1], [1])).Message);
        Assert.Contains("[4, 2]", Assert.Throws<TensorException>(() => Graph.FromEdges(3, [0], [1], nodeFeatures: Tensor.Zeros([4, 2]))).Message);
        Assert.Contains("[2, 3]", Assert.Throws<TensorException>(() => Graph.FromEdges(3, [0], [1], edgeFeatures: Tensor.Zeros([2, 3]))).Message);
        Assert.Contains("shift", Assert.Throws<TensorException>(() => Graph.FromEdges(3, [0], [1], positions: Tensor.Zeros([3, 3]), cell: Tensor.Eye(3))).Message);
        Assert.Contains("[2, 2]", Assert.Throws<TensorException>(() => Graph.FromEdges(3, [0], [1], [0, 0, 0], positions: Tensor.Zeros([3, 3]), cell: Tensor.Eye(2))).Message);
        var a = Graph.FromEdges(2, [0], [1], nodeFeatures: Tensor.Zeros([2, 4]));
        var b = Graph.FromEdges(2, [0], [1]);
        Assert.Contains("graph 1 lacks node features", Assert.Throws<TensorException>(() => GraphBatch.Collate([a, b])).Message);
        Assert.Contains("no graphs", Assert.Throws<TensorException>(() => GraphBatch.Collate([])).Message);
    }

    [Fact]
    public void FullyConnectedBatchOfParticles()
    {
        using var scope = TensorScope.Begin();
        var graphs = Enumerable.Range(0, 3).Select(_ => Graph.FullyConnected(5, positions: Tensor.Zeros([5, 3], DType.Float64))).ToArray();
        using var batch = GraphBatch.Collate(graphs);
        Assert.Equal(15, batch.NumNodes);
        Assert.Equal(60, batch.NumEdges);
        Assert.Equal(Enumerable.Range(0, 16).Select(n => 4L * n), batch.ReceiverOffsets.ToArray<long>());
        Assert.Equal(new long[] { 1, 2, 3, 4, 0, 2 }, batch.Senders.ToArray<long>().Take(6));
        Assert.Equal(new long[] { 6, 7, 8, 9 }, batch.Senders.ToArray<long>().Skip(20).Take(4));
        foreach (var g in graphs) g.Dispose();
    }

    [Fact]
    public void EmptyGraphsCollate()
    {
        using var scope = TensorScope.Begin();
        using var a = Graph.FromEdges(0, [], []);
        using var b = Graph.FromEdges(2, [1], [0]);
        using var batch = GraphBatch.Collate([a, b, a]);
        Assert.Equal(3, batch.NumGraphs);
        Assert.Equal(new long[] { 0, 0, 2, 2 }, batch.NodeOffsets.ToArray());
        Assert.Equal(new long[] { 1, 1 }, batch.NodeGraph.ToArray<long>());
        Assert.Equal(new long[] { 0, 1, 1 }, batch.ReceiverOffsets.ToArray<long>());
    }
}
