namespace SciKernels.Kernels.Spectral;

/// <summary>How <see cref="SpectralKernels.FftPass{T,TArith}"/> reads its source.</summary>
public enum FftInput
{
    /// <summary>Interleaved complex samples (re, im).</summary>
    Complex = 0,
    /// <summary>Real samples; the imaginary parts are zero.</summary>
    Real = 1,
    /// <summary>
    /// The non-negative half (n/2+1 bins, interleaved) of a Hermitian spectrum: bin q ≥ n/2+1 is
    /// conj(bin n−q); the imaginary parts of the DC and Nyquist bins are ignored.
    /// </summary>
    HalfSpectrum = 2,
}

/// <summary>How <see cref="SpectralKernels.FftPass{T,TArith}"/> writes its destination.</summary>
public enum FftOutput
{
    /// <summary>Interleaved complex samples; bins at or beyond <see cref="FftPassArgs.OutLen"/> are dropped.</summary>
    Complex = 0,
    /// <summary>Real parts only (the inverse of a Hermitian spectrum).</summary>
    RealPart = 1,
}

/// <summary>
/// One radix-2 Stockham pass of a batch of power-of-two FFTs along one axis of an array viewed as
/// [outer, len, inner] (complex or real elements): transform b = (o, i) reads sample q at element
/// (o·InLen + q)·Inner + i of the source and writes bin d at (o·OutLen + d)·Inner + i of the
/// destination.
/// </summary>
public readonly struct FftPassArgs
{
    /// <summary>Transform length, a power of two ≥ 2.</summary>
    public readonly int N;
    /// <summary>Size of the sub-transforms this pass combines: 1, 2, 4, …, N/2.</summary>
    public readonly int Ns;
    /// <summary>Number of transforms (outer · inner).</summary>
    public readonly int Count;
    /// <summary>Element distance between consecutive samples along the axis (1 for the last axis).</summary>
    public readonly int Inner;
    /// <summary>Axis length of the source array (N; n/2+1 for <see cref="FftInput.HalfSpectrum"/>).</summary>
    public readonly int InLen;
    /// <summary>Axis length of the destination array (N, or fewer to keep only the low bins).</summary>
    public readonly int OutLen;
    /// <summary>Source interpretation (<see cref="FftInput"/> as int).</summary>
    public readonly int InMode;
    /// <summary>Destination interpretation (<see cref="FftOutput"/> as int).</summary>
    public readonly int OutMode;
    /// <summary>1 for the inverse transform (conjugated twiddles, no scaling), else 0.</summary>
    public readonly int Inverse;

    /// <summary>Creates the argument block of one pass.</summary>
    /// <param name="n">Transform length (power of two ≥ 2).</param>
    /// <param name="ns">Sub-transform size of this pass.</param>
    /// <param name="count">Number of transforms.</param>
    /// <param name="inner">Element distance between samples along the axis.</param>
    /// <param name="inLen">Axis length of the source.</param>
    /// <param name="outLen">Axis length of the destination.</param>
    /// <param name="input">Source interpretation.</param>
    /// <param name="output">Destination interpretation.</param>
    /// <param name="inverse">Inverse (conjugated twiddles).</param>
    public FftPassArgs(int n, int ns, int count, int inner, int inLen, int outLen, FftInput input, FftOutput output, bool inverse)
    {
        N = n; Ns = ns; Count = count; Inner = inner; InLen = inLen; OutLen = outLen;
        InMode = (int)input; OutMode = (int)output; Inverse = inverse ? 1 : 0;
    }
}

/// <summary>
/// Problem description for <see cref="SpectralKernels.ComplexMatMul{T,TArith}"/>: per batch entry p,
/// C[p] = op(A[p]) · op(B[p]) with complex A, B given as separate real and imaginary planes, op the
/// identity or the conjugate transpose. Strides describe op(A) as [P, M, K] and op(B) as [P, K, N]
/// (a transposed operand is passed with its row and column strides swapped).
/// </summary>
public readonly struct ComplexMatMulArgs
{
    /// <summary>Batch count, rows of C, columns of C, inner dimension.</summary>
    public readonly int P, M, N, K;
    /// <summary>Real plane of op(A): batch, row (m), column (k) strides and base offset.</summary>
    public readonly int ArP, ArM, ArK, ArOff;
    /// <summary>Imaginary plane of op(A): batch, row, column strides and base offset.</summary>
    public readonly int AiP, AiM, AiK, AiOff;
    /// <summary>Real plane of op(B): batch, row (k), column (n) strides and base offset.</summary>
    public readonly int BrP, BrK, BrN, BrOff;
    /// <summary>Imaginary plane of op(B): batch, row, column strides and base offset.</summary>
    public readonly int BiP, BiK, BiN, BiOff;
    /// <summary>1 when A (respectively B) enters conjugated, else 0.</summary>
    public readonly int ConjA, ConjB;

    /// <summary>Creates the argument block (strides as [batch, row, column, offset] per plane).</summary>
    /// <param name="p">Batch count.</param><param name="m">Rows of C.</param><param name="n">Columns of C.</param><param name="k">Inner dimension.</param>
    /// <param name="ar">Real plane of op(A).</param><param name="ai">Imaginary plane of op(A).</param>
    /// <param name="br">Real plane of op(B).</param><param name="bi">Imaginary plane of op(B).</param>
    /// <param name="conjA">A conjugated.</param><param name="conjB">B conjugated.</param>
    public ComplexMatMulArgs(int p, int m, int n, int k,
        (int P, int Row, int Col, int Off) ar, (int P, int Row, int Col, int Off) ai,
        (int P, int Row, int Col, int Off) br, (int P, int Row, int Col, int Off) bi, bool conjA, bool conjB)
    {
        P = p; M = m; N = n; K = k;
        (ArP, ArM, ArK, ArOff) = ar;
        (AiP, AiM, AiK, AiOff) = ai;
        (BrP, BrK, BrN, BrOff) = br;
        (BiP, BiK, BiN, BiOff) = bi;
        ConjA = conjA ? 1 : 0;
        ConjB = conjB ? 1 : 0;
    }
}
