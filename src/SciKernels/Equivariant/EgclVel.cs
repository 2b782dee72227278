using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Equivariant;

/// <summary>
/// The velocity variant of <see cref="Egcl"/> (<c>E_GCL_vel</c> of the reference, eq. 7 of the paper):
/// <code>
/// v_i ← φ_v(h_i)·v_i + C · mean_j clamp((x_i − x_j) · φ_x(m_ij), ±100)
/// x_i ← x_i + v_i
/// </code>
/// with m_ij and the node update as in <see cref="Egcl"/>; v is equivariant under rotations and
/// reflections and invariant under translations.
/// </summary>
/// <remarks>
/// φ_v is Linear(F, hidden), activation, Linear(hidden, 1), registered as <c>coord_mlp_vel</c>. Like the
/// reference, φ_v and φ_x read the layer's input features h, before the node update.
/// </remarks>
public sealed class EgclVel : Egcl
{
    private readonly Sequential velMlp;

    /// <summary>Creates the layer, initializing every weight from <paramref name="generator"/>.</summary>
    /// <param name="inputFeatures">Width F of the node features h.</param>
    /// <param name="outputFeatures">Width of the updated node features (equal to F when recurrent).</param>
    /// <param name="hiddenFeatures">Width of the messages and hidden layers.</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="options">Layer settings (the reference's defaults when null).</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device (CPU when null).</param>
    public EgclVel(int inputFeatures, int outputFeatures, int hiddenFeatures, Generator generator, EgclOptions? options = null, DType dtype = DType.Float32, Device? device = null)
        : base(inputFeatures, outputFeatures, hiddenFeatures, generator, options, dtype, device)
    {
        velMlp = RegisterModule("coord_mlp_vel", new Sequential(
            new Linear(inputFeatures, hiddenFeatures, generator, true, dtype, device), Activations.Create(Options.Activation),
            new Linear(hiddenFeatures, 1, generator, true, dtype, device)));
    }

    /// <summary>One message-passing step with velocities over a CSR edge index (the fast path).</summary>
    /// <param name="h">Node features [N, F].</param>
    /// <param name="x">Node coordinates [N, D].</param>
    /// <param name="edges">The edges (N = <paramref name="h"/>'s rows).</param>
    /// <param name="velocities">Node velocities v [N, D].</param>
    /// <param name="edgeAttributes">Edge attributes [E, k] in the index's receiver order; required exactly when the layer was built with k &gt; 0.</param>
    /// <param name="nodeAttributes">Node attributes [N, a]; required exactly when the layer was built with a &gt; 0.</param>
    /// <returns>The updated features [N, F_out], coordinates x + v [N, D] and velocities v [N, D].</returns>
    public (Tensor H, Tensor X, Tensor V) Forward(Tensor h, Tensor x, MessagePassing.EdgeIndex edges, Tensor velocities, Tensor? edgeAttributes = null, Tensor? nodeAttributes = null)
    {
        CheckGraph(h, x, edges, edgeAttributes, nodeAttributes);
        CheckVelocities(x, velocities);
        var (diff, radial) = CoordinateDifferences(x, edges);
        var m = EdgeModel(h, edges, radial, edgeAttributes);
        var v = RunMlp(velMlp, h).Mul(velocities).Add(CoordinateUpdate(diff, m, edges));
        var hNew = NodeModel(h, m, edges, nodeAttributes);
        return (hNew, x.Add(v), v);
    }

    /// <summary>One message-passing step with velocities over edges given as pairs (any order); see the <see cref="MessagePassing.EdgeIndex"/> overload.</summary>
    /// <param name="h">Node features [N, F].</param>
    /// <param name="x">Node coordinates [N, D].</param>
    /// <param name="senders">Source node j of each edge, int64 [E].</param>
    /// <param name="receivers">Target node i of each edge, int64 [E].</param>
    /// <param name="velocities">Node velocities v [N, D].</param>
    /// <param name="edgeAttributes">Edge attributes [E, k] in pair order; required exactly when the layer was built with k &gt; 0.</param>
    /// <param name="nodeAttributes">Node attributes [N, a]; required exactly when the layer was built with a &gt; 0.</param>
    /// <returns>The updated features [N, F_out], coordinates x + v [N, D] and velocities v [N, D].</returns>
    public (Tensor H, Tensor X, Tensor V) Forward(Tensor h, Tensor x, Tensor senders, Tensor receivers, Tensor velocities, Tensor? edgeAttributes = null, Tensor? nodeAttributes = null)
    {
        CheckGraph(h, x, senders, receivers, edgeAttributes, nodeAttributes);
        CheckVelocities(x, velocities);
        var edges = EgnnGraphOps.Index(senders, receivers, h.Shape[0]);
        return Forward(h, x, edges, velocities, EgnnGraphOps.ToEdgeOrder(edgeAttributes, edges), nodeAttributes);
    }

    private void CheckVelocities(Tensor x, Tensor velocities)
    {
        ArgumentNullException.ThrowIfNull(velocities);
        if (!velocities.Shape.SequenceEqual(x.Shape))
            throw new TensorException(GetType().Name, $"velocities must have the shape of the coordinates {Tensor.ShapeString(x.Shape)}, got {Tensor.ShapeString(velocities.Shape)}");
    }
}
