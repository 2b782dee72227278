using ILGPU;
using SciKernels.Kernels.Functors;

namespace SciKernels.Kernels.Spectral;

/// <summary>
/// Kernels of the spectral layer: radix-2 Stockham FFT passes (1-D grid-stride, any launch size) and
/// the shared-memory-tiled complex batched product that mixes Fourier modes (16 × 16 groups). Both
/// are explicitly grouped, use no atomics and index with 32-bit integers.
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

    /// <summary>Edge of the square output tile (and depth of the K slab) of <see cref="ComplexMatMul{T,TArith}"/>.</summary>
    public const int MixTile = 16;

    /// <summary>
    /// C[p] = op(A[p]) · op(B[p]) for complex operands held as real and imaginary planes (see
    /// <see cref="ComplexMatMulArgs"/>); every thread computes both planes of one output element.
    /// C is [2, P, M, N] contiguous, plane 0 the real parts, plane 1 the imaginary parts.
    /// Grid: (ceil(N/16), ceil(M/16), anything ≤ P) with groups of (16, 16); groups stride over the
    /// batch. Each group stages 16-deep slabs of op(A) and op(B) (both planes) in shared memory, so
    /// every operand element is read from global memory once per tile instead of once per output.
    /// Shared memory per group: 4 · 16 · 16 elements (4 KiB float, 8 KiB double).
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
        var sAr = SharedMemory.Allocate<T>(MixTile * MixTile); // [m][k]
        var sAi = SharedMemory.Allocate<T>(MixTile * MixTile);
        var sBr = SharedMemory.Allocate<T>(MixTile * MixTile); // [k][n]
        var sBi = SharedMemory.Allocate<T>(MixTile * MixTile);
        int tx = Group.IdxX, ty = Group.IdxY;
        int m = Grid.IdxY * MixTile + ty, n = Grid.IdxX * MixTile + tx;
        int total = args.P * args.M * args.N;
        int slot = ty * MixTile + tx;
        for (int p = Grid.IdxZ; p < args.P; p += Grid.DimZ)
        {
            T rr = TArith.Zero, ii = TArith.Zero, ri = TArith.Zero, ir = TArith.Zero;
            for (int k0 = 0; k0 < args.K; k0 += MixTile)
            {
                // thread (tx, ty) stages op(A)[m, k0 + tx] and op(B)[k0 + ty, n]; edges are zero-padded
                int ka = k0 + tx, kb = k0 + ty;
                bool inA = m < args.M && ka < args.K, inB = kb < args.K && n < args.N;
                sAr[slot] = inA ? aRe[args.ArOff + p * args.ArP + m * args.ArM + ka * args.ArK] : TArith.Zero;
                sAi[slot] = inA ? aIm[args.AiOff + p * args.AiP + m * args.AiM + ka * args.AiK] : TArith.Zero;
                sBr[slot] = inB ? bRe[args.BrOff + p * args.BrP + kb * args.BrK + n * args.BrN] : TArith.Zero;
                sBi[slot] = inB ? bIm[args.BiOff + p * args.BiP + kb * args.BiK + n * args.BiN] : TArith.Zero;
                Group.Barrier();
                for (int kk = 0; kk < MixTile; kk++)
                {
                    T xr = sAr[ty * MixTile + kk], xi = sAi[ty * MixTile + kk];
                    T yr = sBr[kk * MixTile + tx], yi = sBi[kk * MixTile + tx];
                    rr = TArith.MulAdd(xr, yr, rr);
                    ii = TArith.MulAdd(xi, yi, ii);
                    ri = TArith.MulAdd(xr, yi, ri);
                    ir = TArith.MulAdd(xi, yr, ir);
                }
                Group.Barrier();
            }
            if (m < args.M && n < args.N)
            {
                // (ar + i·sA·ai)(br + i·sB·bi) with sA, sB = −1 for a conjugated operand
                T re = (args.ConjA ^ args.ConjB) != 0 ? TArith.Add(rr, ii) : TArith.Sub(rr, ii);
                T im = args.ConjB != 0
                    ? (args.ConjA != 0 ? TArith.Sub(TArith.Zero, TArith.Add(ri, ir)) : TArith.Sub(ir, ri))
                    : (args.ConjA != 0 ? TArith.Sub(ri, ir) : TArith.Add(ri, ir));
                int w = (p * args.M + m) * args.N + n;
                c[w] = re;
                c[total + w] = im;
            }
        }
    }
}
