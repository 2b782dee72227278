namespace SciKernels.Backends;

/// <summary>An explicit row of a 1-D stencil operator (a boundary row): Σ Weights[j]·x[Cols[j]] + Bias.</summary>
/// <param name="Cols">Column indices along the axis (distinct).</param>
/// <param name="Weights">Coefficient of each column.</param>
/// <param name="Bias">Constant term (from an inhomogeneous boundary value).</param>
public sealed record StencilSpecRow(int[] Cols, double[] Weights, double Bias);

/// <summary>
/// An affine 1-D operator along one spatial axis: rows i &lt; Left.Length and i ≥ n − Right.Length are
/// explicit, every other row is Σ_s Interior[s + r]·x[i + s] (indices wrapped when periodic).
/// </summary>
/// <param name="Axis">Spatial axis (0 … d−1).</param>
/// <param name="Interior">Interior stencil of odd length 2r + 1.</param>
/// <param name="Periodic">Whether indices wrap (then there are no explicit rows).</param>
/// <param name="Left">Explicit rows at the start of the axis.</param>
/// <param name="Right">Explicit rows at the end of the axis.</param>
public sealed record StencilSpecOperator(int Axis, double[] Interior, bool Periodic, StencilSpecRow[] Left, StencilSpecRow[] Right);

/// <summary>Component <paramref name="Comp"/> of input field <paramref name="Field"/>, through operator <paramref name="Operator"/> (−1: as is).</summary>
/// <param name="Field">Input field index.</param>
/// <param name="Comp">Component of that field.</param>
/// <param name="Operator">Index into <see cref="StencilSpec.Operators"/>, or −1 for the identity.</param>
public readonly record struct StencilSpecFactor(int Field, int Comp, int Operator = -1);

/// <summary>out[Out] += Coef · A, or Coef · A ⊙ B when <paramref name="B"/> is set.</summary>
/// <param name="Out">Output component.</param>
/// <param name="Coef">Coefficient.</param>
/// <param name="A">First factor.</param>
/// <param name="B">Second factor of a bilinear term, or null.</param>
public readonly record struct StencilSpecTerm(int Out, double Coef, StencilSpecFactor A, StencilSpecFactor? B);

/// <summary>
/// A fused stencil described without reference to any backend: a sum of linear and bilinear terms
/// of 1-D axis operators over fields shaped [batch, comps, spatial…]. Device backends compile it
/// into their own program form.
/// </summary>
/// <param name="Spatial">Spatial sizes (the last axis contiguous).</param>
/// <param name="FieldComps">Components of each input field.</param>
/// <param name="OutComps">Components of the output.</param>
/// <param name="Operators">The distinct axis operators the factors refer to.</param>
/// <param name="Terms">The terms, summed into the output.</param>
public sealed record StencilSpec(int[] Spatial, int[] FieldComps, int OutComps, StencilSpecOperator[] Operators, StencilSpecTerm[] Terms);

/// <summary>
/// Device kernels of the fused stencil op (<c>SciKernels.Stencils</c>). Host-memory backends run the
/// op's CPU kernel instead; a backend with neither cannot run stencils.
/// </summary>
public interface IStencilKernels
{
    /// <summary>
    /// y = the stencil <paramref name="spec"/> of the contiguous fields <paramref name="xs"/>
    /// ([batch, comps, spatial…]) into the contiguous <paramref name="y"/> ([batch, outComps, spatial…]).
    /// </summary>
    void Stencil(StencilSpec spec, Tensor[] xs, Tensor y);
}
