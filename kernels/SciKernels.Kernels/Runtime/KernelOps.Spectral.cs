using ILGPU;
using ILGPU.Runtime;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Spectral;

namespace SciKernels.Kernels.Runtime;

public sealed partial class KernelOps
{
    // ---------------------------------------------------------------- spectral

    /// <summary>
    /// Batched power-of-two FFT along one axis of an array viewed as [outer, len, inner]: log2(n)
    /// radix-2 Stockham passes (one launch each) from <paramref name="src"/> through pooled ping-pong
    /// buffers into <paramref name="dst"/>. See <see cref="FftPassArgs"/> for the layouts.
    /// </summary>
    /// <param name="src">Source: [outer, n (n/2+1 for a half spectrum), inner] complex, or real.</param>
    /// <param name="dst">Destination [outer, outLen, inner], complex or real (must not alias src).</param>
    /// <param name="twiddles">Table of <see cref="TwiddleTable"/>(n) uploaded once per (n, dtype).</param>
    /// <param name="n">Transform length, a power of two ≥ 2.</param>
    /// <param name="outer">Product of the dimensions before the axis.</param>
    /// <param name="inner">Product of the dimensions after the axis.</param>
    /// <param name="input">Source interpretation.</param>
    /// <param name="output">Destination interpretation.</param>
    /// <param name="outLen">Bins stored per transform (n; fewer keeps the lowest; n for real output).</param>
    /// <param name="inverse">Inverse transform (e^{+2πi…}, unscaled apart from <paramref name="scale"/>).</param>
    /// <param name="scale">Factor applied to the result.</param>
    public void Fft(ArrayView<float> src, ArrayView<float> dst, ArrayView<float> twiddles, int n, int outer, int inner,
        FftInput input, FftOutput output, int outLen, bool inverse, float scale) =>
        FftCore<float, F32>(src, dst, twiddles, n, outer, inner, input, output, outLen, inverse, scale, 1f);

    /// <summary>
    /// Batched power-of-two FFT along one axis (see the float32 overload for the parameters).
    /// </summary>
    /// <param name="src">Source.</param><param name="dst">Destination.</param><param name="twiddles">Twiddle table.</param>
    /// <param name="n">Transform length.</param><param name="outer">Outer count.</param><param name="inner">Inner count.</param>
    /// <param name="input">Source interpretation.</param><param name="output">Destination interpretation.</param>
    /// <param name="outLen">Bins stored.</param><param name="inverse">Inverse transform.</param><param name="scale">Result factor.</param>
    public void Fft(ArrayView<double> src, ArrayView<double> dst, ArrayView<double> twiddles, int n, int outer, int inner,
        FftInput input, FftOutput output, int outLen, bool inverse, double scale) =>
        FftCore<double, F64>(src, dst, twiddles, n, outer, inner, input, output, outLen, inverse, scale, 1.0);

    /// <summary>The twiddle table e^{−2πi t/n}, t &lt; n/2, interleaved, with exactly reduced angles (n elements).</summary>
    /// <param name="n">Transform length (power of two ≥ 2).</param>
    public static double[] TwiddleTable(int n)
    {
        var v = new double[n];
        for (int t = 0; t < n / 2; t++)
        {
            double a = 2 * Math.PI * t / n;
            v[2 * t] = Math.Cos(a);
            v[2 * t + 1] = -Math.Sin(a);
        }
        return v;
    }

    /// <summary>True if <paramref name="n"/> is a power of two ≥ 2 (the lengths <see cref="Fft(ArrayView{float}, ArrayView{float}, ArrayView{float}, int, int, int, FftInput, FftOutput, int, bool, float)"/> handles).</summary>
    /// <param name="n">Length.</param>
    public static bool IsFftLength(int n) => n >= 2 && (n & (n - 1)) == 0;

    private void FftCore<T, TA>(ArrayView<T> src, ArrayView<T> dst, ArrayView<T> twiddles, int n, int outer, int inner,
        FftInput input, FftOutput output, int outLen, bool inverse, T scale, T one)
        where T : unmanaged where TA : struct, IArith<T>
    {
        Check(IsFftLength(n), "n must be a power of two >= 2");
        Check(twiddles.Length >= n, "twiddle table shorter than n");
        Check(outLen >= 1 && outLen <= n && (output == FftOutput.Complex || outLen == n), "outLen out of range");
        int count = checked(outer * inner);
        if (count == 0) return;
        int inLen = input == FftInput.HalfSpectrum ? n / 2 + 1 : n;
        long srcElems = (long)count * inLen * (input == FftInput.Real ? 1 : 2);
        long dstElems = (long)count * outLen * (output == FftOutput.RealPart ? 1 : 2);
        Check(src.Length >= srcElems && dst.Length >= dstElems, "src or dst shorter than the transform needs");
        int passes = System.Numerics.BitOperations.Log2((uint)n);
        long full = 2L * count * n;
        using var t0 = passes >= 2 ? device.Pool.Rent<T>(full) : null;
        using var t1 = passes >= 3 ? device.Pool.Rent<T>(full) : null;
        var pass = K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, FftPassArgs, T>(SpectralKernels.FftPass<T, TA>);
        var cfg = L.Linear((long)count * (n / 2));
        var from = src;
        for (int s = 0; s < passes; s++)
        {
            bool first = s == 0, last = s == passes - 1;
            var to = last ? dst : (s % 2 == 0 ? t0!.View : t1!.View);
            var args = new FftPassArgs(n, 1 << s, count, inner, first ? inLen : n, last ? outLen : n,
                first ? input : FftInput.Complex, last ? output : FftOutput.Complex, inverse);
            pass(S, cfg, from, to, twiddles, args, last ? scale : one);
            from = to;
        }
        // The pooled temporaries return at the end of this scope; the stream is in-order, so a later
        // rent of them is only used by work queued after these passes.
    }

    /// <summary>
    /// C[p] = op(A[p]) · op(B[p]) for complex planes (see <see cref="ComplexMatMulArgs"/>), both
    /// planes of C [2, P, M, N] in one launch.
    /// </summary>
    /// <param name="aRe">A real plane buffer.</param><param name="aIm">A imaginary plane buffer.</param>
    /// <param name="bRe">B real plane buffer.</param><param name="bIm">B imaginary plane buffer.</param>
    /// <param name="c">Contiguous output of 2·P·M·N elements.</param><param name="args">Sizes, strides, conjugation.</param>
    public void ComplexMatMul(ArrayView<float> aRe, ArrayView<float> aIm, ArrayView<float> bRe, ArrayView<float> bIm, ArrayView<float> c, ComplexMatMulArgs args) =>
        ComplexMatMulCore<float, F32>(aRe, aIm, bRe, bIm, c, args);

    /// <summary>
    /// C[p] = op(A[p]) · op(B[p]) for complex planes (see <see cref="ComplexMatMulArgs"/>), both
    /// planes of C [2, P, M, N] in one launch.
    /// </summary>
    /// <param name="aRe">A real plane buffer.</param><param name="aIm">A imaginary plane buffer.</param>
    /// <param name="bRe">B real plane buffer.</param><param name="bIm">B imaginary plane buffer.</param>
    /// <param name="c">Contiguous output of 2·P·M·N elements.</param><param name="args">Sizes, strides, conjugation.</param>
    public void ComplexMatMul(ArrayView<double> aRe, ArrayView<double> aIm, ArrayView<double> bRe, ArrayView<double> bIm, ArrayView<double> c, ComplexMatMulArgs args) =>
        ComplexMatMulCore<double, F64>(aRe, aIm, bRe, bIm, c, args);

    private void ComplexMatMulCore<T, TA>(ArrayView<T> aRe, ArrayView<T> aIm, ArrayView<T> bRe, ArrayView<T> bIm, ArrayView<T> c, ComplexMatMulArgs args)
        where T : unmanaged where TA : struct, IArith<T>
    {
        long total = (long)args.P * args.M * args.N;
        if (total == 0) return;
        Check(c.Length >= 2 * total, "c shorter than 2*P*M*N");
        Check(device.Accelerator.MaxNumThreadsPerGroup >= SpectralKernels.MixTile * SpectralKernels.MixTile, "accelerator supports fewer than 256 threads per group");
        var cfg = new KernelConfig(
            new Index3D(
                (args.N + SpectralKernels.MixTile - 1) / SpectralKernels.MixTile,
                (args.M + SpectralKernels.MixTile - 1) / SpectralKernels.MixTile,
                Math.Min(args.P, 65535)),
            new Index3D(SpectralKernels.MixTile, SpectralKernels.MixTile, 1));
        K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ComplexMatMulArgs>(SpectralKernels.ComplexMatMul<T, TA>)(
            S, cfg, aRe, aIm, bRe, bIm, c, args);
    }
}
