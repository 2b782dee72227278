using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SciKernels.Cpu;

/// <summary>
/// The SiLU u·σ(u) as the CPU kernels compute it: one definition shared by the fused bias + SiLU
/// pass and the GEMM epilogue, so that both give the same bits.
/// </summary>
internal static unsafe class SiluMath
{
    /// <summary>σ(u) = 1 / (1 + e^(−u)) for 16 floats, e^x by range reduction and a degree-6 polynomial (Cephes expf, ~1 ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // 64-byte vectors passed through the stack otherwise: it was a third of the kernel
    public static Vector512<float> Sigmoid(Vector512<float> u)
    {
        var x = Vector512.Min(Vector512.Max(-u, Vector512.Create(-87.0f)), Vector512.Create(88.0f));
        var n = Vector512.Round(x * Vector512.Create(1.44269504088896341f));
        var r = x - n * Vector512.Create(0.693359375f) + n * Vector512.Create(2.12194440e-4f);
        var p = Vector512.Create(1.9875691500e-4f);
        p = p * r + Vector512.Create(1.3981999507e-3f);
        p = p * r + Vector512.Create(8.3334519073e-3f);
        p = p * r + Vector512.Create(4.1665795894e-2f);
        p = p * r + Vector512.Create(1.6666665459e-1f);
        p = p * r + Vector512.Create(5.0000001201e-1f);
        var e = p * r * r + r + Vector512<float>.One;
        var scale = (Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23;
        e *= scale.AsSingle();
        return Vector512<float>.One / (Vector512<float>.One + e);
    }

    /// <summary>The scalar SiLU of the float path's tail elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Silu(float u) => u * (1f / (1f + MathF.Exp(-u)));

    /// <summary>
    /// One row of n elements starting at a column that is a multiple of 16: c ← c + bias (bias may
    /// be null), then act ← SiLU(c) when act is not null (act may equal c).
    /// </summary>
    public static void BiasSiluRow<T>(T* c, T* bias, T* act, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated)
        {
            float* cf = (float*)c, bf = (float*)bias, af = (float*)act;
            int j = 0;
            for (; j + 16 <= n; j += 16)
            {
                var u = Vector512.Load(cf + j);
                if (bf != null) u += Vector512.Load(bf + j);
                if (af == null) u.Store(cf + j);
                else
                {
                    if (af != cf) u.Store(cf + j);
                    (u * Sigmoid(u)).Store(af + j);
                }
            }
            for (; j < n; j++)
            {
                float u = cf[j] + (bf == null ? 0f : bf[j]);
                cf[j] = u;
                if (af != null) af[j] = Silu(u);
            }
            return;
        }
        // Other types and ISAs: the TensorPrimitives sequence of the fused pass (add, sigmoid, multiply).
        var row = new Span<T>(c, n);
        if (bias != null) TensorPrimitives.Add(row, new ReadOnlySpan<T>(bias, n), row);
        if (act == null) return;
        const int Block = 512;
        Span<T> s = stackalloc T[Block];
        for (int j = 0; j < n; j += Block)
        {
            int len = Math.Min(Block, n - j);
            var u = row.Slice(j, len);
            TensorPrimitives.Sigmoid<T>(u, s[..len]);
            TensorPrimitives.Multiply<T>(u, s[..len], new Span<T>(act + j, len));
        }
    }
}
