namespace SciKernels.Graphs;

/// <summary>
/// Reusable scratch memory for the searches that take one (e.g.
/// <see cref="NeighborList.Search(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{bool}, double, NeighborListWorkspace, NeighborPairBuffer, int)"/>):
/// the bin tables, the bin-ordered copies of the positions and the half-list buffers of one search
/// are kept and reused by the next, so a loop of searches (a molecular-dynamics run) allocates only
/// the returned pairs — or nothing, when the pairs go into a reused <see cref="NeighborPairBuffer"/>.
/// The results do not depend on the workspace: a reused workspace gives the same pairs, bit for bit,
/// as a fresh one.
/// </summary>
/// <remarks>
/// Not thread-safe: one search at a time per workspace (a search itself runs on several threads).
/// Its memory only grows, to what the largest search so far needed; drop the workspace to free it.
/// </remarks>
public sealed class NeighborListWorkspace
{
    // Atom order (index i).
    internal int[] BinOf = [];
    internal double[] AtomWrapped = [];   // [3N]
    internal long[] AtomMoved = [];       // [3N]
    internal long[] Offsets = [];         // [N + 1]: start of each receiver's segment in the full list
    internal int[] Mirrored = [];         // [N]: mirrored pairs placed so far in each segment

    // Bin order (index k: atoms sorted by bin, ascending atom index within a bin).
    internal int[] BinStart = [];         // [bins + 1]
    internal int[] BinFill = [];          // [bins]
    internal int[] BinAtoms = [];         // [N]: atom at bin-order index k
    internal double[] Bx = [], By = [], Bz = [];   // wrapped positions, padded with far-away entries
    internal double[] Px = [], Py = [], Pz = [];   // the positions as given
    internal long[] M0 = [], M1 = [], M2 = [];     // whole cells moved by the wrapping
    internal int[] HalfCount = [];        // [N]: half-list pairs found from each receiver

    // Per axis: bin and periodic image of each bin coordinate in [−Range, Bins + Range).
    internal int[][] LocBin = [[], [], []];
    internal long[][] LocImage = [[], [], []];

    // Half-list pairs, one buffer per chunk of receivers (bin order), reused between calls.
    internal NeighborList.HalfChunkBuffer?[] Chunks = [];

    // The uncapped full list when a k-nearest cap applies (the capped list is the output).
    internal long[] CapSecond = [], CapShifts = [];
    internal double[] CapDistances = [];
    internal long[] CapOffsets = [];
    internal NeighborList.Pair[] CapScratch = [];

    // The binning of the last search, reused so a search allocates nothing once the buffers have grown.
    internal NeighborList.Frame? Frame;

    // Below this many atoms the search runs on the calling thread: waking the pool costs more than it
    // saves. A test seam (0 forces the threaded path on small systems).
    internal int ParallelAtoms = 6000;

    // Made by the plain Search for one call: its half-list buffers go back to the shared pool at the end.
    internal bool Transient;

    /// <summary>Returns the chunk buffers to the shared pool.</summary>
    internal void ReturnChunks()
    {
        foreach (var chunk in Chunks) chunk?.Return();
    }

    // A test seam: the scalar walk (pre-filter + exact test) where the AVX-512 one would run.
    internal bool ScalarWalk;

    /// <summary>Grows <paramref name="a"/> (contents not kept) to hold at least <paramref name="n"/> elements.</summary>
    internal static T[] Ensure<T>(ref T[] a, long n)
    {
        if (a.Length < n) a = GC.AllocateUninitializedArray<T>(checked((int)Math.Max(n, Math.Min(Array.MaxLength, a.Length + (long)a.Length / 2))));
        return a;
    }
}
