using SciKernels.Autograd;
using SciKernels.Backends;

namespace SciKernels.Graphs;

/// <summary>Which end of each edge a gather reads or a segment reduction groups by.</summary>
public enum EdgeEnd
{
    /// <summary>The node receiving the message (edges are sorted by it).</summary>
    Receiver,
    /// <summary>The node sending the message.</summary>
    Sender,
}

/// <summary>
/// Fused, differentiable message-passing primitives over a CSR <see cref="EdgeIndex"/>: gathers of
/// node rows to edges, segment sum / mean / max of edge rows over receivers, and the edge-linear
/// layer. Deterministic (no atomics: every output row is summed by one thread in CSR order) and
/// differentiable to any order: each backward is written with these same primitives.
/// </summary>
/// <remarks>
/// Dispatch, as for every fused op (docs/architecture.md): host memory → the CPU kernels
/// (<c>CpuMessagePassing</c>, the specification); a backend with <see cref="IGraphKernels"/> → its
/// device kernels; otherwise the composite form (IndexSelect / IndexAdd, or a round trip through
/// host memory for the max). Per-edge tensors are in receiver order (see <see cref="EdgeIndex"/>);
/// features may have any trailing shape [rows, …].
/// </remarks>
public static partial class MessagePassing
{
    private enum Path { Host, Device, Composite }

    private static Path Choose(EdgeIndex edges, Tensor x) =>
        !edges.UseFusedKernels ? Path.Composite : HostMemory.Holds(x) ? Path.Host : x.Backend is IGraphKernels ? Path.Device : Path.Composite;

    private static int[] WithRows(Tensor x, int rows)
    {
        var s = x.Shape.ToArray();
        s[0] = rows;
        return s;
    }

    private static EdgeIndex Check(string op, Tensor x, EdgeIndex edges, int rows, string rowsName, string role)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(edges);
        Tensor.CheckFloat(op, x);
        if (x.Rank == 0 || x.Shape[0] != rows)
            throw new TensorException(op, $"{role} of shape {Tensor.ShapeString(x.Shape)} must have {rows} rows ({rowsName} of {edges})");
        return edges.On(x.Device);
    }

    // ------------------------------------------------------------------ gather / segment sum

    /// <summary>
    /// Node rows to edges: y[k] = h[receiver(k)] or h[sender(k)] — [N, …] → [E, …].
    /// Backward: the segment sum over the same end.
    /// </summary>
    /// <param name="h">Node features [N, …].</param>
    /// <param name="edges">The edge index.</param>
    /// <param name="end">Which end of each edge to read.</param>
    public static Tensor GatherRows(Tensor h, EdgeIndex edges, EdgeEnd end)
    {
        const string op = "MessagePassing.GatherRows";
        var ix = Check(op, h, edges, edges.NumNodes, "the node count", "node features");
        var idx = end == EdgeEnd.Receiver ? ix.Receivers : ix.Senders;
        var hc = h.Contiguous();
        var y = Tensor.Empty(WithRows(h, ix.NumEdges), h.DType, h.Device);
        // a row gather is the backend's IndexSelect on every backend: one pass, indices validated at build
        if (y.NumElements > 0) h.Backend.IndexSelect(hc, 0, idx, y);
        return Tensor.Record(y, op, new[] { h }, g => new[] { SegmentSum(g, ix, end) }, t => t[0] is { } th ? GatherRows(th, ix, end) : null);
    }

    /// <summary>
    /// Sum of edge rows over the receivers (or senders): y[n] = Σ_{k: end(k) = n} e[k] — [E, …] → [N, …];
    /// empty segments give 0. Each segment is summed in CSR order (ascending edge within a sender).
    /// Backward: <see cref="GatherRows"/> over the same end.
    /// </summary>
    /// <param name="e">Edge rows [E, …] in receiver order.</param>
    /// <param name="edges">The edge index.</param>
    /// <param name="end">Group by receiver (default) or sender.</param>
    public static Tensor SegmentSum(Tensor e, EdgeIndex edges, EdgeEnd end = EdgeEnd.Receiver)
    {
        const string op = "MessagePassing.SegmentSum";
        var ix = Check(op, e, edges, edges.NumEdges, "the edge count", "edge rows");
        var ec = e.Contiguous();
        var shape = WithRows(e, ix.NumNodes);
        Tensor y;
        switch (Choose(ix, e))
        {
            case Path.Host:
                y = Tensor.Empty(shape, e.DType, e.Device);
                if (end == EdgeEnd.Receiver) CpuMessagePassing.SegmentSum(ec, ix.RowOffsets, null, y);
                else CpuMessagePassing.SegmentSum(ec, ix.SenderOffsets, ix.SenderPerm, y);
                break;
            case Path.Device:
                y = Tensor.Empty(shape, e.DType, e.Device);
                var k = (IGraphKernels)e.Backend;
                if (end == EdgeEnd.Receiver) k.SegmentSum(ec, ix.RowOffsets, null, y);
                else k.SegmentSum(ec, ix.SenderOffsets, ix.SenderPerm, y);
                break;
            default:
                // IndexAdd sums in index order, i.e. in CSR order within each segment: the same sums
                using (GradMode.NoGrad())
                    y = Tensor.Zeros(shape, e.DType, e.Device).IndexAdd(0, end == EdgeEnd.Receiver ? ix.Receivers : ix.Senders, ec);
                break;
        }
        return Tensor.Record(y, op, new[] { e }, g => new[] { GatherRows(g, ix, end) }, t => t[0] is { } te ? SegmentSum(te, ix, end) : null);
    }

    /// <summary>
    /// Mean of edge rows over the receivers: y[n] = (Σ_{k → n} e[k]) / deg(n), 0 for a node without
    /// incoming edges. The segment sum times the cached 1 / max(deg, 1) — differentiable through both.
    /// </summary>
    /// <param name="e">Edge rows [E, …] in receiver order.</param>
    /// <param name="edges">The edge index.</param>
    public static Tensor SegmentMean(Tensor e, EdgeIndex edges)
    {
        const string op = "MessagePassing.SegmentMean";
        var ix = Check(op, e, edges, edges.NumEdges, "the edge count", "edge rows");
        var scale = ix.InverseDegree(e.DType);
        if (e.Rank > 1)
        {
            var s = new int[e.Rank];
            Array.Fill(s, 1);
            s[0] = ix.NumNodes;
            scale = scale.Reshape(s);
        }
        return SegmentSum(e, ix).Mul(scale);
    }

    // ------------------------------------------------------------------ segment max

    /// <summary>
    /// Maximum of edge rows over the receivers, per feature: y[n, c] = max_{k → n} e[k, c];
    /// 0 for a node without incoming edges.
    /// </summary>
    /// <remarks>
    /// Like PyTorch's <c>scatter_reduce(…, "amax", include_self=False)</c> on non-empty segments:
    /// a NaN in a segment makes the result NaN (and −0 and +0 are equal: the first wins). The
    /// gradient goes to one edge per output element, the argmax, ties going to the first edge in CSR
    /// order (PyTorch instead splits it evenly among tied elements); with a NaN, to the first NaN.
    /// The backward is a scatter to the argmax whose own backward is the gather from it, so the
    /// max is differentiable to any order (piecewise linear: second derivatives are 0).
    /// </remarks>
    /// <param name="e">Edge rows [E, …] in receiver order.</param>
    /// <param name="edges">The edge index.</param>
    public static Tensor SegmentMax(Tensor e, EdgeIndex edges)
    {
        const string op = "MessagePassing.SegmentMax";
        var ix = Check(op, e, edges, edges.NumEdges, "the edge count", "edge rows");
        var ec = e.Contiguous();
        var shape = WithRows(e, ix.NumNodes);
        var y = Tensor.Empty(shape, e.DType, e.Device);
        var arg = Tensor.Empty(shape, DType.Int64, e.Device);
        switch (Choose(ix, e))
        {
            case Path.Host: CpuMessagePassing.SegmentMax(ec, ix.RowOffsets, y, arg); break;
            case Path.Device: ((IGraphKernels)e.Backend).SegmentMax(ec, ix.RowOffsets, y, arg); break;
            default:
                // no tensor-op form of an argmax per segment: compute it in host memory
                using (GradMode.NoGrad())
                {
                    var host = ix.On(Device.Cpu);
                    var yh = Tensor.Empty(shape, e.DType, Device.Cpu);
                    var ah = Tensor.Empty(shape, DType.Int64, Device.Cpu);
                    CpuMessagePassing.SegmentMax(ec.To(Device.Cpu), host.RowOffsets, yh, ah);
                    y = yh.To(e.Device);
                    arg = ah.To(e.Device);
                }
                break;
        }
        return Tensor.Record(y, op, new[] { e }, g => new[] { ScatterArgMax(g, arg, ix) }, t => t[0] is { } te ? GatherArgMax(te, arg, ix) : null);
    }

    /// <summary>y[k] = g[receiver(k)] where k is the argmax, else 0 (the backward of the segment max).</summary>
    private static Tensor ScatterArgMax(Tensor g, Tensor arg, EdgeIndex ix)
    {
        const string op = "MessagePassing.SegmentMaxBackward";
        var gc = g.Contiguous();
        var y = Tensor.Empty(WithRows(g, ix.NumEdges), g.DType, g.Device);
        switch (Choose(ix, g))
        {
            case Path.Host: CpuMessagePassing.ScatterArgMax(gc, arg, ix.Receivers, y); break;
            case Path.Device: ((IGraphKernels)g.Backend).ScatterArgMax(gc, arg, ix.Receivers, y); break;
            default:
                using (GradMode.NoGrad())
                {
                    var host = ix.On(Device.Cpu);
                    var yh = Tensor.Empty(y.Shape, g.DType, Device.Cpu);
                    CpuMessagePassing.ScatterArgMax(gc.To(Device.Cpu), arg.To(Device.Cpu), host.Receivers, yh);
                    y = yh.To(g.Device);
                }
                break;
        }
        return Tensor.Record(y, op, new[] { g }, u => new[] { GatherArgMax(u, arg, ix) }, t => t[0] is { } tg ? ScatterArgMax(tg, arg, ix) : null);
    }

    /// <summary>y[n] = u[argmax(n)], 0 for an empty segment (the adjoint of <see cref="ScatterArgMax"/>).</summary>
    private static Tensor GatherArgMax(Tensor u, Tensor arg, EdgeIndex ix)
    {
        const string op = "MessagePassing.SegmentMaxPick";
        var uc = u.Contiguous();
        var y = Tensor.Empty(WithRows(u, ix.NumNodes), u.DType, u.Device);
        switch (Choose(ix, u))
        {
            case Path.Host: CpuMessagePassing.GatherArgMax(uc, arg, y); break;
            case Path.Device: ((IGraphKernels)u.Backend).GatherArgMax(uc, arg, y); break;
            default:
                using (GradMode.NoGrad())
                {
                    var yh = Tensor.Empty(y.Shape, u.DType, Device.Cpu);
                    CpuMessagePassing.GatherArgMax(uc.To(Device.Cpu), arg.To(Device.Cpu), yh);
                    y = yh.To(u.Device);
                }
                break;
        }
        return Tensor.Record(y, op, new[] { u }, g => new[] { ScatterArgMax(g, arg, ix) }, t => t[0] is { } tu ? GatherArgMax(tu, arg, ix) : null);
    }

    // ------------------------------------------------------------------ edge-linear layer

    /// <summary>
    /// The linear layer over concat(h[receiver], h[sender], e) without the concatenation:
    /// y[k] = (h·Wa)[receiver(k)] + (h·Wb)[sender(k)] + e[k]·Wc + b — [E, O].
    /// </summary>
    /// <remarks>
    /// Equals <c>Concat([h[recv], h[send], e], 1).MatMul(Concat([Wa, Wb, Wc], 0)) + b</c> (up to
    /// rounding) but the two F×O products run over the N nodes instead of the E edges and the [E, 2F + k]
    /// input is never formed; one fused pass gathers the node products and adds the edge product and
    /// the bias. Backward: the node products' gradients are the segment sums of the output gradient over
    /// receivers and senders (CSR, deterministic), followed by node-sized GEMMs.
    /// </remarks>
    /// <param name="h">Node features [N, F].</param>
    /// <param name="e">Edge features [E, K] in receiver order, or null (then <paramref name="wc"/> must be null).</param>
    /// <param name="edges">The edge index.</param>
    /// <param name="wa">Receiver weights [F, O].</param>
    /// <param name="wb">Sender weights [F, O].</param>
    /// <param name="wc">Edge weights [K, O], or null.</param>
    /// <param name="b">Bias [O], or null.</param>
    public static Tensor EdgeLinear(Tensor h, Tensor? e, EdgeIndex edges, Tensor wa, Tensor wb, Tensor? wc = null, Tensor? b = null)
    {
        const string op = "MessagePassing.EdgeLinear";
        ArgumentNullException.ThrowIfNull(wa);
        ArgumentNullException.ThrowIfNull(wb);
        var ix = Check(op, h, edges, edges.NumNodes, "the node count", "node features h");
        string Shapes() => $"h {Tensor.ShapeString(h.Shape)}, e {(e is null ? "none" : Tensor.ShapeString(e.Shape))}, Wa {Tensor.ShapeString(wa.Shape)}, Wb {Tensor.ShapeString(wb.Shape)}, Wc {(wc is null ? "none" : Tensor.ShapeString(wc.Shape))}, b {(b is null ? "none" : Tensor.ShapeString(b.Shape))}";
        if (h.Rank != 2 || wa.Rank != 2 || wb.Rank != 2 || wa.Shape[0] != h.Shape[1] || !wa.Shape.SequenceEqual(wb.Shape))
            throw new TensorException(op, $"expected h [N, F], Wa and Wb [F, O]; got {Shapes()}");
        int o = wa.Shape[1];
        if ((e is null) != (wc is null))
            throw new TensorException(op, $"edge features and their weights Wc come together; got {Shapes()}");
        if (e is not null && (e.Rank != 2 || e.Shape[0] != ix.NumEdges || wc!.Rank != 2 || wc.Shape[0] != e.Shape[1] || wc.Shape[1] != o))
            throw new TensorException(op, $"expected e [{ix.NumEdges}, K] and Wc [K, {o}] for {ix}; got {Shapes()}");
        if (b is not null && (b.Rank != 1 || b.Shape[0] != o))
            throw new TensorException(op, $"expected bias [{o}]; got {Shapes()}");
        // node GEMMs (N·F·O each) instead of an edge GEMM over the concatenation (E·2F·O)
        var a = h.MatMul(wa);
        var s = h.MatMul(wb);
        var c = e?.MatMul(wc!);
        return EdgeCombine(a, s, c, b, ix);
    }

    /// <summary>y[k] = ((a[receiver(k)] + s[sender(k)]) + c[k]) + bias in one pass (c and bias optional).</summary>
    private static Tensor EdgeCombine(Tensor a, Tensor s, Tensor? c, Tensor? bias, EdgeIndex ix)
    {
        const string op = "MessagePassing.EdgeLinear";
        Tensor.CheckFloatOperands(op, a, s);
        if (c is not null) Tensor.CheckFloatOperands(op, a, c);
        if (bias is not null) Tensor.CheckFloatOperands(op, a, bias);
        var ac = a.Contiguous();
        var sc = s.Contiguous();
        var cc = c?.Contiguous();
        var bc = bias?.Contiguous();
        var shape = new[] { ix.NumEdges, a.Shape[1] };
        Tensor y;
        switch (Choose(ix, a))
        {
            case Path.Host:
                y = Tensor.Empty(shape, a.DType, a.Device);
                CpuMessagePassing.EdgeCombine(ac, sc, cc, bc, ix.Receivers, ix.Senders, y);
                break;
            case Path.Device:
                y = Tensor.Empty(shape, a.DType, a.Device);
                ((IGraphKernels)a.Backend).EdgeCombine(ac, sc, cc, bc, ix.Receivers, ix.Senders, y);
                break;
            default:
                using (GradMode.NoGrad())
                {
                    y = ac.IndexSelect(0, ix.Receivers).Add(sc.IndexSelect(0, ix.Senders));
                    if (cc is not null) y = y.Add(cc);
                    if (bc is not null) y = y.Add(bc);
                }
                break;
        }
        var inputs = bias is null ? (c is null ? new[] { a, s } : new[] { a, s, c }) : (c is null ? new[] { a, s, bias } : new[] { a, s, c, bias });
        return Tensor.Record(y, op, inputs, g =>
        {
            var r = new Tensor?[inputs.Length];
            r[0] = a.RequiresGrad ? SegmentSum(g, ix, EdgeEnd.Receiver) : null;
            r[1] = s.RequiresGrad ? SegmentSum(g, ix, EdgeEnd.Sender) : null;
            int at = 2;
            if (c is not null) r[at++] = c.RequiresGrad ? g : null;
            if (bias is not null) r[at] = bias.RequiresGrad ? g.Sum(0) : null;
            return r;
        }, t =>
        {
            Tensor? sum = null;
            Tensor Acc(Tensor? acc, Tensor v) => acc is null ? v : acc.Add(v);
            if (t[0] is { } ta) sum = Acc(sum, GatherRows(ta, ix, EdgeEnd.Receiver));
            if (t[1] is { } ts) sum = Acc(sum, GatherRows(ts, ix, EdgeEnd.Sender));
            int at = 2;
            if (c is not null && t[at++] is { } tc) sum = Acc(sum, tc);
            if (bias is not null && t[at] is { } tb) sum = sum is null ? tb.Unsqueeze(0).Expand(shape) : sum.Add(tb);
            return sum;
        });
    }
}
