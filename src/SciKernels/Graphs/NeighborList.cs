using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using SciKernels.Backends;
using SciKernels.Cpu;

namespace SciKernels.Graphs;

/// <summary>
/// Radius graphs: every directed pair (i, j, S) with <c>|pos[j] − pos[i] + S·cell| &lt; cutoff</c>,
/// found with cell lists in O(N) — ASE's <c>neighbor_list</c> semantics.
/// </summary>
/// <remarks>
/// <para>Boundaries are open or periodic per axis (<c>pbc</c>); cells may be triclinic and smaller than
/// the cutoff (several periodic images are searched, as many per axis as the cutoff spans face
/// distances). The pair i = j with zero shift is never listed; i = j with a non-zero shift is (an
/// atom sees its own images). Order: by i, then j, then S — deterministic, independent of threads.</para>
/// <para>Conventions (ASE's): cell rows are the lattice vectors; <c>i</c> is the receiver and
/// <c>j</c> the sender of a message (messages flow j → i); <c>D = pos[j] − pos[i] + S·cell</c>.</para>
/// <para>The pair search is not differentiable; the tensor entry points recompute D and d from the
/// integer pairs with tensor ops, so gradients reach the positions and the cell. On the host it runs
/// threaded. When the positions live on a backend with <see cref="INeighborListKernels"/> (the ILGPU
/// devices), <see cref="Compute"/> and <see cref="RadiusGraph"/> bin the atoms on the host (O(N): the
/// positions are read back for validation anyway) and search the pairs on the device (count → scan →
/// fill, no atomics), giving the same pairs in the same order; the k-nearest cap
/// (<c>maxNeighbors</c> &gt; 0) always searches on the host and copies the pairs to the device.</para>
/// </remarks>
public static class NeighborList
{
    // Bins are made this much (relative) thicker than the cutoff so that rounding in the fractional
    // coordinates can never move a neighbour out of the searched bins.
    private const double Margin = 1e-8;

    // Candidates per receiver search above this are a mistake (a cutoff of many cell lengths), not a workload.
    private const long MaxImagesSearched = 50_000_000;

    private const int ReceiversPerChunk = 1024;

    /// <summary>
    /// Finds all pairs on the host. <paramref name="positions"/> is [N·3] (row-major x, y, z);
    /// <paramref name="cell"/> is [9] (rows = lattice vectors) or empty for an open system.
    /// </summary>
    /// <param name="positions">Cartesian positions, N·3 values, all finite.</param>
    /// <param name="cell">The cell, 9 values, or empty. Needed (non-singular, right-handed) when any axis is periodic; ignored when none is.</param>
    /// <param name="pbc">Periodicity per axis (3 values), or empty for "periodic on all axes iff a cell is given".</param>
    /// <param name="cutoff">Cutoff radius, positive and finite; pairs with distance strictly below it are listed.</param>
    /// <param name="maxNeighbors">When positive, keep only the nearest <paramref name="maxNeighbors"/> senders of each receiver (ties broken by j, then S).</param>
    public static NeighborPairs Search(ReadOnlySpan<double> positions, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc, double cutoff, int maxNeighbors = 0)
    {
        var frame = Frame.Create(positions, cell, pbc, cutoff, maxNeighbors);
        return frame.Run(positions.ToArray());
    }

    /// <summary>
    /// The neighbour list as tensors, with <see cref="NeighborListResult.Vectors"/> and
    /// <see cref="NeighborListResult.Distances"/> differentiable with respect to
    /// <paramref name="positions"/> and <paramref name="cell"/>.
    /// </summary>
    /// <param name="positions">[N, 3] floating positions.</param>
    /// <param name="cutoff">Cutoff radius (&gt; 0).</param>
    /// <param name="cell">[3, 3] cell (rows = lattice vectors, same dtype as the positions), or null for an open system.</param>
    /// <param name="pbc">Periodicity per axis; null means periodic on all axes iff a cell is given.</param>
    /// <param name="maxNeighbors">When positive, the k-nearest cap per receiver.</param>
    public static NeighborListResult Compute(Tensor positions, double cutoff, Tensor? cell = null, bool[]? pbc = null, int maxNeighbors = 0)
    {
        var (first, second, shifts, _) = SearchTensors(positions, cutoff, cell, pbc, maxNeighbors);
        var d = positions.IndexSelect(0, second).Sub(positions.IndexSelect(0, first));
        if (cell is not null) d = d.Add(shifts.To(positions.DType).MatMul(cell));
        var dist = d.Square().Sum(1).Sqrt();
        return new NeighborListResult(first, second, shifts, d, dist);
    }

    /// <summary>
    /// A radius <see cref="Graph"/>: receivers are ASE's <c>i</c>, senders its <c>j</c>, with image
    /// shifts and the cell when there is one. Its <see cref="Graph.EdgeVectors"/> are differentiable.
    /// </summary>
    /// <param name="positions">[N, 3] floating positions.</param>
    /// <param name="cutoff">Cutoff radius (&gt; 0).</param>
    /// <param name="cell">[3, 3] cell or null.</param>
    /// <param name="pbc">Periodicity per axis; null means periodic on all axes iff a cell is given.</param>
    /// <param name="maxNeighbors">When positive, the k-nearest cap per receiver.</param>
    /// <param name="nodeFeatures">Optional [N, F] node features carried by the graph.</param>
    public static Graph RadiusGraph(Tensor positions, double cutoff, Tensor? cell = null, bool[]? pbc = null, int maxNeighbors = 0, Tensor? nodeFeatures = null)
    {
        var (first, second, shifts, _) = SearchTensors(positions, cutoff, cell, pbc, maxNeighbors);
        return Graph.FromEdges(positions.Size(0), second, first, cell is null ? null : shifts, nodeFeatures, null, positions, cell);
    }

    /// <summary>
    /// The pairs as int64 tensors on the positions' device, and the distances (float64 [E], not
    /// differentiable) — searched on that device when its backend has <see cref="INeighborListKernels"/>.
    /// </summary>
    internal static NeighborPairTensors SearchTensors(Tensor positions, double cutoff, Tensor? cell, bool[]? pbc, int maxNeighbors)
    {
        const string op = "NeighborList";
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Rank != 2 || positions.Size(1) != 3 || !positions.DType.IsFloatingPoint())
            throw new TensorException(op, $"positions must be a floating [N, 3] tensor, got {positions.DType.Name()}{Tensor.ShapeString(positions.Shape)}");
        if (cell is not null && (cell.Rank != 2 || cell.Size(0) != 3 || cell.Size(1) != 3 || cell.DType != positions.DType))
            throw new TensorException(op, $"cell must be a [3, 3] {positions.DType.Name()} tensor like the positions, got {cell.DType.Name()}{Tensor.ShapeString(cell.Shape)}");
        if (pbc is not null && pbc.Length != 3)
            throw new TensorException(op, $"pbc must have 3 values (one per axis), got {pbc.Length}");
        var pbcAll = pbc ?? [cell is not null, cell is not null, cell is not null];
        var pos = positions.ToArray<double>();
        var frame = Frame.Create(pos, cell is null ? default : cell.ToArray<double>(), pbcAll, cutoff, maxNeighbors);
        // Three-way dispatch: host memory → the CPU search; a device with the kernels → search there
        // (the k-nearest cap needs a per-receiver selection those kernels do not make); else host + copy.
        if (!HostMemory.Holds(positions) && maxNeighbors == 0 && positions.Backend is INeighborListKernels kernels)
            return kernels.FindNeighbors(frame.Grid(pos));
        var pairs = frame.Run(pos);
        var dev = positions.Device;
        int e = pairs.Count;
        return new NeighborPairTensors(Tensor.FromSpan<long>(pairs.First, [e], dev), Tensor.FromSpan<long>(pairs.Second, [e], dev),
            Tensor.FromSpan<long>(pairs.Shifts, [e, 3], dev), Tensor.FromSpan<double>(pairs.Distances, [e], dev));
    }

    /// <summary>The binning of one search: fractional frame, bins per axis, search range per axis.</summary>
    private sealed class Frame
    {
        public int N;
        public bool[] Periodic = new bool[3];
        public double[] Cell = new double[9];     // rows = lattice vectors; identity for an open system
        public double[] Inverse = new double[9];  // Cell⁻¹: fractional = position · Inverse
        public double[] Low = new double[3];       // fractional origin of the bins
        public double[] Width = new double[3];     // fractional width of one bin
        public int[] Bins = new int[3];
        public int[] Range = new int[3];           // bins searched on either side
        public double Cutoff;
        public int MaxNeighbors;
        public double[] Pos = [];                  // the positions as given [3N]

        public static Frame Create(ReadOnlySpan<double> positions, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc, double cutoff, int maxNeighbors)
        {
            const string op = "NeighborList";
            if (!double.IsFinite(cutoff) || cutoff <= 0) throw new TensorException(op, $"cutoff must be positive and finite, got {cutoff}");
            if (maxNeighbors < 0) throw new TensorException(op, $"maxNeighbors must be non-negative (0 = no cap), got {maxNeighbors}");
            if (positions.Length % 3 != 0) throw new TensorException(op, $"positions must hold 3 values per atom, got {positions.Length}");
            if (!cell.IsEmpty && cell.Length != 9) throw new TensorException(op, $"cell must hold 9 values (3 lattice vectors as rows), got {cell.Length}");
            if (!pbc.IsEmpty && pbc.Length != 3) throw new TensorException(op, $"pbc must have 3 values, got {pbc.Length}");
            var f = new Frame { N = positions.Length / 3, Cutoff = cutoff, MaxNeighbors = maxNeighbors };
            for (int a = 0; a < 3; a++) f.Periodic[a] = pbc.IsEmpty ? !cell.IsEmpty : pbc[a];
            for (int k = 0; k < positions.Length; k++)
                if (!double.IsFinite(positions[k])) throw new TensorException(op, $"position of atom {k / 3} is not finite ({positions[k]} in component {k % 3})");

            bool anyPeriodic = f.Periodic[0] || f.Periodic[1] || f.Periodic[2];
            if (anyPeriodic)
            {
                if (cell.IsEmpty) throw new TensorException(op, $"pbc = [{string.Join(", ", f.Periodic)}] needs a cell");
                foreach (var c in cell) if (!double.IsFinite(c)) throw new TensorException(op, $"cell has a non-finite entry: [{string.Join(", ", cell.ToArray())}]");
                cell.CopyTo(f.Cell);
                double det = Det(f.Cell);
                double scale = RowNorm(f.Cell, 0) * RowNorm(f.Cell, 1) * RowNorm(f.Cell, 2);
                if (!(Math.Abs(det) > 1e-10 * scale))
                    throw new TensorException(op, $"cell [{string.Join(", ", cell.ToArray())}] is singular (volume {det:G6}); a periodic axis needs three independent lattice vectors");
                if (det < 0)
                    throw new TensorException(op, $"cell [{string.Join(", ", cell.ToArray())}] is left-handed (volume {det:G6}); swap two lattice vectors");
                Invert(f.Cell, det, f.Inverse);
            }
            else
            {
                // Open on every axis: the cell plays no part; bin in Cartesian coordinates.
                f.Cell[0] = f.Cell[4] = f.Cell[8] = 1;
                f.Inverse[0] = f.Inverse[4] = f.Inverse[8] = 1;
            }
            f.Layout(positions);
            return f;
        }

        private void Layout(ReadOnlySpan<double> positions)
        {
            // Face distance h_a = V / |b × c|: how far apart the planes of constant fractional coordinate a are per unit.
            double det = Det(Cell);
            var h = new double[3];
            for (int a = 0; a < 3; a++)
            {
                int b = (a + 1) % 3, c = (a + 2) % 3;
                double cx = Cell[3 * b + 1] * Cell[3 * c + 2] - Cell[3 * b + 2] * Cell[3 * c + 1];
                double cy = Cell[3 * b + 2] * Cell[3 * c] - Cell[3 * b] * Cell[3 * c + 2];
                double cz = Cell[3 * b] * Cell[3 * c + 1] - Cell[3 * b + 1] * Cell[3 * c];
                h[a] = det / Math.Sqrt(cx * cx + cy * cy + cz * cz);
            }
            double reach = Cutoff * (1 + Margin);
            long total = 1;
            var spans = new double[3];
            for (int a = 0; a < 3; a++)
            {
                double span = 1;
                Low[a] = 0;
                if (!Periodic[a])
                {
                    double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
                    for (int i = 0; i < N; i++)
                    {
                        double fa = Frac(positions, i, a);
                        lo = Math.Min(lo, fa);
                        hi = Math.Max(hi, fa);
                    }
                    if (N == 0) lo = hi = 0;
                    Low[a] = lo;
                    span = Math.Max(hi - lo, 1e-300);
                }
                spans[a] = span;
                Bins[a] = (int)Math.Clamp(Math.Floor(span * h[a] / reach), 1, 1 << 20);
                total *= Bins[a];
            }
            // Sparse systems (a few atoms in a huge box) would get more bins than atoms: coarsen
            // evenly so memory stays O(N); bins only get thicker, which stays correct.
            long cap = 2L * N + 8;
            if (total > cap)
            {
                double shrink = Math.Cbrt((double)total / cap);
                total = 1;
                for (int a = 0; a < 3; a++)
                {
                    Bins[a] = Math.Max(1, (int)(Bins[a] / shrink));
                    total *= Bins[a];
                }
            }
            long images = 1;
            for (int a = 0; a < 3; a++)
            {
                Width[a] = spans[a] / Bins[a];
                double thickness = Width[a] * h[a];
                double r = Math.Ceiling(reach / thickness);
                if (!Periodic[a]) r = Math.Min(r, Bins[a] - 1);
                if (r > MaxImagesSearched)
                    throw new TensorException("NeighborList", $"cutoff {Cutoff} spans {r} cell lengths along axis {a} (face distance {h[a]:G6}); that is too many periodic images");
                Range[a] = (int)r;
                images *= 2 * (long)r + 1;
            }
            if (images > MaxImagesSearched)
                throw new TensorException("NeighborList", $"cutoff {Cutoff} needs {images} periodic images of the cell per atom (face distances {h[0]:G6}, {h[1]:G6}, {h[2]:G6}); use a larger cell or a smaller cutoff");
        }

        private double Frac(ReadOnlySpan<double> p, int i, int a)
            => p[3 * i] * Inverse[a] + p[3 * i + 1] * Inverse[3 + a] + p[3 * i + 2] * Inverse[6 + a];

        /// <summary>Squared radius of the bin pre-filter.</summary>
        private double Reach2 => Cutoff * (1 + Margin) * Cutoff * (1 + Margin);

        /// <summary>The binning as a backend-neutral description for <see cref="INeighborListKernels"/>.</summary>
        public NeighborGrid Grid(double[] pos)
        {
            var b = Bin(pos);
            return new NeighborGrid
            {
                Atoms = N, Positions = pos, Wrapped = b.Wrapped, Binned = b.Binned, Moved = b.Moved, BinOf = b.BinOf,
                BinStart = b.BinStart, BinAtoms = b.BinAtoms, Bins = Bins, Range = Range, Periodic = Periodic, Cell = Cell,
                Cutoff = Cutoff, Reach2 = Reach2,
            };
        }

        private sealed record Binning(double[] Wrapped, double[] Binned, long[] Moved, int[] BinOf, int[] BinStart, int[] BinAtoms);

        private Binning Bin(double[] pos)
        {
            Pos = pos;
            // 1. Wrap periodic coordinates into [0, 1) (remembering the whole cells moved) and bin.
            var wrapped = new double[3 * N];
            var moved = new long[3 * N];
            var binOf = new int[N];
            int nb0 = Bins[0], nb1 = Bins[1], nb2 = Bins[2];
            int numBins = nb0 * nb1 * nb2;
            Span<int> cellOf = stackalloc int[3];
            for (int i = 0; i < N; i++)
            {
                for (int a = 0; a < 3; a++)
                {
                    double fa = Frac(pos, i, a);
                    if (Periodic[a])
                    {
                        // Beyond 2^50 cells, wrapping loses the position's digits: refuse rather than guess.
                        if (Math.Abs(fa) > 1L << 50)
                            throw new TensorException("NeighborList", $"atom {i} lies {fa:G3} cell lengths from the origin along axis {a}; wrap the positions into the cell first");
                        double n = Math.Floor(fa);
                        moved[3 * i + a] = (long)n;
                        fa -= n;
                    }
                    cellOf[a] = (int)Math.Clamp(Math.Floor((fa - Low[a]) / Width[a]), 0, Bins[a] - 1);
                }
                binOf[i] = (cellOf[0] * nb1 + cellOf[1]) * nb2 + cellOf[2];
                for (int c = 0; c < 3; c++)
                {
                    wrapped[3 * i + c] = pos[3 * i + c]
                        - moved[3 * i] * Cell[c] - moved[3 * i + 1] * Cell[3 + c] - moved[3 * i + 2] * Cell[6 + c];
                }
            }
            // 2. Counting sort of atoms by bin (stable: ascending atom index within a bin).
            var binStart = new int[numBins + 1];
            foreach (var b in binOf) binStart[b + 1]++;
            for (int b = 0; b < numBins; b++) binStart[b + 1] += binStart[b];
            var binAtoms = new int[N];
            var fill = binStart.AsSpan(0, numBins).ToArray();
            for (int i = 0; i < N; i++) binAtoms[fill[binOf[i]]++] = i;
            // Wrapped positions in bin order: the inner loop reads each bin's atoms contiguously.
            var binned = new double[3 * N];
            for (int k = 0; k < N; k++)
            {
                int i = binAtoms[k];
                binned[3 * k] = wrapped[3 * i];
                binned[3 * k + 1] = wrapped[3 * i + 1];
                binned[3 * k + 2] = wrapped[3 * i + 2];
            }
            return new Binning(wrapped, binned, moved, binOf, binStart, binAtoms);
        }

        /// <summary>
        /// The CPU search, shaped like the device kernels: count each receiver's pairs, prefix-sum the
        /// counts, then fill every receiver's segment of the (exactly sized) output directly — no
        /// intermediate pair buffers, so memory stays at the output plus O(N). Receivers run in fixed
        /// chunks on the thread pool; each writes only its own segment, so the order is fixed by i.
        /// </summary>
        public NeighborPairs Run(double[] pos)
        {
            var b = Bin(pos);
            var w = new Walker(this, b);
            // 1. Count (the full count; the k-nearest cap is applied to the offsets).
            var full = new int[N];
            int chunks = (N + ReceiversPerChunk - 1) / ReceiversPerChunk;
            CpuParallel.For(chunks, 1, (c0, cn) =>
            {
                int lo = (int)c0 * ReceiversPerChunk, hi = (int)Math.Min(N, (c0 + cn) * ReceiversPerChunk);
                for (int i = lo; i < hi; i++) full[i] = w.Walk(i, default);
            });
            // 2. Exclusive scan.
            var offsets = new long[N + 1];
            for (int i = 0; i < N; i++) offsets[i + 1] = offsets[i] + (MaxNeighbors > 0 ? Math.Min(full[i], MaxNeighbors) : full[i]);
            long count = offsets[N];
            if (count > Array.MaxLength / 3)
                throw new TensorException("NeighborList", $"{count} pairs within cutoff {Cutoff} for {N} atoms exceed what one list can hold; use a smaller cutoff");
            int total = (int)count;
            // 3. Fill: every element is written, so the outputs skip zeroing.
            var first = GC.AllocateUninitializedArray<long>(total);
            var second = GC.AllocateUninitializedArray<long>(total);
            var shifts = GC.AllocateUninitializedArray<long>(3 * total);
            var dist = GC.AllocateUninitializedArray<double>(total);
            CpuParallel.For(chunks, 1, (c0, cn) =>
            {
                int lo = (int)c0 * ReceiversPerChunk, hi = (int)Math.Min(N, (c0 + cn) * ReceiversPerChunk);
                int most = 0;
                for (int i = lo; i < hi; i++) most = Math.Max(most, full[i]);
                var scratch = ArrayPool<Pair>.Shared.Rent(Math.Max(1, most));
                for (int i = lo; i < hi; i++)
                {
                    var found = scratch.AsSpan(0, full[i]);
                    w.Walk(i, found);
                    var kept = SortAndCap(found, MaxNeighbors);
                    int o = (int)offsets[i];
                    for (int k = 0; k < kept.Length; k++, o++)
                    {
                        ref readonly var p = ref kept[k];
                        first[o] = i;
                        second[o] = p.J;
                        shifts[3 * o] = p.S0;
                        shifts[3 * o + 1] = p.S1;
                        shifts[3 * o + 2] = p.S2;
                        dist[o] = p.D;
                    }
                }
                ArrayPool<Pair>.Shared.Return(scratch);
            });
            return new NeighborPairs(first, second, shifts, dist, pos, Cell);
        }

        /// <summary>Sorts one receiver's pairs by (j, S), keeping only the nearest <paramref name="cap"/> when positive.</summary>
        private static Span<Pair> SortAndCap(Span<Pair> span, int cap)
        {
            if (cap > 0 && span.Length > cap)
            {
                span.Sort(static (a, b) => a.D != b.D ? a.D.CompareTo(b.D) : a.CompareTo(b));
                span = span[..cap];
            }
            // Insertion sort: a receiver has few neighbours.
            for (int k = 1; k < span.Length; k++)
            {
                var x = span[k];
                int m = k - 1;
                while (m >= 0 && span[m].CompareTo(x) > 0)
                {
                    span[m + 1] = span[m];
                    m--;
                }
                span[m + 1] = x;
            }
            return span;
        }

        /// <summary>
        /// One receiver's walk over the bins around it: the arrays it reads are in bin order (contiguous
        /// per bin), and each axis' bin coordinates are mapped to (bin, image) by a table made once.
        /// </summary>
        private sealed class Walker
        {
            private readonly Frame f;
            private readonly Binning b;
            private readonly double[] binnedPos;   // the positions as given, in bin order
            private readonly long[] binnedMoved;   // whole cells moved, in bin order
            private readonly int[][] locBin = new int[3][];    // bin of coordinate c − Range (−1: off an open axis)
            private readonly long[][] locImage = new long[3][];
            private readonly double reach2;
            private const int Lanes = 8;             // Vector512<double>
            private readonly double[] bx, by, bz;    // wrapped positions in bin order, by component, padded by Lanes far-away entries

            public Walker(Frame f, Binning b)
            {
                this.f = f;
                this.b = b;
                reach2 = f.Reach2;
                int n = f.N;
                binnedPos = new double[3 * n];
                binnedMoved = new long[3 * n];
                bx = new double[n + Lanes];
                by = new double[n + Lanes];
                bz = new double[n + Lanes];
                for (int k = 0; k < n; k++)
                {
                    bx[k] = b.Binned[3 * k];
                    by[k] = b.Binned[3 * k + 1];
                    bz[k] = b.Binned[3 * k + 2];
                }
                // Padding read by the last vector of a run: so far away that it never passes the pre-filter.
                bx.AsSpan(n).Fill(1e300);
                by.AsSpan(n).Fill(1e300);
                bz.AsSpan(n).Fill(1e300);
                for (int k = 0; k < n; k++)
                {
                    int i = b.BinAtoms[k];
                    for (int c = 0; c < 3; c++)
                    {
                        binnedPos[3 * k + c] = f.Pos[3 * i + c];
                        binnedMoved[3 * k + c] = b.Moved[3 * i + c];
                    }
                }
                for (int a = 0; a < 3; a++)
                {
                    int r = f.Range[a], nb = f.Bins[a];
                    locBin[a] = new int[nb + 2 * r];
                    locImage[a] = new long[nb + 2 * r];
                    for (int c = -r; c < nb + r; c++)
                    {
                        bool ok = f.Locate(a, c, out int bin, out long image);
                        locBin[a][c + r] = ok ? bin : -1;
                        locImage[a][c + r] = image;
                    }
                }
            }

            /// <summary>Counts the pairs of receiver <paramref name="i"/>; writes them (unsorted) when <paramref name="into"/> is not empty.</summary>
            public int Walk(int i, Span<Pair> into)
            {
                int nb1 = f.Bins[1], nb2 = f.Bins[2];
                int r0 = f.Range[0], r1 = f.Range[1], r2 = f.Range[2];
                int bin = b.BinOf[i];
                int bi0 = bin / (nb1 * nb2), bi1 = bin / nb2 % nb1, bi2 = bin % nb2;
                var binStart = b.BinStart;
                var ctx = new Receiver(b.Wrapped[3 * i], b.Wrapped[3 * i + 1], b.Wrapped[3 * i + 2], f.Pos[3 * i], f.Pos[3 * i + 1], f.Pos[3 * i + 2],
                    b.Moved[3 * i], b.Moved[3 * i + 1], b.Moved[3 * i + 2]);
                var lb0 = locBin[0]; var lb1 = locBin[1]; var lb2 = locBin[2];
                var li0 = locImage[0]; var li1 = locImage[1]; var li2 = locImage[2];
                int found = 0;
                // Coordinates bi + d with d ∈ [−R, R] index the tables at bi + d + R ∈ [bi, bi + 2R].
                for (int q0 = bi0; q0 <= bi0 + 2 * r0; q0++)
                {
                    int t0 = lb0[q0];
                    if (t0 < 0) continue;
                    long s0 = li0[q0];
                    for (int q1 = bi1; q1 <= bi1 + 2 * r1; q1++)
                    {
                        int t1 = lb1[q1];
                        if (t1 < 0) continue;
                        long s1 = li1[q1];
                        int tRow = (t0 * nb1 + t1) * nb2;
                        // The row of bins along axis 2: when it neither wraps nor leaves an open axis
                        // (one image, consecutive bins), its atoms are one contiguous run — one loop.
                        int qa = bi2, qb = bi2 + 2 * r2;
                        while (qa <= qb && lb2[qa] < 0) qa++;
                        while (qb >= qa && lb2[qb] < 0) qb--;
                        if (qa > qb) continue;
                        if (li2[qa] == li2[qb] && lb2[qb] - lb2[qa] == qb - qa)
                        {
                            found = Scan(i, li2[qa], s0, s1, binStart[tRow + lb2[qa]], binStart[tRow + lb2[qb] + 1], found, into, in ctx);
                            continue;
                        }
                        for (int q2 = qa; q2 <= qb; q2++)
                        {
                            int t2 = lb2[q2];
                            if (t2 < 0) continue;
                            found = Scan(i, li2[q2], s0, s1, binStart[tRow + t2], binStart[tRow + t2 + 1], found, into, in ctx);
                        }
                    }
                }
                return found;
            }

            /// <summary>The receiver's wrapped and given position and its whole-cell moves.</summary>
            private readonly record struct Receiver(double X, double Y, double Z, double Px, double Py, double Pz, long M0, long M1, long M2);

            /// <summary>Tests the atoms k ∈ [k0, k1) (bin order) seen through image (s0, s1, s2); returns the new count.</summary>
            private int Scan(int i, long s2, long s0, long s1, int k0, int k1, int found, Span<Pair> into, in Receiver r)
            {
                var cell = f.Cell;
                double c0 = cell[0], c1 = cell[1], c2 = cell[2], c3 = cell[3], c4 = cell[4], c5 = cell[5], c6 = cell[6], c7 = cell[7], c8 = cell[8];
                // Image displacement of the target bins, then every atom in them.
                double ox = s0 * c0 + s1 * c3 + s2 * c6;
                double oy = s0 * c1 + s1 * c4 + s2 * c7;
                double oz = s0 * c2 + s1 * c5 + s2 * c8;
                double xi = r.X - ox, yi = r.Y - oy, zi = r.Z - oz;
                // The pre-filter only has to keep every true pair (its reach has a margin), so it may
                // round differently from the exact test; 8 candidates at a time where AVX-512 is there.
                int k = k0;
                if (Vector512.IsHardwareAccelerated)
                {
                    var vx = Vector512.Create(xi);
                    var vy = Vector512.Create(yi);
                    var vz = Vector512.Create(zi);
                    var vr = Vector512.Create(reach2);
                    for (; k < k1; k += Lanes)
                    {
                        var dx = Vector512.LoadUnsafe(ref bx[k]) - vx;
                        var dy = Vector512.LoadUnsafe(ref by[k]) - vy;
                        var dz = Vector512.LoadUnsafe(ref bz[k]) - vz;
                        ulong mask = Vector512.LessThan(dx * dx + dy * dy + dz * dz, vr).ExtractMostSignificantBits();
                        if (k1 - k < Lanes) mask &= (1UL << (k1 - k)) - 1;
                        while (mask != 0)
                        {
                            int l = BitOperations.TrailingZeroCount(mask);
                            mask &= mask - 1;
                            found = Exact(i, k + l, s0, s1, s2, found, into, in r);
                        }
                    }
                    return found;
                }
                for (; k < k1; k++)
                {
                    double dx = bx[k] - xi, dy = by[k] - yi, dz = bz[k] - zi;
                    if (dx * dx + dy * dy + dz * dz >= reach2) continue;
                    found = Exact(i, k, s0, s1, s2, found, into, in r);
                }
                return found;
            }

            /// <summary>The exact test of candidate k (bin order) through image (s0, s1, s2); returns the new count.</summary>
            private int Exact(int i, int k, long s0, long s1, long s2, int found, Span<Pair> into, in Receiver r)
            {
                // Shift between the unwrapped atoms: S = S' − n_j + n_i.
                long S0 = s0 - binnedMoved[3 * k] + r.M0;
                long S1 = s1 - binnedMoved[3 * k + 1] + r.M1;
                long S2 = s2 - binnedMoved[3 * k + 2] + r.M2;
                int j = b.BinAtoms[k];
                if (j == i && S0 == 0 && S1 == 0 && S2 == 0) return found;
                // Final test on D computed from the original positions the way ASE does
                // ((pos[j] − pos[i]) + S·cell), so both lists agree on which pairs are in.
                var c = f.Cell;
                double ex = binnedPos[3 * k] - r.Px + (S0 * c[0] + S1 * c[3] + S2 * c[6]);
                double ey = binnedPos[3 * k + 1] - r.Py + (S0 * c[1] + S1 * c[4] + S2 * c[7]);
                double ez = binnedPos[3 * k + 2] - r.Pz + (S0 * c[2] + S1 * c[5] + S2 * c[8]);
                double dd = Math.Sqrt(ex * ex + ey * ey + ez * ez);
                if (!(dd < f.Cutoff)) return found;
                if (!into.IsEmpty) into[found] = new Pair(i, j, S0, S1, S2, dd);
                return found + 1;
            }
        }

        /// <summary>Maps an unbounded bin coordinate to a bin and the periodic image it lies in; false when off an open axis.</summary>
        private bool Locate(int a, int coord, out int bin, out long image)
        {
            int n = Bins[a];
            if (Periodic[a])
            {
                image = (long)Math.Floor((double)coord / n);
                bin = (int)(coord - image * n);
                return true;
            }
            image = 0;
            bin = coord;
            return coord >= 0 && coord < n;
        }

        private static double RowNorm(double[] m, int r) => Math.Sqrt(m[3 * r] * m[3 * r] + m[3 * r + 1] * m[3 * r + 1] + m[3 * r + 2] * m[3 * r + 2]);

        private static double Det(double[] m)
            => m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);

        private static void Invert(double[] m, double det, double[] inv)
        {
            inv[0] = (m[4] * m[8] - m[5] * m[7]) / det;
            inv[1] = (m[2] * m[7] - m[1] * m[8]) / det;
            inv[2] = (m[1] * m[5] - m[2] * m[4]) / det;
            inv[3] = (m[5] * m[6] - m[3] * m[8]) / det;
            inv[4] = (m[0] * m[8] - m[2] * m[6]) / det;
            inv[5] = (m[2] * m[3] - m[0] * m[5]) / det;
            inv[6] = (m[3] * m[7] - m[4] * m[6]) / det;
            inv[7] = (m[1] * m[6] - m[0] * m[7]) / det;
            inv[8] = (m[0] * m[4] - m[1] * m[3]) / det;
        }
    }

    private readonly record struct Pair(int I, int J, long S0, long S1, long S2, double D)
    {
        /// <summary>Order within one receiver: by sender, then shift.</summary>
        public int CompareTo(in Pair o)
        {
            int c = J.CompareTo(o.J);
            if (c != 0) return c;
            c = S0.CompareTo(o.S0);
            if (c != 0) return c;
            c = S1.CompareTo(o.S1);
            return c != 0 ? c : S2.CompareTo(o.S2);
        }
    }
}
