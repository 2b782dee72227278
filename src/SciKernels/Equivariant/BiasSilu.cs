using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SciKernels.Backends;
using SciKernels.Cpu;
using SciKernels.NN;

namespace SciKernels.Equivariant;

/// <summary>
/// y = SiLU(z + b) = u·σ(u) with u = z + b, as one fused pass — the hidden layers of the EGNN MLPs
/// (a GEMM, then this). Composed it is a broadcast add, a sigmoid and a product forward and five
/// passes backward; fused, one pass each way. Differentiable to any order:
/// <code>
/// ∂y/∂u = s′(u) = σ(1 + u(1 − σ))          (SiluGrad: one fused pass r = g·s′(u))
/// s″(u) = σ(1 − σ)(2 + u(1 − 2σ))          (the backward of SiluGrad, as tensor ops)
/// </code>
/// </summary>
/// <remarks>
/// Host memory runs the CPU kernels (row chunks, SIMD through TensorPrimitives, one task per chunk,
/// deterministic); any other backend the composite form. A SiLU in Functions/ would serve every
/// layer; until then this lives with its only user.
/// </remarks>
internal static unsafe class BiasSilu
{
    /// <summary>SiLU(z + b) over rows of z [R, C] with b [C] (or null).</summary>
    public static Tensor Apply(Tensor z, Tensor? b)
    {
        if (!Fusable(z, b))
        {
            var u = b is null ? z : z.Add(b);
            return u.Mul(u.Sigmoid());
        }
        var zc = z.Contiguous();
        var bc = b?.Contiguous();
        var y = Tensor.Empty(z.Shape.ToArray(), z.DType, z.Device);
        Run(zc, bc, null, y);
        return Record(y, z, b, zc, bc);
    }

    /// <summary>Records y = SiLU(u), computed elsewhere (the fused GEMM epilogue), with the rules of <see cref="Apply"/>.</summary>
    /// <param name="y">SiLU(u), already computed.</param>
    /// <param name="u">The dense pre-activation the rules differentiate through.</param>
    public static Tensor RecordSilu(Tensor y, Tensor u) => Record(y, u, null, u, null);

    /// <summary>Records y = SiLU(z + b), computed elsewhere (<see cref="EdgeLinearSilu"/>), with the rules of <see cref="Apply"/>.</summary>
    /// <param name="y">SiLU(z + b), already computed.</param>
    /// <param name="z">The dense pre-bias activation.</param>
    /// <param name="b">The bias [C] or null.</param>
    public static Tensor RecordBiasSilu(Tensor y, Tensor z, Tensor? b) => Record(y, z, b, z, b?.Contiguous());

    private static Tensor Record(Tensor y, Tensor z, Tensor? b, Tensor zc, Tensor? bc)
    {
        const string op = "BiasSilu";
        var inputs = b is null ? new[] { z } : new[] { z, b };
        return Tensor.Record(y, op, inputs, g =>
        {
            var gz = Grad(g, zc, bc);
            return b is null ? new[] { gz } : new[] { gz, b.RequiresGrad ? gz.Sum(0) : null };
        }, t => Tangent(t, b is not null, z.Shape.ToArray()) is { } tu ? Grad(tu, zc, bc) : null);
    }

    /// <summary>r = g·s′(z + b), recorded as differentiable in g, z and b.</summary>
    private static Tensor Grad(Tensor g, Tensor z, Tensor? b)
    {
        const string op = "BiasSiluBackward";
        Tensor r;
        if (Fusable(z, b) && HostMemory.Holds(g) && g.DType == z.DType && g.Shape.SequenceEqual(z.Shape))
        {
            r = Tensor.Empty(z.Shape.ToArray(), z.DType, z.Device);
            Run(z, b, g.Contiguous(), r);
        }
        else
        {
            r = g.Mul(D1(b is null ? z : z.Add(b)));
        }
        var inputs = b is null ? new[] { g, z } : new[] { g, z, b };
        return Tensor.Record(r, op, inputs, gr =>
        {
            // ∂r/∂g = s′(u); ∂r/∂u = g·s″(u)
            var gg = g.RequiresGrad ? Grad(gr, z, b) : null;
            Tensor? gu = null;
            if (z.RequiresGrad || (b?.RequiresGrad ?? false)) gu = gr.Mul(g).Mul(D2(b is null ? z : z.Add(b)));
            return b is null ? new[] { gg, gu } : new[] { gg, gu, b.RequiresGrad ? gu!.Sum(0) : null };
        }, t =>
        {
            Tensor? acc = t[0] is { } tg ? Grad(tg, z, b) : null;
            var tu = Tangent(t[1..], b is not null, z.Shape.ToArray());
            if (tu is not null)
            {
                var term = g.Mul(D2(b is null ? z : z.Add(b))).Mul(tu);
                acc = acc is null ? term : acc.Add(term);
            }
            return acc;
        });
    }

    /// <summary>The tangent of u = z + b from those of z (t[0]) and b (t[1], broadcast over rows).</summary>
    private static Tensor? Tangent(Tensor?[] t, bool hasBias, int[] shape)
    {
        var tz = t[0];
        var tb = hasBias ? t[1] : null;
        if (tb is null) return tz;
        var wide = tb.Unsqueeze(0).Expand(shape);
        return tz is null ? wide : tz.Add(tb);
    }

    /// <summary>s′(u) = σ(1 + u(1 − σ)) as tensor ops.</summary>
    private static Tensor D1(Tensor u)
    {
        var s = u.Sigmoid();
        return s.Mul(u.Mul(s.Neg().Add(1)).Add(1));
    }

    /// <summary>s″(u) = σ(1 − σ)(2 + u(1 − 2σ)) as tensor ops.</summary>
    private static Tensor D2(Tensor u)
    {
        var s = u.Sigmoid();
        return s.Mul(s.Neg().Add(1)).Mul(u.Mul(s.Mul(-2).Add(1)).Add(2));
    }

    private static bool Fusable(Tensor z, Tensor? b) =>
        HostMemory.IsDenseFloat(z) && z.Rank == 2 && z.DType is DType.Float32 or DType.Float64 &&
        (b is null || (HostMemory.Holds(b) && b.DType == z.DType && b.Rank == 1 && b.Shape[0] == z.Shape[1]));

    /// <summary>Forward (g null): y = s(z + b); backward: y = g·s′(z + b).</summary>
    private static void Run(Tensor z, Tensor? b, Tensor? g, Tensor y)
    {
        if (y.NumElements == 0) return;
        int rows = z.Shape[0], cols = z.Shape[1];
        if (z.DType == DType.Float32)
            Kernel(HostMemory.Ptr<float>(z), b is null ? null : HostMemory.Ptr<float>(b), g is null ? null : HostMemory.Ptr<float>(g), HostMemory.Ptr<float>(y), rows, cols);
        else
            Kernel(HostMemory.Ptr<double>(z), b is null ? null : HostMemory.Ptr<double>(b), g is null ? null : HostMemory.Ptr<double>(g), HostMemory.Ptr<double>(y), rows, cols);
        GC.KeepAlive(z);
        GC.KeepAlive(b);
        GC.KeepAlive(g);
        GC.KeepAlive(y);
    }

    private const int Chunk = 2048; // elements per inner block: the temporaries stay in L1

    private static long Grain(int cols) => Math.Max(1, CpuParallel.ElementGrain / 4 / Math.Max(1, cols));

    private static void Kernel(float* z, float* b, float* g, float* y, int rows, int cols)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            Kernel<float>(z, b, g, y, rows, cols);
            return;
        }
        CpuParallel.For(rows, Grain(cols), (r0, rn) =>
        {
            // locals, not the closure's fields: stores through y could alias them and force reloads
            float* zl = z, bl = b, gl = g, yl = y;
            for (long r = r0; r < r0 + rn; r++)
            {
                long o = r * cols;
                int c = 0;
                for (; c + 16 <= cols; c += 16)
                {
                    var u = Vector512.Load(zl + o + c);
                    if (bl is not null) u += Vector512.Load(bl + c);
                    var s = SiluMath.Sigmoid(u);
                    var v = gl is null ? u * s : Vector512.Load(gl + o + c) * s * (Vector512<float>.One + u - u * s);
                    v.Store(yl + o + c);
                }
                for (; c < cols; c++)
                {
                    float u = z[o + c] + (b is null ? 0f : b[c]);
                    if (g is null)
                    {
                        y[o + c] = SiluMath.Silu(u);
                        continue;
                    }
                    float s = 1f / (1f + MathF.Exp(-u));
                    y[o + c] = g[o + c] * s * (1f + u - u * s);
                }
            }
        });
    }

    private static void Kernel(double* z, double* b, double* g, double* y, int rows, int cols) => Kernel<double>(z, b, g, y, rows, cols);

    private static void Kernel<T>(T* z, T* b, T* g, T* y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(rows, Grain(cols), (r0, rn) =>
        {
            int block = Math.Max(1, Chunk / cols);
            Span<T> u = stackalloc T[block * cols];
            Span<T> s = stackalloc T[block * cols];
            for (long r = r0; r < r0 + rn; r += block)
            {
                int nr = (int)Math.Min(block, r0 + rn - r);
                int len = nr * cols;
                var us = u[..len];
                var ss = s[..len];
                var zs = new ReadOnlySpan<T>(z + r * cols, len);
                if (b is null) zs.CopyTo(us);
                else
                    for (int i = 0; i < nr; i++)
                        TensorPrimitives.Add(zs.Slice(i * cols, cols), new ReadOnlySpan<T>(b, cols), us.Slice(i * cols, cols));
                TensorPrimitives.Sigmoid<T>(us, ss);
                var ys = new Span<T>(y + r * cols, len);
                if (g is null)
                {
                    TensorPrimitives.Multiply<T>(us, ss, ys);
                    continue;
                }
                // g·σ·(1 + u − u·σ), in L1-resident passes
                TensorPrimitives.Multiply<T>(us, ss, ys);
                TensorPrimitives.Subtract<T>(us, ys, ys);
                TensorPrimitives.Add<T>(ys, T.One, ys);
                TensorPrimitives.Multiply<T>(ys, ss, ys);
                TensorPrimitives.Multiply<T>(ys, new ReadOnlySpan<T>(g + r * cols, len), ys);
            }
        });
    }
}
