using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SciKernels.Cpu;

namespace SciKernels.Graphs;

public static partial class NeighborList
{
    /// <summary>
    /// The CPU search. (1) Bin: wrap, counting-sort the atoms by bin, copy positions into bin order.
    /// (2) Half list: each receiver walks only half of the stencil of bins around it (offsets after
    /// (0, 0, 0) in lexicographic order, and the atoms after itself in its own bin), so every
    /// unordered pair (i, j, S) / (j, i, −S) is tested once; the stencil is laid out as runs of
    /// contiguous atoms once per bin, and the exact test runs 8 candidates at a time. (3) Full list: each half pair is written
    /// into its receiver's segment and, mirrored, into the other atom's (D of the mirror is −D
    /// exactly, so its distance is the same bits). (4) Each segment is sorted by (j, S) — the keys are
    /// unique, so the order does not depend on the order in which threads filled the segments.
    /// </summary>
    private static void RunCpu(Frame f, NeighborListWorkspace ws, NeighborPairBuffer output)
    {
        int n = f.N;
        var pos = output.Positions;
        f.Pos = pos;
        BinInto(f, pos, ws);
        int chunks = (n + ReceiversPerChunk - 1) / ReceiversPerChunk;
        // The serial path stays free of delegates and closures: an MD step on a small system allocates nothing.
        bool parallel = n >= ws.ParallelAtoms && chunks > 1;

        // 2. The half list, per chunk of receivers (bin order).
        if (ws.Chunks.Length < chunks) Array.Resize(ref ws.Chunks, chunks);
        NeighborListWorkspace.Ensure(ref ws.HalfCount, n);
        if (parallel) HalfParallel(f, ws, chunks);
        else for (int c = 0; c < chunks; c++) HalfChunk(f, ws, c);

        // 3. Segment sizes: each half pair counts for both its atoms.
        var offsets = NeighborListWorkspace.Ensure(ref ws.Offsets, n + 1);
        var binAtoms = ws.BinAtoms;
        offsets.AsSpan(0, n + 1).Clear();
        for (int c = 0; c < chunks; c++)
        {
            var buf = ws.Chunks[c]!;
            var other = buf.K;
            for (int e = 0; e < buf.Used; e++) offsets[binAtoms[other[e]] + 1]++;
        }
        for (int k = 0; k < n; k++) offsets[binAtoms[k] + 1] += ws.HalfCount[k];
        for (int i = 0; i < n; i++) offsets[i + 1] += offsets[i];
        long count = offsets[n];
        if (count > Array.MaxLength / 3)
            throw new TensorException("NeighborList", $"{count} pairs within cutoff {f.Cutoff} for {n} atoms exceed what one list can hold; use a smaller cutoff");
        int total = (int)count;

        // 4. Fill the full list (uncapped) and sort each segment; every element is written, so no zeroing.
        bool capped = f.MaxNeighbors > 0;
        long[] second, shifts;
        long[]? first = null;
        double[] dist;
        if (capped)
        {
            second = NeighborListWorkspace.Ensure(ref ws.CapSecond, total);
            shifts = NeighborListWorkspace.Ensure(ref ws.CapShifts, 3L * total);
            dist = NeighborListWorkspace.Ensure(ref ws.CapDistances, total);
        }
        else
        {
            output.Reserve(total);
            first = output.FirstArray;
            second = output.SecondArray;
            shifts = output.ShiftsArray;
            dist = output.DistancesArray;
        }
        var mirrored = NeighborListWorkspace.Ensure(ref ws.Mirrored, n);
        mirrored.AsSpan(0, n).Clear();
        if (parallel) ScatterAndSortParallel(ws, chunks, n, first, second, shifts, dist);
        else
        {
            for (int c = 0; c < chunks; c++) Scatter(ws, c, n, false, second, shifts, dist);
            for (int c = 0; c < chunks; c++) SortChunk(offsets, c, n, first, second, shifts, dist);
        }
        if (ws.Transient) ws.ReturnChunks();
        if (capped) Cap(f, ws, second, shifts, dist, output);
    }

    /// <summary>Step 2 on the thread pool.</summary>
    private static void HalfParallel(Frame f, NeighborListWorkspace ws, int chunks)
        => CpuParallel.For(chunks, 1, (c0, cn) =>
        {
            for (long c = c0; c < c0 + cn; c++) HalfChunk(f, ws, (int)c);
        });

    /// <summary>Steps 3 and 4 on the thread pool (the sort needs every chunk's mirrors in place first).</summary>
    private static void ScatterAndSortParallel(NeighborListWorkspace ws, int chunks, int n, long[]? first, long[] second, long[] shifts, double[] dist)
    {
        CpuParallel.For(chunks, 1, (c0, cn) =>
        {
            for (long c = c0; c < c0 + cn; c++) Scatter(ws, (int)c, n, true, second, shifts, dist);
        });
        var offsets = ws.Offsets;
        CpuParallel.For(chunks, 1, (c0, cn) =>
        {
            for (long c = c0; c < c0 + cn; c++) SortChunk(offsets, (int)c, n, first, second, shifts, dist);
        });
    }

    /// <summary>Sorts the segments of receivers [c·chunk, (c + 1)·chunk) (atom order) and writes their <c>i</c> when <paramref name="first"/> is given.</summary>
    private static void SortChunk(long[] offsets, int c, int n, long[]? first, long[] second, long[] shifts, double[] dist)
    {
        int lo = c * ReceiversPerChunk, hi = Math.Min(n, lo + ReceiversPerChunk);
        for (int i = lo; i < hi; i++)
        {
            int o0 = (int)offsets[i], o1 = (int)offsets[i + 1];
            SortSegment(second, shifts, dist, o0, o1);
            if (first is not null) first.AsSpan(o0, o1 - o0).Fill(i);
        }
    }

    /// <summary>Keeps the nearest <see cref="Frame.MaxNeighbors"/> pairs of each (sorted) segment, in (j, S) order, into <paramref name="output"/>.</summary>
    private static void Cap(Frame f, NeighborListWorkspace ws, long[] second, long[] shifts, double[] dist, NeighborPairBuffer output)
    {
        int n = f.N, cap = f.MaxNeighbors;
        var offsets = ws.Offsets;
        var capOffsets = NeighborListWorkspace.Ensure(ref ws.CapOffsets, n + 1L);
        capOffsets[0] = 0;
        for (int i = 0; i < n; i++) capOffsets[i + 1] = capOffsets[i] + Math.Min(cap, offsets[i + 1] - offsets[i]);
        int total = (int)capOffsets[n];
        output.Reserve(total);
        var first = output.FirstArray;
        var outSecond = output.SecondArray;
        var outShifts = output.ShiftsArray;
        var outDist = output.DistancesArray;
        if (ws.CapScratch.Length < 16) ws.CapScratch = new Pair[16];
        for (int i = 0; i < n; i++)
        {
            int o0 = (int)offsets[i], m = (int)(offsets[i + 1] - o0);
            if (ws.CapScratch.Length < m) ws.CapScratch = new Pair[m];
            var span = ws.CapScratch.AsSpan(0, m);
            for (int e = 0; e < m; e++)
            {
                int o = o0 + e;
                span[e] = new Pair(i, (int)second[o], shifts[3 * o], shifts[3 * o + 1], shifts[3 * o + 2], dist[o]);
            }
            var kept = Frame.SortAndCap(span, cap);
            int w = (int)capOffsets[i];
            foreach (ref readonly var p in kept)
            {
                first[w] = i;
                outSecond[w] = p.J;
                outShifts[3 * w] = p.S0;
                outShifts[3 * w + 1] = p.S1;
                outShifts[3 * w + 2] = p.S2;
                outDist[w] = p.D;
                w++;
            }
        }
    }

    /// <summary>
    /// Step 1: wraps the periodic coordinates into [0, 1) (remembering the whole cells moved), bins the
    /// atoms, counting-sorts them by bin (stable) and lays out the bin-order arrays the walk reads.
    /// </summary>
    private static void BinInto(Frame f, double[] pos, NeighborListWorkspace ws)
    {
        int n = f.N;
        int nb0 = f.Bins[0], nb1 = f.Bins[1], nb2 = f.Bins[2];
        int numBins = nb0 * nb1 * nb2;
        var binOf = NeighborListWorkspace.Ensure(ref ws.BinOf, n);
        var wrapped = NeighborListWorkspace.Ensure(ref ws.AtomWrapped, 3L * n);
        var moved = NeighborListWorkspace.Ensure(ref ws.AtomMoved, 3L * n);
        var inv = f.Inverse;
        var cell = f.Cell;
        double i0 = inv[0], i1 = inv[1], i2 = inv[2], i3 = inv[3], i4 = inv[4], i5 = inv[5], i6 = inv[6], i7 = inv[7], i8 = inv[8];
        bool p0 = f.Periodic[0], p1 = f.Periodic[1], p2 = f.Periodic[2];
        for (int i = 0; i < n; i++)
        {
            double x = pos[3 * i], y = pos[3 * i + 1], z = pos[3 * i + 2];
            // Fractional coordinates: the same expression as Frame.Frac, so both binnings agree.
            double f0 = x * i0 + y * i3 + z * i6;
            double f1 = x * i1 + y * i4 + z * i7;
            double f2 = x * i2 + y * i5 + z * i8;
            long n0 = p0 ? Whole(f0, i, 0) : 0, n1 = p1 ? Whole(f1, i, 1) : 0, n2 = p2 ? Whole(f2, i, 2) : 0;
            if (p0) f0 -= n0;
            if (p1) f1 -= n1;
            if (p2) f2 -= n2;
            int c0 = (int)Math.Clamp(Math.Floor((f0 - f.Low[0]) / f.Width[0]), 0, nb0 - 1);
            int c1 = (int)Math.Clamp(Math.Floor((f1 - f.Low[1]) / f.Width[1]), 0, nb1 - 1);
            int c2 = (int)Math.Clamp(Math.Floor((f2 - f.Low[2]) / f.Width[2]), 0, nb2 - 1);
            binOf[i] = (c0 * nb1 + c1) * nb2 + c2;
            moved[3 * i] = n0;
            moved[3 * i + 1] = n1;
            moved[3 * i + 2] = n2;
            for (int c = 0; c < 3; c++)
                wrapped[3 * i + c] = pos[3 * i + c] - n0 * cell[c] - n1 * cell[3 + c] - n2 * cell[6 + c];
        }
        var binStart = NeighborListWorkspace.Ensure(ref ws.BinStart, numBins + 1L);
        binStart.AsSpan(0, numBins + 1).Clear();
        for (int i = 0; i < n; i++) binStart[binOf[i] + 1]++;
        for (int b = 0; b < numBins; b++) binStart[b + 1] += binStart[b];
        var fill = NeighborListWorkspace.Ensure(ref ws.BinFill, numBins);
        binStart.AsSpan(0, numBins).CopyTo(fill);
        var binAtoms = NeighborListWorkspace.Ensure(ref ws.BinAtoms, n);
        for (int i = 0; i < n; i++) binAtoms[fill[binOf[i]]++] = i;

        const int pad = WalkLanes;
        var bx = NeighborListWorkspace.Ensure(ref ws.Bx, n + pad);
        var by = NeighborListWorkspace.Ensure(ref ws.By, n + pad);
        var bz = NeighborListWorkspace.Ensure(ref ws.Bz, n + pad);
        var px = NeighborListWorkspace.Ensure(ref ws.Px, n + pad);
        var py = NeighborListWorkspace.Ensure(ref ws.Py, n + pad);
        var pz = NeighborListWorkspace.Ensure(ref ws.Pz, n + pad);
        var m0 = NeighborListWorkspace.Ensure(ref ws.M0, n + pad);
        var m1 = NeighborListWorkspace.Ensure(ref ws.M1, n + pad);
        var m2 = NeighborListWorkspace.Ensure(ref ws.M2, n + pad);
        for (int k = 0; k < n; k++)
        {
            int i = binAtoms[k];
            bx[k] = wrapped[3 * i];
            by[k] = wrapped[3 * i + 1];
            bz[k] = wrapped[3 * i + 2];
            px[k] = pos[3 * i];
            py[k] = pos[3 * i + 1];
            pz[k] = pos[3 * i + 2];
            m0[k] = moved[3 * i];
            m1[k] = moved[3 * i + 1];
            m2[k] = moved[3 * i + 2];
        }
        // Padding read by the last vector of a run: so far away that it never passes the pre-filter.
        bx.AsSpan(n, pad).Fill(1e300);
        by.AsSpan(n, pad).Fill(1e300);
        bz.AsSpan(n, pad).Fill(1e300);
        // The vector walk reads whole vectors past the last atom too (and masks those lanes out).
        px.AsSpan(n, pad).Clear();
        py.AsSpan(n, pad).Clear();
        pz.AsSpan(n, pad).Clear();
        m0.AsSpan(n, pad).Clear();
        m1.AsSpan(n, pad).Clear();
        m2.AsSpan(n, pad).Clear();

        for (int a = 0; a < 3; a++)
        {
            int r = f.Range[a], nb = f.Bins[a];
            var lb = NeighborListWorkspace.Ensure(ref ws.LocBin[a], nb + 2L * r);
            var li = NeighborListWorkspace.Ensure(ref ws.LocImage[a], nb + 2L * r);
            for (int c = -r; c < nb + r; c++)
            {
                bool ok = f.Locate(a, c, out int bin, out long image);
                lb[c + r] = ok ? bin : -1;
                li[c + r] = image;
            }
        }
    }

    /// <summary>Whole cells of fractional coordinate <paramref name="fa"/> (atom <paramref name="i"/>, axis <paramref name="a"/>).</summary>
    private static long Whole(double fa, int i, int a)
    {
        // Beyond 2^50 cells, wrapping loses the position's digits: refuse rather than guess.
        if (Math.Abs(fa) > 1L << 50)
            throw new TensorException("NeighborList", $"atom {i} lies {fa:G3} cell lengths from the origin along axis {a}; wrap the positions into the cell first");
        return (long)Math.Floor(fa);
    }

    private const int WalkLanes = 8; // Vector512<double>

    /// <summary>One piece of a bin's half stencil: atoms [Start, End) (bin order) seen through image (S0, S1, S2).</summary>
    internal struct StencilRow
    {
        public int Start, End;
        public long S0, S1, S2;
        public bool Own; // the receiver's own bin: the walk starts after the receiver
    }

    /// <summary>
    /// The half-list pairs of one chunk of receivers, as parallel arrays with <see cref="WalkLanes"/>
    /// entries of slack (the vector walk stores whole vectors), and the stencil of the current bin.
    /// </summary>
    internal sealed class HalfChunkBuffer
    {
        public int[] K = [];                        // the other atom (bin order)
        public long[] S0 = [], S1 = [], S2 = [];    // the pair's shift seen from its receiver
        public double[] D = [];
        public int Used;
        public StencilRow[] Rows = new StencilRow[16];

        /// <summary>Makes room for <paramref name="more"/> entries after <see cref="Used"/> (plus the slack), keeping the contents.</summary>
        public void Reserve(int more)
        {
            long need = (long)Used + more + WalkLanes;
            if (K.Length >= need) return;
            int size = (int)Math.Min(Array.MaxLength, Math.Max(need, Math.Max(8L * ReceiversPerChunk, 2L * K.Length)));
            // Pooled: a fresh workspace per call (the plain Search) must not fault in new pages each time.
            Grow(ref K, size);
            Grow(ref S0, size);
            Grow(ref S1, size);
            Grow(ref S2, size);
            Grow(ref D, size);
        }

        private void Grow<T>(ref T[] a, int size)
        {
            var bigger = ArrayPool<T>.Shared.Rent(size);
            a.AsSpan(0, Used).CopyTo(bigger);
            if (a.Length > 0) ArrayPool<T>.Shared.Return(a);
            a = bigger;
        }

        /// <summary>Hands the pair arrays back to the shared pool.</summary>
        public void Return()
        {
            if (K.Length > 0)
            {
                ArrayPool<int>.Shared.Return(K);
                ArrayPool<long>.Shared.Return(S0);
                ArrayPool<long>.Shared.Return(S1);
                ArrayPool<long>.Shared.Return(S2);
                ArrayPool<double>.Shared.Return(D);
            }
            K = [];
            S0 = S1 = S2 = [];
            D = [];
            Used = 0;
        }
    }

    /// <summary>
    /// Step 2 for the receivers of chunk <paramref name="c"/> (bin order): their half-list pairs into the
    /// chunk's buffer. The stencil is laid out once per bin (the receivers of a bin share it).
    /// </summary>
    private static void HalfChunk(Frame f, NeighborListWorkspace ws, int c)
    {
        var buf = ws.Chunks[c] ??= new HalfChunkBuffer();
        buf.Used = 0;
        var walk = new HalfWalk(f, ws, buf);
        var binOf = ws.BinOf;
        var binAtoms = ws.BinAtoms;
        var halfCount = ws.HalfCount;
        bool vector = Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512DQ.IsSupported && !ws.ScalarWalk;
        int lo = c * ReceiversPerChunk, hi = Math.Min(f.N, lo + ReceiversPerChunk);
        int bin = -1, rows = 0;
        for (int k = lo; k < hi; k++)
        {
            int b = binOf[binAtoms[k]];
            if (b != bin)
            {
                bin = b;
                rows = LayStencil(f, ws, buf, bin);
            }
            int before = buf.Used;
            if (vector) walk.ReceiverVector(k, buf.Rows.AsSpan(0, rows));
            else walk.ReceiverScalar(k, buf.Rows.AsSpan(0, rows));
            halfCount[k] = buf.Used - before;
        }
    }

    /// <summary>
    /// The half stencil of bin <paramref name="bin"/> as contiguous runs of atoms: offsets (d0, d1) after
    /// (0, 0) take whole rows along axis 2; the row (0, 0) takes d2 ≥ 0, starting after the receiver in
    /// its own bin. A row that neither wraps nor leaves an open axis is one run.
    /// </summary>
    private static int LayStencil(Frame f, NeighborListWorkspace ws, HalfChunkBuffer buf, int bin)
    {
        int nb1 = f.Bins[1], nb2 = f.Bins[2];
        int r0 = f.Range[0], r1 = f.Range[1], r2 = f.Range[2];
        int bi0 = bin / (nb1 * nb2), bi1 = bin / nb2 % nb1, bi2 = bin % nb2;
        var binStart = ws.BinStart;
        var lb0 = ws.LocBin[0]; var lb1 = ws.LocBin[1]; var lb2 = ws.LocBin[2];
        var li0 = ws.LocImage[0]; var li1 = ws.LocImage[1]; var li2 = ws.LocImage[2];
        int rows = 0;
        // Table index of offset d along axis a: bi + d + R.
        for (int d0 = 0; d0 <= r0; d0++)
        {
            int q0 = bi0 + d0 + r0;
            int t0 = lb0[q0];
            if (t0 < 0) continue;
            long s0 = li0[q0];
            for (int d1 = d0 == 0 ? 0 : -r1; d1 <= r1; d1++)
            {
                int q1 = bi1 + d1 + r1;
                int t1 = lb1[q1];
                if (t1 < 0) continue;
                long s1 = li1[q1];
                int tRow = (t0 * nb1 + t1) * nb2;
                bool own = d0 == 0 && d1 == 0;
                int qa = own ? bi2 + r2 : bi2, qb = bi2 + 2 * r2;
                while (qb >= qa && lb2[qb] < 0) qb--;
                if (!own)
                {
                    while (qa <= qb && lb2[qa] < 0) qa++;
                    if (qa > qb) continue;
                }
                int start = binStart[tRow + lb2[qa]];
                if (li2[qa] == li2[qb] && lb2[qb] - lb2[qa] == qb - qa)
                {
                    AddRow(buf, ref rows, start, binStart[tRow + lb2[qb] + 1], s0, s1, li2[qa], own);
                    continue;
                }
                AddRow(buf, ref rows, start, binStart[tRow + lb2[qa] + 1], s0, s1, li2[qa], own);
                for (int q2 = qa + 1; q2 <= qb; q2++)
                {
                    int t2 = lb2[q2];
                    if (t2 < 0) continue;
                    AddRow(buf, ref rows, binStart[tRow + t2], binStart[tRow + t2 + 1], s0, s1, li2[q2], false);
                }
            }
        }
        return rows;
    }

    private static void AddRow(HalfChunkBuffer buf, ref int rows, int start, int end, long s0, long s1, long s2, bool own)
    {
        if (start >= end) return;
        if (rows == buf.Rows.Length) Array.Resize(ref buf.Rows, 2 * rows);
        buf.Rows[rows++] = new StencilRow { Start = start, End = end, S0 = s0, S1 = s1, S2 = s2, Own = own };
    }

    /// <summary>The half-stencil walk of one chunk of receivers into its buffer.</summary>
    private readonly struct HalfWalk
    {
        private readonly HalfChunkBuffer buf;
        private readonly double reach2, cutoff;
        private readonly double c0, c1, c2, c3, c4, c5, c6, c7, c8;
        private readonly double[] bx, by, bz, px, py, pz;
        private readonly long[] m0, m1, m2;

        public HalfWalk(Frame f, NeighborListWorkspace ws, HalfChunkBuffer buf)
        {
            this.buf = buf;
            reach2 = f.Reach2;
            cutoff = f.Cutoff;
            var cell = f.Cell;
            c0 = cell[0]; c1 = cell[1]; c2 = cell[2]; c3 = cell[3]; c4 = cell[4]; c5 = cell[5]; c6 = cell[6]; c7 = cell[7]; c8 = cell[8];
            bx = ws.Bx; by = ws.By; bz = ws.Bz;
            px = ws.Px; py = ws.Py; pz = ws.Pz;
            m0 = ws.M0; m1 = ws.M1; m2 = ws.M2;
        }

        /// <summary>
        /// Receiver k (bin order), 8 candidates at a time with AVX-512: the exact test itself is vectorised
        /// (the same IEEE operations in the same order as the scalar one, so the same bits) and the pairs
        /// inside are compressed into the buffer without a branch per candidate.
        /// </summary>
        public void ReceiverVector(int k, ReadOnlySpan<StencilRow> rows)
        {
            var vpx = Vector512.Create(px[k]);
            var vpy = Vector512.Create(py[k]);
            var vpz = Vector512.Create(pz[k]);
            long mi0 = m0[k], mi1 = m1[k], mi2 = m2[k];
            var vc0 = Vector512.Create(c0); var vc1 = Vector512.Create(c1); var vc2 = Vector512.Create(c2);
            var vc3 = Vector512.Create(c3); var vc4 = Vector512.Create(c4); var vc5 = Vector512.Create(c5);
            var vc6 = Vector512.Create(c6); var vc7 = Vector512.Create(c7); var vc8 = Vector512.Create(c8);
            var vcut = Vector512.Create(cutoff);
            var vreach = Vector512.Create(reach2);
            var lane = Vector512.Create(0L, 1, 2, 3, 4, 5, 6, 7);
            foreach (ref readonly var row in rows)
            {
                int k0 = row.Own ? k + 1 : row.Start, k1 = row.End;
                if (k0 >= k1) continue;
                buf.Reserve(k1 - k0);
                var K = buf.K; var S0 = buf.S0; var S1 = buf.S1; var S2 = buf.S2; var D = buf.D;
                int used = buf.Used;
                // Shift between the unwrapped atoms: S = S' − n_j + n_i.
                var t0 = Vector512.Create(row.S0 + mi0);
                var t1 = Vector512.Create(row.S1 + mi1);
                var t2 = Vector512.Create(row.S2 + mi2);
                var limit = Vector512.Create((long)(k1 - k0));
                // Pre-filter on the wrapped positions through the row's image: most blocks of 8 hold no pair.
                var qx = Vector512.Create(bx[k] - (row.S0 * c0 + row.S1 * c3 + row.S2 * c6));
                var qy = Vector512.Create(by[k] - (row.S0 * c1 + row.S1 * c4 + row.S2 * c7));
                var qz = Vector512.Create(bz[k] - (row.S0 * c2 + row.S1 * c5 + row.S2 * c8));
                for (int j = k0; j < k1; j += WalkLanes)
                {
                    var wx = Vector512.LoadUnsafe(ref bx[j]) - qx;
                    var wy = Vector512.LoadUnsafe(ref by[j]) - qy;
                    var wz = Vector512.LoadUnsafe(ref bz[j]) - qz;
                    if (!Vector512.LessThanAny(wx * wx + wy * wy + wz * wz, vreach)) continue;
                    var s0 = t0 - Vector512.LoadUnsafe(ref m0[j]);
                    var s1 = t1 - Vector512.LoadUnsafe(ref m1[j]);
                    var s2 = t2 - Vector512.LoadUnsafe(ref m2[j]);
                    var f0 = Vector512.ConvertToDouble(s0);
                    var f1 = Vector512.ConvertToDouble(s1);
                    var f2 = Vector512.ConvertToDouble(s2);
                    // D = (pos[j] − pos[i]) + S·cell, as in the scalar test (no fused multiply-adds).
                    var ex = (Vector512.LoadUnsafe(ref px[j]) - vpx) + (f0 * vc0 + f1 * vc3 + f2 * vc6);
                    var ey = (Vector512.LoadUnsafe(ref py[j]) - vpy) + (f0 * vc1 + f1 * vc4 + f2 * vc7);
                    var ez = (Vector512.LoadUnsafe(ref pz[j]) - vpz) + (f0 * vc2 + f1 * vc5 + f2 * vc8);
                    var dd = Vector512.Sqrt(ex * ex + ey * ey + ez * ez);
                    var idx = lane + Vector512.Create((long)(j - k0));
                    var inside = Vector512.LessThan(dd, vcut).AsInt64() & Vector512.LessThan(idx, limit);
                    Avx512F.ConvertToVector256Int32(Avx512F.Compress(Vector512<long>.Zero, inside, idx + Vector512.Create((long)k0)))
                        .StoreUnsafe(ref K[used]);
                    Avx512F.Compress(Vector512<long>.Zero, inside, s0).StoreUnsafe(ref S0[used]);
                    Avx512F.Compress(Vector512<long>.Zero, inside, s1).StoreUnsafe(ref S1[used]);
                    Avx512F.Compress(Vector512<long>.Zero, inside, s2).StoreUnsafe(ref S2[used]);
                    Avx512F.Compress(Vector512<double>.Zero, inside.AsDouble(), dd).StoreUnsafe(ref D[used]);
                    used += BitOperations.PopCount(inside.ExtractMostSignificantBits());
                }
                buf.Used = used;
            }
        }

        /// <summary>Receiver k (bin order) one candidate at a time: a pre-filter on the wrapped positions, then the exact test.</summary>
        public void ReceiverScalar(int k, ReadOnlySpan<StencilRow> rows)
        {
            double xi = bx[k], yi = by[k], zi = bz[k];
            foreach (ref readonly var row in rows)
            {
                int k0 = row.Own ? k + 1 : row.Start, k1 = row.End;
                // Image displacement of the target bins; the pre-filter compares wrapped positions. It only
                // has to keep every true pair (its reach has a margin), so it may round differently.
                double x = xi - (row.S0 * c0 + row.S1 * c3 + row.S2 * c6);
                double y = yi - (row.S0 * c1 + row.S1 * c4 + row.S2 * c7);
                double z = zi - (row.S0 * c2 + row.S1 * c5 + row.S2 * c8);
                for (int j = k0; j < k1; j++)
                {
                    double dx = bx[j] - x, dy = by[j] - y, dz = bz[j] - z;
                    if (dx * dx + dy * dy + dz * dz < reach2) Exact(k, j, row.S0, row.S1, row.S2);
                }
            }
        }

        /// <summary>The exact test of candidate j (bin order) for receiver k through image (s0, s1, s2).</summary>
        private void Exact(int k, int j, long s0, long s1, long s2)
        {
            // Shift between the unwrapped atoms: S = S' − n_j + n_i.
            long S0 = s0 + m0[k] - m0[j];
            long S1 = s1 + m1[k] - m1[j];
            long S2 = s2 + m2[k] - m2[j];
            // Final test on D computed from the original positions the way ASE does
            // ((pos[j] − pos[i]) + S·cell), so both lists agree on which pairs are in.
            double ex = px[j] - px[k] + (S0 * c0 + S1 * c3 + S2 * c6);
            double ey = py[j] - py[k] + (S0 * c1 + S1 * c4 + S2 * c7);
            double ez = pz[j] - pz[k] + (S0 * c2 + S1 * c5 + S2 * c8);
            double dd = Math.Sqrt(ex * ex + ey * ey + ez * ez);
            if (!(dd < cutoff)) return;
            buf.Reserve(1);
            int e = buf.Used++;
            buf.K[e] = j;
            buf.S0[e] = S0;
            buf.S1[e] = S1;
            buf.S2[e] = S2;
            buf.D[e] = dd;
        }
    }

    /// <summary>
    /// Step 3 for chunk <paramref name="c"/>: each half pair (i, j, S) of its receivers goes to the end of
    /// i's segment, in walk order, and its mirror (j, i, −S) to the next free place at the start of j's.
    /// </summary>
    private static void Scatter(NeighborListWorkspace ws, int c, int n, bool parallel, long[] second, long[] shifts, double[] dist)
    {
        var buf = ws.Chunks[c]!;
        var K = buf.K; var S0 = buf.S0; var S1 = buf.S1; var S2 = buf.S2; var D = buf.D;
        var binAtoms = ws.BinAtoms;
        var offsets = ws.Offsets;
        var mirrored = ws.Mirrored;
        int lo = c * ReceiversPerChunk, hi = Math.Min(n, lo + ReceiversPerChunk);
        int e = 0;
        for (int k = lo; k < hi; k++)
        {
            int i = binAtoms[k];
            int cnt = ws.HalfCount[k];
            int o = (int)(offsets[i + 1] - cnt);
            for (int end = e + cnt; e < end; e++, o++)
            {
                int j = binAtoms[K[e]];
                long s0 = S0[e], s1 = S1[e], s2 = S2[e];
                double d = D[e];
                second[o] = j;
                shifts[3 * o] = s0;
                shifts[3 * o + 1] = s1;
                shifts[3 * o + 2] = s2;
                dist[o] = d;
                // Other chunks may place mirrors in j's segment at the same time.
                int slot = parallel ? Interlocked.Increment(ref mirrored[j]) - 1 : mirrored[j]++;
                int m = (int)offsets[j] + slot;
                second[m] = i;
                shifts[3 * m] = -s0;
                shifts[3 * m + 1] = -s1;
                shifts[3 * m + 2] = -s2;
                dist[m] = d;
            }
        }
    }

    /// <summary>Insertion sort of the list entries [o0, o1) by (j, S): a segment holds a few dozen pairs at most in practice.</summary>
    private static void SortSegment(long[] second, long[] shifts, double[] dist, int o0, int o1)
    {
        for (int a = o0 + 1; a < o1; a++)
        {
            long j = second[a], s0 = shifts[3 * a], s1 = shifts[3 * a + 1], s2 = shifts[3 * a + 2];
            int b = a - 1;
            if (!Greater(second[b], shifts[3 * b], shifts[3 * b + 1], shifts[3 * b + 2], j, s0, s1, s2)) continue;
            double d = dist[a];
            do
            {
                second[b + 1] = second[b];
                shifts[3 * b + 3] = shifts[3 * b];
                shifts[3 * b + 4] = shifts[3 * b + 1];
                shifts[3 * b + 5] = shifts[3 * b + 2];
                dist[b + 1] = dist[b];
                b--;
            }
            while (b >= o0 && Greater(second[b], shifts[3 * b], shifts[3 * b + 1], shifts[3 * b + 2], j, s0, s1, s2));
            second[b + 1] = j;
            shifts[3 * b + 3] = s0;
            shifts[3 * b + 4] = s1;
            shifts[3 * b + 5] = s2;
            dist[b + 1] = d;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Greater(long j, long s0, long s1, long s2, long oj, long o0, long o1, long o2)
        => j != oj ? j > oj : s0 != o0 ? s0 > o0 : s1 != o1 ? s1 > o1 : s2 > o2;
}
