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
        for (int k = 0; k < Count; k++)
        {
            long i = First[k], j = Second[k], s0 = Shifts[3 * k], s1 = Shifts[3 * k + 1], s2 = Shifts[3 * k + 2];
            for (int c = 0; c < 3; c++)
                v[3 * k + c] = positions[3 * j + c] - positions[3 * i + c] + (s0 * cell[c] + s1 * cell[3 + c] + s2 * cell[6 + c]);
        }
        return v;
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
