using SciKernels.Autograd;
using SciKernels.Backends;
using SciKernels.Cpu;

namespace SciKernels.Equivariant;

/// <summary>
/// y = x·Wᵀ + b, optionally followed by SiLU, as one GEMM whose epilogue adds the bias and applies
/// the SiLU to each cache block while it is hot — the Linear (+ SiLU) pairs of the EGNN MLPs. The
/// unfused form is a GEMM, a broadcast add and a SiLU pass, each a separate trip through memory
/// and a separate thread dispatch; on 2 000-edge batches the dispatches alone were a large share.
/// </summary>
/// <remarks>
/// <para>Recorded as two nodes, exactly as the composite: the affine map u = x·Wᵀ + b (backward
/// g·W, gᵀ·x, Σ g; tangent ẋ·Wᵀ + x·Ẇᵀ + ḃ) and y = SiLU(u) with <see cref="BiasSilu"/>'s rules, so
/// every order of derivative is the composite's. When nothing is tracked (inference), the SiLU is
/// written over u in place. Values are bit-identical to the composite on the CPU.</para>
/// <para>Host memory runs the fused GEMM; any other backend, dtype or rank takes the composite.</para>
/// </remarks>
internal static unsafe class FusedLinear
{
    /// <summary>x [R, in] · Wᵀ ([out, in]) + b ([out] or null), then SiLU when <paramref name="silu"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias, bool silu)
    {
        if (!Fusable(x, weight, bias))
            return silu ? BiasSilu.Apply(x.MatMul(weight.T), bias) : Tensor.Linear(x, weight, bias);
        int rows = x.Shape[0], inF = x.Shape[1], outF = weight.Shape[0];
        bool tracked = ForwardMode.Visible != 0 ||
            (GradMode.IsEnabled && (x.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false)));
        var u = Tensor.Empty([rows, outF], x.DType, x.Device);
        // Untracked: the SiLU overwrites u (nothing needs the pre-activation).
        var y = !silu ? null : tracked ? Tensor.Empty([rows, outF], x.DType, x.Device) : u;
        long xs0 = x.Strides[0], xs1 = x.Strides[1], ws0 = weight.Strides[0], ws1 = weight.Strides[1];
        // B = Wᵀ: B(p, j) = W[j, p].
        if (x.DType == DType.Float32)
            Gemm.GemmBiasSilu(rows, outF, inF, HostMemory.Ptr<float>(x), xs0, xs1, HostMemory.Ptr<float>(weight), ws1, ws0,
                HostMemory.Ptr<float>(u), outF, bias is null ? null : HostMemory.Ptr<float>(bias), y is null ? null : HostMemory.Ptr<float>(y));
        else
            Gemm.GemmBiasSilu(rows, outF, inF, HostMemory.Ptr<double>(x), xs0, xs1, HostMemory.Ptr<double>(weight), ws1, ws0,
                HostMemory.Ptr<double>(u), outF, bias is null ? null : HostMemory.Ptr<double>(bias), y is null ? null : HostMemory.Ptr<double>(y));
        GC.KeepAlive(x);
        GC.KeepAlive(weight);
        GC.KeepAlive(bias);
        if (!tracked)
        {
            // Nothing to record; the anomaly check still applies.
            return Tensor.Record(u, silu ? "LinearSilu" : "Linear", [], _ => []);
        }
        var affine = RecordAffine(u, x, weight, bias);
        return silu ? BiasSilu.RecordSilu(y!, affine) : affine;
    }

    /// <summary>Records u = x·Wᵀ + b with rules written in differentiable ops.</summary>
    private static Tensor RecordAffine(Tensor u, Tensor x, Tensor weight, Tensor? bias)
    {
        var inputs = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return Tensor.Record(u, "Linear", inputs, g =>
        {
            var gx = x.RequiresGrad ? g.MatMul(weight) : null;
            var gw = weight.RequiresGrad ? g.T.MatMul(x) : null;
            return bias is null ? [gx, gw] : [gx, gw, bias.RequiresGrad ? g.Sum(0) : null];
        }, t =>
        {
            Tensor? acc = t[0] is { } tx ? tx.MatMul(weight.T) : null;
            if (t[1] is { } tw) acc = acc is null ? x.MatMul(tw.T) : acc.Add(x.MatMul(tw.T));
            if (bias is not null && t[2] is { } tb) acc = acc is null ? tb.Unsqueeze(0).Expand(u.Shape.ToArray()) : acc.Add(tb);
            return acc;
        }, Saved.Inputs);
    }

    private static bool Fusable(Tensor x, Tensor weight, Tensor? bias) =>
        x is not null && weight is not null && HostMemory.Holds(x) && HostMemory.Holds(weight) &&
        x.DType is DType.Float32 or DType.Float64 && weight.DType == x.DType &&
        x.Rank == 2 && weight.Rank == 2 && weight.Shape[1] == x.Shape[1] &&
        (bias is null || (HostMemory.Holds(bias) && bias.DType == x.DType && bias.Rank == 1 && bias.Shape[0] == weight.Shape[0] && bias.Strides[0] == 1));
}
