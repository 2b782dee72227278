using System.Numerics;
using SciKernels.Autograd;
using SciKernels.Backends;
using SciKernels.Cpu;
using SciKernels.Graphs;

namespace SciKernels.Equivariant;

/// <summary>
/// The coordinate chains of an EGNN layer as fused ops (one pass and one graph node each instead of
/// five and three; the N-body case has only 2000 × 3 edge values, so the per-op cost, not the
/// arithmetic, is what they save):
/// <code>
/// Differences:  d_k = x_{i(k)} − x_{j(k)},  r_k = Σ_c d_kc²                 ([E, D] and [E, 1])
///   backward:   ∂/∂x = segment sum over receivers − over senders;  ∂r/∂d = 2d
/// ClampedMean:  y_n = (1 / max(deg n, 1)) Σ_{k → n} clamp(d_k · w_k, ±c)   ([N, D])
///   backward:   g_k = m_k ⊙ (y-gradient of i(k)) / deg;  ∂/∂d = g_k w_k,  ∂/∂w = Σ_c g_kc d_kc
///               with m = [−c ≤ d·w ≤ c] (0 at NaN), as Clamp's gradient
/// </code>
/// The backwards are written with differentiable ops (the mask is constant), so second derivatives
/// hold. d and y equal the composite chains' bit for bit (the same products, the same clamp, the
/// same CSR-order sums times the same cached 1/deg); r sums its D squares in order, which may round
/// differently from Sum's pairing.
/// </summary>
/// <remarks>
/// Host memory runs the CPU loops; any other backend, or an index with its fused kernels switched
/// off (<c>UseFusedKernels</c>, the test seam), runs the composite chain of tensor ops.
/// </remarks>
internal static unsafe class EgnnCoordinateOps
{
    /// <summary>Edge rows per task of the (cheap) loops: a task costs well over the µs of handing it to a thread.</summary>
    private const long EdgeGrain = 16_384;

    /// <summary>d = x[receiver] − x[sender] [E, D] and r = Σ_c d² [E, 1]; r is recorded as a function of d.</summary>
    public static (Tensor Diff, Tensor Radial) Differences(Tensor x, MessagePassing.EdgeIndex edges)
    {
        const string op = "Egnn.EdgeDifferences";
        if (!edges.UseFusedKernels || !HostMemory.Holds(x) || x.Rank != 2 || x.Shape[0] != edges.NumNodes || x.DType is not (DType.Float32 or DType.Float64))
            return CompositeDifferences(x, edges);
        var ix = edges.On(x.Device);
        var xc = x.Contiguous();
        int e = ix.NumEdges, d = x.Shape[1];
        var diff = Tensor.Empty([e, d], x.DType, x.Device);
        var radial = Tensor.Empty([e, 1], x.DType, x.Device);
        if (e > 0)
        {
            if (x.DType == DType.Float32)
                DifferencesKernel(HostMemory.Ptr<float>(xc), HostMemory.Ptr<long>(ix.Receivers), HostMemory.Ptr<long>(ix.Senders), HostMemory.Ptr<float>(diff), HostMemory.Ptr<float>(radial), e, d);
            else
                DifferencesKernel(HostMemory.Ptr<double>(xc), HostMemory.Ptr<long>(ix.Receivers), HostMemory.Ptr<long>(ix.Senders), HostMemory.Ptr<double>(diff), HostMemory.Ptr<double>(radial), e, d);
            GC.KeepAlive(xc);
            GC.KeepAlive(diff);
            GC.KeepAlive(radial);
        }
        diff = Tensor.Record(diff, op, [x],
            g => [MessagePassing.SegmentSum(g, ix, EdgeEnd.Receiver).Sub(MessagePassing.SegmentSum(g, ix, EdgeEnd.Sender))],
            t => t[0] is { } tx ? GatherDifference(tx, ix) : null);
        var d0 = diff;
        radial = Tensor.Record(radial, "Egnn.SquaredNorm", [d0],
            g => [g.Mul(d0).Mul(2)],
            t => t[0] is { } td ? td.Mul(d0).Sum(1, keepDim: true).Mul(2) : null);
        return (diff, radial);
    }

    /// <summary>The composite form of <see cref="Differences"/> (the specification of its values).</summary>
    public static (Tensor Diff, Tensor Radial) CompositeDifferences(Tensor x, MessagePassing.EdgeIndex edges)
    {
        var diff = GatherDifference(x, edges);
        return (diff, diff.Square().Sum(1, keepDim: true));
    }

    private static Tensor GatherDifference(Tensor x, MessagePassing.EdgeIndex edges)
        => MessagePassing.GatherRows(x, edges, EdgeEnd.Receiver).Sub(MessagePassing.GatherRows(x, edges, EdgeEnd.Sender));

    /// <summary>y_n = mean over the edges into n of clamp(d_k · w_k, ±<paramref name="clamp"/>), [N, D].</summary>
    /// <param name="diff">Per-edge vectors d [E, D] in the index's receiver order.</param>
    /// <param name="weight">Per-edge scalars w [E, 1].</param>
    /// <param name="edges">The edge index.</param>
    /// <param name="clamp">The bound c &gt; 0 of each edge's term.</param>
    public static Tensor ClampedMean(Tensor diff, Tensor weight, MessagePassing.EdgeIndex edges, double clamp)
        => ClampedAggregate(diff, weight, edges, clamp, mean: true);

    /// <summary>y_n = sum over the edges into n of clamp(d_k · w_k, ±<paramref name="clamp"/>), [N, D] (EDM's coordinate aggregation).</summary>
    /// <param name="diff">Per-edge vectors d [E, D] in the index's receiver order.</param>
    /// <param name="weight">Per-edge scalars w [E, 1].</param>
    /// <param name="edges">The edge index.</param>
    /// <param name="clamp">The bound c &gt; 0 of each edge's term.</param>
    public static Tensor ClampedSum(Tensor diff, Tensor weight, MessagePassing.EdgeIndex edges, double clamp)
        => ClampedAggregate(diff, weight, edges, clamp, mean: false);

    /// <summary>The mean or the sum: one kernel whose per-node scale is 1/deg or 1 (×1 is exact, so the sum is plain).</summary>
    private static Tensor ClampedAggregate(Tensor diff, Tensor weight, MessagePassing.EdgeIndex edges, double clamp, bool mean)
    {
        string op = mean ? "Egnn.ClampedMean" : "Egnn.ClampedSum";
        int e = edges.NumEdges;
        if (diff.Rank != 2 || diff.Shape[0] != e || weight.Rank != 2 || weight.Shape[0] != e || weight.Shape[1] != 1 || diff.DType != weight.DType)
            throw new TensorException(op, $"needs d [{e}, D] and w [{e}, 1] of one dtype (E = {e} edges of {edges}), got {diff.DType.Name()} {Tensor.ShapeString(diff.Shape)} and {weight.DType.Name()} {Tensor.ShapeString(weight.Shape)}");
        if (!edges.UseFusedKernels || !HostMemory.Holds(diff) || !HostMemory.Holds(weight) || diff.DType is not (DType.Float32 or DType.Float64))
            return mean ? CompositeClampedMean(diff, weight, edges, clamp) : CompositeClampedSum(diff, weight, edges, clamp);
        var ix = edges.On(diff.Device);
        var dc = diff.Contiguous();
        var wc = weight.Contiguous();
        var invDeg = mean ? ix.InverseDegree(diff.DType) : Tensor.Full([ix.NumNodes], 1.0, diff.DType, diff.Device);
        int n = ix.NumNodes, d = diff.Shape[1];
        var y = Tensor.Empty([n, d], diff.DType, diff.Device);
        bool needMask = GradMode.IsEnabled && (diff.RequiresGrad || weight.RequiresGrad);
        var mask = needMask ? Tensor.Empty([e, d], diff.DType, diff.Device) : null;
        if (n > 0 && d > 0)
        {
            if (diff.DType == DType.Float32)
                MeanKernel(HostMemory.Ptr<float>(dc), HostMemory.Ptr<float>(wc), HostMemory.Ptr<long>(ix.RowOffsets), HostMemory.Ptr<float>(invDeg),
                    HostMemory.Ptr<float>(y), mask is null ? null : HostMemory.Ptr<float>(mask), (float)clamp, n, d);
            else
                MeanKernel(HostMemory.Ptr<double>(dc), HostMemory.Ptr<double>(wc), HostMemory.Ptr<long>(ix.RowOffsets), HostMemory.Ptr<double>(invDeg),
                    HostMemory.Ptr<double>(y), mask is null ? null : HostMemory.Ptr<double>(mask), clamp, n, d);
            GC.KeepAlive(dc);
            GC.KeepAlive(wc);
            GC.KeepAlive(invDeg);
            GC.KeepAlive(y);
            GC.KeepAlive(mask);
        }
        Tensor Mask() => mask ??= ClampMask(dc.Mul(wc), clamp);
        var scale = invDeg.Reshape([n, 1]);
        return Tensor.Record(y, op, [diff, weight], g =>
        {
            var ge = MessagePassing.GatherRows(g.Mul(scale), ix, EdgeEnd.Receiver).Mul(Mask());
            return [diff.RequiresGrad ? ge.Mul(weight) : null, weight.RequiresGrad ? ge.Mul(diff).Sum(1, keepDim: true) : null];
        }, t =>
        {
            Tensor? inner = t[0] is { } td ? td.Mul(weight) : null;
            if (t[1] is { } tw) inner = inner is null ? diff.Mul(tw) : inner.Add(diff.Mul(tw));
            return inner is null ? null : mean ? MessagePassing.SegmentMean(inner.Mul(Mask()), ix) : MessagePassing.SegmentSum(inner.Mul(Mask()), ix);
        });
    }

    /// <summary>The composite form of <see cref="ClampedSum"/>: Mul, Clamp, SegmentSum.</summary>
    public static Tensor CompositeClampedSum(Tensor diff, Tensor weight, MessagePassing.EdgeIndex edges, double clamp)
        => MessagePassing.SegmentSum(diff.Mul(weight).Clamp(-clamp, clamp), edges);

    /// <summary>The composite form of <see cref="ClampedMean"/>: Mul, Clamp, SegmentMean.</summary>
    public static Tensor CompositeClampedMean(Tensor diff, Tensor weight, MessagePassing.EdgeIndex edges, double clamp)
        => MessagePassing.SegmentMean(diff.Mul(weight).Clamp(-clamp, clamp), edges);

    /// <summary>[−c ≤ t ≤ c] as 0/1 (0 at NaN), constant.</summary>
    private static Tensor ClampMask(Tensor t, double clamp)
    {
        using (GradMode.NoGrad())
            return t.Ge(Tensor.Scalar(-clamp, t.DType, t.Device)).Mul(t.Le(Tensor.Scalar(clamp, t.DType, t.Device)));
    }

    private static void DifferencesKernel<T>(T* x, long* recv, long* send, T* diff, T* radial, int e, int d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(e, EdgeGrain, (k0, kn) =>
        {
            T* xl = x, dl = diff, rl = radial;
            for (long k = k0; k < k0 + kn; k++)
            {
                T* xi = xl + recv[k] * d, xj = xl + send[k] * d, dk = dl + k * d;
                T r = T.Zero;
                for (int c = 0; c < d; c++)
                {
                    T v = xi[c] - xj[c];
                    dk[c] = v;
                    r += v * v;
                }
                rl[k] = r;
            }
        });
    }

    private static void MeanKernel<T>(T* diff, T* w, long* off, T* invDeg, T* y, T* mask, T clamp, int n, int d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T lo = -clamp;
        CpuParallel.For(n, Math.Max(1, EdgeGrain * n / Math.Max(1, off[n])), (r0, rn) =>
        {
            for (long r = r0; r < r0 + rn; r++)
            {
                T* yr = y + r * d;
                for (int c = 0; c < d; c++) yr[c] = T.Zero;
                for (long k = off[r]; k < off[r + 1]; k++)
                {
                    T wk = w[k];
                    for (int c = 0; c < d; c++)
                    {
                        T t = diff[k * d + c] * wk;
                        // as Clamp: NaN passes through; the mask is Clamp's gradient [lo ≤ t ≤ hi]
                        if (mask is not null) mask[k * d + c] = t >= lo && t <= clamp ? T.One : T.Zero;
                        if (t < lo) t = lo;
                        else if (t > clamp) t = clamp;
                        yr[c] += t;
                    }
                }
                T s = invDeg[r];
                for (int c = 0; c < d; c++) yr[c] *= s;
            }
        });
    }
}
