using SciKernels.Random;

namespace SciKernels.Tests.Spectral;

/// <summary>Naive O(n²) references in double precision and small helpers for the spectral tests.</summary>
internal static class SpectralTestUtil
{
    public static double Dot(Tensor a, Tensor b)
    {
        var x = a.ToArray<double>();
        var y = b.ToArray<double>();
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    public static double MaxAbs(double[] a) => a.Length == 0 ? 0 : a.Max(Math.Abs);

    public static double MaxAbsDiff(double[] a, double[] b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    public static Tensor Randn(Generator gen, DType dtype, params int[] shape) => Tensor.Randn(shape, gen, dtype);

    /// <summary>Row-major flat index of <paramref name="idx"/> in <paramref name="shape"/>.</summary>
    public static long Flat(int[] shape, params int[] idx)
    {
        long f = 0;
        for (int i = 0; i < shape.Length; i++) f = f * shape[i] + idx[i];
        return f;
    }

    private static double Phase(long f, long t, int n) => 2 * Math.PI * (f * t % n) / n;

    /// <summary>
    /// Naive real DFT over the trailing <c>sizes.Length</c> dims of x ([rows, sizes…] flattened):
    /// returns [rows, sizes[..^1]…, n/2+1, 2].
    /// </summary>
    public static double[] NaiveRfftn(double[] x, long rows, int[] sizes)
    {
        int d = sizes.Length;
        int h = sizes[^1] / 2 + 1;
        var outSizes = sizes.ToArray();
        outSizes[^1] = h;
        long inCount = sizes.Aggregate(1L, (a, b) => a * b), outCount = outSizes.Aggregate(1L, (a, b) => a * b);
        var y = new double[rows * outCount * 2];
        var kIdx = new int[d];
        var tIdx = new int[d];
        for (long r = 0; r < rows; r++)
            for (long ko = 0; ko < outCount; ko++)
            {
                Unflatten(ko, outSizes, kIdx);
                double re = 0, im = 0;
                for (long ti = 0; ti < inCount; ti++)
                {
                    Unflatten(ti, sizes, tIdx);
                    double a = 0;
                    for (int i = 0; i < d; i++) a += Phase(kIdx[i], tIdx[i], sizes[i]);
                    double v = x[r * inCount + ti];
                    re += v * Math.Cos(a);
                    im -= v * Math.Sin(a);
                }
                y[(r * outCount + ko) * 2] = re;
                y[(r * outCount + ko) * 2 + 1] = im;
            }
        return y;
    }

    public static void Unflatten(long f, int[] shape, int[] idx)
    {
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            idx[i] = (int)(f % shape[i]);
            f /= shape[i];
        }
    }

    /// <summary>
    /// Explicit spectral convolution: naive DFT of the kept modes, complex channel mixing, and the
    /// real inverse (1/∏D)·Σ c_k·Re(O_k e^{+iθ}) — what rfftn → mode multiply → irfftn computes.
    /// </summary>
    public static double[] ReferenceSpectralConv(double[] x, int[] xShape, double[] wRe, double[] wIm, int[] wShape)
    {
        int b = xShape[0], cin = xShape[1];
        var sizes = xShape[2..];
        int d = sizes.Length;
        int off = d == 1 ? 0 : 1;
        int cout = wShape[off + 1];
        var modes = wShape[(off + 2)..];
        int corners = d == 1 ? 1 : wShape[0];
        long sp = sizes.Aggregate(1L, (a, c) => a * c);
        var y = new double[b * cout * sp];
        var tIdx = new int[d];
        var f = new int[d];
        var j = new int[d];
        long modeCount = modes.Aggregate(1L, (a, c) => a * c);
        for (int corner = 0; corner < corners; corner++)
            for (long mi = 0; mi < modeCount; mi++)
            {
                Unflatten(mi, modes, j);
                for (int i = 0; i < d; i++)
                {
                    bool negative = i < d - 1 && ((corner >> i) & 1) == 1;
                    f[i] = negative ? sizes[i] - modes[i] + j[i] : j[i];
                }
                int last = f[d - 1], nLast = sizes[d - 1];
                double mult = last == 0 || 2 * last == nLast ? 1 : 2;
                for (int bb = 0; bb < b; bb++)
                {
                    // X_f for each input channel
                    var xr = new double[cin];
                    var xi = new double[cin];
                    for (int c = 0; c < cin; c++)
                        for (long t = 0; t < sp; t++)
                        {
                            Unflatten(t, sizes, tIdx);
                            double a = 0;
                            for (int i = 0; i < d; i++) a += Phase(f[i], tIdx[i], sizes[i]);
                            double v = x[(bb * cin + c) * sp + t];
                            xr[c] += v * Math.Cos(a);
                            xi[c] -= v * Math.Sin(a);
                        }
                    for (int o = 0; o < cout; o++)
                    {
                        double orr = 0, oi = 0;
                        for (int c = 0; c < cin; c++)
                        {
                            int[] widx = d == 1 ? new[] { c, o, j[0] } : new[] { corner, c, o }.Concat(j).ToArray();
                            long wi = Flat(wShape, widx);
                            orr += xr[c] * wRe[wi] - xi[c] * wIm[wi];
                            oi += xr[c] * wIm[wi] + xi[c] * wRe[wi];
                        }
                        for (long t = 0; t < sp; t++)
                        {
                            Unflatten(t, sizes, tIdx);
                            double a = 0;
                            for (int i = 0; i < d; i++) a += Phase(f[i], tIdx[i], sizes[i]);
                            y[(bb * cout + o) * sp + t] += mult * (orr * Math.Cos(a) - oi * Math.Sin(a)) / sp;
                        }
                    }
                }
            }
        return y;
    }

    /// <summary>Circular shift of the last dimension by s.</summary>
    public static Tensor Roll(Tensor x, int s)
    {
        int n = x.Shape[^1];
        s = ((s % n) + n) % n;
        if (s == 0) return x;
        return Tensor.Concat(new[] { x.Narrow(-1, n - s, s), x.Narrow(-1, 0, n - s) }, -1);
    }
}
