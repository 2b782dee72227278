namespace SciKernels.Stencils;

/// <summary>One row of an <see cref="AxisOperator"/> written out explicitly (a boundary row).</summary>
/// <param name="Cols">Column indices (distinct).</param>
/// <param name="Weights">Coefficient of each column.</param>
/// <param name="Bias">Constant term (from an inhomogeneous boundary value).</param>
internal sealed record ExplicitRow(int[] Cols, double[] Weights, double Bias);

/// <summary>
/// An affine 1-D operator y = A·x + b along one grid axis of n nodes: a constant interior stencil
/// plus explicitly written boundary rows (the ghost-cell closure eliminated), or a periodic stencil.
/// </summary>
/// <remarks>
/// Rows i &lt; <see cref="LeftCount"/> and i ≥ n − <see cref="RightCount"/> are explicit; every other
/// row is Σ_s Coef[s + r]·x[i + s] and only reads nodes inside [0, n). Because the interior is a
/// constant band, the transpose has the same shape (reversed stencil, wider explicit blocks), so
/// the adjoint of every stencil is itself an <see cref="AxisOperator"/> and as fast as the forward.
/// </remarks>
internal sealed class AxisOperator
{
    private readonly ExplicitRow[] left;
    private readonly ExplicitRow[] right;
    private AxisOperator? transpose;

    private AxisOperator(string name, int n, bool periodic, double[] coef, ExplicitRow[] left, ExplicitRow[] right)
    {
        Name = name;
        N = n;
        Periodic = periodic;
        Coef = coef;
        Radius = coef.Length / 2;
        this.left = left;
        this.right = right;
    }

    /// <summary>Name for diagnostics, e.g. <c>D2(periodic)</c>.</summary>
    public string Name { get; }

    /// <summary>Number of nodes along the axis.</summary>
    public int N { get; }

    /// <summary>True when indices wrap around (no explicit rows).</summary>
    public bool Periodic { get; }

    /// <summary>Interior stencil, Coef[s + Radius] multiplies x[i + s].</summary>
    public double[] Coef { get; }

    /// <summary>Half-width of the interior stencil.</summary>
    public int Radius { get; }

    /// <summary>Number of explicit rows at the start of the axis.</summary>
    public int LeftCount => left.Length;

    /// <summary>Number of explicit rows at the end of the axis.</summary>
    public int RightCount => right.Length;

    /// <summary>The explicit row i, or null for an interior (stencil) row.</summary>
    public ExplicitRow? Explicit(int i)
    {
        if (i < left.Length) return left[i];
        int k = i - (N - right.Length);
        return k >= 0 ? right[k] : null;
    }

    /// <summary>Calls <paramref name="visit"/>(column, weight) for every entry of row i (periodic columns wrapped).</summary>
    public void ForEachEntry(int i, Action<int, double> visit)
    {
        var row = Explicit(i);
        if (row is not null)
        {
            for (int k = 0; k < row.Cols.Length; k++) visit(row.Cols[k], row.Weights[k]);
            return;
        }
        for (int s = -Radius; s <= Radius; s++)
        {
            double c = Coef[s + Radius];
            if (c == 0) continue;
            visit(Periodic ? Wrap(i + s, N) : i + s, c);
        }
    }

    /// <summary>The bias (constant term) of row i.</summary>
    public double Bias(int i) => Explicit(i)?.Bias ?? 0;

    /// <summary>((i mod n) + n) mod n.</summary>
    public static int Wrap(int i, int n)
    {
        int m = i % n;
        return m < 0 ? m + n : m;
    }

    /// <summary>
    /// Builds the operator with ghost nodes eliminated. Rows whose interior stencil would reach past the
    /// first ghost node (only 4th-order stencils at the first and last node) use <paramref name="fallback"/>.
    /// </summary>
    /// <param name="name">Stencil name for diagnostics.</param>
    /// <param name="n">Number of nodes.</param>
    /// <param name="interior">Interior stencil (odd length), already scaled by the spacing.</param>
    /// <param name="fallback">Radius-1 stencil near non-periodic boundaries for wider stencils (null when radius is 1).</param>
    /// <param name="bc">Boundary condition.</param>
    /// <param name="h">Grid spacing (for the Neumann ghost value).</param>
    public static AxisOperator Create(string name, int n, double[] interior, double[]? fallback, Boundary bc, double h)
    {
        int r = interior.Length / 2;
        string full = $"{name}({bc.Kind})";
        if (bc.Kind == BoundaryKind.Periodic) return new AxisOperator(full, n, true, interior, Array.Empty<ExplicitRow>(), Array.Empty<ExplicitRow>());
        int nl = Math.Min(r, n), nr = Math.Min(r, n - nl);
        var rows = new ExplicitRow[nl + nr];
        for (int k = 0; k < rows.Length; k++)
        {
            int i = k < nl ? k : n - nr + (k - nl);
            var stencil = (i - r >= -1 && i + r <= n) || fallback is null ? interior : fallback;
            int rr = stencil.Length / 2;
            var acc = new SortedDictionary<int, double>();
            double bias = 0;
            for (int s = -rr; s <= rr; s++)
            {
                double c = stencil[s + rr];
                if (c == 0) continue;
                int p = i + s;
                if (p >= 0 && p < n) { Add(acc, p, c); continue; }
                if (p != -1 && p != n) throw new InvalidOperationException($"{full}: stencil row {i} reaches node {p}, beyond the ghost node");
                if (bc.Kind == BoundaryKind.Dirichlet) bias += c * bc.Value;
                else
                {
                    Add(acc, p < 0 ? 1 : n - 2, c);
                    bias += c * 2 * h * bc.Value;
                }
            }
            rows[k] = MakeRow(acc, bias);
        }
        return new AxisOperator(full, n, false, interior, rows[..nl], rows[nl..]);
    }

    /// <summary>
    /// An operator with an interior stencil and hand-written end rows, for closures that are not the
    /// ghost-node boundary condition of the field (e.g. the mirrored face coefficients of <see cref="Stencil.FluxDivergence"/>).
    /// </summary>
    /// <param name="name">Name for diagnostics.</param>
    /// <param name="n">Number of nodes.</param>
    /// <param name="interior">Interior stencil (odd length).</param>
    /// <param name="left">Rows 0 … left.Length − 1.</param>
    /// <param name="right">The last right.Length rows.</param>
    public static AxisOperator FromRows(string name, int n, double[] interior, ExplicitRow[] left, ExplicitRow[] right)
    {
        int r = interior.Length / 2;
        if (left.Length + right.Length > n || (left.Length + right.Length < n && (left.Length < r || right.Length < r)))
            throw new InvalidOperationException($"{name}: {left.Length} + {right.Length} explicit rows do not close a radius-{r} stencil on {n} nodes");
        foreach (var row in left.Concat(right))
            if (row.Cols.Any(c => c < 0 || c >= n))
                throw new InvalidOperationException($"{name}: an explicit row reads a column outside [0, {n})");
        return new AxisOperator(name, n, false, interior, left, right);
    }

    private static void Add(SortedDictionary<int, double> acc, int col, double w) => acc[col] = acc.GetValueOrDefault(col) + w;

    private static ExplicitRow MakeRow(SortedDictionary<int, double> acc, double bias)
    {
        var nz = acc.Where(kv => kv.Value != 0).ToArray();
        return new ExplicitRow(nz.Select(kv => kv.Key).ToArray(), nz.Select(kv => kv.Value).ToArray(), bias);
    }

    /// <summary>Aᵀ of the linear part (the bias is dropped), built once and cached.</summary>
    public AxisOperator Transpose() => transpose ??= BuildTranspose();

    private AxisOperator BuildTranspose()
    {
        var rev = Enumerable.Reverse(Coef).ToArray(); // not Coef.Reverse(): on net8 C# 14 binds that to the in-place Span Reverse
        string name = Name + "ᵀ";
        if (Periodic)
        {
            var t = new AxisOperator(name, N, true, rev, Array.Empty<ExplicitRow>(), Array.Empty<ExplicitRow>());
            t.transpose = this;
            return t;
        }
        int r = Radius;
        int maxLeftCol = left.SelectMany(row => row.Cols).DefaultIfEmpty(-1).Max();
        int minRightCol = right.SelectMany(row => row.Cols).DefaultIfEmpty(N).Min();
        int nl = Math.Max(2 * r, maxLeftCol + 1), nr = Math.Max(2 * r, N - minRightCol);
        if (nl + nr >= N) { nl = N; nr = 0; }
        var accs = new SortedDictionary<int, double>[nl + nr];
        for (int k = 0; k < accs.Length; k++) accs[k] = new SortedDictionary<int, double>();
        for (int i = 0; i < N; i++)
        {
            if (i >= nl + r && i < N - nr - r) continue; // only touches interior columns of Aᵀ
            int row = i;
            ForEachEntry(i, (col, w) =>
            {
                if (col < nl) Add(accs[col], row, w);
                else if (col >= N - nr) Add(accs[nl + col - (N - nr)], row, w);
            });
        }
        var rows = accs.Select(a => MakeRow(a, 0)).ToArray();
        var tr = new AxisOperator(name, N, false, rev, rows[..nl], rows[nl..]);
        if (left.All(row => row.Bias == 0) && right.All(row => row.Bias == 0)) tr.transpose = this; // (Aᵀ)ᵀ is A only without a bias
        return tr;
    }
}
