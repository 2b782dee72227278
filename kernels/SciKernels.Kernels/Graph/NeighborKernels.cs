using ILGPU;

namespace SciKernels.Kernels.Graph;

/// <summary>
/// Scalar arguments of the neighbour-list kernels: the binning made on the host (bins per axis, bins
/// searched on either side, periodicity), the cell (rows = lattice vectors) and the cutoff, plus where
/// each array starts inside the packed views (kernels take at most eight parameters).
/// </summary>
/// <param name="Atoms">N.</param>
/// <param name="NumBins">B0·B1·B2.</param>
/// <param name="B0">Bins along axis 0.</param><param name="B1">Bins along axis 1.</param><param name="B2">Bins along axis 2.</param>
/// <param name="R0">Bins searched either side, axis 0.</param><param name="R1">Axis 1.</param><param name="R2">Axis 2.</param>
/// <param name="Periodic">Bit a set when axis a is periodic.</param>
/// <param name="C0">Cell[0].</param><param name="C1">Cell[1].</param><param name="C2">Cell[2].</param>
/// <param name="C3">Cell[3].</param><param name="C4">Cell[4].</param><param name="C5">Cell[5].</param>
/// <param name="C6">Cell[6].</param><param name="C7">Cell[7].</param><param name="C8">Cell[8].</param>
/// <param name="Cutoff">Pairs with d &lt; Cutoff are listed.</param>
/// <param name="Reach2">Squared search radius of the bin pre-filter (slightly above Cutoff²).</param>
public readonly record struct NeighborArgs(
    int Atoms, int NumBins, int B0, int B1, int B2, int R0, int R1, int R2, int Periodic,
    double C0, double C1, double C2, double C3, double C4, double C5, double C6, double C7, double C8,
    double Cutoff, double Reach2);

/// <summary>
/// Radius-graph kernels (the device side of <c>Graphs.NeighborList</c>): one thread per receiver i
/// walks the bins around i exactly as the CPU cell list does, first to <see cref="Count"/> its pairs,
/// then — after an exclusive scan of the counts (<see cref="ScanChunks"/>, <see cref="ScanTop"/>,
/// <see cref="ScanApply"/>, integer sums) — to <see cref="Fill"/> them into its own output segment
/// and insertion-sort that segment by (j, S). No atomics, no shared output slot: the result is
/// deterministic and in the CPU's order (i, then j, then S). The inclusion test evaluates
/// D = (pos[j] − pos[i]) + S·cell and d = √(D·D) with the CPU's operations in the CPU's order.
/// </summary>
/// <remarks>
/// Packed inputs: <c>dbl</c> = [positions 3N | wrapped positions 3N | wrapped positions in bin order 3N];
/// <c>grid</c> = [bin of each atom N | bin start offsets NumBins + 1 | atoms in bin order N];
/// <c>moved</c> = whole cells each atom was moved by when wrapped [3N].
/// Output <c>pairs</c> = [i E | j E | S 3E] (int64), <c>dist</c> = d [E].
/// </remarks>
public static class NeighborKernels
{
    /// <summary>Scan chunk length: counts summed by one thread in <see cref="ScanChunks"/>.</summary>
    public const int ScanChunk = 256;

    /// <summary>Number of pairs of each receiver: counts[i].</summary>
    /// <param name="dbl">Packed positions (see the class remarks).</param>
    /// <param name="moved">Whole cells moved per atom and axis [3N].</param>
    /// <param name="grid">Packed bin arrays (see the class remarks).</param>
    /// <param name="counts">Pairs per receiver [N].</param>
    /// <param name="args">Binning, cell and cutoff.</param>
    public static void Count(ArrayView<double> dbl, ArrayView<long> moved, ArrayView<int> grid, ArrayView<long> counts, NeighborArgs args)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < args.Atoms; i += stride)
            counts[i] = Walk(i, dbl, moved, grid, args, false, 0, counts, dbl, 0); // outputs unused: any valid views
    }

    /// <summary>Writes the pairs of each receiver at offsets[i] and sorts them by (j, S).</summary>
    /// <param name="dbl">Packed positions (see the class remarks).</param>
    /// <param name="moved">Whole cells moved per atom and axis [3N].</param>
    /// <param name="grid">Packed bin arrays (see the class remarks).</param>
    /// <param name="offsets">Exclusive scan of the counts [N + 1].</param>
    /// <param name="pairs">Output [i E | j E | S 3E].</param>
    /// <param name="dist">Output distances [E].</param>
    /// <param name="args">Binning, cell and cutoff.</param>
    public static void Fill(ArrayView<double> dbl, ArrayView<long> moved, ArrayView<int> grid, ArrayView<long> offsets,
        ArrayView<long> pairs, ArrayView<double> dist, NeighborArgs args)
    {
        int stride = Grid.DimX * Group.DimX;
        int total = (int)offsets[args.Atoms];
        for (int i = Grid.GlobalIndex.X; i < args.Atoms; i += stride)
        {
            int start = (int)offsets[i];
            int end = start + (int)Walk(i, dbl, moved, grid, args, true, start, pairs, dist, total);
            // Insertion sort of the segment by (j, S0, S1, S2): keys are unique, so the order is fixed.
            for (int k = start + 1; k < end; k++)
            {
                long j = pairs[total + k], s0 = pairs[2 * total + 3 * k], s1 = pairs[2 * total + 3 * k + 1], s2 = pairs[2 * total + 3 * k + 2];
                double d = dist[k];
                int m = k - 1;
                while (m >= start && Greater(pairs[total + m], pairs[2 * total + 3 * m], pairs[2 * total + 3 * m + 1], pairs[2 * total + 3 * m + 2], j, s0, s1, s2))
                {
                    pairs[total + m + 1] = pairs[total + m];
                    pairs[2 * total + 3 * (m + 1)] = pairs[2 * total + 3 * m];
                    pairs[2 * total + 3 * (m + 1) + 1] = pairs[2 * total + 3 * m + 1];
                    pairs[2 * total + 3 * (m + 1) + 2] = pairs[2 * total + 3 * m + 2];
                    dist[m + 1] = dist[m];
                    m--;
                }
                pairs[total + m + 1] = j;
                pairs[2 * total + 3 * (m + 1)] = s0;
                pairs[2 * total + 3 * (m + 1) + 1] = s1;
                pairs[2 * total + 3 * (m + 1) + 2] = s2;
                dist[m + 1] = d;
            }
        }
    }

    /// <summary>sums[c] = Σ counts over chunk c (<see cref="ScanChunk"/> entries).</summary>
    /// <param name="counts">Values [N].</param>
    /// <param name="sums">Chunk sums [chunks].</param>
    /// <param name="n">N.</param>
    public static void ScanChunks(ArrayView<long> counts, ArrayView<long> sums, int n)
    {
        int chunks = (n + ScanChunk - 1) / ScanChunk;
        int stride = Grid.DimX * Group.DimX;
        for (int c = Grid.GlobalIndex.X; c < chunks; c += stride)
        {
            long acc = 0;
            int end = Math.Min(n, (c + 1) * ScanChunk);
            for (int k = c * ScanChunk; k < end; k++) acc += counts[k];
            sums[c] = acc;
        }
    }

    /// <summary>prefix[c] = Σ sums[0..c) (one thread); prefix[chunks] = the total.</summary>
    /// <remarks>Out of place on purpose: PoCL's compiler loses the load-before-store order of an in-place
    /// running scan (every entry came back 0).</remarks>
    /// <param name="sums">Chunk sums [chunks].</param>
    /// <param name="prefix">Output [chunks + 1].</param>
    /// <param name="chunks">Number of chunks.</param>
    public static void ScanTop(ArrayView<long> sums, ArrayView<long> prefix, int chunks)
    {
        if (Grid.GlobalIndex.X != 0) return;
        long acc = 0;
        for (int c = 0; c < chunks; c++)
        {
            prefix[c] = acc;
            acc += sums[c];
        }
        prefix[chunks] = acc;
    }

    /// <summary>offsets[k] = Σ counts[0..k) from the scanned chunk sums; offsets[n] = the total.</summary>
    /// <param name="counts">Values [N].</param>
    /// <param name="sums">Scanned chunk sums (<see cref="ScanTop"/>'s prefix) [chunks + 1].</param>
    /// <param name="offsets">Output [N + 1].</param>
    /// <param name="n">N.</param>
    public static void ScanApply(ArrayView<long> counts, ArrayView<long> sums, ArrayView<long> offsets, int n)
    {
        int chunks = (n + ScanChunk - 1) / ScanChunk;
        int stride = Grid.DimX * Group.DimX;
        for (int c = Grid.GlobalIndex.X; c < chunks; c += stride)
        {
            long acc = sums[c];
            int end = Math.Min(n, (c + 1) * ScanChunk);
            for (int k = c * ScanChunk; k < end; k++)
            {
                offsets[k] = acc;
                acc += counts[k];
            }
            if (c == chunks - 1) offsets[n] = acc;
        }
    }

    private static bool Greater(long j, long s0, long s1, long s2, long oj, long o0, long o1, long o2)
    {
        if (j != oj) return j > oj;
        if (s0 != o0) return s0 > o0;
        if (s1 != o1) return s1 > o1;
        return s2 > o2;
    }

    /// <summary>Bin coordinate → bin and periodic image (floor division); false when off an open axis.</summary>
    private static bool Locate(int coord, int bins, bool periodic, out int bin, out long image)
    {
        if (periodic)
        {
            int q = coord >= 0 ? coord / bins : -((-coord + bins - 1) / bins);
            image = q;
            bin = coord - q * bins;
            return true;
        }
        image = 0;
        bin = coord;
        return coord >= 0 && coord < bins;
    }

    /// <summary>The CPU's receiver loop: counts the pairs of i, writing them from <paramref name="at"/> when <paramref name="write"/>.</summary>
    private static long Walk(int i, ArrayView<double> dbl, ArrayView<long> moved, ArrayView<int> grid, NeighborArgs a,
        bool write, int at, ArrayView<long> pairs, ArrayView<double> dist, int total)
    {
        int n = a.Atoms;
        int nb1 = a.B1, nb2 = a.B2;
        int b = grid[i];
        int bi0 = b / (nb1 * nb2), bi1 = b / nb2 % nb1, bi2 = b % nb2;
        double xi = dbl[3 * n + 3 * i], yi = dbl[3 * n + 3 * i + 1], zi = dbl[3 * n + 3 * i + 2];
        long mi0 = moved[3 * i], mi1 = moved[3 * i + 1], mi2 = moved[3 * i + 2];
        double pxi = dbl[3 * i], pyi = dbl[3 * i + 1], pzi = dbl[3 * i + 2];
        int startBase = n, atomBase = n + a.NumBins + 1, binnedBase = 6 * n;
        long found = 0;
        for (int d0 = -a.R0; d0 <= a.R0; d0++)
        {
            if (!Locate(bi0 + d0, a.B0, (a.Periodic & 1) != 0, out int t0, out long s0)) continue;
            for (int d1 = -a.R1; d1 <= a.R1; d1++)
            {
                if (!Locate(bi1 + d1, a.B1, (a.Periodic & 2) != 0, out int t1, out long s1)) continue;
                for (int d2 = -a.R2; d2 <= a.R2; d2++)
                {
                    if (!Locate(bi2 + d2, a.B2, (a.Periodic & 4) != 0, out int t2, out long s2)) continue;
                    double ox = s0 * a.C0 + s1 * a.C3 + s2 * a.C6;
                    double oy = s0 * a.C1 + s1 * a.C4 + s2 * a.C7;
                    double oz = s0 * a.C2 + s1 * a.C5 + s2 * a.C8;
                    int t = (t0 * nb1 + t1) * nb2 + t2;
                    int kEnd = grid[startBase + t + 1];
                    for (int k = grid[startBase + t]; k < kEnd; k++)
                    {
                        double dx = dbl[binnedBase + 3 * k] - xi + ox, dy = dbl[binnedBase + 3 * k + 1] - yi + oy, dz = dbl[binnedBase + 3 * k + 2] - zi + oz;
                        if (dx * dx + dy * dy + dz * dz >= a.Reach2) continue;
                        int j = grid[atomBase + k];
                        long S0 = s0 - moved[3 * j] + mi0;
                        long S1 = s1 - moved[3 * j + 1] + mi1;
                        long S2 = s2 - moved[3 * j + 2] + mi2;
                        if (j == i && S0 == 0 && S1 == 0 && S2 == 0) continue;
                        double ex = dbl[3 * j] - pxi + (S0 * a.C0 + S1 * a.C3 + S2 * a.C6);
                        double ey = dbl[3 * j + 1] - pyi + (S0 * a.C1 + S1 * a.C4 + S2 * a.C7);
                        double ez = dbl[3 * j + 2] - pzi + (S0 * a.C2 + S1 * a.C5 + S2 * a.C8);
                        double dd = Math.Sqrt(ex * ex + ey * ey + ez * ez);
                        if (!(dd < a.Cutoff)) continue;
                        if (write)
                        {
                            int o = at + (int)found;
                            pairs[o] = i;
                            pairs[total + o] = j;
                            pairs[2 * total + 3 * o] = S0;
                            pairs[2 * total + 3 * o + 1] = S1;
                            pairs[2 * total + 3 * o + 2] = S2;
                            dist[o] = dd;
                        }
                        found++;
                    }
                }
            }
        }
        return found;
    }
}
