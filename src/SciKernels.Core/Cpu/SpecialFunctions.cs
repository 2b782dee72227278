using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SciKernels.Cpu;

/// <summary>Scalar special functions the BCL lacks, accurate to a few ulps in double.</summary>
internal static class SpecialFunctions
{
    private static readonly double TwoOverSqrtPi = 2 / Math.Sqrt(Math.PI);

    /// <summary>The error function.</summary>
    public static double Erf(double x)
    {
        // NaN stays NaN and erf(±0) = ±0, as std::erf (PyTorch) gives.
        if (double.IsNaN(x) || x == 0) return x;
        double ax = Math.Abs(x);
        double r;
        if (ax < 3)
        {
            // erf x = 2/√π · e^(-x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): all terms positive, no cancellation.
            double x2 = ax * ax, term = ax, sum = ax;
            for (int n = 1; n < 200; n++)
            {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (term < sum * 1e-17) break;
            }
            r = TwoOverSqrtPi * Math.Exp(-x2) * sum;
        }
        else
        {
            r = 1 - Erfc(ax);
        }
        return x < 0 ? -r : r;
    }

    /// <summary>erfc x for x ≥ 3 by its continued fraction (modified Lentz).</summary>
    private static double Erfc(double x)
    {
        if (x > 27) return 0;
        // erfc x = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 500; k++)
        {
            double a = k * 0.5;
            d = x + a * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = x + a / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) / (Math.Sqrt(Math.PI) * f);
    }

    /// <summary>
    /// Vectorised float32 erf: Abramowitz &amp; Stegun 7.1.26, erf x = 1 − (a₁t + … + a₅t⁵)·e^(−x²)
    /// with t = 1/(1 + p|x|), absolute error ≤ 1.5e-7 — below float32 rounding of values near 1.
    /// The series in <see cref="Erf"/> stays the float64 path (gradient checks need its accuracy).
    /// </summary>
    public static void ErfSingle(ReadOnlySpan<float> x, Span<float> y)
    {
        const int block = 512;
        Span<float> e = stackalloc float[block];
        for (int s = 0; s < x.Length; s += block)
        {
            int n = Math.Min(block, x.Length - s);
            var xs = x.Slice(s, n);
            var ys = y.Slice(s, n);
            var es = e[..n];
            TensorPrimitives.Multiply(xs, xs, es);
            TensorPrimitives.Negate(es, es);
            TensorPrimitives.Exp(es, es);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var p = Vector256.Create(0.3275911f);
                var one = Vector256<float>.One;
                for (; i + 8 <= n; i += 8)
                {
                    var v = Vector256.Create(xs.Slice(i, 8));
                    var ax = Vector256.Abs(v);
                    var t = one / (one + p * ax);
                    var poly = ((((Vector256.Create(1.061405429f) * t + Vector256.Create(-1.453152027f)) * t + Vector256.Create(1.421413741f)) * t
                        + Vector256.Create(-0.284496736f)) * t + Vector256.Create(0.254829592f)) * t;
                    var r = one - poly * Vector256.Create(es.Slice(i, 8));
                    // copy the sign of x onto r; ±0 and NaN return x itself (the polynomial is ~1e-9 at 0, not 0)
                    var signed = Vector256.ConditionalSelect(Vector256.LessThan(v, Vector256<float>.Zero), -r, r);
                    signed = Vector256.ConditionalSelect(Vector256.Equals(v, Vector256<float>.Zero) | ~Vector256.Equals(v, v), v, signed);
                    signed.CopyTo(ys.Slice(i, 8));
                }
            }
            for (; i < n; i++)
            {
                float ax = MathF.Abs(xs[i]);
                float t = 1f / (1f + 0.3275911f * ax);
                float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
                float r = 1f - poly * es[i];
                ys[i] = float.IsNaN(xs[i]) || xs[i] == 0 ? xs[i] : xs[i] < 0 ? -r : r;
            }
        }
    }

    /// <summary>
    /// tanh through TensorPrimitives, except near 0: its float32 kernel has a relative error of 1e-4 at
    /// 2^-12 and returns -6e-8 for tanh(+0) (float64: 1e-5 at 2^-40, tanh(-0) = +0), while torch and
    /// the device functors give tanh(±0) = ±0 and tanh(x) ≈ x. There the Taylor series
    /// x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835 − 1382x¹¹/155925 is exact to rounding (next term
    /// ≤ 1e-11 relative in float up to 1/4, ≤ 2e-17 in double up to 1/16). Blocks stay in L1; x and y may alias.
    /// </summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const int block = 1024;
        T small = typeof(T) == typeof(float) ? T.CreateTruncating(0.25) : T.CreateTruncating(0.0625);
        Span<T> tmp = stackalloc T[block];
        ref T tr = ref MemoryMarshal.GetReference(tmp);
        for (int s = 0; s < x.Length; s += block)
        {
            int n = Math.Min(block, x.Length - s);
            var xs = x.Slice(s, n);
            var ys = y.Slice(s, n);
            TensorPrimitives.Tanh(xs, tmp[..n]);
            ref T xr = ref MemoryMarshal.GetReference(xs);
            ref T yr = ref MemoryMarshal.GetReference(ys);
            int i = 0;
            // Branch-free blend: about half the vectors hold a small lane in typical data, so a
            // per-vector test mispredicts more than the series costs. Coefficients stay in registers.
            if (Vector512.IsHardwareAccelerated)
            {
                var lim = Vector512.Create(small);
                var (c11, c9, c7, c5, c3) = (Vector512.Create(C11<T>()), Vector512.Create(C9<T>()), Vector512.Create(C7<T>()), Vector512.Create(C5<T>()), Vector512.Create(C3<T>()));
                for (; i + Vector512<T>.Count <= n; i += Vector512<T>.Count)
                {
                    var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                    var x2 = v * v;
                    var series = v * (Vector512<T>.One + x2 * ((((c11 * x2 + c9) * x2 + c7) * x2 + c5) * x2 + c3));
                    Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(v), lim), series, Vector512.LoadUnsafe(ref tr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var lim = Vector256.Create(small);
                var (c11, c9, c7, c5, c3) = (Vector256.Create(C11<T>()), Vector256.Create(C9<T>()), Vector256.Create(C7<T>()), Vector256.Create(C5<T>()), Vector256.Create(C3<T>()));
                for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count)
                {
                    var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var x2 = v * v;
                    var series = v * (Vector256<T>.One + x2 * ((((c11 * x2 + c9) * x2 + c7) * x2 + c5) * x2 + c3));
                    Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(v), lim), series, Vector256.LoadUnsafe(ref tr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                }
            }
            for (; i < n; i++)
            {
                T v = xs[i], x2 = v * v;
                ys[i] = T.Abs(v) < small ? v * (T.One + x2 * ((((C11<T>() * x2 + C9<T>()) * x2 + C7<T>()) * x2 + C5<T>()) * x2 + C3<T>())) : tmp[i];
            }
        }
    }

    // tanh's Taylor coefficients; the series is x·(1 + x²·p(x²)), not x + x·x²·p, which turns -0 into +0.
    private static T C11<T>() where T : System.Numerics.IFloatingPointIeee754<T> => T.CreateTruncating(-1382.0 / 155925);
    private static T C9<T>() where T : System.Numerics.IFloatingPointIeee754<T> => T.CreateTruncating(62.0 / 2835);
    private static T C7<T>() where T : System.Numerics.IFloatingPointIeee754<T> => T.CreateTruncating(-17.0 / 315);
    private static T C5<T>() where T : System.Numerics.IFloatingPointIeee754<T> => T.CreateTruncating(2.0 / 15);
    private static T C3<T>() where T : System.Numerics.IFloatingPointIeee754<T> => T.CreateTruncating(-1.0 / 3);

    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary>y = x·Φ(x) = x·(1 + erf(x/√2))/2 in one pass over L1-sized blocks.</summary>
    public static void Gelu<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var xf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(x);
            var yf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(y);
            const int block = 1024;
            Span<float> t = stackalloc float[block];
            for (int s = 0; s < xf.Length; s += block)
            {
                int n = Math.Min(block, xf.Length - s);
                var xs = xf.Slice(s, n);
                var ts = t[..n];
                TensorPrimitives.Multiply(xs, (float)InvSqrt2, ts);
                ErfSingle(ts, ts);
                TensorPrimitives.Multiply(ts, 0.5f, ts);
                TensorPrimitives.Add(ts, 0.5f, ts); // Φ(x)
                TensorPrimitives.Multiply(xs, ts, yf.Slice(s, n));
            }
            return;
        }
        for (int i = 0; i < x.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            y[i] = T.CreateTruncating(v * 0.5 * (1 + Erf(v * InvSqrt2)));
        }
    }

    /// <summary>y = g·(Φ(x) + x·φ(x)), the GELU derivative times the output gradient.</summary>
    public static void GeluGrad<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, Span<T> y) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var xf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(x);
            var gf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(g);
            var yf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(y);
            const int block = 1024;
            Span<float> cdf = stackalloc float[block];
            Span<float> pdf = stackalloc float[block];
            for (int s = 0; s < xf.Length; s += block)
            {
                int n = Math.Min(block, xf.Length - s);
                var xs = xf.Slice(s, n);
                var c = cdf[..n];
                var p = pdf[..n];
                TensorPrimitives.Multiply(xs, (float)InvSqrt2, c);
                ErfSingle(c, c);
                TensorPrimitives.Multiply(c, 0.5f, c);
                TensorPrimitives.Add(c, 0.5f, c);                         // Φ(x)
                TensorPrimitives.Multiply(xs, xs, p);
                TensorPrimitives.Multiply(p, -0.5f, p);
                TensorPrimitives.Exp(p, p);
                TensorPrimitives.Multiply(p, (float)InvSqrt2Pi, p);      // φ(x)
                TensorPrimitives.MultiplyAdd(xs, p, c, c);                // Φ + xφ
                TensorPrimitives.Multiply(c, gf.Slice(s, n), yf.Slice(s, n));
            }
            return;
        }
        for (int i = 0; i < x.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            double d = 0.5 * (1 + Erf(v * InvSqrt2)) + v * InvSqrt2Pi * Math.Exp(-0.5 * v * v);
            y[i] = T.CreateTruncating(d * double.CreateTruncating(g[i]));
        }
    }
}
