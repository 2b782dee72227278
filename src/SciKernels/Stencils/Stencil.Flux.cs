
namespace SciKernels.Stencils;

/// <summary>Variable-coefficient (conservative, flux-form) operators: ∇·(a∇u) with a averaged onto the faces.</summary>
public static partial class Stencil
{
    /// <summary>
    /// Averages a node coefficient onto the faces between neighbouring nodes: component k at node i
    /// holds the mean of a_i and a_{i+1} along axis k (the face i + ½).
    /// </summary>
    /// <remarks>
    /// Past the last node of a non-periodic axis the coefficient is mirrored about that node
    /// (a_n = a_{n−2}, so the face n − ½ repeats the face n − 3/2), whatever the grid's boundary
    /// condition — the condition belongs to u, not to a. Periodic axes wrap. Harmonic means need
    /// a &gt; 0 (not checked: a value test would read the tensor back on every call).
    /// </remarks>
    /// <param name="a">Coefficient, a scalar field <c>[batch, (channels,) n0, …]</c>.</param>
    /// <param name="grid">Grid (only whether each axis is periodic matters).</param>
    /// <param name="averaging">Harmonic 2a_p·a_q/(a_p + a_q) (flux-continuous across jumps) or arithmetic (a_p + a_q)/2.</param>
    /// <returns>Face field <c>[batch, (channels,) d, n0, …]</c>, the layout of <see cref="FluxDivergence"/>'s coefficient.</returns>
    public static Tensor FaceAverage(Tensor a, StencilGrid grid, FaceAveraging averaging = FaceAveraging.Harmonic)
    {
        const string op = "FaceAverage";
        var f = StencilFields.Scalar(op, nameof(a), a, grid);
        if (!Enum.IsDefined(averaging)) throw new TensorException(op, $"unknown face averaging {averaging}");
        int d = grid.Dimensions;
        var fields = new[] { f.Canonical };
        var none = Array.Empty<BilinearTerm>();
        if (averaging == FaceAveraging.Arithmetic)
        {
            var terms = new List<LinearTerm>();
            for (int k = 0; k < d; k++)
            {
                terms.Add(new LinearTerm(k, Factor.Identity(0, 0), 0.5));
                terms.Add(new LinearTerm(k, new Factor(0, 0, k, GridOperators.NextNode(grid, k, f.Spatial[k])), 0.5));
            }
            return FusedStencil.Apply(op, fields, f.Spatial, d, terms.ToArray(), none).Reshape(f.VectorShape);
        }
        // 2·a_i·a_{i+1} / (a_i + a_{i+1}): numerator and denominator are one fused pass each, the quotient is a composite.
        var sum = new LinearTerm[2 * d];
        var product = new BilinearTerm[d];
        for (int k = 0; k < d; k++)
        {
            var next = new Factor(0, 0, k, GridOperators.NextNode(grid, k, f.Spatial[k]));
            sum[2 * k] = new LinearTerm(k, Factor.Identity(0, 0), 1);
            sum[2 * k + 1] = new LinearTerm(k, next, 1);
            product[k] = new BilinearTerm(k, Factor.Identity(0, 0), next, 2);
        }
        var num = FusedStencil.Apply(op, fields, f.Spatial, d, Array.Empty<LinearTerm>(), product);
        var den = FusedStencil.Apply(op, fields, f.Spatial, d, sum, none);
        return num.Div(den).Reshape(f.VectorShape);
    }

    /// <summary>
    /// Conservative variable-coefficient operator ∇·(A∇u) = Σ_k [A_k,i (u_{i+1} − u_i) − A_k,i−1 (u_i − u_{i−1})] / h_k²
    /// with the face coefficients A (e.g. from <see cref="FaceAverage"/>), in one pass; differentiable in u and A.
    /// </summary>
    /// <remarks>
    /// <para>At every node not at the end of a non-periodic axis this is the 5-point (2-D) / 7-point (3-D)
    /// finite-volume scheme Σ_q A_pq (u_q − u_p)/h², symmetric negative semi-definite in u.</para>
    /// <para>u's ghost nodes follow the grid's boundary condition. The face before the first node of a
    /// non-periodic axis takes the coefficient of the face after it (A_{−½} = A_{½}, the mirror of
    /// <see cref="FaceAverage"/>): exact for the mirror (Neumann) closure, a first-order extrapolation of
    /// the coefficient for Dirichlet ghosts.</para>
    /// </remarks>
    /// <param name="u">Scalar field <c>[batch, (channels,) n0, …]</c>.</param>
    /// <param name="faceCoefficients">Face field <c>[batch, (channels,) d, n0, …]</c>: component k at node i is the coefficient on the face i + ½ along axis k.</param>
    /// <param name="grid">Spacing and boundary conditions of u.</param>
    /// <returns>Scalar field shaped like <paramref name="u"/>.</returns>
    public static Tensor FluxDivergence(Tensor u, Tensor faceCoefficients, StencilGrid grid)
    {
        const string op = "FluxDivergence";
        var f = StencilFields.Scalar(op, nameof(u), u, grid);
        var c = StencilFields.Vector(op, nameof(faceCoefficients), faceCoefficients, grid);
        StencilFields.SameLead(op, f, c, nameof(u), nameof(faceCoefficients));
        int d = grid.Dimensions;
        var terms = new BilinearTerm[2 * d];
        for (int k = 0; k < d; k++)
        {
            int n = f.Spatial[k];
            double h = grid.Spacing[k];
            // A_k,i·(u_{i+1} − u_i)/h² − A_k,i−1·(u_i − u_{i−1})/h²
            terms[2 * k] = new BilinearTerm(0, Factor.Identity(1, k), new Factor(0, 0, k, GridOperators.Forward(grid, k, n)), 1 / h);
            terms[2 * k + 1] = new BilinearTerm(0, new Factor(1, k, k, GridOperators.PreviousFace(grid, k, n)), new Factor(0, 0, k, GridOperators.Backward(grid, k, n)), -1 / h);
        }
        return FusedStencil.Apply(op, new[] { f.Canonical, c.Canonical }, f.Spatial, 1, Array.Empty<LinearTerm>(), terms).Reshape(f.ScalarShape);
    }
}

/// <summary>The shift and one-sided operators of the flux form.</summary>
internal static partial class GridOperators
{
    /// <summary>x_{i+1}; past the end of a non-periodic axis the mirror x_n = x_{n−2} (a Neumann(0) ghost).</summary>
    public static AxisOperator NextNode(StencilGrid g, int axis, int n)
    {
        var bc = g.Boundaries[axis].Kind == BoundaryKind.Periodic ? Boundary.Periodic : Boundary.Neumann(0);
        return AxisOperator.Create("Next", n, new double[] { 0, 0, 1 }, null, bc, g.Spacing[axis]);
    }

    /// <summary>x_{i−1} of a face field (the face i − ½); the face before the first node of a non-periodic axis is the face after it.</summary>
    public static AxisOperator PreviousFace(StencilGrid g, int axis, int n)
    {
        var interior = new double[] { 1, 0, 0 };
        if (g.Boundaries[axis].Kind == BoundaryKind.Periodic) return AxisOperator.Create("PreviousFace", n, interior, null, Boundary.Periodic, g.Spacing[axis]);
        var first = new ExplicitRow(new[] { 0 }, new[] { 1.0 }, 0);
        var last = new ExplicitRow(new[] { n - 2 }, new[] { 1.0 }, 0);
        return AxisOperator.FromRows("PreviousFace(mirror)", n, interior, new[] { first }, new[] { last });
    }

    /// <summary>Backward difference (u_i − u_{i−1})/h with the grid's ghost closure.</summary>
    public static AxisOperator Backward(StencilGrid g, int axis, int n)
    {
        double h = g.Spacing[axis];
        return AxisOperator.Create("Dbackward", n, new[] { -1 / h, 1 / h, 0 }, null, g.Boundaries[axis], h);
    }
}
