using ILGPU;
using SciKernels.Kernels.Graph;

namespace SciKernels.Kernels.Runtime;

public sealed partial class KernelOps
{
    // ---------------------------------------------------------------- neighbour lists

    /// <summary>Pairs per receiver (see <see cref="NeighborKernels.Count"/>).</summary>
    /// <param name="dbl">Packed positions [9N].</param><param name="moved">Cells moved [3N].</param>
    /// <param name="grid">Packed bins [2N + NumBins + 1].</param><param name="counts">Output [N].</param>
    /// <param name="args">Binning, cell and cutoff.</param>
    public void NeighborCount(ArrayView<double> dbl, ArrayView<long> moved, ArrayView<int> grid, ArrayView<long> counts, NeighborArgs args)
    {
        Check(counts.Length >= args.Atoms && dbl.Length >= 9L * args.Atoms && moved.Length >= 3L * args.Atoms
            && grid.Length >= 2L * args.Atoms + args.NumBins + 1, "neighbour-list inputs shorter than the atom count");
        if (args.Atoms == 0) return;
        K.Get<ArrayView<double>, ArrayView<long>, ArrayView<int>, ArrayView<long>, NeighborArgs>(NeighborKernels.Count)(
            S, L.Linear(args.Atoms), dbl, moved, grid, counts, args);
    }

    /// <summary>
    /// offsets = exclusive scan of counts, offsets[n] = the total (three integer passes, no atomics;
    /// see <see cref="NeighborKernels.ScanChunks"/>).
    /// </summary>
    /// <param name="counts">Values [n].</param><param name="offsets">Output [n + 1].</param><param name="n">n.</param>
    public void ExclusiveScan(ArrayView<long> counts, ArrayView<long> offsets, int n)
    {
        Check(counts.Length >= n && offsets.Length >= n + 1L, "scan views shorter than n");
        int chunks = (n + NeighborKernels.ScanChunk - 1) / NeighborKernels.ScanChunk;
        if (chunks == 0)
        {
            Fill(offsets.SubView(0, 1), 0L);
            return;
        }
        using var sums = device.Pool.Rent<long>(chunks);
        using var prefix = device.Pool.Rent<long>(chunks + 1);
        K.Get<ArrayView<long>, ArrayView<long>, int>(NeighborKernels.ScanChunks)(S, L.Linear(chunks), counts, sums.View, n);
        K.Get<ArrayView<long>, ArrayView<long>, int>(NeighborKernels.ScanTop)(S, new KernelConfig(1, L.GroupSize), sums.View, prefix.View, chunks);
        K.Get<ArrayView<long>, ArrayView<long>, ArrayView<long>, int>(NeighborKernels.ScanApply)(S, L.Linear(chunks), counts, prefix.View, offsets, n);
    }

    /// <summary>Writes and sorts every receiver's pairs (see <see cref="NeighborKernels.Fill"/>).</summary>
    /// <param name="dbl">Packed positions [9N].</param><param name="moved">Cells moved [3N].</param>
    /// <param name="grid">Packed bins.</param><param name="offsets">Scanned counts [N + 1].</param>
    /// <param name="pairs">Output [i E | j E | S 3E].</param><param name="dist">Output [E].</param>
    /// <param name="args">Binning, cell and cutoff.</param>
    public void NeighborFill(ArrayView<double> dbl, ArrayView<long> moved, ArrayView<int> grid, ArrayView<long> offsets,
        ArrayView<long> pairs, ArrayView<double> dist, NeighborArgs args)
    {
        Check(offsets.Length >= args.Atoms + 1L && pairs.Length == 5 * dist.Length, "neighbour-list outputs have inconsistent lengths");
        if (args.Atoms == 0 || dist.Length == 0) return;
        K.Get<ArrayView<double>, ArrayView<long>, ArrayView<int>, ArrayView<long>, ArrayView<long>, ArrayView<double>, NeighborArgs>(NeighborKernels.Fill)(
            S, L.Linear(args.Atoms), dbl, moved, grid, offsets, pairs, dist, args);
    }
}
