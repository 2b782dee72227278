using System.Collections.Concurrent;
using System.Diagnostics;
using SciKernels.Autograd;

namespace SciKernels.Spectral;

/// <summary>How a truncated transform is computed.</summary>
public enum TruncatedStrategy
{
    /// <summary>Measure both ways once per shape (on the first call, on the CPU) and use the faster.</summary>
    Auto,
    /// <summary>One GEMM with a cached DFT matrix: O(n·modes) per signal, best for few modes.</summary>
    Gemm,
    /// <summary>A full FFT, then keep (or zero-pad) the low modes: O(n log n) per signal.</summary>
    Fft,
}

public static partial class Fourier
{
    private readonly record struct TuneKey(bool Inverse, int N, int Modes, DType DType, int RowsLog2);

    private static readonly ConcurrentDictionary<TuneKey, TruncatedStrategy> Tuned = new();

    /// <summary>
    /// How <see cref="TruncatedRfft"/> and <see cref="TruncatedIrfft"/> choose their algorithm
    /// (default <see cref="TruncatedStrategy.Auto"/>). Off the CPU the GEMM is always used.
    /// </summary>
    public static TruncatedStrategy Strategy { get; set; } = TruncatedStrategy.Auto;

    /// <summary>The choices <see cref="TruncatedStrategy.Auto"/> has made so far, for inspection.</summary>
    public static IReadOnlyDictionary<string, TruncatedStrategy> TunedChoices
        => Tuned.ToDictionary(kv => $"{(kv.Key.Inverse ? "irfft" : "rfft")} n={kv.Key.N} modes={kv.Key.Modes} {kv.Key.DType.Name()} rows~2^{kv.Key.RowsLog2}", kv => kv.Value);

    /// <summary>
    /// The lowest <paramref name="modes"/> bins of the real FFT along the last dimension:
    /// [..., n] → [..., modes, 2], equal to <c>Rfft(x)[..., :modes, :]</c>.
    /// </summary>
    /// <param name="x">Real float32/float64 signal.</param>
    /// <param name="modes">Number of kept frequencies, 1 ≤ modes ≤ n/2+1.</param>
    public static Tensor TruncatedRfft(Tensor x, int modes)
    {
        ArgumentNullException.ThrowIfNull(x);
        const string op = "TruncatedRfft";
        CheckRealFloat(op, x);
        if (x.Rank < 1) throw new TensorException(op, "expected a signal [..., n], got a scalar");
        int n = x.Shape[^1];
        if (modes < 1 || modes > n / 2 + 1)
            throw new TensorException(op, $"modes must be in [1, n/2+1] = [1, {n / 2 + 1}] for signals of length n = {n}, got {modes} (input shape {Tensor.ShapeString(x.Shape)})");
        long rows = n == 0 ? 0 : x.NumElements / n;
        var outShape = x.Shape[..^1].ToArray().Append(modes).Append(2).ToArray();
        Tensor Gemm() => x.Reshape(-1, n).MatMul(DftMatrices.RealForward(n, modes, interleaved: true, x.DType, x.Device)).Reshape(outShape);
        Tensor Fft() => Rfft(x).Narrow(-2, 0, modes).Contiguous();
        return Choose(new TuneKey(false, n, modes, x.DType, Log2(rows)), x.Device, Gemm, Fft);
    }

    /// <summary>
    /// The real signal of length <paramref name="n"/> whose half spectrum is <paramref name="x"/> in its
    /// lowest bins and zero above: [..., modes, 2] → [..., n], equal to <c>Irfft(x, n)</c>
    /// (imaginary parts of the DC and Nyquist bins are ignored).
    /// </summary>
    /// <param name="x">Low modes in the complex layout (trailing dimension 2).</param>
    /// <param name="n">Output length; modes ≤ n/2+1.</param>
    public static Tensor TruncatedIrfft(Tensor x, int n)
    {
        ArgumentNullException.ThrowIfNull(x);
        const string op = "TruncatedIrfft";
        CheckRealFloat(op, x);
        if (x.Rank < 2 || x.Shape[^1] != 2)
            throw new TensorException(op, $"expected low modes [..., modes, 2] (trailing dimension 2 = (re, im)), got shape {Tensor.ShapeString(x.Shape)}");
        int modes = x.Shape[^2];
        if (n < 1 || modes < 1 || modes > n / 2 + 1)
            throw new TensorException(op, $"{modes} modes do not fit a real signal of length n = {n} (need 1 ≤ modes ≤ n/2+1); input shape {Tensor.ShapeString(x.Shape)}");
        long rows = x.NumElements / (2L * modes);
        var outShape = x.Shape[..^2].ToArray().Append(n).ToArray();
        Tensor Gemm() => x.Reshape(-1, 2 * modes).MatMul(DftMatrices.RealInverse(n, modes, interleaved: true, x.DType, x.Device)).Reshape(outShape);
        Tensor Fft() => Irfft(x, n);
        return Choose(new TuneKey(true, n, modes, x.DType, Log2(rows)), x.Device, Gemm, Fft);
    }

    private static int Log2(long v) => v <= 1 ? 0 : 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)v);

    private static Tensor Choose(TuneKey key, Device device, Func<Tensor> gemm, Func<Tensor> fft)
    {
        if (device.Kind != DeviceKind.Cpu) return gemm();
        var strategy = Strategy;
        if (strategy == TruncatedStrategy.Auto) strategy = Tuned.GetOrAdd(key, _ => Measure(gemm, fft));
        return strategy == TruncatedStrategy.Fft ? fft() : gemm();
    }

    /// <summary>Times both paths (forward only, best of three after a warm-up) on the caller's input.</summary>
    private static TruncatedStrategy Measure(Func<Tensor> gemm, Func<Tensor> fft)
    {
        double Time(Func<Tensor> f)
        {
            using var noGrad = GradMode.NoGrad();
            double best = double.MaxValue;
            for (int rep = 0; rep < 4; rep++)
            {
                using var scope = TensorScope.Begin();
                long t0 = Stopwatch.GetTimestamp();
                f();
                double dt = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (rep > 0) best = Math.Min(best, dt);
            }
            return best;
        }
        return Time(fft) < Time(gemm) ? TruncatedStrategy.Fft : TruncatedStrategy.Gemm;
    }
}
