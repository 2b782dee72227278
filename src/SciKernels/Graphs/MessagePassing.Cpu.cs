using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;
using SciKernels.Backends;
using SciKernels.Cpu;

namespace SciKernels.Graphs;

/// <summary>
/// The CPU kernels of the message-passing primitives — their specification. Row-parallel over CSR
/// segments with fixed grains (each output row is written by one task, in CSR order), SIMD across
/// features through TensorPrimitives, no allocation besides the outputs. Operands are contiguous and
/// viewed as [rows, C]; integer operands are int64.
/// </summary>
internal static unsafe class CpuMessagePassing
{
    /// <summary>Rows per task so a task touches about <see cref="CpuParallel.ElementGrain"/> elements.</summary>
    private static long Grain(long rowsWork, long rows, long cols) =>
        Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, cols * Math.Max(1, rowsWork / Math.Max(1, rows))));

    private static int Cols(Tensor t) => t.Rank < 2 || t.Shape[0] == 0 ? 1 : checked((int)(t.NumElements / t.Shape[0]));

    private const int Ahead = 8;

    public static void SegmentSum(Tensor x, Tensor offsets, Tensor? perm, Tensor y)
    {
        if (y.NumElements == 0) return;
        if (y.DType == DType.Float32) SegmentSumT(HostMemory.Ptr<float>(x), HostMemory.Ptr<long>(offsets), perm is null ? null : HostMemory.Ptr<long>(perm), HostMemory.Ptr<float>(y), y.Shape[0], Cols(y), x.Shape[0]);
        else SegmentSumT(HostMemory.Ptr<double>(x), HostMemory.Ptr<long>(offsets), perm is null ? null : HostMemory.Ptr<long>(perm), HostMemory.Ptr<double>(y), y.Shape[0], Cols(y), x.Shape[0]);
        GC.KeepAlive(x);
        GC.KeepAlive(offsets);
        GC.KeepAlive(perm);
        GC.KeepAlive(y);
    }

    private static void SegmentSumT<T>(T* x, long* off, long* perm, T* y, int rows, int cols, long edges) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(rows, Grain(edges, rows, cols), (r0, rn) =>
        {
            for (long r = r0; r < r0 + rn; r++)
            {
                var acc = new Span<T>(y + r * cols, cols);
                acc.Clear();
                long end = off[r + 1];
                for (long k = off[r]; k < end; k++)
                {
                    long src = perm is null ? k : perm[k];
                    // rows reached through the sender permutation are scattered: fetch a few ahead
                    if (perm is not null && k + Ahead < edges && Sse.IsSupported) Sse.Prefetch0(x + perm[k + Ahead] * cols);
                    TensorPrimitives.Add(acc, new ReadOnlySpan<T>(x + src * cols, cols), acc);
                }
            }
        });
    }

    public static void SegmentMax(Tensor x, Tensor offsets, Tensor y, Tensor argmax)
    {
        if (y.NumElements == 0) return;
        if (y.DType == DType.Float32) SegmentMaxT(HostMemory.Ptr<float>(x), HostMemory.Ptr<long>(offsets), HostMemory.Ptr<float>(y), HostMemory.Ptr<long>(argmax), y.Shape[0], Cols(y), x.Shape[0]);
        else SegmentMaxT(HostMemory.Ptr<double>(x), HostMemory.Ptr<long>(offsets), HostMemory.Ptr<double>(y), HostMemory.Ptr<long>(argmax), y.Shape[0], Cols(y), x.Shape[0]);
        GC.KeepAlive(x);
        GC.KeepAlive(offsets);
        GC.KeepAlive(y);
        GC.KeepAlive(argmax);
    }

    private static void SegmentMaxT<T>(T* x, long* off, T* y, long* arg, int rows, int cols, long edges) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(rows, Grain(edges, rows, cols), (r0, rn) =>
        {
            for (long r = r0; r < r0 + rn; r++)
            {
                T* yr = y + r * cols;
                long* ar = arg + r * cols;
                long start = off[r], end = off[r + 1];
                if (start == end)
                {
                    new Span<T>(yr, cols).Clear();
                    new Span<long>(ar, cols).Fill(-1);
                    continue;
                }
                new ReadOnlySpan<T>(x + start * cols, cols).CopyTo(new Span<T>(yr, cols));
                new Span<long>(ar, cols).Fill(start);
                // strictly greater keeps the first of equal values; a NaN, once taken, stays (amax propagates NaN)
                for (long k = start + 1; k < end; k++)
                {
                    T* xr = x + k * cols;
                    for (int c = 0; c < cols; c++)
                    {
                        T v = xr[c], best = yr[c];
                        if (!T.IsNaN(best) && (T.IsNaN(v) || v > best))
                        {
                            yr[c] = v;
                            ar[c] = k;
                        }
                    }
                }
            }
        });
    }

    public static void ScatterArgMax(Tensor g, Tensor argmax, Tensor receivers, Tensor y)
    {
        if (y.NumElements == 0) return;
        if (y.DType == DType.Float32) ScatterArgMaxT(HostMemory.Ptr<float>(g), HostMemory.Ptr<long>(argmax), HostMemory.Ptr<long>(receivers), HostMemory.Ptr<float>(y), y.Shape[0], Cols(y));
        else ScatterArgMaxT(HostMemory.Ptr<double>(g), HostMemory.Ptr<long>(argmax), HostMemory.Ptr<long>(receivers), HostMemory.Ptr<double>(y), y.Shape[0], Cols(y));
        GC.KeepAlive(g);
        GC.KeepAlive(argmax);
        GC.KeepAlive(receivers);
        GC.KeepAlive(y);
    }

    private static void ScatterArgMaxT<T>(T* g, long* arg, long* recv, T* y, int edges, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(edges, Grain(edges, edges, cols), (k0, kn) =>
        {
            for (long k = k0; k < k0 + kn; k++)
            {
                long src = recv[k] * cols;
                T* yr = y + k * cols;
                for (int c = 0; c < cols; c++) yr[c] = arg[src + c] == k ? g[src + c] : T.Zero;
            }
        });
    }

    public static void GatherArgMax(Tensor u, Tensor argmax, Tensor y)
    {
        if (y.NumElements == 0) return;
        if (y.DType == DType.Float32) GatherArgMaxT(HostMemory.Ptr<float>(u), HostMemory.Ptr<long>(argmax), HostMemory.Ptr<float>(y), y.Shape[0], Cols(y));
        else GatherArgMaxT(HostMemory.Ptr<double>(u), HostMemory.Ptr<long>(argmax), HostMemory.Ptr<double>(y), y.Shape[0], Cols(y));
        GC.KeepAlive(u);
        GC.KeepAlive(argmax);
        GC.KeepAlive(y);
    }

    private static void GatherArgMaxT<T>(T* u, long* arg, T* y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(rows, Grain(rows, rows, cols), (r0, rn) =>
        {
            for (long i = r0 * cols; i < (r0 + rn) * cols; i++)
            {
                long a = arg[i];
                y[i] = a >= 0 ? u[a * cols + i % cols] : T.Zero;
            }
        });
    }

    public static void EdgeCombine(Tensor a, Tensor b, Tensor? e, Tensor? bias, Tensor receivers, Tensor senders, Tensor y)
    {
        if (y.NumElements == 0) return;
        if (y.DType == DType.Float32)
            EdgeCombineT(HostMemory.Ptr<float>(a), HostMemory.Ptr<float>(b), e is null ? null : HostMemory.Ptr<float>(e), bias is null ? null : HostMemory.Ptr<float>(bias),
                HostMemory.Ptr<long>(receivers), HostMemory.Ptr<long>(senders), HostMemory.Ptr<float>(y), y.Shape[0], Cols(y));
        else
            EdgeCombineT(HostMemory.Ptr<double>(a), HostMemory.Ptr<double>(b), e is null ? null : HostMemory.Ptr<double>(e), bias is null ? null : HostMemory.Ptr<double>(bias),
                HostMemory.Ptr<long>(receivers), HostMemory.Ptr<long>(senders), HostMemory.Ptr<double>(y), y.Shape[0], Cols(y));
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        GC.KeepAlive(e);
        GC.KeepAlive(bias);
        GC.KeepAlive(receivers);
        GC.KeepAlive(senders);
        GC.KeepAlive(y);
    }

    private static void EdgeCombineT<T>(T* a, T* b, T* e, T* bias, long* recv, long* send, T* y, int edges, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuParallel.For(edges, Grain(edges, edges, cols), (k0, kn) =>
        {
            var biasRow = bias is null ? default : new ReadOnlySpan<T>(bias, cols);
            for (long k = k0; k < k0 + kn; k++)
            {
                var yr = new Span<T>(y + k * cols, cols);
                // ((a + b) + e) + bias, the order of the device kernel: same bits everywhere
                TensorPrimitives.Add(new ReadOnlySpan<T>(a + recv[k] * cols, cols), new ReadOnlySpan<T>(b + send[k] * cols, cols), yr);
                if (e is not null) TensorPrimitives.Add(yr, new ReadOnlySpan<T>(e + k * cols, cols), yr);
                if (bias is not null) TensorPrimitives.Add(yr, biasRow, yr);
            }
        });
    }
}
