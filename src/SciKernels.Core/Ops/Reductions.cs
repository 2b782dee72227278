using SciKernels.Backends;

namespace SciKernels;

public sealed partial class Tensor
{
    /// <summary>Reduces one axis of a contiguous copy; the result keeps the axis with size 1.</summary>
    private Tensor ReduceAxisRaw(ReduceOp op, int axis, string name)
    {
        int n = shape[axis];
        long outerLong = 1, innerLong = 1; // at most NumElements: no overflow in long
        for (int i = 0; i < axis; i++) outerLong *= shape[i];
        for (int i = axis + 1; i < Rank; i++) innerLong *= shape[i];
        if (n == 0 && op != ReduceOp.Sum)
            throw new TensorException(name, $"cannot reduce an empty dimension {axis} of shape {ShapeString(shape)}");
        int outer = CheckedSize(outerLong, name, shape, $"the number of rows before reduced dimension {axis}");
        int inner = CheckedSize(innerLong, name, shape, $"the number of elements after reduced dimension {axis}");
        var x = Contiguous();
        var ys = (int[])shape.Clone();
        ys[axis] = 1;
        var y = Empty(ys, DType, Device);
        Backend.Reduce(op, x, outer, n, inner, y);
        if (!ReferenceEquals(x, this)) x.Dispose();
        return y;
    }

    /// <summary>Reduces the given axes (all when null) without recording; keeps size-1 dims.</summary>
    private Tensor ReduceRaw(ReduceOp op, int[]? dims, string name)
    {
        CheckFloat(name, this);
        var axes = NormalizeAxes(dims, name);
        if (axes.Length == Rank && Rank > 1 && op == ReduceOp.Sum && NumElements <= int.MaxValue)
        {
            // Whole-tensor sums reduce the flat buffer in one pass.
            var flat = Contiguous();
            var r = flat.View(new[] { (int)NumElements }, new long[] { 1 }, flat.Offset).ReduceAxisRaw(op, 0, name);
            var keep = new int[Rank];
            Array.Fill(keep, 1);
            var res = r.View(keep, ContiguousStrides(keep), r.Offset);
            r.Dispose();
            if (!ReferenceEquals(flat, this)) flat.Dispose();
            return res;
        }
        Tensor cur = this;
        for (int k = axes.Length - 1; k >= 0; k--)
        {
            var next = cur.ReduceAxisRaw(op, axes[k], name);
            if (!ReferenceEquals(cur, this)) cur.Dispose();
            cur = next;
        }
        return ReferenceEquals(cur, this) ? Contiguous(forceCopy: true) : cur;
    }

    private int[] NormalizeAxes(int[]? dims, string name)
    {
        if (dims is null)
        {
            var all = new int[Rank];
            for (int i = 0; i < Rank; i++) all[i] = i;
            return all;
        }
        var set = new SortedSet<int>();
        foreach (var d in dims)
            if (!set.Add(NormalizeDim(d, Rank, name))) throw new TensorException(name, $"dimension {d} repeats");
        return set.ToArray();
    }

    private int[] ReducedShape(int[] axes, bool keepDim)
    {
        var r = new List<int>();
        for (int i = 0; i < Rank; i++)
        {
            if (Array.IndexOf(axes, i) < 0) r.Add(shape[i]);
            else if (keepDim) r.Add(1);
        }
        return r.ToArray();
    }

    private Tensor FinishReduce(Tensor keep, int[] axes, bool keepDim)
    {
        if (keepDim) return keep;
        var s = ReducedShape(axes, false);
        var v = keep.View(s, ContiguousStrides(s), keep.Offset);
        keep.Dispose();
        return v;
    }

    /// <summary>Sum over <paramref name="dims"/> (all when null).</summary>
    public Tensor Sum(int[]? dims = null, bool keepDim = false)
    {
        var axes = NormalizeAxes(dims, "Sum");
        var y = FinishReduce(ReduceRaw(ReduceOp.Sum, axes, "Sum"), axes, keepDim);
        var x = this;
        var keepShape = ReducedShape(axes, true);
        return Record(y, "Sum", new[] { x }, g => new[] { g.Reshape(keepShape).Expand(x.shape) }, t => t[0]?.Sum(axes, keepDim), Saved.None);
    }

    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum(new[] { dim }, keepDim);

    /// <summary>Mean over <paramref name="dims"/> (all when null).</summary>
    public Tensor Mean(int[]? dims = null, bool keepDim = false)
    {
        var axes = NormalizeAxes(dims, "Mean");
        long count = 1;
        foreach (var a in axes) count *= shape[a];
        return Sum(axes, keepDim).Div(count); // 0/0 = NaN for an empty mean, as in PyTorch
    }

    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean(new[] { dim }, keepDim);

    /// <summary>Maximum over <paramref name="dims"/> (all when null); ties share the gradient.</summary>
    public Tensor Max(int[]? dims = null, bool keepDim = false) => Extremum(ReduceOp.Max, dims, keepDim, "Max");

    /// <summary>Maximum over one dimension.</summary>
    public Tensor Max(int dim, bool keepDim = false) => Max(new[] { dim }, keepDim);

    /// <summary>Minimum over <paramref name="dims"/> (all when null); ties share the gradient.</summary>
    public Tensor Min(int[]? dims = null, bool keepDim = false) => Extremum(ReduceOp.Min, dims, keepDim, "Min");

    /// <summary>Minimum over one dimension.</summary>
    public Tensor Min(int dim, bool keepDim = false) => Min(new[] { dim }, keepDim);

    private Tensor Extremum(ReduceOp op, int[]? dims, bool keepDim, string name)
    {
        var axes = NormalizeAxes(dims, name);
        var keep = ReduceRaw(op, axes, name);
        var y = FinishReduce(keep.View(keep.shape, keep.strides, keep.Offset), axes, keepDim);
        var x = this;
        // The derivative goes to the arg-extrema, split evenly among ties (like torch.amax).
        Tensor Share()
        {
            var mask = x.Detach().Eq(keep);
            return mask.Div(mask.Sum(axes, keepDim: true));
        }
        return Record(y, name, new[] { x }, g => new[] { Share().Mul(g.Reshape(keep.shape)) },
            t => t[0]?.Mul(Share()).Sum(axes, keepDim));
    }

    /// <summary>
    /// The p-norm over <paramref name="dims"/> (all when null); p = 2 by default. Differentiable; the
    /// gradient is 0 where the norm is 0 (PyTorch's convention; the composite form would give NaN).
    /// </summary>
    public Tensor Norm(double p = 2, int[]? dims = null, bool keepDim = false)
    {
        if (p == 1) return Abs().Sum(dims, keepDim);
        if (double.IsPositiveInfinity(p)) return Abs().Max(dims, keepDim);
        if (!(p > 0)) throw new TensorException("Norm", $"p must be positive, got {p}");
        CheckFloat("Norm", this);
        var axes = NormalizeAxes(dims, "Norm");
        var keepShape = ReducedShape(axes, true);
        var x = this;
        // The value from the composite on a detached view (nothing recorded); the rules below.
        var xd = Detach();
        var y = p == 2 ? xd.Square().Sum(axes, keepDim).Sqrt() : xd.Abs().Pow(p).Sum(axes, keepDim).Pow(1 / p);
        // ∂‖x‖/∂x = sign(x)·|x|^(p-1) / ‖x‖^(p-1) (x / ‖x‖ for p = 2), set to 0 where ‖x‖ = 0. Written
        // with differentiable ops of x and of the recorded y, so higher derivatives follow.
        Tensor Direction() => p == 2 ? x : x.Sign().Mul(x.Abs().Pow(p - 1));
        Tensor Scaled(Tensor numerator) // numerator / ‖x‖^(p-1) at keepShape, 0 where ‖x‖ = 0
        {
            var yk = y.Reshape(keepShape);
            var isZero = yk.Detach().Eq(ScalarLike(0));
            var safe = Where(isZero, ScalarLike(1), yk);
            return Where(isZero, ScalarLike(0), numerator.Div(p == 2 ? safe : safe.Pow(p - 1)));
        }
        return Record(y, "Norm", new[] { x },
            g => new[] { Direction().Mul(Scaled(g.Reshape(keepShape))) },
            t => t[0] is { } tx ? Scaled(Direction().Mul(tx).Sum(axes, keepDim: true)).Reshape(y.shape) : null);
    }

    /// <summary>
    /// Sums this tensor down to <paramref name="target"/>, the inverse of broadcasting: used by the
    /// gradient rules of broadcasting ops. Differentiable.
    /// </summary>
    public Tensor SumTo(ReadOnlySpan<int> target)
    {
        if (target.SequenceEqual(shape)) return this;
        int lead = Rank - target.Length;
        if (lead < 0) throw new TensorException("SumTo", $"cannot sum {ShapeString(shape)} down to the larger rank {ShapeString(target)}");
        var axes = new List<int>();
        for (int i = 0; i < Rank; i++)
        {
            if (i < lead) axes.Add(i);
            else if (target[i - lead] == 1 && shape[i] != 1) axes.Add(i);
            else if (target[i - lead] != shape[i]) throw new TensorException("SumTo", $"cannot sum {ShapeString(shape)} down to {ShapeString(target)}");
        }
        var t = target.ToArray();
        return axes.Count == 0 ? Reshape(t) : Sum(axes.ToArray(), keepDim: true).Reshape(t);
    }
}
