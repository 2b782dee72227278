using SciKernels.Kernels.Runtime;
using SciKernels.Kernels.Spectral;
using Xunit;

namespace SciKernels.Kernels.Tests;

public class SpectralTests
{
    /// <summary>Naive DFT along the axis of x [outer, n, inner] complex (interleaved), sign −1 forward.</summary>
    private static double[] NaiveDft(double[] x, int outer, int n, int inner, bool inverse)
    {
        var y = new double[x.Length];
        double sign = inverse ? 1 : -1;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                for (int f = 0; f < n; f++)
                {
                    double re = 0, im = 0;
                    for (int q = 0; q < n; q++)
                    {
                        double a = sign * 2 * Math.PI * ((long)f * q % n) / n;
                        int e = 2 * ((o * n + q) * inner + i);
                        re += x[e] * Math.Cos(a) - x[e + 1] * Math.Sin(a);
                        im += x[e] * Math.Sin(a) + x[e + 1] * Math.Cos(a);
                    }
                    int d = 2 * ((o * n + f) * inner + i);
                    y[d] = re;
                    y[d + 1] = im;
                }
        return y;
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (var b in Backends.All.Select(row => (string)row[0]))
            foreach (var (outer, n, inner) in new[] { (3, 2, 1), (2, 8, 1), (1, 64, 1), (2, 16, 3), (3, 4, 5) })
                yield return new object[] { b, outer, n, inner };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ComplexFftMatchesNaiveDft(string backend, int outer, int n, int inner)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(n * 31 + inner);
        var x = Ref.Rand(rng, 2 * outer * n * inner);
        foreach (bool inverse in new[] { false, true })
        {
            var expected = NaiveDft(x, outer, n, inner, inverse).Select(v => v * 0.5).ToArray();
            string what = $"fft n={n} outer={outer} inner={inner} inverse={inverse}";
            using var tw = d.Up(KernelOps.TwiddleTable(n));
            using var dx = d.Up(x);
            using var dy = d.Up(new double[x.Length]);
            d.Ops.Fft(dx.View, dy.View, tw.View, n, outer, inner, FftInput.Complex, FftOutput.Complex, n, inverse, 0.5);
            ElementwiseTests.AssertClose(expected, d.Down(dy.View), 1e-11, 1e-11, what + " f64");

            using var ftw = d.Up(Ref.F(KernelOps.TwiddleTable(n)));
            using var fx = d.Up(Ref.F(x));
            using var fy = d.Up(new float[x.Length]);
            d.Ops.Fft(fx.View, fy.View, ftw.View, n, outer, inner, FftInput.Complex, FftOutput.Complex, n, inverse, 0.5f);
            ElementwiseTests.AssertClose(expected, d.Down(fy.View).Select(v => (double)v).ToArray(), 1e-4, 1e-4 * n, what + " f32");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void RealInputKeepsLowBinsAndHalfSpectrumInvertsToReal(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(3);
        foreach (int n in new[] { 2, 4, 32 })
        {
            int rows = 3, h = n / 2 + 1;
            var x = Ref.Rand(rng, rows * n);
            var xc = new double[2 * x.Length];
            for (int i = 0; i < x.Length; i++) xc[2 * i] = x[i];
            var full = NaiveDft(xc, rows, n, 1, inverse: false);
            var expected = new double[rows * h * 2];
            for (int r = 0; r < rows; r++) Array.Copy(full, r * n * 2, expected, r * h * 2, h * 2);

            using var tw = d.Up(KernelOps.TwiddleTable(n));
            using var dx = d.Up(x);
            using var spec = d.Up(new double[rows * h * 2]);
            d.Ops.Fft(dx.View, spec.View, tw.View, n, rows, 1, FftInput.Real, FftOutput.Complex, h, inverse: false, 1.0);
            ElementwiseTests.AssertClose(expected, d.Down(spec.View), 1e-11, 1e-11, $"rfft n={n}");

            // Garbage imaginary parts on DC and Nyquist must be ignored by the half-spectrum reader.
            var s = d.Down(spec.View);
            for (int r = 0; r < rows; r++) { s[r * h * 2 + 1] = 7; s[(r * h + h - 1) * 2 + 1] = -5; }
            using var ds = d.Up(s);
            using var back = d.Up(new double[rows * n]);
            d.Ops.Fft(ds.View, back.View, tw.View, n, rows, 1, FftInput.HalfSpectrum, FftOutput.RealPart, n, inverse: true, 1.0 / n);
            ElementwiseTests.AssertClose(x, d.Down(back.View), 1e-11, 1e-11, $"irfft n={n}");
        }
    }

    private static double[] NaiveComplexMatMul(double[] ar, double[] ai, double[] br, double[] bi, int p, int m, int n, int k, bool adjA, bool adjB)
    {
        var c = new double[2 * p * m * n];
        for (int q = 0; q < p; q++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double re = 0, im = 0;
                    for (int l = 0; l < k; l++)
                    {
                        // A stored [p, m, k] (or [p, k, m] when adjoint), B [p, k, n] (or [p, n, k])
                        int ia = adjA ? (q * k + l) * m + i : (q * m + i) * k + l;
                        int ib = adjB ? (q * n + j) * k + l : (q * k + l) * n + j;
                        double xr = ar[ia], xi = adjA ? -ai[ia] : ai[ia];
                        double yr = br[ib], yi = adjB ? -bi[ib] : bi[ib];
                        re += xr * yr - xi * yi;
                        im += xr * yi + xi * yr;
                    }
                    c[(q * m + i) * n + j] = re;
                    c[p * m * n + (q * m + i) * n + j] = im;
                }
        return c;
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void ComplexMatMulMatchesReferenceForEveryAdjointCombination(string backend)
    {
        var d = Backends.Get(backend);
        var rng = new System.Random(11);
        foreach (var (p, m, n, k) in new[] { (3, 4, 5, 6), (2, 20, 17, 35) }) // inside one tile; across tiles and K slabs
            foreach (bool adjA in new[] { false, true })
                foreach (bool adjB in new[] { false, true })
                {
                    var ar = Ref.Rand(rng, p * m * k); var ai = Ref.Rand(rng, p * m * k);
                    var br = Ref.Rand(rng, p * k * n); var bi = Ref.Rand(rng, p * k * n);
                    var expected = NaiveComplexMatMul(ar, ai, br, bi, p, m, n, k, adjA, adjB);
                    var sa = adjA ? (m * k, 1, m, 0) : (m * k, k, 1, 0);
                    var sb = adjB ? (k * n, 1, k, 0) : (k * n, n, 1, 0);
                    var args = new ComplexMatMulArgs(p, m, n, k, sa, sa, sb, sb, adjA, adjB);
                    using var dar = d.Up(ar); using var dai = d.Up(ai); using var dbr = d.Up(br); using var dbi = d.Up(bi);
                    using var dc = d.Up(new double[expected.Length]);
                    d.Ops.ComplexMatMul(dar.View, dai.View, dbr.View, dbi.View, dc.View, args);
                    ElementwiseTests.AssertClose(expected, d.Down(dc.View), 1e-12, 1e-12, $"complex matmul adjA={adjA} adjB={adjB}");

                    using var far = d.Up(Ref.F(ar)); using var fai = d.Up(Ref.F(ai)); using var fbr = d.Up(Ref.F(br)); using var fbi = d.Up(Ref.F(bi));
                    using var fc = d.Up(new float[expected.Length]);
                    d.Ops.ComplexMatMul(far.View, fai.View, fbr.View, fbi.View, fc.View, args);
                    ElementwiseTests.AssertClose(expected, d.Down(fc.View).Select(v => (double)v).ToArray(), 1e-4, 1e-4, $"complex matmul f32 adjA={adjA} adjB={adjB}");
                }
    }
}
