using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SciKernels.Tests.Support;
using Xunit;
using static SciKernels.Tests.Support.TensorGen;

namespace SciKernels.Tests.Core;

/// <summary>
/// Forward values of ops against straightforward host references (nested loops in double), in
/// float32 and float64, on contiguous, transposed (strided), expanded and empty inputs.
/// </summary>
public class ForwardReferenceProperties
{
    private const int N = 40;

    /// <summary>How an operand is laid out in storage.</summary>
    public enum Layout { Contiguous, Permuted, Expanded, Narrowed }

    private static readonly Gen<DType> Floats = Gen.Elements(DType.Float32, DType.Float64);
    private static readonly Gen<Layout> Layouts = Gen.Elements(Layout.Contiguous, Layout.Permuted, Layout.Expanded, Layout.Narrowed);

    /// <summary>
    /// A tensor with logical values <paramref name="v"/> in the requested layout: a permuted view of a
    /// differently ordered buffer, a stride-0 expansion of a smaller tensor, or a narrowed view at an offset.
    /// </summary>
    private static Tensor Make(TensorValue v, DType dtype, Layout layout)
    {
        var shape = v.Shape;
        int r = shape.Length;
        switch (layout)
        {
            case Layout.Permuted when r >= 2:
                return Ref.Strided(v.Values, shape, Enumerable.Range(0, r).Reverse().ToArray(), dtype);
            case Layout.Expanded when r >= 1 && shape[0] > 0:
            {
                // Replace the values by those of row 0 broadcast along dim 0 (the reference sees the same).
                int inner = v.Values.Length / shape[0];
                var row = v.Values.Take(inner).ToArray();
                using var small = Tensor.FromDoubles(row, new[] { 1 }.Concat(shape.Skip(1)).ToArray(), dtype);
                return small.Expand(shape);
            }
            case Layout.Narrowed when r >= 1:
            {
                // A buffer with one extra leading row, narrowed back: offset ≠ 0.
                var big = new int[r];
                shape.CopyTo(big, 0);
                big[0] += 1;
                int inner = TensorValue.Count(shape.Skip(1).ToArray());
                var data = Enumerable.Repeat(999.0, inner).Concat(v.Values).ToArray();
                using var b = Tensor.FromDoubles(data, big, dtype);
                return b.Narrow(0, 1, shape[0]);
            }
            default:
                return Tensor.FromDoubles(v.Values, shape, dtype);
        }
    }

    /// <summary>Logical values of what <see cref="Make"/> builds.</summary>
    private static double[] Logical(TensorValue v, DType dtype, Layout layout)
    {
        var vals = v.Values;
        if (layout == Layout.Expanded && v.Shape.Length >= 1 && v.Shape[0] > 0)
        {
            int inner = vals.Length / v.Shape[0];
            vals = Enumerable.Range(0, vals.Length).Select(i => vals[i % Math.Max(inner, 1)]).ToArray();
        }
        return Ref.Round(vals, dtype);
    }

    private static void Expect(double[] expected, int[] shape, Tensor actual, DType dtype, string what)
    {
        Assert.True(actual.Shape.SequenceEqual(shape), $"{what}: shape {Ref.Fmt(actual.Shape.ToArray())}, expected {Ref.Fmt(shape)}");
        Assert.Equal(dtype, actual.DType);
        Ref.Close(expected, actual.ToArray<double>(), Ref.Tol(dtype), what);
    }

    // ---- copies of strided views ----

    [Property(MaxTest = N)]
    public Property ToArrayResolvesLayouts() => Prop.ForAll(Arb.From(
        from v in Any() from dt in Floats from l in Layouts select (v, dt, l)), c =>
    {
        using var scope = TensorScope.Begin();
        var t = Make(c.v, c.dt, c.l);
        Expect(Logical(c.v, c.dt, c.l), c.v.Shape, t.Contiguous(), c.dt, $"Contiguous of {c.l}");
        Expect(Logical(c.v, c.dt, c.l), c.v.Shape, t.Clone(), c.dt, $"Clone of {c.l}");
    });

    // ---- element-wise binary with broadcasting vs nested loops ----

    public static IEnumerable<object[]> BinaryOps() => new[] { "Add", "Sub", "Mul", "Div", "Maximum", "Minimum", "Pow" }.Select(s => new object[] { s });

    private static (Func<Tensor, Tensor, Tensor> Op, Func<double, double, double> Ref, Domain A, Domain B) Binary(string name) => name switch
    {
        "Add" => ((a, b) => a + b, (x, y) => x + y, Domain.Any, Domain.Any),
        "Sub" => ((a, b) => a - b, (x, y) => x - y, Domain.Any, Domain.Any),
        "Mul" => ((a, b) => a * b, (x, y) => x * y, Domain.Any, Domain.Any),
        "Div" => ((a, b) => a / b, (x, y) => x / y, Domain.Any, Domain.AwayFromZero),
        "Maximum" => ((a, b) => a.Maximum(b), Math.Max, Domain.Any, Domain.Any),
        "Minimum" => ((a, b) => a.Minimum(b), Math.Min, Domain.Any, Domain.Any),
        "Pow" => ((a, b) => a.Pow(b), Math.Pow, Domain.Positive, Domain.Any),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void BinaryBroadcastMatchesNestedLoops(string op)
    {
        var (f, r, da, db) = Binary(op);
        var gen = from p in BroadcastPair()
                  from a in Of(p.A, da)
                  from b in Of(p.B, db)
                  from dt in Floats
                  from la in Layouts
                  from lb in Layouts
                  select (a, b, dt, la, lb);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(N), Prop.ForAll(Arb.From(gen), c =>
        {
            using var scope = TensorScope.Begin();
            var av = Logical(c.a, c.dt, c.la);
            var bv = Logical(c.b, c.dt, c.lb);
            var expected = Ref.Round(Ref.Binary(av, c.a.Shape, bv, c.b.Shape, r, out var shape), c.dt);
            var y = f(Make(c.a, c.dt, c.la), Make(c.b, c.dt, c.lb));
            Expect(expected, shape, y, c.dt, $"{op} of {c.a} ({c.la}) and {c.b} ({c.lb}) in {c.dt}");
        }));
    }

    // ---- unary vs System.Math ----

    public static IEnumerable<object[]> UnaryOps() => new[]
    {
        "Neg", "Exp", "Log", "Sqrt", "Abs", "Sin", "Cos", "Tanh", "Sigmoid", "Relu", "Softplus", "Erf", "Gelu", "Silu",
        "Square", "Reciprocal", "Clamp", "Affine", "PowScalar", "Sign",
    }.Select(s => new object[] { s });

    private static (Func<Tensor, Tensor> Op, Func<double, double> Ref, Domain D) Unary(string name) => name switch
    {
        "Neg" => (t => t.Neg(), x => -x, Domain.Any),
        "Exp" => (t => t.Exp(), Math.Exp, Domain.Any),
        "Log" => (t => t.Log(), Math.Log, Domain.Positive),
        "Sqrt" => (t => t.Sqrt(), Math.Sqrt, Domain.Positive),
        "Abs" => (t => t.Abs(), Math.Abs, Domain.Any),
        "Sin" => (t => t.Sin(), Math.Sin, Domain.Any),
        "Cos" => (t => t.Cos(), Math.Cos, Domain.Any),
        "Tanh" => (t => t.Tanh(), Math.Tanh, Domain.Any),
        "Sigmoid" => (t => t.Sigmoid(), x => 1 / (1 + Math.Exp(-x)), Domain.Any),
        "Relu" => (t => t.Relu(), x => Math.Max(x, 0), Domain.Any),
        "Softplus" => (t => t.Softplus(), x => Math.Log(1 + Math.Exp(x)), Domain.Any),
        "Erf" => (t => t.Erf(), ErfSeries, Domain.Any),
        "Gelu" => (t => t.Gelu(), x => 0.5 * x * (1 + ErfSeries(x / Math.Sqrt(2))), Domain.Any),
        "Silu" => (t => t.Silu(), x => x / (1 + Math.Exp(-x)), Domain.Any),
        "Square" => (t => t.Square(), x => x * x, Domain.Any),
        "Reciprocal" => (t => t.Reciprocal(), x => 1 / x, Domain.AwayFromZero),
        "Clamp" => (t => t.Clamp(-0.5, 0.75), x => Math.Min(Math.Max(x, -0.5), 0.75), Domain.Any),
        "Affine" => (t => t.Affine(-1.5, 0.25), x => -1.5 * x + 0.25, Domain.Any),
        "PowScalar" => (t => t.Pow(1.5), x => Math.Pow(x, 1.5), Domain.Positive),
        "Sign" => (t => t.Sign(), x => Math.Sign(x), Domain.Any),
        _ => throw new ArgumentException(name),
    };

    /// <summary>erf by its Maclaurin series (accurate to ~1e-13 for |x| ≤ 2).</summary>
    private static double ErfSeries(double x)
    {
        double sum = 0, term = x;
        for (int n = 0; n < 80; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void UnaryMatchesMath(string op)
    {
        var (f, r, d) = Unary(op);
        var gen = from s in Shape() from v in Of(s, d) from dt in Floats from l in Layouts select (v, dt, l);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(N), Prop.ForAll(Arb.From(gen), c =>
        {
            using var scope = TensorScope.Begin();
            var x = Logical(c.v, c.dt, c.l);
            var expected = Ref.Round(x.Select(r).ToArray(), c.dt);
            Expect(expected, c.v.Shape, f(Make(c.v, c.dt, c.l)), c.dt, $"{op} of {c.v} ({c.l}) in {c.dt}");
        }));
    }

    // ---- matmul vs triple loop ----

    [Property(MaxTest = N)]
    public Property MatMulMatchesTripleLoop() => Prop.ForAll(Arb.From(
        from b1 in Dim(true, 3) from b2 in Dim(true, 3) from m in Dim(true, 5) from k in Dim(true, 5) from n in Dim(true, 5)
        from batchA in Gen.Elements(0, 1, 2) from batchB in Gen.Elements(0, 1, 2)
        from ta in Gen.Elements(false, true) from tb in Gen.Elements(false, true)
        from dt in Floats
        let sa = (batchA == 0 ? new int[0] : batchA == 1 ? new[] { b1 } : new[] { 1, b1 }).Concat(new[] { m, k }).ToArray()
        let sb = (batchB == 0 ? new int[0] : batchB == 1 ? new[] { b1 } : new[] { b2, 1 }).Concat(new[] { k, n }).ToArray()
        from a in Of(sa) from b in Of(sb)
        select (a, b, ta, tb, dt)), c =>
    {
        using var scope = TensorScope.Begin();
        var (a, b) = (c.a, c.b);
        int ra = a.Shape.Length, rb = b.Shape.Length;
        // Transposed operands: storage holds the matrix transposed; the view swaps it back.
        var perm = (int r) => Enumerable.Range(0, r - 2).Concat(new[] { r - 1, r - 2 }).ToArray();
        var at = c.ta ? Ref.Strided(a.Values, a.Shape, perm(ra), c.dt) : a.ToTensor(c.dt);
        var bt = c.tb ? Ref.Strided(b.Values, b.Shape, perm(rb), c.dt) : b.ToTensor(c.dt);
        var av = Ref.Round(a.Values, c.dt);
        var bv = Ref.Round(b.Values, c.dt);
        int m = a.Shape[^2], k = a.Shape[^1], n = b.Shape[^1];
        var batch = Ref.Broadcast(a.Shape[..^2], b.Shape[..^2]);
        var outShape = batch.Concat(new[] { m, n }).ToArray();
        var expected = new double[TensorValue.Count(outShape)];
        for (int i = 0; i < expected.Length; i++)
        {
            var idx = Ref.Unravel(i, outShape);
            int row = idx[^2], col = idx[^1];
            double s = 0;
            for (int p = 0; p < k; p++)
            {
                var ia = idx[..^2].Concat(new[] { row, p }).ToArray();
                var ib = idx[..^2].Concat(new[] { p, col }).ToArray();
                s += Ref.At(av, a.Shape, ia) * Ref.At(bv, b.Shape, ib);
            }
            expected[i] = s;
        }
        var y = at.MatMul(bt);
        Assert.True(y.Shape.SequenceEqual(outShape), $"MatMul {Ref.Fmt(a.Shape)} @ {Ref.Fmt(b.Shape)}: shape {Ref.Fmt(y.Shape.ToArray())}, expected {Ref.Fmt(outShape)}");
        Ref.Close(expected, y.ToArray<double>(), c.dt == DType.Float32 ? 1e-5 * (k + 1) : 1e-12, $"MatMul {Ref.Fmt(a.Shape)}{(c.ta ? "ᵀ" : "")} @ {Ref.Fmt(b.Shape)}{(c.tb ? "ᵀ" : "")} {c.dt}");
    });

    [Property(MaxTest = N)]
    public Property MatMulVectorCases() => Prop.ForAll(Arb.From(
        from m in Dim(true, 5) from k in Dim(true, 5) from dt in Floats
        from a in Of(new[] { m, k }) from u in Of(new[] { k }) from w in Of(new[] { m }) select (a, u, w, dt)), c =>
    {
        using var scope = TensorScope.Begin();
        var (a, u, w, dt) = c;
        int m = a.Shape[0], k = a.Shape[1];
        var av = Ref.Round(a.Values, dt);
        var uv = Ref.Round(u.Values, dt);
        var wv = Ref.Round(w.Values, dt);
        var mv = Enumerable.Range(0, m).Select(i => Enumerable.Range(0, k).Sum(p => av[i * k + p] * uv[p])).ToArray();
        var vm = Enumerable.Range(0, k).Select(j => Enumerable.Range(0, m).Sum(p => wv[p] * av[p * k + j])).ToArray();
        var dot = Enumerable.Range(0, k).Sum(p => uv[p] * uv[p]);
        double tol = dt == DType.Float32 ? 1e-5 * (k + m + 1) : 1e-12;
        var at = a.ToTensor(dt);
        var ut = u.ToTensor(dt);
        Ref.Close(mv, at.MatMul(ut).ToArray<double>(), tol, "matrix·vector");
        Ref.Close(vm, w.ToTensor(dt).MatMul(at).ToArray<double>(), tol, "vector·matrix");
        var d = ut.MatMul(ut);
        Assert.Equal(0, d.Rank);
        Ref.Close(new[] { dot }, d.ToArray<double>(), tol, "vector·vector");
    });

    // ---- reductions ----

    public static IEnumerable<object[]> Reductions() => new[] { "Sum", "Mean", "Max", "Min" }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Reductions))]
    public void ReductionMatchesLoops(string op)
    {
        bool extremum = op is "Max" or "Min";
        var gen = from s in Shape(0, 3, allowEmpty: !extremum)
                  from v in Of(s)
                  from axes in Axes(s.Length)
                  from keep in Gen.Elements(false, true)
                  from dt in Floats
                  from l in Layouts
                  select (v, axes, keep, dt, l);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(N), Prop.ForAll(Arb.From(gen), c =>
        {
            using var scope = TensorScope.Begin();
            var shape = c.v.Shape;
            int r = shape.Length;
            var axes = (c.axes ?? Enumerable.Range(0, r).ToArray()).Select(a => a < 0 ? a + r : a).ToHashSet();
            var x = Logical(c.v, c.dt, c.l);
            var keepShape = shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
            var outShape = c.keep ? keepShape : shape.Where((d, i) => !axes.Contains(i)).ToArray();
            int outN = TensorValue.Count(keepShape);
            var acc = new List<double>[outN];
            for (int i = 0; i < outN; i++) acc[i] = new List<double>();
            for (int i = 0; i < x.Length; i++)
            {
                var idx = Ref.Unravel(i, shape);
                var o = idx.Select((d, j) => axes.Contains(j) ? 0 : d).ToArray();
                acc[Ref.Flat(o, keepShape)].Add(x[i]);
            }
            var expected = acc.Select(l => op switch
            {
                "Sum" => l.Sum(),
                "Mean" => l.Count == 0 ? double.NaN : l.Sum() / l.Count, // empty mean is NaN, as in PyTorch
                "Max" => l.Max(),
                _ => l.Min(),
            }).ToArray();
            var t = Make(c.v, c.dt, c.l);
            var y = op switch
            {
                "Sum" => t.Sum(c.axes, c.keep),
                "Mean" => t.Mean(c.axes, c.keep),
                "Max" => t.Max(c.axes, c.keep),
                _ => t.Min(c.axes, c.keep),
            };
            Expect(Ref.Round(expected, c.dt), outShape, y, c.dt, $"{op} of {c.v} ({c.l}) over {(c.axes is null ? "all" : Ref.Fmt(c.axes))} keepDim={c.keep} in {c.dt}");
        }));
    }

    /// <summary>Pins the empty-inner-dimension case of the CPU reduction (found by the properties above).</summary>
    [Theory]
    [InlineData(new[] { 3, 0 }, 0)]
    [InlineData(new[] { 2, 3, 0 }, 1)]
    [InlineData(new[] { 4, 0, 2 }, 0)]
    public void SumOverAxisBeforeAnEmptyDimensionGivesEmptyResult(int[] shape, int axis)
    {
        using var scope = TensorScope.Begin();
        var y = Tensor.Zeros(shape, DType.Float64).Sum(axis);
        Assert.Equal(shape.Where((_, i) => i != axis).ToArray(), y.Shape.ToArray());
        Assert.Equal(0, y.NumElements);
    }

    [Fact]
    public void SumOverEmptyAxisIsZeroAndMaxThrowsNamingOp()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.Zeros(new[] { 2, 0, 3 }, DType.Float32);
        Assert.Equal(new double[6], x.Sum(1).ToArray<double>());
        Assert.Equal(0.0, x.Sum().Item());
        var e = Assert.Throws<TensorException>(() => x.Max(1));
        Assert.Equal("Max", e.Op);
        Assert.Contains("[2, 0, 3]", e.Message);
    }

    // ---- index ops (duplicate indices), segment sums, concat, where ----

    private static Gen<long[]> Ids(int count, int size) => size == 0 ? Gen.Constant(new long[0]) : Gen.ArrayOf(Gen.Choose(0, size - 1).Select(i => (long)i), count);

    [Property(MaxTest = N)]
    public Property IndexSelectAndIndexAddMatchLoops() => Prop.ForAll(Arb.From(
        from v in Any(minRank: 1) from dt in Floats from l in Layouts
        from d in Gen.Choose(0, v.Shape.Length - 1)
        from m in Gen.Choose(0, 6)
        let cnt = v.Shape[d] == 0 ? 0 : m
        from idx in Ids(cnt, v.Shape[d])
        from src in Of(v.Shape.Select((s, i) => i == d ? cnt : s).ToArray())
        select (v, dt, l, d, idx, src)), c =>
    {
        using var scope = TensorScope.Begin();
        var x = Logical(c.v, c.dt, c.l);
        var shape = c.v.Shape;
        var ys = shape.Select((s, i) => i == c.d ? c.idx.Length : s).ToArray();
        var sel = new double[TensorValue.Count(ys)];
        for (int i = 0; i < sel.Length; i++)
        {
            var o = Ref.Unravel(i, ys);
            o[c.d] = (int)c.idx[o[c.d]];
            sel[i] = x[Ref.Flat(o, shape)];
        }
        var index = Tensor.FromArray(c.idx, c.idx.Length);
        Expect(sel, ys, Make(c.v, c.dt, c.l).IndexSelect(c.d, index), c.dt, $"IndexSelect({c.d}, {string.Join(",", c.idx)}) of {c.v}");

        var add = (double[])x.Clone();
        var sv = Ref.Round(c.src.Values, c.dt);
        for (int i = 0; i < sv.Length; i++)
        {
            var o = Ref.Unravel(i, c.src.Shape);
            o[c.d] = (int)c.idx[o[c.d]];
            add[Ref.Flat(o, shape)] += sv[i];
        }
        Expect(Ref.Round(add, c.dt), shape, Make(c.v, c.dt, c.l).IndexAdd(c.d, index, c.src.ToTensor(c.dt)), c.dt, $"IndexAdd({c.d}, {string.Join(",", c.idx)}) of {c.v}");
    });

    [Property(MaxTest = N)]
    public Property GatherAndScatterAddMatchLoops() => Prop.ForAll(Arb.From(
        from v in Any(minRank: 1) from dt in Floats from l in Layouts
        from d in Gen.Choose(0, v.Shape.Length - 1)
        from ishape in Gen.CollectToArray(v.Shape.Select((s, i) => i == d ? Gen.Choose(0, 3) : Gen.Choose(0, s)))
        let fixedShape = v.Shape[d] == 0 ? ishape.Select((s, i) => i == d ? 0 : s).ToArray() : ishape
        from idx in Ids(TensorValue.Count(fixedShape), v.Shape[d])
        from src in Of(fixedShape)
        select (v, dt, l, d, ishape: fixedShape, idx, src)), c =>
    {
        using var scope = TensorScope.Begin();
        var x = Logical(c.v, c.dt, c.l);
        var shape = c.v.Shape;
        var gathered = new double[c.idx.Length];
        var scattered = (double[])x.Clone();
        var sv = Ref.Round(c.src.Values, c.dt);
        for (int i = 0; i < c.idx.Length; i++)
        {
            var o = Ref.Unravel(i, c.ishape);
            o[c.d] = (int)c.idx[i];
            gathered[i] = x[Ref.Flat(o, shape)];
            scattered[Ref.Flat(o, shape)] += sv[i];
        }
        var index = Tensor.FromSpan<long>(c.idx, c.ishape);
        Expect(gathered, c.ishape, Make(c.v, c.dt, c.l).Gather(c.d, index), c.dt, $"Gather({c.d}) of {c.v}");
        Expect(Ref.Round(scattered, c.dt), shape, Make(c.v, c.dt, c.l).ScatterAdd(c.d, index, c.src.ToTensor(c.dt)), c.dt, $"ScatterAdd({c.d}) of {c.v}");
    });

    [Property(MaxTest = N)]
    public Property SegmentSumMatchesLoop() => Prop.ForAll(Arb.From(
        from v in Any(minRank: 1) from dt in Floats from l in Layouts
        from segs in Gen.Choose(v.Shape[0] == 0 ? 0 : 1, 5)
        from ids in Ids(v.Shape[0], segs)
        select (v, dt, l, segs, ids: ids.OrderBy(i => i).ToArray())), c =>
    {
        using var scope = TensorScope.Begin();
        var x = Logical(c.v, c.dt, c.l);
        int rows = c.v.Shape[0], inner = rows == 0 ? 0 : x.Length / rows;
        var ys = c.v.Shape.Select((s, i) => i == 0 ? c.segs : s).ToArray();
        var expected = new double[TensorValue.Count(ys)];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < inner; j++) expected[c.ids[r] * inner + j] += x[r * inner + j];
        Expect(Ref.Round(expected, c.dt), ys, Make(c.v, c.dt, c.l).SegmentSum(Tensor.FromArray(c.ids, c.ids.Length), c.segs), c.dt, $"SegmentSum({string.Join(",", c.ids)}) of {c.v}");
    });

    [Property(MaxTest = N)]
    public Property ConcatAndStackMatchLoops() => Prop.ForAll(Arb.From(
        from s in Shape(1, 3)
        from d in Gen.Choose(0, s.Length - 1)
        from sizes in Gen.Choose(1, 3).SelectMany(k => Gen.ArrayOf(Gen.Choose(0, 3), k))
        from parts in Gen.CollectToArray(sizes.Select(z => Of(s.Select((x, i) => i == d ? z : x).ToArray())))
        from dt in Floats from l in Layouts
        select (parts, d, dt, l)), c =>
    {
        using var scope = TensorScope.Begin();
        var shapes = c.parts.Select(p => p.Shape).ToArray();
        var ys = shapes[0].Select((x, i) => i == c.d ? shapes.Sum(s => s[c.d]) : x).ToArray();
        var expected = new double[TensorValue.Count(ys)];
        for (int i = 0; i < expected.Length; i++)
        {
            var o = Ref.Unravel(i, ys);
            int p = 0;
            while (o[c.d] >= shapes[p][c.d]) o[c.d] -= shapes[p++][c.d];
            expected[i] = Logical(c.parts[p], c.dt, c.l)[Ref.Flat(o, shapes[p])];
        }
        var y = Tensor.Concat(c.parts.Select(p => Make(p, c.dt, c.l)).ToArray(), c.d);
        Expect(expected, ys, y, c.dt, $"Concat along {c.d} of {string.Join(" ; ", c.parts.Select(p => p.ToString()))}");

        // Stack of equal shapes = Concat of unsqueezed parts.
        var same = c.parts.Select(p => Make(new TensorValue(c.parts[0].Shape, c.parts[0].Values.Select(v => v + Array.IndexOf(c.parts, p)).ToArray()), c.dt, c.l)).ToArray();
        var stacked = Tensor.Stack(same, c.d);
        var st = same.Select(t => t.ToArray<double>()).ToArray();
        var ss = c.parts[0].Shape;
        var stShape = ss.Take(c.d).Append(same.Length).Concat(ss.Skip(c.d)).ToArray();
        var exp2 = new double[TensorValue.Count(stShape)];
        for (int i = 0; i < exp2.Length; i++)
        {
            var o = Ref.Unravel(i, stShape);
            int which = o[c.d];
            var inner = o.Take(c.d).Concat(o.Skip(c.d + 1)).ToArray();
            exp2[i] = st[which][Ref.Flat(inner, ss)];
        }
        Expect(exp2, stShape, stacked, c.dt, $"Stack along {c.d}");
    });

    [Property(MaxTest = N)]
    public Property WhereMatchesLoop() => Prop.ForAll(Arb.From(
        from p in BroadcastPair() from a in Of(p.A) from b in Of(p.B)
        from cs in Gen.Elements(p.A, p.B, Array.Empty<int>())
        from cv in Gen.ArrayOf(Gen.Elements(0.0, 1.0, -2.0), TensorValue.Count(cs))
        from dt in Floats from intCond in Gen.Elements(false, true)
        select (a, b, cond: new TensorValue(cs, cv), dt, intCond)), c =>
    {
        using var scope = TensorScope.Begin();
        var shape = Ref.Broadcast(Ref.Broadcast(c.cond.Shape, c.a.Shape), c.b.Shape);
        var av = Ref.Round(c.a.Values, c.dt);
        var bv = Ref.Round(c.b.Values, c.dt);
        var expected = new double[TensorValue.Count(shape)];
        for (int i = 0; i < expected.Length; i++)
        {
            var idx = Ref.Unravel(i, shape);
            expected[i] = Ref.At(c.cond.Values, c.cond.Shape, idx) != 0 ? Ref.At(av, c.a.Shape, idx) : Ref.At(bv, c.b.Shape, idx);
        }
        var cond = c.cond.ToTensor(c.intCond ? DType.Int64 : c.dt);
        Expect(expected, shape, Tensor.Where(cond, c.a.ToTensor(c.dt), c.b.ToTensor(c.dt)), c.dt, $"Where({c.cond}, {c.a}, {c.b})");
    });

    // ---- views and casts ----

    [Property(MaxTest = N)]
    public Property ViewsMatchIndexArithmetic() => Prop.ForAll(Arb.From(
        from v in Any(minRank: 1) from dt in Floats from l in Layouts
        from perm in Gen.Shuffle(Enumerable.Range(0, v.Shape.Length).ToArray())
        from d in Gen.Choose(0, v.Shape.Length - 1)
        from start in Gen.Choose(0, v.Shape[d])
        from len in Gen.Choose(0, v.Shape[d] - start)
        select (v, dt, l, perm, d, start, len)), c =>
    {
        using var scope = TensorScope.Begin();
        var x = Logical(c.v, c.dt, c.l);
        var shape = c.v.Shape;
        var t = Make(c.v, c.dt, c.l);

        var ps = c.perm.Select(p => shape[p]).ToArray();
        var pe = new double[x.Length];
        for (int i = 0; i < pe.Length; i++)
        {
            var o = Ref.Unravel(i, ps);
            var src = new int[shape.Length];
            for (int k = 0; k < c.perm.Length; k++) src[c.perm[k]] = o[k];
            pe[i] = x[Ref.Flat(src, shape)];
        }
        Expect(pe, ps, t.Permute(c.perm), c.dt, $"Permute({string.Join(",", c.perm)}) of {c.v}");
        Expect(pe, new[] { pe.Length }, t.Permute(c.perm).Reshape(-1), c.dt, "Reshape(-1) of a permuted view");
        Expect(pe, new[] { pe.Length }, t.Permute(c.perm).Flatten(), c.dt, "Flatten of a permuted view");

        var ns = shape.Select((s, i) => i == c.d ? c.len : s).ToArray();
        var ne = new double[TensorValue.Count(ns)];
        for (int i = 0; i < ne.Length; i++)
        {
            var o = Ref.Unravel(i, ns);
            o[c.d] += c.start;
            ne[i] = x[Ref.Flat(o, shape)];
        }
        Expect(ne, ns, t.Narrow(c.d, c.start, c.len), c.dt, $"Narrow({c.d}, {c.start}, {c.len}) of {c.v}");
        Expect(x, shape.Take(c.d).Append(1).Concat(shape.Skip(c.d)).ToArray(), t.Unsqueeze(c.d), c.dt, "Unsqueeze");
        Expect(x, shape.Where(s => s != 1).ToArray(), t.Squeeze(), c.dt, "Squeeze");
        var other = c.dt == DType.Float32 ? DType.Float64 : DType.Float32;
        Expect(Ref.Round(x, other), shape, t.To(other), other, $"To({other})");
    });

    [Property(MaxTest = N)]
    public Property ExpandMatchesBroadcast() => Prop.ForAll(Arb.From(
        from p in Unbroadcast() from v in Of(p.Small) from dt in Floats select (v, full: p.Full, dt)), c =>
    {
        using var scope = TensorScope.Begin();
        var x = Ref.Round(c.v.Values, c.dt);
        var expected = new double[TensorValue.Count(c.full)];
        for (int i = 0; i < expected.Length; i++) expected[i] = Ref.At(x, c.v.Shape, Ref.Unravel(i, c.full));
        var e = c.v.ToTensor(c.dt).Expand(c.full);
        Expect(expected, c.full, e, c.dt, $"Expand {c.v} to {Ref.Fmt(c.full)}");
        Expect(expected, c.full, e.Mul(Tensor.OnesLike(e)), c.dt, "op on an expanded view");
    });
}

/// <summary>Deterministic pins of forward bugs found by the properties.</summary>
public class ForwardRegressionTests
{
    /// <summary>
    /// SegmentSum of zero rows must give zeros for every segment. The CPU kernel derives the row
    /// width as NumElements / rows, which is 0 when rows = 0, so the output is never cleared.
    /// </summary>
    [Fact]
    public void SegmentSumOfZeroRowsIsZero()
    {
        using var scope = TensorScope.Begin();
        // Leave non-zero garbage in the pool bucket the result will be rented from.
        Tensor.Full(new[] { 4, 3 }, 7.0, DType.Float64).Dispose();
        var x = Tensor.Zeros(new[] { 0, 3 }, DType.Float64);
        var y = x.SegmentSum(Tensor.FromArray(new long[0], 0), 4);
        Assert.Equal(new[] { 4, 3 }, y.Shape.ToArray());
        Assert.Equal(new double[12], y.ToArray<double>());
    }
}
