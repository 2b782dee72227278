using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SciKernels.Autograd;
using SciKernels.Backends;
using SciKernels.Cpu;
using SciKernels.Graphs;

namespace SciKernels.Equivariant;

/// <summary>
/// y = SiLU(h·Wa[receiver] + h·Wb[sender] + e·Wc + b) per edge — the first layer of the EGNN edge
/// MLP — with the edge product e·Wc (k ≤ 8 columns: ‖x_i − x_j‖² and the edge attributes) folded
/// into the gather pass, and the bias and SiLU applied while each row is in registers. Unfused it
/// is a K = 3 GEMM over all edges, the combine pass and the bias + SiLU pass: three trips through
/// an [E, O] array and three thread dispatches.
/// </summary>
/// <remarks>
/// <para>Recorded as the composite's nodes — z = EdgeLinear(h, e; Wa, Wb, Wc) (inputs the node
/// products h·Wa, h·Wb, and e, Wc) and y = <see cref="BiasSilu"/>(z, b) — with the same backward
/// ops, so every derivative is the composite's. The values are bit-identical to it on the CPU:
/// the edge product is summed in the GEMM's order (one FMA per k from zero), then ((a + s) + c) + b.</para>
/// <para>Host memory, float32, AVX-512 and k ≤ 8 run the fused pass; anything else the composite.</para>
/// </remarks>
internal static unsafe class EdgeLinearSilu
{
    /// <summary>The largest edge-feature width folded into the gather pass.</summary>
    public const int MaxEdgeFeatures = 8;

    /// <summary>SiLU(EdgeLinear(h, e, edges, wa, wb, wc) + b); <paramref name="e"/> and <paramref name="wc"/> both null or both given.</summary>
    public static Tensor Apply(Tensor h, Tensor? e, MessagePassing.EdgeIndex edges, Tensor wa, Tensor wb, Tensor? wc, Tensor? b)
    {
        if (!Fusable(h, e, edges, wa, wb, wc, b))
            return BiasSilu.Apply(MessagePassing.EdgeLinear(h, e, edges, wa, wb, wc), b);
        int o = wa.Shape[1], n = edges.NumEdges, k = e?.Shape[1] ?? 0;
        var a = h.MatMul(wa);
        var s = h.MatMul(wb);
        bool tracked = ForwardMode.Visible != 0 || (GradMode.IsEnabled &&
            (a.RequiresGrad || s.RequiresGrad || (e?.RequiresGrad ?? false) || (wc?.RequiresGrad ?? false) || (b?.RequiresGrad ?? false)));
        var ac = a.Contiguous();
        var sc = s.Contiguous();
        var ec = e?.Contiguous();
        // Wc is a strided view of the layer's weight; a [k, O] dense copy is a few hundred bytes.
        var wcc = wc?.Contiguous();
        var bc = b?.Contiguous();
        var y = Tensor.Empty([n, o], h.DType, h.Device);
        var z = tracked ? Tensor.Empty([n, o], h.DType, h.Device) : null;
        Kernel(HostMemory.Ptr<float>(ac), HostMemory.Ptr<float>(sc), ec is null ? null : HostMemory.Ptr<float>(ec), wcc is null ? null : HostMemory.Ptr<float>(wcc),
            bc is null ? null : HostMemory.Ptr<float>(bc), HostMemory.Ptr<long>(edges.Receivers), HostMemory.Ptr<long>(edges.Senders),
            z is null ? null : HostMemory.Ptr<float>(z), HostMemory.Ptr<float>(y), n, o, k);
        GC.KeepAlive(ac); GC.KeepAlive(sc); GC.KeepAlive(ec); GC.KeepAlive(wcc); GC.KeepAlive(bc); GC.KeepAlive(edges);
        GC.KeepAlive(z); GC.KeepAlive(y);
        if (!tracked) return Tensor.Record(y, "EdgeLinearSilu", [], _ => []);
        var zNode = RecordLinear(z!, a, s, e, wc, edges);
        return BiasSilu.RecordBiasSilu(y, zNode, b);
    }

    /// <summary>z = a[receiver] + s[sender] + e·Wc with the rules of EdgeLinear's composite (a GEMM for e·Wc, then the combine).</summary>
    private static Tensor RecordLinear(Tensor z, Tensor a, Tensor s, Tensor? e, Tensor? wc, MessagePassing.EdgeIndex ix)
    {
        var inputs = e is null ? new[] { a, s } : new[] { a, s, e, wc! };
        int[] shape = z.Shape.ToArray();
        return Tensor.Record(z, "MessagePassing.EdgeLinear", inputs, g =>
        {
            var r = new Tensor?[inputs.Length];
            r[0] = a.RequiresGrad ? MessagePassing.SegmentSum(g, ix, EdgeEnd.Receiver) : null;
            r[1] = s.RequiresGrad ? MessagePassing.SegmentSum(g, ix, EdgeEnd.Sender) : null;
            if (e is not null)
            {
                r[2] = e.RequiresGrad ? g.MatMul(wc!.T) : null;
                r[3] = wc!.RequiresGrad ? e.T.MatMul(g) : null;
            }
            return r;
        }, t =>
        {
            Tensor? sum = null;
            Tensor Acc(Tensor? acc, Tensor v) => acc is null ? v : acc.Add(v);
            if (t[0] is { } ta) sum = Acc(sum, MessagePassing.GatherRows(ta, ix, EdgeEnd.Receiver));
            if (t[1] is { } ts) sum = Acc(sum, MessagePassing.GatherRows(ts, ix, EdgeEnd.Sender));
            if (e is not null)
            {
                if (t[2] is { } te) sum = Acc(sum, te.MatMul(wc!));
                if (t[3] is { } tw) sum = Acc(sum, e.MatMul(tw));
            }
            return sum;
        });
    }

    private static bool Fusable(Tensor h, Tensor? e, MessagePassing.EdgeIndex edges, Tensor wa, Tensor wb, Tensor? wc, Tensor? b)
    {
        if (!Avx512F.IsSupported || h is null || wa is null || wb is null || edges is null) return false;
        if ((e is null) != (wc is null)) return false;
        if (h.DType != DType.Float32 || !HostMemory.Holds(h) || !HostMemory.Holds(edges.Receivers)) return false;
        if (h.Rank != 2 || wa.Rank != 2 || wb.Rank != 2 || wa.Shape[0] != h.Shape[1] || !wa.Shape.SequenceEqual(wb.Shape)) return false;
        if (wa.DType != h.DType || wb.DType != h.DType || edges.NumNodes != h.Shape[0]) return false;
        int o = wa.Shape[1];
        if (e is not null && (e.DType != h.DType || wc!.DType != h.DType || !HostMemory.Holds(e) || !HostMemory.Holds(wc) || e.Rank != 2 ||
            e.Shape[0] != edges.NumEdges || e.Shape[1] > MaxEdgeFeatures || wc.Rank != 2 || wc.Shape[0] != e.Shape[1] || wc.Shape[1] != o)) return false;
        return b is null || (b.DType == h.DType && HostMemory.Holds(b) && b.Rank == 1 && b.Shape[0] == o);
    }

    private static void Kernel(float* a, float* s, float* e, float* wc, float* bias, long* recv, long* send, float* z, float* y, int n, int o, int k)
    {
        long grain = Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, o));
        CpuParallel.For(n, grain, (r0, rn) =>
        {
            // locals, not the closure's fields: stores through y could alias them and force reloads
            float* al = a, sl = s, el = e, wl = wc, bl = bias, zl = z, yl = y;
            for (long r = r0; r < r0 + rn; r++)
            {
                float* ar = al + recv[r] * o, sr = sl + send[r] * o, er = el + r * k, yr = yl + r * o, zr = zl + r * o;
                int c = 0;
                for (; c + 16 <= o; c += 16)
                {
                    var u = Vector512.Load(ar + c) + Vector512.Load(sr + c);
                    if (k > 0)
                    {
                        // the GEMM's sum: acc = 0, then one FMA per k in increasing k
                        var acc = Avx512F.FusedMultiplyAdd(Vector512.Create(er[0]), Vector512.Load(wl + c), Vector512<float>.Zero);
                        for (int q = 1; q < k; q++) acc = Avx512F.FusedMultiplyAdd(Vector512.Create(er[q]), Vector512.Load(wl + q * o + c), acc);
                        u += acc;
                    }
                    if (zl != null) u.Store(zr + c);
                    if (bl != null) u += Vector512.Load(bl + c);
                    (u * SiluMath.Sigmoid(u)).Store(yr + c);
                }
                for (; c < o; c++)
                {
                    float u = ar[c] + sr[c];
                    if (k > 0)
                    {
                        float acc = MathF.FusedMultiplyAdd(er[0], wl[c], 0f);
                        for (int q = 1; q < k; q++) acc = MathF.FusedMultiplyAdd(er[q], wl[q * o + c], acc);
                        u += acc;
                    }
                    if (zl != null) zr[c] = u;
                    if (bl != null) u += bl[c];
                    yr[c] = SiluMath.Silu(u);
                }
            }
        });
    }
}
