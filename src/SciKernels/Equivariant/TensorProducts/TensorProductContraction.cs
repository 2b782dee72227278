using SciKernels.Autograd;
using SciKernels.Backends;
using SciKernels.Graphs;
using Operand = SciKernels.Equivariant.ChannelwiseTensorProduct.Operand;

namespace SciKernels.Equivariant;

/// <summary>
/// The tensor-product convolution as ONE differentiable primitive with four targets. The contraction
/// <code>
/// S(g, w, Y, h) = Σ_i g_i · Σ_{e into i} TP(w_e, Y_e, h_sender(e))
/// </code>
/// is linear in each of its four operands, so the forward is ∂S/∂g and the gradients with respect to
/// w, Y and h (given the output cotangent g) are ∂S/∂w, ∂S/∂Y and ∂S/∂h: the same contraction with
/// another operand left out. The backward of "S with target T" for an operand X with cotangent G is
/// "S with target X" with G in T's slot — this op again — so every order of derivative follows
/// (JAX-style), and the forward-mode tangent is the sum of the op with one operand replaced by its
/// tangent.
/// </summary>
/// <remarks>
/// Dispatch (docs/architecture.md): every operand in host memory and the index's fused kernels on →
/// the CPU kernels (<c>TensorProductContraction.Cpu.cs</c>: per receiver in CSR order for the output,
/// per sender through the sender permutation for ∂/∂h, per edge for ∂/∂w and ∂/∂Y; deterministic on
/// any thread count); a backend with <see cref="ITensorProductKernels"/> → its kernels (ILGPU: the same
/// per-row summation order, no atomics); otherwise the composite form of the same target from tensor
/// ops (gathers, batched products with the coupling matrices, segment sums).
/// </remarks>
internal static class TensorProductContraction
{
    private static readonly string[] Names = ["TensorProductConv", "TensorProductConv.dW", "TensorProductConv.dY", "TensorProductConv.dH"];

    /// <summary>
    /// ∂S/∂target: the operand in the target slot is null, the other three are given.
    /// Shapes: out/g [N, Output.Dim], w [E, WeightWidth], Y [E, ShDim], h [N, Input.Dim].
    /// </summary>
    public static Tensor Contract(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex edges, Operand target, Tensor? g, Tensor? w, Tensor? y, Tensor? h)
    {
        var operands = new[] { g, w, y, h };
        Check(tp, edges, operands[0], operands[1], operands[2], operands[3], target);
        var any = operands.First(o => o is not null)!;
        var ix = edges.On(any.Device);
        var c = Array.ConvertAll(operands, o => o?.Contiguous());
        int rows = target is Operand.Out or Operand.Nodes ? ix.NumNodes : ix.NumEdges;
        int cols = target switch
        {
            Operand.Out => tp.Output.Dim,
            Operand.Weights => tp.WeightWidth,
            Operand.Sh => tp.ShDim,
            _ => tp.Input.Dim,
        };
        Tensor result;
        if (ix.UseFusedKernels && c.All(o => o is null || HostMemory.Holds(o)) && any.DType is DType.Float32 or DType.Float64)
        {
            result = Tensor.Empty([rows, cols], any.DType, any.Device);
            CpuTensorProduct.Run(tp, ix, target, c[0], c[1], c[2], c[3], result);
        }
        else if (ix.UseFusedKernels && any.Backend is ITensorProductKernels kernels && any.DType is DType.Float32 or DType.Float64)
        {
            result = Tensor.Empty([rows, cols], any.DType, any.Device);
            kernels.TensorProductContract(TensorProductCouplings.Of(tp), (TensorProductTarget)target, c[0], c[1], c[2], c[3],
                ix.Receivers, ix.Senders, ix.RowOffsets, ix.SenderPerm, ix.SenderOffsets, result);
        }
        else
        {
            using (GradMode.NoGrad())
                result = Composite(tp, ix, target, c[0], c[1], c[2], c[3]).Contiguous();
        }

        var slots = new List<int>(3);
        for (int s = 0; s < 4; s++)
            if (operands[s] is not null) slots.Add(s);
        var inputs = slots.Select(s => operands[s]!).ToArray();
        return Tensor.Record(result, Names[(int)target], inputs, ct =>
        {
            var grads = new Tensor?[inputs.Length];
            for (int k = 0; k < inputs.Length; k++)
            {
                if (!inputs[k].RequiresGrad) continue;
                var args = (Tensor?[])operands.Clone();
                args[(int)target] = ct;
                args[slots[k]] = null;
                grads[k] = Contract(tp, ix, (Operand)slots[k], args[0], args[1], args[2], args[3]);
            }
            return grads;
        }, tangents =>
        {
            Tensor? sum = null;
            for (int k = 0; k < inputs.Length; k++)
            {
                if (tangents[k] is not { } t) continue;
                var args = (Tensor?[])operands.Clone();
                args[slots[k]] = t;
                var term = Contract(tp, ix, target, args[0], args[1], args[2], args[3]);
                sum = sum is null ? term : sum.Add(term);
            }
            return sum;
        }, Saved.Inputs);
    }

    /// <summary>Checks shapes, dtypes and devices of the given operands (null: absent).</summary>
    public static void Check(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex edges, Tensor? g, Tensor? w, Tensor? y, Tensor? h, Operand? target = null)
    {
        ArgumentNullException.ThrowIfNull(tp);
        ArgumentNullException.ThrowIfNull(edges);
        const string op = "TensorProductConv";
        int n = edges.NumNodes, e = edges.NumEdges;
        var expected = new (Tensor? T, int Rows, int Cols, string Name)[]
        {
            (g, n, tp.Output.Dim, "output cotangent"), (w, e, tp.WeightWidth, "edge weights"), (y, e, tp.ShDim, "edge harmonics"), (h, n, tp.Input.Dim, "node features"),
        };
        string Shapes() => string.Join(", ", expected.Where(x => x.T is not null).Select(x => $"{x.Name} {x.T!.DType.Name()} {Tensor.ShapeString(x.T.Shape)}"));
        Tensor? first = null;
        int given = 0;
        foreach (var (t, rows, cols, name) in expected)
        {
            if (t is null) continue;
            given++;
            if (t.Rank != 2 || t.Shape[0] != rows || t.Shape[1] != cols)
                throw new TensorException(op, $"{name} must be [{rows}, {cols}] for {tp} on {edges}; got {Shapes()}");
            if (!t.DType.IsFloatingPoint())
                throw new TensorException(op, $"operands must be floating point; got {Shapes()}");
            if (first is not null && (t.DType != first.DType || t.Device != first.Device))
                throw new TensorException(op, $"operands must share one dtype and device; got {Shapes()} on {string.Join(", ", expected.Where(x => x.T is not null).Select(x => x.T!.Device))}");
            first ??= t;
        }
        if (given != 3 || (target is { } tg && expected[(int)tg].T is not null))
            throw new TensorException(op, $"needs exactly three operands besides the target; got {Shapes()}");
    }

    // ------------------------------------------------------------------ composite form

    /// <summary>∂S/∂target from tensor ops: the fallback of devices without the fused kernels.</summary>
    private static Tensor Composite(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex ix, Operand target, Tensor? g, Tensor? w, Tensor? y, Tensor? h) => target switch
    {
        Operand.Out => CompositeOut(tp, ix, w!, y!, h!),
        Operand.Weights => CompositeWeights(tp, ix, g!, y!, h!),
        Operand.Sh => CompositeSh(tp, ix, g!, w!, h!),
        _ => CompositeNodes(tp, ix, g!, w!, y!),
    };

    /// <summary>[d₁, d₂·d₃] coupling matrix of a path (scaled), as a tensor like <paramref name="like"/>.</summary>
    private static Tensor Coupling(ChannelwiseTensorProduct.PathPlan p, Tensor like)
    {
        int d1 = p.ShWidth;
        var m = new double[d1 * p.InDegree * p.OutDegree];
        for (int q = 0; q < p.PairM2.Length; q++)
            for (int t = p.PairStart[q]; t < p.PairStart[q + 1]; t++)
                m[(p.EntryM1[t] * p.InDegree + p.PairM2[q]) * p.OutDegree + p.PairM3[q]] = p.EntryCoef[t];
        return Tensor.FromDoubles(m, [d1, p.InDegree * p.OutDegree], like.DType, like.Device);
    }

    /// <summary>Σ_{m₁} C[m₁, m₂, m₃] Y_e[m₁] per edge: [E, d₂, d₃].</summary>
    private static Tensor CoupledSh(ChannelwiseTensorProduct.PathPlan p, Tensor y) =>
        y.Narrow(1, p.ShOffset, p.ShWidth).MatMul(Coupling(p, y)).Reshape(y.Shape[0], p.InDegree, p.OutDegree);

    private static Tensor Block(Tensor x, int offset, int degree, int mul) => x.Narrow(1, offset, degree * mul).Reshape(x.Shape[0], degree, mul);

    /// <summary>The output of the convolution from tensor ops (differentiable by their rules).</summary>
    internal static Tensor CompositeOut(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex ix, Tensor w, Tensor y, Tensor h)
    {
        int e = ix.NumEdges;
        var hj = MessagePassing.GatherRows(h, ix, EdgeEnd.Sender);
        var parts = new Tensor[tp.Plans.Length];
        for (int k = 0; k < parts.Length; k++)
        {
            var p = tp.Plans[k];
            // t[e, m₃, c] = Σ_{m₂} (C·Y)[e, m₂, m₃] h[e, m₂, c], times w[e, c]
            var t = CoupledSh(p, y).Transpose(1, 2).MatMul(Block(hj, p.InOffset, p.InDegree, p.Mul));
            var msg = t.Mul(w.Narrow(1, p.WOffset, p.Mul).Unsqueeze(1)).Reshape(e, p.OutDegree * p.Mul);
            parts[k] = MessagePassing.SegmentSum(msg, ix);
        }
        return parts.Length == 1 ? parts[0] : Tensor.Concat(parts, 1);
    }

    private static Tensor CompositeWeights(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex ix, Tensor g, Tensor y, Tensor h)
    {
        var hj = MessagePassing.GatherRows(h, ix, EdgeEnd.Sender);
        var gi = MessagePassing.GatherRows(g, ix, EdgeEnd.Receiver);
        var parts = new Tensor[tp.Plans.Length];
        for (int k = 0; k < parts.Length; k++)
        {
            var p = tp.Plans[k];
            var t = CoupledSh(p, y).Transpose(1, 2).MatMul(Block(hj, p.InOffset, p.InDegree, p.Mul));
            parts[k] = t.Mul(Block(gi, p.OutOffset, p.OutDegree, p.Mul)).Sum(1);
        }
        return parts.Length == 1 ? parts[0] : Tensor.Concat(parts, 1);
    }

    private static Tensor CompositeSh(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex ix, Tensor g, Tensor w, Tensor h)
    {
        int e = ix.NumEdges;
        var hj = MessagePassing.GatherRows(h, ix, EdgeEnd.Sender);
        var gi = MessagePassing.GatherRows(g, ix, EdgeEnd.Receiver);
        var perDegree = new Tensor?[tp.ShLmax + 1];
        foreach (var p in tp.Plans)
        {
            // q[e, m₂, m₃] = Σ_c h[e, m₂, c] w[e, c] g[e, m₃, c];  dY[e, m₁] = Σ C[m₁, m₂, m₃] q[e, m₂, m₃]
            var wg = Block(gi, p.OutOffset, p.OutDegree, p.Mul).Mul(w.Narrow(1, p.WOffset, p.Mul).Unsqueeze(1));
            var q = Block(hj, p.InOffset, p.InDegree, p.Mul).MatMul(wg.Transpose(1, 2)).Reshape(e, p.InDegree * p.OutDegree);
            var dy = q.MatMul(Coupling(p, w).T);
            int l1 = (p.ShWidth - 1) / 2;
            perDegree[l1] = perDegree[l1] is { } acc ? acc.Add(dy) : dy;
        }
        var parts = new Tensor[perDegree.Length];
        for (int l = 0; l < parts.Length; l++) parts[l] = perDegree[l] ?? Tensor.Zeros([e, 2 * l + 1], w.DType, w.Device);
        return parts.Length == 1 ? parts[0] : Tensor.Concat(parts, 1);
    }

    private static Tensor CompositeNodes(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex ix, Tensor g, Tensor w, Tensor y)
    {
        int n = ix.NumNodes;
        var gi = MessagePassing.GatherRows(g, ix, EdgeEnd.Receiver);
        var perBlock = new Tensor?[tp.Input.Count];
        for (int k = 0; k < tp.Plans.Length; k++)
        {
            var p = tp.Plans[k];
            // dh_e[m₂, c] = Σ_{m₃} (C·Y)[e, m₂, m₃] w[e, c] g[e, m₃, c], summed over the edges sent
            var wg = Block(gi, p.OutOffset, p.OutDegree, p.Mul).Mul(w.Narrow(1, p.WOffset, p.Mul).Unsqueeze(1));
            var de = CoupledSh(p, y).MatMul(wg).Reshape(ix.NumEdges, p.InDegree * p.Mul);
            int b = tp.Paths[k].InputBlock;
            perBlock[b] = perBlock[b] is { } acc ? acc.Add(de) : de;
        }
        var parts = new Tensor[perBlock.Length];
        for (int b = 0; b < parts.Length; b++)
            parts[b] = perBlock[b] is { } de ? MessagePassing.SegmentSum(de, ix, EdgeEnd.Sender) : Tensor.Zeros([n, tp.Input[b].Dim], g.DType, g.Device);
        return parts.Length == 1 ? parts[0] : Tensor.Concat(parts, 1);
    }
}
