using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SciKernels.Cpu;

namespace SciKernels.Graphs;

public static partial class NeighborList
{

    /// <summary>
    /// One pair of the half list, seen from its receiver: the other atom (bin order), the periodic image
    /// of its bin (the shift is S = image − moved[other] + moved[receiver]) and the distance.
    /// </summary>
    internal struct HalfPair
    {
        public int K;
        public int Image0, Image1, Image2;
        public double D;
    }

    /// <summary>
    /// The CPU search. (1) Bin: wrap, counting-sort the atoms by bin, copy positions into bin order.
    /// (2) Half list: each receiver walks only half of the stencil of bins around it (offsets after
    /// (0, 0, 0) in lexicographic order, and the atoms after itself in its own bin), so every
    /// unordered pair (i, j, S) / (j, i, −S) is tested once. (3) Full list: each half pair is written
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
        if (ws.Chunks.Length < chunks)
        {
            var grown = new HalfPair[chunks][];
            ws.Chunks.AsSpan().CopyTo(grown);
            for (int c = ws.Chunks.Length; c < chunks; c++) grown[c] = [];
            ws.Chunks = grown;
        }
        NeighborListWorkspace.Ensure(ref ws.ChunkUsed, chunks);
        NeighborListWorkspace.Ensure(ref ws.HalfCount, n);
        if (parallel) HalfParallel(f, ws, chunks);
        else for (int c = 0; c < chunks; c++) HalfChunk(f, ws, c);

        // 3. Segment sizes: each half pair counts for both its atoms.
        var offsets = NeighborListWorkspace.Ensure(ref ws.Offsets, n + 1);
        var binAtoms = ws.BinAtoms;
        offsets.AsSpan(0, n + 1).Clear();
        for (int c = 0; c < chunks; c++)
        {
            var buf = ws.Chunks[c];
            int used = ws.ChunkUsed[c];
            for (int e = 0; e < used; e++) offsets[binAtoms[buf[e].K] + 1]++;
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
        var px = NeighborListWorkspace.Ensure(ref ws.Px, n);
        var py = NeighborListWorkspace.Ensure(ref ws.Py, n);
        var pz = NeighborListWorkspace.Ensure(ref ws.Pz, n);
        var m0 = NeighborListWorkspace.Ensure(ref ws.M0, n);
        var m1 = NeighborListWorkspace.Ensure(ref ws.M1, n);
        var m2 = NeighborListWorkspace.Ensure(ref ws.M2, n);
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

    /// <summary>Step 2 for the receivers of chunk <paramref name="c"/> (bin order): their half-list pairs into the chunk's buffer.</summary>
    private static void HalfChunk(Frame f, NeighborListWorkspace ws, int c)
    {
        var walk = new HalfWalk(f, ws, c);
        int lo = c * ReceiversPerChunk, hi = Math.Min(f.N, lo + ReceiversPerChunk);
        for (int k = lo; k < hi; k++)
        {
            int before = walk.Used;
            walk.Receiver(k);
            ws.HalfCount[k] = walk.Used - before;
        }
        ws.Chunks[c] = walk.Buffer;
        ws.ChunkUsed[c] = walk.Used;
    }

    /// <summary>The half-stencil walk of one chunk of receivers; appends to a growable buffer.</summary>
    private struct HalfWalk
    {
        private readonly Frame f;
        private readonly NeighborListWorkspace ws;
        private readonly double reach2, cutoff;
        private readonly double c0, c1, c2, c3, c4, c5, c6, c7, c8;
        private readonly double[] bx, by, bz, px, py, pz;
        private readonly long[] m0, m1, m2;
        public HalfPair[] Buffer;
        public int Used;
        // The current receiver.
        private double xi, yi, zi, pxi, pyi, pzi;
        private long mi0, mi1, mi2;

        public HalfWalk(Frame f, NeighborListWorkspace ws, int chunk)
        {
            this.f = f;
            this.ws = ws;
            reach2 = f.Reach2;
            cutoff = f.Cutoff;
            var cell = f.Cell;
            c0 = cell[0]; c1 = cell[1]; c2 = cell[2]; c3 = cell[3]; c4 = cell[4]; c5 = cell[5]; c6 = cell[6]; c7 = cell[7]; c8 = cell[8];
            bx = ws.Bx; by = ws.By; bz = ws.Bz;
            px = ws.Px; py = ws.Py; pz = ws.Pz;
            m0 = ws.M0; m1 = ws.M1; m2 = ws.M2;
            Buffer = ws.Chunks[chunk];
            // Buffers come from the shared pool (a fresh workspace per call must not fault in new pages each time).
            if (Buffer.Length == 0) Buffer = ArrayPool<HalfPair>.Shared.Rent(8 * ReceiversPerChunk);
            Used = 0;
        }

        /// <summary>Walks the half stencil of receiver k (bin order).</summary>
        public void Receiver(int k)
        {
            int nb1 = f.Bins[1], nb2 = f.Bins[2];
            int r0 = f.Range[0], r1 = f.Range[1], r2 = f.Range[2];
            int bin = ws.BinOf[ws.BinAtoms[k]];
            int bi0 = bin / (nb1 * nb2), bi1 = bin / nb2 % nb1, bi2 = bin % nb2;
            var binStart = ws.BinStart;
            xi = bx[k]; yi = by[k]; zi = bz[k];
            pxi = px[k]; pyi = py[k]; pzi = pz[k];
            mi0 = m0[k]; mi1 = m1[k]; mi2 = m2[k];
            var lb0 = ws.LocBin[0]; var lb1 = ws.LocBin[1]; var lb2 = ws.LocBin[2];
            var li0 = ws.LocImage[0]; var li1 = ws.LocImage[1]; var li2 = ws.LocImage[2];
            // Table index of offset d along axis a: bi + d + R. Offsets (d0, d1) after (0, 0) take whole
            // rows along axis 2; the row (0, 0) takes d2 ≥ 0, starting after the receiver in its own bin.
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
                    // The first bin of the own row starts after the receiver.
                    int start = own ? k + 1 : binStart[tRow + lb2[qa]];
                    // A row that neither wraps nor leaves an open axis is one contiguous run of atoms.
                    if (li2[qa] == li2[qb] && lb2[qb] - lb2[qa] == qb - qa)
                    {
                        Scan(li2[qa], s0, s1, start, binStart[tRow + lb2[qb] + 1]);
                        continue;
                    }
                    Scan(li2[qa], s0, s1, start, binStart[tRow + lb2[qa] + 1]);
                    for (int q2 = qa + 1; q2 <= qb; q2++)
                    {
                        int t2 = lb2[q2];
                        if (t2 < 0) continue;
                        Scan(li2[q2], s0, s1, binStart[tRow + t2], binStart[tRow + t2 + 1]);
                    }
                }
            }
        }

        /// <summary>Tests the atoms [k0, k1) (bin order) seen through image (s0, s1, s2).</summary>
        private void Scan(long s2, long s0, long s1, int k0, int k1)
        {
            // Image displacement of the target bins; the pre-filter compares wrapped positions.
            double ox = s0 * c0 + s1 * c3 + s2 * c6;
            double oy = s0 * c1 + s1 * c4 + s2 * c7;
            double oz = s0 * c2 + s1 * c5 + s2 * c8;
            double x = xi - ox, y = yi - oy, z = zi - oz;
            // The pre-filter only has to keep every true pair (its reach has a margin), so it may
            // round differently from the exact test; 8 candidates at a time where AVX-512 is there.
            int k = k0;
            if (Vector512.IsHardwareAccelerated)
            {
                var vx = Vector512.Create(x);
                var vy = Vector512.Create(y);
                var vz = Vector512.Create(z);
                var vr = Vector512.Create(reach2);
                for (; k < k1; k += WalkLanes)
                {
                    var dx = Vector512.LoadUnsafe(ref bx[k]) - vx;
                    var dy = Vector512.LoadUnsafe(ref by[k]) - vy;
                    var dz = Vector512.LoadUnsafe(ref bz[k]) - vz;
                    ulong mask = Vector512.LessThan(dx * dx + dy * dy + dz * dz, vr).ExtractMostSignificantBits();
                    if (k1 - k < WalkLanes) mask &= (1UL << (k1 - k)) - 1;
                    while (mask != 0)
                    {
                        int l = BitOperations.TrailingZeroCount(mask);
                        mask &= mask - 1;
                        Exact(k + l, s0, s1, s2);
                    }
                }
                return;
            }
            for (; k < k1; k++)
            {
                double dx = bx[k] - x, dy = by[k] - y, dz = bz[k] - z;
                if (dx * dx + dy * dy + dz * dz < reach2) Exact(k, s0, s1, s2);
            }
        }

        private void Grow()
        {
            var bigger = ArrayPool<HalfPair>.Shared.Rent(2 * Buffer.Length);
            Buffer.AsSpan(0, Used).CopyTo(bigger);
            ArrayPool<HalfPair>.Shared.Return(Buffer);
            Buffer = bigger;
        }

        /// <summary>The exact test of candidate k (bin order) through image (s0, s1, s2).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Exact(int k, long s0, long s1, long s2)
        {
            // Shift between the unwrapped atoms: S = S' − n_j + n_i.
            long S0 = s0 - m0[k] + mi0;
            long S1 = s1 - m1[k] + mi1;
            long S2 = s2 - m2[k] + mi2;
            // Final test on D computed from the original positions the way ASE does
            // ((pos[j] − pos[i]) + S·cell), so both lists agree on which pairs are in.
            double ex = px[k] - pxi + (S0 * c0 + S1 * c3 + S2 * c6);
            double ey = py[k] - pyi + (S0 * c1 + S1 * c4 + S2 * c7);
            double ez = pz[k] - pzi + (S0 * c2 + S1 * c5 + S2 * c8);
            double dd = Math.Sqrt(ex * ex + ey * ey + ez * ez);
            if (!(dd < cutoff)) return;
            if (Used == Buffer.Length) Grow();
            ref var p = ref Buffer[Used++];
            p.K = k;
            p.Image0 = (int)s0;
            p.Image1 = (int)s1;
            p.Image2 = (int)s2;
            p.D = dd;
        }
    }

    /// <summary>
    /// Step 3 for chunk <paramref name="c"/>: each half pair (i, j, S) of its receivers goes to the end of
    /// i's segment, in walk order, and its mirror (j, i, −S) to the next free place at the start of j's.
    /// </summary>
    private static void Scatter(NeighborListWorkspace ws, int c, int n, bool parallel, long[] second, long[] shifts, double[] dist)
    {
        var buf = ws.Chunks[c];
        var binAtoms = ws.BinAtoms;
        var offsets = ws.Offsets;
        var mirrored = ws.Mirrored;
        var m0 = ws.M0; var m1 = ws.M1; var m2 = ws.M2;
        int lo = c * ReceiversPerChunk, hi = Math.Min(n, lo + ReceiversPerChunk);
        int e = 0;
        for (int k = lo; k < hi; k++)
        {
            int i = binAtoms[k];
            long mi0 = m0[k], mi1 = m1[k], mi2 = m2[k];
            int cnt = ws.HalfCount[k];
            int o = (int)(offsets[i + 1] - cnt);
            for (int end = e + cnt; e < end; e++, o++)
            {
                ref readonly var p = ref buf[e];
                int j = binAtoms[p.K];
                // The same expression as the walk's exact test.
                long s0 = p.Image0 - m0[p.K] + mi0, s1 = p.Image1 - m1[p.K] + mi1, s2 = p.Image2 - m2[p.K] + mi2;
                second[o] = j;
                shifts[3 * o] = s0;
                shifts[3 * o + 1] = s1;
                shifts[3 * o + 2] = s2;
                dist[o] = p.D;
                // Other chunks may place mirrors in j's segment at the same time.
                int slot = parallel ? Interlocked.Increment(ref mirrored[j]) - 1 : mirrored[j]++;
                int m = (int)offsets[j] + slot;
                second[m] = i;
                shifts[3 * m] = -s0;
                shifts[3 * m + 1] = -s1;
                shifts[3 * m + 2] = -s2;
                dist[m] = p.D;
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
