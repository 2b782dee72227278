using SciKernels.Autograd;
using SciKernels.Backends;
using SciKernels.Cpu;

namespace SciKernels.Pinn;

/// <summary>
/// z = h·Wᵀ for the stacked streams h ([streams·N, in], W [out, in]): a differentiable primitive
/// whose CPU backward splits the long reduction of ∂W = ∂zᵀ·h into fixed row chunks computed in
/// parallel (a skinny [out, in] result over tens of thousands of rows would otherwise run on one
/// core). When the backward pass is recorded (createGraph) the rule is written with MatMul, so
/// higher derivatives remain available.
/// </summary>
internal static unsafe class TaylorLinear
{
    /// <summary>Rows per chunk of the ∂W reduction (fixed, so the summation order never changes).</summary>
    private const int ReductionRows = 4096;

    /// <summary>h·Wᵀ.</summary>
    public static Tensor Apply(Tensor h, Tensor weight, bool fused = true)
    {
        // The CPU kernel runs where the operands live in host memory; elsewhere the composite MatMul form.
        bool cpu = HostMemory.Holds(h) && HostMemory.Holds(weight);
        if (!fused || !cpu || h.Rank != 2 || weight.Rank != 2 || h.DType != weight.DType || h.Size(1) != weight.Size(1))
            return h.MatMul(weight.T);
        var hc = h.Contiguous().Detach();
        var wc = weight.Contiguous().Detach();
        int m = h.Size(0), k = h.Size(1), n = weight.Size(0);
        var z = Tensor.Empty(new[] { m, n }, h.DType, h.Device);
        Product(hc, k, 1, wc, 1, k, z, m, n, k);
        return Tensor.Record(z, "TaylorLinear", new[] { h, weight }, g =>
        {
            if (GradMode.IsEnabled)
                return new[] { h.RequiresGrad ? g.MatMul(weight) : null, weight.RequiresGrad ? g.T.MatMul(h) : null };
            var gc = g.Contiguous();
            Tensor? gh = null, gw = null;
            if (h.RequiresGrad)
            {
                // ∂h = g·W: [m, n]·[n, k]
                gh = Tensor.Empty(new[] { m, k }, h.DType, h.Device);
                Product(gc, n, 1, wc, k, 1, gh, m, k, n);
            }
            if (weight.RequiresGrad) gw = WeightGradient(gc, hc, m, n, k);
            if (!ReferenceEquals(gc, g)) gc.Dispose();
            return new[] { gh, gw };
        });
    }

    /// <summary>c[M, N] = a·b with a (i, p) at a[i·ars + p·acs] and b (p, j) at b[p·brs + j·bcs].</summary>
    private static void Product(Tensor a, long ars, long acs, Tensor b, long brs, long bcs, Tensor c, int m, int n, int k)
    {
        if (a.DType == DType.Float32)
            Gemm.Sgemm(m, n, k, HostMemory.Ptr<float>(a), ars, acs, HostMemory.Ptr<float>(b), brs, bcs, HostMemory.Ptr<float>(c), n, accumulate: false);
        else
            Gemm.Dgemm(m, n, k, HostMemory.Ptr<double>(a), ars, acs, HostMemory.Ptr<double>(b), brs, bcs, HostMemory.Ptr<double>(c), n, accumulate: false);
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        GC.KeepAlive(c);
    }

    /// <summary>∂W[n, k] = Σ_rows g[r, :]ᵀ h[r, :], as ordered partial sums over fixed row chunks.</summary>
    private static Tensor WeightGradient(Tensor g, Tensor h, int m, int n, int k)
    {
        int chunks = Math.Max(1, (m + ReductionRows - 1) / ReductionRows);
        var gw = Tensor.Empty(new[] { n, k }, g.DType, g.Device);
        if (chunks == 1)
        {
            Product(g, 1, n, h, k, 1, gw, n, k, m);
            return gw;
        }
        var partial = Tensor.Empty(new[] { chunks, n, k }, g.DType, g.Device);
        int es = g.DType.ElementSize();
        byte* pg = (byte*)HostMemory.Ptr(g), ph = (byte*)HostMemory.Ptr(h), pp = (byte*)HostMemory.Ptr(partial);
        bool single = g.DType == DType.Float32;
        Parallel.For(0, chunks, c =>
        {
            int r0 = c * ReductionRows, rows = Math.Min(ReductionRows, m - r0);
            byte* gc = pg + (long)r0 * n * es, hc = ph + (long)r0 * k * es, pc = pp + (long)c * n * k * es;
            // gᵀ chunk: element (i, r) at g[r·n + i]
            if (single) Gemm.Sgemm(n, k, rows, (float*)gc, 1, n, (float*)hc, k, 1, (float*)pc, k, accumulate: false);
            else Gemm.Dgemm(n, k, rows, (double*)gc, 1, n, (double*)hc, k, 1, (double*)pc, k, accumulate: false);
        });
        GC.KeepAlive(g);
        GC.KeepAlive(h);
        using (GradMode.NoGrad())
        {
            // Ordered sum over the chunk axis (the reduction kernel sums in index order).
            var sum = partial.Sum(0);
            gw.CopyFrom(sum);
            sum.Dispose();
        }
        partial.Dispose();
        return gw;
    }
}
