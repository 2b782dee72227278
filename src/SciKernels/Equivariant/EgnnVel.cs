using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Equivariant;

/// <summary>
/// The EGNN model of the paper's N-body experiment (<c>EGNN_vel</c> in the reference's
/// n_body_system/model.py): a linear embedding of the node features followed by
/// <see cref="EgclVel"/> layers of equal width; returns the final coordinates.
/// </summary>
/// <remarks>
/// <para>As in the reference, every layer receives the same input velocities (they are not carried
/// from layer to layer) and the same edge attributes. The paper's setup: node feature ‖v_i‖,
/// edge attributes [q_i q_j, ‖x_i − x_j‖²], 4 layers, 64 hidden, SiLU, recurrent
/// (<see cref="EgclOptions.NBody"/>, the default here).</para>
/// <para>Parameters: <c>embedding.weight</c>, <c>embedding.bias</c>, <c>gcl_0.edge_mlp.0.weight</c>, … as in
/// the reference's state dict.</para>
/// </remarks>
public sealed class EgnnVel : Module
{
    private readonly Linear embedding;
    private readonly EgclVel[] layers;

    /// <summary>Creates the model, initializing every weight from <paramref name="generator"/>.</summary>
    /// <param name="nodeFeatures">Width of the input node features.</param>
    /// <param name="edgeFeatures">Width of the edge attributes (0 = none).</param>
    /// <param name="hiddenFeatures">Width of the embedding, messages and hidden layers (64 in the paper).</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="layerCount">Number of <see cref="EgclVel"/> layers (4 in the paper).</param>
    /// <param name="layerOptions">Settings of every layer; <see cref="EgclOptions.NBody"/> when null. Its
    /// <see cref="EgclOptions.EdgeAttributes"/> is set to <paramref name="edgeFeatures"/>.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device (CPU when null).</param>
    public EgnnVel(int nodeFeatures, int edgeFeatures, int hiddenFeatures, Generator generator, int layerCount = 4, EgclOptions? layerOptions = null, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nodeFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(edgeFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerCount);
        ArgumentNullException.ThrowIfNull(generator);
        LayerOptions = (layerOptions ?? EgclOptions.NBody) with { EdgeAttributes = edgeFeatures };
        NodeFeatures = nodeFeatures;
        HiddenFeatures = hiddenFeatures;
        embedding = RegisterModule("embedding", new Linear(nodeFeatures, hiddenFeatures, generator, true, dtype, device));
        layers = new EgclVel[layerCount];
        for (int i = 0; i < layerCount; i++)
            layers[i] = RegisterModule($"gcl_{i}", new EgclVel(hiddenFeatures, hiddenFeatures, hiddenFeatures, generator, LayerOptions, dtype, device));
    }

    /// <summary>Settings of every layer.</summary>
    public EgclOptions LayerOptions { get; }

    /// <summary>Width of the input node features.</summary>
    public int NodeFeatures { get; }

    /// <summary>Width of the hidden features.</summary>
    public int HiddenFeatures { get; }

    /// <summary>The message-passing layers, in order.</summary>
    public IReadOnlyList<EgclVel> Layers => layers;

    /// <summary>Predicts coordinates over a CSR edge index (the fast path).</summary>
    /// <param name="h">Node features [N, nodeFeatures].</param>
    /// <param name="x">Node coordinates [N, D].</param>
    /// <param name="edges">The edges; build once per topology and reuse (e.g. <c>NBodyBatch.Edges</c>).</param>
    /// <param name="velocities">Node velocities [N, D].</param>
    /// <param name="edgeAttributes">Edge attributes [E, edgeFeatures] in the index's receiver order (null when edgeFeatures = 0).</param>
    /// <param name="nodeAttributes">Node attributes [N, a] when the layer options ask for them.</param>
    /// <returns>The coordinates after the last layer, [N, D].</returns>
    public Tensor Forward(Tensor h, Tensor x, MessagePassing.EdgeIndex edges, Tensor velocities, Tensor? edgeAttributes = null, Tensor? nodeAttributes = null)
        => ForwardAll(h, x, edges, velocities, edgeAttributes, nodeAttributes).X;

    /// <summary>Like <see cref="Forward(Tensor, Tensor, MessagePassing.EdgeIndex, Tensor, Tensor?, Tensor?)"/>, also returning the last layer's features and velocities.</summary>
    /// <returns>Final features [N, hidden], coordinates [N, D] and the last layer's velocities [N, D].</returns>
    public (Tensor H, Tensor X, Tensor V) ForwardAll(Tensor h, Tensor x, MessagePassing.EdgeIndex edges, Tensor velocities, Tensor? edgeAttributes = null, Tensor? nodeAttributes = null)
    {
        CheckFeatures(h);
        var hh = embedding.Forward(h);
        Tensor xx = x, v = velocities;
        foreach (var layer in layers)
            (hh, xx, v) = layer.Forward(hh, xx, edges, velocities, edgeAttributes, nodeAttributes);
        return (hh, xx, v);
    }

    /// <summary>Predicts coordinates over edges given as pairs (any order): builds one edge index for all layers.</summary>
    /// <param name="h">Node features [N, nodeFeatures].</param>
    /// <param name="x">Node coordinates [N, D].</param>
    /// <param name="senders">Source node of each edge, int64 [E].</param>
    /// <param name="receivers">Target node of each edge, int64 [E].</param>
    /// <param name="velocities">Node velocities [N, D].</param>
    /// <param name="edgeAttributes">Edge attributes [E, edgeFeatures] in pair order (null when edgeFeatures = 0).</param>
    /// <param name="nodeAttributes">Node attributes [N, a] when the layer options ask for them.</param>
    /// <returns>The coordinates after the last layer, [N, D].</returns>
    public Tensor Forward(Tensor h, Tensor x, Tensor senders, Tensor receivers, Tensor velocities, Tensor? edgeAttributes = null, Tensor? nodeAttributes = null)
        => ForwardAll(h, x, senders, receivers, velocities, edgeAttributes, nodeAttributes).X;

    /// <summary>Like <see cref="Forward(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor?, Tensor?)"/>, also returning the last layer's features and velocities.</summary>
    /// <returns>Final features [N, hidden], coordinates [N, D] and the last layer's velocities [N, D].</returns>
    public (Tensor H, Tensor X, Tensor V) ForwardAll(Tensor h, Tensor x, Tensor senders, Tensor receivers, Tensor velocities, Tensor? edgeAttributes = null, Tensor? nodeAttributes = null)
    {
        CheckFeatures(h);
        ArgumentNullException.ThrowIfNull(senders);
        ArgumentNullException.ThrowIfNull(receivers);
        if (senders.DType != DType.Int64 || receivers.DType != DType.Int64 || senders.Rank != 1 || receivers.Rank != 1 || senders.Shape[0] != receivers.Shape[0])
            throw new TensorException(nameof(EgnnVel), $"senders and receivers must be int64 1-D of equal length, got {senders.DType.Name()} {Tensor.ShapeString(senders.Shape)} and {receivers.DType.Name()} {Tensor.ShapeString(receivers.Shape)}");
        if (edgeAttributes is not null && (edgeAttributes.Rank < 1 || edgeAttributes.Shape[0] != senders.Shape[0]))
            throw new TensorException(nameof(EgnnVel), $"edge attributes must have {senders.Shape[0]} rows (one per edge), got {Tensor.ShapeString(edgeAttributes.Shape)}");
        var edges = EgnnGraphOps.Index(senders, receivers, h.Shape[0]);
        return ForwardAll(h, x, edges, velocities, EgnnGraphOps.ToEdgeOrder(edgeAttributes, edges), nodeAttributes);
    }

    private void CheckFeatures(Tensor h)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (h.Rank != 2 || h.Shape[1] != NodeFeatures)
            throw new TensorException(nameof(EgnnVel), $"node features h must be [N, {NodeFeatures}], got {Tensor.ShapeString(h.Shape)}");
    }

    /// <summary>Not supported: the model needs features, coordinates, edges and velocities; use the overload that takes them.</summary>
    public override Tensor Forward(Tensor input)
        => throw new NotSupportedException("EgnnVel: call Forward(h, x, edges, velocities, …) — a graph model has no single-tensor form");

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"node_features={NodeFeatures}, hidden={HiddenFeatures}, layers={layers.Length}";
}
