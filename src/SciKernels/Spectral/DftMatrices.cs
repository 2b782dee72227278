using System.Collections.Concurrent;
using SciKernels.Autograd;

namespace SciKernels.Spectral;

/// <summary>
/// Cached real matrices of truncated DFTs, so a transform restricted to a few modes is one GEMM.
/// Built once per (kind, size, modes, dtype, device) in double precision with exactly reduced
/// angles, then converted; they never require grad and live for the process.
/// </summary>
/// <remarks>
/// Index orders (r = 0 real part, 1 imaginary part; k a kept frequency):
/// <list type="bullet">
/// <item><see cref="RealForward"/> F [n, 2M]: x[n] → X[m] = Σ_t x[t]·e^{−2πi mt/n}; columns (m, r) when interleaved, else (r, m).</item>
/// <item><see cref="RealInverse"/> G [2M, n]: X[m] → x[t] = (1/n)·Σ_m c_m·Re(X[m]·e^{+2πi mt/n}), c_m the Hermitian multiplicity.</item>
/// <item><see cref="ComplexForward"/> E [(r', k), (d, r)]: restricted complex DFT along a dimension of size D keeping
/// the frequencies 0…m−1 and D−m…D−1 (the two corners of FNO).</item>
/// <item><see cref="ComplexInverse"/> E⁻ [(d, r'), (r, k)]: (1/D)·Σ_k X[k]·e^{+2πi f_k d/D} from the same kept frequencies.</item>
/// </list>
/// </remarks>
internal static class DftMatrices
{
    private readonly record struct Key(string Kind, int N, int M, bool Interleaved, DType DType, DeviceKind Device, int DeviceIndex);

    private static readonly ConcurrentDictionary<Key, Lazy<Tensor>> Cache = new();

    private static Tensor Get(string kind, int n, int m, bool interleaved, DType dtype, Device device, Func<double[]> build, params long[] dims)
    {
        // the callers check sizes with their own operation's name first; this is the backstop before allocating
        long count = 1;
        foreach (long dim in dims) count = dim > int.MaxValue || count > Array.MaxLength ? long.MaxValue : count * dim;
        if (count > Array.MaxLength)
            throw new TensorException("DftMatrices", $"the {kind} matrix [{string.Join(", ", dims)}] for size {n} and {m} modes exceeds a host array");
        var shape = dims.Select(dim => (int)dim).ToArray();
        var key = new Key(kind, n, m, interleaved, dtype, device.Kind, device.Index);
        return Cache.GetOrAdd(key, _ => new Lazy<Tensor>(() =>
        {
            using var noGrad = GradMode.NoGrad();
            return TensorScope.Keep(Tensor.FromDoubles(build(), shape, dtype, device));
        })).Value;
    }

    private static (double Cos, double Sin) Angle(long f, long t, int n)
    {
        double a = 2 * Math.PI * ((f * t) % n) / n;
        return (Math.Cos(a), Math.Sin(a));
    }

    /// <summary>Multiplicity c_k of half-spectrum bin k of a length-n real signal: 1 for DC and Nyquist, else 2.</summary>
    internal static int Multiplicity(int k, int n) => k == 0 || 2 * k == n ? 1 : 2;

    /// <summary>Frequency of kept index k of a dimension of size d with corners of m modes.</summary>
    internal static int CornerFrequency(int k, int d, int m) => k < m ? k : d - 2 * m + k;

    /// <summary>[h, 1] bin weights: c_k (multiplicities) or 1/c_k when <paramref name="reciprocal"/>.</summary>
    public static Tensor BinWeights(int n, bool reciprocal, DType dtype, Device device)
    {
        int h = n / 2 + 1;
        return Get(reciprocal ? "w-recip" : "w-mult", n, h, false, dtype, device, () =>
        {
            var v = new double[h];
            for (int k = 0; k < h; k++) v[k] = reciprocal ? 1.0 / Multiplicity(k, n) : Multiplicity(k, n);
            return v;
        }, h, 1);
    }

    /// <summary>F [n, 2M] with F[t, (m, r)] = (cos, −sin)(2π mt/n).</summary>
    public static Tensor RealForward(int n, int modes, bool interleaved, DType dtype, Device device)
        => Get("rf", n, modes, interleaved, dtype, device, () =>
        {
            var v = new double[(long)n * 2 * modes];
            for (long t = 0; t < n; t++)
                for (int m = 0; m < modes; m++)
                {
                    var (c, s) = Angle(m, t, n);
                    long cr = interleaved ? 2L * m : m, ci = interleaved ? 2L * m + 1 : (long)modes + m;
                    v[t * 2 * modes + cr] = c;
                    v[t * 2 * modes + ci] = -s;
                }
            return v;
        }, n, 2L * modes);

    /// <summary>G [2M, n] with G[(m, r), t] = c_m/n·(cos, −sin)(2π mt/n).</summary>
    public static Tensor RealInverse(int n, int modes, bool interleaved, DType dtype, Device device)
        => Get("ri", n, modes, interleaved, dtype, device, () =>
        {
            var v = new double[2L * modes * n];
            for (int m = 0; m < modes; m++)
            {
                double w = (double)Multiplicity(m, n) / n;
                long rr = interleaved ? 2L * m : m, ri = interleaved ? 2L * m + 1 : (long)modes + m;
                for (int t = 0; t < n; t++)
                {
                    var (c, s) = Angle(m, t, n);
                    v[rr * n + t] = w * c;
                    v[ri * n + t] = -w * s;
                }
            }
            return v;
        }, 2L * modes, n);

    /// <summary>
    /// The twiddle table of the device FFT kernels: e^{−2πi t/n} for t &lt; n/2, interleaved (re, im),
    /// [n] (uploaded once per (n, dtype, device)).
    /// </summary>
    public static Tensor Twiddles(int n, DType dtype, Device device)
        => Get("tw", n, n / 2, false, dtype, device, () =>
        {
            var v = new double[n];
            for (int t = 0; t < n / 2; t++)
            {
                var (c, s) = Angle(t, 1, n);
                v[2 * t] = c;
                v[2 * t + 1] = -s;
            }
            return v;
        }, n);

    /// <summary>
    /// The full n-point DFT as its cosine and sine parts, C[f, t] = cos(2π ft/n) and S[f, t] =
    /// sin(2π ft/n), each [n, n] (the exact O(n²) fallback for lengths that are not powers of two).
    /// </summary>
    public static (Tensor Cos, Tensor Sin) FullComplex(int n, DType dtype, Device device)
    {
        double[] Build(bool sine)
        {
            var v = new double[(long)n * n];
            for (long f = 0; f < n; f++)
                for (int t = 0; t < n; t++)
                {
                    var (c, s) = Angle(f, t, n);
                    v[f * n + t] = sine ? s : c;
                }
            return v;
        }
        return (Get("dft-cos", n, n, false, dtype, device, () => Build(false), n, n),
                Get("dft-sin", n, n, false, dtype, device, () => Build(true), n, n));
    }

    /// <summary>
    /// J [2, 2] mapping a (re, im) row (p, q) to (q, −p) (forward) or (−q, p) (inverse): the sine part
    /// of the exact complex DFT fallback.
    /// </summary>
    public static Tensor QuarterTurn(bool inverse, DType dtype, Device device)
        => Get(inverse ? "quarter-turn-inverse" : "quarter-turn", 2, 2, false, dtype, device, () => inverse ? new[] { 0.0, 1, -1, 0 } : new[] { 0.0, -1, 1, 0 }, 2, 2);

    /// <summary>E [2K, 2D], K = 2m: rows (r', k), columns (d, r).</summary>
    public static Tensor ComplexForward(int d, int m, DType dtype, Device device)
        => Get("cf", d, m, false, dtype, device, () =>
        {
            long k2 = 2L * m, cols = 2L * d;
            var v = new double[2 * k2 * cols];
            for (long k = 0; k < k2; k++)
            {
                int f = CornerFrequency((int)k, d, m);
                for (long t = 0; t < d; t++)
                {
                    // (a + ib)·e^{−iφ} = (a cos φ + b sin φ) + i(b cos φ − a sin φ)
                    var (c, s) = Angle(f, t, d);
                    v[k * cols + 2 * t] = c;
                    v[k * cols + 2 * t + 1] = s;
                    v[(k2 + k) * cols + 2 * t] = -s;
                    v[(k2 + k) * cols + 2 * t + 1] = c;
                }
            }
            return v;
        }, 4L * m, 2L * d);

    /// <summary>E⁻ [2D, 2K], K = 2m: rows (d, r'), columns (r, k); includes 1/D.</summary>
    public static Tensor ComplexInverse(int d, int m, DType dtype, Device device)
        => Get("ci", d, m, false, dtype, device, () =>
        {
            long k2 = 2L * m, cols = 2 * k2;
            var v = new double[2L * d * cols];
            for (long t = 0; t < d; t++)
                for (int k = 0; k < k2; k++)
                {
                    // (a + ib)·e^{+iφ}/D = (a cos φ − b sin φ + i(a sin φ + b cos φ))/D
                    var (c, s) = Angle(CornerFrequency(k, d, m), t, d);
                    v[(2 * t) * cols + k] = c / d;
                    v[(2 * t) * cols + k2 + k] = -s / d;
                    v[(2 * t + 1) * cols + k] = s / d;
                    v[(2 * t + 1) * cols + k2 + k] = c / d;
                }
            return v;
        }, 2L * d, 4L * m);
}
