using SciKernels.Autograd;
using SciKernels.Backends;

namespace SciKernels.Spectral;

public static partial class Fourier
{
    // ------------------------------------------------------------------ transforms off host memory
    //
    // Each transformed dimension is one batched 1-D transform: lengths the backend's ISpectralKernels
    // supports (power-of-two Stockham FFTs on ILGPU; the last dimension reads the real signal, or the
    // Hermitian half spectrum, directly; the other dimensions run along their strides) use its FFT
    // kernels, any other length — or a backend without the capability — the exact DFT as a GEMM with
    // cached matrices: O(n²) work per signal, correct but slow for long non-power-of-two signals.

    /// <summary>The backend's FFT kernels when they handle length <paramref name="n"/>, else null (the GEMM form).</summary>
    private static ISpectralKernels? FftKernelsFor(Tensor x, int n) =>
        x.Backend is ISpectralKernels k && k.SupportsFftLength(n) ? k : null;

    /// <summary>Unnormalised real FFT (times <paramref name="scale"/>) of the contiguous x over the trailing sizes.Length dims, off host memory.</summary>
    private static Tensor DeviceRfft(Tensor xc, int[] sizes, double scale)
    {
        using var noGrad = GradMode.NoGrad();
        int d = sizes.Length, n = sizes[^1], h = n / 2 + 1;
        int rows = Dim("Rfft", xc.NumElements / n, "the number of transformed rows", xc);
        var outShape = xc.Shape[..^1].ToArray().Append(h).Append(2).ToArray();
        Tensor y;
        if (FftKernelsFor(xc, n) is { } kernels)
        {
            y = Tensor.Empty(outShape, xc.DType, xc.Device);
            kernels.Fft(xc, y, DftMatrices.Twiddles(n, xc.DType, xc.Device), n, rows, 1, FftSource.Real, FftTarget.Complex, h, inverse: false, scale);
        }
        else
        {
            CheckHostArray("Rfft", 2L * h * n, $"the DFT matrix of length {n}", xc);
            var flat = xc.Reshape(rows, n).MatMul(DftMatrices.RealForward(n, h, interleaved: true, xc.DType, xc.Device));
            var scaled = scale == 1 ? flat : flat.Mul(scale);
            y = scaled.Reshape(outShape);
            flat.Dispose();
            if (!ReferenceEquals(scaled, flat)) scaled.Dispose();
        }
        int rank = outShape.Length - 1; // complex rank
        for (int k = 1; k < d; k++)
            y = DeviceComplexAlongAxis(y, rank - 1 - k, inverse: false, disposeInput: true);
        return y;
    }

    /// <summary>Unnormalised inverse real FFT (times <paramref name="scale"/>) of the contiguous half spectrum [..., n/2+1, 2], off host memory.</summary>
    private static Tensor DeviceIrfft(Tensor spec, int[] sizes, double scale)
    {
        using var noGrad = GradMode.NoGrad();
        int d = sizes.Length, n = sizes[^1], h = n / 2 + 1;
        int rank = spec.Rank - 1;
        var t = spec;
        for (int k = 1; k < d; k++)
            t = DeviceComplexAlongAxis(t, rank - 1 - k, inverse: true, disposeInput: !ReferenceEquals(t, spec));
        int rows = Dim("Irfft", t.NumElements / (2L * h), "the number of transformed rows", spec);
        var outShape = spec.Shape[..^2].ToArray().Append(n).ToArray();
        Tensor y;
        if (FftKernelsFor(t, n) is { } kernels)
        {
            y = Tensor.Empty(outShape, spec.DType, spec.Device);
            kernels.Fft(t, y, DftMatrices.Twiddles(n, spec.DType, spec.Device), n, rows, 1, FftSource.HalfSpectrum, FftTarget.RealPart, n, inverse: true, scale);
        }
        else
        {
            // RealInverse already holds the 1/n and the Hermitian multiplicities.
            CheckHostArray("Irfft", 2L * h * n, $"the inverse DFT matrix of length {n}", spec);
            var flat = t.Reshape(rows, 2 * h).MatMul(DftMatrices.RealInverse(n, h, interleaved: true, spec.DType, spec.Device));
            var scaled = scale * n == 1 ? flat : flat.Mul(scale * n);
            y = scaled.Reshape(outShape);
            flat.Dispose();
            if (!ReferenceEquals(scaled, flat)) scaled.Dispose();
        }
        if (!ReferenceEquals(t, spec)) t.Dispose();
        return y;
    }

    /// <summary>Unnormalised complex DFT along complex axis <paramref name="axis"/> of the contiguous complex tensor t [..., 2].</summary>
    private static Tensor DeviceComplexAlongAxis(Tensor t, int axis, bool inverse, bool disposeInput)
    {
        int rank = t.Rank - 1;
        int len = t.Shape[axis];
        int outer = Dim("Fft", SaturatingProduct(t.Shape[..axis]), "the number of signals before the transformed axis", t);
        int inner = Dim("Fft", SaturatingProduct(t.Shape[(axis + 1)..rank]), "the number of signals after the transformed axis", t);
        Dim("Fft", 2L * inner, "twice the signals after the transformed axis", t);
        Tensor y;
        if (FftKernelsFor(t, len) is { } kernels)
        {
            y = Tensor.Empty(t.Shape, t.DType, t.Device);
            kernels.Fft(t, y, DftMatrices.Twiddles(len, t.DType, t.Device), len, outer, inner,
                FftSource.Complex, FftTarget.Complex, len, inverse, 1.0);
        }
        else if (len == 1)
        {
            return t; // the 1-point DFT is the identity
        }
        else
        {
            // Y = C·X ∓ (S·X)·J per (re, im) pair: e^{∓iφ}(a + ib) = (a cos φ ± b sin φ) + i(b cos φ ∓ a sin φ),
            // J mapping (p, q) ↦ (q, −p); C, S the cosine and sine matrices.
            CheckHostArray("Fft", (long)len * len, $"the DFT matrix of length {len}", t);
            var (c, s) = DftMatrices.FullComplex(len, t.DType, t.Device);
            var x = t.Reshape(outer, len, 2 * inner);
            var a = Tensor.BatchedMatMul(c.Unsqueeze(0).Expand(outer, len, len), x);
            var b = Tensor.BatchedMatMul(s.Unsqueeze(0).Expand(outer, len, len), x);
            var bj = b.Reshape(-1, 2).MatMul(DftMatrices.QuarterTurn(inverse, t.DType, t.Device));
            var bjv = bj.Reshape(a.Shape.ToArray());
            var sum = a.Add(bjv);
            y = sum.Reshape(t.Shape.ToArray());
            foreach (var tmp in new[] { x, a, b, bj, bjv, sum }) tmp.Dispose();
        }
        if (disposeInput) t.Dispose();
        return y;
    }
}
