namespace SciKernels.Backends;

/// <summary>
/// Device kernels of the radius-graph search (<c>Graphs.NeighborList</c>): given the cell-list binning
/// made on the host, find every pair (i, j, S) with d = |pos[j] − pos[i] + S·cell| &lt; cutoff, in the
/// CPU's order (i, then j, then S) and with its arithmetic. Implementations must be deterministic and
/// must not use atomics (count per receiver → exclusive scan → fill per receiver). Backends without it
/// (or with host memory) run the CPU search.
/// </summary>
public interface INeighborListKernels
{
    /// <summary>Finds the pairs of a binned system on this backend.</summary>
    /// <param name="grid">The binning (host arrays, validated by the caller).</param>
    /// <returns>The pairs as tensors on this backend.</returns>
    NeighborPairTensors FindNeighbors(NeighborGrid grid);
}

/// <summary>
/// A cell-list binning of N atoms, made on the host by <c>NeighborList</c> and handed to
/// <see cref="INeighborListKernels"/>: bins are a B0×B1×B2 grid over fractional coordinates (periodic
/// axes wrapped into [0, 1)); a receiver in bin (b0, b1, b2) searches bins b ± Range per axis, bins
/// beyond a periodic axis standing for the next image of the cell.
/// </summary>
public sealed class NeighborGrid
{
    /// <summary>N.</summary>
    public required int Atoms { get; init; }

    /// <summary>The positions as given, float64 [3N].</summary>
    public required double[] Positions { get; init; }

    /// <summary>Positions moved by whole cells into the periodic box [3N].</summary>
    public required double[] Wrapped { get; init; }

    /// <summary><see cref="Wrapped"/> in bin order (row k is atom <see cref="BinAtoms"/>[k]) [3N].</summary>
    public required double[] Binned { get; init; }

    /// <summary>Whole cells each atom was moved by per axis when wrapped [3N].</summary>
    public required long[] Moved { get; init; }

    /// <summary>Bin of each atom, (b0·B1 + b1)·B2 + b2 [N].</summary>
    public required int[] BinOf { get; init; }

    /// <summary>Start of each bin in <see cref="BinAtoms"/> [B0·B1·B2 + 1].</summary>
    public required int[] BinStart { get; init; }

    /// <summary>Atoms sorted by bin, ascending index within a bin [N].</summary>
    public required int[] BinAtoms { get; init; }

    /// <summary>Bins per axis (3).</summary>
    public required int[] Bins { get; init; }

    /// <summary>Bins searched on either side per axis (3).</summary>
    public required int[] Range { get; init; }

    /// <summary>Periodicity per axis (3).</summary>
    public required bool[] Periodic { get; init; }

    /// <summary>The cell, rows = lattice vectors (9; identity for an open system).</summary>
    public required double[] Cell { get; init; }

    /// <summary>Pairs with d &lt; Cutoff are listed.</summary>
    public required double Cutoff { get; init; }

    /// <summary>Squared radius of the bin pre-filter on wrapped positions (a little above Cutoff²).</summary>
    public required double Reach2 { get; init; }
}

/// <summary>A neighbour list on a backend, in <c>NeighborPairs</c>' order.</summary>
/// <param name="First">Receivers i: int64 [E], ascending.</param>
/// <param name="Second">Senders j: int64 [E].</param>
/// <param name="Shifts">Image shifts S: int64 [E, 3].</param>
/// <param name="Distances">d = |pos[j] − pos[i] + S·cell|: float64 [E].</param>
public sealed record NeighborPairTensors(Tensor First, Tensor Second, Tensor Shifts, Tensor Distances);
