
namespace SciKernels.Stencils;

public static partial class PdeResidual
{
    /// <summary>
    /// Residual of steady Darcy flow −∇·(a∇u) = f on the unit square with u = g on the boundary, in
    /// exactly the discretization of <c>DarcySolver</c>: for a field that solver returned, the
    /// residual is at the level of its PCG tolerance.
    /// </summary>
    /// <remarks>
    /// <para>Layout as <c>DarcySolver</c> and <c>DarcyDataset</c>: u, a and f are node values
    /// on an nx×ny grid that includes the boundary nodes, x_i = i·h with h = 1/(n − 1) per axis.</para>
    /// <para>Interior node p: r_p = Σ_q a_pq (u_p − u_q)/h² − f_p over its four neighbours q (boundary
    /// neighbours with their values in u), a_pq the face average of a (<see cref="Stencil.FaceAverage"/>,
    /// harmonic by default as the solver). Boundary node p: the Dirichlet residual scaled like the
    /// diagonal of an interior row, r_p = a_p·(u_p − g)·Σ_k 2/h_k², so a boundary error weighs about as
    /// much as the interior residual it drives next to it (and is 0 for the solver's solution).</para>
    /// <para>Built from <see cref="Stencil.FaceAverage"/> and <see cref="Stencil.FluxDivergence"/>, so it is
    /// differentiable to any order in u, a and f.</para>
    /// </remarks>
    /// <param name="u">Pressure <c>[batch, (channels,) nx, ny]</c> (nx, ny ≥ 3).</param>
    /// <param name="a">Permeability, shaped like <paramref name="u"/> (positive for harmonic averaging).</param>
    /// <param name="f">Source, shaped like <paramref name="u"/> (its boundary values are not used).</param>
    /// <param name="averaging">Face average of a; use the one the data were solved with.</param>
    /// <param name="boundaryValue">Dirichlet value g.</param>
    /// <returns>The residual, shaped like <paramref name="u"/>.</returns>
    public static Tensor Darcy(Tensor u, Tensor a, Tensor f, FaceAveraging averaging = FaceAveraging.Harmonic, double boundaryValue = 0)
    {
        const string op = "DarcyResidual";
        ArgumentNullException.ThrowIfNull(u);
        if (u.Rank is not (3 or 4))
            throw new TensorException(op, $"u has shape {Tensor.ShapeString(u.Shape)}; Darcy fields are 2-D node grids [batch, (channels,) nx, ny]");
        int nx = u.Size(-2), ny = u.Size(-1);
        if (nx < 3 || ny < 3)
            throw new TensorException(op, $"u has shape {Tensor.ShapeString(u.Shape)}; the grid needs at least 3×3 nodes (boundary included) to have an interior");
        StencilFields.Finite(op, nameof(boundaryValue), boundaryValue);
        // Nodes on the boundary, as the stencil layer's Neumann layout; the closure itself only reaches
        // boundary rows, which are replaced by the Dirichlet residual below.
        var grid = new StencilGrid(new[] { 1.0 / (nx - 1), 1.0 / (ny - 1) }, new[] { Boundary.Neumann(0), Boundary.Neumann(0) });
        StencilFields.Scalar(op, nameof(u), u, grid);
        StencilFields.SameShape(op, u, a, nameof(u), nameof(a));
        StencilFields.SameShape(op, u, f, nameof(u), nameof(f));

        var faces = Stencil.FaceAverage(a, grid, averaging);
        var interior = Stencil.FluxDivergence(u, faces, grid).Add(f).Neg();
        double diagonal = 2.0 * (nx - 1) * (nx - 1) + 2.0 * (ny - 1) * (ny - 1);
        var boundary = u.Sub(boundaryValue).Mul(a).Mul(diagonal);
        var (inside, edge) = Masks(nx, ny, u.DType, u.Device);
        return interior.Mul(inside).Add(boundary.Mul(edge));
    }

    /// <summary>Indicators [nx, ny] of the interior and boundary nodes (constants, broadcast over the batch).</summary>
    private static (Tensor Inside, Tensor Edge) Masks(int nx, int ny, DType dtype, Device device)
    {
        var inside = HostArrays.Doubles("DarcyResidual", nx, ny, "the grid nx × ny");
        var edge = new double[inside.Length];
        for (int i = 0; i < nx; i++)
            for (int j = 0; j < ny; j++)
            {
                bool interior = i > 0 && i < nx - 1 && j > 0 && j < ny - 1;
                inside[i * ny + j] = interior ? 1 : 0;
                edge[i * ny + j] = interior ? 0 : 1;
            }
        return (Tensor.FromDoubles(inside, new[] { nx, ny }, dtype, device), Tensor.FromDoubles(edge, new[] { nx, ny }, dtype, device));
    }
}
