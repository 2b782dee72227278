namespace SciKernels;

public sealed partial class Tensor
{
    private static void CheckIndex(string op, Tensor index, int expectRank = 1)
    {
        index.ThrowIfDisposed(op);
        if (index.DType != DType.Int64) throw new TensorException(op, $"indices must be int64, got {index.DType.Name()}");
        if (expectRank >= 0 && index.Rank != expectRank) throw new TensorException(op, $"indices must be {expectRank}-D, got shape {ShapeString(index.Shape)}");
    }

    /// <summary>Rows <paramref name="index"/> of dimension <paramref name="dim"/> (like <c>torch.index_select</c>).</summary>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        CheckFloat("IndexSelect", this);
        CheckIndex("IndexSelect", index);
        CheckSameDevice("IndexSelect", this, index);
        int d = NormalizeDim(dim, Rank, "IndexSelect");
        var ys = (int[])shape.Clone();
        ys[d] = index.shape[0];
        var y = Empty(ys, DType, Device);
        var x = Contiguous();
        var ic = index.Contiguous();
        Backend.IndexSelect(x, d, ic, y);
        var xs = shape;
        var dt = DType;
        return Record(y, "IndexSelect", new[] { this }, g => new[] { Zeros(xs, dt, g.Device).IndexAdd(d, ic, g) }, t => t[0]?.IndexSelect(d, ic));
    }

    /// <summary>
    /// A copy of this tensor with <paramref name="source"/>'s slices added at positions
    /// <paramref name="index"/> of dimension <paramref name="dim"/> (like <c>index_add</c>; deterministic).
    /// </summary>
    public Tensor IndexAdd(int dim, Tensor index, Tensor source)
    {
        CheckFloatOperands("IndexAdd", this, source);
        CheckIndex("IndexAdd", index);
        int d = NormalizeDim(dim, Rank, "IndexAdd");
        if (source.Rank != Rank || source.shape[d] != index.shape[0])
            throw new TensorException("IndexAdd", $"source shape {ShapeString(source.shape)} does not match self {ShapeString(shape)} with {index.shape[0]} indices along dim {d}");
        for (int i = 0; i < Rank; i++)
            if (i != d && source.shape[i] != shape[i])
                throw new TensorException("IndexAdd", $"source shape {ShapeString(source.shape)} differs from self {ShapeString(shape)} in dimension {i}");
        var y = Contiguous(forceCopy: true).Detach();
        var sc = source.Contiguous();
        var ic = index.Contiguous();
        Backend.IndexAdd(y, d, ic, sc);
        // linear in (self, source): the tangent is the same index-add of the tangents
        return Record(y, "IndexAdd", new[] { this, source }, g => new[] { g, source.requiresGrad ? g.IndexSelect(d, ic) : null },
            t => t[1] is { } ts ? (t[0] ?? ZerosLike(y)).IndexAdd(d, ic, ts) : t[0]);
    }

    /// <summary>Values at <paramref name="index"/> along <paramref name="dim"/> (like <c>torch.gather</c>).</summary>
    public Tensor Gather(int dim, Tensor index)
    {
        CheckFloat("Gather", this);
        CheckIndex("Gather", index, -1);
        int d = NormalizeDim(dim, Rank, "Gather");
        if (index.Rank != Rank) throw new TensorException("Gather", $"index rank {index.Rank} differs from input rank {Rank}");
        for (int i = 0; i < Rank; i++)
            if (i != d && index.shape[i] > shape[i]) throw new TensorException("Gather", $"index shape {ShapeString(index.shape)} exceeds input shape {ShapeString(shape)} in dimension {i}");
        var y = Empty(index.shape, DType, Device);
        var x = Contiguous();
        var ic = index.Contiguous();
        Backend.Gather(x, d, ic, y);
        var xs = shape;
        var dt = DType;
        return Record(y, "Gather", new[] { this }, g => new[] { Zeros(xs, dt, g.Device).ScatterAdd(d, ic, g) }, t => t[0]?.Gather(d, ic));
    }

    /// <summary>A copy of this tensor with <paramref name="source"/> added at <paramref name="index"/> along <paramref name="dim"/> (like <c>scatter_add</c>; deterministic).</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor source)
    {
        CheckFloatOperands("ScatterAdd", this, source);
        CheckIndex("ScatterAdd", index, -1);
        int d = NormalizeDim(dim, Rank, "ScatterAdd");
        if (index.Rank != Rank || !index.Shape.SequenceEqual(source.Shape))
            throw new TensorException("ScatterAdd", $"index {ShapeString(index.shape)} and source {ShapeString(source.shape)} must have the same shape and the rank of self {ShapeString(shape)}");
        for (int i = 0; i < Rank; i++)
            if (i != d && index.shape[i] > shape[i]) throw new TensorException("ScatterAdd", $"index shape {ShapeString(index.shape)} exceeds self shape {ShapeString(shape)} in dimension {i}");
        var y = Contiguous(forceCopy: true).Detach();
        var sc = source.Contiguous();
        var ic = index.Contiguous();
        Backend.ScatterAdd(y, d, ic, sc);
        return Record(y, "ScatterAdd", new[] { this, source }, g => new[] { g, source.requiresGrad ? g.Gather(d, ic) : null },
            t => t[1] is { } ts ? (t[0] ?? ZerosLike(y)).ScatterAdd(d, ic, ts) : t[0]);
    }

    /// <summary>
    /// Sums rows of this tensor (dim 0) into <paramref name="numSegments"/> segments given
    /// ascending segment ids — the deterministic reduction of message passing.
    /// </summary>
    public Tensor SegmentSum(Tensor sortedSegmentIds, int numSegments)
    {
        CheckFloat("SegmentSum", this);
        CheckIndex("SegmentSum", sortedSegmentIds);
        if (Rank == 0 || sortedSegmentIds.shape[0] != shape[0])
            throw new TensorException("SegmentSum", $"{sortedSegmentIds.shape[0]} segment ids for input of shape {ShapeString(shape)}");
        if (numSegments < 0) throw new TensorException("SegmentSum", $"numSegments must be non-negative, got {numSegments}");
        var ys = (int[])shape.Clone();
        ys[0] = numSegments;
        var y = Empty(ys, DType, Device);
        var x = Contiguous();
        var ids = sortedSegmentIds.Contiguous();
        Backend.SegmentSum(x, ids, y);
        return Record(y, "SegmentSum", new[] { this }, g => new[] { g.IndexSelect(0, ids) }, t => t[0]?.SegmentSum(ids, numSegments));
    }

    /// <summary>Joins tensors along an existing dimension.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new TensorException("Concat", "no tensors given");
        var first = tensors[0];
        int d = NormalizeDim(dim, first.Rank, "Concat");
        long total = 0;
        foreach (var t in tensors)
        {
            CheckFloatOperands("Concat", first, t);
            if (t.Rank != first.Rank) throw new TensorException("Concat", $"ranks differ: {ShapeString(first.shape)} and {ShapeString(t.shape)}");
            for (int i = 0; i < t.Rank; i++)
                if (i != d && t.shape[i] != first.shape[i]) throw new TensorException("Concat", $"shapes {ShapeString(first.shape)} and {ShapeString(t.shape)} differ outside dimension {d}");
            total += t.shape[d];
        }
        var ys = (int[])first.shape.Clone();
        ys[d] = CheckedSize(total, "Concat", first.shape, $"the total size of dimension {d} of {tensors.Count} tensors");
        var y = Empty(ys, first.DType, first.Device, "Concat");
        var starts = new int[tensors.Count];
        int at = 0;
        using (Autograd.GradMode.NoGrad())
        {
            for (int i = 0; i < tensors.Count; i++)
            {
                starts[i] = at;
                var slot = y.Narrow(d, at, tensors[i].shape[d]);
                first.Backend.Copy(tensors[i], slot);
                slot.Dispose();
                at += tensors[i].shape[d];
            }
        }
        var inputs = tensors.ToArray();
        return Record(y, "Concat", inputs, g =>
        {
            var r = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
                r[i] = inputs[i].requiresGrad ? g.Narrow(d, starts[i], inputs[i].shape[d]) : null;
            return r;
        }, t => Concat(t.Select((ti, i) => ti ?? ZerosLike(inputs[i])).ToArray(), d), Saved.None);
    }

    /// <summary>Joins tensors of equal shape along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new TensorException("Stack", "no tensors given");
        int d = dim < 0 ? dim + tensors[0].Rank + 1 : dim;
        var parts = new Tensor[tensors.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!tensors[i].Shape.SequenceEqual(tensors[0].Shape))
                throw new TensorException("Stack", $"shapes {ShapeString(tensors[0].shape)} and {ShapeString(tensors[i].shape)} differ");
            parts[i] = tensors[i].Unsqueeze(d);
        }
        return Concat(parts, d);
    }
}
