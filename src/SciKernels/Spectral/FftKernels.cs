using System.Buffers;
using System.Numerics;

namespace SciKernels.Spectral;

/// <summary>
/// Raw (non-recording) FFT loops over contiguous host buffers. Signals are gathered into the lane
/// layout of <see cref="FftPlan{T}"/> one vector of signals at a time, transformed, and scattered
/// back; groups of signals run in parallel on the thread pool when the work is large enough.
/// </summary>
internal static unsafe class FftKernels
{
    /// <summary>Below this many transformed elements a call stays on the calling thread.</summary>
    private const long ParallelThreshold = 1 << 15;

    private static void ForChunks<T>(long chunks, long elementsPerChunk, int bufferLength, Action<long, T[], T[], T[], T[]> body)
        where T : unmanaged
    {
        if (chunks <= 0) return;
        var pool = ArrayPool<T>.Shared;
        if (chunks == 1 || chunks * elementsPerChunk < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            var b = new[] { pool.Rent(bufferLength), pool.Rent(bufferLength), pool.Rent(bufferLength), pool.Rent(bufferLength) };
            try
            {
                for (long c = 0; c < chunks; c++) body(c, b[0], b[1], b[2], b[3]);
            }
            finally
            {
                foreach (var a in b) pool.Return(a);
            }
            return;
        }
        Parallel.For(0L, chunks,
            () => new[] { pool.Rent(bufferLength), pool.Rent(bufferLength), pool.Rent(bufferLength), pool.Rent(bufferLength) },
            (c, _, b) =>
            {
                body(c, b[0], b[1], b[2], b[3]);
                return b;
            },
            b =>
            {
                foreach (var a in b) pool.Return(a);
            });
    }

    /// <summary>
    /// y[r, k] = scale·Σ_j x[r, j]·e^{−2πi jk/n} for k ≤ n/2: x is [rows, n] real, y is [rows, n/2+1, 2].
    /// Two real rows share one complex transform (one in the real part, one in the imaginary part).
    /// </summary>
    public static void RfftRows<T>(T* x, long rows, int n, T* y, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = FftPlan<T>.Get(n);
        int lanes = FftPlan<T>.Lanes, h = n / 2 + 1;
        int buf = checked((int)Math.Max((long)n * lanes, plan.ScratchLength(lanes))); // Fourier.CheckHostFft refused larger sizes
        long chunks = (rows + 2L * lanes - 1) / (2L * lanes);
        nint px = (nint)x, py = (nint)y;
        T half = scale / T.CreateChecked(2);
        ForChunks<T>(chunks, 2L * lanes * n, buf, (c, re, im, s1, s2) =>
        {
            T* xs = (T*)px, ys = (T*)py;
            long r0 = c * 2L * lanes;
            for (int l = 0; l < lanes; l++)
            {
                long ra = r0 + 2 * l, rb = ra + 1;
                for (int j = 0; j < n; j++)
                {
                    re[j * lanes + l] = ra < rows ? xs[ra * n + j] : T.Zero;
                    im[j * lanes + l] = rb < rows ? xs[rb * n + j] : T.Zero;
                }
            }
            plan.Forward(re, im, s1, s2, lanes);
            for (int l = 0; l < lanes; l++)
            {
                long ra = r0 + 2 * l, rb = ra + 1;
                if (ra >= rows) break;
                T* ya = ys + ra * h * 2;
                T* yb = ys + rb * h * 2;
                for (int k = 0; k < h; k++)
                {
                    int nk = k == 0 ? 0 : n - k;
                    T a = re[k * lanes + l], b = im[k * lanes + l], cc = re[nk * lanes + l], d = im[nk * lanes + l];
                    ya[2 * k] = (a + cc) * half;
                    ya[2 * k + 1] = (b - d) * half;
                    if (rb < rows)
                    {
                        yb[2 * k] = (b + d) * half;
                        yb[2 * k + 1] = (cc - a) * half;
                    }
                }
            }
        });
    }

    /// <summary>
    /// y[r, j] = scale·Σ_{k=0}^{n−1} X̃[r, k]·e^{+2πi jk/n} with X̃ the Hermitian extension of the
    /// half spectrum X [rows, n/2+1, 2] (imaginary parts of the DC and Nyquist bins are ignored);
    /// y is [rows, n] real.
    /// </summary>
    public static void IrfftRows<T>(T* x, long rows, int n, T* y, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = FftPlan<T>.Get(n);
        int lanes = FftPlan<T>.Lanes, h = n / 2 + 1;
        int buf = checked((int)Math.Max((long)n * lanes, plan.ScratchLength(lanes))); // Fourier.CheckHostFft refused larger sizes
        long chunks = (rows + 2L * lanes - 1) / (2L * lanes);
        nint px = (nint)x, py = (nint)y;
        ForChunks<T>(chunks, 2L * lanes * n, buf, (c, re, im, s1, s2) =>
        {
            T* xs = (T*)px, ys = (T*)py;
            long r0 = c * 2L * lanes;
            for (int l = 0; l < lanes; l++)
            {
                long ra = r0 + 2 * l, rb = ra + 1;
                T* xa = ra < rows ? xs + ra * h * 2 : null;
                T* xb = rb < rows ? xs + rb * h * 2 : null;
                for (int k = 0; k < n; k++)
                {
                    var (p, q) = Extend(xa, k, n, h);
                    var (u, v) = Extend(xb, k, n, h);
                    // Z = X̃a + i·X̃b
                    re[k * lanes + l] = p - v;
                    im[k * lanes + l] = q + u;
                }
            }
            plan.Inverse(re, im, s1, s2, lanes);
            for (int l = 0; l < lanes; l++)
            {
                long ra = r0 + 2 * l, rb = ra + 1;
                if (ra >= rows) break;
                for (int j = 0; j < n; j++) ys[ra * n + j] = re[j * lanes + l] * scale;
                if (rb < rows)
                    for (int j = 0; j < n; j++) ys[rb * n + j] = im[j * lanes + l] * scale;
            }
        });
    }

    private static (T Re, T Im) Extend<T>(T* row, int k, int n, int h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row == null) return (T.Zero, T.Zero);
        if (k < h)
        {
            bool real = k == 0 || 2 * k == n;
            return (row[2 * k], real ? T.Zero : row[2 * k + 1]);
        }
        int m = n - k;
        return (row[2 * m], -row[2 * m + 1]);
    }

    /// <summary>
    /// In-place complex FFT along the middle axis of interleaved complex data viewed as
    /// [outer, n, inner] complex elements; multiplies the result by <paramref name="scale"/>.
    /// </summary>
    public static void ComplexAlongAxis<T>(T* data, long outer, int n, long inner, bool inverse, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 1 && scale == T.One) return;
        var plan = FftPlan<T>.Get(n);
        int lanes = FftPlan<T>.Lanes;
        int buf = checked((int)Math.Max((long)n * lanes, plan.ScratchLength(lanes))); // Fourier.CheckHostFft refused larger sizes
        long signals = outer * inner;
        long chunks = (signals + lanes - 1) / lanes;
        nint pd = (nint)data;
        ForChunks<T>(chunks, (long)lanes * n, buf, (c, re, im, s1, s2) =>
        {
            T* d = (T*)pd;
            long s0 = c * lanes;
            long step = inner * 2;
            for (int l = 0; l < lanes; l++)
            {
                long s = s0 + l;
                if (s >= signals)
                {
                    for (int j = 0; j < n; j++) re[j * lanes + l] = im[j * lanes + l] = T.Zero;
                    continue;
                }
                long o = s / inner, i = s % inner;
                T* b = d + (o * n * inner + i) * 2;
                for (int j = 0; j < n; j++)
                {
                    re[j * lanes + l] = b[j * step];
                    im[j * lanes + l] = b[j * step + 1];
                }
            }
            if (inverse) plan.Inverse(re, im, s1, s2, lanes);
            else plan.Forward(re, im, s1, s2, lanes);
            for (int l = 0; l < lanes; l++)
            {
                long s = s0 + l;
                if (s >= signals) break;
                long o = s / inner, i = s % inner;
                T* b = d + (o * n * inner + i) * 2;
                for (int j = 0; j < n; j++)
                {
                    b[j * step] = re[j * lanes + l] * scale;
                    b[j * step + 1] = im[j * lanes + l] * scale;
                }
            }
        });
    }
}
