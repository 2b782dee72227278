namespace SciKernels.Cpu;

/// <summary>
/// Shapes and strides of up to three operands after merging dimensions that are laid out
/// back-to-back in all of them, so most loops run over long contiguous rows.
/// </summary>
internal sealed class StridedLayout
{
    public int[] Shape = Array.Empty<int>();
    public long[][] Strides = Array.Empty<long[]>();

    public int Rank => Shape.Length;

    /// <summary>Product of all but the last dimension (number of rows).</summary>
    public long Rows
    {
        get
        {
            long r = 1;
            for (int i = 0; i < Shape.Length - 1; i++) r *= Shape[i];
            return r;
        }
    }

    public int RowLength => Shape.Length == 0 ? 1 : Shape[^1];

    public static StridedLayout Coalesce(ReadOnlySpan<int> shape, params long[][] strides)
    {
        var dims = new List<int>();
        var st = new List<long>[strides.Length];
        for (int k = 0; k < strides.Length; k++) st[k] = new List<long>();
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue; // size-1 dims carry no layout
            if (dims.Count > 0)
            {
                bool merge = true;
                for (int k = 0; k < strides.Length && merge; k++)
                    merge = st[k][^1] == strides[k][i] * shape[i];
                if (merge)
                {
                    dims[^1] *= shape[i];
                    for (int k = 0; k < strides.Length; k++) st[k][^1] = strides[k][i];
                    continue;
                }
            }
            dims.Add(shape[i]);
            for (int k = 0; k < strides.Length; k++) st[k].Add(strides[k][i]);
        }
        if (dims.Count == 0)
        {
            dims.Add(1);
            for (int k = 0; k < strides.Length; k++) st[k].Add(1);
        }
        var r = new StridedLayout { Shape = dims.ToArray(), Strides = new long[strides.Length][] };
        for (int k = 0; k < strides.Length; k++) r.Strides[k] = st[k].ToArray();
        return r;
    }

    /// <summary>Element offset of operand <paramref name="k"/> at the start of row <paramref name="row"/>.</summary>
    public long RowOffset(int k, long row)
    {
        long off = 0;
        var s = Strides[k];
        for (int d = Shape.Length - 2; d >= 0; d--)
        {
            long idx = row % Shape[d];
            row /= Shape[d];
            off += idx * s[d];
        }
        return off;
    }
}
