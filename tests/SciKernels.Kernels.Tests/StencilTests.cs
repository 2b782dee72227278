using SciKernels.Kernels.Runtime;
using SciKernels.Kernels.Stencil;
using Xunit;

namespace SciKernels.Kernels.Tests;

/// <summary>
/// The stencil kernels against a host evaluation of the same description: the shared-memory tiled
/// kernel (2-D/3-D band stencils of one source component, with explicit boundary rows near the ends
/// of non-periodic axes — from the tile when they stay within the halo, else by the general
/// evaluation — and wrapped halos on periodic ones, several tiles including partial ones) and
/// the general interpreter (bilinear terms, more fields than views), in float32 and float64.
/// </summary>
public class StencilTests
{
    private sealed record Op(int Axis, double[] Interior, bool Periodic, StencilRow[] Left, StencilRow[] Right);

    private sealed record Term(int Out, double Coef, StencilFactor A, StencilFactor? B);

    /// <summary>A fused stencil description, its program and a host evaluation of it.</summary>
    private sealed class Case(int[] spatial, int[] comps, int outComps, int batch)
    {
        public readonly List<Op> Ops = new();
        public readonly List<Term> Terms = new();
        public int[] Spatial => spatial;
        public int Batch => batch;
        public int OutComps => outComps;
        public int Nodes => spatial.Aggregate(1, (a, b) => a * b);

        public int Add(Op op) { Ops.Add(op); return Ops.Count - 1; }

        public StencilProgram Build()
        {
            var b = new StencilProgramBuilder(spatial, comps, outComps);
            foreach (var op in Ops) b.AddOperator(op.Axis, op.Interior, op.Periodic, op.Left, op.Right);
            foreach (var t in Terms)
                if (t.B is { } bb) b.AddBilinear(t.Out, t.Coef, t.A, bb);
                else b.AddLinear(t.Out, t.Coef, t.A);
            return b.Build();
        }

        public double[][] Inputs(System.Random rng) => comps.Select(c => Ref.Rand(rng, batch * c * Nodes, -1, 1)).ToArray();

        public double[] Evaluate(double[][] x)
        {
            var y = new double[batch * outComps * Nodes];
            var idx = new int[spatial.Length];
            for (int b = 0; b < batch; b++)
                for (int p = 0; p < Nodes; p++)
                {
                    for (int k = spatial.Length - 1, q = p; k >= 0; k--) { idx[k] = q % spatial[k]; q /= spatial[k]; }
                    foreach (var t in Terms)
                    {
                        double v = t.Coef * Factor(x, t.A, b, idx);
                        if (t.B is { } bb) v *= Factor(x, bb, b, idx);
                        y[(b * outComps + t.Out) * Nodes + p] += v;
                    }
                }
            return y;
        }

        private double Factor(double[][] x, StencilFactor f, int b, int[] idx)
        {
            double At(int[] at)
            {
                int p = 0;
                for (int k = 0; k < spatial.Length; k++) p = p * spatial[k] + at[k];
                return x[f.Field][(b * comps[f.Field] + f.Comp) * Nodes + p];
            }
            if (f.Operator < 0) return At(idx);
            var op = Ops[f.Operator];
            int n = spatial[op.Axis], i = idx[op.Axis];
            var j = (int[])idx.Clone();
            StencilRow? row = op.Periodic ? null : i < op.Left.Length ? op.Left[i] : i >= n - op.Right.Length ? op.Right[i - (n - op.Right.Length)] : null;
            double s = 0;
            if (row is not null)
            {
                for (int k = 0; k < row.Cols.Length; k++) { j[op.Axis] = row.Cols[k]; s += row.Weights[k] * At(j); }
                return s + row.Bias;
            }
            int r = op.Interior.Length / 2;
            for (int o = -r; o <= r; o++)
            {
                j[op.Axis] = ((i + o) % n + n) % n;
                s += op.Interior[o + r] * At(j);
            }
            return s;
        }
    }

    private static StencilRow[] Rows(System.Random rng, int count, int n)
    {
        var rows = new StencilRow[count];
        for (int k = 0; k < count; k++)
        {
            var cols = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(1 + rng.Next(Math.Min(3, n))).ToArray();
            rows[k] = new StencilRow(cols, cols.Select(_ => rng.NextDouble() * 2 - 1).ToArray(), rng.NextDouble() - 0.5);
        }
        return rows;
    }

    /// <summary>Boundary rows whose columns lie within ±2 nodes of the row (as the layer's closures do).</summary>
    private static StencilRow[] NearRows(System.Random rng, int count, int n, bool right)
    {
        var rows = new StencilRow[count];
        for (int k = 0; k < count; k++)
        {
            int i = right ? n - count + k : k;
            var cols = Enumerable.Range(i - 2, 5).Where(c => c >= 0 && c < n).OrderBy(_ => rng.Next()).Take(2 + rng.Next(2)).ToArray();
            rows[k] = new StencilRow(cols, cols.Select(_ => rng.NextDouble() * 2 - 1).ToArray(), rng.NextDouble() - 0.5);
        }
        return rows;
    }

    private static void Run(DeviceContext d, Case c, StencilProgram program, double[][] x, bool allowTiled, StencilPath expected)
    {
        var reference = c.Evaluate(x);
        double scale = 1 + reference.Max(Math.Abs);

        var dx = x.Select(a => d.Up(a)).ToArray();
        using var dy = d.Alloc<double>(reference.Length);
        Assert.Equal(expected, d.Ops.Stencil(program, dx.Select(b => (ILGPU.ArrayView<double>)b.View).ToArray(), dy.View, c.Batch, allowTiled));
        var y = d.Down(dy.View);
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - reference[i]) <= 1e-12 * scale, $"f64 {expected} element {i}: {y[i]:R} vs {reference[i]:R}");

        var fx = x.Select(a => d.Up(Ref.F(a))).ToArray();
        using var fy = d.Alloc<float>(reference.Length);
        Assert.Equal(expected, d.Ops.Stencil(program, fx.Select(b => (ILGPU.ArrayView<float>)b.View).ToArray(), fy.View, c.Batch, allowTiled));
        var yf = d.Down(fy.View);
        for (int i = 0; i < yf.Length; i++) Assert.True(Math.Abs(yf[i] - reference[i]) <= 1e-5 * scale, $"f32 {expected} element {i}: {yf[i]:R} vs {reference[i]:R}");
        foreach (var b in dx) b.Dispose();
        foreach (var b in fx) b.Dispose();
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void TiledKernelMatchesReference2D(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(5);
        var c = new Case(new[] { 13, 21 }, new[] { 1, 1 }, outComps: 2, batch: 2);
        int a = c.Add(new Op(0, new[] { 1.5, -3.0, 1.5 }, true, Array.Empty<StencilRow>(), Array.Empty<StencilRow>()));
        int b4 = c.Add(new Op(1, new[] { -1 / 12.0, 16 / 12.0, -30 / 12.0, 16 / 12.0, -1 / 12.0 }, false, Rows(rng, 2, 21), Rows(rng, 2, 21)));
        c.Terms.Add(new Term(0, 0.7, new StencilFactor(0, 0, a), null));
        c.Terms.Add(new Term(0, 1.3, new StencilFactor(0, 0, b4), null));
        c.Terms.Add(new Term(0, -1, new StencilFactor(1, 0), null));
        c.Terms.Add(new Term(1, 2, new StencilFactor(0, 0, b4), null));
        c.Terms.Add(new Term(1, 0.5, new StencilFactor(0, 0), null));
        var program = c.Build();
        Assert.NotNull(program.Tiling);
        Assert.NotNull(d.Ops.StencilTile(program));
        var x = c.Inputs(rng);
        Run(d, c, program, x, allowTiled: true, StencilPath.Tiled);
        Run(d, c, program, x, allowTiled: false, StencilPath.General);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void TiledKernelMatchesReference3D(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(9);
        var c = new Case(new[] { 5, 7, 9 }, new[] { 2 }, outComps: 3, batch: 2);
        int z = c.Add(new Op(0, new[] { 0.25, -0.5, 0.25 }, false, Rows(rng, 1, 5), Rows(rng, 2, 5)));
        int y = c.Add(new Op(1, new[] { -0.5, 0, 0.5 }, true, Array.Empty<StencilRow>(), Array.Empty<StencilRow>()));
        int x2 = c.Add(new Op(2, new[] { 0.0, -1, 1 }, false, Rows(rng, 1, 9), Rows(rng, 1, 9)));
        for (int o = 0; o < 3; o++)
        {
            c.Terms.Add(new Term(o, 1 + o, new StencilFactor(0, 1, new[] { z, y, x2 }[o]), null));
            c.Terms.Add(new Term(o, -0.3, new StencilFactor(0, 1, z), null));
            c.Terms.Add(new Term(o, 0.1 * o, new StencilFactor(0, 0), null));
        }
        var program = c.Build();
        Assert.Equal(1, program.Tiling!.SourceComp);
        var x = c.Inputs(rng);
        Run(d, c, program, x, allowTiled: true, StencilPath.Tiled);
        Run(d, c, program, x, allowTiled: false, StencilPath.General);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void TiledKernelEvaluatesBoundaryRowsWithinTheHaloFromTheTile(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(17);
        var c = new Case(new[] { 10, 17 }, new[] { 1 }, outComps: 1, batch: 2);
        int a = c.Add(new Op(0, new[] { 1.0, -2, 1 }, false, NearRows(rng, 2, 10, false), NearRows(rng, 1, 10, true)));
        int b = c.Add(new Op(1, new[] { -0.5, 0, 0.5 }, false, NearRows(rng, 1, 17, false), NearRows(rng, 3, 17, true)));
        c.Terms.Add(new Term(0, 0.8, new StencilFactor(0, 0, a), null));
        c.Terms.Add(new Term(0, -1.7, new StencilFactor(0, 0, b), null));
        var program = c.Build();
        // The whole grid is evaluated from tiles (no general-path box), with the halo widened to the rows' reach.
        Assert.Equal(new[] { 0, 0, 0 }, program.Tiling!.Lo);
        Assert.Equal(new[] { 1, 10, 17 }, program.Tiling.Hi);
        Assert.Equal(2, program.Tiling.Halo.Max());
        var x = c.Inputs(rng);
        Run(d, c, program, x, allowTiled: true, StencilPath.Tiled);
        Run(d, c, program, x, allowTiled: false, StencilPath.General);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void GeneralKernelHandlesBilinearTermsAndPackedFields(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(13);
        var comps = new[] { 1, 2, 1, 3, 1, 2 };
        var c = new Case(new[] { 11 }, comps, outComps: 2, batch: 3);
        int op = c.Add(new Op(0, new[] { 1.0, -2, 1 }, false, Rows(rng, 1, 11), Rows(rng, 1, 11)));
        int per = c.Add(new Op(0, new[] { -1 / 12.0, 16 / 12.0, -30 / 12.0, 16 / 12.0, -1 / 12.0 }, true, Array.Empty<StencilRow>(), Array.Empty<StencilRow>()));
        c.Terms.Add(new Term(0, 0.5, new StencilFactor(3, 2, op), new StencilFactor(5, 1)));
        c.Terms.Add(new Term(0, -1, new StencilFactor(4, 0, per), null));
        c.Terms.Add(new Term(1, 2, new StencilFactor(1, 1), new StencilFactor(0, 0, per)));
        c.Terms.Add(new Term(1, 1, new StencilFactor(2, 0, op), new StencilFactor(3, 0, op)));
        var program = c.Build();
        Assert.Null(program.Tiling);
        Run(d, c, program, c.Inputs(rng), allowTiled: true, StencilPath.General);
    }
}
