using SciKernels.Graphs;
using SciKernels.Potentials;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Potentials.Nequip;

/// <summary>
/// The receiver-chunked convolution with radial weights recomputed in the backward
/// (<see cref="NequipModel.EdgeChunkSize"/>): the same energies, forces and second derivatives as the
/// unchunked model, and the chunks of an edge index partition it.
/// </summary>
public class NequipChunkingTests
{
    private const double Cutoff = 3.0;

    private static NequipModel Make(int chunk)
    {
        var o = new NequipOptions { Cutoff = Cutoff, Channels = 4, LMax = 2, Layers = 2, NumBasis = 4, RadialHidden = [8], AverageNeighbors = 4 };
        var model = new NequipModel([29, 79], o, new Generator(1), DType.Float64) { EdgeChunkSize = chunk };
        model.SetEnergyReference([-3.5, -2.25], 0.7);
        return model;
    }

    /// <summary>A rattled FCC crystal of 32 atoms (2×2×2 cubic cells, a = 3.61 Å), some of them Au.</summary>
    private static (double[] Positions, double[] Cell, long[] Species) Crystal(int seed)
    {
        var rng = new System.Random(seed);
        double[][] basis = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
        var p = new List<double>();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 2; k++)
                    foreach (var b in basis)
                        for (int a = 0; a < 3; a++) p.Add(3.61 * ((a == 0 ? i : a == 1 ? j : k) + b[a]) + 0.3 * (rng.NextDouble() - 0.5));
        var species = Enumerable.Range(0, 32).Select(_ => (long)(rng.NextDouble() < 0.3 ? 1 : 0)).ToArray();
        return (p.ToArray(), [7.22, 0, 0, 0, 7.22, 0, 0, 0, 7.22], species);
    }

    /// <summary>Energies, forces and the gradient of Σ F·v with respect to the parameters and the positions.</summary>
    private static (double[] E, double[] F, double[][] SecondOrder) Evaluate(NequipModel model, (double[] P, double[] Cell, long[] S) c, Tensor v, Graph topology)
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromDoubles(c.P, [32, 3], DType.Float64).RequiresGrad_();
        var cell = Tensor.FromDoubles(c.Cell, [3, 3], DType.Float64);
        var e = model.AtomicEnergies(topology.WithGeometry(x, cell), Tensor.FromArray(c.S, 32));
        var f = Autodiff.Grad([e.Sum()], [x], createGraph: true)[0].Neg();
        var inputs = model.Parameters().Append(x).ToArray();
        var second = Autodiff.Grad([f.Mul(v).Sum()], inputs);
        return (e.ToArray<double>(), f.ToArray<double>(), second.Select(g => g.ToArray<double>()).ToArray());
    }

    [Theory]
    [InlineData(1, 40)]
    [InlineData(2, 97)]
    [InlineData(3, 1)]
    public void ChunkedEqualsUnchunked(int seed, int chunk)
    {
        var c = Crystal(seed);
        using var topology = NeighborList.RadiusGraph(Tensor.FromDoubles(c.Positions, [32, 3], DType.Float64), Cutoff, Tensor.FromDoubles(c.Cell, [3, 3], DType.Float64));
        Assert.True(topology.NumEdges > 3 * chunk, $"{topology.NumEdges} edges: too few chunks for the test to mean anything");
        var v = Tensor.Randn([32, 3], new Generator((ulong)seed + 10), DType.Float64);
        var whole = Evaluate(Make(0), c, v, topology);
        var chunked = Evaluate(Make(chunk), c, v, topology);
        // each receiver's sum is the same kernel over the same edges: energies bit for bit
        Assert.Equal(whole.E, chunked.E);
        static void Close(double[] a, double[] b, string what)
        {
            double scale = a.Max(Math.Abs);
            Assert.True(scale > 1e-6, $"{what} vanish: the test would be vacuous");
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-12 * scale, $"{what}[{i}]: unchunked {a[i]} vs chunked {b[i]}");
        }
        Close(whole.F, chunked.F, "forces");
        var names = Make(0).NamedParameters().Select(n => n.Name).Append("positions").ToArray();
        for (int k = 0; k < names.Length; k++)
            if (whole.SecondOrder[k].Any(g => g != 0)) Close(whole.SecondOrder[k], chunked.SecondOrder[k], $"∂(F·v)/∂{names[k]}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 1000)]
    public void ReceiverChunksPartitionTheEdgesInOrder(int seed, int maxEdges)
    {
        var rng = new System.Random(seed);
        int n = 20, e = 150;
        var s = Enumerable.Range(0, e).Select(_ => (long)rng.Next(n)).ToArray();
        var r = Enumerable.Range(0, e).Select(_ => (long)rng.Next(n - 3)).ToArray(); // the last nodes receive nothing
        using var index = MessagePassing.EdgeIndex.FromPairs(s, r, n);
        var chunks = index.ReceiverChunks(maxEdges);
        Assert.Same(chunks, index.ReceiverChunks(maxEdges));
        var senders = index.Senders.ToArray<long>();
        var receivers = index.Receivers.ToArray<long>();
        int nextEdge = 0, nextNode = 0;
        foreach (var c in chunks)
        {
            Assert.Equal(nextEdge, c.FirstEdge);
            Assert.Equal(nextNode, c.FirstReceiver);
            Assert.True(c.EndReceiver > c.FirstReceiver);
            Assert.True(c.NumEdges <= maxEdges || c.EndReceiver - c.FirstReceiver == 1, $"chunk of {c.NumEdges} edges over {c.EndReceiver - c.FirstReceiver} receivers");
            Assert.Equal(n, c.NumNodes);
            Assert.Equal(senders[c.FirstEdge..(c.FirstEdge + c.NumEdges)], c.Senders.ToArray<long>());
            Assert.Equal(receivers[c.FirstEdge..(c.FirstEdge + c.NumEdges)], c.Receivers.ToArray<long>());
            Assert.All(c.Receivers.ToArray<long>(), x => Assert.InRange(x, c.FirstReceiver, c.EndReceiver - 1));
            // the sender grouping of the chunk lists its own edges
            Assert.Equal(Enumerable.Range(0, c.NumEdges).Select(k => (long)k), c.SenderPerm.ToArray<long>().Order());
            nextEdge += c.NumEdges;
            nextNode = c.EndReceiver;
        }
        Assert.Equal(e, nextEdge);
        Assert.Equal(n, nextNode);
    }
}
