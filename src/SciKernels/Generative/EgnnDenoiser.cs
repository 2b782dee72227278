using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Generative;

/// <summary>
/// The ε-prediction network of an E(3)-equivariant diffusion model (EDM's EGNN dynamics, Hoogeboom et
/// al. 2022): node features [one-hot atom type, t/T] are embedded, <see cref="Egcl"/> layers update them
/// and the positions over the fully connected graph of each structure (edge attribute: the squared
/// distance in the noisy input), and the prediction is the displacement x_L − z_t projected to zero
/// centre of mass.
/// </summary>
/// <remarks>
/// <para>Equivariance follows from the layers': rotating, reflecting or translating z_t rotates or reflects
/// the prediction (translations cancel in x_L − z_t), and permuting atoms permutes it. Atom types are a
/// conditioning channel: the model generates positions for a given composition (one type for LJ13).</para>
/// <para>Every structure of one call has the same number of atoms n; the input is [B, n, 3].</para>
/// </remarks>
public sealed class EgnnDenoiser : Module
{
    private readonly Linear embedding;
    private readonly Egcl[] layers;
    private readonly Dictionary<(int Graphs, int Atoms), MessagePassing.EdgeIndex> edges = new();

    /// <summary>Creates the network, initializing every weight from <paramref name="generator"/>.</summary>
    /// <param name="species">Number of atom types K (≥ 1).</param>
    /// <param name="hiddenFeatures">Width of the node features and messages.</param>
    /// <param name="layerCount">Number of <see cref="Egcl"/> layers.</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="dtype">Parameter dtype (the inputs must match it).</param>
    /// <param name="layerOptions">Settings of every layer (<see cref="DefaultLayerOptions"/> when null; see
    /// <see cref="EdmLayerOptions"/>); the edge attribute width must be 1 (the input's squared distances).</param>
    public EgnnDenoiser(int species, int hiddenFeatures, int layerCount, Generator generator, DType dtype = DType.Float32, EgclOptions? layerOptions = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(species);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerCount);
        ArgumentNullException.ThrowIfNull(generator);
        layerOptions ??= DefaultLayerOptions;
        if (layerOptions.EdgeAttributes != 1 || layerOptions.NodeAttributes != 0)
            throw new ArgumentException($"EgnnDenoiser: the layers take one edge attribute (the squared input distance) and no node attributes, got {layerOptions.EdgeAttributes} and {layerOptions.NodeAttributes}", nameof(layerOptions));
        Species = species;
        HiddenFeatures = hiddenFeatures;
        DType = dtype;
        LayerOptions = layerOptions;
        embedding = RegisterModule("embedding", new Linear(species + 1, hiddenFeatures, generator, true, dtype));
        layers = new Egcl[layerCount];
        for (int i = 0; i < layerCount; i++)
            layers[i] = RegisterModule($"gcl_{i}", new Egcl(hiddenFeatures, hiddenFeatures, hiddenFeatures, generator, LayerOptions, dtype));
    }

    /// <summary>
    /// The first settings: SiLU, residual, attention, and bounded, distance-normalised coordinate steps
    /// (tanh × 3, (x_i − x_j)/(‖x_i − x_j‖ + 1)) averaged over the neighbours.
    /// </summary>
    public static EgclOptions DefaultLayerOptions { get; } = new()
    {
        Activation = Activation.Silu,
        Recurrent = true,
        EdgeAttributes = 1,
        Attention = true,
        NormDiff = true,
        Tanh = true,
        CoordsRange = 3,
    };

    /// <summary>
    /// EDM's coordinate update (egnn_new.py): the per-edge terms tanh(φ_x)·(x_i − x_j)/(‖x_i − x_j‖ + 1)
    /// scaled by coords_range / L and summed over the neighbours, divided by <paramref name="normalizationFactor"/>.
    /// With a mean and range 3 a layer can move an atom by at most about one unit, which saturates
    /// the tanh where ε̂ must be unit-size noise (small t) or the whole noisy cloud (large t).
    /// </summary>
    /// <param name="layerCount">Number of layers L (the range is split between them, as EDM).</param>
    /// <param name="coordsRange">EDM's coords_range (15).</param>
    /// <param name="normalizationFactor">EDM's normalization_factor of the sum (1 for QM9).</param>
    public static EgclOptions EdmLayerOptions(int layerCount, double coordsRange = 15, double normalizationFactor = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerCount);
        if (!(coordsRange > 0) || !(normalizationFactor > 0))
            throw new ArgumentOutOfRangeException(nameof(coordsRange), $"EgnnDenoiser.EdmLayerOptions: coords range and normalization factor must be positive, got {coordsRange} and {normalizationFactor}");
        return DefaultLayerOptions with
        {
            CoordsAggregation = CoordinateAggregation.Sum,
            CoordsRange = coordsRange / layerCount,
            CoordsWeight = 1 / normalizationFactor,
        };
    }

    /// <summary>Number of atom types K.</summary>
    public int Species { get; }

    /// <summary>Dtype of the parameters and of the inputs.</summary>
    public DType DType { get; }

    /// <summary>Width of the hidden features.</summary>
    public int HiddenFeatures { get; }

    /// <summary>Number of message-passing layers.</summary>
    public int LayerCount => layers.Length;

    /// <summary>Settings of every layer.</summary>
    public EgclOptions LayerOptions { get; }

    /// <summary>Predicts the noise ε of noisy positions.</summary>
    /// <param name="z">Noisy positions [B, n, 3].</param>
    /// <param name="types">One-hot atom types [B, n, K] (float, same dtype as <paramref name="z"/>).</param>
    /// <param name="time">t/T per structure, [B].</param>
    /// <returns>ε̂ [B, n, 3], zero centre of mass per structure.</returns>
    public Tensor Forward(Tensor z, Tensor types, Tensor time)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(time);
        if (z.Rank != 3 || z.Shape[2] != 3 || z.Shape[1] < 2)
            throw new TensorException(nameof(EgnnDenoiser), $"positions must be [B, n ≥ 2, 3], got {Tensor.ShapeString(z.Shape)}");
        int b = z.Shape[0], n = z.Shape[1];
        if (types.Rank != 3 || types.Shape[0] != b || types.Shape[1] != n || types.Shape[2] != Species)
            throw new TensorException(nameof(EgnnDenoiser), $"types must be one-hot [{b}, {n}, {Species}], got {Tensor.ShapeString(types.Shape)}");
        if (time.Rank != 1 || time.Shape[0] != b)
            throw new TensorException(nameof(EgnnDenoiser), $"time must be [{b}] (t/T per structure), got {Tensor.ShapeString(time.Shape)}");
        var index = Edges(b, n);
        var x0 = z.Reshape(b * n, 3);
        var t = time.Reshape(b, 1, 1).Expand(b, n, 1);
        var h = embedding.Forward(Tensor.Concat([types, t], 2).Reshape(b * n, Species + 1));
        var rel = x0.IndexSelect(0, index.Receivers).Sub(x0.IndexSelect(0, index.Senders));
        var d2 = rel.Square().Sum(1, keepDim: true);
        var x = x0;
        foreach (var layer in layers) (h, x) = layer.Forward(h, x, index, d2);
        var eps = x.Sub(x0).Reshape(b, n, 3);
        return ZeroCentre.Project(eps);
    }

    /// <summary>Not supported: the denoiser needs positions, types and times.</summary>
    public override Tensor Forward(Tensor input)
        => throw new NotSupportedException("EgnnDenoiser: call Forward(z, types, time)");

    /// <summary>Fully connected directed edges within each of B structures of n atoms, built once per (B, n).</summary>
    private MessagePassing.EdgeIndex Edges(int graphs, int atoms)
    {
        if (edges.TryGetValue((graphs, atoms), out var cached)) return cached;
        int perGraph = atoms * (atoms - 1);
        var s = new long[graphs * perGraph];
        var r = new long[graphs * perGraph];
        int e = 0;
        for (int g = 0; g < graphs; g++)
            for (int i = 0; i < atoms; i++)
                for (int j = 0; j < atoms; j++)
                {
                    if (i == j) continue;
                    r[e] = g * atoms + i;
                    s[e] = g * atoms + j;
                    e++;
                }
        var index = MessagePassing.EdgeIndex.FromPairs(s, r, graphs * atoms);
        edges[(graphs, atoms)] = index;
        return index;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"species={Species}, hidden={HiddenFeatures}, layers={layers.Length}";
}
