using SciKernels.Functions;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Layout;
using SciKernels.Kernels.Runtime;
using Xunit;

namespace SciKernels.Kernels.Tests;

public class ElementwiseTests
{
    internal static void AssertClose(double[] expected, double[] actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && e == a) continue;
            // Both zero: the sign must match too (relu(-0) = -0, abs(-0) = +0, ...).
            if (e == 0 && a == 0)
            {
                Assert.True(double.IsNegative(e) == double.IsNegative(a), $"{what}: element {i}: expected {e:R}, got {a:R} (sign of zero)");
                continue;
            }
            Assert.True(!double.IsNaN(a) && !double.IsInfinity(a) && Math.Abs(e - a) <= atol + rtol * Math.Abs(e),
                $"{what}: element {i}: expected {e:R}, got {a:R} (rtol {rtol}, atol {atol})");
        }
    }

    internal static void AssertClose(float[] expected, float[] actual, double rtol, double atol, string what) =>
        AssertClose(expected.Select(v => (double)v).ToArray(), actual.Select(v => (double)v).ToArray(), rtol, atol, what);

    /// <summary>NaN, ±inf, ±0, denormals (float32's or float64's), the smallest normal and a few ordinary values.</summary>
    internal static double[] Specials(bool float32) => float32
        ? new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, 1e-40, -3e-42, 1.17549435e-38, 1, -1, 100, -100 }
        : new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, 1e-310, -4e-320, 2.2250738585072014e-308, 1, -1, 800, -800 };

    /// <summary>The specials, then seeded values in [-3, 3): 67 elements (a partial last group).</summary>
    private static double[] WithSpecials(bool float32, int seed)
    {
        var rng = new System.Random(seed);
        var sp = Specials(float32);
        return sp.Concat(RandomArray(rng, 67 - sp.Length, -3, 3)).ToArray();
    }

    /// <summary>A unary op on the special values against the host reference of the same semantics (docs/semantics.md).</summary>
    private static void CheckUnarySpecial<TOp>(DeviceContext d, Func<double, double> reference, double p0 = 0, double p1 = 0, double rtolF = 2e-5, double rtolD = 1e-12)
        where TOp : struct, IUnaryOp<float>, IUnaryOp<double>
    {
        var xd = WithSpecials(false, typeof(TOp).Name.Length);
        using var bx = d.Up(xd);
        using var by = d.Alloc<double>(xd.Length);
        d.Ops.Unary<double, TOp>(bx.View, by.View, p0, p1);
        AssertClose(xd.Select(reference).ToArray(), d.Down(by.View), rtolD, rtolD, $"{typeof(TOp).Name}<double> on specials");

        var xf = WithSpecials(true, typeof(TOp).Name.Length).Select(v => (float)v).ToArray();
        using var fx = d.Up(xf);
        using var fy = d.Alloc<float>(xf.Length);
        d.Ops.Unary<float, TOp>(fx.View, fy.View, (float)p0, (float)p1);
        // Atol covers a denormal result one side rounds to zero; the class (NaN, ±inf, ±0) is still exact.
        AssertClose(xf.Select(v => (float)reference(v)).ToArray(), d.Down(fy.View), rtolF, rtolF, $"{typeof(TOp).Name}<float> on specials");
    }

    private static double Sig(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void UnaryOpsOnSpecialValues(string backend)
    {
        var d = Backends.Get(backend);
        CheckUnarySpecial<Neg>(d, x => -x);
        CheckUnarySpecial<UnaryOf<Exp>>(d, Math.Exp);
        CheckUnarySpecial<UnaryOf<Log>>(d, Math.Log);
        CheckUnarySpecial<UnaryOf<Sqrt>>(d, Math.Sqrt);
        CheckUnarySpecial<Abs>(d, Math.Abs);
        CheckUnarySpecial<Square>(d, x => x * x);
        CheckUnarySpecial<Reciprocal>(d, x => 1 / x);
        CheckUnarySpecial<UnaryOf<Sin>>(d, Math.Sin);
        CheckUnarySpecial<UnaryOf<Cos>>(d, Math.Cos);
        CheckUnarySpecial<UnaryOf<Tanh>>(d, Math.Tanh);
        CheckUnarySpecial<UnaryOf<Sigmoid>>(d, Sig);
        CheckUnarySpecial<UnaryOf<Relu>>(d, x => x < 0 ? 0 : x);
        CheckUnarySpecial<UnaryOf<Gelu>>(d, x => 0.5 * x * (1 + RefMath.Erf(x / Math.Sqrt(2))));
        CheckUnarySpecial<UnaryOf<Erf>>(d, x => x == 0 ? x : RefMath.Erf(x), rtolF: 2e-6, rtolD: 1e-12);
        CheckUnarySpecial<UnaryOf<Softplus>>(d, x => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))));
        CheckUnarySpecial<Sign>(d, x => x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x);
        CheckUnarySpecial<PowScalar>(d, x => Math.Pow(x, 2.5), p0: 2.5);
        CheckUnarySpecial<PowScalar>(d, x => Math.Pow(x, 3), p0: 3);
        CheckUnarySpecial<PowScalar>(d, x => Math.Pow(x, -1), p0: -1);
        CheckUnarySpecial<Clamp>(d, x => x < -1 ? -1 : x > 2 ? 2 : x, p0: -1, p1: 2);
        CheckUnarySpecial<Affine>(d, x => x * 3 + 0.5, p0: 3, p1: 0.5);
    }

    /// <summary>A binary op on every pair of special values (and random pairs after them) against the host reference.</summary>
    private static void CheckBinarySpecial<TOp>(DeviceContext d, Func<double, double, double> reference, double rtolF = 2e-6, double rtolD = 1e-13)
        where TOp : struct, IBinaryOp<float>, IBinaryOp<double>
    {
        foreach (bool float32 in new[] { false, true })
        {
            var sp = Specials(float32);
            var rng = new System.Random(typeof(TOp).Name.Length);
            var a = Enumerable.Range(0, sp.Length * sp.Length).Select(i => sp[i / sp.Length]).Concat(RandomArray(rng, 13, -3, 3)).ToArray();
            var b = Enumerable.Range(0, sp.Length * sp.Length).Select(i => sp[i % sp.Length]).Concat(RandomArray(rng, 13, -3, 3)).ToArray();
            if (!float32)
            {
                using var ba = d.Up(a); using var bb = d.Up(b); using var bc = d.Alloc<double>(a.Length);
                d.Ops.Binary<double, TOp>(ba.View, bb.View, bc.View);
                AssertClose(a.Zip(b, reference).ToArray(), d.Down(bc.View), rtolD, rtolD, $"{typeof(TOp).Name}<double> on special pairs");
            }
            else
            {
                var af = Ref.F(a); var bf = Ref.F(b);
                using var ba = d.Up(af); using var bb = d.Up(bf); using var bc = d.Alloc<float>(a.Length);
                d.Ops.Binary<float, TOp>(ba.View, bb.View, bc.View);
                AssertClose(af.Zip(bf, (x, y) => (float)reference(x, y)).ToArray(), d.Down(bc.View), rtolF, rtolF, $"{typeof(TOp).Name}<float> on special pairs");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void BinaryOpsOnSpecialValues(string backend)
    {
        var d = Backends.Get(backend);
        CheckBinarySpecial<Add>(d, (a, b) => a + b);
        CheckBinarySpecial<Sub>(d, (a, b) => a - b);
        CheckBinarySpecial<Mul>(d, (a, b) => a * b);
        CheckBinarySpecial<Div>(d, (a, b) => a / b);
        CheckBinarySpecial<Pow>(d, Math.Pow, rtolF: 2e-5, rtolD: 1e-12);
        // Math.Max/Min are IEEE 754-2019 maximum/minimum: NaN-propagating, -0 < +0 — the chosen semantics.
        CheckBinarySpecial<Max>(d, Math.Max);
        CheckBinarySpecial<Min>(d, Math.Min);
        CheckBinarySpecial<Equal>(d, (a, b) => a == b ? 1 : 0);
        CheckBinarySpecial<NotEqual>(d, (a, b) => a != b ? 1 : 0);
        CheckBinarySpecial<Less>(d, (a, b) => a < b ? 1 : 0);
        CheckBinarySpecial<LessEqual>(d, (a, b) => a <= b ? 1 : 0);
        CheckBinarySpecial<Greater>(d, (a, b) => a > b ? 1 : 0);
        CheckBinarySpecial<GreaterEqual>(d, (a, b) => a >= b ? 1 : 0);
    }

    private static double[] RandomArray(System.Random rng, int n, double lo, double hi) =>
        Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray();

    /// <summary>Runs one unary op on float and double against a double-precision reference.</summary>
    private static void CheckUnary<TOp>(DeviceContext d, Func<double, double> reference, double lo, double hi,
        double p0 = 0, double p1 = 0, double rtolF = 2e-5, double rtolD = 1e-12)
        where TOp : struct, IUnaryOp<float>, IUnaryOp<double>
    {
        var rng = new System.Random(typeof(TOp).Name.Length * 7919 + 17);
        int n = rng.Next(1, 700);
        var xd = RandomArray(rng, n, lo, hi);
        var xf = xd.Select(v => (float)v).ToArray();

        using var bx = d.Up(xd);
        using var by = d.Alloc<double>(n);
        d.Ops.Unary<double, TOp>(bx.View, by.View.SubView(0, n), p0, p1);
        AssertClose(xd.Select(reference).ToArray(), d.Down(by.View.SubView(0, n)), rtolD, rtolD, $"{typeof(TOp).Name}<double>");

        using var fx = d.Up(xf);
        using var fy = d.Alloc<float>(n);
        d.Ops.Unary<float, TOp>(fx.View, fy.View.SubView(0, n), (float)p0, (float)p1);
        AssertClose(xf.Select(v => (float)reference(v)).ToArray(), d.Down(fy.View.SubView(0, n)), rtolF, rtolF, $"{typeof(TOp).Name}<float>");
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void UnaryOpsMatchReference(string backend)
    {
        var d = Backends.Get(backend);
        CheckUnary<Neg>(d, x => -x, -5, 5);
        CheckUnary<UnaryOf<Exp>>(d, Math.Exp, -10, 10);
        CheckUnary<UnaryOf<Log>>(d, Math.Log, 1e-3, 100);
        CheckUnary<UnaryOf<Sqrt>>(d, Math.Sqrt, 0, 100);
        CheckUnary<Abs>(d, Math.Abs, -5, 5);
        CheckUnary<Square>(d, x => x * x, -5, 5);
        CheckUnary<Reciprocal>(d, x => 1 / x, 0.1, 10);
        CheckUnary<UnaryOf<Sin>>(d, Math.Sin, -6, 6, rtolF: 1e-5, rtolD: 1e-12);
        CheckUnary<UnaryOf<Cos>>(d, Math.Cos, -6, 6, rtolF: 1e-5, rtolD: 1e-12);
        CheckUnary<UnaryOf<Tanh>>(d, Math.Tanh, -8, 8);
        CheckUnary<UnaryOf<Sigmoid>>(d, x => 1 / (1 + Math.Exp(-x)), -30, 30);
        CheckUnary<UnaryOf<Relu>>(d, x => Math.Max(x, 0), -5, 5);
        CheckUnary<UnaryOf<Gelu>>(d, x => 0.5 * x * (1 + RefMath.Erf(x / Math.Sqrt(2))), -8, 8, rtolF: 2e-5, rtolD: 1e-12);
        CheckUnary<UnaryOf<Softplus>>(d, x => Math.Log(1 + Math.Exp(x)), -20, 20);
        CheckUnary<Sign>(d, x => Math.Sign(x), -5, 5);
        CheckUnary<PowScalar>(d, x => Math.Pow(x, 2.5), 0.1, 5, p0: 2.5);
        CheckUnary<Clamp>(d, x => Math.Clamp(x, -1, 2), -5, 5, p0: -1, p1: 2);
        CheckUnary<Affine>(d, x => x * 3 + 0.5, -5, 5, p0: 3, p1: 0.5);
    }

    private static void CheckBinary<TOp>(DeviceContext d, Func<double, double, double> reference, double lo, double hi,
        double rtolF = 2e-6, double rtolD = 1e-13)
        where TOp : struct, IBinaryOp<float>, IBinaryOp<double>
    {
        var rng = new System.Random(typeof(TOp).Name.Length * 104729 + 3);
        int n = rng.Next(1, 600);
        var ad = RandomArray(rng, n, lo, hi);
        var bd = RandomArray(rng, n, lo, hi);
        // make equality-based masks meaningful
        for (int i = 0; i < n; i += 5) bd[i] = ad[i];
        var af = ad.Select(v => (float)v).ToArray();
        var bf = bd.Select(v => (float)v).ToArray();

        using var ba = d.Up(ad);
        using var bb = d.Up(bd);
        using var bc = d.Alloc<double>(n);
        d.Ops.Binary<double, TOp>(ba.View, bb.View, bc.View.SubView(0, n));
        AssertClose(ad.Zip(bd, reference).ToArray(), d.Down(bc.View.SubView(0, n)), rtolD, rtolD, $"{typeof(TOp).Name}<double>");

        using var fa = d.Up(af);
        using var fb = d.Up(bf);
        using var fc = d.Alloc<float>(n);
        d.Ops.Binary<float, TOp>(fa.View, fb.View, fc.View.SubView(0, n));
        AssertClose(af.Zip(bf, (x, y) => (float)reference(x, y)).ToArray(), d.Down(fc.View.SubView(0, n)), rtolF, rtolF, $"{typeof(TOp).Name}<float>");
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void BinaryOpsMatchReference(string backend)
    {
        var d = Backends.Get(backend);
        CheckBinary<Add>(d, (a, b) => a + b, -5, 5);
        CheckBinary<Sub>(d, (a, b) => a - b, -5, 5);
        CheckBinary<Mul>(d, (a, b) => a * b, -5, 5);
        CheckBinary<Div>(d, (a, b) => a / b, 0.5, 5);
        CheckBinary<Pow>(d, Math.Pow, 0.5, 3, rtolF: 2e-5, rtolD: 1e-12);
        CheckBinary<Max>(d, Math.Max, -5, 5);
        CheckBinary<Min>(d, Math.Min, -5, 5);
        CheckBinary<Equal>(d, (a, b) => a == b ? 1 : 0, -5, 5);
        CheckBinary<NotEqual>(d, (a, b) => a != b ? 1 : 0, -5, 5);
        CheckBinary<Less>(d, (a, b) => a < b ? 1 : 0, -5, 5);
        CheckBinary<LessEqual>(d, (a, b) => a <= b ? 1 : 0, -5, 5);
        CheckBinary<Greater>(d, (a, b) => a > b ? 1 : 0, -5, 5);
        CheckBinary<GreaterEqual>(d, (a, b) => a >= b ? 1 : 0, -5, 5);
    }

    /// <summary>The generic g·F′(x) kernel of one function on special and random x (y = F(x) from the device), g from the specials.</summary>
    private static void CheckGrad<F>(DeviceContext d, Func<double, double> derivative, double rtolF = 2e-5, double rtolD = 1e-12)
        where F : struct, IUnaryFunction
    {
        foreach (bool float32 in new[] { false, true })
        {
            // Output gradients of both signs and sizes (a zero or denormal g times an overflowed F′ would test the reference, not the kernel).
            var gs = new[] { 1.0, -1.0, 0.5, -2.5 };
            var rng = new System.Random(typeof(F).Name.Length);
            var x = Enumerable.Range(0, Specials(float32).Length * gs.Length).Select(i => Specials(float32)[i / gs.Length]).Concat(RandomArray(rng, 13, -3, 3)).ToArray();
            var g = Enumerable.Range(0, x.Length).Select(i => gs[i % gs.Length]).ToArray();
            if (!float32)
            {
                using var bx = d.Up(x); using var by = d.Alloc<double>(x.Length); using var bg = d.Up(g); using var br = d.Alloc<double>(x.Length);
                d.Ops.Unary<double, UnaryOf<F>>(bx.View, by.View);
                d.Ops.UnaryGrad<double, GradOf<F>>(bx.View, by.View, bg.View, br.View);
                AssertClose(x.Zip(g, (xi, gi) => gi * derivative(xi)).ToArray(), d.Down(br.View), rtolD, rtolD, $"GradOf<{typeof(F).Name}><double>");
            }
            else
            {
                var xf = Ref.F(x); var gf = Ref.F(g);
                using var bx = d.Up(xf); using var by = d.Alloc<float>(x.Length); using var bg = d.Up(gf); using var br = d.Alloc<float>(x.Length);
                d.Ops.Unary<float, UnaryOf<F>>(bx.View, by.View);
                d.Ops.UnaryGrad<float, GradOf<F>>(bx.View, by.View, bg.View, br.View);
                AssertClose(xf.Zip(gf, (xi, gi) => (float)(gi * derivative(xi))).ToArray(), d.Down(br.View), rtolF, rtolF, $"GradOf<{typeof(F).Name}><float>");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void FunctionGradientsMatchReference(string backend)
    {
        var d = Backends.Get(backend);
        CheckGrad<Relu>(d, x => x > 0 ? 1 : 0);
        CheckGrad<Sigmoid>(d, x => Sig(x) * (1 - Sig(x)), rtolF: 1e-5, rtolD: 1e-12);
        CheckGrad<Tanh>(d, x => 1 - Math.Tanh(x) * Math.Tanh(x), rtolF: 1e-5, rtolD: 1e-12);
        CheckGrad<Exp>(d, Math.Exp, rtolF: 1e-5, rtolD: 1e-12);
        CheckGrad<Gelu>(d, x => 0.5 * (1 + RefMath.Erf(x / Math.Sqrt(2))) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI), rtolF: 2e-5, rtolD: 1e-12);
        CheckGrad<Softplus>(d, Sig, rtolF: 1e-5, rtolD: 1e-12);
        CheckGrad<Sin>(d, Math.Cos, rtolF: 1e-5, rtolD: 1e-12);
    }
}

/// <summary>Reference math (independent of the kernels' implementation).</summary>
public static class RefMath
{
    /// <summary>erf by composite Simpson integration of 2/sqrt(pi) e^{-t^2} (plenty accurate for tests).</summary>
    public static double Erf(double x)
    {
        if (x < 0) return -Erf(-x);
        if (x > 7) return 1.0;
        int n = 2000;
        double h = x / n, s = 1 + Math.Exp(-x * x);
        for (int i = 1; i < n; i++)
        {
            double t = i * h;
            s += (i % 2 == 1 ? 4 : 2) * Math.Exp(-t * t);
        }
        return s * h / 3 * 2 / Math.Sqrt(Math.PI);
    }
}
