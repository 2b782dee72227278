namespace SciKernels.Kernels.Stencil;

/// <summary>
/// Launch arguments of <see cref="StencilKernels"/>: sizes (spatial axes padded on the left to three)
/// and, for the tiled kernel, the tile geometry. Built by <see cref="StencilArgs.Create"/>.
/// </summary>
public readonly struct StencilArgs
{
    /// <summary>Batch size.</summary>
    public readonly int Batch;
    /// <summary>Output components.</summary>
    public readonly int OutComps;
    /// <summary>Spatial sizes (axis 2 contiguous).</summary>
    public readonly int N0, N1, N2;
    /// <summary>Tile extent along axes 0, 1, 2 (threads per group = TZ·TY·TX).</summary>
    public readonly int TZ, TY, TX;
    /// <summary>Tiles along axes 0, 1, 2.</summary>
    public readonly int TilesZ, TilesY, TilesX;
    /// <summary>Halo width along axes 0, 1, 2.</summary>
    public readonly int H0, H1, H2;
    /// <summary>Interior box [Lo, Hi) per axis: nodes there use only interior rows.</summary>
    public readonly int Lo0, Lo1, Lo2, Hi0, Hi1, Hi2;
    /// <summary>1 where the axis wraps.</summary>
    public readonly int P0, P1, P2;
    /// <summary>The field and component the tile is loaded from.</summary>
    public readonly int SrcField, SrcComp;

    private StencilArgs(int batch, StencilProgram p, int tz, int ty, int tx)
    {
        Batch = batch;
        OutComps = p.OutComps;
        N0 = p.Size(0); N1 = p.Size(1); N2 = p.Size(2);
        TZ = tz; TY = ty; TX = tx;
        TilesZ = (N0 + tz - 1) / tz; TilesY = (N1 + ty - 1) / ty; TilesX = (N2 + tx - 1) / tx;
        var t = p.Tiling;
        if (t is not null)
        {
            H0 = t.Halo[0]; H1 = t.Halo[1]; H2 = t.Halo[2];
            Lo0 = t.Lo[0]; Lo1 = t.Lo[1]; Lo2 = t.Lo[2];
            Hi0 = t.Hi[0]; Hi1 = t.Hi[1]; Hi2 = t.Hi[2];
            P0 = t.Periodic[0]; P1 = t.Periodic[1]; P2 = t.Periodic[2];
            SrcField = t.SourceField; SrcComp = t.SourceComp;
        }
    }

    /// <summary>Arguments for a launch over <paramref name="batch"/> samples with tiles of tz × ty × tx nodes.</summary>
    /// <param name="batch">Batch size.</param>
    /// <param name="program">The program.</param>
    /// <param name="tz">Tile extent along axis 0.</param>
    /// <param name="ty">Tile extent along axis 1.</param>
    /// <param name="tx">Tile extent along axis 2.</param>
    public static StencilArgs Create(int batch, StencilProgram program, int tz = 1, int ty = 1, int tx = 1) => new(batch, program, tz, ty, tx);

    /// <summary>Nodes per component.</summary>
    public int Nodes => N0 * N1 * N2;

    /// <summary>Elements of the tile plus halo.</summary>
    public int TileElements => (TZ + 2 * H0) * (TY + 2 * H1) * (TX + 2 * H2);

    /// <summary>Number of tiles over the whole batch.</summary>
    public long Tiles => (long)Batch * TilesZ * TilesY * TilesX;
}
