using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SciKernels.Backends;
using SciKernels.Cpu;

namespace SciKernels.Stencils;

/// <summary>
/// CPU kernel of <see cref="FusedStencil"/>: SIMD over contiguous row segments, threads over rows.
/// </summary>
/// <remarks>
/// <para>The unit of work is a segment of at most <see cref="Segment"/> elements of one output row
/// (a line along the last, contiguous axis). For a segment, every linear term becomes a list of
/// (row pointer, coefficient) pairs: a stencil along a slower axis reads neighbouring rows, a
/// stencil along the row reads the same row shifted by −r…r elements. Pairs with the same pointer
/// are merged (the centre coefficients of all axes become one), and one SIMD loop sums them, so each
/// output element is written once and each input row is streamed from cache. The first and last
/// nodes of a row on a non-periodic axis (explicit boundary rows) and the wrap-around nodes of a
/// periodic one are computed by a scalar loop.</para>
/// <para>Partition: fixed grain in segments, independent of the thread count (no reductions, so
/// results are bitwise reproducible anyway). Tiling: long rows are cut into segments that stay in
/// L1; in 3-D, rows are visited in tiles of the middle axis so the planes x−r…x+r of a tile stay in
/// L2 while the x loop sweeps through them.</para>
/// <para>Short rows (3-D grids such as 192³ have rows of a few hundred elements) would spend most of
/// their time in per-row set-up and partial vectors. For linear stencils, consecutive interior rows
/// that are adjacent in memory (the rows of one tile in one plane) share their term list up to the
/// row offset, so their interiors are summed as one flattened run and only the row ends go through
/// the scalar loop; the summation order per element is unchanged, so are the bits. The vector loop
/// aligns its stores and keeps up to eight (pointer, coefficient) pairs in registers.</para>
/// </remarks>
internal static unsafe class CpuStencil
{
    /// <summary>Elements per row segment (16 KiB of float32).</summary>
    public const int Segment = 4096;

    private const long TileBytes = 192 * 1024;

    public static void Run(Tensor[] xs, Tensor y, int[] spatial, LinearTerm[] linear, BilinearTerm[] bilinear)
    {
        if (y.DType == DType.Float32) Run<float>(xs, y, spatial, linear, bilinear);
        else Run<double>(xs, y, spatial, linear, bilinear);
        GC.KeepAlive(xs);
        GC.KeepAlive(y);
    }

    private sealed class Layout
    {
        public required int D;
        public required int[] Spatial;
        public required long[] AxisStride;   // element stride of each spatial axis within a component
        public required long CompStride;     // elements per component
        public required long RowsPerComp;
        public required int RowLength;
        public required int SegsPerRow;
        public required int OutComps;
        public required nint[] FieldBase;
        public required long[] FieldBatchStride;
        public required int Tile;            // rows of axis d−2 per tile (3-D only; 0 = no tiling)
    }

    private static void Run<T>(Tensor[] xs, Tensor y, int[] spatial, LinearTerm[] linear, BilinearTerm[] bilinear)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = spatial.Length;
        var axisStride = new long[d];
        long acc = 1;
        for (int k = d - 1; k >= 0; k--) { axisStride[k] = acc; acc *= spatial[k]; }
        int rowLength = spatial[d - 1];
        long rowsPerComp = acc / Math.Max(rowLength, 1);
        int tile = 0;
        if (d == 3)
        {
            long rowBytes = (long)rowLength * sizeof(T) * (xs.Length + 1);
            tile = (int)Math.Clamp(TileBytes / Math.Max(1, 3 * rowBytes), 1, spatial[1]);
            if (tile >= spatial[1]) tile = 0;
        }
        var lay = new Layout
        {
            D = d, Spatial = spatial, AxisStride = axisStride, CompStride = acc, RowsPerComp = rowsPerComp,
            RowLength = rowLength, SegsPerRow = Math.Max(1, (rowLength + Segment - 1) / Segment), OutComps = y.Size(1),
            FieldBase = Array.ConvertAll(xs, x => (nint)HostMemory.Ptr<T>(x)),
            FieldBatchStride = Array.ConvertAll(xs, x => x.Size(1) * acc),
            Tile = tile,
        };
        var linBy = new LinearTerm[lay.OutComps][];
        var biBy = new BilinearTerm[lay.OutComps][];
        for (int o = 0; o < lay.OutComps; o++)
        {
            linBy[o] = linear.Where(t => t.Out == o).ToArray();
            biBy[o] = bilinear.Where(t => t.Out == o).ToArray();
        }
        nint yBase = (nint)HostMemory.Ptr<T>(y);
        long rows = y.Size(0) * lay.OutComps * rowsPerComp;
        long items = rows * lay.SegsPerRow;
        if (items == 0 || rowLength == 0) return;
        long grain = Math.Max(1, CpuParallel.ElementGrain / Math.Min(rowLength, Segment));
        // Rows farther than this from both ends of a slower axis are "interior": their term lists differ
        // only by the row offset, so consecutive interior rows shift the previous row's pointers.
        var margin = new int[d];
        foreach (var f in linear.Select(t => t.F).Concat(bilinear.SelectMany(t => new[] { t.A, t.B })))
            if (f.Op is not null) margin[f.Axis] = Math.Max(margin[f.Axis], Math.Max(f.Op.Radius, Math.Max(f.Op.LeftCount, f.Op.RightCount)));
        int maxBilinear = biBy.Max(t => t.Length);
        // Linear stencils on rows of one segment: consecutive interior rows that are adjacent in memory
        // (a tile of the middle axis in 3-D, a block of rows in 2-D) have the same term list up to the
        // row offset, so their interiors are summed as one long flattened segment; short rows would
        // otherwise pay the per-row set-up and vector tails on a few hundred elements.
        bool runs = lay.SegsPerRow == 1 && maxBilinear == 0;
        CpuParallel.For(items, grain, (start, count) =>
        {
            var lin = new TermSet<T>();
            var fa = new TermSet<T>[maxBilinear];
            var fb = new TermSet<T>[maxBilinear];
            for (int k = 0; k < maxBilinear; k++) { fa[k] = new TermSet<T>(); fb[k] = new TermSet<T>(); }
            T[]? bufA = null, bufB = null;
            if (maxBilinear > 0)
            {
                bufA = GC.AllocateUninitializedArray<T>(Math.Min(rowLength, Segment), pinned: true);
                bufB = GC.AllocateUninitializedArray<T>(Math.Min(rowLength, Segment), pinned: true);
            }
            var index = new int[d];
            var prevKey = new int[d];
            long prevB = -1, prevRowOffset = 0;
            int prevO = -1;
            // Run of consecutive interior rows adjacent in memory (lin holds the first row's terms).
            T* runDst = null;
            long runOffset = 0;
            int runRows = 0;
            long first = start / lay.SegsPerRow;
            int seg = (int)(start % lay.SegsPerRow);
            long q = first % rowsPerComp;
            int o = (int)(first / rowsPerComp % lay.OutComps);
            long b = first / rowsPerComp / lay.OutComps;
            RowIndex(lay, q, index);
            for (long it = start; it < start + count; it++)
            {
                if (it > start && ++seg == lay.SegsPerRow)
                {
                    seg = 0;
                    if (!NextRow(lay, index))
                    {
                        if (++o == lay.OutComps) { o = 0; b++; }
                    }
                }
                int j0 = seg * Segment, j1 = Math.Min(rowLength, j0 + Segment);
                long rowOffset = 0;
                bool reuse = lay.SegsPerRow == 1 && b == prevB && o == prevO;
                for (int k = 0; k < d - 1; k++)
                {
                    rowOffset += index[k] * axisStride[k];
                    int key = index[k] >= margin[k] && index[k] < spatial[k] - margin[k] ? -1 : index[k];
                    reuse &= key == prevKey[k];
                    prevKey[k] = key;
                }
                T* dst = (T*)yBase + (b * lay.OutComps + o) * lay.CompStride + rowOffset;
                if (runs)
                {
                    prevB = b;
                    prevO = o;
                    if (reuse && runRows > 0 && rowOffset - runOffset == (long)runRows * rowLength)
                    {
                        runRows++;
                        continue;
                    }
                    if (runRows > 0) lin.EvaluateRows(runRows, runDst);
                    if (reuse) lin.Shift((nint)((rowOffset - runOffset) * sizeof(T)));
                    else
                    {
                        lin.Reset(rowLength);
                        foreach (var t in linBy[o]) lin.Add(lay, t.F, t.Coef, b, index, rowOffset);
                    }
                    runDst = dst;
                    runOffset = rowOffset;
                    runRows = 1;
                    continue;
                }
                var bis = biBy[o];
                if (reuse)
                {
                    nint delta = (nint)((rowOffset - prevRowOffset) * sizeof(T));
                    lin.Shift(delta);
                    for (int k = 0; k < bis.Length; k++) { fa[k].Shift(delta); fb[k].Shift(delta); }
                }
                else
                {
                    lin.Reset(rowLength);
                    foreach (var t in linBy[o]) lin.Add(lay, t.F, t.Coef, b, index, rowOffset);
                    for (int k = 0; k < bis.Length; k++)
                    {
                        fa[k].Reset(rowLength);
                        fa[k].Add(lay, bis[k].A, 1, b, index, rowOffset);
                        fb[k].Reset(rowLength);
                        fb[k].Add(lay, bis[k].B, 1, b, index, rowOffset);
                    }
                }
                prevB = b;
                prevO = o;
                prevRowOffset = rowOffset;
                lin.Evaluate(j0, j1, dst);
                for (int k = 0; k < bis.Length; k++)
                {
                    fixed (T* pa = bufA, pb = bufB)
                    {
                        fa[k].Evaluate(j0, j1, pa - j0);
                        fb[k].Evaluate(j0, j1, pb - j0);
                        MultiplyAccumulate(pa, pb, T.CreateTruncating(bis[k].Coef), dst + j0, j1 - j0);
                    }
                }
            }
            if (runRows > 0) lin.EvaluateRows(runRows, runDst);
        });
    }

    /// <summary>Spatial multi-index (axes 0…d−2) of row q, in tiled order for 3-D grids.</summary>
    private static void RowIndex(Layout lay, long q, int[] index)
    {
        switch (lay.D)
        {
            case 1: return;
            case 2: index[0] = (int)q; return;
        }
        int n0 = lay.Spatial[0], n1 = lay.Spatial[1];
        if (lay.Tile == 0)
        {
            index[0] = (int)(q / n1);
            index[1] = (int)(q % n1);
            return;
        }
        long perTile = (long)n0 * lay.Tile;
        int t = (int)(q / perTile);
        int rem = (int)(q - t * perTile);
        int len = Math.Min(lay.Tile, n1 - t * lay.Tile);
        index[0] = rem / len;
        index[1] = t * lay.Tile + rem % len;
    }

    /// <summary>
    /// Moves <paramref name="index"/> to the next row in <see cref="RowIndex"/> order; false when it wrapped
    /// past the last row of a component (index is then back at the first row).
    /// </summary>
    private static bool NextRow(Layout lay, int[] index)
    {
        switch (lay.D)
        {
            case 1: return false;
            case 2:
                if (++index[0] < lay.Spatial[0]) return true;
                index[0] = 0;
                return false;
        }
        int n0 = lay.Spatial[0], n1 = lay.Spatial[1];
        if (lay.Tile == 0)
        {
            if (++index[1] < n1) return true;
            index[1] = 0;
            if (++index[0] < n0) return true;
            index[0] = 0;
            return false;
        }
        int tileStart = index[1] / lay.Tile * lay.Tile;
        int tileEnd = Math.Min(n1, tileStart + lay.Tile);
        if (++index[1] < tileEnd) return true;
        index[1] = tileStart;
        if (++index[0] < n0) return true;
        index[0] = 0;
        if (tileEnd < n1) { index[1] = tileEnd; return true; }
        index[1] = 0;
        return false;
    }

    /// <summary>dst[j] += c·a[j]·b[j].</summary>
    private static void MultiplyAccumulate<T>(T* a, T* b, T c, T* dst, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var cv = Vector512.Create(c);
            for (; j + Vector512<T>.Count <= n; j += Vector512<T>.Count)
                (Vector512.Load(dst + j) + cv * Vector512.Load(a + j) * Vector512.Load(b + j)).Store(dst + j);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var cv = Vector256.Create(c);
            for (; j + Vector256<T>.Count <= n; j += Vector256<T>.Count)
                (Vector256.Load(dst + j) + cv * Vector256.Load(a + j) * Vector256.Load(b + j)).Store(dst + j);
        }
        for (; j < n; j++) dst[j] += c * a[j] * b[j];
    }

    /// <summary>The (pointer, coefficient) pairs of one output row segment.</summary>
    private sealed class TermSet<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Terms valid over the whole row (identity terms and stencils along slower axes).
        private nint[] ptr = new nint[16];
        private T[] coef = new T[16];
        private int count;
        // Stencils along the row itself.
        private nint[] rowPtr = new nint[4];
        private AxisOperator[] rowOp = new AxisOperator[4];
        private T[] rowCoef = new T[4];
        private int rowCount;
        // All terms merged, valid for j in [jlo, jhi).
        private nint[] fullPtr = new nint[32];
        private T[] fullCoef = new T[32];
        private Vector512<T>[] coef512 = new Vector512<T>[32];
        private Vector256<T>[] coef256 = new Vector256<T>[32];
        private int fullCount;
        private bool fullValid;
        private T constant;
        private int jlo, jhi, length;

        public void Reset(int rowLength)
        {
            fullValid = false;
            count = 0;
            rowCount = 0;
            constant = T.Zero;
            length = rowLength;
            jlo = 0;
            jhi = rowLength;
        }

        public void Add(Layout lay, Factor f, double c, long b, int[] index, long rowOffset)
        {
            T* row = (T*)lay.FieldBase[f.Field] + b * lay.FieldBatchStride[f.Field] + f.Comp * lay.CompStride + rowOffset;
            if (f.Op is null) { Push((nint)row, c); return; }
            var op = f.Op;
            if (f.Axis == lay.D - 1)
            {
                if (rowCount == rowPtr.Length)
                {
                    Array.Resize(ref rowPtr, rowCount * 2);
                    Array.Resize(ref rowOp, rowCount * 2);
                    Array.Resize(ref rowCoef, rowCount * 2);
                }
                rowPtr[rowCount] = (nint)row;
                rowOp[rowCount] = op;
                rowCoef[rowCount++] = T.CreateTruncating(c);
                int lo = op.Periodic ? op.Radius : op.LeftCount;
                int hi = length - (op.Periodic ? op.Radius : op.RightCount);
                jlo = Math.Max(jlo, lo);
                jhi = Math.Min(jhi, hi);
                return;
            }
            int i = index[f.Axis];
            long stride = lay.AxisStride[f.Axis];
            var er = op.Explicit(i);
            if (er is not null)
            {
                for (int k = 0; k < er.Cols.Length; k++) Push((nint)(row + (er.Cols[k] - i) * stride), c * er.Weights[k]);
                constant += T.CreateTruncating(c * er.Bias);
                return;
            }
            for (int s = -op.Radius; s <= op.Radius; s++)
            {
                double w = op.Coef[s + op.Radius];
                if (w == 0) continue;
                int col = op.Periodic ? AxisOperator.Wrap(i + s, op.N) : i + s;
                Push((nint)(row + (col - i) * stride), c * w);
            }
        }

        /// <summary>Moves every pointer by <paramref name="delta"/> bytes (the next interior row).</summary>
        public void Shift(nint delta)
        {
            for (int k = 0; k < count; k++) ptr[k] += delta;
            for (int k = 0; k < rowCount; k++) rowPtr[k] += delta;
            for (int k = 0; k < fullCount; k++) fullPtr[k] += delta;
        }

        private void Push(nint p, double c)
        {
            if (count == ptr.Length)
            {
                Array.Resize(ref ptr, count * 2);
                Array.Resize(ref coef, count * 2);
            }
            ptr[count] = p;
            coef[count++] = T.CreateTruncating(c);
        }

        private void PushFull(nint p, T c)
        {
            for (int k = 0; k < fullCount; k++)
                if (fullPtr[k] == p) { fullCoef[k] += c; return; }
            if (fullCount == fullPtr.Length)
            {
                Array.Resize(ref fullPtr, fullCount * 2);
                Array.Resize(ref fullCoef, fullCount * 2);
                Array.Resize(ref coef512, fullCount * 2);
                Array.Resize(ref coef256, fullCount * 2);
            }
            fullPtr[fullCount] = p;
            fullCoef[fullCount++] = c;
        }

        /// <summary>Writes the segment [j0, j1) of the row to dst[j0 … j1).</summary>
        public void Evaluate(int j0, int j1, T* dst)
        {
            int ia = Math.Clamp(jlo, j0, j1);
            int ib = Math.Clamp(jhi, ia, j1);
            if (ib > ia) EnsureFull();
            if (ib > ia) SumTerms(ia, ib, dst);
            for (int j = j0; j < ia; j++) dst[j] = Scalar(j, 0);
            for (int j = ib; j < j1; j++) dst[j] = Scalar(j, 0);
        }

        /// <summary>
        /// Writes <paramref name="rows"/> whole rows that follow this one in memory (same terms up to the
        /// row offset): the interiors as one flattened vector sweep — its values at the row ends read
        /// only memory of the run's rows and are then overwritten by the scalar boundary loop, and every
        /// element is summed in the same order as row by row, so the bits do not change.
        /// </summary>
        public void EvaluateRows(int rows, T* dst)
        {
            if (rows == 1) { Evaluate(0, length, dst); return; }
            int ia = Math.Clamp(jlo, 0, length);
            int ib = Math.Clamp(jhi, ia, length);
            if (ib > ia)
            {
                EnsureFull();
                SumTerms(ia, (rows - 1) * length + ib, dst);
            }
            for (int r = 0; r < rows; r++)
            {
                long shift = (long)r * length;
                for (int j = 0; j < ia; j++) dst[shift + j] = Scalar(j, shift);
                for (int j = ib; j < length; j++) dst[shift + j] = Scalar(j, shift);
            }
        }

        /// <summary>Builds the merged (pointer, coefficient) list of the interior columns once per term set.</summary>
        private void EnsureFull()
        {
            if (!fullValid)
            {
                fullValid = true;
                fullCount = 0;
                for (int k = 0; k < count; k++) PushFull(ptr[k], coef[k]);
                for (int k = 0; k < rowCount; k++)
                {
                    var op = rowOp[k];
                    for (int s = -op.Radius; s <= op.Radius; s++)
                    {
                        double w = op.Coef[s + op.Radius];
                        if (w != 0) PushFull((nint)((T*)rowPtr[k] + s), rowCoef[k] * T.CreateTruncating(w));
                    }
                }
                for (int k = 0; k < fullCount; k++)
                {
                    coef512[k] = Vector512.Create(fullCoef[k]);
                    coef256[k] = Vector256.Create(fullCoef[k]);
                }
            }
        }

        /// <summary>Column j of the row <paramref name="shift"/> elements after this one.</summary>
        private T Scalar(int j, long shift)
        {
            T v = constant;
            for (int k = 0; k < count; k++) v += coef[k] * ((T*)ptr[k])[shift + j];
            for (int k = 0; k < rowCount; k++)
            {
                var op = rowOp[k];
                T* x = (T*)rowPtr[k] + shift;
                T sum = T.Zero;
                var er = op.Explicit(j);
                if (er is not null)
                {
                    for (int e = 0; e < er.Cols.Length; e++) sum += T.CreateTruncating(er.Weights[e]) * x[er.Cols[e]];
                    sum += T.CreateTruncating(er.Bias);
                }
                else
                {
                    for (int s = -op.Radius; s <= op.Radius; s++)
                    {
                        double w = op.Coef[s + op.Radius];
                        if (w == 0) continue;
                        int c = j + s;
                        if (op.Periodic) c = c < 0 ? c + op.N : c >= op.N ? c - op.N : c;
                        sum += T.CreateTruncating(w) * x[c];
                    }
                }
                v += rowCoef[k] * sum;
            }
            return v;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SumTerms(int ia, int ib, T* dst)
        {
            int j = ia;
            int n = fullCount;
            if (n == 0)
            {
                for (; j < ib; j++) dst[j] = constant;
                return;
            }
            fixed (nint* pp = fullPtr)
            {
                // Peel to a vector-aligned destination: stores then never split cache lines (the centre and
                // slower-axis loads of aligned rows align too). Same summation order as the vector lanes.
                int vbytes = Vector512.IsHardwareAccelerated ? 64 : 32;
                if (ib - j >= 8 * vbytes / sizeof(T))
                {
                    for (; ((nint)(dst + j) & (vbytes - 1)) != 0; j++)
                    {
                        T v = constant;
                        for (int k = 0; k < n; k++) v += fullCoef[k] * ((T*)pp[k])[j];
                        dst[j] = v;
                    }
                }
                if (Vector512.IsHardwareAccelerated)
                {
                    int w = Vector512<T>.Count;
                    var cst = Vector512.Create(constant);
                    fixed (Vector512<T>* cv = coef512)
                    {
                        // Up to 8 terms (the 2nd-order Laplacian in 3-D has 7): a loop specialised for the count
                        // keeps pointers and coefficients in registers.
                        j = n switch
                        {
                            1 => SumFixed<Count1>(j, ib, pp, cv, cst, dst),
                            2 => SumFixed<Count2>(j, ib, pp, cv, cst, dst),
                            3 => SumFixed<Count3>(j, ib, pp, cv, cst, dst),
                            4 => SumFixed<Count4>(j, ib, pp, cv, cst, dst),
                            5 => SumFixed<Count5>(j, ib, pp, cv, cst, dst),
                            6 => SumFixed<Count6>(j, ib, pp, cv, cst, dst),
                            7 => SumFixed<Count7>(j, ib, pp, cv, cst, dst),
                            8 => SumFixed<Count8>(j, ib, pp, cv, cst, dst),
                            _ => j,
                        };
                        for (; j + 4 * w <= ib; j += 4 * w)
                        {
                            T* p = (T*)pp[0] + j;
                            var c = cv[0];
                            var a0 = cst + c * Vector512.Load(p);
                            var a1 = cst + c * Vector512.Load(p + w);
                            var a2 = cst + c * Vector512.Load(p + 2 * w);
                            var a3 = cst + c * Vector512.Load(p + 3 * w);
                            for (int k = 1; k < n; k++)
                            {
                                p = (T*)pp[k] + j;
                                c = cv[k];
                                a0 += c * Vector512.Load(p);
                                a1 += c * Vector512.Load(p + w);
                                a2 += c * Vector512.Load(p + 2 * w);
                                a3 += c * Vector512.Load(p + 3 * w);
                            }
                            a0.Store(dst + j);
                            a1.Store(dst + j + w);
                            a2.Store(dst + j + 2 * w);
                            a3.Store(dst + j + 3 * w);
                        }
                        for (; j + w <= ib; j += w)
                        {
                            var a = cst;
                            for (int k = 0; k < n; k++) a += cv[k] * Vector512.Load((T*)pp[k] + j);
                            a.Store(dst + j);
                        }
                    }
                }
                else if (Vector256.IsHardwareAccelerated)
                {
                    int w = Vector256<T>.Count;
                    var cst = Vector256.Create(constant);
                    fixed (Vector256<T>* cv = coef256)
                    {
                        for (; j + 2 * w <= ib; j += 2 * w)
                        {
                            var a0 = cst;
                            var a1 = cst;
                            for (int k = 0; k < n; k++)
                            {
                                T* p = (T*)pp[k] + j;
                                a0 += cv[k] * Vector256.Load(p);
                                a1 += cv[k] * Vector256.Load(p + w);
                            }
                            a0.Store(dst + j);
                            a1.Store(dst + j + w);
                        }
                    }
                }
                for (; j < ib; j++)
                {
                    T v = constant;
                    for (int k = 0; k < n; k++) v += fullCoef[k] * ((T*)pp[k])[j];
                    dst[j] = v;
                }
            }
        }

        /// <summary>
        /// dst[j…] = cst + Σₖ cvₖ·ppₖ[j…] over whole vectors for a term count fixed at JIT time; returns the
        /// first index not written. Same summation order as the general loops.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int SumFixed<TCount>(int j, int ib, nint* pp, Vector512<T>* cv, Vector512<T> cst, T* dst) where TCount : struct, ITermCount
        {
            int n = TCount.Value, w = Vector512<T>.Count;
            T* q0 = (T*)pp[0], q1 = q0, q2 = q0, q3 = q0, q4 = q0, q5 = q0, q6 = q0, q7 = q0;
            Vector512<T> k0 = cv[0], k1 = default, k2 = default, k3 = default, k4 = default, k5 = default, k6 = default, k7 = default;
            if (n > 1) { q1 = (T*)pp[1]; k1 = cv[1]; }
            if (n > 2) { q2 = (T*)pp[2]; k2 = cv[2]; }
            if (n > 3) { q3 = (T*)pp[3]; k3 = cv[3]; }
            if (n > 4) { q4 = (T*)pp[4]; k4 = cv[4]; }
            if (n > 5) { q5 = (T*)pp[5]; k5 = cv[5]; }
            if (n > 6) { q6 = (T*)pp[6]; k6 = cv[6]; }
            if (n > 7) { q7 = (T*)pp[7]; k7 = cv[7]; }
            for (; j + w <= ib; j += w)
            {
                var a = cst + k0 * Vector512.Load(q0 + j);
                if (n > 1) a += k1 * Vector512.Load(q1 + j);
                if (n > 2) a += k2 * Vector512.Load(q2 + j);
                if (n > 3) a += k3 * Vector512.Load(q3 + j);
                if (n > 4) a += k4 * Vector512.Load(q4 + j);
                if (n > 5) a += k5 * Vector512.Load(q5 + j);
                if (n > 6) a += k6 * Vector512.Load(q6 + j);
                if (n > 7) a += k7 * Vector512.Load(q7 + j);
                a.Store(dst + j);
            }
            return j;
        }
    }

    /// <summary>A term count known when a loop is compiled (value-type generics are specialised per type).</summary>
    private interface ITermCount
    {
        static abstract int Value { get; }
    }

    private struct Count1 : ITermCount { public static int Value => 1; }

    private struct Count2 : ITermCount { public static int Value => 2; }

    private struct Count3 : ITermCount { public static int Value => 3; }

    private struct Count4 : ITermCount { public static int Value => 4; }

    private struct Count5 : ITermCount { public static int Value => 5; }

    private struct Count6 : ITermCount { public static int Value => 6; }

    private struct Count7 : ITermCount { public static int Value => 7; }

    private struct Count8 : ITermCount { public static int Value => 8; }
}
