using SciKernels.Backends;

namespace SciKernels.Spectral;

/// <summary>How a truncated transform is computed (a test seam: the public API always uses <see cref="Auto"/>).</summary>
internal enum TruncatedStrategy
{
    /// <summary>The fixed rule of <see cref="Fourier.FftMinModes"/>.</summary>
    Auto,
    /// <summary>One GEMM with a cached DFT matrix: O(n·modes) per signal, best for few modes.</summary>
    Gemm,
    /// <summary>A full FFT, then keep (or zero-pad) the low modes: O(n log n) per signal.</summary>
    Fft,
}

public static partial class Fourier
{
    /// <summary>
    /// On the CPU, truncated transforms keeping at least this many modes use the FFT, fewer the GEMM. A fixed
    /// rule, so results do not depend on timing (the former per-shape autotuner could pick differently from one
    /// run to the next, and the two paths differ in the last bits). Measured once on a shared 2-core development
    /// machine (float32, 1 280 rows, best of 5, forward only; noisy, so the threshold is coarse): the GEMM won
    /// for every n from 64 to 4096 up to 64 modes (e.g. n = 1024, 64 modes: 2.7 vs 5.7 ms rfft, 2.6 vs 12.8 ms
    /// irfft), up to 96 modes except rfft at n = 4096, and at n = 256 even with all 129 modes;
    /// the FFT won both directions from 192–256 modes on (n = 1024, 256 modes: 2.9 vs 10.8 ms rfft, 8.3 vs
    /// 11.7 ms irfft; n = 4096, 192 modes: 5.8 vs 12.8 and 8.7 vs 14.7 ms). FNO's 12–64 modes take the GEMM.
    /// Off the CPU the GEMM is always used.
    /// </summary>
    internal const int FftMinModes = 192;

    /// <summary>
    /// The lowest <paramref name="modes"/> bins of the real FFT along the last dimension:
    /// [..., n] → [..., modes, 2], equal to <c>Rfft(x)[..., :modes, :]</c>.
    /// </summary>
    /// <param name="x">Real float32/float64 signal.</param>
    /// <param name="modes">Number of kept frequencies, 1 ≤ modes ≤ n/2+1.</param>
    public static Tensor TruncatedRfft(Tensor x, int modes) => TruncatedRfft(x, modes, TruncatedStrategy.Auto);

    /// <summary><see cref="TruncatedRfft(Tensor, int)"/> along a forced path on host memory (a test seam, per call).</summary>
    internal static Tensor TruncatedRfft(Tensor x, int modes, TruncatedStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(x);
        const string op = "TruncatedRfft";
        CheckRealFloat(op, x);
        if (x.Rank < 1) throw new TensorException(op, "expected a signal [..., n], got a scalar");
        int n = x.Shape[^1];
        if (modes < 1 || modes > n / 2 + 1)
            throw new TensorException(op, $"modes must be in [1, n/2+1] = [1, {n / 2 + 1}] for signals of length n = {n}, got {modes} (input shape {Tensor.ShapeString(x.Shape)})");
        var outShape = x.Shape[..^1].ToArray().Append(modes).Append(2).ToArray();
        Tensor Gemm()
        {
            CheckHostArray(op, 2L * modes * n, $"the truncated DFT matrix [{n}, 2·{modes}]", x);
            return x.Reshape(-1, n).MatMul(DftMatrices.RealForward(n, modes, interleaved: true, x.DType, x.Device)).Reshape(outShape);
        }
        Tensor Fft() => Rfft(x).Narrow(-2, 0, modes).Contiguous();
        return Choose(modes, x, strategy, Gemm, Fft);
    }

    /// <summary>
    /// The real signal of length <paramref name="n"/> whose half spectrum is <paramref name="x"/> in its
    /// lowest bins and zero above: [..., modes, 2] → [..., n], equal to <c>Irfft(x, n)</c>
    /// (imaginary parts of the DC and Nyquist bins are ignored).
    /// </summary>
    /// <param name="x">Low modes in the complex layout (trailing dimension 2).</param>
    /// <param name="n">Output length; modes ≤ n/2+1.</param>
    public static Tensor TruncatedIrfft(Tensor x, int n) => TruncatedIrfft(x, n, TruncatedStrategy.Auto);

    /// <summary><see cref="TruncatedIrfft(Tensor, int)"/> along a forced path on host memory (a test seam, per call).</summary>
    internal static Tensor TruncatedIrfft(Tensor x, int n, TruncatedStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(x);
        const string op = "TruncatedIrfft";
        CheckRealFloat(op, x);
        if (x.Rank < 2 || x.Shape[^1] != 2)
            throw new TensorException(op, $"expected low modes [..., modes, 2] (trailing dimension 2 = (re, im)), got shape {Tensor.ShapeString(x.Shape)}");
        int modes = x.Shape[^2];
        if (n < 1 || modes < 1 || modes > n / 2 + 1)
            throw new TensorException(op, $"{modes} modes do not fit a real signal of length n = {n} (need 1 ≤ modes ≤ n/2+1); input shape {Tensor.ShapeString(x.Shape)}");
        var outShape = x.Shape[..^2].ToArray().Append(n).ToArray();
        Tensor Gemm()
        {
            CheckHostArray(op, 2L * modes * n, $"the truncated inverse DFT matrix [2·{modes}, {n}]", x);
            return x.Reshape(-1, 2 * modes).MatMul(DftMatrices.RealInverse(n, modes, interleaved: true, x.DType, x.Device)).Reshape(outShape);
        }
        Tensor Fft() => Irfft(x, n);
        return Choose(modes, x, strategy, Gemm, Fft);
    }

    private static Tensor Choose(int modes, Tensor x, TruncatedStrategy strategy, Func<Tensor> gemm, Func<Tensor> fft)
    {
        // the threshold was measured for the host FFT kernels; other backends always take the GEMM
        if (!HostMemory.Holds(x)) return gemm();
        if (strategy == TruncatedStrategy.Auto) strategy = modes >= FftMinModes ? TruncatedStrategy.Fft : TruncatedStrategy.Gemm;
        return strategy == TruncatedStrategy.Fft ? fft() : gemm();
    }
}
