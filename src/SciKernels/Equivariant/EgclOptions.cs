using SciKernels.NN;

namespace SciKernels.Equivariant;

/// <summary>
/// Settings of an E(n)-equivariant graph convolution layer (<see cref="Egcl"/>, <see cref="EgclVel"/>).
/// The defaults are those of the reference <c>E_GCL</c> (github.com/vgsatorras/egnn, models/gcl.py).
/// </summary>
public sealed record EgclOptions
{
    /// <summary>Width k of the edge attributes a_ij appended to the edge-MLP input (0 = none).</summary>
    public int EdgeAttributes { get; init; }

    /// <summary>Width of the node attributes appended to the node-MLP input (0 = none).</summary>
    public int NodeAttributes { get; init; }

    /// <summary>Activation of the MLPs (the reference layer defaults to ReLU; its N-body model uses SiLU).</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>Residual node update h ← h + φ_h(…) (the reference's <c>recurrent</c>); needs equal input and output widths.</summary>
    public bool Recurrent { get; init; } = true;

    /// <summary>The constant C of the coordinate update x_i ← x_i + C·mean_j(…) (the reference's <c>coords_weight</c>).</summary>
    public double CoordsWeight { get; init; } = 1.0;

    /// <summary>Gate each edge message by a learned sigmoid, m_ij ← m_ij·σ(w·m_ij + b).</summary>
    public bool Attention { get; init; }

    /// <summary>Divide the coordinate difference by ‖x_i − x_j‖ + 1 in the coordinate update (the reference's <c>norm_diff</c>).</summary>
    public bool NormDiff { get; init; }

    /// <summary>Bound the coordinate weights φ_x(m_ij) by a tanh, scaled by <see cref="CoordsRange"/>.</summary>
    public bool Tanh { get; init; }

    /// <summary>
    /// Scale of the tanh-bounded coordinate weights. The reference's gcl.py defines
    /// <c>coords_range = 3</c> but never applies it, so the default 1 reproduces it.
    /// </summary>
    public double CoordsRange { get; init; } = 1.0;

    /// <summary>
    /// How the per-edge coordinate terms are combined: the reference's mean over incoming edges
    /// (default) or EDM's sum (egnn_new.py, <c>aggregation_method='sum'</c>; its division by
    /// <c>normalization_factor</c> is <see cref="CoordsWeight"/> = 1/factor). The sum lets a node's
    /// displacement grow with its neighbours, which a diffusion denoiser needs to output unit-size noise.
    /// </summary>
    public CoordinateAggregation CoordsAggregation { get; init; } = CoordinateAggregation.Mean;

    /// <summary>Bound of the per-edge coordinate term (x_i − x_j)·φ_x(m_ij), element-wise (the reference clamps at ±100).</summary>
    public double CoordClamp { get; init; } = 100.0;

    /// <summary>The layer settings of the paper's N-body model (<c>EGNN_vel</c> in main_nbody.py): SiLU, recurrent.</summary>
    public static EgclOptions NBody { get; } = new() { Activation = Activation.Silu, Recurrent = true };

    internal void Validate(string owner)
    {
        if (EdgeAttributes < 0) throw new ArgumentOutOfRangeException(nameof(EdgeAttributes), EdgeAttributes, $"{owner}: edge attribute width must be ≥ 0");
        if (NodeAttributes < 0) throw new ArgumentOutOfRangeException(nameof(NodeAttributes), NodeAttributes, $"{owner}: node attribute width must be ≥ 0");
        if (!double.IsFinite(CoordsWeight)) throw new ArgumentOutOfRangeException(nameof(CoordsWeight), CoordsWeight, $"{owner}: coords weight must be finite");
        if (!(CoordsRange > 0) || !double.IsFinite(CoordsRange)) throw new ArgumentOutOfRangeException(nameof(CoordsRange), CoordsRange, $"{owner}: coords range must be positive and finite");
        if (!Enum.IsDefined(CoordsAggregation)) throw new ArgumentOutOfRangeException(nameof(CoordsAggregation), CoordsAggregation, $"{owner}: unknown coordinate aggregation");
        if (!(CoordClamp > 0)) throw new ArgumentOutOfRangeException(nameof(CoordClamp), CoordClamp, $"{owner}: coordinate clamp must be positive");
    }
}

/// <summary>How an EGNN layer combines the per-edge coordinate terms of a node (<see cref="EgclOptions.CoordsAggregation"/>).</summary>
public enum CoordinateAggregation
{
    /// <summary>The mean over incoming edges (the reference E_GCL).</summary>
    Mean,

    /// <summary>The sum over incoming edges (EDM's EGNN dynamics).</summary>
    Sum,
}
