using ILGPU;
using SciKernels.Kernels.Functors;

namespace SciKernels.Kernels.MatMul;

/// <summary>
/// Problem description for <see cref="MatMulKernels.Gemm{T,TArith}"/>:
/// C[b] = alpha * A[b] (M x K) * B[b] (K x N) + beta * C[b], with arbitrary element strides for A, B
/// and C (batch stride 0 broadcasts an operand over the batch; swapping row/col strides gives a
/// transposed view without a copy).
/// </summary>
public readonly struct GemmArgs
{
    /// <summary>Rows of A and C.</summary>
    public readonly int M;
    /// <summary>Columns of B and C.</summary>
    public readonly int N;
    /// <summary>Columns of A / rows of B.</summary>
    public readonly int K;
    /// <summary>Number of matrices in the batch.</summary>
    public readonly int Batch;
    /// <summary>A strides: batch, row (m), column (k), and base offset.</summary>
    public readonly int ABatch, ARow, ACol, AOffset;
    /// <summary>B strides: batch, row (k), column (n), and base offset.</summary>
    public readonly int BBatch, BRow, BCol, BOffset;
    /// <summary>C strides: batch, row (m), column (n), and base offset.</summary>
    public readonly int CBatch, CRow, CCol, COffset;

    /// <summary>Creates the argument block.</summary>
    /// <param name="m">Rows of A and C.</param><param name="n">Columns of B and C.</param>
    /// <param name="k">Inner dimension.</param><param name="batch">Batch count.</param>
    /// <param name="aBatch">A batch stride.</param><param name="aRow">A row stride.</param>
    /// <param name="aCol">A column stride.</param><param name="aOffset">A base offset.</param>
    /// <param name="bBatch">B batch stride.</param><param name="bRow">B row stride.</param>
    /// <param name="bCol">B column stride.</param><param name="bOffset">B base offset.</param>
    /// <param name="cBatch">C batch stride.</param><param name="cRow">C row stride.</param>
    /// <param name="cCol">C column stride.</param><param name="cOffset">C base offset.</param>
    public GemmArgs(int m, int n, int k, int batch,
        int aBatch, int aRow, int aCol, int aOffset,
        int bBatch, int bRow, int bCol, int bOffset,
        int cBatch, int cRow, int cCol, int cOffset)
    {
        M = m; N = n; K = k; Batch = batch;
        ABatch = aBatch; ARow = aRow; ACol = aCol; AOffset = aOffset;
        BBatch = bBatch; BRow = bRow; BCol = bCol; BOffset = bOffset;
        CBatch = cBatch; CRow = cRow; CCol = cCol; COffset = cOffset;
    }

    /// <summary>Row-major contiguous A [batch,M,K], B [batch,K,N], C [batch,M,N].</summary>
    /// <param name="m">Rows.</param><param name="n">Columns.</param><param name="k">Inner.</param>
    /// <param name="batch">Batch count.</param>
    public static GemmArgs Contiguous(int m, int n, int k, int batch = 1) =>
        new(m, n, k, batch, m * k, k, 1, 0, k * n, n, 1, 0, m * n, n, 1, 0);
}

/// <summary>
/// Tiled GEMM. A group of <see cref="Threads"/> x <see cref="Threads"/> threads computes a
/// <see cref="TileMN"/> x <see cref="TileMN"/> block of C, staging <see cref="TileK"/>-deep slabs of A
/// and B in shared memory; each thread keeps a 4 x 4 register block of accumulators (rows
/// <c>ty + 16 i</c>, columns <c>tx + 16 j</c>: conflict-free shared reads, coalesced stores).
/// Grid: (ceil(N/64), ceil(M/64), anything &lt;= Batch) with groups of (16, 16); groups stride over
/// the batch. Edges are zero-padded, so any M, N, K (including K = 0) work.
/// Shared memory per group: 2 * 16 * 64 elements (8 KiB float, 16 KiB double).
/// </summary>
public static class MatMulKernels
{
    /// <summary>Threads per group dimension.</summary>
    public const int Threads = 16;
    /// <summary>Output tile edge (Threads * 4).</summary>
    public const int TileMN = 64;
    /// <summary>Depth of the shared-memory K slab.</summary>
    public const int TileK = 16;
    private const int TileElems = TileK * TileMN;

    /// <summary>C = alpha * A * B + beta * C (batched, strided). beta = 0 never reads C.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T (<see cref="F32"/>/<see cref="F64"/>).</typeparam>
    /// <param name="a">A buffer.</param>
    /// <param name="b">B buffer.</param>
    /// <param name="c">C buffer (must not alias A or B).</param>
    /// <param name="args">Sizes and strides.</param>
    /// <param name="alpha">Scale of A*B.</param>
    /// <param name="beta">Scale of the existing C (0 = overwrite).</param>
    public static void Gemm<T, TArith>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, GemmArgs args, T alpha, T beta)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        var tileA = SharedMemory.Allocate<T>(TileElems); // [k][m]
        var tileB = SharedMemory.Allocate<T>(TileElems); // [k][n]
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int tid = ty * Threads + tx;
        int m0 = Grid.IdxY * TileMN;
        int n0 = Grid.IdxX * TileMN;
        bool readC = TArith.IsNonZero(beta);

        for (int batch = Grid.IdxZ; batch < args.Batch; batch += Grid.DimZ)
        {
            int aBase = args.AOffset + batch * args.ABatch;
            int bBase = args.BOffset + batch * args.BBatch;
            T c00 = TArith.Zero, c01 = TArith.Zero, c02 = TArith.Zero, c03 = TArith.Zero;
            T c10 = TArith.Zero, c11 = TArith.Zero, c12 = TArith.Zero, c13 = TArith.Zero;
            T c20 = TArith.Zero, c21 = TArith.Zero, c22 = TArith.Zero, c23 = TArith.Zero;
            T c30 = TArith.Zero, c31 = TArith.Zero, c32 = TArith.Zero, c33 = TArith.Zero;

            for (int k0 = 0; k0 < args.K; k0 += TileK)
            {
                // Stage A[m0..m0+64, k0..k0+16] as tileA[kk*64 + mm] and B[k0.., n0..] as tileB[kk*64 + nn].
                for (int l = 0; l < TileElems / (Threads * Threads); l++)
                {
                    int e = tid + l * Threads * Threads;
                    int mm = e / TileK, kk = e % TileK;
                    int gm = m0 + mm, gk = k0 + kk;
                    tileA[kk * TileMN + mm] = gm < args.M && gk < args.K
                        ? a[aBase + gm * args.ARow + gk * args.ACol] : TArith.Zero;
                    int kb = e / TileMN, nn = e % TileMN;
                    int gkb = k0 + kb, gn = n0 + nn;
                    tileB[kb * TileMN + nn] = gkb < args.K && gn < args.N
                        ? b[bBase + gkb * args.BRow + gn * args.BCol] : TArith.Zero;
                }
                Group.Barrier();

                for (int kk = 0; kk < TileK; kk++)
                {
                    int ro = kk * TileMN;
                    T a0 = tileA[ro + ty], a1 = tileA[ro + ty + 16], a2 = tileA[ro + ty + 32], a3 = tileA[ro + ty + 48];
                    T b0 = tileB[ro + tx], b1 = tileB[ro + tx + 16], b2 = tileB[ro + tx + 32], b3 = tileB[ro + tx + 48];
                    c00 = TArith.MulAdd(a0, b0, c00); c01 = TArith.MulAdd(a0, b1, c01); c02 = TArith.MulAdd(a0, b2, c02); c03 = TArith.MulAdd(a0, b3, c03);
                    c10 = TArith.MulAdd(a1, b0, c10); c11 = TArith.MulAdd(a1, b1, c11); c12 = TArith.MulAdd(a1, b2, c12); c13 = TArith.MulAdd(a1, b3, c13);
                    c20 = TArith.MulAdd(a2, b0, c20); c21 = TArith.MulAdd(a2, b1, c21); c22 = TArith.MulAdd(a2, b2, c22); c23 = TArith.MulAdd(a2, b3, c23);
                    c30 = TArith.MulAdd(a3, b0, c30); c31 = TArith.MulAdd(a3, b1, c31); c32 = TArith.MulAdd(a3, b2, c32); c33 = TArith.MulAdd(a3, b3, c33);
                }
                Group.Barrier();
            }

            int cBase = args.COffset + batch * args.CBatch;
            Store<T, TArith>(c, args, cBase, m0 + ty, n0 + tx, c00, c01, c02, c03, alpha, beta, readC);
            Store<T, TArith>(c, args, cBase, m0 + ty + 16, n0 + tx, c10, c11, c12, c13, alpha, beta, readC);
            Store<T, TArith>(c, args, cBase, m0 + ty + 32, n0 + tx, c20, c21, c22, c23, alpha, beta, readC);
            Store<T, TArith>(c, args, cBase, m0 + ty + 48, n0 + tx, c30, c31, c32, c33, alpha, beta, readC);
        }
    }

    private static void Store<T, TArith>(ArrayView<T> c, in GemmArgs args, int cBase, int row, int col0,
        T v0, T v1, T v2, T v3, T alpha, T beta, bool readC)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        if (row >= args.M)
            return;
        int rowBase = cBase + row * args.CRow;
        StoreOne<T, TArith>(c, args, rowBase, col0, v0, alpha, beta, readC);
        StoreOne<T, TArith>(c, args, rowBase, col0 + 16, v1, alpha, beta, readC);
        StoreOne<T, TArith>(c, args, rowBase, col0 + 32, v2, alpha, beta, readC);
        StoreOne<T, TArith>(c, args, rowBase, col0 + 48, v3, alpha, beta, readC);
    }

    private static void StoreOne<T, TArith>(ArrayView<T> c, in GemmArgs args, int rowBase, int col, T v,
        T alpha, T beta, bool readC)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        if (col >= args.N)
            return;
        int idx = rowBase + col * args.CCol;
        T r = TArith.Mul(alpha, v);
        c[idx] = readC ? TArith.MulAdd(beta, c[idx], r) : r;
    }
}
