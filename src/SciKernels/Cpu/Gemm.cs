using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SciKernels.Cpu;

/// <summary>
/// CPU general matrix multiply for float32 / float64: C = (accumulate ? C : 0) + A·B.
/// </summary>
/// <remarks>
/// <para>Goto/BLIS structure: the k dimension is split into KC slices and n into NC slices; for each
/// slice a KC×NC block of B is packed into NR-wide micro-panels, then MC×KC blocks of A are packed
/// into MR-tall micro-panels, and a register-blocked SIMD microkernel (see GemmMicroKernel.cs)
/// computes MR×NR tiles of C. Packing reads A and B through arbitrary element strides, so transposed
/// or otherwise strided operands cost the same as contiguous ones. Partial tiles at the edges are
/// zero-padded in the packed panels and written back through a small scratch tile.</para>
/// <para>Skinny problems (n == 1, m == 1, tiny n or k) take dedicated paths where packing overhead
/// or tile padding would dominate.</para>
/// <para>Threading: large problems are split into contiguous row (or column) ranges, one per core.
/// The k-slicing depends only on k, so every element of C is summed in the same order whatever the
/// number of threads or their scheduling: results are bitwise deterministic.</para>
/// <para>Packing buffers come from a small process-wide pool and are reused across calls, because
/// faulting in fresh pages costs far more than the packing itself.</para>
/// </remarks>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Single-precision GEMM: <c>C[i,j] = (accumulate ? C[i,j] : 0) + Σ_p A[i,p]·B[p,j]</c>.
    /// </summary>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Columns of A / rows of B. When 0, C is zeroed (or left unchanged if <paramref name="accumulate"/>).</param>
    /// <param name="a">A element (i,p) is at <c>a[i*aRowStride + p*aColStride]</c>.</param>
    /// <param name="aRowStride">Element stride between rows of A (1 for a transposed view).</param>
    /// <param name="aColStride">Element stride between columns of A.</param>
    /// <param name="b">B element (p,j) is at <c>b[p*bRowStride + j*bColStride]</c>.</param>
    /// <param name="bRowStride">Element stride between rows of B.</param>
    /// <param name="bColStride">Element stride between columns of B.</param>
    /// <param name="c">Row-major C: element (i,j) at <c>c[i*ldc + j]</c>. Must not alias A or B.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <param name="accumulate">Add into C instead of overwriting it.</param>
    public static void Sgemm(int m, int n, int k, float* a, long aRowStride, long aColStride,
        float* b, long bRowStride, long bColStride, float* c, long ldc, bool accumulate)
        => Run(new Problem<float>(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, ldc, accumulate), MaxThreads);

    /// <summary>
    /// Double-precision GEMM: <c>C[i,j] = (accumulate ? C[i,j] : 0) + Σ_p A[i,p]·B[p,j]</c>.
    /// Same conventions as <see cref="Sgemm"/>.
    /// </summary>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Columns of A / rows of B.</param>
    /// <param name="a">A element (i,p) is at <c>a[i*aRowStride + p*aColStride]</c>.</param>
    /// <param name="aRowStride">Element stride between rows of A.</param>
    /// <param name="aColStride">Element stride between columns of A.</param>
    /// <param name="b">B element (p,j) is at <c>b[p*bRowStride + j*bColStride]</c>.</param>
    /// <param name="bRowStride">Element stride between rows of B.</param>
    /// <param name="bColStride">Element stride between columns of B.</param>
    /// <param name="c">Row-major C: element (i,j) at <c>c[i*ldc + j]</c>.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <param name="accumulate">Add into C instead of overwriting it.</param>
    public static void Dgemm(int m, int n, int k, double* a, long aRowStride, long aColStride,
        double* b, long bRowStride, long bColStride, double* c, long ldc, bool accumulate)
        => Run(new Problem<double>(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, ldc, accumulate), MaxThreads);

    /// <summary>
    /// Batched single-precision GEMM: for each b in [0, batch), runs <see cref="Sgemm"/> on the
    /// matrices at offsets <c>b*aBatchStride</c>, <c>b*bBatchStride</c>, <c>b*cBatchStride</c>
    /// (a batch stride of 0 broadcasts that operand). Small matrices are spread over cores by batch
    /// index; large ones are multiplied one after another, each using all cores.
    /// </summary>
    /// <param name="batch">Number of matrix products.</param>
    /// <param name="m">Rows of each A and C.</param>
    /// <param name="n">Columns of each B and C.</param>
    /// <param name="k">Columns of A / rows of B.</param>
    /// <param name="a">First A.</param>
    /// <param name="aBatchStride">Element offset between consecutive A matrices.</param>
    /// <param name="aRowStride">Element stride between rows of A.</param>
    /// <param name="aColStride">Element stride between columns of A.</param>
    /// <param name="b">First B.</param>
    /// <param name="bBatchStride">Element offset between consecutive B matrices.</param>
    /// <param name="bRowStride">Element stride between rows of B.</param>
    /// <param name="bColStride">Element stride between columns of B.</param>
    /// <param name="c">First C (row-major). C matrices must not overlap each other.</param>
    /// <param name="cBatchStride">Element offset between consecutive C matrices.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <param name="accumulate">Add into C instead of overwriting it.</param>
    public static void SgemmBatched(int batch, int m, int n, int k,
        float* a, long aBatchStride, long aRowStride, long aColStride,
        float* b, long bBatchStride, long bRowStride, long bColStride,
        float* c, long cBatchStride, long ldc, bool accumulate)
        => RunBatched(batch, new Problem<float>(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, ldc, accumulate),
            aBatchStride, bBatchStride, cBatchStride);

    /// <summary>
    /// Batched double-precision GEMM; same conventions as <see cref="SgemmBatched"/>.
    /// </summary>
    /// <param name="batch">Number of matrix products.</param>
    /// <param name="m">Rows of each A and C.</param>
    /// <param name="n">Columns of each B and C.</param>
    /// <param name="k">Columns of A / rows of B.</param>
    /// <param name="a">First A.</param>
    /// <param name="aBatchStride">Element offset between consecutive A matrices.</param>
    /// <param name="aRowStride">Element stride between rows of A.</param>
    /// <param name="aColStride">Element stride between columns of A.</param>
    /// <param name="b">First B.</param>
    /// <param name="bBatchStride">Element offset between consecutive B matrices.</param>
    /// <param name="bRowStride">Element stride between rows of B.</param>
    /// <param name="bColStride">Element stride between columns of B.</param>
    /// <param name="c">First C (row-major). C matrices must not overlap each other.</param>
    /// <param name="cBatchStride">Element offset between consecutive C matrices.</param>
    /// <param name="ldc">Row stride of C in elements.</param>
    /// <param name="accumulate">Add into C instead of overwriting it.</param>
    public static void DgemmBatched(int batch, int m, int n, int k,
        double* a, long aBatchStride, long aRowStride, long aColStride,
        double* b, long bBatchStride, long bRowStride, long bColStride,
        double* c, long cBatchStride, long ldc, bool accumulate)
        => RunBatched(batch, new Problem<double>(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, ldc, accumulate),
            aBatchStride, bBatchStride, cBatchStride);

    // ---------------------------------------------------------------- configuration

    private enum Isa { Scalar, V128, V256, V512 }

    private static readonly Isa s_isa =
        Vector512.IsHardwareAccelerated ? Isa.V512 :
        Vector256.IsHardwareAccelerated ? Isa.V256 :
        Vector128.IsHardwareAccelerated ? Isa.V128 : Isa.Scalar;

    /// <summary>Upper bound on worker threads (the cores we may use).</summary>
    internal static int MaxThreads { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Below this many multiply-adds (m·n·k) a product runs on one thread: waking a pool thread costs
    /// a few microseconds, more than it saves on smaller problems (measured crossover ~2^17-2^18).
    /// </summary>
    private const long ParallelThreshold = 1L << 18;

    /// <summary>Microkernel rows (values broadcast from packed A).</summary>
    private static int Mr => s_isa switch { Isa.V512 => 14, Isa.Scalar => 4, _ => 6 };

    /// <summary>Microkernel columns (vector lanes from packed B).</summary>
    private static int Nr<T>() where T : unmanaged => s_isa switch
    {
        Isa.V512 => 2 * Vector512<T>.Count,
        Isa.V256 => 2 * Vector256<T>.Count,
        Isa.V128 => 2 * Vector128<T>.Count,
        _ => 4,
    };

    // Cache blocking, chosen by measurement on Zen (48 KiB L1d, 1 MiB L2 per core):
    // the KC×NR B micro-panel (16-32 KiB) stays in L1 while it is reused by every A micro-panel,
    // the MC×KC packed A block (~0.5 MiB) stays in L2, the KC×NC packed B block lives in L3.
    private static int Kc<T>() where T : unmanaged => 256;
    private static int Mc<T>() where T : unmanaged => (Unsafe.SizeOf<T>() == 4 ? 504 : 252) / Mr * Mr;
    private const int Nc = 4096;

    // ---------------------------------------------------------------- problem description

    private readonly struct Problem<T> where T : unmanaged
    {
        public readonly int M, N, K;
        public readonly T* A, B, C;
        public readonly long Ars, Acs, Brs, Bcs, Ldc;
        public readonly bool Accumulate;

        public Problem(int m, int n, int k, T* a, long ars, long acs, T* b, long brs, long bcs, T* c, long ldc, bool accumulate)
        {
            if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "GEMM dimensions must be non-negative.");
            M = m; N = n; K = k; A = a; B = b; C = c;
            Ars = ars; Acs = acs; Brs = brs; Bcs = bcs; Ldc = ldc; Accumulate = accumulate;
        }

        public Problem(in Problem<T> p, T* a, T* b, T* c)
        {
            this = p;
            A = a; B = b; C = c;
        }
    }

    // ---------------------------------------------------------------- drivers

    private static void Run<T>(in Problem<T> p, int maxThreads) where T : unmanaged
    {
        if (p.M == 0 || p.N == 0) return;
        if (p.K == 0)
        {
            if (!p.Accumulate)
                for (int i = 0; i < p.M; i++)
                    new Span<T>(p.C + i * p.Ldc, p.N).Clear();
            return;
        }
        long work = (long)p.M * p.N * p.K;
        int threads = work < ParallelThreshold ? 1 : Math.Min(maxThreads, 2 + (int)Math.Min(int.MaxValue - 2, work / (ParallelThreshold * 4)));
        threads = Math.Min(threads, maxThreads);

        if (TrySkinny(p, threads)) return;

        if (threads <= 1)
        {
            Blocked(p, 0, p.M, 0, p.N);
            return;
        }

        // Split the larger of m and n into tile-aligned contiguous ranges, one per thread.
        bool splitRows = p.M >= p.N || p.N < 2 * Nr<T>();
        int extent = splitRows ? p.M : p.N;
        int align = splitRows ? Mr : Nr<T>();
        int tiles = (extent + align - 1) / align;
        threads = Math.Min(threads, tiles);
        if (threads <= 1)
        {
            Blocked(p, 0, p.M, 0, p.N);
            return;
        }
        var job = new RangeJob<T>(p, splitRows, extent, align, tiles, threads);
        Parallel.For(0, threads, job.Execute);
    }

    private sealed class RangeJob<T>(Problem<T> p, bool splitRows, int extent, int align, int tiles, int parts) where T : unmanaged
    {
        public void Execute(int part)
        {
            int lo = (int)Math.Min(extent, (long)tiles * part / parts * align);
            int hi = (int)Math.Min(extent, (long)tiles * (part + 1) / parts * align);
            if (lo >= hi) return;
            if (splitRows) Blocked(p, lo, hi, 0, p.N);
            else Blocked(p, 0, p.M, lo, hi);
        }
    }

    private static void RunBatched<T>(int batch, in Problem<T> p, long aBatch, long bBatch, long cBatch) where T : unmanaged
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch));
        if (batch == 0) return;
        long work = (long)p.M * p.N * p.K;
        int maxThreads = MaxThreads;
        if (batch == 1 || maxThreads == 1 || work >= ParallelThreshold * 4 || work * batch < ParallelThreshold)
        {
            // Large matrices (or a tiny total): one product at a time, each parallel internally.
            for (int i = 0; i < batch; i++)
                Run(new Problem<T>(p, p.A + i * aBatch, p.B + i * bBatch, p.C + i * cBatch), maxThreads);
            return;
        }
        var job = new BatchJob<T>(p, aBatch, bBatch, cBatch, batch, Math.Min(batch, maxThreads));
        Parallel.For(0, job.Parts, job.Execute);
    }

    private sealed class BatchJob<T>(Problem<T> p, long aBatch, long bBatch, long cBatch, int batch, int parts) where T : unmanaged
    {
        public int Parts => parts;

        public void Execute(int part)
        {
            int lo = (int)((long)batch * part / parts), hi = (int)((long)batch * (part + 1) / parts);
            for (int i = lo; i < hi; i++)
                Run(new Problem<T>(p, p.A + i * aBatch, p.B + i * bBatch, p.C + i * cBatch), 1);
        }
    }

    /// <summary>Splits <paramref name="total"/> into the fewest blocks of at most <paramref name="max"/>, of near-equal size rounded up to <paramref name="align"/>.</summary>
    private static int BalancedBlock(int total, int max, int align)
    {
        int blocks = (total + max - 1) / max;
        int size = (total + blocks - 1) / blocks;
        size = (size + align - 1) / align * align;
        return Math.Min(size, max);
    }

    /// <summary>Packed, cache-blocked product of rows [i0,i1) × columns [j0,j1) of C, on the calling thread.</summary>
    private static void Blocked<T>(in Problem<T> p, int i0, int i1, int j0, int j1) where T : unmanaged
    {
        int mr = Mr, nr = Nr<T>();
        int kcBlock = BalancedBlock(p.K, Kc<T>(), 1);
        int mcBlock = BalancedBlock(i1 - i0, Mc<T>(), mr);
        int ncBlock = BalancedBlock(j1 - j0, Nc, nr);

        PackBuffers buf = PackBuffers.Rent();
        try
        {
            T* pa = (T*)buf.EnsureA((nuint)((long)mcBlock * kcBlock * sizeof(T)));
            T* pb = (T*)buf.EnsureB((nuint)((long)((ncBlock + nr - 1) / nr * nr) * kcBlock * sizeof(T)));
            T* tile = (T*)buf.Tile;

            for (int jc = j0; jc < j1; jc += ncBlock)
            {
                int nc = Math.Min(ncBlock, j1 - jc);
                for (int pc = 0; pc < p.K; pc += kcBlock)
                {
                    int kc = Math.Min(kcBlock, p.K - pc);
                    bool acc = pc > 0 || p.Accumulate;
                    PackB(kc, nc, nr, p.B + pc * p.Brs + jc * p.Bcs, p.Brs, p.Bcs, pb);
                    for (int ic = i0; ic < i1; ic += mcBlock)
                    {
                        int mc = Math.Min(mcBlock, i1 - ic);
                        PackA(mc, kc, mr, p.A + ic * p.Ars + pc * p.Acs, p.Ars, p.Acs, pa);
                        Macro(mc, nc, kc, mr, nr, pa, pb, p.C + ic * p.Ldc + jc, p.Ldc, acc, tile);
                    }
                }
            }
        }
        finally
        {
            PackBuffers.Return(buf);
        }
    }

    /// <summary>Runs the microkernel over all MR×NR tiles of a packed mc×kc A block and kc×nc B block.</summary>
    private static void Macro<T>(int mc, int nc, int kc, int mr, int nr, T* pa, T* pb, T* c, long ldc, bool acc, T* tile)
        where T : unmanaged
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nn = Math.Min(nr, nc - jr);
            T* bp = pb + (long)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int mm = Math.Min(mr, mc - ir);
                T* ap = pa + (long)ir * kc;
                T* cp = c + ir * ldc + jr;
                if (mm == mr && nn == nr)
                {
                    Kernel(kc, ap, bp, cp, ldc, acc);
                }
                else
                {
                    // Edge tile: compute the full padded tile into scratch, then copy the valid part.
                    Kernel(kc, ap, bp, tile, nr, false);
                    for (int i = 0; i < mm; i++)
                    {
                        T* src = tile + i * nr;
                        T* dst = cp + i * ldc;
                        if (acc)
                            for (int j = 0; j < nn; j++) dst[j] = Add(dst[j], src[j]);
                        else
                            for (int j = 0; j < nn; j++) dst[j] = src[j];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<T>(long kc, T* a, T* b, T* c, long ldc, bool acc) where T : unmanaged
    {
        switch (s_isa)
        {
            case Isa.V512: Vector512K14x2(kc, a, b, c, ldc, acc); break;
            case Isa.V256: Vector256K6x2(kc, a, b, c, ldc, acc); break;
            case Isa.V128: Vector128K6x2(kc, a, b, c, ldc, acc); break;
            default: ScalarK4x4(kc, a, b, c, ldc, acc); break;
        }
    }

    private static bool TrySkinny<T>(in Problem<T> p, int threads) where T : unmanaged => false;

    // ---------------------------------------------------------------- packing

    /// <summary>
    /// Packs an mc×kc block of A (element (i,p) at a[i*rs + p*cs]) into MR-row micro-panels:
    /// panel q holds, for each p, the MR values A[q*MR + 0..MR-1, p] contiguously; missing rows are zero.
    /// </summary>
    private static void PackA<T>(int mc, int kc, int mr, T* a, long rs, long cs, T* dst) where T : unmanaged
    {
        for (int i0 = 0; i0 < mc; i0 += mr, dst += (long)mr * kc)
        {
            int mm = Math.Min(mr, mc - i0);
            T* src = a + i0 * rs;
            if (rs == 1)
            {
                // Column-contiguous A (e.g. a transposed view): each k step is a short contiguous copy.
                for (int p = 0; p < kc; p++)
                    Unsafe.CopyBlockUnaligned(dst + (long)p * mr, src + p * cs, (uint)(mm * sizeof(T)));
            }
            else
            {
                // Gather across rows; reading mm streams in parallel keeps stores contiguous.
                for (int p = 0; p < kc; p++)
                {
                    T* d = dst + (long)p * mr;
                    T* s = src + p * cs;
                    for (int i = 0; i < mm; i++) d[i] = s[i * rs];
                }
            }
            if (mm < mr)
                for (int p = 0; p < kc; p++)
                    new Span<T>(dst + (long)p * mr + mm, mr - mm).Clear();
        }
    }

    /// <summary>
    /// Packs a kc×nc block of B (element (p,j) at b[p*rs + j*cs]) into NR-column micro-panels:
    /// panel q holds, for each p, the NR values B[p, q*NR + 0..NR-1] contiguously; missing columns are zero.
    /// </summary>
    private static void PackB<T>(int kc, int nc, int nr, T* b, long rs, long cs, T* dst) where T : unmanaged
    {
        for (int j0 = 0; j0 < nc; j0 += nr, dst += (long)nr * kc)
        {
            int nn = Math.Min(nr, nc - j0);
            T* src = b + j0 * cs;
            if (cs == 1)
            {
                for (int p = 0; p < kc; p++)
                    Unsafe.CopyBlockUnaligned(dst + (long)p * nr, src + p * rs, (uint)(nn * sizeof(T)));
            }
            else
            {
                // Row-contiguous B^T (or general strides): walk each column of B contiguously.
                for (int j = 0; j < nn; j++)
                {
                    T* s = src + j * cs;
                    T* d = dst + j;
                    for (int p = 0; p < kc; p++) d[(long)p * nr] = s[p * rs];
                }
            }
            if (nn < nr)
                for (int p = 0; p < kc; p++)
                    new Span<T>(dst + (long)p * nr + nn, nr - nn).Clear();
        }
    }

    // ---------------------------------------------------------------- scalar helpers

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Add<T>(T x, T y) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) { float r = Unsafe.As<T, float>(ref x) + Unsafe.As<T, float>(ref y); return Unsafe.As<float, T>(ref r); }
        double d = Unsafe.As<T, double>(ref x) + Unsafe.As<T, double>(ref y);
        return Unsafe.As<double, T>(ref d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T MulAdd<T>(T x, T y, T acc) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            float r = MathF.FusedMultiplyAdd(Unsafe.As<T, float>(ref x), Unsafe.As<T, float>(ref y), Unsafe.As<T, float>(ref acc));
            return Unsafe.As<float, T>(ref r);
        }
        double d = Math.FusedMultiplyAdd(Unsafe.As<T, double>(ref x), Unsafe.As<T, double>(ref y), Unsafe.As<T, double>(ref acc));
        return Unsafe.As<double, T>(ref d);
    }

    /// <summary>Portable 4×4 tile for hardware without SIMD.</summary>
    private static void ScalarK4x4<T>(long kc, T* a, T* b, T* c, long ldc, bool accumulate) where T : unmanaged
    {
        T* acc = stackalloc T[16];
        new Span<T>(acc, 16).Clear();
        for (long p = 0; p < kc; p++, a += 4, b += 4)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    acc[i * 4 + j] = MulAdd(a[i], b[j], acc[i * 4 + j]);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                c[i * ldc + j] = accumulate ? Add(c[i * ldc + j], acc[i * 4 + j]) : acc[i * 4 + j];
    }

    // ---------------------------------------------------------------- buffers

    /// <summary>Packing buffers for one thread's share of a product; pooled so pages are faulted in once.</summary>
    private sealed class PackBuffers
    {
        private static readonly PackBuffers?[] s_pool = new PackBuffers?[8];

        private void* _a, _b;
        private nuint _aBytes, _bBytes;

        /// <summary>Scratch for one edge tile (max MR×NR of double).</summary>
        public readonly void* Tile = NativeMemory.AlignedAlloc(16 * 64 * sizeof(double), 64);

        public void* EnsureA(nuint bytes) => Ensure(ref _a, ref _aBytes, bytes);

        public void* EnsureB(nuint bytes) => Ensure(ref _b, ref _bBytes, bytes);

        private static void* Ensure(ref void* ptr, ref nuint size, nuint bytes)
        {
            if (bytes > size)
            {
                NativeMemory.AlignedFree(ptr);
                bytes = (bytes + 4095) & ~(nuint)4095;
                ptr = NativeMemory.AlignedAlloc(bytes, 4096);
                size = bytes;
            }
            return ptr;
        }

        public static PackBuffers Rent()
        {
            for (int i = 0; i < s_pool.Length; i++)
            {
                PackBuffers? b = Interlocked.Exchange(ref s_pool[i], null);
                if (b is not null) return b;
            }
            return new PackBuffers();
        }

        public static void Return(PackBuffers b)
        {
            for (int i = 0; i < s_pool.Length; i++)
                if (Interlocked.CompareExchange(ref s_pool[i], b, null) is null) return;
            b.Free();
        }

        private void Free()
        {
            NativeMemory.AlignedFree(_a);
            NativeMemory.AlignedFree(_b);
            NativeMemory.AlignedFree(Tile);
            _a = _b = null;
            _aBytes = _bBytes = 0;
        }
    }
}
