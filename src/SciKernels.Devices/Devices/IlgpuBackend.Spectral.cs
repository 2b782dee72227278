using SciKernels.Backends;
using SciKernels.Kernels.Runtime;
using SciKernels.Kernels.Spectral;

namespace SciKernels.Devices;

public sealed partial class IlgpuBackend : ISpectralKernels
{
    /// <inheritdoc/>
    public bool SupportsFftLength(int n) => KernelOps.IsFftLength(n);

    /// <inheritdoc/>
    public void Fft(Tensor src, Tensor dst, Tensor twiddles, int n, int outer, int inner,
        FftSource source, FftTarget target, int outLen, bool inverse, double scale)
    {
        var input = source switch { FftSource.Real => FftInput.Real, FftSource.HalfSpectrum => FftInput.HalfSpectrum, _ => FftInput.Complex };
        var output = target == FftTarget.RealPart ? FftOutput.RealPart : FftOutput.Complex;
        lock (gate)
        {
            if (dst.DType == DType.Float32)
                Ops.Fft(Dense<float>(src), Dense<float>(dst), Dense<float>(twiddles), n, outer, inner, input, output, outLen, inverse, (float)scale);
            else
                Ops.Fft(Dense<double>(src), Dense<double>(dst), Dense<double>(twiddles), n, outer, inner, input, output, outLen, inverse, scale);
        }
    }

    /// <inheritdoc/>
    public void ComplexMatMul(Tensor aRe, Tensor aIm, Tensor bRe, Tensor bIm, Tensor c, bool adjointA, bool adjointB)
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
