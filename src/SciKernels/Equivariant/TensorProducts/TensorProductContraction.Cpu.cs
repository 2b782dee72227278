using System.Numerics;
using SciKernels.Backends;
using SciKernels.Cpu;
using SciKernels.Graphs;
using Operand = SciKernels.Equivariant.ChannelwiseTensorProduct.Operand;

namespace SciKernels.Equivariant;

/// <summary>
/// The CPU kernels of <see cref="TensorProductContraction"/> — the specification. For each edge and
/// path the harmonics are first contracted with the sparse couplings into s[(m₂, m₃)] =
/// Σ_{m₁} C[m₁, m₂, m₃] Y[m₁] (a few scalars), then every channel-wise step is a SIMD loop over the
/// C contiguous channels of one m-major block row. Per-edge tensors of width dim × C are never formed:
/// the scratch is one block row per task. Each output row is written by one task in a fixed order
/// (receivers in CSR order, senders through the sender permutation, edges one by one), and the chunk
/// boundaries depend only on the sizes: the same bits on any thread count, no atomics.
/// </summary>
internal static unsafe class CpuTensorProduct
{
    /// <summary>Edges per task: enough work to hide handing a chunk to a thread.</summary>
    private const long EdgeGrain = 512;

    public static void Run(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex ix, Operand target, Tensor? g, Tensor? w, Tensor? y, Tensor? h, Tensor result)
    {
        if (result.NumElements == 0) return;
        if (result.DType == DType.Float32)
            RunT(tp, ix, target, P<float>(g), P<float>(w), P<float>(y), P<float>(h), HostMemory.Ptr<float>(result));
        else
            RunT(tp, ix, target, P<double>(g), P<double>(w), P<double>(y), P<double>(h), HostMemory.Ptr<double>(result));
        GC.KeepAlive(g);
        GC.KeepAlive(w);
        GC.KeepAlive(y);
        GC.KeepAlive(h);
        GC.KeepAlive(result);
    }

    private static T* P<T>(Tensor? t) where T : unmanaged => t is null ? null : HostMemory.Ptr<T>(t);

    private readonly struct Sizes(ChannelwiseTensorProduct tp)
    {
        public readonly int Out = tp.Output.Dim, W = tp.WeightWidth, Sh = tp.ShDim, In = tp.Input.Dim;
        public readonly int Scratch = tp.Plans.Max(p => Math.Max(p.InDegree, p.OutDegree) * p.Mul);
        public readonly int Pairs = tp.Plans.Max(p => p.PairM2.Length);
    }

    private static void RunT<T>(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex ix, Operand target, T* g, T* w, T* y, T* h, T* r)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plans = tp.Plans;
        var z = new Sizes(tp);
        long* recv = HostMemory.Ptr<long>(ix.Receivers), send = HostMemory.Ptr<long>(ix.Senders), rowOff = HostMemory.Ptr<long>(ix.RowOffsets);
        long* perm = HostMemory.Ptr<long>(ix.SenderPerm), sendOff = HostMemory.Ptr<long>(ix.SenderOffsets);
        int n = ix.NumNodes, e = ix.NumEdges;
        long nodeGrain = Math.Max(1, EdgeGrain * n / Math.Max(1, e));
        switch (target)
        {
            case Operand.Out:
                CpuParallel.For(n, nodeGrain, (i0, len) =>
                {
                    var scratch = new T[z.Scratch];
                    var s = new T[z.Pairs];
                    fixed (T* wh = scratch)
                        for (long i = i0; i < i0 + len; i++)
                        {
                            T* acc = r + i * z.Out;
                            new Span<T>(acc, z.Out).Clear();
                            for (long k = rowOff[i]; k < rowOff[i + 1]; k++)
                            {
                                T* hj = h + send[k] * z.In, wk = w + k * z.W, yk = y + k * z.Sh;
                                foreach (var p in plans)
                                {
                                    Couple(p, yk, s);
                                    for (int m2 = 0; m2 < p.InDegree; m2++) Mul(wh + m2 * p.Mul, wk + p.WOffset, hj + p.InOffset + m2 * p.Mul, p.Mul);
                                    T* o = acc + p.OutOffset;
                                    for (int q = 0; q < p.PairM2.Length; q++) Axpy(o + p.PairM3[q] * p.Mul, s[q], wh + p.PairM2[q] * p.Mul, p.Mul);
                                }
                            }
                        }
                });
                break;
            case Operand.Nodes:
                CpuParallel.For(n, nodeGrain, (j0, len) =>
                {
                    var scratch = new T[z.Scratch];
                    var s = new T[z.Pairs];
                    fixed (T* wg = scratch)
                        for (long j = j0; j < j0 + len; j++)
                        {
                            T* acc = r + j * z.In;
                            new Span<T>(acc, z.In).Clear();
                            for (long t = sendOff[j]; t < sendOff[j + 1]; t++)
                            {
                                long k = perm[t];
                                T* gi = g + recv[k] * z.Out, wk = w + k * z.W, yk = y + k * z.Sh;
                                foreach (var p in plans)
                                {
                                    Couple(p, yk, s);
                                    for (int m3 = 0; m3 < p.OutDegree; m3++) Mul(wg + m3 * p.Mul, wk + p.WOffset, gi + p.OutOffset + m3 * p.Mul, p.Mul);
                                    T* o = acc + p.InOffset;
                                    for (int q = 0; q < p.PairM2.Length; q++) Axpy(o + p.PairM2[q] * p.Mul, s[q], wg + p.PairM3[q] * p.Mul, p.Mul);
                                }
                            }
                        }
                });
                break;
            case Operand.Weights:
                CpuParallel.For(e, EdgeGrain, (k0, len) =>
                {
                    var scratch = new T[z.Scratch];
                    var s = new T[z.Pairs];
                    fixed (T* tmp = scratch)
                        for (long k = k0; k < k0 + len; k++)
                        {
                            T* gi = g + recv[k] * z.Out, hj = h + send[k] * z.In, yk = y + k * z.Sh, dw = r + k * z.W;
                            foreach (var p in plans)
                            {
                                Couple(p, yk, s);
                                // dw[c] = Σ_{m₂} h[m₂, c] Σ_{m₃} s[m₂, m₃] g[m₃, c]; pairs are sorted by m₂
                                T* d = dw + p.WOffset;
                                new Span<T>(d, p.Mul).Clear();
                                int q = 0;
                                while (q < p.PairM2.Length)
                                {
                                    int m2 = p.PairM2[q];
                                    new Span<T>(tmp, p.Mul).Clear();
                                    for (; q < p.PairM2.Length && p.PairM2[q] == m2; q++) Axpy(tmp, s[q], gi + p.OutOffset + p.PairM3[q] * p.Mul, p.Mul);
                                    MulAdd(d, tmp, hj + p.InOffset + m2 * p.Mul, p.Mul);
                                }
                            }
                        }
                });
                break;
            default:
                CpuParallel.For(e, EdgeGrain, (k0, len) =>
                {
                    var scratch = new T[z.Scratch];
                    fixed (T* wg = scratch)
                        for (long k = k0; k < k0 + len; k++)
                        {
                            T* gi = g + recv[k] * z.Out, hj = h + send[k] * z.In, wk = w + k * z.W, dy = r + k * z.Sh;
                            new Span<T>(dy, z.Sh).Clear();
                            foreach (var p in plans)
                            {
                                for (int m3 = 0; m3 < p.OutDegree; m3++) Mul(wg + m3 * p.Mul, wk + p.WOffset, gi + p.OutOffset + m3 * p.Mul, p.Mul);
                                T* d = dy + p.ShOffset;
                                for (int q = 0; q < p.PairM2.Length; q++)
                                {
                                    T dot = Dot(wg + p.PairM3[q] * p.Mul, hj + p.InOffset + p.PairM2[q] * p.Mul, p.Mul);
                                    for (int t = p.PairStart[q]; t < p.PairStart[q + 1]; t++) d[p.EntryM1[t]] += T.CreateTruncating(p.EntryCoef[t]) * dot;
                                }
                            }
                        }
                });
                break;
        }
    }

    /// <summary>s[q] = Σ C[m₁, m₂(q), m₃(q)] Y[m₁] over the path's sparse entries.</summary>
    private static void Couple<T>(in ChannelwiseTensorProduct.PathPlan p, T* yk, T[] s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* ys = yk + p.ShOffset;
        for (int q = 0; q < p.PairM2.Length; q++)
        {
            T sum = T.Zero;
            for (int t = p.PairStart[q]; t < p.PairStart[q + 1]; t++) sum += T.CreateTruncating(p.EntryCoef[t]) * ys[p.EntryM1[t]];
            s[q] = sum;
        }
    }

    /// <summary>acc[c] += a·x[c].</summary>
    private static void Axpy<T>(T* acc, T a, T* x, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var va = new Vector<T>(a);
            for (; c <= n - Vector<T>.Count; c += Vector<T>.Count) Vector.Store(Vector.Load(acc + c) + va * Vector.Load(x + c), acc + c);
        }
        for (; c < n; c++) acc[c] += a * x[c];
    }

    /// <summary>dst[c] = a[c]·b[c].</summary>
    private static void Mul<T>(T* dst, T* a, T* b, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
            for (; c <= n - Vector<T>.Count; c += Vector<T>.Count) Vector.Store(Vector.Load(a + c) * Vector.Load(b + c), dst + c);
        for (; c < n; c++) dst[c] = a[c] * b[c];
    }

    /// <summary>acc[c] += a[c]·b[c].</summary>
    private static void MulAdd<T>(T* acc, T* a, T* b, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
            for (; c <= n - Vector<T>.Count; c += Vector<T>.Count) Vector.Store(Vector.Load(acc + c) + Vector.Load(a + c) * Vector.Load(b + c), acc + c);
        for (; c < n; c++) acc[c] += a[c] * b[c];
    }

    /// <summary>Σ_c a[c]·b[c] (lanes summed in a fixed order).</summary>
    private static T Dot<T>(T* a, T* b, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        T sum = T.Zero;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var acc = Vector<T>.Zero;
            for (; c <= n - Vector<T>.Count; c += Vector<T>.Count) acc += Vector.Load(a + c) * Vector.Load(b + c);
            sum = Vector.Sum(acc);
        }
        for (; c < n; c++) sum += a[c] * b[c];
        return sum;
    }
}
