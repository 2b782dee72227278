using SciKernels.Autograd;
using SciKernels.Backends;
using SciKernels.NN;

namespace SciKernels.Pinn;

/// <summary>
/// The fused element-wise Taylor rule of an activation σ applied to stacked streams
/// [z; z_i …; z_ij …] (each block [N, w]), with the layer bias added to the value block:
/// <code>
/// a    = σ(z + b)
/// a_i  = σ'(z + b) · z_i
/// a_ij = σ''(z + b) · z_i · z_j + σ'(z + b) · z_ij
/// </code>
/// A differentiable primitive: the gradient rule is one fused CPU pass when the backward pass is not
/// recorded, and the same formulas in tensor operations when it is (createGraph), so derivatives of
/// any order with respect to the weights remain available.
/// </summary>
/// <remarks>
/// Backward, with g the incoming stream gradients and σₖ = σ⁽ᵏ⁾(z + b):
/// <code>
/// ∂z    = g·σ₁ + Σᵢ g_i·σ₂·z_i + Σ₍ᵢⱼ₎ g_ij·(σ₃·z_i·z_j + σ₂·z_ij)
/// ∂z_i  = g_i·σ₁ + Σ₍ᵢⱼ₎ g_ij·σ₂·z_j + Σ₍ⱼᵢ₎ g_ji·σ₂·z_j
/// ∂z_ij = g_ij·σ₁
/// ∂b    = Σ_rows ∂z
/// </code>
/// </remarks>
internal static class TaylorActivation
{
    /// <summary>Applies the rule to the stacked pre-activations <paramref name="z"/> ([streams·N, w]).</summary>
    /// <param name="z">Stacked pre-activations without bias.</param>
    /// <param name="bias">Bias [w] added to the value block, or null.</param>
    /// <param name="act">The activation.</param>
    /// <param name="request">Stream layout.</param>
    /// <param name="points">N, rows per block.</param>
    /// <param name="fused">Use the fused CPU kernels (when the tensors are on the CPU); false forces the composite form.</param>
    public static Tensor Apply(Tensor z, Tensor? bias, TaylorAct act, TaylorRequest request, int points, bool fused = true)
    {
        int w = z.Size(1);
        if (z.Rank != 2 || z.Size(0) != request.StreamCount * points)
            throw new TensorException("TaylorActivation", $"expected stacked [{request.StreamCount}·{points}, w] pre-activations, got {Tensor.ShapeString(z.Shape)}");
        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != w))
            throw new TensorException("TaylorActivation", $"bias of shape {Tensor.ShapeString(bias.Shape)} does not match width {w}");
        bool cpu = HostMemory.Holds(z) && HostMemory.HoldsOrNull(bias);
        if (!fused || !cpu) return Composite(z, bias, act, request, points);

        var zc = z.Contiguous().Detach();
        var bc = bias?.Contiguous().Detach();
        var y = Tensor.Empty(z.Shape, z.DType, z.Device);
        TaylorKernels.Forward(act, zc, bc, y, request, points);
        var inputs = bias is null ? new[] { z } : new[] { z, bias };
        return Tensor.Record(y, "TaylorActivation", inputs, g =>
        {
            if (GradMode.IsEnabled)
            {
                // createGraph: the same rule in tensor operations, itself differentiable.
                var (gz, gb) = CompositeBackward(z, bias, g, act, request, points);
                return bias is null ? new Tensor?[] { gz } : new Tensor?[] { gz, bias.RequiresGrad ? gb : null };
            }
            var gc = g.Contiguous();
            var gzRaw = Tensor.Empty(z.Shape, z.DType, z.Device);
            var gbRaw = bias is null ? null : Tensor.Empty(bias.Shape, bias.DType, bias.Device);
            TaylorKernels.Backward(act, zc, bc, y, gc, gzRaw, gbRaw, request, points);
            if (!ReferenceEquals(gc, g)) gc.Dispose();
            return bias is null ? new Tensor?[] { gzRaw } : new Tensor?[] { gzRaw, gbRaw };
        });
    }

    /// <summary>The forward rule in tensor operations (any device; autodiff derives its gradient).</summary>
    public static Tensor Composite(Tensor z, Tensor? bias, TaylorAct act, TaylorRequest request, int points)
    {
        var blocks = Blocks(z, request, points);
        var z0 = bias is null ? blocks[0] : blocks[0].Add(bias);
        var (d0, d1, d2, _) = Derivatives(z0, act, third: false);
        var outs = new Tensor[blocks.Length];
        outs[0] = d0;
        int nf = request.FirstOrder.Count;
        for (int f = 0; f < nf; f++) outs[1 + f] = d1.Mul(blocks[1 + f]);
        var ps = request.PairStreams;
        for (int p = 0; p < ps.Length; p++)
        {
            var zi = blocks[1 + ps[p].A];
            var zj = blocks[1 + ps[p].B];
            outs[1 + nf + p] = d2.Mul(zi).Mul(zj).Add(d1.Mul(blocks[1 + nf + p]));
        }
        return outs.Length == 1 ? outs[0] : Tensor.Concat(outs, 0);
    }

    /// <summary>The gradient rule in tensor operations: (∂z stacked, ∂b).</summary>
    public static (Tensor Gz, Tensor Gb) CompositeBackward(Tensor z, Tensor? bias, Tensor g, TaylorAct act, TaylorRequest request, int points)
    {
        var zs = Blocks(z, request, points);
        var gs = Blocks(g, request, points);
        var z0 = bias is null ? zs[0] : zs[0].Add(bias);
        var (_, d1, d2, d3) = Derivatives(z0, act, third: true);
        int nf = request.FirstOrder.Count;
        var ps = request.PairStreams;
        var gz = new Tensor[zs.Length];
        var g0 = gs[0].Mul(d1);
        for (int f = 0; f < nf; f++)
        {
            g0 = g0.Add(gs[1 + f].Mul(d2).Mul(zs[1 + f]));
            gz[1 + f] = gs[1 + f].Mul(d1);
        }
        for (int p = 0; p < ps.Length; p++)
        {
            var gp = gs[1 + nf + p];
            int a = 1 + ps[p].A, b = 1 + ps[p].B;
            g0 = g0.Add(gp.Mul(d3.Mul(zs[a]).Mul(zs[b]).Add(d2.Mul(zs[1 + nf + p]))));
            var gpd2 = gp.Mul(d2);
            gz[a] = gz[a].Add(gpd2.Mul(zs[b]));
            gz[b] = gz[b].Add(gpd2.Mul(zs[a]));
            gz[1 + nf + p] = gp.Mul(d1);
        }
        gz[0] = g0;
        var stacked = gz.Length == 1 ? gz[0] : Tensor.Concat(gz, 0);
        return (stacked, g0.Sum(0));
    }

    private static Tensor[] Blocks(Tensor t, TaylorRequest request, int points)
    {
        var r = new Tensor[request.StreamCount];
        for (int s = 0; s < r.Length; s++) r[s] = t.Narrow(0, s * points, points);
        return r;
    }

    /// <summary>F and its derivatives at z from the function's one definition (differentiable tensor forms).</summary>
    private static (Tensor D0, Tensor D1, Tensor D2, Tensor D3) Of<F>(Tensor z, bool third) where F : struct, Functions.IUnaryFunction
    {
        var y = z.Apply<F>();
        return (y, F.D1(z, y), F.D2(z, y), third ? F.D3(z, y) : Tensor.Zeros(ReadOnlySpan<int>.Empty, z.DType, z.Device));
    }

    /// <summary>σ, σ', σ'' and (when <paramref name="third"/>) σ''' at <paramref name="z"/>, in differentiable tensor operations.</summary>
    internal static (Tensor D0, Tensor D1, Tensor D2, Tensor D3) Derivatives(Tensor z, TaylorAct act, bool third)
    {
        Tensor Zero() => Tensor.Zeros(ReadOnlySpan<int>.Empty, z.DType, z.Device);
        switch (act.Kind)
        {
            case Activation.Identity:
                return (z, Tensor.Ones(ReadOnlySpan<int>.Empty, z.DType, z.Device), Zero(), Zero());
            case Activation.Tanh:
                return Of<Functions.Tanh>(z, third);
            case Activation.Sin:
            {
                // sin(ωz): the k-th derivative is ωᵏ·sin⁽ᵏ⁾(ωz)
                double w = act.Omega;
                var (s, c1, c2, c3) = Of<Functions.Sin>(w == 1 ? z : z.Mul(w), third);
                return (s, c1.Mul(w), c2.Mul(w * w), third ? c3.Mul(w * w * w) : Zero());
            }
            case Activation.Sigmoid:
                return Of<Functions.Sigmoid>(z, third);
            case Activation.Softplus:
                return Of<Functions.Softplus>(z, third);
            case Activation.Silu:
            {
                // silu = z·s: silu' = s + z·s', silu'' = 2s' + z·s'', silu''' = 3s'' + z·s'''
                var (s, s1, s2, s3) = Of<Functions.Sigmoid>(z, third);
                return (z.Mul(s), s.Add(z.Mul(s1)), s1.Mul(2).Add(z.Mul(s2)), third ? s2.Mul(3).Add(z.Mul(s3)) : Zero());
            }
            case Activation.Gelu:
                return Of<Functions.Gelu>(z, third);
            default:
                throw new NotSupportedException($"TaylorMlp: activation {act.Kind} has no Taylor rule (supported: Identity, Tanh, Sin, Sigmoid, Softplus, Silu, Gelu)");
        }
    }
}

/// <summary>An activation with its frequency (ω for sin(ωx); 1 otherwise).</summary>
internal readonly record struct TaylorAct(Activation Kind, double Omega = 1);
