using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Layout;
using Xunit;

namespace SciKernels.Kernels.Tests;

public class StridedTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void BroadcastBinaryUnaryWhereMatchReference(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(1234);
        for (int trial = 0; trial < 6; trial++)
        {
            int rank = rng.Next(1, 7);
            var shape = Ref.RandShape(rng, rank, 4);
            // broadcast operands: randomly set dims to 1, drop leading dims
            int[] Bcast(int[] s)
            {
                int drop = rng.Next(0, s.Length);
                return s.Skip(drop).Select(v => rng.Next(3) == 0 ? 1 : v).ToArray();
            }
            var sa = Bcast(shape); var sb = Bcast(shape); var sc = Bcast(shape);
            var a = Ref.Rand(rng, Ref.Prod(sa)); var b = Ref.Rand(rng, Ref.Prod(sb));
            var c = Ref.Rand(rng, Ref.Prod(sc)).Select(v => v > 0 ? 1.0 : 0.0).ToArray();
            int n = Ref.Prod(shape);
            var st = Shape6.From(shape);
            var stA = Strides6.Broadcast(sa, Ref.Contiguous(sa));
            var stB = Strides6.Broadcast(sb, Ref.Contiguous(sb));
            var stC = Strides6.Broadcast(sc, Ref.Contiguous(sc));
            int[] Bs(int[] s) => Ref.Contiguous(s).Select((v, i) => s[i] == 1 ? 0 : v).ToArray();
            double At(double[] x, int[] s, int l) => x[Ref.Offset(shape.Skip(shape.Length - s.Length).ToArray(), Bs(s), 0, l % Ref.Prod(shape.Skip(shape.Length - s.Length).ToArray()))];

            var expMul = new double[n]; var expWhere = new double[n]; var expExp = new double[n];
            for (int l = 0; l < n; l++)
            {
                expMul[l] = At(a, sa, l) * At(b, sb, l);
                expWhere[l] = At(c, sc, l) != 0 ? At(a, sa, l) : At(b, sb, l);
                expExp[l] = Math.Exp(At(a, sa, l));
            }

            using var da = d.Up(a); using var db = d.Up(b); using var dc = d.Up(c); using var dy = d.Alloc<double>(n);
            d.Ops.BinaryStrided<double, Mul>(da.View, db.View, dy.View.SubView(0, n), st, stA, stB);
            ElementwiseTests.AssertClose(expMul, d.Down(dy.View.SubView(0, n)), 1e-14, 1e-14, $"mul {string.Join(",", shape)}");
            d.Ops.WhereStrided(dc.View, da.View, db.View, dy.View.SubView(0, n), st, stC, stA, stB);
            ElementwiseTests.AssertClose(expWhere, d.Down(dy.View.SubView(0, n)), 0, 0, "where");
            d.Ops.UnaryStrided<double, UnaryOf<SciKernels.Functions.Exp>>(da.View, dy.View.SubView(0, n), st, stA);
            ElementwiseTests.AssertClose(expExp, d.Down(dy.View.SubView(0, n)), 1e-13, 1e-13, "exp strided");

            using var fa = d.Up(Ref.F(a)); using var fb = d.Up(Ref.F(b)); using var fc = d.Up(Ref.F(c)); using var fy = d.Alloc<float>(n);
            d.Ops.BinaryStrided<float, Mul>(fa.View, fb.View, fy.View.SubView(0, n), st, stA, stB);
            ElementwiseTests.AssertClose(Ref.F(expMul), d.Down(fy.View.SubView(0, n)), 1e-6, 1e-6, "mul f32");
            d.Ops.WhereStrided(fc.View, fa.View, fb.View, fy.View.SubView(0, n), st, stC, stA, stB);
            ElementwiseTests.AssertClose(Ref.F(expWhere), d.Down(fy.View.SubView(0, n)), 0, 0, "where f32");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void CopyTransposeFillCastWhereContiguous(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(99);
        for (int trial = 0; trial < 4; trial++)
        {
            int rank = rng.Next(2, 7);
            var shape = Ref.RandShape(rng, rank, 4);
            int n = Ref.Prod(shape);
            var x = Ref.Rand(rng, n);
            // random permutation view of a contiguous source of shape `shape`
            var perm = Enumerable.Range(0, rank).OrderBy(_ => rng.Next()).ToArray();
            var src = Ref.Contiguous(shape);
            var pShape = perm.Select(p => shape[p]).ToArray();
            var pStrides = perm.Select(p => src[p]).ToArray();
            var expected = new double[n];
            for (int l = 0; l < n; l++) expected[l] = x[Ref.Offset(pShape, pStrides, 0, l)];

            using var dx = d.Up(x); using var dy = d.Alloc<double>(n);
            d.Ops.CopyStrided<double>(dx.View, dy.View, Shape6.From(pShape), Strides6.From(pStrides), Shape6.From(pShape).ContiguousStrides());
            ElementwiseTests.AssertClose(expected, d.Down(dy.View.SubView(0, n)), 0, 0, "transpose copy");

            using var fx = d.Up(Ref.F(x)); using var fy = d.Alloc<float>(n);
            d.Ops.CopyStrided<float>(fx.View, fy.View, Shape6.From(pShape), Strides6.From(pStrides), Shape6.From(pShape).ContiguousStrides());
            ElementwiseTests.AssertClose(Ref.F(expected), d.Down(fy.View.SubView(0, n)), 0, 0, "transpose copy f32");
        }

        // strided destination (slice assignment: every other element, offset 1)
        {
            var x = Ref.Rand(rng, 7);
            using var dx = d.Up(x); using var dy = d.Up(new double[16]);
            d.Ops.CopyStrided<double>(dx.View, dy.View, Shape6.From([7]), Strides6.From([1]), Strides6.From([2], 1));
            var got = d.Down(dy.View);
            for (int i = 0; i < 7; i++) Assert.Equal(x[i], got[1 + 2 * i]);
            Assert.Equal(0.0, got[0]);
        }

        using var f = d.Alloc<float>(37);
        d.Ops.Fill(f.View, 2.5f);
        Assert.All(d.Down(f.View), v => Assert.Equal(2.5f, v));
        using var g = d.Alloc<double>(37);
        d.Ops.Fill(g.View, -1.25);
        Assert.All(d.Down(g.View), v => Assert.Equal(-1.25, v));
        d.Ops.Cast(f.View, g.View);
        Assert.All(d.Down(g.View), v => Assert.Equal(2.5, v));
        d.Ops.Fill(g.View, 1.0 / 3);
        d.Ops.Cast(g.View, f.View);
        Assert.All(d.Down(f.View), v => Assert.Equal((float)(1.0 / 3), v));

        var cond = new[] { 1.0, 0, 0, 1, 1 }; var a = new[] { 1.0, 2, 3, 4, 5 }; var b = new[] { -1.0, -2, -3, -4, -5 };
        using var dcond = d.Up(cond); using var da = d.Up(a); using var db = d.Up(b); using var dout = d.Alloc<double>(5);
        d.Ops.Where(dcond.View, da.View, db.View, dout.View);
        Assert.Equal(new[] { 1.0, -2, -3, 4, 5 }, d.Down(dout.View));
        using var fcond = d.Up(Ref.F(cond)); using var fa = d.Up(Ref.F(a)); using var fb = d.Up(Ref.F(b)); using var fout = d.Alloc<float>(5);
        d.Ops.Where(fcond.View, fa.View, fb.View, fout.View);
        Assert.Equal(new[] { 1f, -2, -3, 4, 5 }, d.Down(fout.View));
    }
}
