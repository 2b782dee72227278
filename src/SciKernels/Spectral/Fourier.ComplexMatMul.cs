using SciKernels.Autograd;
using SciKernels.Backends;

namespace SciKernels.Spectral;

public static partial class Fourier
{
    /// <summary>
    /// Batched complex matrix product on (re, im) planes — the mode mixing of a spectral convolution:
    /// C[p] = op(A[p]) · op(B[p]) for every p, where op is the identity or, when the flag is set, the
    /// conjugate transpose (ᴴ). Returns [2, P, M, N]: plane 0 the real parts, plane 1 the imaginary parts.
    /// </summary>
    /// <remarks>
    /// One fused primitive: on the CPU four packed real GEMMs written straight into the output planes,
    /// on ILGPU devices one kernel launch producing both planes — instead of four batched products plus
    /// subtraction, addition and stacking (and their temporaries). Its gradients are the
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
            // one device kernel where the backend has one; else (the CPU included) four real GEMMs
            if (c.Backend is ISpectralKernels kernels) kernels.ComplexMatMul(aRe, aIm, bRe, bIm, c, adjointA, adjointB);
            else RealGemmComplexMatMul(aRe, aIm, bRe, bIm, c, adjointA, adjointB);
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
    /// The CPU path (and that of any backend without <see cref="ISpectralKernels"/>): four real batched products written straight into the two output planes, the
    /// second of each pair accumulating; the signs of the conjugations and of −Aᵢ·Bᵢ come from negated
    /// copies of the (small) A planes, so there are no other temporaries. (A direct SIMD loop over the
    /// modes was measured too: within noise of this for the FNO-1d shape [P 16, b 20, 64→64] but 2–4×
    /// slower for the FNO-2d one [P 288, b 20, 32→32], where the packed GEMM kernels win.)
    /// </summary>
    private static void RealGemmComplexMatMul(Tensor aRe, Tensor aIm, Tensor bRe, Tensor bIm, Tensor c, bool adjointA, bool adjointB)
    {
        var be = c.Backend;
        Tensor Op(Tensor t, bool adj) => adj ? t.Transpose(1, 2) : t;
        Tensor Neg(Tensor t)
        {
            var r = Tensor.Empty(t.Shape, t.DType, t.Device);
            be.Unary(UnaryOp.Neg, t, r, 0, 0);
            return r;
        }
        var cr = c.Select(0, 0);
        var ci = c.Select(0, 1);
        var ar = Op(aRe, adjointA);
        var ai = Op(aIm, adjointA);
        var br = Op(bRe, adjointB);
        var bi = Op(bIm, adjointB);
        // re = Ar·Br − sA·sB·Ai·Bi,  im = sB·Ar·Bi + sA·Ai·Br  (s = −1 for a conjugated operand)
        Tensor? negAi = adjointA == adjointB || adjointA ? Neg(aIm) : null;
        Tensor? negAr = adjointB ? Neg(aRe) : null;
        be.MatMul(ar, br, cr, accumulate: false);
        be.MatMul(adjointA == adjointB ? Op(negAi!, adjointA) : ai, bi, cr, accumulate: true);
        be.MatMul(adjointB ? Op(negAr!, adjointA) : ar, bi, ci, accumulate: false);
        be.MatMul(adjointA ? Op(negAi!, adjointA) : ai, br, ci, accumulate: true);
        negAi?.Dispose();
        negAr?.Dispose();
    }
}
