using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Equivariant;

/// <summary>
/// The E(n)-equivariant graph convolution layer of Satorras, Hoogeboom and Welling (2021), "E(n)
/// Equivariant Graph Neural Networks" (<c>E_GCL</c> in the reference implementation):
/// <code>
/// m_ij = φ_e(h_i, h_j, ‖x_i − x_j‖², a_ij)                    (× σ(w·m_ij + b) with attention)
/// x_i ← x_i + C · mean_j clamp((x_i − x_j) · φ_x(m_ij), ±100)  (over the edges j → i)
/// h_i ← h_i + φ_h(h_i, Σ_j m_ij, node attributes)              (without "+ h_i" when not recurrent)
/// </code>
/// h is invariant and x equivariant under rotations, reflections and translations of x, and both
/// are equivariant under permutations of the nodes.
/// </summary>
/// <remarks>
/// <para>Edges are directed: edge e carries a message from sender j to receiver i (the reference's
/// <c>col</c> and <c>row</c>). They come either as a CSR <see cref="MessagePassing.EdgeIndex"/> (the fast
/// path: per-edge tensors in its receiver order) or as two int64 tensors of senders and receivers in
/// any order (converted to an index on each call). A node with no incoming edge keeps its coordinates.</para>
/// <para>Submodules and parameters are named as in the reference (<c>edge_mlp.0.weight</c>,
/// <c>node_mlp.2.bias</c>, <c>coord_mlp.2.weight</c>, <c>att_mlp.0.weight</c>), so a PyTorch state dict
/// maps one to one. Linear layers start from PyTorch's default initialization, except the last layer
/// of φ_x: no bias, Xavier-uniform with gain 0.001, so that coordinates move little at first.</para>
/// </remarks>
public class Egcl : Module
{
    private readonly Sequential edgeMlp;
    private readonly Sequential nodeMlp;
    private readonly Sequential coordMlp;
    private readonly Sequential? attMlp;

    /// <summary>Creates the layer, initializing every weight from <paramref name="generator"/>.</summary>
    /// <param name="inputFeatures">Width F of the node features h.</param>
    /// <param name="outputFeatures">Width of the updated node features (equal to F when recurrent).</param>
    /// <param name="hiddenFeatures">Width of the messages and hidden layers.</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="options">Layer settings (the reference's defaults when null).</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device (CPU when null).</param>
    public Egcl(int inputFeatures, int outputFeatures, int hiddenFeatures, Generator generator, EgclOptions? options = null, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenFeatures);
        ArgumentNullException.ThrowIfNull(generator);
        Options = options ?? new EgclOptions();
        Options.Validate(GetType().Name);
        if (Options.Recurrent && inputFeatures != outputFeatures)
            throw new ArgumentException($"{GetType().Name}: a recurrent (residual) layer needs equal input and output widths, got {inputFeatures} and {outputFeatures}", nameof(outputFeatures));
        InputFeatures = inputFeatures;
        OutputFeatures = outputFeatures;
        HiddenFeatures = hiddenFeatures;
        var act = Options.Activation;
        int edgeIn = 2 * inputFeatures + 1 + Options.EdgeAttributes;

        edgeMlp = RegisterModule("edge_mlp", new Sequential(
            new Linear(edgeIn, hiddenFeatures, generator, true, dtype, device), Activations.Create(act),
            new Linear(hiddenFeatures, hiddenFeatures, generator, true, dtype, device), Activations.Create(act)));
        nodeMlp = RegisterModule("node_mlp", new Sequential(
            new Linear(hiddenFeatures + inputFeatures + Options.NodeAttributes, hiddenFeatures, generator, true, dtype, device), Activations.Create(act),
            new Linear(hiddenFeatures, outputFeatures, generator, true, dtype, device)));

        var last = new Linear(hiddenFeatures, 1, generator, bias: false, dtype, device);
        Init.XavierUniform(last.Weight, generator, gain: 0.001);
        coordMlp = new Sequential(new Linear(hiddenFeatures, hiddenFeatures, generator, true, dtype, device), Activations.Create(act), last);
        if (Options.Tanh) coordMlp.Add(new Tanh());
        RegisterModule("coord_mlp", coordMlp);

        if (Options.Attention)
            attMlp = RegisterModule("att_mlp", new Sequential(new Linear(hiddenFeatures, 1, generator, true, dtype, device), new Sigmoid()));
    }

    /// <summary>The settings the layer was built with.</summary>
    public EgclOptions Options { get; }

    /// <summary>Width of the input node features.</summary>
    public int InputFeatures { get; }

    /// <summary>Width of the output node features.</summary>
    public int OutputFeatures { get; }

    /// <summary>Width of the messages.</summary>
    public int HiddenFeatures { get; }

    /// <summary>
    /// One message-passing step over a CSR edge index — the fast path: the fused gathers, segment
    /// sums and edge-linear layer of <see cref="MessagePassing"/> run directly on it.
    /// </summary>
    /// <param name="h">Node features [N, F].</param>
    /// <param name="x">Node coordinates [N, D] (any D).</param>
    /// <param name="edges">The edges (N = <paramref name="h"/>'s rows); build once and reuse while the graph is unchanged.</param>
    /// <param name="edgeAttributes">Edge attributes a_ij [E, k] in the index's receiver order; required exactly when the layer was built with k &gt; 0.</param>
    /// <param name="nodeAttributes">Node attributes [N, a]; required exactly when the layer was built with a &gt; 0.</param>
    /// <returns>The updated features [N, F_out] and coordinates [N, D].</returns>
    public (Tensor H, Tensor X) Forward(Tensor h, Tensor x, MessagePassing.EdgeIndex edges, Tensor? edgeAttributes = null, Tensor? nodeAttributes = null)
    {
        CheckGraph(h, x, edges, edgeAttributes, nodeAttributes);
        var (diff, radial) = CoordinateDifferences(x, edges);
        var m = EdgeModel(h, edges, radial, edgeAttributes);
        var xNew = x.Add(CoordinateUpdate(diff, m, edges));
        var hNew = NodeModel(h, m, edges, nodeAttributes);
        return (hNew, xNew);
    }

    /// <summary>
    /// One message-passing step over edges given as pairs (any order). Builds the CSR index and
    /// reorders the edge attributes to it, then runs the <see cref="MessagePassing.EdgeIndex"/> overload;
    /// the results equal it up to the order of floating-point sums.
    /// </summary>
    /// <param name="h">Node features [N, F].</param>
    /// <param name="x">Node coordinates [N, D] (any D).</param>
    /// <param name="senders">Source node j of each edge, int64 [E].</param>
    /// <param name="receivers">Target node i of each edge, int64 [E].</param>
    /// <param name="edgeAttributes">Edge attributes a_ij [E, k] in pair order; required exactly when the layer was built with k &gt; 0.</param>
    /// <param name="nodeAttributes">Node attributes [N, a]; required exactly when the layer was built with a &gt; 0.</param>
    /// <returns>The updated features [N, F_out] and coordinates [N, D].</returns>
    public (Tensor H, Tensor X) Forward(Tensor h, Tensor x, Tensor senders, Tensor receivers, Tensor? edgeAttributes = null, Tensor? nodeAttributes = null)
    {
        CheckGraph(h, x, senders, receivers, edgeAttributes, nodeAttributes);
        var edges = EgnnGraphOps.Index(senders, receivers, h.Shape[0]);
        return Forward(h, x, edges, EgnnGraphOps.ToEdgeOrder(edgeAttributes, edges), nodeAttributes);
    }

    /// <summary>Not supported: an EGNN layer needs features, coordinates and edges; use the overload that takes them.</summary>
    public override Tensor Forward(Tensor input)
        => throw new NotSupportedException($"{GetType().Name}: call Forward(h, x, edges, …) — a graph layer has no single-tensor form");

    /// <summary>x_i − x_j per edge (divided by ‖x_i − x_j‖ + 1 when <see cref="EgclOptions.NormDiff"/>) and ‖x_i − x_j‖² as [E, 1].</summary>
    private protected (Tensor Diff, Tensor Radial) CoordinateDifferences(Tensor x, MessagePassing.EdgeIndex edges)
    {
        var (diff, radial) = EgnnCoordinateOps.Differences(x, edges);
        // The squared distance (not the normalized one) feeds φ_e, as in the reference.
        if (Options.NormDiff) diff = diff.Div(radial.Sqrt().Add(1));
        return (diff, radial);
    }

    /// <summary>
    /// m_ij = φ_e([h_i, h_j, ‖x_i − x_j‖², a_ij]), gated by the attention MLP when enabled. The first
    /// linear layer runs as <see cref="MessagePassing.EdgeLinear"/> over column blocks of its one
    /// weight [hidden, 2F + 1 + k], so the [E, 2F + 1 + k] concatenation is never formed and the
    /// h-products run over nodes, not edges; gradients reach the weight through the views.
    /// </summary>
    private protected Tensor EdgeModel(Tensor h, MessagePassing.EdgeIndex edges, Tensor radial, Tensor? edgeAttributes)
    {
        var first = (Linear)edgeMlp[0];
        var w = first.Weight;
        int f = InputFeatures;
        var wa = w.Narrow(1, 0, f).T;
        var wb = w.Narrow(1, f, f).T;
        var wc = w.Narrow(1, 2 * f, w.Shape[1] - 2 * f).T;
        var e = edgeAttributes is null ? radial : Tensor.Concat([radial, edgeAttributes], 1);
        Tensor m;
        if (edgeMlp[1] is Silu)
            m = RunMlp(edgeMlp, EdgeLinearSilu.Apply(h, e, edges, wa, wb, wc, first.Bias), start: 2);
        else
            m = RunMlp(edgeMlp, MessagePassing.EdgeLinear(h, e, edges, wa, wb, wc, first.Bias), start: 1);
        if (attMlp is not null) m = m.Mul(attMlp.Forward(m));
        return m;
    }

    /// <summary>C · mean (or sum) over incoming edges of clamp((x_i − x_j)·φ_x(m_ij)): the equivariant displacement [N, D].</summary>
    private protected Tensor CoordinateUpdate(Tensor diff, Tensor m, MessagePassing.EdgeIndex edges)
    {
        var weight = RunMlp(coordMlp, m);
        if (Options.Tanh && Options.CoordsRange != 1) weight = weight.Mul(Options.CoordsRange);
        // The reference clamps each edge's term so one exploding pair cannot wreck training.
        var agg = Options.CoordsAggregation == CoordinateAggregation.Sum
            ? EgnnCoordinateOps.ClampedSum(diff, weight, edges, Options.CoordClamp)
            : EgnnCoordinateOps.ClampedMean(diff, weight, edges, Options.CoordClamp);
        return Options.CoordsWeight == 1 ? agg : agg.Mul(Options.CoordsWeight);
    }

    /// <summary>φ_h([h_i, Σ_j m_ij, node attributes]), plus h_i when recurrent.</summary>
    private protected Tensor NodeModel(Tensor h, Tensor m, MessagePassing.EdgeIndex edges, Tensor? nodeAttributes)
    {
        var agg = MessagePassing.SegmentSum(m, edges);
        var input = nodeAttributes is null ? Tensor.Concat([h, agg], 1) : Tensor.Concat([h, agg, nodeAttributes], 1);
        var outH = RunMlp(nodeMlp, input);
        return Options.Recurrent ? h.Add(outH) : outH;
    }

    /// <summary>
    /// The modules of <paramref name="mlp"/> from <paramref name="start"/> on, with each Linear (and
    /// Linear + SiLU pair) run as one GEMM with the bias and SiLU in its epilogue (<see cref="FusedLinear"/>).
    /// </summary>
    private protected static Tensor RunMlp(Sequential mlp, Tensor x, int start = 0)
    {
        for (int i = start; i < mlp.Count; i++)
        {
            if (mlp[i] is Linear linear)
            {
                bool silu = i + 1 < mlp.Count && mlp[i + 1] is Silu;
                x = FusedLinear.Apply(x, linear.Weight, linear.Bias, silu);
                if (silu) i++;
            }
            else x = mlp[i].Forward(x);
        }
        return x;
    }

    /// <summary>Checks shapes of a call over an edge index, naming the argument at fault.</summary>
    private protected void CheckGraph(Tensor h, Tensor x, MessagePassing.EdgeIndex edges, Tensor? edgeAttributes, Tensor? nodeAttributes)
    {
        ArgumentNullException.ThrowIfNull(edges);
        CheckNodes(h, x, nodeAttributes);
        if (edges.NumNodes != h.Shape[0])
            throw new TensorException(GetType().Name, $"the edge index has {edges.NumNodes} nodes but h has {h.Shape[0]} rows");
        CheckEdgeAttributes(edges.NumEdges, edgeAttributes);
    }

    /// <summary>Checks shapes and dtypes of one call, naming the argument at fault.</summary>
    private protected void CheckGraph(Tensor h, Tensor x, Tensor senders, Tensor receivers, Tensor? edgeAttributes, Tensor? nodeAttributes)
    {
        ArgumentNullException.ThrowIfNull(senders);
        ArgumentNullException.ThrowIfNull(receivers);
        CheckNodes(h, x, nodeAttributes);
        string op = GetType().Name;
        if (senders.DType != DType.Int64 || receivers.DType != DType.Int64)
            throw new TensorException(op, $"senders and receivers must be int64, got {senders.DType.Name()} and {receivers.DType.Name()}");
        if (senders.Rank != 1 || receivers.Rank != 1 || senders.Shape[0] != receivers.Shape[0])
            throw new TensorException(op, $"senders and receivers must be 1-D of equal length, got {Tensor.ShapeString(senders.Shape)} and {Tensor.ShapeString(receivers.Shape)}");
        CheckEdgeAttributes(senders.Shape[0], edgeAttributes);
    }

    private void CheckNodes(Tensor h, Tensor x, Tensor? nodeAttributes)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(x);
        string op = GetType().Name;
        if (h.Rank != 2 || h.Shape[1] != InputFeatures)
            throw new TensorException(op, $"node features h must be [N, {InputFeatures}], got {Tensor.ShapeString(h.Shape)}");
        int n = h.Shape[0];
        if (x.Rank != 2 || x.Shape[0] != n || x.Shape[1] < 1)
            throw new TensorException(op, $"coordinates x must be [{n}, D] (one row per node), got {Tensor.ShapeString(x.Shape)}");
        int a = Options.NodeAttributes;
        if (a == 0 && nodeAttributes is not null)
            throw new TensorException(op, $"node attributes {Tensor.ShapeString(nodeAttributes.Shape)} given to a layer built without them (NodeAttributes = 0)");
        if (a > 0 && (nodeAttributes is null || nodeAttributes.Rank != 2 || nodeAttributes.Shape[0] != n || nodeAttributes.Shape[1] != a))
            throw new TensorException(op, $"node attributes must be [{n}, {a}], got {(nodeAttributes is null ? "none" : Tensor.ShapeString(nodeAttributes.Shape))}");
    }

    private void CheckEdgeAttributes(int e, Tensor? edgeAttributes)
    {
        string op = GetType().Name;
        int k = Options.EdgeAttributes;
        if (k == 0 && edgeAttributes is not null)
            throw new TensorException(op, $"edge attributes {Tensor.ShapeString(edgeAttributes.Shape)} given to a layer built without them (EdgeAttributes = 0)");
        if (k > 0 && (edgeAttributes is null || edgeAttributes.Rank != 2 || edgeAttributes.Shape[0] != e || edgeAttributes.Shape[1] != k))
            throw new TensorException(op, $"edge attributes must be [{e}, {k}], got {(edgeAttributes is null ? "none" : Tensor.ShapeString(edgeAttributes.Shape))}");
    }

    /// <inheritdoc/>
    protected override string ExtraRepr()
        => $"in={InputFeatures}, out={OutputFeatures}, hidden={HiddenFeatures}, edge_attr={Options.EdgeAttributes}, node_attr={Options.NodeAttributes}, recurrent={Options.Recurrent}, attention={Options.Attention}, tanh={Options.Tanh}, norm_diff={Options.NormDiff}";
}
