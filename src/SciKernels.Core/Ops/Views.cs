namespace SciKernels;

public sealed partial class Tensor
{
    /// <summary>
    /// This tensor with another shape of the same element count; one dimension may be -1 (inferred).
    /// A view when the layout allows, a copy otherwise. Differentiable.
    /// </summary>
    public Tensor Reshape(params int[] newShape)
    {
        ThrowIfDisposed("Reshape");
        var target = InferShape(newShape, NumElements, shape);
        if (target.AsSpan().SequenceEqual(shape)) return Alias();
        Tensor view;
        var viewStrides = ViewStrides(shape, strides, target);
        if (viewStrides is not null) view = View(target, viewStrides, Offset);
        else
        {
            // The layout cannot express the new shape (e.g. merging permuted dims): copy once.
            var src = Contiguous();
            view = new Tensor(src.Storage, target, ContiguousStrides(target), src.Offset);
            src.Dispose();
        }
        var orig = shape;
        return Record(view, "Reshape", new[] { this }, g => new[] { g.Reshape(orig) }, t => t[0]?.Reshape(target), Saved.None);
    }

    /// <summary>Same as <see cref="Reshape"/> (PyTorch's <c>view</c>).</summary>
    public Tensor View(params int[] newShape) => Reshape(newShape);

    /// <summary>Flattens dimensions <paramref name="startDim"/>..<paramref name="endDim"/> into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = NormalizeDim(startDim, Rank, "Flatten"), e = NormalizeDim(endDim, Rank, "Flatten");
        if (e < s) throw new TensorException("Flatten", $"endDim {endDim} comes before startDim {startDim}");
        var ns = new List<int>();
        for (int i = 0; i < s; i++) ns.Add(shape[i]);
        long prod = 1;
        // capped at 2^31 so the long never overflows; a zero size anywhere still gives 0
        for (int i = s; i <= e; i++) prod = Math.Min(prod * shape[i], (long)int.MaxValue + 1);
        ns.Add(CheckedSize(prod, "Flatten", shape, $"the flattened size of dimensions {s}..{e}"));
        for (int i = e + 1; i < Rank; i++) ns.Add(shape[i]);
        return Reshape(ns.ToArray());
    }

    /// <summary>
    /// Strides that let a tensor of (shape, strides) be viewed as <paramref name="target"/> without
    /// copying, or null when no such strides exist. Each run of old dimensions that maps onto a run
    /// of new ones must itself be laid out back to back (stride-0 runs count as back to back).
    /// </summary>
    internal static long[]? ViewStrides(int[] shape, long[] strides, int[] target)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count == 0) return ContiguousStrides(target);
        var os = new List<int>();
        var ost = new List<long>();
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;
            os.Add(shape[i]);
            ost.Add(strides[i]);
        }
        var ns = new long[target.Length];
        int oi = 0, ni = 0;
        while (ni < target.Length)
        {
            if (target[ni] == 1)
            {
                ns[ni++] = 1;
                continue;
            }
            int oStart = oi, nStart = ni;
            long oldProd = os[oi], newProd = target[ni];
            while (oldProd != newProd)
            {
                if (oldProd < newProd) oldProd *= os[++oi];
                else newProd *= target[++ni];
            }
            for (int j = oStart; j < oi; j++)
                if (ost[j] != ost[j + 1] * os[j + 1]) return null;
            long st = ost[oi];
            for (int j = ni; j >= nStart; j--)
            {
                ns[j] = st;
                st *= target[j];
            }
            oi++;
            ni++;
        }
        return ns;
    }

    private static int[] InferShape(int[] requested, long count, int[] from)
    {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < requested.Length; i++)
        {
            if (requested[i] == -1)
            {
                if (infer >= 0) throw new TensorException("Reshape", $"only one dimension can be -1 in {ShapeString(requested)}");
                infer = i;
            }
            else if (requested[i] < 0) throw new TensorException("Reshape", $"invalid dimension {requested[i]} in {ShapeString(requested)}");
            else
            {
                if (requested[i] != 0 && known > long.MaxValue / requested[i])
                    throw new TensorException("Reshape", $"cannot reshape {ShapeString(from)} ({count} elements) to {ShapeString(requested)}");
                known *= requested[i];
            }
        }
        var result = (int[])requested.Clone();
        if (infer >= 0)
        {
            if (known == 0 || count % known != 0) throw new TensorException("Reshape", $"cannot reshape {ShapeString(from)} ({count} elements) to {ShapeString(requested)}");
            result[infer] = CheckedSize(count / known, "Reshape", from, $"the inferred dimension {infer} of {ShapeString(requested)}");
        }
        else if (known != count) throw new TensorException("Reshape", $"cannot reshape {ShapeString(from)} ({count} elements) to {ShapeString(requested)}");
        return result;
    }

    /// <summary>A new tensor object for the same data, recorded as an identity (so graph nodes stay distinct).</summary>
    internal Tensor Alias()
    {
        var v = View(shape, strides, Offset);
        return Record(v, "Alias", new[] { this }, g => new[] { g }, t => t[0], Saved.None);
    }

    /// <summary>Reorders the dimensions (a view). Differentiable.</summary>
    public Tensor Permute(params int[] dims)
    {
        ThrowIfDisposed("Permute");
        if (dims.Length != Rank) throw new TensorException("Permute", $"{dims.Length} dims given for a tensor of rank {Rank} (shape {ShapeString(shape)})");
        var seen = new bool[Rank];
        var ns = new int[Rank];
        var nst = new long[Rank];
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = NormalizeDim(dims[i], Rank, "Permute");
            if (seen[d]) throw new TensorException("Permute", $"dimension {d} repeats in ({string.Join(", ", dims)})");
            seen[d] = true;
            ns[i] = shape[d];
            nst[i] = strides[d];
            inverse[d] = i;
        }
        var forward = (int[])dims.Clone();
        return Record(View(ns, nst, Offset), "Permute", new[] { this }, g => new[] { g.Permute(inverse) }, t => t[0]?.Permute(forward), Saved.None);
    }

    /// <summary>Swaps two dimensions (a view). Differentiable.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        var p = new int[Rank];
        for (int i = 0; i < Rank; i++) p[i] = i;
        int a = NormalizeDim(dim0, Rank, "Transpose"), b = NormalizeDim(dim1, Rank, "Transpose");
        (p[a], p[b]) = (p[b], p[a]);
        return Permute(p);
    }

    /// <summary>The transpose of a matrix (swaps the last two dimensions).</summary>
    public Tensor T => Rank < 2 ? Alias() : Transpose(-2, -1);

    /// <summary>Elements start..start+length-1 along <paramref name="dim"/> (a view). Differentiable.</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        ThrowIfDisposed("Narrow");
        int d = NormalizeDim(dim, Rank, "Narrow");
        if (start < 0) start += shape[d];
        // long arithmetic: start + length must not wrap around for lengths near int.MaxValue
        if (start < 0 || length < 0 || (long)start + length > shape[d])
            throw new TensorException("Narrow", $"range [{start}, {(long)start + length}) (start {start}, length {length}) is outside dimension {d} of size {shape[d]} (shape {ShapeString(shape)})");
        var ns = (int[])shape.Clone();
        ns[d] = length;
        var full = shape;
        return Record(View(ns, (long[])strides.Clone(), Offset + start * strides[d]), "Narrow", new[] { this },
            g => new[] { NarrowBackward(g, full, d, start) }, t => t[0]?.Narrow(d, start, length), Saved.None);
    }

    /// <summary>Zeros of <paramref name="full"/> shape with <paramref name="g"/> placed at [start, start+len) of dim d.</summary>
    private static Tensor NarrowBackward(Tensor g, int[] full, int d, int start)
    {
        var z = Zeros(full, g.DType, g.Device);
        using (Autograd.GradMode.NoGrad())
        {
            var slot = z.Narrow(d, start, g.shape[d]);
            z.Backend.Copy(g, slot);
            slot.Dispose();
        }
        int len = g.shape[d];
        return Record(z, "NarrowBackward", new[] { g }, gg => new[] { gg.Narrow(d, start, len) }, t => t[0] is { } tg ? NarrowBackward(tg, full, d, start) : null, Saved.None);
    }

    /// <summary>Index <paramref name="index"/> of dimension <paramref name="dim"/>, which is removed. Differentiable.</summary>
    public Tensor Select(int dim, int index)
    {
        ThrowIfDisposed("Select");
        int d = NormalizeDim(dim, Rank, "Select");
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d])
            throw new TensorException("Select", $"index {index} is out of range for dimension {d} of size {shape[d]} (shape {ShapeString(shape)})");
        index = i;
        return Narrow(d, index, 1).Squeeze(d);
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/>. Differentiable.</summary>
    public Tensor Unsqueeze(int dim)
    {
        ThrowIfDisposed("Unsqueeze");
        int d = dim < 0 ? dim + Rank + 1 : dim;
        if (d < 0 || d > Rank) throw new TensorException("Unsqueeze", $"dimension {dim} is out of range for rank {Rank}");
        var ns = new List<int>(shape);
        var nst = new List<long>(strides);
        ns.Insert(d, 1);
        nst.Insert(d, d < Rank ? strides[d] * shape[d] : 1);
        var orig = shape;
        var unsqueezed = ns.ToArray();
        return Record(View(unsqueezed, nst.ToArray(), Offset), "Unsqueeze", new[] { this }, g => new[] { g.Reshape(orig) }, t => t[0]?.Reshape(unsqueezed), Saved.None);
    }

    /// <summary>Removes dimension <paramref name="dim"/> if it has size 1, or every size-1 dimension when null. Differentiable.</summary>
    public Tensor Squeeze(int? dim = null)
    {
        ThrowIfDisposed("Squeeze");
        var ns = new List<int>();
        var nst = new List<long>();
        int only = dim is int dd ? NormalizeDim(dd, Rank, "Squeeze") : -1;
        for (int i = 0; i < Rank; i++)
        {
            bool drop = shape[i] == 1 && (only < 0 || only == i);
            if (drop) continue;
            ns.Add(shape[i]);
            nst.Add(strides[i]);
        }
        var orig = shape;
        var squeezed = ns.ToArray();
        return Record(View(squeezed, nst.ToArray(), Offset), "Squeeze", new[] { this }, g => new[] { g.Reshape(orig) }, t => t[0]?.Reshape(squeezed), Saved.None);
    }

    /// <summary>
    /// Broadcasts size-1 dimensions (and new leading dimensions) to <paramref name="newShape"/>
    /// without copying (stride 0). -1 keeps a size. Differentiable (the gradient sums back).
    /// </summary>
    public Tensor Expand(params int[] newShape)
    {
        ThrowIfDisposed("Expand");
        if (newShape.Length < Rank) throw new TensorException("Expand", $"cannot expand {ShapeString(shape)} to fewer dimensions {ShapeString(newShape)}");
        int lead = newShape.Length - Rank;
        var ns = new int[newShape.Length];
        var nst = new long[newShape.Length];
        for (int i = 0; i < newShape.Length; i++)
        {
            int src = i - lead;
            int want = newShape[i];
            if (want < -1) throw new TensorException("Expand", $"cannot expand {ShapeString(shape)} to {ShapeString(newShape)}: size {want} of dimension {i} is negative (only -1, keep the size, is allowed)");
            if (src < 0)
            {
                if (want < 0) throw new TensorException("Expand", $"-1 is not allowed for new leading dimension {i} in {ShapeString(newShape)}");
                ns[i] = want;
                nst[i] = 0;
                continue;
            }
            if (want == -1 || want == shape[src])
            {
                ns[i] = shape[src];
                nst[i] = strides[src];
            }
            else if (shape[src] == 1)
            {
                ns[i] = want;
                nst[i] = 0;
            }
            else throw new TensorException("Expand", $"cannot expand {ShapeString(shape)} to {ShapeString(newShape)}: dimension {src} has size {shape[src]}");
        }
        if (ns.AsSpan().SequenceEqual(shape)) return Alias();
        ElementCount(ns, "Expand");
        var orig = shape;
        return Record(View(ns, nst, Offset), "Expand", new[] { this }, g => new[] { g.SumTo(orig) }, t => t[0]?.Expand(ns), Saved.None);
    }

    /// <summary>
    /// Returns this tensor when it is already contiguous, else a dense row-major copy. Differentiable.
    /// </summary>
    /// <param name="forceCopy">Always copy (a fresh buffer even when already contiguous).</param>
    public Tensor Contiguous(bool forceCopy = false)
    {
        ThrowIfDisposed("Contiguous");
        if (!forceCopy && IsContiguous) return this;
        var y = Empty(shape, DType, Device);
        Backend.Copy(this, y);
        return Record(y, "Contiguous", new[] { this }, g => new[] { g }, t => t[0], Saved.None);
    }

    /// <summary>A copy with its own buffer. Differentiable.</summary>
    public Tensor Clone() => Contiguous(forceCopy: true);

    /// <summary>
    /// Copies <paramref name="src"/> into this tensor's elements in place (broadcasting src; a source that
    /// overlaps this tensor is read as it was before the copy). Not recorded:
    /// use for initialisation and optimizer updates, not inside a differentiated computation.
    /// </summary>
    public void CopyFrom(Tensor src)
    {
        ThrowIfDisposed("CopyFrom");
        src.ThrowIfDisposed("CopyFrom");
        CheckSameDevice("CopyFrom", this, src);
        if (src.DType != DType) throw new TensorException("CopyFrom", $"dtype {src.DType.Name()} into {DType.Name()}");
        using var _ = Autograd.GradMode.NoGrad();
        var b = src.BroadcastTo(shape, "CopyFrom");
        var from = SourceFor(b);
        Backend.Copy(from, this);
        if (!ReferenceEquals(from, b)) from.Dispose();
        if (!ReferenceEquals(b, src)) b.Dispose();
        BumpVersion();
    }

    /// <summary>A stride-0 view of this tensor broadcast to <paramref name="target"/> (no recording, no checks beyond shape).</summary>
    internal Tensor BroadcastTo(int[] target, string op)
    {
        if (target.AsSpan().SequenceEqual(shape)) return this;
        if (target.Length < Rank) throw new TensorException(op, $"cannot broadcast {ShapeString(shape)} to {ShapeString(target)}");
        int lead = target.Length - Rank;
        var nst = new long[target.Length];
        for (int i = 0; i < target.Length; i++)
        {
            int src = i - lead;
            if (src < 0) continue;
            if (shape[src] == target[i]) nst[i] = strides[src];
            else if (shape[src] == 1) nst[i] = 0;
            else throw new TensorException(op, $"cannot broadcast {ShapeString(shape)} to {ShapeString(target)}");
        }
        return View(target, nst, Offset);
    }
}
