namespace SciKernels.Kernels.Stencil;

/// <summary>One explicitly written row of a 1-D stencil operator (a boundary row).</summary>
/// <param name="Cols">Column (node) indices along the axis.</param>
/// <param name="Weights">Coefficient of each column.</param>
/// <param name="Bias">Constant term of the row.</param>
public sealed record StencilRow(int[] Cols, double[] Weights, double Bias);

/// <summary>An operand of a stencil term: component <paramref name="Comp"/> of field <paramref name="Field"/>,
/// passed through operator <paramref name="Operator"/> (a handle from
/// <see cref="StencilProgramBuilder.AddOperator"/>) or taken as is when it is −1.</summary>
/// <param name="Field">Input field index.</param>
/// <param name="Comp">Component of that field.</param>
/// <param name="Operator">Operator handle, or −1 for the identity.</param>
public readonly record struct StencilFactor(int Field, int Comp, int Operator = -1);

/// <summary>
/// Flattens a fused stencil (a sum of linear terms c·F and bilinear terms c·A⊙B per output component,
/// where each factor is a field component optionally passed through a 1-D affine operator along one
/// axis) into the int/coefficient "program" that <see cref="StencilKernels"/> interprets per output
/// element. Spatial grids of 1 to 3 axes are padded on the left to three axes.
/// </summary>
/// <remarks>
/// Int layout (offsets are absolute indices into <see cref="StencilProgram.Ints"/>):
/// <code>
/// [0] outComps  [1] numFields  [2..5) n0 n1 n2  [5] reserved
/// [6 + 2f], [7 + 2f]            components of field f, component offset of f in the packed view (f ≥ 3)
/// [6 + 2F + o], o ≤ outComps    start of the term list of output component o (o = outComps: end)
/// term:     kind (0 linear, 1 bilinear), coefIndex, factor A, [factor B]
/// factor:   field, comp, axis (0..2, −1 identity), operator offset (−1 identity)
/// operator: n, radius, periodic, interiorCoefIndex, leftRows, rightRows, rowOffset × (left + right)
/// row:      count, weightIndex (weights, then the bias), col × count
/// </code>
/// </remarks>
public sealed class StencilProgramBuilder
{
    private readonly int[] spatial;
    private readonly int[] fieldComps;
    private readonly int outComps;
    private readonly List<Op> ops = new();
    private readonly List<(int Out, double Coef, StencilFactor A, StencilFactor? B)> terms = new();

    private sealed record Op(int Axis, int N, double[] Interior, bool Periodic, StencilRow[] Left, StencilRow[] Right);

    /// <summary>Starts a program.</summary>
    /// <param name="spatial">Spatial sizes (1 to 3 axes, the last contiguous).</param>
    /// <param name="fieldComps">Number of components of each input field (fields are [batch, comps, spatial…]).</param>
    /// <param name="outComps">Number of output components.</param>
    public StencilProgramBuilder(int[] spatial, int[] fieldComps, int outComps)
    {
        if (spatial.Length is < 1 or > 3) throw new ArgumentException("1 to 3 spatial axes", nameof(spatial));
        if (fieldComps.Length == 0) throw new ArgumentException("at least one field", nameof(fieldComps));
        this.spatial = (int[])spatial.Clone();
        this.fieldComps = (int[])fieldComps.Clone();
        this.outComps = outComps;
    }

    /// <summary>Adds a 1-D operator along <paramref name="axis"/>: rows i &lt; left.Length and i ≥ n − right.Length
    /// are explicit, every other row is Σ_s interior[s + r]·x[i + s] (wrapped when periodic).</summary>
    /// <param name="axis">Spatial axis of the original grid (0 … d−1).</param>
    /// <param name="interior">Interior stencil of odd length 2r + 1.</param>
    /// <param name="periodic">Whether indices wrap (then there are no explicit rows).</param>
    /// <param name="left">Explicit rows at the start of the axis.</param>
    /// <param name="right">Explicit rows at the end of the axis.</param>
    /// <returns>The operator handle for <see cref="StencilFactor.Operator"/>.</returns>
    public int AddOperator(int axis, double[] interior, bool periodic, StencilRow[] left, StencilRow[] right)
    {
        if (axis < 0 || axis >= spatial.Length) throw new ArgumentOutOfRangeException(nameof(axis));
        if (interior.Length % 2 != 1) throw new ArgumentException("odd-length interior stencil", nameof(interior));
        ops.Add(new Op(axis, spatial[axis], interior, periodic, left, right));
        return ops.Count - 1;
    }

    /// <summary>out[outComp] += coef · f.</summary>
    /// <param name="outComp">Output component.</param>
    /// <param name="coef">Coefficient.</param>
    /// <param name="f">Factor.</param>
    public void AddLinear(int outComp, double coef, StencilFactor f) => terms.Add((outComp, coef, f, null));

    /// <summary>out[outComp] += coef · a ⊙ b.</summary>
    /// <param name="outComp">Output component.</param>
    /// <param name="coef">Coefficient.</param>
    /// <param name="a">Left factor.</param>
    /// <param name="b">Right factor.</param>
    public void AddBilinear(int outComp, double coef, StencilFactor a, StencilFactor b) => terms.Add((outComp, coef, a, b));

    /// <summary>Flattens the description.</summary>
    public StencilProgram Build()
    {
        int d = spatial.Length, pad = 3 - d;
        int numFields = fieldComps.Length;
        var ints = new List<int> { outComps, numFields };
        for (int k = 0; k < 3; k++) ints.Add(k < pad ? 1 : spatial[k - pad]);
        ints.Add(0);
        int packed = 0;
        for (int f = 0; f < numFields; f++)
        {
            ints.Add(fieldComps[f]);
            ints.Add(f >= StencilKernels.MaxViews - 1 ? packed : 0);
            if (f >= StencilKernels.MaxViews - 1) packed += fieldComps[f];
        }
        var coefs = new List<double>();
        // Operators first (after the term-start table), so the term records can point at them.
        int startTable = ints.Count;
        for (int o = 0; o <= outComps; o++) ints.Add(0);
        var opOffset = new int[ops.Count];
        for (int h = 0; h < ops.Count; h++)
        {
            var op = ops[h];
            opOffset[h] = ints.Count;
            int nRows = op.Periodic ? 0 : op.Left.Length + op.Right.Length;
            ints.Add(op.N);
            ints.Add(op.Interior.Length / 2);
            ints.Add(op.Periodic ? 1 : 0);
            ints.Add(coefs.Count);
            coefs.AddRange(op.Interior);
            ints.Add(op.Periodic ? 0 : op.Left.Length);
            ints.Add(op.Periodic ? 0 : op.Right.Length);
            int rowTable = ints.Count;
            for (int k = 0; k < nRows; k++) ints.Add(0);
            for (int k = 0; k < nRows; k++)
            {
                var row = k < op.Left.Length ? op.Left[k] : op.Right[k - op.Left.Length];
                ints[rowTable + k] = ints.Count;
                ints.Add(row.Cols.Length);
                ints.Add(coefs.Count);
                coefs.AddRange(row.Weights);
                coefs.Add(row.Bias);
                ints.AddRange(row.Cols);
            }
        }
        void Factor(StencilFactor f)
        {
            if (f.Field < 0 || f.Field >= numFields || f.Comp < 0 || f.Comp >= fieldComps[f.Field])
                throw new ArgumentException($"factor reads component {f.Comp} of field {f.Field}, which does not exist");
            ints.Add(f.Field);
            ints.Add(f.Comp);
            ints.Add(f.Operator < 0 ? -1 : ops[f.Operator].Axis + pad);
            ints.Add(f.Operator < 0 ? -1 : opOffset[f.Operator]);
        }
        for (int o = 0; o < outComps; o++)
        {
            ints[startTable + o] = ints.Count;
            foreach (var t in terms)
            {
                if (t.Out != o) continue;
                ints.Add(t.B is null ? 0 : 1);
                ints.Add(coefs.Count);
                coefs.Add(t.Coef);
                Factor(t.A);
                if (t.B is { } b) Factor(b);
            }
        }
        ints[startTable + outComps] = ints.Count;
        return new StencilProgram(ints.ToArray(), coefs.ToArray(), Tiling(pad));
    }

    /// <summary>
    /// Whether the shared-memory tiled kernel applies, and its geometry: 2-D/3-D grids, linear terms only,
    /// every stencil factor reading one field component, radii ≤ <see cref="StencilKernels.MaxTileHalo"/>
    /// and one periodicity per axis. Nodes inside the box [Lo, Hi) are evaluated from the tile: the whole
    /// axis when its boundary rows reach at most <see cref="StencilKernels.MaxTileHalo"/> nodes (the halo
    /// is widened to cover them), else only the nodes where every operator uses its interior row.
    /// </summary>
    private StencilTiling? Tiling(int pad)
    {
        if (spatial.Length < 2 || terms.Any(t => t.B is not null)) return null;
        var stencilFactors = terms.Select(t => t.A).Where(f => f.Operator >= 0).ToList();
        if (stencilFactors.Count == 0) return null;
        var src = stencilFactors[0];
        if (stencilFactors.Any(f => f.Field != src.Field || f.Comp != src.Comp)) return null;
        var halo = new int[3];
        var lo = new int[3];
        var hi = new int[3];
        var periodic = new int[3];
        var seen = new bool[3];
        var reach = new int[3];
        for (int k = 0; k < 3; k++) hi[k] = k < pad ? 1 : spatial[k - pad];
        foreach (var f in stencilFactors)
        {
            var op = ops[f.Operator];
            int a = op.Axis + pad, r = op.Interior.Length / 2;
            if (r > StencilKernels.MaxTileHalo) return null;
            if (seen[a] && (periodic[a] == 1) != op.Periodic) return null;
            seen[a] = true;
            periodic[a] = op.Periodic ? 1 : 0;
            halo[a] = Math.Max(halo[a], r);
            if (!op.Periodic) reach[a] = Math.Max(reach[a], Reach(op));
        }
        // Boundary rows whose columns stay within the halo are evaluated from the tile too; otherwise
        // the nodes outside the interior box fall back to the general evaluation.
        for (int a = 0; a < 3; a++)
        {
            if (reach[a] <= StencilKernels.MaxTileHalo)
            {
                halo[a] = Math.Max(halo[a], reach[a]);
                continue;
            }
            foreach (var f in stencilFactors)
            {
                var op = ops[f.Operator];
                if (op.Axis + pad != a || op.Periodic) continue;
                lo[a] = Math.Max(lo[a], op.Left.Length);
                hi[a] = Math.Min(hi[a], op.N - op.Right.Length);
            }
        }
        return new StencilTiling(src.Field, src.Comp, halo, lo, hi, periodic);
    }

    /// <summary>Largest |col − row| over the explicit rows of a non-periodic operator.</summary>
    private static int Reach(Op op)
    {
        int reach = 0;
        for (int k = 0; k < op.Left.Length; k++)
            foreach (int c in op.Left[k].Cols) reach = Math.Max(reach, Math.Abs(c - k));
        for (int k = 0; k < op.Right.Length; k++)
            foreach (int c in op.Right[k].Cols) reach = Math.Max(reach, Math.Abs(c - (op.N - op.Right.Length + k)));
        return reach;
    }
}

/// <summary>Geometry of the tiled fast path (see <see cref="StencilProgramBuilder"/>).</summary>
/// <param name="SourceField">The field every stencil factor reads.</param>
/// <param name="SourceComp">Its component.</param>
/// <param name="Halo">Halo width per (padded) axis: the largest stencil radius (or boundary-row reach) along it.</param>
/// <param name="Lo">First node per axis evaluated from the tile.</param>
/// <param name="Hi">One past the last such node.</param>
/// <param name="Periodic">1 where the axis wraps (the halo is loaded wrapped).</param>
public sealed record StencilTiling(int SourceField, int SourceComp, int[] Halo, int[] Lo, int[] Hi, int[] Periodic);

/// <summary>
/// A flattened fused stencil (see <see cref="StencilProgramBuilder"/>). Equality and hash are by
/// content, so equal descriptions built anew on every call share one uploaded device copy.
/// </summary>
public sealed class StencilProgram : IEquatable<StencilProgram>
{
    private readonly int hash;

    internal StencilProgram(int[] ints, double[] coefs, StencilTiling? tiling)
    {
        Ints = ints;
        Coefs = coefs;
        Tiling = tiling;
        var h = new HashCode();
        foreach (var v in ints) h.Add(v);
        foreach (var v in coefs) h.Add(v);
        hash = h.ToHashCode();
    }

    /// <summary>The int program.</summary>
    public int[] Ints { get; }

    /// <summary>Coefficients (interior stencils, boundary weights and biases, term coefficients).</summary>
    public double[] Coefs { get; }

    /// <summary>Tiled-path geometry, or null when only the general kernel applies.</summary>
    public StencilTiling? Tiling { get; }

    /// <summary>Number of output components.</summary>
    public int OutComps => Ints[0];

    /// <summary>Number of input fields.</summary>
    public int NumFields => Ints[1];

    /// <summary>Padded spatial size of axis <paramref name="k"/> (0..2).</summary>
    /// <param name="k">Axis.</param>
    public int Size(int k) => Ints[2 + k];

    /// <summary>Components of field <paramref name="f"/>.</summary>
    /// <param name="f">Field.</param>
    public int FieldComps(int f) => Ints[6 + 2 * f];

    /// <summary>Nodes per component.</summary>
    public long Nodes => (long)Size(0) * Size(1) * Size(2);

    /// <inheritdoc/>
    public bool Equals(StencilProgram? other) =>
        other is not null && (ReferenceEquals(this, other) || (hash == other.hash && Ints.AsSpan().SequenceEqual(other.Ints) && Coefs.AsSpan().SequenceEqual(other.Coefs)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StencilProgram);

    /// <inheritdoc/>
    public override int GetHashCode() => hash;
}
