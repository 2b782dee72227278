using SciKernels.Kernels.MatMul;
using Xunit;

namespace SciKernels.Kernels.Tests;

public class MatMulTests
{
    private static double[] Reference(double[] a, double[] b, double[] c0, GemmArgs g, double alpha, double beta, int cLen)
    {
        var c = (double[])c0.Clone();
        for (int bt = 0; bt < g.Batch; bt++)
            for (int m = 0; m < g.M; m++)
                for (int n = 0; n < g.N; n++)
                {
                    double s = 0;
                    for (int k = 0; k < g.K; k++)
                        s += a[g.AOffset + bt * g.ABatch + m * g.ARow + k * g.ACol] * b[g.BOffset + bt * g.BBatch + k * g.BRow + n * g.BCol];
                    int ci = g.COffset + bt * g.CBatch + m * g.CRow + n * g.CCol;
                    c[ci] = alpha * s + (beta != 0 ? beta * c[ci] : 0);
                }
        return c;
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void GemmMatchesReferenceForStridedTransposedBatched(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(5);
        var cases = new (int M, int N, int K, int Batch, bool TA, bool TB, bool BroadcastB, double Alpha, double Beta)[]
        {
            (1, 1, 1, 1, false, false, false, 1, 0),
            (70, 67, 33, 1, false, false, false, 1, 0),   // crosses 64-tiles and 16-deep K slabs
            (13, 9, 20, 3, true, false, false, 1, 0),     // A transposed view, batched
            (17, 30, 5, 2, false, true, true, 0.5, 2),    // B transposed + broadcast over batch, alpha/beta
            (5, 7, 0, 1, false, false, false, 1, 0),      // K = 0 -> zeros
        };
        foreach (var t in cases)
        {
            int aLen = t.Batch * t.M * t.K + 3, bLen = (t.BroadcastB ? 1 : t.Batch) * t.K * t.N + 2, cLen = t.Batch * t.M * t.N + 1;
            var a = Ref.Rand(rng, aLen); var b = Ref.Rand(rng, bLen); var c = Ref.Rand(rng, cLen);
            var g = new GemmArgs(t.M, t.N, t.K, t.Batch,
                t.M * t.K, t.TA ? 1 : t.K, t.TA ? t.M : 1, 3,
                t.BroadcastB ? 0 : t.K * t.N, t.TB ? 1 : t.N, t.TB ? t.K : 1, 2,
                t.M * t.N, t.N, 1, 1);
            var expected = Reference(a, b, c, g, t.Alpha, t.Beta, cLen);
            string what = $"gemm {t}";

            using var da = d.Up(a); using var db = d.Up(b); using var dc = d.Up(c);
            d.Ops.Gemm(da.View, db.View, dc.View, g, t.Alpha, t.Beta);
            ElementwiseTests.AssertClose(expected, d.Down(dc.View.SubView(0, cLen)), 1e-12, 1e-12, what + " f64");

            using var fa = d.Up(Ref.F(a)); using var fb = d.Up(Ref.F(b)); using var fc = d.Up(Ref.F(c));
            d.Ops.Gemm(fa.View, fb.View, fc.View, g, (float)t.Alpha, (float)t.Beta);
            ElementwiseTests.AssertClose(expected, d.Down(fc.View.SubView(0, cLen)).Select(v => (double)v).ToArray(), 1e-4, 1e-4, what + " f32");
        }
    }
}
