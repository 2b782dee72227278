using FsCheck;
using FsCheck.Fluent;
using SciKernels.Kernels.Indexing;
using SciKernels.Kernels.Layout;
using Xunit;

namespace SciKernels.Kernels.Tests;

public class IndexingTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void GatherAndScatterMatchReference(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(3);
        foreach (var (outer, dim, inner, nIdx) in new[] { (1, 5, 1, 8), (3, 4, 2, 6), (2, 7, 3, 1) })
        {
            var x = Ref.Rand(rng, outer * dim * inner);
            var idx = Enumerable.Range(0, nIdx).Select(_ => rng.Next(dim)).ToArray();

            // index_select
            var sel = new double[outer * nIdx * inner];
            for (int o = 0; o < outer; o++) for (int j = 0; j < nIdx; j++) for (int i = 0; i < inner; i++)
                sel[(o * nIdx + j) * inner + i] = x[(o * dim + idx[j]) * inner + i];
            using var dx = d.Up(x); using var didx = d.Up(idx.Select(v => (long)v).ToArray()); using var dsel = d.Alloc<double>(sel.Length);
            d.Ops.IndexSelect<double>(dx.View, didx.View, dsel.View.SubView(0, sel.Length), dim, inner);
            Assert.Equal(sel, d.Down(dsel.View.SubView(0, sel.Length)));
            using var fx = d.Up(Ref.F(x)); using var fsel = d.Alloc<float>(sel.Length);
            d.Ops.IndexSelect<float>(fx.View, didx.View, fsel.View.SubView(0, sel.Length), dim, inner);
            Assert.Equal(Ref.F(sel), d.Down(fsel.View.SubView(0, sel.Length)));

            // index_add (segment sum over rows): src [outer, nIdx, inner] -> y [outer, dim, inner], accumulate onto y0
            var src = Ref.Rand(rng, outer * nIdx * inner);
            var y0 = Ref.Rand(rng, outer * dim * inner);
            var expAdd = (double[])y0.Clone();
            for (int o = 0; o < outer; o++) for (int j = 0; j < nIdx; j++) for (int i = 0; i < inner; i++)
                expAdd[(o * dim + idx[j]) * inner + i] += src[(o * nIdx + j) * inner + i];
            var plan = CsrPlan.Build(idx, dim);
            using var dperm = d.Up(plan.Perm); using var doff = d.Up(plan.Offsets);
            using var dsrc = d.Up(src); using var dy = d.Up(y0);
            d.Ops.SegmentSumRows(dsrc.View, dperm.View.SubView(0, plan.Perm.Length), doff.View, dy.View.SubView(0, y0.Length), nIdx, inner, accumulate: true);
            ElementwiseTests.AssertClose(expAdd, d.Down(dy.View.SubView(0, y0.Length)), 1e-14, 1e-14, "index_add f64");
            using var fsrc = d.Up(Ref.F(src)); using var fy = d.Alloc<float>(y0.Length);
            d.Ops.SegmentSumRows(fsrc.View, dperm.View.SubView(0, plan.Perm.Length), doff.View, fy.View.SubView(0, y0.Length), nIdx, inner, accumulate: false);
            var expSeg = new double[y0.Length];
            for (int l = 0; l < y0.Length; l++) expSeg[l] = expAdd[l] - y0[l];
            ElementwiseTests.AssertClose(expSeg, d.Down(fy.View.SubView(0, y0.Length)).Select(v => (double)v).ToArray(), 1e-5, 1e-5, "segment_sum f32");

            // gather along dim + scatter_add along dim (full index tensors)
            var gidx = Enumerable.Range(0, outer * nIdx * inner).Select(_ => rng.Next(dim)).ToArray();
            var gexp = new double[gidx.Length];
            var sexp = new double[outer * dim * inner];
            for (int o = 0; o < outer; o++) for (int j = 0; j < nIdx; j++) for (int i = 0; i < inner; i++)
            {
                int l = (o * nIdx + j) * inner + i;
                gexp[l] = x[(o * dim + gidx[l]) * inner + i];
                sexp[(o * dim + gidx[l]) * inner + i] += src[l];
            }
            using var dg = d.Up(gidx.Select(v => (long)v).ToArray()); using var dgo = d.Alloc<double>(gidx.Length);
            // x's strides over the index shape [outer, nIdx, inner], 0 on the gathered dimension
            d.Ops.GatherAlongDim<double>(dx.View, dg.View.SubView(0, gidx.Length), dgo.View.SubView(0, gidx.Length),
                Shape6.From([outer, nIdx, inner]), Strides6.From([dim * inner, 0, 1]), inner, dim);
            Assert.Equal(gexp, d.Down(dgo.View.SubView(0, gidx.Length)));
            var splan = CsrPlan.ForScatterAlongDim(gidx, outer, nIdx, inner, dim);
            using var sperm = d.Up(splan.Perm); using var soff = d.Up(splan.Offsets); using var so = d.Alloc<double>(sexp.Length);
            d.Ops.CsrScatterSum(dsrc.View, sperm.View.SubView(0, splan.Perm.Length), soff.View.SubView(0, splan.Offsets.Length), so.View.SubView(0, sexp.Length), accumulate: false);
            ElementwiseTests.AssertClose(sexp, d.Down(so.View.SubView(0, sexp.Length)), 1e-14, 1e-14, "scatter_add f64");
            using var fso = d.Alloc<float>(sexp.Length);
            d.Ops.CsrScatterSum(fsrc.View, sperm.View.SubView(0, splan.Perm.Length), soff.View.SubView(0, splan.Offsets.Length), fso.View.SubView(0, sexp.Length), accumulate: false);
            ElementwiseTests.AssertClose(sexp, d.Down(fso.View.SubView(0, sexp.Length)).Select(v => (double)v).ToArray(), 1e-5, 1e-5, "scatter_add f32");
        }
    }

    /// <summary>Host-only property: the CSR plan is a stable grouping of sources by target.</summary>
    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property CsrPlanIsStableGrouping(int[] raw, PositiveInt targetsRaw)
    {
        int numTargets = Math.Min(targetsRaw.Get, 50);
        var targets = (raw ?? []).Select(v => (int)((uint)v % (uint)numTargets)).ToArray();
        var plan = CsrPlan.Build(targets, numTargets);
        bool ok = plan.Offsets.Length == numTargets + 1 && plan.Offsets[0] == 0 && plan.Offsets[^1] == targets.Length;
        for (int t = 0; ok && t < numTargets; t++)
        {
            var seg = plan.Perm[plan.Offsets[t]..plan.Offsets[t + 1]];
            var expected = Enumerable.Range(0, targets.Length).Where(j => targets[j] == t).ToArray();
            ok = seg.SequenceEqual(expected);
        }
        return ok.ToProperty();
    }
}
