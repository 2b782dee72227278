namespace SciKernels.Graphs;

/// <summary>
/// A neighbour list on the host, in ASE's <c>neighbor_list("ijSDd")</c> layout and order: sorted by
/// <see cref="First"/> (the receiver <c>i</c>), then <see cref="Second"/> (the sender <c>j</c>), then
/// the shift. Pair p: <c>D = pos[j] − pos[i] + S·cell</c>, <c>d = |D| &lt; cutoff</c>.
/// </summary>
public sealed class NeighborPairs
{
    private readonly double[] positions;
    private readonly double[] cell;
    private double[]? vectors;

    internal NeighborPairs(long[] first, long[] second, long[] shifts, double[] distances, double[] positions, double[] cell)
    {
        First = first;
        Second = second;
        Shifts = shifts;
        Distances = distances;
        this.positions = positions;
        this.cell = cell;
    }

    /// <summary>Number of directed pairs (each unordered pair appears once in each direction).</summary>
    public int Count => First.Length;

    /// <summary>ASE's <c>i</c>: the receiver of the message, ascending.</summary>
    public long[] First { get; }

    /// <summary>ASE's <c>j</c>: the sender of the message.</summary>
    public long[] Second { get; }

    /// <summary>ASE's <c>S</c>: integer image shift per pair, flattened [Count·3] (zero along open axes).</summary>
    public long[] Shifts { get; }

    /// <summary>ASE's <c>D</c>: distance vector pos[j] − pos[i] + S·cell per pair, flattened [Count·3] (float64, not differentiable; see <see cref="NeighborList.Compute"/>).</summary>
    /// <remarks>Made on first use (many callers need only the distances), with the operations of the search, so |D| = d bit for bit.</remarks>
    public double[] Vectors => vectors ??= MakeVectors();

    /// <summary>ASE's <c>d</c>: |D| per pair.</summary>
    public double[] Distances { get; }

    private double[] MakeVectors()
    {
        var v = new double[3L * Count];
        FillVectors(First, Second, Shifts, positions, cell, v);
        return v;
    }

    /// <summary>D = pos[j] − pos[i] + S·cell per pair into <paramref name="v"/> [3·Count], with the operations of the search's exact test.</summary>
    internal static void FillVectors(ReadOnlySpan<long> first, ReadOnlySpan<long> second, ReadOnlySpan<long> shifts, ReadOnlySpan<double> positions, ReadOnlySpan<double> cell, Span<double> v)
    {
        for (int k = 0; k < first.Length; k++)
        {
            long i = first[k], j = second[k], s0 = shifts[3 * k], s1 = shifts[3 * k + 1], s2 = shifts[3 * k + 2];
            for (int c = 0; c < 3; c++)
                v[3 * k + c] = positions[(int)(3 * j + c)] - positions[(int)(3 * i + c)] + (s0 * cell[c] + s1 * cell[3 + c] + s2 * cell[6 + c]);
        }
    }
}

/// <summary>
/// A neighbour list as tensors; <see cref="Vectors"/> and <see cref="Distances"/> are recomputed from
/// the integer pairs with tensor ops, so they are differentiable with respect to the positions and
/// the cell (forces and stress).
/// </summary>
/// <param name="First">ASE's <c>i</c> (receiver): [E] int64, ascending.</param>
/// <param name="Second">ASE's <c>j</c> (sender): [E] int64.</param>
/// <param name="Shifts">ASE's <c>S</c>: [E, 3] int64 image shifts.</param>
/// <param name="Vectors">ASE's <c>D</c>: [E, 3] distance vectors, dtype of the positions.</param>
/// <param name="Distances">ASE's <c>d</c>: [E] distances.</param>
public sealed record NeighborListResult(Tensor First, Tensor Second, Tensor Shifts, Tensor Vectors, Tensor Distances);

/// <summary>
/// Caller-owned, reusable storage for a neighbour list: filled by
/// <see cref="NeighborList.Search(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{bool}, double, NeighborListWorkspace, NeighborPairBuffer, int)"/>,
/// which overwrites the previous list. Same layout, order and bits as <see cref="NeighborPairs"/>, but
/// the arrays are kept between searches and only grow (with headroom), so a molecular-dynamics loop
/// that searches every step allocates, and page-faults, nothing once the buffer is large enough.
/// </summary>
/// <remarks>
/// The spans are views of the buffer: valid until its next search, which may move or overwrite them
/// (copy with <see cref="ToPairs"/> to keep a list). Not thread-safe: one search at a time per buffer.
/// </remarks>
public sealed class NeighborPairBuffer
{
    internal long[] FirstArray = [], SecondArray = [], ShiftsArray = [];
    internal double[] DistancesArray = [];
    internal double[] Positions = [];      // [3N]: copy of the searched positions (for Vectors)
    internal readonly double[] Cell = new double[9];
    private double[] vectors = [];
    private bool vectorsCurrent;

    // Made by the allocating Search for one call: arrays are exactly Count long, handed to NeighborPairs.
    internal bool ExactSize;

    /// <summary>Number of directed pairs of the last search (0 before the first).</summary>
    public int Count { get; private set; }

    /// <summary>Pairs the buffer can hold without growing.</summary>
    public int Capacity => SecondArray.Length;

    /// <summary>ASE's <c>i</c>: the receiver of each pair, ascending. [Count].</summary>
    public ReadOnlySpan<long> First => FirstArray.AsSpan(0, Count);

    /// <summary>ASE's <c>j</c>: the sender of each pair. [Count].</summary>
    public ReadOnlySpan<long> Second => SecondArray.AsSpan(0, Count);

    /// <summary>ASE's <c>S</c>: integer image shift per pair, flattened [Count·3].</summary>
    public ReadOnlySpan<long> Shifts => ShiftsArray.AsSpan(0, 3 * Count);

    /// <summary>ASE's <c>d</c>: |D| per pair. [Count].</summary>
    public ReadOnlySpan<double> Distances => DistancesArray.AsSpan(0, Count);

    /// <summary>
    /// ASE's <c>D</c>: pos[j] − pos[i] + S·cell per pair, flattened [Count·3]; made on first use after a
    /// search (into storage that is reused too), with the search's operations, so |D| = d bit for bit.
    /// </summary>
    public ReadOnlySpan<double> Vectors
    {
        get
        {
            if (!vectorsCurrent)
            {
                NeighborListWorkspace.Ensure(ref vectors, 3L * Count);
                NeighborPairs.FillVectors(First, Second, Shifts, Positions, Cell, vectors);
                vectorsCurrent = true;
            }
            return vectors.AsSpan(0, 3 * Count);
        }
    }

    /// <summary>An independent copy of the current list as exactly sized arrays.</summary>
    public NeighborPairs ToPairs()
        => new(First.ToArray(), Second.ToArray(), Shifts.ToArray(), Distances.ToArray(), (double[])Positions.Clone(), (double[])Cell.Clone());

    /// <summary>Makes room for <paramref name="count"/> pairs (contents not kept) and sets <see cref="Count"/>.</summary>
    internal void Reserve(int count)
    {
        vectorsCurrent = false;
        Count = count;
        if (ExactSize)
        {
            FirstArray = GC.AllocateUninitializedArray<long>(count);
            SecondArray = GC.AllocateUninitializedArray<long>(count);
            ShiftsArray = GC.AllocateUninitializedArray<long>(3 * count);
            DistancesArray = GC.AllocateUninitializedArray<double>(count);
            return;
        }
        if (SecondArray.Length >= count) return;
        // Headroom: pair counts fluctuate from step to step in a simulation; do not regrow for every extra pair.
        int capacity = (int)Math.Min(Array.MaxLength / 3, count + (long)count / 8 + 64);
        FirstArray = GC.AllocateUninitializedArray<long>(capacity);
        SecondArray = GC.AllocateUninitializedArray<long>(capacity);
        ShiftsArray = GC.AllocateUninitializedArray<long>(3 * capacity);
        DistancesArray = GC.AllocateUninitializedArray<double>(capacity);
    }

    /// <summary>Keeps a copy of the searched positions and the cell (for <see cref="Vectors"/>).</summary>
    internal void SetFrame(ReadOnlySpan<double> positions, double[] cell)
    {
        vectorsCurrent = false;
        if (ExactSize) Positions = positions.ToArray();
        else positions.CopyTo(NeighborListWorkspace.Ensure(ref Positions, positions.Length));
        cell.CopyTo(Cell, 0);
    }
}
