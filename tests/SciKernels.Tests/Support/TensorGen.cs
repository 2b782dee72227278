using FsCheck;
using FsCheck.Fluent;
using SciKernels.Diagnostics;
using Xunit;

namespace SciKernels.Tests.Support;

/// <summary>Host-side values of one tensor: a shape and its row-major float64 elements.</summary>
public sealed record TensorValue(int[] Shape, double[] Values)
{
    /// <summary>A new tensor holding these values.</summary>
    public Tensor ToTensor(DType dtype = DType.Float64) => Tensor.FromDoubles(Values, Shape, dtype);

    /// <summary>Number of elements of <paramref name="shape"/>.</summary>
    public static int Count(int[] shape)
    {
        int n = 1;
        foreach (var d in shape) n *= d;
        return n;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Ref.Fmt(Shape)}{{{string.Join(", ", Values.Select(v => v.ToString("0.###")))}}}";
}

/// <summary>Where generated values lie, so that a function is smooth at every point checked.</summary>
public enum Domain
{
    /// <summary>Uniform in [-2, 2].</summary>
    Any,
    /// <summary>Uniform in [0.3, 2.5] (log, sqrt, pow bases).</summary>
    Positive,
    /// <summary>|x| in [0.2, 2] (abs, relu, sign-based ops, denominators).</summary>
    AwayFromZero,
    /// <summary>All elements distinct, at least 0.25 apart (max/min without ties).</summary>
    Distinct,
    /// <summary>Odd multiples of 0.1 in [-1.9, 1.9]: never equal to <see cref="EvenGrid"/> values.</summary>
    OddGrid,
    /// <summary>Even multiples of 0.1 in [-2, 2].</summary>
    EvenGrid,
}

/// <summary>FsCheck generators of shapes and values.</summary>
public static class TensorGen
{
    /// <summary>Largest element count used by gradient checks (keeps finite differences fast).</summary>
    public const int MaxElements = 24;

    /// <summary>A dimension size in 0..4, favouring 1 and 2..4; 0 only when <paramref name="allowEmpty"/>.</summary>
    public static Gen<int> Dim(bool allowEmpty = true, int max = 4) => allowEmpty
        ? Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Constant(1)), (6, Gen.Choose(2, max)))
        : Gen.Frequency((3, Gen.Constant(1)), (6, Gen.Choose(2, max)));

    /// <summary>A shape of rank minRank..maxRank with at most <paramref name="maxElements"/> elements.</summary>
    public static Gen<int[]> Shape(int minRank = 0, int maxRank = 3, bool allowEmpty = true, int maxElements = MaxElements, int maxDim = 4) =>
        Gen.Choose(minRank, maxRank)
            .SelectMany(r => Gen.ArrayOf(Dim(allowEmpty, maxDim), r))
            .Where(s => TensorValue.Count(s) <= maxElements);

    /// <summary>
    /// Two shapes that broadcast together: a full shape and a second one with some dimensions set
    /// to 1 and some leading dimensions dropped, in random order.
    /// </summary>
    public static Gen<(int[] A, int[] B)> BroadcastPair(bool allowEmpty = true, int maxRank = 3) =>
        from p in Unbroadcast(allowEmpty, maxRank)
        from swap in Gen.Elements(false, true)
        select swap ? (p.Small, p.Full) : (p.Full, p.Small);

    /// <summary>A full shape and a smaller one that broadcasts to it (size-1 dims, fewer leading dims).</summary>
    public static Gen<(int[] Small, int[] Full)> Unbroadcast(bool allowEmpty = true, int maxRank = 3) =>
        from full in Shape(0, maxRank, allowEmpty)
        from ones in Gen.ArrayOf(Gen.Elements(false, false, true), full.Length)
        from drop in Gen.Choose(0, full.Length)
        select (full.Select((d, i) => ones[i] ? 1 : d).Skip(drop).ToArray(), full);

    /// <summary>Values for <paramref name="n"/> elements in <paramref name="domain"/>.</summary>
    public static Gen<double[]> Values(int n, Domain domain) => domain switch
    {
        Domain.Any => Gen.ArrayOf(Gen.Choose(-2000, 2000).Select(i => i / 1000.0), n),
        Domain.Positive => Gen.ArrayOf(Gen.Choose(300, 2500).Select(i => i / 1000.0), n),
        Domain.AwayFromZero => Gen.ArrayOf(
            from m in Gen.Choose(200, 2000)
            from s in Gen.Elements(-1, 1)
            select s * m / 1000.0, n),
        Domain.Distinct => Gen.Shuffle(Enumerable.Range(0, n).ToArray())
            .Select(p => p.Select(k => 0.25 * (k - n / 2) + 0.05).ToArray()),
        Domain.OddGrid => Gen.ArrayOf(Gen.Choose(-10, 9).Select(i => (2 * i + 1) * 0.1), n),
        Domain.EvenGrid => Gen.ArrayOf(Gen.Choose(-10, 10).Select(i => 2 * i * 0.1), n),
        _ => throw new ArgumentOutOfRangeException(nameof(domain)),
    };

    /// <summary>A tensor of the given shape with values in <paramref name="domain"/>.</summary>
    public static Gen<TensorValue> Of(int[] shape, Domain domain = Domain.Any) =>
        Values(TensorValue.Count(shape), domain).Select(v => new TensorValue(shape, v));

    /// <summary>A tensor of a random shape (rank 0–3, dims 0–4).</summary>
    public static Gen<TensorValue> Any(Domain domain = Domain.Any, bool allowEmpty = true, int minRank = 0, int maxRank = 3) =>
        Shape(minRank, maxRank, allowEmpty).SelectMany(s => Of(s, domain));

    /// <summary>One input tensor.</summary>
    public static Gen<TensorValue[]> One(Domain domain = Domain.Any, bool allowEmpty = true, int minRank = 0, int maxRank = 3) =>
        Any(domain, allowEmpty, minRank, maxRank).Select(t => new[] { t });

    /// <summary>Two inputs of broadcast-compatible shapes.</summary>
    public static Gen<TensorValue[]> Broadcasting(Domain a = Domain.Any, Domain b = Domain.Any, bool allowEmpty = true) =>
        from p in BroadcastPair(allowEmpty)
        from x in Of(p.A, a)
        from y in Of(p.B, b)
        select new[] { x, y };

    /// <summary>Random axes of a rank-<paramref name="rank"/> tensor (possibly negative), or null for all.</summary>
    public static Gen<int[]?> Axes(int rank) =>
        Gen.Frequency(
            (1, Gen.Constant<int[]?>(null)),
            (4, Gen.SubListOf(Enumerable.Range(0, rank).ToArray())
                .SelectMany(l => Gen.ArrayOf(Gen.Elements(false, true), l.Count)
                    .Select(neg => (int[]?)l.Select((a, i) => neg[i] ? a - rank : a).ToArray()))));

    /// <summary>Pairs a generated value with an argument generated from it.</summary>
    public static Gen<(TensorValue[] Inputs, TArg Arg)> With<TArg>(this Gen<TensorValue[]> inputs, Func<TensorValue[], Gen<TArg>> arg) =>
        from i in inputs
        from a in arg(i)
        select (i, a);
}

/// <summary>
/// The one gradient checker every op test goes through: float64 central differences of first and
/// second order (via <see cref="GradCheck"/>) at generated points.
/// </summary>
public static class GradProperty
{
    /// <summary>FsCheck cases per op property.</summary>
    public const int Runs = 25;

    /// <summary>Checks <paramref name="f"/> at inputs drawn from <paramref name="inputs"/>.</summary>
    public static Property For(string op, Gen<TensorValue[]> inputs, Func<Tensor[], Tensor> f, bool secondOrder = true, Tolerance? tol = null) =>
        For(op, inputs.Select(i => (i, 0)), (xs, _) => f(xs), secondOrder, tol);

    /// <summary>Checks <paramref name="f"/> at inputs and arguments drawn from <paramref name="cases"/>.</summary>
    public static Property For<TArg>(string op, Gen<(TensorValue[] Inputs, TArg Arg)> cases, Func<Tensor[], TArg, Tensor> f, bool secondOrder = true, Tolerance? tol = null) =>
        Prop.ForAll(Arb.From(cases), c => Verify(op, c.Inputs, xs => f(xs, c.Arg), secondOrder, Describe(c.Arg), tol ?? Tolerance.Default));

    /// <summary>Runs first- and (optionally) second-order gradient checks and asserts they pass.</summary>
    public static void Verify(string op, TensorValue[] inputs, Func<Tensor[], Tensor> f, bool secondOrder, string arg, Tolerance tol)
    {
        using var scope = TensorScope.Begin();
        var xs = inputs.Select(v => v.ToTensor()).ToArray();
        string where = $"{op} at inputs {string.Join(" ; ", inputs.Select(i => i.ToString()))}{(arg.Length > 0 ? " with " + arg : "")}";
        var r1 = GradCheck.Check(f, xs, tol.Eps, tol.Atol, tol.Rtol);
        Assert.True(r1.Passed, $"{where}: {r1}");
        if (!secondOrder) return;
        var r2 = GradCheck.CheckSecondOrder(f, xs, tol.Eps, tol.Atol, tol.Rtol);
        Assert.True(r2.Passed, $"{where}: {r2}");
    }

    private static string Describe(object? arg) => arg switch
    {
        null => "",
        int i when i == 0 => "",
        System.Runtime.CompilerServices.ITuple t => "(" + string.Join(", ", Enumerable.Range(0, t.Length).Select(i => Describe(t[i]))) + ")",
        int[] a => Ref.Fmt(a),
        long[] a => Ref.Fmt(a.Select(x => (int)x).ToArray()),
        TensorValue v => v.ToString(),
        _ => arg.ToString() ?? "",
    };
}

/// <summary>Finite-difference step and tolerances of a gradient check.</summary>
public sealed record Tolerance(double Eps, double Atol, double Rtol)
{
    /// <summary>GradCheck's defaults.</summary>
    public static Tolerance Default { get; } = new(1e-6, 1e-5, 1e-3);
}

/// <summary>Straightforward host reference implementations (row-major double arrays).</summary>
public static class Ref
{
    /// <summary>Formats a shape like <c>[2, 3]</c>.</summary>
    public static string Fmt(int[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Row-major strides of a shape.</summary>
    public static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /// <summary>Multi-index of flat index <paramref name="flat"/> in <paramref name="shape"/>.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            idx[i] = shape[i] == 0 ? 0 : flat % shape[i];
            flat = shape[i] == 0 ? 0 : flat / shape[i];
        }
        return idx;
    }

    /// <summary>Element of a row-major array at the broadcast of <paramref name="outIdx"/> onto <paramref name="shape"/>.</summary>
    public static double At(double[] data, int[] shape, int[] outIdx)
    {
        int lead = outIdx.Length - shape.Length, off = 0, stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            int c = shape[i] == 1 ? 0 : outIdx[i + lead];
            off += c * stride;
            stride *= shape[i];
        }
        return data[off];
    }

    /// <summary>NumPy broadcast of two shapes.</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        int n = Math.Max(a.Length, b.Length);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i - (n - a.Length) >= 0 ? a[i - (n - a.Length)] : 1;
            int db = i - (n - b.Length) >= 0 ? b[i - (n - b.Length)] : 1;
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>Element-wise binary op with broadcasting, by nested index arithmetic.</summary>
    public static double[] Binary(double[] a, int[] sa, double[] b, int[] sb, Func<double, double, double> op, out int[] shape)
    {
        shape = Broadcast(sa, sb);
        var r = new double[TensorValue.Count(shape)];
        for (int i = 0; i < r.Length; i++)
        {
            var idx = Unravel(i, shape);
            r[i] = op(At(a, sa, idx), At(b, sb, idx));
        }
        return r;
    }

    /// <summary>
    /// A tensor whose logical values are <paramref name="logical"/> (row-major in <paramref name="shape"/>)
    /// but whose storage is laid out in the dimension order <paramref name="perm"/>: a non-contiguous view.
    /// </summary>
    public static Tensor Strided(double[] logical, int[] shape, int[] perm, DType dtype)
    {
        var baseShape = perm.Select(p => shape[p]).ToArray();
        var data = new double[logical.Length];
        for (int i = 0; i < data.Length; i++)
        {
            var bi = Unravel(i, baseShape);
            var li = new int[shape.Length];
            for (int k = 0; k < perm.Length; k++) li[perm[k]] = bi[k];
            data[i] = logical[Flat(li, shape)];
        }
        var inverse = new int[perm.Length];
        for (int k = 0; k < perm.Length; k++) inverse[perm[k]] = k;
        using var b = Tensor.FromDoubles(data, baseShape, dtype);
        return b.Permute(inverse);
    }

    /// <summary>Flat row-major index of a multi-index.</summary>
    public static int Flat(int[] idx, int[] shape)
    {
        int off = 0;
        for (int i = 0; i < shape.Length; i++) off = off * shape[i] + idx[i];
        return off;
    }

    /// <summary>Asserts element-wise closeness with a relative+absolute tolerance.</summary>
    public static void Close(double[] expected, double[] actual, double tol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} elements, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok = (double.IsNaN(e) && double.IsNaN(a)) || e == a || Math.Abs(e - a) <= tol * (1 + Math.Abs(e));
            Assert.True(ok, $"{what}: element {i}: expected {e:R}, got {a:R}");
        }
    }

    /// <summary>Tolerance of a forward comparison for a dtype.</summary>
    public static double Tol(DType dtype) => dtype == DType.Float32 ? 2e-5 : 1e-12;

    /// <summary>Rounds values the way storing them as <paramref name="dtype"/> would.</summary>
    public static double[] Round(double[] v, DType dtype) => dtype == DType.Float32 ? v.Select(x => (double)(float)x).ToArray() : v;
}
