using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
/// <para>Skinny problems (n ≤ 4 or m ≤ 4: matrix-vector products and the like) take dedicated
/// SIMD dot-product / axpy paths, where packing overhead or tile padding would dominate.</para>
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
    /// <param name="maxThreads">Upper bound on threads; null: the default CPU backend's <see cref="CpuBackendOptions.MaxThreads"/>.</param>
    public static void Sgemm(int m, int n, int k, float* a, long aRowStride, long aColStride,
        float* b, long bRowStride, long bColStride, float* c, long ldc, bool accumulate, int? maxThreads = null)
        => Run(new Problem<float>(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, ldc, accumulate), maxThreads ?? DefaultMaxThreads);

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
    /// <param name="maxThreads">Upper bound on threads; null: the default CPU backend's <see cref="CpuBackendOptions.MaxThreads"/>.</param>
    public static void Dgemm(int m, int n, int k, double* a, long aRowStride, long aColStride,
        double* b, long bRowStride, long bColStride, double* c, long ldc, bool accumulate, int? maxThreads = null)
        => Run(new Problem<double>(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, ldc, accumulate), maxThreads ?? DefaultMaxThreads);

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
    /// <param name="maxThreads">Upper bound on threads (the calling backend's <see cref="CpuBackendOptions.MaxThreads"/>).</param>
    public static void SgemmBatched(int batch, int m, int n, int k,
        float* a, long aBatchStride, long aRowStride, long aColStride,
        float* b, long bBatchStride, long bRowStride, long bColStride,
        float* c, long cBatchStride, long ldc, bool accumulate, int maxThreads)
        => RunBatched(batch, new Problem<float>(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, ldc, accumulate),
            aBatchStride, bBatchStride, cBatchStride, maxThreads);

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
    /// <param name="maxThreads">Upper bound on threads (the calling backend's <see cref="CpuBackendOptions.MaxThreads"/>).</param>
    public static void DgemmBatched(int batch, int m, int n, int k,
        double* a, long aBatchStride, long aRowStride, long aColStride,
        double* b, long bBatchStride, long bRowStride, long bColStride,
        double* c, long cBatchStride, long ldc, bool accumulate, int maxThreads)
        => RunBatched(batch, new Problem<double>(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, ldc, accumulate),
            aBatchStride, bBatchStride, cBatchStride, maxThreads);

    // ---------------------------------------------------------------- configuration

    private enum Isa { Scalar, V128, V256, V512 }

    private static readonly Isa s_isa =
        Vector512.IsHardwareAccelerated ? Isa.V512 :
        Vector256.IsHardwareAccelerated ? Isa.V256 :
        Vector128.IsHardwareAccelerated ? Isa.V128 : Isa.Scalar;

    /// <summary>Thread bound of callers that hold no backend (the default CPU backend's setting).</summary>
    private static int DefaultMaxThreads => CpuBackend.Instance.Options.MaxThreads;

    /// <summary>
    /// Multiply-adds (m·n·k) per thread below which extra threads are not used: handing work to a
    /// pool thread costs ~5-10 µs (more on a busy machine), so a second thread only pays off once a
    /// product takes some tens of microseconds single-threaded (~100 GMAC/s per core).
    /// </summary>
    private const long ParallelThreshold = 1L << 21;

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

        /// <summary>Epilogue: C += Bias[j] (when not null), then Act[i, j] = SiLU(C[i, j]) (when not null; Act may be C).</summary>
        public readonly T* Bias, Act;

        public Problem(int m, int n, int k, T* a, long ars, long acs, T* b, long brs, long bcs, T* c, long ldc, bool accumulate)
        {
            if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "GEMM dimensions must be non-negative.");
            M = m; N = n; K = k; A = a; B = b; C = c;
            Ars = ars; Acs = acs; Brs = brs; Bcs = bcs; Ldc = ldc; Accumulate = accumulate;
        }

        public Problem(in Problem<T> p, T* bias, T* act)
        {
            this = p;
            Bias = bias; Act = act;
        }

        public bool HasEpilogue => Bias != null || Act != null;

        public Problem(in Problem<T> p, T* a, T* b, T* c)
        {
            this = p;
            A = a; B = b; C = c;
        }
    }

    /// <summary>
    /// The GEMM of a linear layer with its epilogue fused: <c>C = A·B + bias</c> (bias over columns,
    /// may be null), then, when <paramref name="act"/> is not null, <c>act = SiLU(C)</c> (act may be
    /// C). The epilogue runs on each cache block right after its last k-slice, and gives the same
    /// bits as a separate bias add and SiLU pass (<see cref="SiluMath"/>).
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
    /// <param name="c">Row-major C with row stride <paramref name="ldc"/>; receives A·B + bias.</param>
    /// <param name="ldc">Row stride of C (and of act) in elements.</param>
    /// <param name="bias">Contiguous [n] bias, or null.</param>
    /// <param name="act">SiLU output with C's layout, or null for none.</param>
    /// <param name="maxThreads">Upper bound on threads; null: the default CPU backend's setting.</param>
    public static void GemmBiasSilu<T>(int m, int n, int k, T* a, long aRowStride, long aColStride,
        T* b, long bRowStride, long bColStride, T* c, long ldc, T* bias, T* act, int? maxThreads = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) throw new NotSupportedException($"GemmBiasSilu: {typeof(T).Name} is not supported");
        Run(new Problem<T>(new Problem<T>(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, ldc, accumulate: false), bias, act), maxThreads ?? DefaultMaxThreads);
    }

    /// <summary>Applies the problem's epilogue to rows [i0, i1) × columns [j0, j1) of C (j0 a multiple of 16).</summary>
    private static void Epilogue<T>(in Problem<T> p, int i0, int i1, int j0, int j1) where T : unmanaged
    {
        for (int i = i0; i < i1; i++)
        {
            long o = i * p.Ldc + j0;
            if (typeof(T) == typeof(float))
                SiluMath.BiasSiluRow((float*)(p.C + o), p.Bias == null ? null : (float*)(p.Bias + j0), p.Act == null ? null : (float*)(p.Act + o), j1 - j0);
            else
                SiluMath.BiasSiluRow((double*)(p.C + o), p.Bias == null ? null : (double*)(p.Bias + j0), p.Act == null ? null : (double*)(p.Act + o), j1 - j0);
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
            if (p.HasEpilogue) Epilogue(p, 0, p.M, 0, p.N);
            return;
        }
        long work = (long)p.M * p.N * p.K;
        int threads = (int)Math.Clamp(work / ParallelThreshold, 1, maxThreads);

        if (TrySkinny(p, threads))
        {
            // Skinny products are a small share of the time: their epilogue is a separate pass.
            if (p.HasEpilogue) Epilogue(p, 0, p.M, 0, p.N);
            return;
        }

        if (threads <= 1)
        {
            Blocked(p, 0, p.M, 0, p.N);
            return;
        }

        // Split C into tile-aligned contiguous row or column ranges, one per thread, along the
        // dimension that gives the smaller per-thread tile count (best balance).
        int mr = Mr, nr = Nr<T>();
        long tilesM = (p.M + mr - 1) / mr, tilesN = (p.N + nr - 1) / nr;
        long rowCost = (tilesM + threads - 1) / threads * tilesN, colCost = (tilesN + threads - 1) / threads * tilesM;
        bool splitRows = rowCost <= colCost;
        int extent = splitRows ? p.M : p.N;
        int align = splitRows ? mr : nr;
        int tiles = (int)(splitRows ? tilesM : tilesN);
        threads = Math.Min(threads, tiles);
        if (threads <= 1)
        {
            Blocked(p, 0, p.M, 0, p.N);
            return;
        }
        var job = new RangeJob<T>(p, splitRows, extent, align, tiles, threads);
        CpuWorkers.For(threads, i => job.Execute((int)i));
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

    private static void RunBatched<T>(int batch, in Problem<T> p, long aBatch, long bBatch, long cBatch, int maxThreads) where T : unmanaged
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch));
        if (batch == 0) return;
        long work = (long)p.M * p.N * p.K;
        if (batch == 1 || maxThreads == 1 || work >= ParallelThreshold * 4 || work * batch < ParallelThreshold)
        {
            // Large matrices (or a tiny total): one product at a time, each parallel internally.
            for (int i = 0; i < batch; i++)
                Run(new Problem<T>(p, p.A + i * aBatch, p.B + i * bBatch, p.C + i * cBatch), maxThreads);
            return;
        }
        var job = new BatchJob<T>(p, aBatch, bBatch, cBatch, batch, Math.Min(batch, maxThreads));
        CpuWorkers.For(job.Parts, i => job.Execute((int)i));
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
            T* pa = (T*)buf.EnsureA((nuint)(((long)mcBlock * kcBlock + 64) * sizeof(T)));
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
                        // The epilogue runs on the block just written, while it is still in L2.
                        if (p.HasEpilogue && pc + kc == p.K) Epilogue(p, ic, ic + mc, jc, jc + nc);
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

    // ---------------------------------------------------------------- skinny products

    /// <summary>
    /// Widest n (or m) handled by the skinny paths. With n ≤ 4 the NR-wide packed tiles would be
    /// mostly padding, and these products are bound by streaming A, not by FMA throughput.
    /// </summary>
    private const int SkinnyMax = 4;

    /// <summary>
    /// Products with n ≤ 4 or m ≤ 4 (matrix-vector and near-vector shapes): no packing of the big
    /// operand, which is streamed once. m-skinny products are computed as the n-skinny product
    /// Cᵀ = Bᵀ·Aᵀ, which only swaps strides. Returns false if the layout does not suit these paths.
    /// </summary>
    private static bool TrySkinny<T>(in Problem<T> p, int threads) where T : unmanaged
    {
        if (!Vector.IsHardwareAccelerated) return false;
        if (p.N <= SkinnyMax && p.N <= p.M)
            return Skinny(new SkinnyProblem<T>(p.M, p.N, p.K, p.A, p.Ars, p.Acs, p.B, p.Brs, p.Bcs, p.C, p.Ldc, 1, p.Accumulate), threads);
        if (p.M <= SkinnyMax)
            return Skinny(new SkinnyProblem<T>(p.N, p.M, p.K, p.B, p.Bcs, p.Brs, p.A, p.Acs, p.Ars, p.C, 1, p.Ldc, p.Accumulate), threads);
        return false;
    }

    /// <summary>An n-skinny product (n ≤ <see cref="SkinnyMax"/>) with C at c[i*Crs + j*Ccs].</summary>
    private readonly struct SkinnyProblem<T>(int m, int n, int k, T* a, long ars, long acs, T* b, long brs, long bcs,
        T* c, long crs, long ccs, bool accumulate) where T : unmanaged
    {
        public readonly int M = m, N = n, K = k;
        public readonly T* A = a, B = b, C = c;
        public readonly long Ars = ars, Acs = acs, Brs = brs, Bcs = bcs, Crs = crs, Ccs = ccs;
        public readonly bool Accumulate = accumulate;
    }

    /// <summary>Rows of C per block in the column-contiguous (axpy) skinny path: 4 vectors.</summary>
    private static int AxpyRows<T>() where T : unmanaged => 4 * Vector<T>.Count;

    private static bool Skinny<T>(in SkinnyProblem<T> s, int threads) where T : unmanaged
    {
        int w = Vector<T>.Count;
        bool dot = s.Acs == 1 && s.K >= w;
        if (!dot && s.Ars != 1) return false;
        int align = dot ? 4 : AxpyRows<T>();
        int tiles = (s.M + align - 1) / align;
        threads = Math.Min(threads, tiles);
        if (threads <= 1)
        {
            SkinnyRange(s, dot, 0, s.M);
            return true;
        }
        var job = new SkinnyJob<T>(s, dot, align, tiles, threads);
        CpuWorkers.For(threads, i => job.Execute((int)i));
        return true;
    }

    private sealed class SkinnyJob<T>(SkinnyProblem<T> s, bool dot, int align, int tiles, int parts) where T : unmanaged
    {
        public void Execute(int part)
        {
            int lo = (int)Math.Min(s.M, (long)tiles * part / parts * align);
            int hi = (int)Math.Min(s.M, (long)tiles * (part + 1) / parts * align);
            if (lo < hi) SkinnyRange(s, dot, lo, hi);
        }
    }

    private static void SkinnyRange<T>(in SkinnyProblem<T> s, bool dot, int i0, int i1) where T : unmanaged
    {
        PackBuffers buf = PackBuffers.Rent();
        try
        {
            if (dot) SkinnyDot(s, i0, i1, buf);
            else SkinnyAxpy(s, i0, i1, buf);
        }
        finally
        {
            PackBuffers.Return(buf);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreC<T>(T* c, T value, bool accumulate) where T : unmanaged
        => *c = accumulate ? Add(*c, value) : value;

    /// <summary>
    /// Row-contiguous A: each C element is a dot product along k of a row of A with a column of B
    /// (columns of B copied contiguous first unless already so). Four rows share each B load.
    /// </summary>
    private static void SkinnyDot<T>(in SkinnyProblem<T> s, int i0, int i1, PackBuffers buf) where T : unmanaged
    {
        int k = s.K, w = Vector<T>.Count;
        T* bt = s.B;
        long ldb = s.Bcs;
        if (s.Brs != 1)
        {
            bt = (T*)buf.EnsureB((nuint)((long)s.N * k * sizeof(T)));
            ldb = k;
            for (int j = 0; j < s.N; j++)
                for (int p = 0; p < k; p++) bt[(long)j * k + p] = s.B[p * s.Brs + j * s.Bcs];
        }
        int i = i0;
        for (; i + 4 <= i1; i += 4)
        {
            T* a0 = s.A + i * s.Ars, a1 = a0 + s.Ars, a2 = a1 + s.Ars, a3 = a2 + s.Ars;
            for (int j = 0; j < s.N; j++)
            {
                T* bj = bt + j * ldb;
                Vector<T> x0 = default, x1 = default, x2 = default, x3 = default;
                Vector<T> y0 = default, y1 = default, y2 = default, y3 = default;
                int p = 0;
                // Two k-vectors per step: eight independent FMA chains hide the FMA latency.
                for (; p + 2 * w <= k; p += 2 * w)
                {
                    Vector<T> u = Vector.Load(bj + p), v = Vector.Load(bj + p + w);
                    x0 = VFma(Vector.Load(a0 + p), u, x0); y0 = VFma(Vector.Load(a0 + p + w), v, y0);
                    x1 = VFma(Vector.Load(a1 + p), u, x1); y1 = VFma(Vector.Load(a1 + p + w), v, y1);
                    x2 = VFma(Vector.Load(a2 + p), u, x2); y2 = VFma(Vector.Load(a2 + p + w), v, y2);
                    x3 = VFma(Vector.Load(a3 + p), u, x3); y3 = VFma(Vector.Load(a3 + p + w), v, y3);
                }
                if (p + w <= k)
                {
                    Vector<T> u = Vector.Load(bj + p);
                    x0 = VFma(Vector.Load(a0 + p), u, x0);
                    x1 = VFma(Vector.Load(a1 + p), u, x1);
                    x2 = VFma(Vector.Load(a2 + p), u, x2);
                    x3 = VFma(Vector.Load(a3 + p), u, x3);
                    p += w;
                }
                T s0 = Vector.Sum(x0 + y0), s1 = Vector.Sum(x1 + y1), s2 = Vector.Sum(x2 + y2), s3 = Vector.Sum(x3 + y3);
                for (; p < k; p++)
                {
                    s0 = MulAdd(a0[p], bj[p], s0); s1 = MulAdd(a1[p], bj[p], s1);
                    s2 = MulAdd(a2[p], bj[p], s2); s3 = MulAdd(a3[p], bj[p], s3);
                }
                T* cj = s.C + i * s.Crs + j * s.Ccs;
                StoreC(cj, s0, s.Accumulate); StoreC(cj + s.Crs, s1, s.Accumulate);
                StoreC(cj + 2 * s.Crs, s2, s.Accumulate); StoreC(cj + 3 * s.Crs, s3, s.Accumulate);
            }
        }
        for (; i < i1; i++)
        {
            T* a0 = s.A + i * s.Ars;
            for (int j = 0; j < s.N; j++)
            {
                T* bj = bt + j * ldb;
                Vector<T> x0 = default, y0 = default;
                int p = 0;
                for (; p + 2 * w <= k; p += 2 * w)
                {
                    x0 = VFma(Vector.Load(a0 + p), Vector.Load(bj + p), x0);
                    y0 = VFma(Vector.Load(a0 + p + w), Vector.Load(bj + p + w), y0);
                }
                if (p + w <= k)
                {
                    x0 = VFma(Vector.Load(a0 + p), Vector.Load(bj + p), x0);
                    p += w;
                }
                T s0 = Vector.Sum(x0 + y0);
                for (; p < k; p++) s0 = MulAdd(a0[p], bj[p], s0);
                StoreC(s.C + i * s.Crs + j * s.Ccs, s0, s.Accumulate);
            }
        }
    }

    /// <summary>
    /// Column-contiguous A (e.g. a transposed view): C columns are built as Σ_p A[:,p]·B[p,j] with
    /// vectors running down the rows, two columns of C at a time. A partial block of rows is first
    /// copied into a zero-padded panel so the same loop handles it.
    /// </summary>
    private static void SkinnyAxpy<T>(in SkinnyProblem<T> s, int i0, int i1, PackBuffers buf) where T : unmanaged
    {
        int k = s.K, w = Vector<T>.Count, rows = AxpyRows<T>();
        T* tile = (T*)buf.Tile; // rows × 2 results
        for (int i = i0; i < i1; i += rows)
        {
            int mm = Math.Min(rows, i1 - i);
            T* a = s.A + i;
            long acs = s.Acs;
            if (mm < rows)
            {
                T* pa = (T*)buf.EnsureA((nuint)((long)rows * k * sizeof(T)));
                for (int p = 0; p < k; p++)
                {
                    Unsafe.CopyBlockUnaligned(pa + (long)p * rows, a + p * acs, (uint)(mm * sizeof(T)));
                    new Span<T>(pa + (long)p * rows + mm, rows - mm).Clear();
                }
                a = pa;
                acs = rows;
            }
            for (int j = 0; j < s.N; j += 2)
            {
                bool two = j + 1 < s.N;
                T* b0 = s.B + j * s.Bcs, b1 = two ? b0 + s.Bcs : b0;
                Vector<T> x0 = default, x1 = default, x2 = default, x3 = default;
                Vector<T> y0 = default, y1 = default, y2 = default, y3 = default;
                T* ap = a;
                for (int p = 0; p < k; p++, ap += acs)
                {
                    Vector<T> a0 = Vector.Load(ap), a1 = Vector.Load(ap + w), a2 = Vector.Load(ap + 2 * w), a3 = Vector.Load(ap + 3 * w);
                    Vector<T> u = new(b0[p * s.Brs]), v = new(b1[p * s.Brs]);
                    x0 = VFma(a0, u, x0); x1 = VFma(a1, u, x1); x2 = VFma(a2, u, x2); x3 = VFma(a3, u, x3);
                    y0 = VFma(a0, v, y0); y1 = VFma(a1, v, y1); y2 = VFma(a2, v, y2); y3 = VFma(a3, v, y3);
                }
                T* c0 = s.C + i * s.Crs + j * s.Ccs;
                if (s.Crs == 1 && mm == rows)
                {
                    StoreV(x0, c0, s.Accumulate); StoreV(x1, c0 + w, s.Accumulate);
                    StoreV(x2, c0 + 2 * w, s.Accumulate); StoreV(x3, c0 + 3 * w, s.Accumulate);
                    if (two)
                    {
                        T* c1 = c0 + s.Ccs;
                        StoreV(y0, c1, s.Accumulate); StoreV(y1, c1 + w, s.Accumulate);
                        StoreV(y2, c1 + 2 * w, s.Accumulate); StoreV(y3, c1 + 3 * w, s.Accumulate);
                    }
                }
                else
                {
                    x0.Store(tile); x1.Store(tile + w); x2.Store(tile + 2 * w); x3.Store(tile + 3 * w);
                    y0.Store(tile + rows); y1.Store(tile + rows + w); y2.Store(tile + rows + 2 * w); y3.Store(tile + rows + 3 * w);
                    for (int r = 0; r < mm; r++)
                    {
                        StoreC(c0 + r * s.Crs, tile[r], s.Accumulate);
                        if (two) StoreC(c0 + r * s.Crs + s.Ccs, tile[rows + r], s.Accumulate);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreV<T>(Vector<T> v, T* c, bool accumulate) where T : unmanaged
        => (accumulate ? Vector.Load(c) + v : v).Store(c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> VFma<T>(Vector<T> x, Vector<T> y, Vector<T> acc) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Vector.MultiplyAddEstimate(x.As<T, float>(), y.As<T, float>(), acc.As<T, float>()).As<float, T>();
        return Vector.MultiplyAddEstimate(x.As<T, double>(), y.As<T, double>(), acc.As<T, double>()).As<double, T>();
    }

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
                    CopySmall(dst + (long)p * mr, src + p * cs, mm * sizeof(T));
            }
            else if (cs == 1 && mm == 14 && mr == 14 && Avx.IsSupported && kc >= 8)
            {
                // Row-major A: the pack is a transpose; 8×8 (float) / 4×4 (double) AVX register
                // transposes cut its cost ~4x versus element-by-element copies.
                int p = typeof(T) == typeof(float) ? PackA14RowsF32((float*)src, rs, kc, (float*)dst) : PackA14RowsF64((double*)src, rs, kc, (double*)dst);
                for (; p < kc; p++)
                {
                    T* d = dst + (long)p * mr;
                    for (int i = 0; i < mm; i++) d[i] = src[i * rs + p];
                }
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
    /// Copies one packed row (MR or NR values, 16-256 bytes) with two possibly overlapping vector
    /// moves per 64 bytes: memmove's call and size dispatch dominated packing of such short rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopySmall(void* dst, void* src, int bytes)
    {
        byte* d = (byte*)dst, s = (byte*)src;
        if (Vector256.IsHardwareAccelerated && bytes >= 32)
        {
            int i = 0;
            for (; i + 64 <= bytes; i += 64)
            {
                Vector256<byte> x = Vector256.Load(s + i), y = Vector256.Load(s + i + 32);
                x.Store(d + i);
                y.Store(d + i + 32);
            }
            if (i < bytes)
            {
                // 1..63 bytes left, and at least 32 bytes precede the end: overlap backwards.
                if (bytes - i > 32) Vector256.Load(s + i).Store(d + i);
                Vector256.Load(s + bytes - 32).Store(d + bytes - 32);
            }
            return;
        }
        Unsafe.CopyBlockUnaligned(d, s, (uint)bytes);
    }

    /// <summary>
    /// Transposes 14 rows of row-major float A into the packed layout, 8 columns at a time; returns
    /// the number of columns done. Each 14-value column is written as two 8-lane stores in increasing
    /// address order, the second spilling 2 lanes into the next column (overwritten next) or into
    /// the buffer's slack.
    /// </summary>
    private static int PackA14RowsF32(float* a, long rs, int kc, float* d)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8, a += 8, d += 8 * 14)
        {
            Transpose8x8(a, a + rs, a + 2 * rs, a + 3 * rs, a + 4 * rs, a + 5 * rs, a + 6 * rs, a + 7 * rs,
                out var x0, out var x1, out var x2, out var x3, out var x4, out var x5, out var x6, out var x7);
            float* r13 = a + 13 * rs;
            Transpose8x8(a + 8 * rs, a + 9 * rs, a + 10 * rs, a + 11 * rs, a + 12 * rs, r13, r13, r13,
                out var y0, out var y1, out var y2, out var y3, out var y4, out var y5, out var y6, out var y7);
            x0.Store(d); y0.Store(d + 8);
            x1.Store(d + 14); y1.Store(d + 22);
            x2.Store(d + 28); y2.Store(d + 36);
            x3.Store(d + 42); y3.Store(d + 50);
            x4.Store(d + 56); y4.Store(d + 64);
            x5.Store(d + 70); y5.Store(d + 78);
            x6.Store(d + 84); y6.Store(d + 92);
            x7.Store(d + 98); y7.Store(d + 106);
        }
        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* r0, float* r1, float* r2, float* r3, float* r4, float* r5, float* r6, float* r7,
        out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3,
        out Vector256<float> c4, out Vector256<float> c5, out Vector256<float> c6, out Vector256<float> c7)
    {
        Vector256<float> t0 = Avx.UnpackLow(Vector256.Load(r0), Vector256.Load(r1));
        Vector256<float> t1 = Avx.UnpackHigh(Vector256.Load(r0), Vector256.Load(r1));
        Vector256<float> t2 = Avx.UnpackLow(Vector256.Load(r2), Vector256.Load(r3));
        Vector256<float> t3 = Avx.UnpackHigh(Vector256.Load(r2), Vector256.Load(r3));
        Vector256<float> t4 = Avx.UnpackLow(Vector256.Load(r4), Vector256.Load(r5));
        Vector256<float> t5 = Avx.UnpackHigh(Vector256.Load(r4), Vector256.Load(r5));
        Vector256<float> t6 = Avx.UnpackLow(Vector256.Load(r6), Vector256.Load(r7));
        Vector256<float> t7 = Avx.UnpackHigh(Vector256.Load(r6), Vector256.Load(r7));
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        c0 = Avx.Permute2x128(u0, u4, 0x20); c4 = Avx.Permute2x128(u0, u4, 0x31);
        c1 = Avx.Permute2x128(u1, u5, 0x20); c5 = Avx.Permute2x128(u1, u5, 0x31);
        c2 = Avx.Permute2x128(u2, u6, 0x20); c6 = Avx.Permute2x128(u2, u6, 0x31);
        c3 = Avx.Permute2x128(u3, u7, 0x20); c7 = Avx.Permute2x128(u3, u7, 0x31);
    }

    /// <summary>Double version of <see cref="PackA14RowsF32"/>: 4×4 transposes, 4 columns at a time.</summary>
    private static int PackA14RowsF64(double* a, long rs, int kc, double* d)
    {
        int p = 0;
        for (; p + 4 <= kc; p += 4, a += 4, d += 4 * 14)
        {
            Transpose4x4(a, a + rs, a + 2 * rs, a + 3 * rs, out var w0, out var w1, out var w2, out var w3);
            Transpose4x4(a + 4 * rs, a + 5 * rs, a + 6 * rs, a + 7 * rs, out var x0, out var x1, out var x2, out var x3);
            Transpose4x4(a + 8 * rs, a + 9 * rs, a + 10 * rs, a + 11 * rs, out var y0, out var y1, out var y2, out var y3);
            double* r13 = a + 13 * rs;
            Transpose4x4(a + 12 * rs, r13, r13, r13, out var z0, out var z1, out var z2, out var z3);
            w0.Store(d); x0.Store(d + 4); y0.Store(d + 8); z0.Store(d + 12);
            w1.Store(d + 14); x1.Store(d + 18); y1.Store(d + 22); z1.Store(d + 26);
            w2.Store(d + 28); x2.Store(d + 32); y2.Store(d + 36); z2.Store(d + 40);
            w3.Store(d + 42); x3.Store(d + 46); y3.Store(d + 50); z3.Store(d + 54);
        }
        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(double* r0, double* r1, double* r2, double* r3,
        out Vector256<double> c0, out Vector256<double> c1, out Vector256<double> c2, out Vector256<double> c3)
    {
        Vector256<double> t0 = Avx.UnpackLow(Vector256.Load(r0), Vector256.Load(r1));
        Vector256<double> t1 = Avx.UnpackHigh(Vector256.Load(r0), Vector256.Load(r1));
        Vector256<double> t2 = Avx.UnpackLow(Vector256.Load(r2), Vector256.Load(r3));
        Vector256<double> t3 = Avx.UnpackHigh(Vector256.Load(r2), Vector256.Load(r3));
        c0 = Avx.Permute2x128(t0, t2, 0x20); c1 = Avx.Permute2x128(t1, t3, 0x20);
        c2 = Avx.Permute2x128(t0, t2, 0x31); c3 = Avx.Permute2x128(t1, t3, 0x31);
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
                    CopySmall(dst + (long)p * nr, src + p * rs, nn * sizeof(T));
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
