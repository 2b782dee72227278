using ILGPU;
using ILGPU.Runtime;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Layout;
using SciKernels.Kernels.Stencil;

namespace SciKernels.Kernels.Runtime;

/// <summary>Which stencil kernel a launch used.</summary>
public enum StencilPath
{
    /// <summary><see cref="StencilKernels.Interpret{T,TArith}"/>: one thread per output element.</summary>
    General,
    /// <summary><see cref="StencilKernels.Tiled{T,TArith}"/>: shared-memory tiles.</summary>
    Tiled,
}

public sealed partial class KernelOps
{
    private StencilProgramCache? stencilPrograms;

    /// <summary>Device copies of the stencil programs launched so far.</summary>
    public StencilProgramCache StencilPrograms => LazyInitializer.EnsureInitialized(ref stencilPrograms, () => new StencilProgramCache(device.Accelerator));

    /// <summary>
    /// Tile extents (TZ, TY, TX) the tiled stencil kernel would use for <paramref name="program"/>, or
    /// null when the general kernel runs (no tiling, too few threads per group, or too much shared memory).
    /// </summary>
    /// <param name="program">Program.</param>
    public (int TZ, int TY, int TX)? StencilTile(StencilProgram program)
    {
        if (program.Tiling is null) return null;
        bool small = L.GroupSize < 256;
        if (L.GroupSize < 32) return null;
        var tile = program.Size(0) == 1
            ? (small ? (1, 4, 8) : (1, 8, 32))
            : (small ? (2, 4, 4) : (4, 4, 16));
        if (tile.Item1 * tile.Item2 * tile.Item3 > device.Accelerator.MaxNumThreadsPerGroup) return null;
        var args = StencilArgs.Create(1, program, tile.Item1, tile.Item2, tile.Item3);
        return args.TileElements <= StencilKernels.MaxTileElements ? tile : null;
    }

    /// <summary>
    /// y = the fused stencil <paramref name="program"/> of <paramref name="fields"/> (float32), each
    /// field contiguous [batch, comps, spatial…]; picks the tiled kernel when it applies.
    /// </summary>
    /// <param name="program">Program.</param>
    /// <param name="fields">Input fields (program.NumFields views).</param>
    /// <param name="y">Output [batch, outComps, spatial…] (must not alias an input).</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="allowTiled">False forces the general kernel.</param>
    /// <returns>The kernel used.</returns>
    public StencilPath Stencil(StencilProgram program, ArrayView<float>[] fields, ArrayView<float> y, int batch, bool allowTiled = true)
    {
        var (ints, coefs) = StencilPrograms.Float32(program);
        return StencilCore<float, F32>(program, fields, y, batch, ints, coefs, allowTiled);
    }

    /// <summary>
    /// y = the fused stencil <paramref name="program"/> of <paramref name="fields"/> (float64), each
    /// field contiguous [batch, comps, spatial…]; picks the tiled kernel when it applies.
    /// </summary>
    /// <param name="program">Program.</param>
    /// <param name="fields">Input fields (program.NumFields views).</param>
    /// <param name="y">Output [batch, outComps, spatial…] (must not alias an input).</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="allowTiled">False forces the general kernel.</param>
    /// <returns>The kernel used.</returns>
    public StencilPath Stencil(StencilProgram program, ArrayView<double>[] fields, ArrayView<double> y, int batch, bool allowTiled = true)
    {
        var (ints, coefs) = StencilPrograms.Float64(program);
        return StencilCore<double, F64>(program, fields, y, batch, ints, coefs, allowTiled);
    }

    private StencilPath StencilCore<T, TA>(StencilProgram program, ArrayView<T>[] fields, ArrayView<T> y, int batch,
        ArrayView<int> ints, ArrayView<T> coefs, bool allowTiled)
        where T : unmanaged where TA : struct, IArith<T>
    {
        int numFields = program.NumFields;
        Check(fields.Length == numFields, "one view per program field");
        long nodes = program.Nodes;
        Check(y.Length == batch * program.OutComps * nodes, "y length != batch * outComps * nodes");
        for (int f = 0; f < numFields; f++)
            Check(fields[f].Length == batch * program.FieldComps(f) * nodes, $"field {f} length != batch * comps * nodes");
        if (y.Length == 0) return StencilPath.General;
        var v = new ArrayView<T>[StencilKernels.MaxViews];
        for (int k = 0; k < v.Length; k++) v[k] = fields[Math.Min(k, numFields - 1)];
        PooledBuffer<T>? packed = null;
        try
        {
            if (numFields > StencilKernels.MaxViews)
            {
                // Fields 3… go back to back into one view (the program records their component offsets).
                long len = 0;
                for (int f = StencilKernels.MaxViews - 1; f < numFields; f++) len += fields[f].Length;
                Check(len <= int.MaxValue, "packed fields exceed 2^31 - 1 elements");
                packed = device.Pool.Rent<T>(len);
                long at = 0;
                for (int f = StencilKernels.MaxViews - 1; f < numFields; f++)
                {
                    int n = (int)fields[f].Length;
                    if (n > 0) CopyStrided(fields[f], packed.View, Shape6.From([n]), Strides6.From([1]), Strides6.From([1], (int)at));
                    at += n;
                }
                v[StencilKernels.MaxViews - 1] = packed.View;
            }
            var tile = allowTiled ? StencilTile(program) : null;
            if (tile is { } t)
            {
                var args = StencilArgs.Create(batch, program, t.TZ, t.TY, t.TX);
                Check(args.Tiles <= int.MaxValue, "more than 2^31 - 1 tiles");
                int groups = (int)args.Tiles;
                K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<T>, StencilArgs>(StencilKernels.Tiled<T, TA>)(
                    S, new KernelConfig(groups, t.TZ * t.TY * t.TX), v[0], v[1], v[2], v[3], y, ints, coefs, args);
                return StencilPath.Tiled;
            }
            K.Get<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<T>, StencilArgs>(StencilKernels.Interpret<T, TA>)(
                S, L.Linear(y.Length), v[0], v[1], v[2], v[3], y, ints, coefs, StencilArgs.Create(batch, program));
            return StencilPath.General;
        }
        finally
        {
            // The stream is in order, so whoever rents the packed buffer next queues work after these launches.
            packed?.Dispose();
        }
    }
}
