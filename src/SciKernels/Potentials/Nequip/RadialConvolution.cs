using SciKernels.Autograd;
using SciKernels.Equivariant;
using SciKernels.Graphs;
using Operand = SciKernels.Equivariant.ChannelwiseTensorProduct.Operand;

namespace SciKernels.Potentials;

/// <summary>
/// out = TP-convolution(w = radial(r), Y, h) of one interaction block, evaluated in chunks of receivers
/// with the radial weights recomputed in the backward pass: no per-edge tensor of width
/// <see cref="ChannelwiseTensorProduct.WeightWidth"/> ever exists for the whole graph.
/// </summary>
/// <remarks>
/// <para>Why: the radial weights [E, W] (W = 416 for 32 channels, l ≤ 2) and the MLP's activations
/// behind them are what autograd kept for the force backward — about 2 GB per block in float32 at
/// 461 370 edges (10 976 Cu atoms), and the backward doubled it. Here the forward runs each chunk
/// (a contiguous edge range, <see cref="MessagePassing.EdgeIndex.ReceiverChunks"/>) without recording,
/// and the backward, per chunk, recomputes w, contracts the output cotangent for ∂/∂w, ∂/∂Y, ∂/∂h and
/// pulls ∂/∂w back through the radial network to r and its parameters.</para>
/// <para>Equal to the unchunked composition: each output row is one receiver's sum, computed by the same
/// kernel over the same edges in the same order (bit for bit); per-edge gradients (r, Y) are per-row
/// results; only sums over edges of different chunks (∂/∂h per sender, parameter gradients) are added
/// in another order. When the backward itself is recorded (training on forces), the recomputed chunk
/// graphs stay alive until the second backward, so the saving is for energy + forces evaluation.</para>
/// </remarks>
internal static class RadialConvolution
{
    /// <summary>The block's convolution; chunked when the graph has more than <paramref name="chunkEdges"/> edges (≤ 0: never).</summary>
    public static Tensor Convolve(RadialNetwork radial, ChannelwiseTensorProduct tp, Tensor lengths, Tensor sh, Tensor h, MessagePassing.EdgeIndex edges, int chunkEdges)
    {
        if (chunkEdges <= 0 || edges.NumEdges <= chunkEdges) return tp.Convolve(radial.Forward(lengths), sh, h, edges);
        var chunks = edges.ReceiverChunks(chunkEdges);
        var parameters = radial.Parameters().ToArray();
        Tensor result;
        using (GradMode.NoGrad())
        {
            var parts = new Tensor[chunks.Length];
            for (int k = 0; k < chunks.Length; k++)
            {
                var c = chunks[k];
                using var scope = TensorScope.Begin();
                var w = radial.Forward(lengths.Narrow(0, c.FirstEdge, c.NumEdges));
                var o = tp.Convolve(w, sh.Narrow(0, c.FirstEdge, c.NumEdges), h, c);
                parts[k] = scope.Return(o.Narrow(0, c.FirstReceiver, c.EndReceiver - c.FirstReceiver).Clone());
            }
            result = parts.Length == 1 ? parts[0] : Tensor.Concat(parts, 0);
            if (parts.Length > 1)
                foreach (var p in parts) p.Dispose();
        }
        Tensor[] inputs = [lengths, sh, h, .. parameters];
        return Tensor.Record(result, "RadialConvolution", inputs, ct => Backward(radial, tp, chunks, ct, lengths, sh, h, parameters), saved: Saved.Inputs);
    }

    private static Tensor?[] Backward(RadialNetwork radial, ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex[] chunks, Tensor ct, Tensor lengths, Tensor sh, Tensor h, Tensor[] parameters)
    {
        // The engine records gradient rules only when it creates a graph (a later second backward).
        bool create = GradMode.IsEnabled;
        int n = chunks.Length;
        var gLengths = new Tensor[n];
        var gSh = new Tensor[n];
        var gH = new Tensor[n];
        var gParams = new Tensor?[parameters.Length];
        var partsP = new List<Tensor>[parameters.Length];
        for (int i = 0; i < partsP.Length; i++) partsP[i] = [];
        for (int k = 0; k < n; k++)
        {
            var c = chunks[k];
            using var scope = create ? null : TensorScope.Begin();
            var shc = sh.Narrow(0, c.FirstEdge, c.NumEdges);
            // Recorded: the chunk's lengths stay attached to r when the backward is recorded (their second
            // derivative); otherwise a leaf, so the inner backward stops there.
            var lc = lengths.Narrow(0, c.FirstEdge, c.NumEdges);
            if (!create) lc = lc.Detach().RequiresGrad_();
            Tensor w;
            using (GradMode.EnableGrad()) w = radial.Forward(lc);
            var wOut = create ? w : w.Detach();
            var gw = TensorProductContraction.Contract(tp, c, Operand.Weights, ct, null, shc, h);
            if (sh.RequiresGrad) gSh[k] = TensorProductContraction.Contract(tp, c, Operand.Sh, ct, wOut, null, h);
            if (h.RequiresGrad) gH[k] = TensorProductContraction.Contract(tp, c, Operand.Nodes, ct, wOut, shc, null);
            var targets = new List<Tensor>();
            if (lc.RequiresGrad) targets.Add(lc);
            foreach (var p in parameters)
                if (p.RequiresGrad) targets.Add(p);
            var stop = new HashSet<Tensor>(targets, ReferenceEqualityComparer.Instance);
            var captured = Engine.Run([w], [gw], stop, retainGraph: create, createGraph: create, accumulateIntoLeaves: false, boundary: stop);
            Tensor Got(Tensor t) => captured.TryGetValue(t, out var g) ? g : Tensor.ZerosLike(t);
            if (lengths.RequiresGrad) gLengths[k] = Got(lc);
            for (int i = 0; i < parameters.Length; i++)
                if (parameters[i].RequiresGrad) partsP[i].Add(Got(parameters[i]));
            if (scope is null) continue;
            foreach (var t in gLengths[k..(k + 1)].Concat(gSh[k..(k + 1)]).Concat(gH[k..(k + 1)]))
                if (t is not null) scope.Return(t);
            for (int i = 0; i < parameters.Length; i++)
                if (parameters[i].RequiresGrad) scope.Return(partsP[i][^1]);
        }
        for (int i = 0; i < parameters.Length; i++)
            if (partsP[i].Count > 0) gParams[i] = partsP[i].Aggregate((a, b) => a.Add(b));
        var grads = new Tensor?[3 + parameters.Length];
        grads[0] = lengths.RequiresGrad ? (n == 1 ? gLengths[0] : Tensor.Concat(gLengths, 0)) : null;
        grads[1] = sh.RequiresGrad ? (n == 1 ? gSh[0] : Tensor.Concat(gSh, 0)) : null;
        grads[2] = h.RequiresGrad ? gH.Aggregate((a, b) => a.Add(b)) : null;
        gParams.CopyTo(grads, 3);
        return grads;
    }
}
