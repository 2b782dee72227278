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
/// <para>A loop of searches (a molecular-dynamics run) should pass a <see cref="NeighborListWorkspace"/>
/// and a <see cref="NeighborPairBuffer"/>: after the first calls nothing is allocated or page-faulted.</para>
/// </remarks>
public static partial class NeighborList
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
        var workspace = new NeighborListWorkspace { Transient = true };
        return SearchFresh(Frame.Create(positions, cell, pbc, cutoff, maxNeighbors, workspace.Frame = new Frame()), positions, workspace);
    }

    /// <summary>
    /// <see cref="Search(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{bool}, double, int)"/> with
    /// reusable scratch memory: the bin tables and intermediate buffers come from <paramref name="workspace"/>
    /// (grown when needed), so repeated searches allocate only the returned pairs. Same result, bit for bit.
    /// </summary>
    /// <param name="positions">Cartesian positions, N·3 values, all finite.</param>
    /// <param name="cell">The cell, 9 values, or empty. Needed (non-singular, right-handed) when any axis is periodic; ignored when none is.</param>
    /// <param name="pbc">Periodicity per axis (3 values), or empty for "periodic on all axes iff a cell is given".</param>
    /// <param name="cutoff">Cutoff radius, positive and finite; pairs with distance strictly below it are listed.</param>
    /// <param name="workspace">Scratch memory, used by one search at a time.</param>
    /// <param name="maxNeighbors">When positive, keep only the nearest <paramref name="maxNeighbors"/> senders of each receiver (ties broken by j, then S).</param>
    public static NeighborPairs Search(ReadOnlySpan<double> positions, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc, double cutoff, NeighborListWorkspace workspace, int maxNeighbors = 0)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return SearchFresh(Frame.Create(positions, cell, pbc, cutoff, maxNeighbors, workspace.Frame ??= new Frame()), positions, workspace);
    }

    /// <summary>
    /// The search into caller-owned storage: scratch memory from <paramref name="workspace"/>, the pairs
    /// into <paramref name="output"/> (its previous list is overwritten; its arrays grow only when the
    /// list outgrows them). A loop of searches — a molecular-dynamics run — allocates nothing once both
    /// have grown to the size it needs (the threaded path, from 6 000 atoms, still allocates the thread
    /// pool's bookkeeping, a few KiB at most per call). Same pairs, order and bits as the other overloads.
    /// </summary>
    /// <param name="positions">Cartesian positions, N·3 values, all finite.</param>
    /// <param name="cell">The cell, 9 values, or empty. Needed (non-singular, right-handed) when any axis is periodic; ignored when none is.</param>
    /// <param name="pbc">Periodicity per axis (3 values), or empty for "periodic on all axes iff a cell is given".</param>
    /// <param name="cutoff">Cutoff radius, positive and finite; pairs with distance strictly below it are listed.</param>
    /// <param name="workspace">Scratch memory, used by one search at a time.</param>
    /// <param name="output">Receives the pairs; used by one search at a time.</param>
    /// <param name="maxNeighbors">When positive, keep only the nearest <paramref name="maxNeighbors"/> senders of each receiver (ties broken by j, then S).</param>
    public static void Search(ReadOnlySpan<double> positions, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc, double cutoff,
        NeighborListWorkspace workspace, NeighborPairBuffer output, int maxNeighbors = 0)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(output);
        var frame = Frame.Create(positions, cell, pbc, cutoff, maxNeighbors, workspace.Frame ??= new Frame());
        output.SetFrame(positions, frame.Cell);
        RunCpu(frame, workspace, output);
    }

    /// <summary>The allocating search: exactly sized arrays, handed over to the returned <see cref="NeighborPairs"/>.</summary>
    private static NeighborPairs SearchFresh(Frame frame, ReadOnlySpan<double> positions, NeighborListWorkspace workspace)
    {
        var output = new NeighborPairBuffer { ExactSize = true };
        output.SetFrame(positions, frame.Cell);
        RunCpu(frame, workspace, output);
        return new NeighborPairs(output.FirstArray, output.SecondArray, output.ShiftsArray, output.DistancesArray, output.Positions, (double[])frame.Cell.Clone());
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
        var pairs = SearchFresh(frame, pos, new NeighborListWorkspace { Transient = true });
        var dev = positions.Device;
        int e = pairs.Count;
        return new NeighborPairTensors(Tensor.FromSpan<long>(pairs.First, [e], dev), Tensor.FromSpan<long>(pairs.Second, [e], dev),
            Tensor.FromSpan<long>(pairs.Shifts, [e, 3], dev), Tensor.FromSpan<double>(pairs.Distances, [e], dev));
    }

    /// <summary>The binning of one search: fractional frame, bins per axis, search range per axis.</summary>
    internal sealed class Frame
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

        /// <summary>Validates the input and lays out the bins, into <paramref name="reuse"/> when given (a workspace's frame).</summary>
        public static Frame Create(ReadOnlySpan<double> positions, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc, double cutoff, int maxNeighbors, Frame? reuse = null)
        {
            const string op = "NeighborList";
            if (!double.IsFinite(cutoff) || cutoff <= 0) throw new TensorException(op, $"cutoff must be positive and finite, got {cutoff}");
            if (maxNeighbors < 0) throw new TensorException(op, $"maxNeighbors must be non-negative (0 = no cap), got {maxNeighbors}");
            if (positions.Length % 3 != 0) throw new TensorException(op, $"positions must hold 3 values per atom, got {positions.Length}");
            if (!cell.IsEmpty && cell.Length != 9) throw new TensorException(op, $"cell must hold 9 values (3 lattice vectors as rows), got {cell.Length}");
            if (!pbc.IsEmpty && pbc.Length != 3) throw new TensorException(op, $"pbc must have 3 values, got {pbc.Length}");
            var f = reuse ?? new Frame();
            f.N = positions.Length / 3;
            f.Cutoff = cutoff;
            f.MaxNeighbors = maxNeighbors;
            f.Pos = [];
            Array.Clear(f.Cell);
            Array.Clear(f.Inverse);
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
            Span<double> h = stackalloc double[3];
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
            Span<double> spans = stackalloc double[3];
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
        public double Reach2 => Cutoff * (1 + Margin) * Cutoff * (1 + Margin);

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

        /// <summary>Sorts one receiver's pairs by (j, S), keeping only the nearest <paramref name="cap"/> when positive.</summary>
        public static Span<Pair> SortAndCap(Span<Pair> span, int cap)
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

        /// <summary>Maps an unbounded bin coordinate to a bin and the periodic image it lies in; false when off an open axis.</summary>
        public bool Locate(int a, int coord, out int bin, out long image)
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

    internal readonly record struct Pair(int I, int J, long S0, long S1, long S2, double D)
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
