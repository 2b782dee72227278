namespace SciKernels.Potentials;

/// <summary>
/// NequIP's radial features of an edge length r with cutoff r_c: the Bessel basis
/// √(2/r_c)·sin(nπr/r_c)/r, n = 1…K, and the smooth polynomial envelope that takes them to zero at r_c.
/// Both are built from differentiable tensor ops (second derivatives included: training on forces).
/// </summary>
public static class RadialBasis
{
    /// <summary>
    /// The Bessel basis √(2/r_c)·sin(nπr/r_c)/r for n = 1…<paramref name="count"/>: [E] → [E, K].
    /// Finite at r → 0 (its limit is √(2/r_c)·nπ/r_c), but r must be positive.
    /// </summary>
    /// <param name="r">Edge lengths [E], positive.</param>
    /// <param name="count">Number of basis functions K ≥ 1.</param>
    /// <param name="cutoff">r_c (Å), positive.</param>
    public static Tensor Bessel(Tensor r, int count, double cutoff)
    {
        ArgumentNullException.ThrowIfNull(r);
        Check("RadialBasis.Bessel", r, cutoff);
        if (count < 1) throw new TensorException("RadialBasis.Bessel", $"count must be at least 1, got {count}");
        var freq = new double[count];
        for (int n = 0; n < count; n++) freq[n] = (n + 1) * Math.PI / cutoff;
        var f = Tensor.FromDoubles(freq, [1, count], r.DType, r.Device);
        var col = r.Unsqueeze(1);
        return col.MatMul(f).Sin().Div(col).Mul(Math.Sqrt(2 / cutoff));
    }

    /// <summary>
    /// The polynomial envelope of degree p (Klicpera et al., as NequIP uses it), with x = r/r_c:
    /// u(x) = 1 − (p+1)(p+2)/2·xᵖ + p(p+2)·xᵖ⁺¹ − p(p+1)/2·xᵖ⁺² for x &lt; 1 and 0 beyond, so u, u′ and u″
    /// vanish at the cutoff: [E] → [E].
    /// </summary>
    /// <param name="r">Edge lengths [E].</param>
    /// <param name="cutoff">r_c (Å), positive.</param>
    /// <param name="p">Degree, at least 2 (NequIP's default 6).</param>
    public static Tensor PolynomialCutoff(Tensor r, double cutoff, int p = 6)
    {
        ArgumentNullException.ThrowIfNull(r);
        Check("RadialBasis.PolynomialCutoff", r, cutoff);
        if (p < 2) throw new TensorException("RadialBasis.PolynomialCutoff", $"degree p must be at least 2, got {p}");
        var x = r.Div(cutoff);
        var xp = x.Pow(p);
        // Horner in x on the top three powers: xᵖ·(c0 + x·(c1 + x·c2)).
        double c0 = -(p + 1.0) * (p + 2.0) / 2, c1 = p * (p + 2.0), c2 = -p * (p + 1.0) / 2;
        var u = xp.Mul(x.Mul(c2).Add(c1).Mul(x).Add(c0)).Add(1);
        return Tensor.Where(x.Lt(1), u, Tensor.ZerosLike(u));
    }

    private static void Check(string op, Tensor r, double cutoff)
    {
        if (r.Rank != 1 || !r.DType.IsFloatingPoint())
            throw new TensorException(op, $"edge lengths must be a floating [E] tensor, got {r.DType.Name()}{Tensor.ShapeString(r.Shape)}");
        if (!double.IsFinite(cutoff) || cutoff <= 0) throw new TensorException(op, $"cutoff must be positive and finite, got {cutoff}");
    }
}
