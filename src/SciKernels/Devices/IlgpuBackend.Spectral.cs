using SciKernels.Kernels.Spectral;

namespace SciKernels.Devices;

public sealed partial class IlgpuBackend
{
    /// <summary>
    /// Batched power-of-two FFT along one axis of the contiguous <paramref name="src"/> viewed as
    /// [outer, len, inner] into the contiguous <paramref name="dst"/> (see <c>KernelOps.Fft</c>).
    /// </summary>
    internal void Fft(Tensor src, Tensor dst, Tensor twiddles, int n, int outer, int inner,
        FftInput input, FftOutput output, int outLen, bool inverse, double scale)
    {
        lock (gate)
        {
            if (dst.DType == DType.Float32)
                Ops.Fft(Dense<float>(src), Dense<float>(dst), Dense<float>(twiddles), n, outer, inner, input, output, outLen, inverse, (float)scale);
            else
                Ops.Fft(Dense<double>(src), Dense<double>(dst), Dense<double>(twiddles), n, outer, inner, input, output, outLen, inverse, scale);
        }
    }

    /// <summary>
    /// c [2, P, M, N] = op(A) · op(B) per batch entry, A and B complex as (re, im) planes of any
    /// strides: A planes are [P, M, K] (or [P, K, M] when <paramref name="adjointA"/>), B planes
    /// [P, K, N] (or [P, N, K] when <paramref name="adjointB"/>); op is the conjugate transpose
    /// when the flag is set.
    /// </summary>
    internal void ComplexMatMul(Tensor aRe, Tensor aIm, Tensor bRe, Tensor bIm, Tensor c, bool adjointA, bool adjointB)
    {
        int p = c.Shape[1], m = c.Shape[2], n = c.Shape[3];
        int k = adjointA ? aRe.Shape[1] : aRe.Shape[2];
        var args = new ComplexMatMulArgs(p, m, n, k, S(aRe, adjointA), S(aIm, adjointA), S(bRe, adjointB), S(bIm, adjointB), adjointA, adjointB);
        lock (gate)
        {
            if (c.DType == DType.Float32)
                Ops.ComplexMatMul(Buf<float>(aRe), Buf<float>(aIm), Buf<float>(bRe), Buf<float>(bIm), Dense<float>(c), args);
            else
                Ops.ComplexMatMul(Buf<double>(aRe), Buf<double>(aIm), Buf<double>(bRe), Buf<double>(bIm), Dense<double>(c), args);
        }

        // strides of op(t) as (batch, row, column, offset): a transposed operand swaps row and column
        static (int, int, int, int) S(Tensor t, bool transpose)
        {
            var s = t.Strides;
            int b = checked((int)s[0]), r = checked((int)s[1]), col = checked((int)s[2]), off = checked((int)t.Offset);
            return transpose ? (b, col, r, off) : (b, r, col, off);
        }
    }
}
