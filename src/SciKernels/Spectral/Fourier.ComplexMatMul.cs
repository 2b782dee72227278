using System.Numerics;
using SciKernels.Autograd;
using SciKernels.Cpu;
using SciKernels.Devices;

namespace SciKernels.Spectral;

public static partial class Fourier
{
    /// <summary>
    /// Batched complex matrix product on (re, im) planes — the mode mixing of a spectral convolution:
    /// C[p] = op(A[p]) · op(B[p]) for every p, where op is the identity or, when the flag is set, the
    /// conjugate transpose (ᴴ). Returns [2, P, M, N]: plane 0 the real parts, plane 1 the imaginary parts.
    /// </summary>
    /// <remarks>
    /// One fused primitive: a direct loop on the CPU and one kernel launch on ILGPU devices (both planes
    /// at once), instead of four real batched products and their combination. Its gradients are the
    /// same primitive — for C = A·B, ∂A = G·Bᴴ and ∂B = Aᴴ·G (the gradient of a real loss with respect to
    /// a complex value z = x + iy being ∂x + i∂y) — so it is differentiable to any order.
    /// The operand planes may have any strides (transposed views, views of one [2, …] tensor).
    /// </remarks>
    /// <param name="aRe">Real parts of A: [P, M, K], or [P, K, M] when <paramref name="adjointA"/>.</param>
    /// <param name="aIm">Imaginary parts of A, same shape as <paramref name="aRe"/>.</param>
    /// <param name="bRe">Real parts of B: [P, K, N], or [P, N, K] when <paramref name="adjointB"/>.</param>
    /// <param name="bIm">Imaginary parts of B, same shape as <paramref name="bRe"/>.</param>
    /// <param name="adjointA">Use Aᴴ (conjugate transpose of each A[p]) instead of A.</param>
    /// <param name="adjointB">Use Bᴴ instead of B.</param>
    /// <returns>[2, P, M, N] (re, im) planes of C.</returns>
    public static Tensor ComplexBatchedMatMul(Tensor aRe, Tensor aIm, Tensor bRe, Tensor bIm, bool adjointA = false, bool adjointB = false)
    {
        const string op = "ComplexBatchedMatMul";
        ArgumentNullException.ThrowIfNull(aRe);
        ArgumentNullException.ThrowIfNull(aIm);
        ArgumentNullException.ThrowIfNull(bRe);
        ArgumentNullException.ThrowIfNull(bIm);
        Tensor.CheckFloatOperands(op, aRe, aIm);
        Tensor.CheckFloatOperands(op, aRe, bRe);
        Tensor.CheckFloatOperands(op, aRe, bIm);
        if (aRe.Rank != 3 || bRe.Rank != 3 || !aRe.Shape.SequenceEqual(aIm.Shape) || !bRe.Shape.SequenceEqual(bIm.Shape))
            throw new TensorException(op, $"expected A planes [P, M, K] and B planes [P, K, N] of equal shapes, got aRe {Tensor.ShapeString(aRe.Shape)}, aIm {Tensor.ShapeString(aIm.Shape)}, bRe {Tensor.ShapeString(bRe.Shape)}, bIm {Tensor.ShapeString(bIm.Shape)}");
        int p = aRe.Shape[0];
        int m = adjointA ? aRe.Shape[2] : aRe.Shape[1], k = adjointA ? aRe.Shape[1] : aRe.Shape[2];
        int kb = adjointB ? bRe.Shape[2] : bRe.Shape[1], n = adjointB ? bRe.Shape[1] : bRe.Shape[2];
        if (bRe.Shape[0] != p || kb != k)
            throw new TensorException(op, $"op(A) is [{p}, {m}, {k}] but op(B) is [{bRe.Shape[0]}, {kb}, {n}] (A planes {Tensor.ShapeString(aRe.Shape)}{(adjointA ? " conjugate-transposed" : "")}, B planes {Tensor.ShapeString(bRe.Shape)}{(adjointB ? " conjugate-transposed" : "")})");

        var c = Tensor.Empty(new[] { 2, p, m, n }, aRe.DType, aRe.Device);
        if (c.NumElements > 0)
        {
            if (aRe.Device.Kind != DeviceKind.Cpu)
            {
                var backend = aRe.Device.Backend as IlgpuBackend ?? throw new TensorException(op, $"not supported on {aRe.Device}");
                backend.ComplexMatMul(aRe, aIm, bRe, bIm, c, adjointA, adjointB);
            }
            else
            {
                unsafe
                {
                    if (c.DType == DType.Float32) CpuComplexMatMul<float>(aRe, aIm, bRe, bIm, CpuBackend.Ptr<float>(c), p, m, n, k, adjointA, adjointB);
                    else CpuComplexMatMul<double>(aRe, aIm, bRe, bIm, CpuBackend.Ptr<double>(c), p, m, n, k, adjointA, adjointB);
                }
                GC.KeepAlive(aRe); GC.KeepAlive(aIm); GC.KeepAlive(bRe); GC.KeepAlive(bIm); GC.KeepAlive(c);
            }
        }

        return Tensor.Record(c, op, new[] { aRe, aIm, bRe, bIm }, g =>
        {
            var gr = g.Select(0, 0);
            var gi = g.Select(0, 1);
            bool needA = aRe.RequiresGrad || aIm.RequiresGrad, needB = bRe.RequiresGrad || bIm.RequiresGrad;
            // C = op(A)·op(B); with D = Aᴴ the rule ∂D = G·op(B)ᴴ gives ∂A = (∂D)ᴴ, and likewise for B.
            Tensor? ga = !needA ? null : (adjointA, adjointB) switch
            {
                (false, false) => ComplexBatchedMatMul(gr, gi, bRe, bIm, false, true),  // G·Bᴴ
                (false, true) => ComplexBatchedMatMul(gr, gi, bRe, bIm, false, false),  // G·B
                (true, false) => ComplexBatchedMatMul(bRe, bIm, gr, gi, false, true),   // B·Gᴴ
                _ => ComplexBatchedMatMul(bRe, bIm, gr, gi, true, true),                // Bᴴ·Gᴴ
            };
            Tensor? gb = !needB ? null : (adjointA, adjointB) switch
            {
                (false, false) => ComplexBatchedMatMul(aRe, aIm, gr, gi, true, false),  // Aᴴ·G
                (false, true) => ComplexBatchedMatMul(gr, gi, aRe, aIm, true, false),   // Gᴴ·A
                (true, false) => ComplexBatchedMatMul(aRe, aIm, gr, gi, false, false),  // A·G
                _ => ComplexBatchedMatMul(gr, gi, aRe, aIm, true, true),                // Gᴴ·Aᴴ
            };
            return new[] { ga?.Select(0, 0), ga?.Select(0, 1), gb?.Select(0, 0), gb?.Select(0, 1) };
        });
    }

    /// <summary>
    /// The CPU loop: per batch entry (in parallel), op(B) is packed into two dense K×N planes with its
    /// conjugation folded in, then each output row accumulates a[m,k]·B[k,:] in SIMD over the columns.
    /// Fixed summation order, so results are bit-reproducible.
    /// </summary>
    private static unsafe void CpuComplexMatMul<T>(Tensor aRe, Tensor aIm, Tensor bRe, Tensor bIm, T* c, int p, int m, int n, int k, bool adjointA, bool adjointB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* ar = CpuBackend.Ptr<T>(aRe), ai = CpuBackend.Ptr<T>(aIm), br = CpuBackend.Ptr<T>(bRe), bi = CpuBackend.Ptr<T>(bIm);
        var sar = aRe.Strides.ToArray(); var sai = aIm.Strides.ToArray();
        var sbr = bRe.Strides.ToArray(); var sbi = bIm.Strides.ToArray();
        // strides of op(X) as (batch, row, column)
        (long P, long R, long C) Op(long[] s, bool t) => t ? (s[0], s[2], s[1]) : (s[0], s[1], s[2]);
        var (arP, arR, arC) = Op(sar, adjointA); var (aiP, aiR, aiC) = Op(sai, adjointA);
        var (brP, brR, brC) = Op(sbr, adjointB); var (biP, biR, biC) = Op(sbi, adjointB);
        T signA = adjointA ? -T.One : T.One, signB = adjointB ? -T.One : T.One;
        nint pAr = (nint)ar, pAi = (nint)ai, pBr = (nint)br, pBi = (nint)bi, pC = (nint)c;
        long plane = (long)p * m * n;
        long work = (long)m * n * Math.Max(k, 1);
        long grain = Math.Max(1, (1L << 16) / Math.Max(work, 1));
        CpuParallel.For(p, grain, (p0, pn) =>
        {
            T* xr = (T*)pAr, xi = (T*)pAi, yr = (T*)pBr, yi = (T*)pBi, cc = (T*)pC;
            var packR = new T[(long)k * n];
            var packI = new T[(long)k * n];
            for (long q = p0; q < p0 + pn; q++)
            {
                for (int kk = 0; kk < k; kk++)
                    for (int j = 0; j < n; j++)
                    {
                        packR[kk * n + j] = yr[q * brP + kk * brR + j * brC];
                        packI[kk * n + j] = signB * yi[q * biP + kk * biR + j * biC];
                    }
                for (int i = 0; i < m; i++)
                {
                    var rowR = new Span<T>(cc + (q * m + i) * n, n);
                    var rowI = new Span<T>(cc + plane + (q * m + i) * n, n);
                    rowR.Clear();
                    rowI.Clear();
                    for (int kk = 0; kk < k; kk++)
                    {
                        T a = xr[q * arP + i * arR + kk * arC];
                        T b = signA * xi[q * aiP + i * aiR + kk * aiC];
                        AxpyComplex(a, b, packR.AsSpan(kk * n, n), packI.AsSpan(kk * n, n), rowR, rowI);
                    }
                }
            }
        });
    }

    /// <summary>(cr + i·ci) += (a + i·b)·(xr + i·xi) element-wise.</summary>
    private static void AxpyComplex<T>(T a, T b, ReadOnlySpan<T> xr, ReadOnlySpan<T> xi, Span<T> cr, Span<T> ci)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = cr.Length, j = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var va = new Vector<T>(a);
            var vb = new Vector<T>(b);
            for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
            {
                var r = new Vector<T>(xr[j..]);
                var im = new Vector<T>(xi[j..]);
                (new Vector<T>(cr[j..]) + va * r - vb * im).CopyTo(cr[j..]);
                (new Vector<T>(ci[j..]) + va * im + vb * r).CopyTo(ci[j..]);
            }
        }
        for (; j < n; j++)
        {
            cr[j] += a * xr[j] - b * xi[j];
            ci[j] += a * xi[j] + b * xr[j];
        }
    }
}
