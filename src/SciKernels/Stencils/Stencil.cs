namespace SciKernels.Stencils;

/// <summary>
/// Finite-difference operators on structured grids (1-D/2-D/3-D, float32/float64), differentiable
/// to any order: each linear operator's backward is its adjoint stencil, itself a recorded stencil.
/// </summary>
/// <remarks>
/// <para>Layout (see <see cref="StencilGrid"/>): a scalar field is <c>[batch, (channels,) nx(, ny(, nz))]</c>,
/// a vector field <c>[batch, (channels,) d, nx(, ny(, nz))]</c> with component k along spatial axis k.</para>
/// <para>Boundaries: periodic wrap; Dirichlet with the boundary nodes one spacing outside the field
/// (ghost value); Neumann with the first/last node on the boundary and mirror ghosts carrying the
/// outward flux. 4th-order stencils fall back to 2nd order at the first and last node of a
/// non-periodic axis (where they would reach past the ghost node); at a Neumann boundary node the
/// Laplacian is first-order accurate (the standard mirror-ghost closure).</para>
/// <para>Each operator is one pass over the output: on the CPU SIMD over rows and threads over row
/// segments; on ILGPU devices one kernel launch (shared-memory tiles for 2-D/3-D band stencils of one
/// field, else a kernel interpreting the flattened stencil per output element).</para>
/// </remarks>
public static partial class Stencil
{
    /// <summary>Central 2nd-order gradient ∂u/∂x_k = (u_{i+1} − u_{i−1}) / 2h_k of a scalar field.</summary>
    /// <param name="u">Scalar field <c>[batch, (channels,) n0, …]</c>.</param>
    /// <param name="grid">Spacing and boundary conditions.</param>
    /// <returns>Vector field <c>[batch, (channels,) d, n0, …]</c>.</returns>
    public static Tensor Gradient(Tensor u, StencilGrid grid)
    {
        const string op = "Gradient";
        var f = StencilFields.Scalar(op, nameof(u), u, grid);
        var terms = new LinearTerm[grid.Dimensions];
        for (int k = 0; k < terms.Length; k++) terms[k] = new LinearTerm(k, new Factor(0, 0, k, GridOperators.D1(grid, k, f.Spatial[k])), 1);
        return FusedStencil.Apply(op, new[] { f.Canonical }, f.Spatial, grid.Dimensions, terms, Array.Empty<BilinearTerm>()).Reshape(f.VectorShape);
    }

    /// <summary>
    /// First-order upwind gradient: along axis k the backward difference (u_i − u_{i−1})/h_k where
    /// velocity component k is positive, else the forward difference (u_{i+1} − u_i)/h_k.
    /// </summary>
    /// <param name="u">Scalar field <c>[batch, (channels,) n0, …]</c>.</param>
    /// <param name="velocity">Vector field of the gradient's shape; only its sign is used (no gradient flows to it).</param>
    /// <param name="grid">Spacing and boundary conditions.</param>
    /// <returns>Vector field <c>[batch, (channels,) d, n0, …]</c>.</returns>
    public static Tensor GradientUpwind(Tensor u, Tensor velocity, StencilGrid grid)
    {
        const string op = "GradientUpwind";
        var f = StencilFields.Scalar(op, nameof(u), u, grid);
        var v = StencilFields.Vector(op, nameof(velocity), velocity, grid);
        StencilFields.SameLead(op, f, v, nameof(u), nameof(velocity));
        Tensor mask;
        using (Autograd.GradMode.NoGrad()) mask = v.Canonical.Gt(0.0);
        var lin = new LinearTerm[grid.Dimensions];
        var bi = new BilinearTerm[grid.Dimensions];
        for (int k = 0; k < lin.Length; k++)
        {
            // Df u + mask·(Db − Df) u
            lin[k] = new LinearTerm(k, new Factor(0, 0, k, GridOperators.Forward(grid, k, f.Spatial[k])), 1);
            bi[k] = new BilinearTerm(k, Factor.Identity(1, k), new Factor(0, 0, k, GridOperators.BackwardMinusForward(grid, k, f.Spatial[k])), 1);
        }
        return FusedStencil.Apply(op, new[] { f.Canonical, mask }, f.Spatial, grid.Dimensions, lin, bi).Reshape(f.VectorShape);
    }

    /// <summary>Laplacian Δu = Σ_k ∂²u/∂x_k², 2nd order (3-point per axis) or 4th order (5-point per axis).</summary>
    /// <param name="u">Scalar field <c>[batch, (channels,) n0, …]</c>.</param>
    /// <param name="grid">Spacing and boundary conditions.</param>
    /// <param name="order">2 or 4.</param>
    /// <returns>Scalar field shaped like <paramref name="u"/>.</returns>
    public static Tensor Laplacian(Tensor u, StencilGrid grid, int order = 2)
    {
        const string op = "Laplacian";
        var f = StencilFields.Scalar(op, nameof(u), u, grid);
        var terms = GridOperators.LaplacianTerms(grid, f.Spatial, order, field: 0, coef: 1, op);
        return FusedStencil.Apply(op, new[] { f.Canonical }, f.Spatial, 1, terms, Array.Empty<BilinearTerm>()).Reshape(f.ScalarShape);
    }

    /// <summary>Divergence ∇·v = Σ_k ∂v_k/∂x_k with central 2nd-order differences.</summary>
    /// <param name="v">Vector field <c>[batch, (channels,) d, n0, …]</c>.</param>
    /// <param name="grid">Spacing and boundary conditions (applied to every component).</param>
    /// <returns>Scalar field <c>[batch, (channels,) n0, …]</c>.</returns>
    public static Tensor Divergence(Tensor v, StencilGrid grid)
    {
        const string op = "Divergence";
        var f = StencilFields.Vector(op, nameof(v), v, grid);
        var terms = new LinearTerm[grid.Dimensions];
        for (int k = 0; k < terms.Length; k++) terms[k] = new LinearTerm(0, new Factor(0, k, k, GridOperators.D1(grid, k, f.Spatial[k])), 1);
        return FusedStencil.Apply(op, new[] { f.Canonical }, f.Spatial, 1, terms, Array.Empty<BilinearTerm>()).Reshape(f.ScalarShape);
    }

    /// <summary>Self-advection (u·∇)u: component c is Σ_k u_k ∂u_c/∂x_k (central differences), in one pass.</summary>
    /// <param name="u">Vector field <c>[batch, (channels,) d, n0, …]</c>.</param>
    /// <param name="grid">Spacing and boundary conditions.</param>
    /// <returns>Vector field shaped like <paramref name="u"/>.</returns>
    public static Tensor Advection(Tensor u, StencilGrid grid)
    {
        const string op = "Advection";
        var f = StencilFields.Vector(op, nameof(u), u, grid);
        int d = grid.Dimensions;
        var terms = new List<BilinearTerm>();
        for (int c = 0; c < d; c++)
            for (int k = 0; k < d; k++)
                terms.Add(new BilinearTerm(c, Factor.Identity(0, k), new Factor(0, c, k, GridOperators.D1(grid, k, f.Spatial[k])), 1));
        return FusedStencil.Apply(op, new[] { f.Canonical }, f.Spatial, d, Array.Empty<LinearTerm>(), terms.ToArray()).Reshape(f.VectorShape);
    }

    /// <summary>Advection of a scalar by a velocity, (v·∇)φ = Σ_k v_k ∂φ/∂x_k (central differences), in one pass.</summary>
    /// <param name="velocity">Vector field <c>[batch, (channels,) d, n0, …]</c>.</param>
    /// <param name="phi">Scalar field <c>[batch, (channels,) n0, …]</c> with the same leading axes.</param>
    /// <param name="grid">Spacing and boundary conditions (of φ).</param>
    /// <returns>Scalar field shaped like <paramref name="phi"/>.</returns>
    public static Tensor Advect(Tensor velocity, Tensor phi, StencilGrid grid)
    {
        const string op = "Advect";
        var v = StencilFields.Vector(op, nameof(velocity), velocity, grid);
        var p = StencilFields.Scalar(op, nameof(phi), phi, grid);
        StencilFields.SameLead(op, p, v, nameof(phi), nameof(velocity));
        var terms = new BilinearTerm[grid.Dimensions];
        for (int k = 0; k < terms.Length; k++)
            terms[k] = new BilinearTerm(0, Factor.Identity(0, k), new Factor(1, 0, k, GridOperators.D1(grid, k, p.Spatial[k])), 1);
        return FusedStencil.Apply(op, new[] { v.Canonical, p.Canonical }, p.Spatial, 1, Array.Empty<LinearTerm>(), terms).Reshape(p.ScalarShape);
    }
}

/// <summary>The 1-D operators of the layer, scaled by the grid spacing.</summary>
internal static partial class GridOperators
{
    public static AxisOperator D1(StencilGrid g, int axis, int n)
    {
        double h = g.Spacing[axis];
        return AxisOperator.Create("D1", n, new[] { -0.5 / h, 0, 0.5 / h }, null, g.Boundaries[axis], h);
    }

    public static AxisOperator Forward(StencilGrid g, int axis, int n)
    {
        double h = g.Spacing[axis];
        return AxisOperator.Create("Dforward", n, new[] { 0, -1 / h, 1 / h }, null, g.Boundaries[axis], h);
    }

    public static AxisOperator BackwardMinusForward(StencilGrid g, int axis, int n)
    {
        double h = g.Spacing[axis];
        return AxisOperator.Create("Dbackward-Dforward", n, new[] { -1 / h, 2 / h, -1 / h }, null, g.Boundaries[axis], h);
    }

    public static AxisOperator D2(StencilGrid g, int axis, int n, int order)
    {
        double h = g.Spacing[axis], h2 = h * h;
        var second = new[] { 1 / h2, -2 / h2, 1 / h2 };
        return order == 2
            ? AxisOperator.Create("D2", n, second, null, g.Boundaries[axis], h)
            : AxisOperator.Create("D2o4", n, new[] { -1 / (12 * h2), 16 / (12 * h2), -30 / (12 * h2), 16 / (12 * h2), -1 / (12 * h2) }, second, g.Boundaries[axis], h);
    }

    /// <summary>coef·Δ of component 0 of <paramref name="field"/> into output component 0.</summary>
    public static LinearTerm[] LaplacianTerms(StencilGrid g, int[] spatial, int order, int field, double coef, string op)
    {
        if (order is not (2 or 4)) throw new TensorException(op, $"order must be 2 or 4, got {order}");
        var terms = new LinearTerm[g.Dimensions];
        for (int k = 0; k < terms.Length; k++) terms[k] = new LinearTerm(0, new Factor(field, 0, k, D2(g, k, spatial[k], order)), coef);
        return terms;
    }
}

/// <summary>A field in the canonical [batch·channels, components, spatial…] form the kernel works on.</summary>
/// <param name="Canonical">The reshaped field.</param>
/// <param name="Lead">Leading (batch/channel) axes of the user's tensor.</param>
/// <param name="Spatial">Spatial sizes.</param>
internal sealed record StencilField(Tensor Canonical, int[] Lead, int[] Spatial)
{
    public int[] ScalarShape => Lead.Concat(Spatial).ToArray();

    public int[] VectorShape => Lead.Append(Spatial.Length).Concat(Spatial).ToArray();
}

/// <summary>Shape checks with messages naming the operation.</summary>
internal static class StencilFields
{
    public static StencilField Scalar(string op, string name, Tensor t, StencilGrid grid) => Make(op, name, t, grid, vector: false);

    public static StencilField Vector(string op, string name, Tensor t, StencilGrid grid) => Make(op, name, t, grid, vector: true);

    private static StencilField Make(string op, string name, Tensor t, StencilGrid grid, bool vector)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        ArgumentNullException.ThrowIfNull(grid);
        Tensor.CheckFloat(op, t);
        int d = grid.Dimensions;
        int extra = vector ? 1 : 0;
        string layout = vector ? $"[batch, (channels,) {d}, {SpatialNames(d)}]" : $"[batch, (channels,) {SpatialNames(d)}]";
        if (t.Rank != d + 1 + extra && t.Rank != d + 2 + extra)
            throw new TensorException(op, $"{name} has shape {Tensor.ShapeString(t.Shape)}; a {(vector ? "vector" : "scalar")} field on a {d}-D grid is {layout}");
        if (vector && t.Size(-d - 1) != d)
            throw new TensorException(op, $"{name} has shape {Tensor.ShapeString(t.Shape)}; the component axis (before the {d} spatial axes) must have size {d}, layout {layout}");
        var spatial = t.Shape[^d..].ToArray();
        for (int k = 0; k < d; k++)
            if (spatial[k] < 2)
                throw new TensorException(op, $"{name} has shape {Tensor.ShapeString(t.Shape)}; spatial axis {k} has {spatial[k]} node(s), stencils need at least 2");
        var lead = t.Shape[..(t.Rank - d - extra)].ToArray();
        int batch = 1;
        foreach (var s in lead) batch = checked(batch * s);
        var shape = new int[d + 2];
        shape[0] = batch;
        shape[1] = vector ? d : 1;
        spatial.CopyTo(shape, 2);
        return new StencilField(t.Reshape(shape), lead, spatial);
    }

    private static string SpatialNames(int d) => d switch { 1 => "nx", 2 => "nx, ny", _ => "nx, ny, nz" };

    public static void SameLead(string op, StencilField a, StencilField b, string nameA, string nameB)
    {
        if (!a.Lead.AsSpan().SequenceEqual(b.Lead) || !a.Spatial.AsSpan().SequenceEqual(b.Spatial))
            throw new TensorException(op, $"{nameA} (batch axes {Tensor.ShapeString(a.Lead)}, grid {Tensor.ShapeString(a.Spatial)}) and {nameB} (batch axes {Tensor.ShapeString(b.Lead)}, grid {Tensor.ShapeString(b.Spatial)}) must share batch/channel axes and grid size");
        if (a.Canonical.DType != b.Canonical.DType)
            throw new TensorException(op, $"{nameA} is {a.Canonical.DType.Name()} but {nameB} is {b.Canonical.DType.Name()}");
    }

    public static void SameShape(string op, Tensor a, Tensor b, string nameA, string nameB)
    {
        ArgumentNullException.ThrowIfNull(b, nameB);
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new TensorException(op, $"{nameB} has shape {Tensor.ShapeString(b.Shape)} but {nameA} has shape {Tensor.ShapeString(a.Shape)}; they must match");
        if (a.DType != b.DType)
            throw new TensorException(op, $"{nameA} is {a.DType.Name()} but {nameB} is {b.DType.Name()}");
    }

    public static void Finite(string op, string name, double value, bool positive = false)
    {
        if (!double.IsFinite(value) || (positive && value <= 0))
            throw new TensorException(op, $"{name} must be finite{(positive ? " and positive" : "")}, got {value}");
    }
}
