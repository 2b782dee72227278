using System.Numerics;
using System.Numerics.Tensors;
using SciKernels.Backends;
using SciKernels.Cpu;
using SciKernels.NN;

namespace SciKernels.Pinn;

/// <summary>
/// CPU kernels of <see cref="TaylorActivation"/>: one pass over the stacked streams, in L1-sized
/// chunks of rows (the activation and its derivatives are computed once per chunk and reused by
/// every stream). Chunk boundaries depend only on the sizes, so results are bitwise reproducible.
/// </summary>
internal static unsafe class TaylorKernels
{
    /// <summary>Elements per chunk of one block (the derivative scratch stays in L1).</summary>
    private const int ChunkElements = 1024;

    /// <summary>Stream elements per parallel task.</summary>
    private const int TaskElements = 1 << 15;

    /// <summary>y = the Taylor rule of <paramref name="act"/> on contiguous stacked z (+ bias on block 0).</summary>
    public static void Forward(TaylorAct act, Tensor z, Tensor? bias, Tensor y, TaylorRequest request, int points)
    {
        int w = z.Size(1);
        if (z.DType == DType.Float32)
            Forward(act, HostMemory.Ptr<float>(z), bias is null ? null : HostMemory.Ptr<float>(bias), HostMemory.Ptr<float>(y), request, points, w);
        else
            Forward(act, HostMemory.Ptr<double>(z), bias is null ? null : HostMemory.Ptr<double>(bias), HostMemory.Ptr<double>(y), request, points, w);
        GC.KeepAlive(z);
        GC.KeepAlive(bias);
        GC.KeepAlive(y);
    }

    /// <summary>
    /// gz, gb = the gradient rule for incoming stream gradients g (all contiguous); y is the forward
    /// output (its value block is reused as σ for tanh).
    /// </summary>
    public static void Backward(TaylorAct act, Tensor z, Tensor? bias, Tensor y, Tensor g, Tensor gz, Tensor? gb, TaylorRequest request, int points)
    {
        int w = z.Size(1);
        if (z.DType == DType.Float32)
            Backward(act, HostMemory.Ptr<float>(z), bias is null ? null : HostMemory.Ptr<float>(bias), HostMemory.Ptr<float>(y), HostMemory.Ptr<float>(g),
                HostMemory.Ptr<float>(gz), gb is null ? null : HostMemory.Ptr<float>(gb), request, points, w);
        else
            Backward(act, HostMemory.Ptr<double>(z), bias is null ? null : HostMemory.Ptr<double>(bias), HostMemory.Ptr<double>(y), HostMemory.Ptr<double>(g),
                HostMemory.Ptr<double>(gz), gb is null ? null : HostMemory.Ptr<double>(gb), request, points, w);
        GC.KeepAlive(z);
        GC.KeepAlive(bias);
        GC.KeepAlive(y);
        GC.KeepAlive(g);
        GC.KeepAlive(gz);
        GC.KeepAlive(gb);
    }

    private static (int ChunkRows, long TaskRows) Grains(int w, int streams)
    {
        int chunkRows = Math.Max(1, ChunkElements / w);
        long taskChunks = Math.Max(1, TaskElements / ((long)chunkRows * w * streams));
        return (chunkRows, taskChunks * chunkRows);
    }

    private static void Forward<T>(TaylorAct act, T* z, T* bias, T* y, TaylorRequest request, int n, int w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nf = request.FirstOrder.Count;
        var pairs = request.PairStreams.ToArray();
        long block = (long)n * w;
        var (chunkRows, taskRows) = Grains(w, request.StreamCount);
        int cap = chunkRows * w;
        T omega = T.CreateTruncating(act.Omega);
        CpuParallel.For(n, taskRows, (r0, rn) =>
        {
            T* scratch = stackalloc T[5 * cap];
            T* zb = scratch, d1 = scratch + cap, d2 = scratch + 2 * cap, tmp = scratch + 3 * cap, tile = scratch + 4 * cap;
            TileBias(bias, tile, cap, w);
            for (long r = r0; r < r0 + rn; r += chunkRows)
            {
                int len = (int)Math.Min(chunkRows, r0 + rn - r) * w;
                long o = r * w;
                AddBias(z + o, bias is null ? null : tile, zb, len);
                Derivatives(act.Kind, omega, zb, y + o, d1, d2, null, tmp, len, d0Ready: false);
                for (int f = 0; f < nf; f++)
                {
                    long so = (1 + f) * block + o;
                    Mul(d1, z + so, y + so, len);
                }
                for (int p = 0; p < pairs.Length; p++)
                {
                    long so = (1 + nf + p) * block + o;
                    PairForward(d1, d2, z + (1 + pairs[p].A) * block + o, z + (1 + pairs[p].B) * block + o, z + so, y + so, len);
                }
            }
        });
    }

    private static void Backward<T>(TaylorAct act, T* z, T* bias, T* y, T* g, T* gz, T* gb, TaylorRequest request, int n, int w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nf = request.FirstOrder.Count;
        var pairs = request.PairStreams.ToArray();
        long block = (long)n * w;
        var (chunkRows, taskRows) = Grains(w, request.StreamCount);
        int cap = chunkRows * w;
        T omega = T.CreateTruncating(act.Omega);
        bool needD3 = pairs.Length > 0;
        bool tanh = act.Kind == Activation.Tanh;
        long tasks = (n + taskRows - 1) / taskRows;
        var partial = new T[tasks * w];
        fixed (T* part = partial)
        {
            T* pp = part;
            CpuParallel.For(n, taskRows, (r0, rn) =>
            {
                T* scratch = stackalloc T[8 * cap];
                T* zb = scratch, d0 = scratch + cap, d1 = scratch + 2 * cap, d2 = scratch + 3 * cap, d3 = scratch + 4 * cap, tmp = scratch + 5 * cap;
                T* tile = scratch + 6 * cap, acc = scratch + 7 * cap;
                TileBias(bias, tile, cap, w);
                new Span<T>(acc, cap).Clear();
                for (long r = r0; r < r0 + rn; r += chunkRows)
                {
                    int len = (int)Math.Min(chunkRows, r0 + rn - r) * w;
                    long o = r * w;
                    // tanh: σ is the saved output; its derivatives are polynomials in it.
                    if (!tanh) AddBias(z + o, bias is null ? null : tile, zb, len);
                    Derivatives(act.Kind, omega, zb, tanh ? y + o : d0, d1, d2, needD3 ? d3 : null, tmp, len, d0Ready: tanh);
                    T* g0 = gz + o;
                    Mul(g + o, d1, g0, len);
                    for (int f = 0; f < nf; f++)
                    {
                        long so = (1 + f) * block + o;
                        FirstBackward(g + so, d1, d2, z + so, g0, gz + so, len);
                    }
                    for (int p = 0; p < pairs.Length; p++)
                    {
                        long so = (1 + nf + p) * block + o;
                        long sa = (1 + pairs[p].A) * block + o, sb = (1 + pairs[p].B) * block + o;
                        PairBackward(g + so, d1, d2, d3, z + sa, z + sb, z + so, g0, gz + sa, gz + sb, gz + so, len);
                    }
                    if (gb is not null) Add(acc, g0, len);
                }
                // Fold the chunk-shaped accumulator (rows of w) into this task's partial bias gradient.
                T* part = pp + r0 / taskRows * w;
                for (int i = 0; i < cap; i += w)
                    for (int j = 0; j < w; j++) part[j] += acc[i + j];
            });
        }
        if (gb is null) return;
        for (int j = 0; j < w; j++) gb[j] = T.Zero;
        for (long t = 0; t < tasks; t++)
            for (int j = 0; j < w; j++) gb[j] += partial[t * w + j];
    }

    /// <summary>Repeats the bias (if any) over a chunk-sized buffer, so adding it is one vector pass.</summary>
    private static void TileBias<T>(T* bias, T* tile, int cap, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (bias is null) return;
        for (int i = 0; i < cap; i += w) new ReadOnlySpan<T>(bias, w).CopyTo(new Span<T>(tile + i, w));
    }

    /// <summary>dst = z + tiled bias, or a copy of z when there is no bias.</summary>
    private static void AddBias<T>(T* z, T* tile, T* dst, int len) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (tile is null) new ReadOnlySpan<T>(z, len).CopyTo(new Span<T>(dst, len));
        else TensorPrimitives.Add(new ReadOnlySpan<T>(z, len), new ReadOnlySpan<T>(tile, len), new Span<T>(dst, len));
    }

    /// <summary>acc += x.</summary>
    private static void Add<T>(T* acc, T* x, int len) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, vw = Vector<T>.Count;
        for (; i <= len - vw; i += vw) Vector.Store(Vector.Load(acc + i) + Vector.Load(x + i), acc + i);
        for (; i < len; i++) acc[i] += x[i];
    }

    /// <summary>
    /// d0..d3 = σ⁽ᵏ⁾(z) for a chunk (d3 skipped when null; with <paramref name="d0Ready"/> d0 already
    /// holds σ(z), used only by tanh whose derivatives are polynomials in σ).
    /// </summary>
    private static void Derivatives<T>(Activation kind, T omega, T* z, T* d0, T* d1, T* d2, T* d3, T* tmp, int len, bool d0Ready)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var zs = new ReadOnlySpan<T>(z, len);
        var d0s = new Span<T>(d0, len);
        T two = T.CreateTruncating(2), three = T.CreateTruncating(3);
        switch (kind)
        {
            case Activation.Identity:
                if (!d0Ready) zs.CopyTo(d0s);
                new Span<T>(d1, len).Fill(T.One);
                new Span<T>(d2, len).Fill(T.Zero);
                if (d3 is not null) new Span<T>(d3, len).Fill(T.Zero);
                return;
            case Activation.Tanh:
                if (!d0Ready) TensorPrimitives.Tanh(zs, d0s);
                TanhPolynomials(d0, d1, d2, d3, len);
                return;
            case Activation.Sin:
            {
                var arg = zs;
                if (omega != T.One)
                {
                    TensorPrimitives.Multiply(zs, omega, new Span<T>(tmp, len));
                    arg = new ReadOnlySpan<T>(tmp, len);
                }
                TensorPrimitives.SinCos(arg, d0s, new Span<T>(d1, len));
                T w2 = -omega * omega;
                for (int i = 0; i < len; i++)
                {
                    T c = d1[i] * omega;
                    d1[i] = c;
                    d2[i] = w2 * d0[i];
                    if (d3 is not null) d3[i] = w2 * c;
                }
                return;
            }
            case Activation.Sigmoid:
                FromDefinition<Functions.Sigmoid, T>(z, d0, d1, d2, d3, len);
                return;
            case Activation.Softplus:
                FromDefinition<Functions.Softplus, T>(z, d0, d1, d2, d3, len);
                return;
            case Activation.Silu:
            {
                // silu = x·s: silu' = s + x·s', silu'' = 2s' + x·s'', silu''' = 3s'' + x·s''' (s from its definition)
                FromDefinition<Functions.Sigmoid, T>(z, d0, d1, d2, d3, len);
                for (int i = 0; i < len; i++)
                {
                    T x = z[i], s = d0[i], s1 = d1[i], s2 = d2[i];
                    d0[i] = x * s; d1[i] = s + x * s1; d2[i] = two * s1 + x * s2;
                    if (d3 is not null) d3[i] = three * s2 + x * d3[i];
                }
                return;
            }
            case Activation.Gelu:
                FromDefinition<Functions.Gelu, T>(z, d0, d1, d2, d3, len);
                return;
            default:
                throw new NotSupportedException($"TaylorMlp: activation {kind} has no Taylor rule");
        }
    }

    /// <summary>d0..d3 = F⁽ᵏ⁾(z) for a chunk from the function's one definition (d3 skipped when null).</summary>
    private static void FromDefinition<F, T>(T* z, T* d0, T* d1, T* d2, T* d3, int len)
        where F : struct, Functions.IUnaryFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        var zs = new ReadOnlySpan<T>(z, len);
        Functions.UnaryLoops.Apply<F, T>(zs, new Span<T>(d0, len));
        Functions.UnaryLoops.D1<F, T>(zs, new ReadOnlySpan<T>(d0, len), new Span<T>(d1, len));
        for (int i = 0; i < len; i++)
        {
            d2[i] = F.D2(z[i], d0[i]);
            if (d3 is not null) d3[i] = F.D3(z[i], d0[i]);
        }
    }

    /// <summary>From t = tanh z: σ' = 1 − t², σ'' = −2tσ', σ''' = −2σ'(σ' − 2t²).</summary>
    private static void TanhPolynomials<T>(T* t, T* d1, T* d2, T* d3, int len) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, vw = Vector<T>.Count;
        var one = Vector<T>.One;
        var m2 = new Vector<T>(T.CreateTruncating(-2));
        for (; i <= len - vw; i += vw)
        {
            var tv = Vector.Load(t + i);
            var t2 = tv * tv;
            var s1 = one - t2;
            Vector.Store(s1, d1 + i);
            Vector.Store(m2 * tv * s1, d2 + i);
            if (d3 is not null) Vector.Store(m2 * s1 * (s1 + m2 * t2), d3 + i);
        }
        T two = T.CreateTruncating(2);
        for (; i < len; i++)
        {
            T tv = t[i], t2 = tv * tv, s1 = T.One - t2;
            d1[i] = s1;
            d2[i] = -two * tv * s1;
            if (d3 is not null) d3[i] = -two * s1 * (s1 - two * t2);
        }
    }

    /// <summary>dst = a·b.</summary>
    private static void Mul<T>(T* a, T* b, T* dst, int len) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, vw = Vector<T>.Count;
        for (; i <= len - vw; i += vw) Vector.Store(Vector.Load(a + i) * Vector.Load(b + i), dst + i);
        for (; i < len; i++) dst[i] = a[i] * b[i];
    }

    /// <summary>y = σ''·zi·zj + σ'·zp.</summary>
    private static void PairForward<T>(T* d1, T* d2, T* zi, T* zj, T* zp, T* y, int len) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, vw = Vector<T>.Count;
        for (; i <= len - vw; i += vw)
            Vector.Store(Vector.Load(d2 + i) * Vector.Load(zi + i) * Vector.Load(zj + i) + Vector.Load(d1 + i) * Vector.Load(zp + i), y + i);
        for (; i < len; i++) y[i] = d2[i] * zi[i] * zj[i] + d1[i] * zp[i];
    }

    /// <summary>g0 += gf·σ''·zf; gzf = gf·σ'.</summary>
    private static void FirstBackward<T>(T* gf, T* d1, T* d2, T* zf, T* g0, T* gzf, int len) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, vw = Vector<T>.Count;
        for (; i <= len - vw; i += vw)
        {
            var gv = Vector.Load(gf + i);
            Vector.Store(Vector.Load(g0 + i) + gv * Vector.Load(d2 + i) * Vector.Load(zf + i), g0 + i);
            Vector.Store(gv * Vector.Load(d1 + i), gzf + i);
        }
        for (; i < len; i++)
        {
            g0[i] += gf[i] * d2[i] * zf[i];
            gzf[i] = gf[i] * d1[i];
        }
    }

    /// <summary>g0 += gp·(σ'''·zi·zj + σ''·zp); gzi += gp·σ''·zj; gzj += gp·σ''·zi; gzp = gp·σ'.</summary>
    private static void PairBackward<T>(T* gp, T* d1, T* d2, T* d3, T* zi, T* zj, T* zp, T* g0, T* gzi, T* gzj, T* gzp, int len)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, vw = Vector<T>.Count;
        for (; i <= len - vw; i += vw)
        {
            var gv = Vector.Load(gp + i);
            var d2v = Vector.Load(d2 + i);
            var ziv = Vector.Load(zi + i);
            var zjv = Vector.Load(zj + i);
            Vector.Store(Vector.Load(g0 + i) + gv * (Vector.Load(d3 + i) * ziv * zjv + d2v * Vector.Load(zp + i)), g0 + i);
            var gd2 = gv * d2v;
            Vector.Store(Vector.Load(gzi + i) + gd2 * zjv, gzi + i);
            Vector.Store(Vector.Load(gzj + i) + gd2 * ziv, gzj + i);
            Vector.Store(gv * Vector.Load(d1 + i), gzp + i);
        }
        for (; i < len; i++)
        {
            T gv = gp[i], gd2 = gv * d2[i];
            T ziv = zi[i], zjv = zj[i];
            g0[i] += gv * (d3[i] * ziv * zjv + d2[i] * zp[i]);
            gzi[i] += gd2 * zjv;
            gzj[i] += gd2 * ziv;
            gzp[i] = gv * d1[i];
        }
    }
}
