using SciKernels.Kernels.Functors;
using Xunit;

namespace SciKernels.Kernels.Tests;

public class ReductionTests
{
    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void ReduceAllMatchesReferenceAndIsDeterministic(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(7);
        foreach (int n in new[] { 1, 5, 300, 2500 })
        {
            var x = Ref.Rand(rng, n);
            using var dx = d.Up(x); using var r = d.Alloc<double>(1);
            d.Ops.ReduceAll<double, Identity, SumReduce>(dx.View, r.View);
            double s1 = d.Down(r.View)[0];
            Assert.Equal(x.Sum(), s1, 1e-10);
            d.Ops.ReduceAll<double, Identity, SumReduce>(dx.View, r.View);
            Assert.Equal(BitConverter.DoubleToInt64Bits(s1), BitConverter.DoubleToInt64Bits(d.Down(r.View)[0]));
            d.Ops.ReduceAll<double, Identity, MaxReduce>(dx.View, r.View);
            Assert.Equal(x.Max(), d.Down(r.View)[0]);
            d.Ops.ReduceAll<double, Identity, MinReduce>(dx.View, r.View);
            Assert.Equal(x.Min(), d.Down(r.View)[0]);
            d.Ops.ReduceAll<double, Square, SumReduce>(dx.View, r.View);
            Assert.Equal(x.Sum(v => v * v), d.Down(r.View)[0], 1e-9);

            var xf = Ref.F(x);
            using var fx = d.Up(xf); using var fr = d.Alloc<float>(1);
            d.Ops.ReduceAll<float, Identity, SumReduce>(fx.View, fr.View);
            Assert.Equal(xf.Sum(v => (double)v), d.Down(fr.View)[0], 1e-3);
            d.Ops.ReduceAll<float, Identity, MaxReduce>(fx.View, fr.View);
            Assert.Equal(xf.Max(), d.Down(fr.View)[0]);
            d.Ops.ReduceAll<float, Abs, SumReduce>(fx.View, fr.View);
            Assert.Equal(xf.Sum(v => Math.Abs((double)v)), d.Down(fr.View)[0], 1e-3);
        }
        // empty input yields the identity
        using var e = d.Alloc<double>(1); using var er = d.Alloc<double>(1);
        d.Ops.ReduceAll<double, Identity, SumReduce>(e.View.SubView(0, 0), er.View);
        Assert.Equal(0.0, d.Down(er.View)[0]);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void ReduceAxisBothStrategiesMatchReference(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(11);
        foreach (var (outer, axis, inner) in new[] { (1, 1, 1), (3, 7, 5), (2, 300, 3), (4, 40, 1), (1, 600, 2) })
        {
            var x = Ref.Rand(rng, outer * axis * inner);
            var sum = new double[outer * inner]; var max = new double[outer * inner]; var min = new double[outer * inner];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    var vals = Enumerable.Range(0, axis).Select(k => x[(o * axis + k) * inner + i]).ToArray();
                    sum[o * inner + i] = vals.Sum(); max[o * inner + i] = vals.Max(); min[o * inner + i] = vals.Min();
                }
            using var dx = d.Up(x); using var dy = d.Alloc<double>(outer * inner);
            var y = dy.View.SubView(0, outer * inner);
            d.Ops.ReduceAxisPerGroup<double, Identity, SumReduce>(dx.View, y, axis, inner);
            ElementwiseTests.AssertClose(sum, d.Down(y), 1e-12, 1e-12, "sum/group");
            d.Ops.ReduceAxisPerThread<double, Identity, SumReduce>(dx.View, y, axis, inner);
            ElementwiseTests.AssertClose(sum, d.Down(y), 1e-12, 1e-12, "sum/thread");
            d.Ops.ReduceAxis<double, Identity, MaxReduce>(dx.View, y, outer, axis, inner);
            ElementwiseTests.AssertClose(max, d.Down(y), 0, 0, "max");
            d.Ops.ReduceAxis<double, Identity, MinReduce>(dx.View, y, outer, axis, inner);
            ElementwiseTests.AssertClose(min, d.Down(y), 0, 0, "min");

            using var fx = d.Up(Ref.F(x)); using var fy = d.Alloc<float>(outer * inner);
            var yf = fy.View.SubView(0, outer * inner);
            d.Ops.ReduceAxisPerGroup<float, Identity, SumReduce>(fx.View, yf, axis, inner);
            ElementwiseTests.AssertClose(sum, d.Down(yf).Select(v => (double)v).ToArray(), 1e-4, 1e-3, "sum/group f32");
            d.Ops.ReduceAxisPerThread<float, Identity, MaxReduce>(fx.View, yf, axis, inner);
            ElementwiseTests.AssertClose(Ref.F(max), d.Down(yf), 0, 0, "max/thread f32");
        }
    }

    /// <summary>Host folds with the chosen semantics: the sum from +0, max/min as IEEE 754-2019 (Math.Max/Min).</summary>
    private static double Fold(double[] v, Func<double, double, double> f, double init) => v.Aggregate(init, f);

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void ReductionsOnSpecialValues(string backend)
    {
        var d = Backends.Get(backend);
        foreach (bool float32 in new[] { false, true })
        {
            var sp = ElementwiseTests.Specials(float32);
            // Rows: one special among ordinary values (at the start, middle, end), all signed zeros, all specials.
            var rows = new List<double[]>();
            var rng = new System.Random(3);
            foreach (var s in sp)
                foreach (int at in new[] { 0, 150, 299 })
                {
                    var r = Ref.Rand(rng, 300);
                    r[at] = s;
                    rows.Add(r);
                }
            rows.Add(new[] { -0.0, -0.0, -0.0 });
            rows.Add(new[] { -0.0, 0.0, -0.0 });
            rows.Add(sp);
            foreach (var row in rows)
            {
                var x = float32 ? Ref.F(row).Select(v => (double)v).ToArray() : row;
                var expect = new[] { Fold(x, (a, b) => a + b, 0.0), Fold(x, Math.Max, double.NegativeInfinity), Fold(x, Math.Min, double.PositiveInfinity) };
                var got = new double[3];
                if (float32)
                {
                    using var fx = d.Up(Ref.F(x)); using var fr = d.Alloc<float>(1);
                    d.Ops.ReduceAll<float, Identity, SumReduce>(fx.View, fr.View); got[0] = d.Down(fr.View)[0];
                    d.Ops.ReduceAll<float, Identity, MaxReduce>(fx.View, fr.View); got[1] = d.Down(fr.View)[0];
                    d.Ops.ReduceAll<float, Identity, MinReduce>(fx.View, fr.View); got[2] = d.Down(fr.View)[0];
                }
                else
                {
                    using var dx = d.Up(x); using var r = d.Alloc<double>(1);
                    d.Ops.ReduceAll<double, Identity, SumReduce>(dx.View, r.View); got[0] = d.Down(r.View)[0];
                    d.Ops.ReduceAll<double, Identity, MaxReduce>(dx.View, r.View); got[1] = d.Down(r.View)[0];
                    d.Ops.ReduceAll<double, Identity, MinReduce>(dx.View, r.View); got[2] = d.Down(r.View)[0];
                }
                ElementwiseTests.AssertClose(expect, got, float32 ? 1e-4 : 1e-12, float32 ? 1e-3 : 1e-12, $"sum/max/min of [{string.Join(", ", x.Take(4))}, ...] ({(float32 ? "f32" : "f64")})");

                // The same row as an axis of length n, both strategies (per group and per thread).
                using var ax = d.Up(x); using var ay = d.Alloc<double>(1);
                d.Ops.ReduceAxisPerGroup<double, Identity, MaxReduce>(ax.View, ay.View.SubView(0, 1), x.Length, 1);
                ElementwiseTests.AssertClose(new[] { Fold(x, Math.Max, double.NegativeInfinity) }, d.Down(ay.View.SubView(0, 1)), 0, 0, "max/group");
                d.Ops.ReduceAxisPerThread<double, Identity, MinReduce>(ax.View, ay.View.SubView(0, 1), x.Length, 1);
                ElementwiseTests.AssertClose(new[] { Fold(x, Math.Min, double.PositiveInfinity) }, d.Down(ay.View.SubView(0, 1)), 0, 0, "min/thread");
            }
        }
    }
}
