namespace SciKernels.Stencils;

/// <summary>How a stencil closes at the two ends of a grid axis.</summary>
public enum BoundaryKind
{
    /// <summary>The axis wraps around: node n is node 0.</summary>
    Periodic,

    /// <summary>
    /// Given value at the boundary. The n nodes are interior nodes x_i = (i + 1)·h of [0, (n + 1)·h];
    /// the boundary nodes x_{-1} and x_n sit one spacing outside the field and act as ghost cells
    /// holding the value.
    /// </summary>
    Dirichlet,

    /// <summary>
    /// Given outward normal derivative ∂u/∂n (flux). The first and last nodes lie on the boundary,
    /// x_i = i·h of [0, (n − 1)·h]; the ghost nodes are mirrors, u_{-1} = u_1 + 2h·q and
    /// u_n = u_{n−2} + 2h·q, so the central difference at a boundary node equals the given flux.
    /// </summary>
    Neumann,
}

/// <summary>A boundary condition for both ends of one axis.</summary>
/// <param name="Kind">Periodic, Dirichlet or Neumann.</param>
/// <param name="Value">Boundary value (Dirichlet) or outward normal derivative (Neumann); ignored when periodic.</param>
public readonly record struct Boundary(BoundaryKind Kind, double Value)
{
    /// <summary>Periodic wrap-around.</summary>
    public static Boundary Periodic => new(BoundaryKind.Periodic, 0);

    /// <summary>Fixed value <paramref name="value"/> on both ends (ghost-node treatment, see <see cref="BoundaryKind.Dirichlet"/>).</summary>
    public static Boundary Dirichlet(double value = 0) => new(BoundaryKind.Dirichlet, value);

    /// <summary>Outward normal derivative <paramref name="flux"/> on both ends (mirror ghost, see <see cref="BoundaryKind.Neumann"/>); 0 is a no-flux wall.</summary>
    public static Boundary Neumann(double flux = 0) => new(BoundaryKind.Neumann, flux);

    /// <summary>The same kind with value 0: the linear part of the (affine) boundary closure.</summary>
    public Boundary Homogeneous => this with { Value = 0 };
}

/// <summary>
/// A structured grid: the spacing and boundary condition of each spatial axis.
/// </summary>
/// <remarks>
/// <para>Field layout. A scalar field is <c>[batch, nx]</c>, <c>[batch, nx, ny]</c> or
/// <c>[batch, nx, ny, nz]</c>, optionally with a channel axis after the batch
/// (<c>[batch, channels, nx, …]</c>): the last <see cref="Dimensions"/> axes are spatial, in the
/// order of <see cref="Spacing"/>, and the last one (z in 3-D, y in 2-D) is contiguous in memory.
/// A vector field puts its d components on the axis just before the spatial ones:
/// <c>[batch, (channels,) d, nx, …]</c>, component k along spatial axis k.</para>
/// <para>Axis k of the grid is spatial axis k of the field: in 2-D, axis 0 is x (rows) and axis 1
/// is y (columns).</para>
/// </remarks>
public sealed class StencilGrid
{
    private readonly double[] spacing;
    private readonly Boundary[] boundaries;

    /// <summary>A grid with one spacing and one boundary condition per axis.</summary>
    /// <param name="spacing">Grid spacing h of each axis (1 to 3 axes, finite and positive).</param>
    /// <param name="boundaries">Boundary condition of each axis (same length as spacing).</param>
    public StencilGrid(double[] spacing, Boundary[] boundaries)
    {
        ArgumentNullException.ThrowIfNull(spacing);
        ArgumentNullException.ThrowIfNull(boundaries);
        if (spacing.Length is < 1 or > 3)
            throw new TensorException("StencilGrid", $"grids have 1 to 3 spatial axes, got {spacing.Length} spacings");
        if (boundaries.Length != spacing.Length)
            throw new TensorException("StencilGrid", $"{spacing.Length} spacings but {boundaries.Length} boundary conditions; give one per axis");
        for (int k = 0; k < spacing.Length; k++)
        {
            if (!double.IsFinite(spacing[k]) || spacing[k] <= 0)
                throw new TensorException("StencilGrid", $"spacing of axis {k} must be finite and positive, got {spacing[k]}");
            if (!double.IsFinite(boundaries[k].Value))
                throw new TensorException("StencilGrid", $"boundary value of axis {k} must be finite, got {boundaries[k].Value}");
            if (!Enum.IsDefined(boundaries[k].Kind))
                throw new TensorException("StencilGrid", $"unknown boundary kind {boundaries[k].Kind} on axis {k}");
        }
        this.spacing = (double[])spacing.Clone();
        this.boundaries = (Boundary[])boundaries.Clone();
    }

    /// <summary>A grid with the same boundary condition on every axis.</summary>
    /// <param name="boundary">Boundary condition of every axis.</param>
    /// <param name="spacing">Grid spacing h of each axis.</param>
    public StencilGrid(Boundary boundary, params double[] spacing)
        : this(spacing, Enumerable.Repeat(boundary, spacing?.Length ?? 0).ToArray())
    {
    }

    /// <summary>A periodic grid.</summary>
    /// <param name="spacing">Grid spacing h of each axis.</param>
    public static StencilGrid Periodic(params double[] spacing) => new(Boundary.Periodic, spacing);

    /// <summary>Number of spatial axes (1, 2 or 3).</summary>
    public int Dimensions => spacing.Length;

    /// <summary>Spacing of each axis.</summary>
    public ReadOnlySpan<double> Spacing => spacing;

    /// <summary>Boundary condition of each axis.</summary>
    public ReadOnlySpan<Boundary> Boundaries => boundaries;

    /// <summary>This grid with every boundary value set to 0 (the linear part of the operators).</summary>
    public StencilGrid Homogeneous() => new(spacing, Array.ConvertAll(boundaries, b => b.Homogeneous));

    /// <inheritdoc/>
    public override string ToString()
        => "StencilGrid(" + string.Join(", ", spacing.Select((h, k) => $"h{k}={h} {boundaries[k].Kind}" + (boundaries[k].Kind == BoundaryKind.Periodic ? "" : $"({boundaries[k].Value})"))) + ")";
}
