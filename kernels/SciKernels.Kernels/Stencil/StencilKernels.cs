using ILGPU;
using SciKernels.Kernels.Functors;

namespace SciKernels.Kernels.Stencil;

/// <summary>
/// Fused stencil kernels: each output element out[b, o, i] = Σ c·F(i) + Σ c·A(i)·B(i) of a
/// <see cref="StencilProgram"/>, written by exactly one thread (no atomics). Inputs are contiguous
/// fields [batch, comps, n0, n1, n2] in up to <see cref="MaxViews"/> views: fields 0…2 in views
/// 0…2, and fields ≥ 3 packed back to back in view 3 (see the component offsets of the program).
/// </summary>
/// <remarks>
/// <see cref="Interpret{T,TArith}"/> is the general path: one thread per output element (grid-stride),
/// walking the program's terms, operators and boundary rows. <see cref="Tiled{T,TArith}"/> is the
/// shared-memory fast path for programs with a <see cref="StencilProgram.Tiling"/>: a group stages a
/// TZ × TY × TX tile of the source field component plus halo, and each thread evaluates all output
/// components of its node from the tile (boundary rows too when their columns lie within the halo;
/// otherwise the nodes outside the interior box use the general evaluation).
/// </remarks>
public static class StencilKernels
{
    /// <summary>Number of input views a launch takes.</summary>
    public const int MaxViews = 4;

    /// <summary>Largest stencil radius the tiled kernel stages.</summary>
    public const int MaxTileHalo = 2;

    /// <summary>Shared-memory elements per group of the tiled kernel (tile plus halo).</summary>
    public const int MaxTileElements = 1536;

    private const int Header = 6;

    /// <summary>General path: y[(b·outComps + o)·nodes + p] for every element of y.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="x0">Field 0.</param>
    /// <param name="x1">Field 1 (any view when absent).</param>
    /// <param name="x2">Field 2 (any view when absent).</param>
    /// <param name="x3">Fields 3… packed (any view when absent).</param>
    /// <param name="y">Output [batch, outComps, n0, n1, n2] (must not alias an input).</param>
    /// <param name="prog">The program's ints.</param>
    /// <param name="coef">The program's coefficients converted to T.</param>
    /// <param name="args">Sizes.</param>
    public static void Interpret<T, TArith>(ArrayView<T> x0, ArrayView<T> x1, ArrayView<T> x2, ArrayView<T> x3, ArrayView<T> y,
        ArrayView<int> prog, ArrayView<T> coef, StencilArgs args)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int nodes = args.N0 * args.N1 * args.N2;
        int total = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int e = Grid.GlobalIndex.X; e < total; e += stride)
        {
            int p = e % nodes;
            int bo = e / nodes;
            int o = bo % args.OutComps;
            int b = bo / args.OutComps;
            int i2 = p % args.N2;
            int q = p / args.N2;
            int i1 = q % args.N1;
            int i0 = q / args.N1;
            y[e] = Component<T, TArith>(x0, x1, x2, x3, prog, coef, args, b, o, i0, i1, i2);
        }
    }

    /// <summary>
    /// Tiled path (one group of exactly TZ·TY·TX threads per tile, at least <see cref="StencilArgs.Tiles"/> groups): stages the
    /// source component's tile plus halo in shared memory (wrapped on periodic axes, zero outside
    /// non-periodic ones), then each thread writes every output component of its node.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="x0">Field 0.</param>
    /// <param name="x1">Field 1 (any view when absent).</param>
    /// <param name="x2">Field 2 (any view when absent).</param>
    /// <param name="x3">Fields 3… packed (any view when absent).</param>
    /// <param name="y">Output [batch, outComps, n0, n1, n2] (must not alias an input).</param>
    /// <param name="prog">The program's ints (a program with a tiling).</param>
    /// <param name="coef">The program's coefficients converted to T.</param>
    /// <param name="args">Sizes and tile geometry (<see cref="StencilArgs.TileElements"/> ≤ <see cref="MaxTileElements"/>).</param>
    public static void Tiled<T, TArith>(ArrayView<T> x0, ArrayView<T> x1, ArrayView<T> x2, ArrayView<T> x3, ArrayView<T> y,
        ArrayView<int> prog, ArrayView<T> coef, StencilArgs args)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        var tile = SharedMemory.Allocate<T>(MaxTileElements);
        int tid = Group.IdxX;
        int ex = args.TX + 2 * args.H2, ey = args.TY + 2 * args.H1, ez = args.TZ + 2 * args.H0;
        int tilesPerSample = args.TilesZ * args.TilesY * args.TilesX;
        int numTiles = args.Batch * tilesPerSample;
        int nodes = args.N0 * args.N1 * args.N2;
        int lx = tid % args.TX;
        int ly = tid / args.TX % args.TY;
        int lz = tid / (args.TX * args.TY);
        int srcView = args.SrcField < MaxViews - 1 ? args.SrcField : MaxViews - 1;
        int center = ((lz + args.H0) * ey + ly + args.H1) * ex + lx + args.H2;
        // One tile per group: a barrier inside a grid-stride loop makes OpenCL CPU compilers (PoCL)
        // keep every live value per work-item across the loop, which costs more than the launch.
        // Groups past the last tile (none with the launcher's grid) load and write nothing; the barrier
        // stays outside any branch (an early return before it crashed PoCL's kernel compiler).
        int t = Grid.IdxX < numTiles ? Grid.IdxX : numTiles - 1;
        bool active = Grid.IdxX < numTiles;
        int b = t / tilesPerSample;
        int r = t % tilesPerSample;
        int z0 = r / (args.TilesY * args.TilesX) * args.TZ;
        int r2 = r % (args.TilesY * args.TilesX);
        int y0 = r2 / args.TilesX * args.TY;
        int xs = r2 % args.TilesX * args.TX;
        int srcBase = FieldOffset(prog, args, args.SrcField, b, args.SrcComp, nodes);
        // Each thread loads the tile nodes congruent to its own position (no divisions per node).
        for (int cz = lz; cz < ez; cz += args.TZ)
        {
            int g0 = Fold(z0 - args.H0 + cz, args.N0, args.P0);
            for (int cy = ly; cy < ey; cy += args.TY)
            {
                int g1 = Fold(y0 - args.H1 + cy, args.N1, args.P1);
                int rowBase = srcBase + (g0 * args.N1 + g1) * args.N2;
                for (int cx = lx; cx < ex; cx += args.TX)
                {
                    int g2 = Fold(xs - args.H2 + cx, args.N2, args.P2);
                    tile[(cz * ey + cy) * ex + cx] = g0 >= 0 && g1 >= 0 && g2 >= 0 ? Load(x0, x1, x2, x3, srcView, rowBase + g2) : TArith.Zero;
                }
            }
        }
        Group.Barrier();
        int i0 = z0 + lz, i1 = y0 + ly, i2 = xs + lx;
        if (active && i0 < args.N0 && i1 < args.N1 && i2 < args.N2)
        {
            bool inBox = i0 >= args.Lo0 && i0 < args.Hi0 && i1 >= args.Lo1 && i1 < args.Hi1 && i2 >= args.Lo2 && i2 < args.Hi2;
            int p = (i0 * args.N1 + i1) * args.N2 + i2;
            for (int o = 0; o < args.OutComps; o++)
            {
                T v = inBox
                    ? TileComponent<T, TArith>(x0, x1, x2, x3, tile, prog, coef, args, b, o, i0, i1, i2, center, ex, ey)
                    : Component<T, TArith>(x0, x1, x2, x3, prog, coef, args, b, o, i0, i1, i2);
                y[(b * args.OutComps + o) * nodes + p] = v;
            }
        }
    }

    /// <summary>Index g folded into [0, n): wrapped when periodic, else −1 outside.</summary>
    private static int Fold(int g, int n, int periodic)
    {
        if (g >= 0 && g < n) return g;
        if (periodic == 0) return -1;
        // g is at most a few radii outside: steps instead of a modulo, which vectorizing OpenCL CPU
        // compilers (PoCL) turn into a scalar division per lane even where it is not taken.
        while (g < 0) g += n;
        while (g >= n) g -= n;
        return g;
    }

    private static T Load<T>(ArrayView<T> x0, ArrayView<T> x1, ArrayView<T> x2, ArrayView<T> x3, int view, int index)
        where T : unmanaged
    {
        if (view == 0) return x0[index];
        if (view == 1) return x1[index];
        if (view == 2) return x2[index];
        return x3[index];
    }

    /// <summary>Offset of node 0 of (field, b, comp) within its view.</summary>
    private static int FieldOffset(ArrayView<int> prog, in StencilArgs args, int field, int b, int comp, int nodes)
    {
        int comps = prog[Header + 2 * field];
        int packed = field >= MaxViews - 1 ? args.Batch * prog[Header + 2 * field + 1] * nodes : 0;
        return packed + (b * comps + comp) * nodes;
    }

    /// <summary>Output component o at node (i0, i1, i2) of sample b, evaluated from global memory.</summary>
    private static T Component<T, TArith>(ArrayView<T> x0, ArrayView<T> x1, ArrayView<T> x2, ArrayView<T> x3,
        ArrayView<int> prog, ArrayView<T> coef, in StencilArgs args, int b, int o, int i0, int i1, int i2)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int table = Header + 2 * prog[1];
        int t = prog[table + o];
        int end = prog[table + o + 1];
        T acc = TArith.Zero;
        while (t < end)
        {
            T c = coef[prog[t + 1]];
            T a = Factor<T, TArith>(x0, x1, x2, x3, prog, coef, args, t + 2, b, i0, i1, i2);
            if (prog[t] == 0)
            {
                acc = TArith.MulAdd(c, a, acc);
                t += 6;
            }
            else
            {
                T bv = Factor<T, TArith>(x0, x1, x2, x3, prog, coef, args, t + 6, b, i0, i1, i2);
                acc = TArith.MulAdd(TArith.Mul(c, a), bv, acc);
                t += 10;
            }
        }
        return acc;
    }

    /// <summary>One factor (field component through an optional 1-D operator) at a node.</summary>
    private static T Factor<T, TArith>(ArrayView<T> x0, ArrayView<T> x1, ArrayView<T> x2, ArrayView<T> x3,
        ArrayView<int> prog, ArrayView<T> coef, in StencilArgs args, int f, int b, int i0, int i1, int i2)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int field = prog[f];
        int view = field < MaxViews - 1 ? field : MaxViews - 1;
        int nodes = args.N0 * args.N1 * args.N2;
        int at = FieldOffset(prog, args, field, b, prog[f + 1], nodes) + (i0 * args.N1 + i1) * args.N2 + i2;
        int axis = prog[f + 2];
        int op = prog[f + 3];
        if (op < 0) return Load(x0, x1, x2, x3, view, at);
        int i = axis == 0 ? i0 : axis == 1 ? i1 : i2;
        int stride = axis == 0 ? args.N1 * args.N2 : axis == 1 ? args.N2 : 1;
        int line = at - i * stride;
        int n = prog[op], radius = prog[op + 1], periodic = prog[op + 2], ci = prog[op + 3];
        int left = prog[op + 4], right = prog[op + 5];
        int row = i < left ? i : i >= n - right ? left + i - (n - right) : -1;
        T sum = TArith.Zero;
        if (row >= 0)
        {
            int ro = prog[op + 6 + row];
            int count = prog[ro], wi = prog[ro + 1];
            for (int k = 0; k < count; k++)
                sum = TArith.MulAdd(coef[wi + k], Load(x0, x1, x2, x3, view, line + prog[ro + 2 + k] * stride), sum);
            return TArith.Add(sum, coef[wi + count]);
        }
        for (int s = -radius; s <= radius; s++)
        {
            T c = coef[ci + s + radius];
            if (!TArith.IsNonZero(c)) continue;
            int j = i + s;
            if (periodic != 0) j = Fold(j, n, 1);
            sum = TArith.MulAdd(c, Load(x0, x1, x2, x3, view, line + j * stride), sum);
        }
        return sum;
    }

    /// <summary>Output component o at a node of the box, whose stencil factors (interior or boundary rows) all read the staged tile.</summary>
    private static T TileComponent<T, TArith>(ArrayView<T> x0, ArrayView<T> x1, ArrayView<T> x2, ArrayView<T> x3, ArrayView<T> tile,
        ArrayView<int> prog, ArrayView<T> coef, in StencilArgs args, int b, int o, int i0, int i1, int i2, int center, int ex, int ey)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int table = Header + 2 * prog[1];
        int nodes = args.N0 * args.N1 * args.N2;
        int p = (i0 * args.N1 + i1) * args.N2 + i2;
        T acc = TArith.Zero;
        for (int t = prog[table + o]; t < prog[table + o + 1]; t += 6)
        {
            T c = coef[prog[t + 1]];
            int field = prog[t + 2];
            int axis = prog[t + 4];
            int op = prog[t + 5];
            T v;
            if (op < 0)
            {
                int view = field < MaxViews - 1 ? field : MaxViews - 1;
                v = Load(x0, x1, x2, x3, view, FieldOffset(prog, args, field, b, prog[t + 3], nodes) + p);
            }
            else
            {
                int n = prog[op], radius = prog[op + 1], ci = prog[op + 3];
                int left = prog[op + 4], right = prog[op + 5];
                int i = axis == 0 ? i0 : axis == 1 ? i1 : i2;
                int stride = axis == 0 ? ex * ey : axis == 1 ? ex : 1;
                int row = i < left ? i : i >= n - right ? left + i - (n - right) : -1;
                v = TArith.Zero;
                if (row >= 0)
                {
                    // A boundary row within the halo (the box excludes the others).
                    int ro = prog[op + 6 + row];
                    int count = prog[ro], wi = prog[ro + 1];
                    for (int k = 0; k < count; k++)
                        v = TArith.MulAdd(coef[wi + k], tile[center + (prog[ro + 2 + k] - i) * stride], v);
                    v = TArith.Add(v, coef[wi + count]);
                }
                else
                {
                    for (int s = -radius; s <= radius; s++)
                    {
                        T w = coef[ci + s + radius];
                        if (TArith.IsNonZero(w)) v = TArith.MulAdd(w, tile[center + s * stride], v);
                    }
                }
            }
            acc = TArith.MulAdd(c, v, acc);
        }
        return acc;
    }
}
