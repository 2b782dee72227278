using ILGPU;
using ILGPU.Runtime;
using SciKernels.Backends;
using SciKernels.Kernels.Graph;
using SciKernels.Kernels.Runtime;

namespace SciKernels.Devices;

public sealed unsafe partial class IlgpuBackend : INeighborListKernels
{
    /// <inheritdoc/>
    /// <remarks>
    /// Uploads the binning, counts each receiver's pairs, scans the counts, reads the total back (the
    /// one synchronisation: it sizes the outputs), then fills. The outputs are views of one int64
    /// buffer [i E | j E | S 3E] and one float64 buffer [E].
    /// </remarks>
    public NeighborPairTensors FindNeighbors(NeighborGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        int n = grid.Atoms;
        int numBins = grid.BinStart.Length - 1;
        var args = new NeighborArgs(n, numBins, grid.Bins[0], grid.Bins[1], grid.Bins[2], grid.Range[0], grid.Range[1], grid.Range[2],
            (grid.Periodic[0] ? 1 : 0) | (grid.Periodic[1] ? 2 : 0) | (grid.Periodic[2] ? 4 : 0),
            grid.Cell[0], grid.Cell[1], grid.Cell[2], grid.Cell[3], grid.Cell[4], grid.Cell[5], grid.Cell[6], grid.Cell[7], grid.Cell[8],
            grid.Cutoff, grid.Reach2);
        long total;
        PooledBuffer<double>? dbl = null;
        PooledBuffer<long>? moved = null, offsets = null;
        PooledBuffer<int>? bins = null;
        try
        {
            lock (gate)
            {
                dbl = Rent<double>(9L * n);
                Put(dbl.View, 0, grid.Positions);
                Put(dbl.View, 3L * n, grid.Wrapped);
                Put(dbl.View, 6L * n, grid.Binned);
                moved = Rent<long>(3L * n);
                Put(moved.View, 0, grid.Moved);
                bins = Rent<int>(2L * n + numBins + 1);
                Put(bins.View, 0, grid.BinOf);
                Put(bins.View, n, grid.BinStart);
                Put(bins.View, n + numBins + 1L, grid.BinAtoms);
                offsets = Rent<long>(n + 1L);
                using (var counts = Rent<long>(n))
                {
                    Ops.NeighborCount(dbl.View, moved.View, bins.View, counts.View, args);
                    Ops.ExclusiveScan(counts.View, offsets.View, n);
                }
                Context.Synchronize();
                long t = 0;
                offsets.View.SubView(n, 1).CopyToCPU(ref t, 1);
                total = t;
            }
            if (total > int.MaxValue / 5)
                throw new TensorException("NeighborList", $"{total} pairs within cutoff {grid.Cutoff} for {n} atoms exceed what one list on {Device} can hold; use a smaller cutoff");
            int e = (int)total;
            var pairs = Tensor.Empty([5 * e], DType.Int64, Device);
            var dist = Tensor.Empty([e], DType.Float64, Device);
            lock (gate) Ops.NeighborFill(dbl.View, moved.View, bins.View, offsets.View, Dense<long>(pairs), Dense<double>(dist), args);
            return new NeighborPairTensors(pairs.Narrow(0, 0, e), pairs.Narrow(0, e, e), pairs.Narrow(0, 2 * e, 3 * e).Reshape(e, 3), dist);
        }
        finally
        {
            // The stream is in order: buffers returned to the pool are reused only by later launches.
            lock (gate)
            {
                dbl?.Dispose();
                moved?.Dispose();
                bins?.Dispose();
                offsets?.Dispose();
            }
        }
    }

    private PooledBuffer<T> Rent<T>(long length) where T : unmanaged => Context.Pool.Rent<T>(Math.Max(1, length));

    private static void Put<T>(ArrayView<T> view, long at, T[] values) where T : unmanaged
    {
        if (values.Length == 0) return;
        fixed (T* p = values)
            view.SubView(at, values.Length).CopyFromCPU(ref *p, values.Length);
    }
}
