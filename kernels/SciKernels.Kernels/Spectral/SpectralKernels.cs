using ILGPU;
using SciKernels.Kernels.Functors;

namespace SciKernels.Kernels.Spectral;

/// <summary>
/// Kernels of the spectral layer: radix-2 Stockham FFT passes and the complex batched product
/// that mixes Fourier modes. Both are explicitly grouped, 1-D, grid-stride kernels (launch with any
/// grid/group size), use no atomics and no shared memory, and index with 32-bit integers.
/// </summary>
public static class SpectralKernels
{
    /// <summary>
    /// One radix-2 Stockham auto-sort pass (Govindaraju et al. 2008) of <c>args.Count</c>
    /// power-of-two FFTs: work item (b, j), j &lt; N/2, combines samples j and j + N/2 of the source
    /// with the twiddle e^{∓2πi k/(2Ns)}, k = j mod Ns, into bins 2(j − k) + k and that + Ns of the
    /// destination. Running the passes Ns = 1, 2, …, N/2 between ping-pong buffers yields the DFT
    /// X[f] = Σ_q x[q]·e^{−2πi fq/N} (forward) or Σ_q x[q]·e^{+2πi fq/N} (inverse) in natural order.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="src">Source samples (layout per <see cref="FftPassArgs"/>).</param>
    /// <param name="dst">Destination (must not alias <paramref name="src"/>).</param>
    /// <param name="twiddles">e^{−2πi t/N} for t &lt; N/2, interleaved (re, im): N elements.</param>
    /// <param name="args">Sizes, layout and direction.</param>
    /// <param name="scale">Factor applied to every stored value (1 except on the last pass).</param>
    public static void FftPass<T, TArith>(ArrayView<T> src, ArrayView<T> dst, ArrayView<T> twiddles, FftPassArgs args, T scale)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int half = args.N >> 1;
        int total = args.Count * half;
        int stride = Grid.DimX * Group.DimX;
        for (int w = Grid.GlobalIndex.X; w < total; w += stride)
        {
            int b = w / half, j = w - b * half;
            int o = b / args.Inner, i = b - o * args.Inner;
            int inBase = o * args.InLen * args.Inner + i;
            int outBase = o * args.OutLen * args.Inner + i;
            T ar = LoadRe<T, TArith>(src, args, inBase, j), ai = LoadIm<T, TArith>(src, args, inBase, j);
            T br = LoadRe<T, TArith>(src, args, inBase, j + half), bi = LoadIm<T, TArith>(src, args, inBase, j + half);
            int k = j & (args.Ns - 1);
            int t = 2 * k * (half / args.Ns);
            T wr = twiddles[t];
            T wi = args.Inverse != 0 ? TArith.Sub(TArith.Zero, twiddles[t + 1]) : twiddles[t + 1];
            T tr = TArith.Sub(TArith.Mul(br, wr), TArith.Mul(bi, wi));
            T ti = TArith.MulAdd(br, wi, TArith.Mul(bi, wr));
            int d = 2 * (j - k) + k;
            Store<T, TArith>(dst, args, outBase, d, TArith.Add(ar, tr), TArith.Add(ai, ti), scale);
            Store<T, TArith>(dst, args, outBase, d + args.Ns, TArith.Sub(ar, tr), TArith.Sub(ai, ti), scale);
        }
    }

    private static T LoadRe<T, TArith>(ArrayView<T> src, in FftPassArgs args, int inBase, int q)
        where T : unmanaged where TArith : struct, IArith<T>
    {
        if (args.InMode == (int)FftInput.Real) return src[inBase + q * args.Inner];
        if (args.InMode == (int)FftInput.HalfSpectrum && q >= args.InLen) q = args.N - q;
        return src[2 * (inBase + q * args.Inner)];
    }

    private static T LoadIm<T, TArith>(ArrayView<T> src, in FftPassArgs args, int inBase, int q)
        where T : unmanaged where TArith : struct, IArith<T>
    {
        if (args.InMode == (int)FftInput.Real) return TArith.Zero;
        if (args.InMode == (int)FftInput.HalfSpectrum)
        {
            // DC and Nyquist of a real signal are real; the upper half mirrors the lower conjugated.
            if (q == 0 || 2 * q == args.N) return TArith.Zero;
            if (q >= args.InLen) return TArith.Sub(TArith.Zero, src[2 * (inBase + (args.N - q) * args.Inner) + 1]);
        }
        return src[2 * (inBase + q * args.Inner) + 1];
    }

    private static void Store<T, TArith>(ArrayView<T> dst, in FftPassArgs args, int outBase, int d, T re, T im, T scale)
        where T : unmanaged where TArith : struct, IArith<T>
    {
        if (d >= args.OutLen) return;
        int e = outBase + d * args.Inner;
        if (args.OutMode == (int)FftOutput.RealPart)
        {
            dst[e] = TArith.Mul(scale, re);
            return;
        }
        dst[2 * e] = TArith.Mul(scale, re);
        dst[2 * e + 1] = TArith.Mul(scale, im);
    }

    /// <summary>
    /// C[p] = op(A[p]) · op(B[p]) for complex operands held as real and imaginary planes (see
    /// <see cref="ComplexMatMulArgs"/>); one work item per output element computes both planes:
    /// C is [2, P, M, N] contiguous, plane 0 the real parts, plane 1 the imaginary parts.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="aRe">Buffer of A's real plane.</param>
    /// <param name="aIm">Buffer of A's imaginary plane.</param>
    /// <param name="bRe">Buffer of B's real plane.</param>
    /// <param name="bIm">Buffer of B's imaginary plane.</param>
    /// <param name="c">Contiguous output, 2·P·M·N elements (must not alias the operands).</param>
    /// <param name="args">Sizes, strides and conjugation flags.</param>
    public static void ComplexMatMul<T, TArith>(ArrayView<T> aRe, ArrayView<T> aIm, ArrayView<T> bRe, ArrayView<T> bIm, ArrayView<T> c, ComplexMatMulArgs args)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int mn = args.M * args.N;
        int total = args.P * mn;
        int stride = Grid.DimX * Group.DimX;
        for (int w = Grid.GlobalIndex.X; w < total; w += stride)
        {
            int p = w / mn, r = w - p * mn;
            int m = r / args.N, n = r - m * args.N;
            int ar = args.ArOff + p * args.ArP + m * args.ArM, ai = args.AiOff + p * args.AiP + m * args.AiM;
            int br = args.BrOff + p * args.BrP + n * args.BrN, bi = args.BiOff + p * args.BiP + n * args.BiN;
            T rr = TArith.Zero, ii = TArith.Zero, ri = TArith.Zero, ir = TArith.Zero;
            for (int k = 0; k < args.K; k++)
            {
                T xr = aRe[ar + k * args.ArK], xi = aIm[ai + k * args.AiK];
                T yr = bRe[br + k * args.BrK], yi = bIm[bi + k * args.BiK];
                rr = TArith.MulAdd(xr, yr, rr);
                ii = TArith.MulAdd(xi, yi, ii);
                ri = TArith.MulAdd(xr, yi, ri);
                ir = TArith.MulAdd(xi, yr, ir);
            }
            // (ar + i·sA·ai)(br + i·sB·bi) with sA, sB = −1 for a conjugated operand
            T re = (args.ConjA ^ args.ConjB) != 0 ? TArith.Add(rr, ii) : TArith.Sub(rr, ii);
            T im = args.ConjB != 0
                ? (args.ConjA != 0 ? TArith.Sub(TArith.Zero, TArith.Add(ri, ir)) : TArith.Sub(ir, ri))
                : (args.ConjA != 0 ? TArith.Sub(ri, ir) : TArith.Add(ri, ir));
            c[w] = re;
            c[total + w] = im;
        }
    }
}
