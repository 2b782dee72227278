using System.Collections.Concurrent;
using System.Numerics;

namespace SciKernels.Spectral;

/// <summary>
/// A cached complex forward FFT of one size, applied to many signals at once.
/// </summary>
/// <remarks>
/// <para>Data layout ("lanes"): a batch of <c>lanes</c> signals of length N is stored split into a
/// real and an imaginary array, element j of signal l at index <c>j·lanes + l</c>. Every butterfly
/// then works on contiguous runs of whole vectors (lanes is a multiple of <c>Vector&lt;T&gt;.Count</c>),
/// so the transform is SIMD across signals with no shuffles, at any size and any stage.</para>
/// <para>Sizes whose prime factors are all ≤ <see cref="MaxRadix"/> use a Stockham autosort
/// mixed-radix transform (radix 4, 2, 3 specialised; other primes by a direct radix-p DFT).
/// Other sizes (e.g. the prime 421) use Bluestein's chirp-z algorithm on a power-of-two plan of
/// size ≥ 2N−1. Twiddles are computed in double (angles reduced exactly in integers) and cached per
/// size and element type. The inverse transform is <c>conj(FFT(conj(x)))</c> (unnormalised).</para>
/// </remarks>
internal sealed class FftPlan<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Largest prime handled by a direct radix-p stage; larger prime factors use Bluestein.</summary>
    public const int MaxRadix = 61;

    private static readonly ConcurrentDictionary<int, FftPlan<T>> Cache = new();

    private readonly int[] radices = Array.Empty<int>();
    private readonly T[][] twRe = Array.Empty<T[]>(), twIm = Array.Empty<T[]>();
    private readonly Dictionary<int, (T[] Re, T[] Im)> roots = new();

    // Bluestein
    private readonly FftPlan<T>? inner;
    private readonly T[] chirpRe = Array.Empty<T>(), chirpIm = Array.Empty<T>();
    private readonly T[] filterRe = Array.Empty<T>(), filterIm = Array.Empty<T>();

    /// <summary>The plan for size <paramref name="n"/> (built once, then shared).</summary>
    public static FftPlan<T> Get(int n) => Cache.GetOrAdd(n, static k => new FftPlan<T>(k));

    /// <summary>Signals per batch: one SIMD vector of lanes.</summary>
    public static int Lanes => Vector<T>.Count;

    /// <summary>Transform length.</summary>
    public int N { get; }

    /// <summary>True when the plan runs Bluestein's algorithm.</summary>
    public bool IsBluestein => inner is not null;

    /// <summary>Length of each of the two scratch arrays <see cref="Forward"/> needs, for <paramref name="lanes"/> lanes.</summary>
    public long ScratchLength(int lanes) => inner is null ? (long)N * lanes : (long)inner.N * lanes + inner.ScratchLength(lanes);

    /// <summary>
    /// <see cref="ScratchLength"/> of the plan for size <paramref name="n"/>, computed without building it (so a size too large
    /// to transform is refused before its twiddles or Bluestein filters are allocated).
    /// </summary>
    public static long ScratchLengthFor(int n, int lanes)
    {
        if (n < 1) return 0;
        var factors = Factor(n);
        if (factors.Count == 0 || factors.Max() <= MaxRadix) return (long)n * lanes;
        long m = BluesteinSize(n);
        return 2 * m * lanes; // the power-of-two inner plan's own scratch plus the padded signal
    }

    /// <summary>The power-of-two size ≥ 2n − 1 of Bluestein's inner transform.</summary>
    private static long BluesteinSize(int n)
    {
        long m = 1;
        while (m < 2L * n - 1) m <<= 1;
        return m;
    }

    private FftPlan(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "FFT size must be positive");
        N = n;
        var factors = Factor(n);
        if (factors.Count > 0 && factors.Max() > MaxRadix)
        {
            long size = BluesteinSize(n);
            if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(n), n, $"Bluestein's inner FFT of size {size} exceeds a host array");
            int m = (int)size;
            inner = Get(m);
            chirpRe = new T[n];
            chirpIm = new T[n];
            for (int k = 0; k < n; k++)
            {
                // e^{-iπk²/n}; k² is reduced mod 2n exactly so large k keep full precision.
                long t = (long)k * k % (2L * n);
                double a = -Math.PI * t / n;
                chirpRe[k] = T.CreateChecked(Math.Cos(a));
                chirpIm[k] = T.CreateChecked(Math.Sin(a));
            }
            // filter = FFT_m(b)/m with b_t = conj(chirp_|t|) for |t| < n (wrapped).
            var br = new double[m];
            var bi = new double[m];
            for (int k = 0; k < n; k++)
            {
                long t = (long)k * k % (2L * n);
                double a = Math.PI * t / n;
                br[k] = Math.Cos(a);
                bi[k] = Math.Sin(a);
                if (k > 0)
                {
                    br[m - k] = br[k];
                    bi[m - k] = bi[k];
                }
            }
            NaiveOrExactDft(br, bi, out var fr, out var fi);
            filterRe = new T[m];
            filterIm = new T[m];
            for (int k = 0; k < m; k++)
            {
                filterRe[k] = T.CreateChecked(fr[k] / m);
                filterIm[k] = T.CreateChecked(fi[k] / m);
            }
            return;
        }

        radices = Radices(factors);
        twRe = new T[radices.Length][];
        twIm = new T[radices.Length][];
        int len = n;
        for (int s = 0; s < radices.Length; s++)
        {
            int p = radices[s], mm = len / p;
            var wr = new T[mm * (p - 1)];
            var wi = new T[mm * (p - 1)];
            for (int q = 0; q < mm; q++)
            {
                for (int r = 1; r < p; r++)
                {
                    // w_len^{q r} with the angle reduced exactly: (q·r mod len)/len.
                    long t = (long)q * r % len;
                    double a = -2 * Math.PI * t / len;
                    wr[q * (p - 1) + r - 1] = T.CreateChecked(Math.Cos(a));
                    wi[q * (p - 1) + r - 1] = T.CreateChecked(Math.Sin(a));
                }
            }
            twRe[s] = wr;
            twIm[s] = wi;
            if (p > 4 && !roots.ContainsKey(p))
            {
                var rr = new T[p];
                var ri = new T[p];
                for (int t = 0; t < p; t++)
                {
                    double a = -2 * Math.PI * t / p;
                    rr[t] = T.CreateChecked(Math.Cos(a));
                    ri[t] = T.CreateChecked(Math.Sin(a));
                }
                roots[p] = (rr, ri);
            }
            len = mm;
        }
    }

    /// <summary>Exact-enough DFT of a power-of-two double signal, used once to build the Bluestein filter.</summary>
    private static void NaiveOrExactDft(double[] re, double[] im, out double[] outRe, out double[] outIm)
    {
        // The filter is built with the double plan of the same size: accurate to ~1e-16·log m.
        var plan = FftPlan<double>.Get(re.Length);
        int lanes = FftPlan<double>.Lanes;
        var xr = new double[re.Length * lanes];
        var xi = new double[re.Length * lanes];
        for (int j = 0; j < re.Length; j++)
        {
            xr[j * lanes] = re[j];
            xi[j * lanes] = im[j];
        }
        var s1 = new double[plan.ScratchLength(lanes)];
        var s2 = new double[plan.ScratchLength(lanes)];
        plan.Forward(xr, xi, s1, s2, lanes);
        outRe = new double[re.Length];
        outIm = new double[re.Length];
        for (int j = 0; j < re.Length; j++)
        {
            outRe[j] = xr[j * lanes];
            outIm[j] = xi[j * lanes];
        }
    }

    private static List<int> Factor(int n)
    {
        var f = new List<int>();
        for (int p = 2; (long)p * p <= n; p++)
            while (n % p == 0)
            {
                f.Add(p);
                n /= p;
            }
        if (n > 1) f.Add(n);
        return f;
    }

    private static int[] Radices(List<int> factors)
    {
        int twos = factors.Count(p => p == 2);
        var r = new List<int>();
        for (int i = 0; i < twos / 2; i++) r.Add(4);
        if (twos % 2 == 1) r.Add(2);
        r.AddRange(factors.Where(p => p != 2));
        return r.ToArray();
    }

    /// <summary>In-place unnormalised inverse FFT (exponent +2πi): conj(FFT(conj x)).</summary>
    public void Inverse(Span<T> re, Span<T> im, Span<T> scratchA, Span<T> scratchB, int lanes)
    {
        Negate(im[..(N * lanes)]);
        Forward(re, im, scratchA, scratchB, lanes);
        Negate(im[..(N * lanes)]);
    }

    private static void Negate(Span<T> x)
    {
        var v = System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(x);
        for (int i = 0; i < v.Length; i++) v[i] = -v[i];
        for (int i = v.Length * Vector<T>.Count; i < x.Length; i++) x[i] = -x[i];
    }

    /// <summary>
    /// In-place forward FFT (exponent −2πi, unnormalised) of <paramref name="lanes"/> signals in the
    /// lane layout. Scratch arrays need <see cref="ScratchLength"/> elements each.
    /// </summary>
    public unsafe void Forward(Span<T> re, Span<T> im, Span<T> scratchA, Span<T> scratchB, int lanes)
    {
        if (lanes % Vector<T>.Count != 0) throw new ArgumentException("lanes must be a multiple of the vector width", nameof(lanes));
        if (inner is not null)
        {
            Bluestein(re, im, scratchA, scratchB, lanes);
            return;
        }
        if (radices.Length == 0) return; // N == 1
        fixed (T* pr = re, pi = im, sr = scratchA, si = scratchB)
        {
            T* xr = pr, xi = pi, yr = sr, yi = si;
            int len = N, s = 1;
            for (int st = 0; st < radices.Length; st++)
            {
                int p = radices[st], m = len / p;
                int run = s * lanes;
                fixed (T* wr = twRe[st], wi = twIm[st])
                {
                    switch (p)
                    {
                        case 4: Radix4(m, run, xr, xi, yr, yi, wr, wi); break;
                        case 2: Radix2(m, run, xr, xi, yr, yi, wr, wi); break;
                        case 3: Radix3(m, run, xr, xi, yr, yi, wr, wi); break;
                        default:
                            var (rr, ri) = roots[p];
                            fixed (T* rootR = rr, rootI = ri) RadixP(p, m, run, xr, xi, yr, yi, wr, wi, rootR, rootI);
                            break;
                    }
                }
                T* tr = xr; xr = yr; yr = tr;
                T* ti = xi; xi = yi; yi = ti;
                len = m;
                s *= p;
            }
            if (xr != pr)
            {
                new Span<T>(xr, N * lanes).CopyTo(re);
                new Span<T>(xi, N * lanes).CopyTo(im);
            }
        }
    }

    private static unsafe Vector<T> Load(T* p) => *(Vector<T>*)p;

    private static unsafe void Store(T* p, Vector<T> v) => *(Vector<T>*)p = v;

    private static unsafe void StoreTwiddled(T* yr, T* yi, Vector<T> ar, Vector<T> ai, Vector<T> wr, Vector<T> wi)
    {
        Store(yr, ar * wr - ai * wi);
        Store(yi, ar * wi + ai * wr);
    }

    // Stockham stage: inputs x[(q + m·j)·run + v], outputs y[(p·q + r)·run + v], twiddle w^{q·r}.

    private static unsafe void Radix2(int m, int run, T* xr, T* xi, T* yr, T* yi, T* twr, T* twi)
    {
        int w = Vector<T>.Count;
        for (int q = 0; q < m; q++)
        {
            var wr = new Vector<T>(twr[q]);
            var wi = new Vector<T>(twi[q]);
            long a = (long)q * run, b = (long)(q + m) * run, o0 = 2L * q * run, o1 = o0 + run;
            for (int v = 0; v < run; v += w)
            {
                var ar = Load(xr + a + v); var ai = Load(xi + a + v);
                var br = Load(xr + b + v); var bi = Load(xi + b + v);
                Store(yr + o0 + v, ar + br);
                Store(yi + o0 + v, ai + bi);
                StoreTwiddled(yr + o1 + v, yi + o1 + v, ar - br, ai - bi, wr, wi);
            }
        }
    }

    private static unsafe void Radix4(int m, int run, T* xr, T* xi, T* yr, T* yi, T* twr, T* twi)
    {
        int w = Vector<T>.Count;
        for (int q = 0; q < m; q++)
        {
            var w1r = new Vector<T>(twr[3 * q]); var w1i = new Vector<T>(twi[3 * q]);
            var w2r = new Vector<T>(twr[3 * q + 1]); var w2i = new Vector<T>(twi[3 * q + 1]);
            var w3r = new Vector<T>(twr[3 * q + 2]); var w3i = new Vector<T>(twi[3 * q + 2]);
            long i0 = (long)q * run, i1 = (long)(q + m) * run, i2 = (long)(q + 2 * m) * run, i3 = (long)(q + 3 * m) * run;
            long o0 = 4L * q * run, o1 = o0 + run, o2 = o1 + run, o3 = o2 + run;
            for (int v = 0; v < run; v += w)
            {
                var a0r = Load(xr + i0 + v); var a0i = Load(xi + i0 + v);
                var a1r = Load(xr + i1 + v); var a1i = Load(xi + i1 + v);
                var a2r = Load(xr + i2 + v); var a2i = Load(xi + i2 + v);
                var a3r = Load(xr + i3 + v); var a3i = Load(xi + i3 + v);
                var t0r = a0r + a2r; var t0i = a0i + a2i;
                var t1r = a0r - a2r; var t1i = a0i - a2i;
                var t2r = a1r + a3r; var t2i = a1i + a3i;
                // t3 = -i·(a1 - a3)
                var t3r = a1i - a3i; var t3i = a3r - a1r;
                Store(yr + o0 + v, t0r + t2r);
                Store(yi + o0 + v, t0i + t2i);
                StoreTwiddled(yr + o1 + v, yi + o1 + v, t1r + t3r, t1i + t3i, w1r, w1i);
                StoreTwiddled(yr + o2 + v, yi + o2 + v, t0r - t2r, t0i - t2i, w2r, w2i);
                StoreTwiddled(yr + o3 + v, yi + o3 + v, t1r - t3r, t1i - t3i, w3r, w3i);
            }
        }
    }

    private static unsafe void Radix3(int m, int run, T* xr, T* xi, T* yr, T* yi, T* twr, T* twi)
    {
        int w = Vector<T>.Count;
        var half = new Vector<T>(T.CreateChecked(0.5));
        var s3 = new Vector<T>(T.CreateChecked(Math.Sqrt(3) / 2));
        for (int q = 0; q < m; q++)
        {
            var w1r = new Vector<T>(twr[2 * q]); var w1i = new Vector<T>(twi[2 * q]);
            var w2r = new Vector<T>(twr[2 * q + 1]); var w2i = new Vector<T>(twi[2 * q + 1]);
            long i0 = (long)q * run, i1 = (long)(q + m) * run, i2 = (long)(q + 2 * m) * run;
            long o0 = 3L * q * run, o1 = o0 + run, o2 = o1 + run;
            for (int v = 0; v < run; v += w)
            {
                var a0r = Load(xr + i0 + v); var a0i = Load(xi + i0 + v);
                var a1r = Load(xr + i1 + v); var a1i = Load(xi + i1 + v);
                var a2r = Load(xr + i2 + v); var a2i = Load(xi + i2 + v);
                var sr = a1r + a2r; var si = a1i + a2i;
                var dr = a1r - a2r; var di = a1i - a2i;
                var mr = a0r - sr * half; var mi = a0i - si * half;
                // -i·(√3/2)·d
                var nr = di * s3; var ni = -dr * s3;
                Store(yr + o0 + v, a0r + sr);
                Store(yi + o0 + v, a0i + si);
                StoreTwiddled(yr + o1 + v, yi + o1 + v, mr + nr, mi + ni, w1r, w1i);
                StoreTwiddled(yr + o2 + v, yi + o2 + v, mr - nr, mi - ni, w2r, w2i);
            }
        }
    }

    private static unsafe void RadixP(int p, int m, int run, T* xr, T* xi, T* yr, T* yi, T* twr, T* twi, T* rootR, T* rootI)
    {
        int w = Vector<T>.Count;
        for (int q = 0; q < m; q++)
        {
            for (int r = 0; r < p; r++)
            {
                long o = ((long)p * q + r) * run;
                var tr = new Vector<T>(r == 0 ? T.One : twr[q * (p - 1) + r - 1]);
                var ti = new Vector<T>(r == 0 ? T.Zero : twi[q * (p - 1) + r - 1]);
                for (int v = 0; v < run; v += w)
                {
                    var accR = Vector<T>.Zero;
                    var accI = Vector<T>.Zero;
                    for (int j = 0; j < p; j++)
                    {
                        long i = (long)(q + m * j) * run + v;
                        int t = j * r % p;
                        var cr = new Vector<T>(rootR[t]);
                        var ci = new Vector<T>(rootI[t]);
                        var ar = Load(xr + i);
                        var ai = Load(xi + i);
                        accR += ar * cr - ai * ci;
                        accI += ar * ci + ai * cr;
                    }
                    StoreTwiddled(yr + o + v, yi + o + v, accR, accI, tr, ti);
                }
            }
        }
    }

    private void Bluestein(Span<T> re, Span<T> im, Span<T> scratchA, Span<T> scratchB, int lanes)
    {
        var plan = inner!;
        int m = plan.N, n = N;
        int len = m * lanes;
        var ar = scratchA[..len];
        var ai = scratchB[..len];
        var restA = scratchA[len..];
        var restB = scratchB[len..];
        // a = x·chirp, zero-padded to m
        for (int k = 0; k < n; k++)
        {
            var cr = new Vector<T>(chirpRe[k]);
            var ci = new Vector<T>(chirpIm[k]);
            for (int v = 0; v < lanes; v += Vector<T>.Count)
            {
                int i = k * lanes + v;
                var xr = new Vector<T>(re[i..]);
                var xi = new Vector<T>(im[i..]);
                (xr * cr - xi * ci).CopyTo(ar[i..]);
                (xr * ci + xi * cr).CopyTo(ai[i..]);
            }
        }
        ar[(n * lanes)..].Clear();
        ai[(n * lanes)..].Clear();
        plan.Forward(ar, ai, restA, restB, lanes);
        for (int k = 0; k < m; k++)
        {
            var fr = new Vector<T>(filterRe[k]);
            var fi = new Vector<T>(filterIm[k]);
            for (int v = 0; v < lanes; v += Vector<T>.Count)
            {
                int i = k * lanes + v;
                var xr = new Vector<T>(ar[i..]);
                var xi = new Vector<T>(ai[i..]);
                (xr * fr - xi * fi).CopyTo(ar[i..]);
                (xr * fi + xi * fr).CopyTo(ai[i..]);
            }
        }
        plan.Inverse(ar, ai, restA, restB, lanes);
        for (int k = 0; k < n; k++)
        {
            var cr = new Vector<T>(chirpRe[k]);
            var ci = new Vector<T>(chirpIm[k]);
            for (int v = 0; v < lanes; v += Vector<T>.Count)
            {
                int i = k * lanes + v;
                var xr = new Vector<T>(ar[i..]);
                var xi = new Vector<T>(ai[i..]);
                (xr * cr - xi * ci).CopyTo(re[i..]);
                (xr * ci + xi * cr).CopyTo(im[i..]);
            }
        }
    }
}
