namespace SciKernels.Graphs;

/// <summary>
/// A neighbour list on the host, in ASE's <c>neighbor_list("ijSDd")</c> layout and order: sorted by
/// <see cref="First"/> (the receiver <c>i</c>), then <see cref="Second"/> (the sender <c>j</c>), then
/// the shift. Pair p: <c>D = pos[j] − pos[i] + S·cell</c>, <c>d = |D| &lt; cutoff</c>.
/// </summary>
public sealed class NeighborPairs
{
    internal NeighborPairs(long[] first, long[] second, long[] shifts, double[] vectors, double[] distances)
    {
        First = first;
        Second = second;
        Shifts = shifts;
        Vectors = vectors;
        Distances = distances;
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
    public double[] Vectors { get; }

    /// <summary>ASE's <c>d</c>: |D| per pair.</summary>
    public double[] Distances { get; }
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
