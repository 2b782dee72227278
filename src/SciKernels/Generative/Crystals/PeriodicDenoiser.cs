using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Generative.Crystals;

/// <summary>
/// The denoiser of <see cref="CrystalDiffusion"/> (DiffCSP's CSPNet pattern, written here): node features
/// [one-hot type, time features] are embedded and updated by message-passing layers over the fully
/// connected graph of each crystal, with edge features that are periodic Fourier features of the
/// fractional differences f_j − f_i and the six inner products of the lattice vectors (L Lᵀ). Outputs: a
/// (normalised) score for every fractional coordinate and ε̂ for the lattice.
/// </summary>
/// <remarks>
/// <para>Symmetries, by construction (and tested): the fractional differences are unchanged by translating
/// all fractional coordinates and, through sin/cos(2πm·), by wrapping; L Lᵀ is unchanged by rotating or
/// reflecting the Cartesian frame (rows L → L Qᵀ), so the fractional score is O(3)-invariant and the lattice
/// output ε̂_L = Φ(mean_i h_i) L rotates with the frame (ε̂_L → ε̂_L Qᵀ), as the lattice noise does; atom
/// permutations permute the fractional output and leave ε̂_L unchanged.</para>
/// <para>Not invariant to a change of lattice basis (another choice of the three lattice vectors for the
/// same crystal): as DiffCSP, the model learns on the cells it is given.</para>
/// <para>Lattices are given as rows (lattice vector k in row k), scaled to O(1) by the caller.</para>
/// </remarks>
public sealed class PeriodicDenoiser : Module
{
    /// <summary>Indices of L00, L11, L22, L01, L02, L12 in a flattened symmetric 3×3 matrix.</summary>
    private static readonly long[] GramEntries = [0, 4, 8, 1, 2, 5];

    private readonly Linear embedding;
    private readonly Linear[] edgeIn, edgeOut, nodeIn, nodeOut;
    private readonly Linear coordHead, latticeHead;

    /// <summary>Creates the network, initialising every weight from <paramref name="generator"/>.</summary>
    /// <param name="species">Number of atom types K ≥ 1.</param>
    /// <param name="hiddenFeatures">Width H of node features and messages.</param>
    /// <param name="layerCount">Message-passing layers.</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="frequencies">Fourier frequencies m = 1…M of the fractional differences.</param>
    /// <param name="timeFrequencies">Sinusoidal features of t/T at frequencies 2^k, k = 0…F−1.</param>
    /// <param name="dtype">Parameter dtype (inputs must match).</param>
    public PeriodicDenoiser(int species, int hiddenFeatures, int layerCount, Generator generator, int frequencies = 8, int timeFrequencies = 8, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(species);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frequencies);
        ArgumentOutOfRangeException.ThrowIfNegative(timeFrequencies);
        ArgumentNullException.ThrowIfNull(generator);
        Species = species;
        HiddenFeatures = hiddenFeatures;
        LayerCount = layerCount;
        Frequencies = frequencies;
        TimeFrequencies = timeFrequencies;
        DType = dtype;
        int h = hiddenFeatures, edgeFeatures = 6 * frequencies + GramEntries.Length;
        embedding = RegisterModule("embedding", new Linear(species + 1 + 2 * timeFrequencies, h, generator, true, dtype));
        edgeIn = new Linear[layerCount];
        edgeOut = new Linear[layerCount];
        nodeIn = new Linear[layerCount];
        nodeOut = new Linear[layerCount];
        for (int l = 0; l < layerCount; l++)
        {
            edgeIn[l] = RegisterModule($"layer{l}_edge_in", new Linear(2 * h + edgeFeatures, h, generator, true, dtype));
            edgeOut[l] = RegisterModule($"layer{l}_edge_out", new Linear(h, h, generator, true, dtype));
            nodeIn[l] = RegisterModule($"layer{l}_node_in", new Linear(2 * h, h, generator, true, dtype));
            nodeOut[l] = RegisterModule($"layer{l}_node_out", new Linear(h, h, generator, true, dtype));
        }
        coordHead = RegisterModule("coord_head", new Linear(h, 3, generator, false, dtype));
        latticeHead = RegisterModule("lattice_head", new Linear(h, 9, generator, false, dtype));
    }

    /// <summary>Number of atom types K.</summary>
    public int Species { get; }

    /// <summary>Width of the hidden features.</summary>
    public int HiddenFeatures { get; }

    /// <summary>Number of message-passing layers.</summary>
    public int LayerCount { get; }

    /// <summary>Fourier frequencies M of the fractional differences.</summary>
    public int Frequencies { get; }

    /// <summary>Sinusoidal time frequencies F.</summary>
    public int TimeFrequencies { get; }

    /// <summary>Dtype of the parameters and of the inputs.</summary>
    public DType DType { get; }

    /// <summary>Predicts the normalised fractional score and the lattice noise.</summary>
    /// <param name="fractional">Noisy fractional coordinates [N, 3] (any real values; only differences mod 1 matter).</param>
    /// <param name="types">One-hot types [N, K].</param>
    /// <param name="lattice">Noisy (scaled) lattices as rows, [G, 3, 3].</param>
    /// <param name="time">t/T per crystal, [G].</param>
    /// <param name="graph">The crystals' graph (N atoms, G crystals).</param>
    /// <returns>The score output [N, 3] and ε̂ of the lattice [G, 3, 3].</returns>
    public (Tensor Score, Tensor Lattice) Forward(Tensor fractional, Tensor types, Tensor lattice, Tensor time, CrystalGraph graph)
    {
        ArgumentNullException.ThrowIfNull(fractional);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(lattice);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(graph);
        const string op = nameof(PeriodicDenoiser);
        int n = graph.Atoms, g = graph.Crystals;
        if (fractional.Rank != 2 || fractional.Shape[0] != n || fractional.Shape[1] != 3)
            throw new TensorException(op, $"fractional coordinates must be [{n}, 3] for the graph's {n} atoms, got {Tensor.ShapeString(fractional.Shape)}");
        if (types.Rank != 2 || types.Shape[0] != n || types.Shape[1] != Species)
            throw new TensorException(op, $"types must be one-hot [{n}, {Species}], got {Tensor.ShapeString(types.Shape)}");
        if (lattice.Rank != 3 || lattice.Shape[0] != g || lattice.Shape[1] != 3 || lattice.Shape[2] != 3)
            throw new TensorException(op, $"lattices must be [{g}, 3, 3] (rows = lattice vectors), got {Tensor.ShapeString(lattice.Shape)}");
        if (time.Rank != 1 || time.Shape[0] != g)
            throw new TensorException(op, $"time must be [{g}] (t/T per crystal), got {Tensor.ShapeString(time.Shape)}");

        var h = embedding.Forward(Tensor.Concat([types, TimeFeatures(time).IndexSelect(0, graph.NodeGraph)], 1));
        var edgeFeatures = EdgeFeatures(fractional, lattice, graph);
        for (int l = 0; l < LayerCount; l++)
        {
            var w = edgeIn[l].Weight;
            int f = HiddenFeatures;
            var m = MessagePassing.EdgeLinear(h, edgeFeatures, graph.Edges, w.Narrow(1, 0, f).T, w.Narrow(1, f, f).T,
                w.Narrow(1, 2 * f, w.Shape[1] - 2 * f).T, edgeIn[l].Bias).Silu();
            m = edgeOut[l].Forward(m).Silu();
            var agg = MessagePassing.SegmentMean(m, graph.Edges);
            h = h.Add(nodeOut[l].Forward(nodeIn[l].Forward(Tensor.Concat([h, agg], 1)).Silu()));
        }
        var score = coordHead.Forward(h);
        var phi = latticeHead.Forward(graph.MeanOverCrystals(h)).Reshape(g, 3, 3);
        return (score, phi.MatMul(lattice));
    }

    /// <summary>Not supported: the denoiser needs coordinates, types, lattices, times and the graph.</summary>
    public override Tensor Forward(Tensor input)
        => throw new NotSupportedException("PeriodicDenoiser: call Forward(fractional, types, lattice, time, graph)");

    /// <summary>[t, sin(2^k t), cos(2^k t)] per crystal: [G, 1 + 2F].</summary>
    private Tensor TimeFeatures(Tensor time)
    {
        var t = time.Reshape(time.Shape[0], 1);
        if (TimeFrequencies == 0) return t;
        var w = new double[TimeFrequencies];
        for (int k = 0; k < w.Length; k++) w[k] = Math.Pow(2, k);
        var arg = t.Mul(Tensor.FromDoubles(w, [1, w.Length], time.DType));
        return Tensor.Concat([t, arg.Sin(), arg.Cos()], 1);
    }

    /// <summary>[sin(2πm Δ), cos(2πm Δ)] of Δ = f_j − f_i per axis and m = 1…M, then the lattice inner products: [E, 6M + 6].</summary>
    private Tensor EdgeFeatures(Tensor fractional, Tensor lattice, CrystalGraph graph)
    {
        int e = graph.Edges.NumEdges, m = Frequencies;
        var delta = MessagePassing.GatherRows(fractional, graph.Edges, EdgeEnd.Sender).Sub(MessagePassing.GatherRows(fractional, graph.Edges, EdgeEnd.Receiver));
        var freq = new double[m];
        for (int k = 0; k < m; k++) freq[k] = 2 * Math.PI * (k + 1);
        var arg = delta.Reshape(e, 3, 1).Mul(Tensor.FromDoubles(freq, [1, 1, m], fractional.DType));
        var fourier = Tensor.Concat([arg.Sin(), arg.Cos()], 2).Reshape(e, 6 * m);
        var gram = lattice.MatMul(lattice.Transpose(1, 2)).Reshape(graph.Crystals, 9)
            .IndexSelect(1, Tensor.FromArray(GramEntries, GramEntries.Length)).IndexSelect(0, graph.EdgeGraph);
        return Tensor.Concat([fourier, gram], 1);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"species={Species}, hidden={HiddenFeatures}, layers={LayerCount}, frequencies={Frequencies}";
}
