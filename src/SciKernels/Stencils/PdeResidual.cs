namespace SciKernels.Stencils;

/// <summary>
/// Fused PDE residuals for physics-informed losses: each is computed in one pass over the grid and
/// is differentiable to any order in every field argument (product-rule backward built from the
/// adjoint stencils).
/// </summary>
/// <remarks>Field layout and boundary treatment as in <see cref="Stencil"/>; all fields of one call
/// share shape and dtype.</remarks>
public static partial class PdeResidual
{
    /// <summary>Poisson residual −Δu − f.</summary>
    /// <param name="u">Scalar field <c>[batch, (channels,) n0, …]</c>.</param>
    /// <param name="f">Source, shaped like <paramref name="u"/>.</param>
    /// <param name="grid">Spacing and boundary conditions.</param>
    /// <param name="order">Order of the Laplacian, 2 or 4.</param>
    public static Tensor Poisson(Tensor u, Tensor f, StencilGrid grid, int order = 2)
    {
        const string op = "PoissonResidual";
        var a = StencilFields.Scalar(op, nameof(u), u, grid);
        var b = StencilFields.Scalar(op, nameof(f), f, grid);
        StencilFields.SameShape(op, u, f, nameof(u), nameof(f));
        var terms = GridOperators.LaplacianTerms(grid, a.Spatial, order, field: 0, coef: -1, op).Append(new LinearTerm(0, Factor.Identity(1, 0), -1)).ToArray();
        return Run(op, new[] { a.Canonical, b.Canonical }, a, terms);
    }

    /// <summary>Heat-equation residual u_t − κΔu with the time derivative given as a field.</summary>
    /// <param name="u">Scalar field.</param>
    /// <param name="uT">Time derivative, shaped like <paramref name="u"/>.</param>
    /// <param name="kappa">Diffusivity κ.</param>
    /// <param name="grid">Spacing and boundary conditions.</param>
    public static Tensor Heat(Tensor u, Tensor uT, double kappa, StencilGrid grid)
    {
        const string op = "HeatResidual";
        StencilFields.Finite(op, nameof(kappa), kappa);
        var a = StencilFields.Scalar(op, nameof(u), u, grid);
        var b = StencilFields.Scalar(op, nameof(uT), uT, grid);
        StencilFields.SameShape(op, u, uT, nameof(u), nameof(uT));
        var terms = GridOperators.LaplacianTerms(grid, a.Spatial, 2, field: 0, coef: -kappa, op).Append(new LinearTerm(0, Factor.Identity(1, 0), 1)).ToArray();
        return Run(op, new[] { a.Canonical, b.Canonical }, a, terms);
    }

    /// <summary>
    /// Heat-equation residual of one time step, (u_next − u)/dt − κΔu (forward Euler), or
    /// (u_next − u)/dt − κΔu_next with <paramref name="implicitLaplacian"/> (backward Euler).
    /// </summary>
    /// <param name="u">Field at time t.</param>
    /// <param name="uNext">Field at time t + dt, shaped like <paramref name="u"/>.</param>
    /// <param name="dt">Time step (positive).</param>
    /// <param name="kappa">Diffusivity κ.</param>
    /// <param name="grid">Spacing and boundary conditions.</param>
    /// <param name="implicitLaplacian">Evaluate the Laplacian at u_next instead of u.</param>
    public static Tensor HeatStep(Tensor u, Tensor uNext, double dt, double kappa, StencilGrid grid, bool implicitLaplacian = false)
    {
        const string op = "HeatStepResidual";
        StencilFields.Finite(op, nameof(dt), dt, positive: true);
        StencilFields.Finite(op, nameof(kappa), kappa);
        var a = StencilFields.Scalar(op, nameof(u), u, grid);
        var b = StencilFields.Scalar(op, nameof(uNext), uNext, grid);
        StencilFields.SameShape(op, u, uNext, nameof(u), nameof(uNext));
        var terms = GridOperators.LaplacianTerms(grid, a.Spatial, 2, field: implicitLaplacian ? 1 : 0, coef: -kappa, op)
            .Append(new LinearTerm(0, Factor.Identity(1, 0), 1 / dt))
            .Append(new LinearTerm(0, Factor.Identity(0, 0), -1 / dt)).ToArray();
        return Run(op, new[] { a.Canonical, b.Canonical }, a, terms);
    }

    /// <summary>Viscous Burgers residual u_t + u·u_x − ν·u_xx on a 1-D grid (central differences).</summary>
    /// <param name="u">Field <c>[batch, (channels,) nx]</c>.</param>
    /// <param name="uT">Time derivative, shaped like <paramref name="u"/>.</param>
    /// <param name="nu">Viscosity ν.</param>
    /// <param name="grid">A 1-D grid.</param>
    public static Tensor Burgers(Tensor u, Tensor uT, double nu, StencilGrid grid)
    {
        const string op = "BurgersResidual";
        var (a, b) = BurgersFields(op, u, uT, nameof(uT), nu, grid);
        return BurgersCore(op, a, b, nu, grid, timeCoef: 1, uCoef: 0);
    }

    /// <summary>Viscous Burgers residual of one explicit step, (u_next − u)/dt + u·u_x − ν·u_xx with the space terms at u.</summary>
    /// <param name="u">Field at time t, <c>[batch, (channels,) nx]</c>.</param>
    /// <param name="uNext">Field at time t + dt.</param>
    /// <param name="dt">Time step (positive).</param>
    /// <param name="nu">Viscosity ν.</param>
    /// <param name="grid">A 1-D grid.</param>
    public static Tensor BurgersStep(Tensor u, Tensor uNext, double dt, double nu, StencilGrid grid)
    {
        const string op = "BurgersStepResidual";
        StencilFields.Finite(op, nameof(dt), dt, positive: true);
        var (a, b) = BurgersFields(op, u, uNext, nameof(uNext), nu, grid);
        return BurgersCore(op, a, b, nu, grid, timeCoef: 1 / dt, uCoef: -1 / dt);
    }

    private static (StencilField, StencilField) BurgersFields(string op, Tensor u, Tensor other, string otherName, double nu, StencilGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.Dimensions != 1) throw new TensorException(op, $"Burgers' equation here is 1-D; got a {grid.Dimensions}-D grid");
        StencilFields.Finite(op, nameof(nu), nu);
        var a = StencilFields.Scalar(op, nameof(u), u, grid);
        var b = StencilFields.Scalar(op, otherName, other, grid);
        StencilFields.SameShape(op, u, other, nameof(u), otherName);
        return (a, b);
    }

    private static Tensor BurgersCore(string op, StencilField u, StencilField time, double nu, StencilGrid grid, double timeCoef, double uCoef)
    {
        int n = u.Spatial[0];
        var lin = new List<LinearTerm>
        {
            new(0, new Factor(0, 0, 0, GridOperators.D2(grid, 0, n, 2)), -nu),
            new(0, Factor.Identity(1, 0), timeCoef),
        };
        if (uCoef != 0) lin.Add(new LinearTerm(0, Factor.Identity(0, 0), uCoef));
        var bi = new[] { new BilinearTerm(0, Factor.Identity(0, 0), new Factor(0, 0, 0, GridOperators.D1(grid, 0, n)), 1) };
        return FusedStencil.Apply(op, new[] { u.Canonical, time.Canonical }, u.Spatial, 1, lin.ToArray(), bi).Reshape(u.ScalarShape);
    }

    /// <summary>
    /// 2-D incompressible Navier–Stokes residual in vorticity–streamfunction form,
    /// ω_t + u·ω_x + v·ω_y − νΔω − f with u = ψ_y, v = −ψ_x (central differences), in one pass.
    /// </summary>
    /// <param name="omega">Vorticity <c>[batch, (channels,) nx, ny]</c> (axis 0 is x, axis 1 is y).</param>
    /// <param name="psi">Streamfunction, shaped like <paramref name="omega"/>.</param>
    /// <param name="omegaT">Time derivative of the vorticity, shaped like <paramref name="omega"/>.</param>
    /// <param name="nu">Kinematic viscosity ν.</param>
    /// <param name="grid">A 2-D grid (boundary conditions of ω).</param>
    /// <param name="forcing">Forcing f shaped like <paramref name="omega"/>, or null for none.</param>
    /// <param name="psiGrid">Boundary conditions for ψ's derivatives (same spacing); defaults to <paramref name="grid"/>.</param>
    public static Tensor NavierStokesVorticity(Tensor omega, Tensor psi, Tensor omegaT, double nu, StencilGrid grid, Tensor? forcing = null, StencilGrid? psiGrid = null)
    {
        const string op = "NavierStokesVorticityResidual";
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.Dimensions != 2) throw new TensorException(op, $"the vorticity form is 2-D; got a {grid.Dimensions}-D grid");
        psiGrid ??= grid;
        if (psiGrid.Dimensions != 2 || !psiGrid.Spacing.SequenceEqual(grid.Spacing))
            throw new TensorException(op, $"psiGrid must be 2-D with the spacing of grid ({string.Join(", ", grid.Spacing.ToArray())})");
        StencilFields.Finite(op, nameof(nu), nu);
        var w = StencilFields.Scalar(op, nameof(omega), omega, grid);
        var p = StencilFields.Scalar(op, nameof(psi), psi, grid);
        var wt = StencilFields.Scalar(op, nameof(omegaT), omegaT, grid);
        StencilFields.SameShape(op, omega, psi, nameof(omega), nameof(psi));
        StencilFields.SameShape(op, omega, omegaT, nameof(omega), nameof(omegaT));
        var fields = new List<Tensor> { w.Canonical, p.Canonical, wt.Canonical };
        var lin = GridOperators.LaplacianTerms(grid, w.Spatial, 2, field: 0, coef: -nu, op).Append(new LinearTerm(0, Factor.Identity(2, 0), 1)).ToList();
        if (forcing is not null)
        {
            var fo = StencilFields.Scalar(op, nameof(forcing), forcing, grid);
            StencilFields.SameShape(op, omega, forcing, nameof(omega), nameof(forcing));
            fields.Add(fo.Canonical);
            lin.Add(new LinearTerm(0, Factor.Identity(3, 0), -1));
        }
        int nx = w.Spatial[0], ny = w.Spatial[1];
        var bi = new[]
        {
            // u·ω_x = ψ_y·ω_x ; v·ω_y = −ψ_x·ω_y
            new BilinearTerm(0, new Factor(1, 0, 1, GridOperators.D1(psiGrid, 1, ny)), new Factor(0, 0, 0, GridOperators.D1(grid, 0, nx)), 1),
            new BilinearTerm(0, new Factor(1, 0, 0, GridOperators.D1(psiGrid, 0, nx)), new Factor(0, 0, 1, GridOperators.D1(grid, 1, ny)), -1),
        };
        return FusedStencil.Apply(op, fields.ToArray(), w.Spatial, 1, lin.ToArray(), bi).Reshape(w.ScalarShape);
    }

    private static Tensor Run(string op, Tensor[] fields, StencilField shapeOf, LinearTerm[] terms)
        => FusedStencil.Apply(op, fields, shapeOf.Spatial, 1, terms, Array.Empty<BilinearTerm>()).Reshape(shapeOf.ScalarShape);
}
