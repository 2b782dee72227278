namespace SciKernels.Backends;

/// <summary>How <see cref="ISpectralKernels.Fft"/> reads its source.</summary>
public enum FftSource
{
    /// <summary>Interleaved complex samples (re, im).</summary>
    Complex,
    /// <summary>Real samples; the imaginary parts are zero.</summary>
    Real,
    /// <summary>
    /// The non-negative half (n/2+1 bins, interleaved) of a Hermitian spectrum; the imaginary parts of
    /// the DC and Nyquist bins are ignored.
    /// </summary>
    HalfSpectrum,
}

/// <summary>How <see cref="ISpectralKernels.Fft"/> writes its destination.</summary>
public enum FftTarget
{
    /// <summary>Interleaved complex samples; bins at or beyond the output length are dropped.</summary>
    Complex,
    /// <summary>Real parts only (the inverse of a Hermitian spectrum).</summary>
    RealPart,
}

/// <summary>
/// Device kernels of the spectral fused ops (<c>Fourier.Rfft</c>/<c>Irfft</c> and
/// <c>Fourier.ComplexBatchedMatMul</c>). Backends without it run those ops in their composite form
/// (DFT matrices as GEMMs, four real batched products); host-memory backends run the CPU kernels.
/// </summary>
public interface ISpectralKernels
{
    /// <summary>Whether <see cref="Fft"/> handles signals of length <paramref name="n"/>.</summary>
    bool SupportsFftLength(int n);

    /// <summary>
    /// Batched unnormalised FFT (times <paramref name="scale"/>) along one axis of the contiguous
    /// <paramref name="src"/> viewed as [outer, len, inner] into the contiguous <paramref name="dst"/>
    /// viewed as [outer, outLen, inner]; <paramref name="twiddles"/> are the cached twiddle factors of n.
    /// </summary>
    void Fft(Tensor src, Tensor dst, Tensor twiddles, int n, int outer, int inner, FftSource source, FftTarget target, int outLen, bool inverse, double scale);

    /// <summary>
    /// c [2, P, M, N] = op(A) · op(B) per batch entry, A and B complex as (re, im) planes of any strides:
    /// A planes [P, M, K] (or [P, K, M] when <paramref name="adjointA"/>), B planes [P, K, N] (or
    /// [P, N, K] when <paramref name="adjointB"/>); op is the conjugate transpose when the flag is set.
    /// </summary>
    void ComplexMatMul(Tensor aRe, Tensor aIm, Tensor bRe, Tensor bIm, Tensor c, bool adjointA, bool adjointB);
}
