namespace SciKernels.NN;

/// <summary>How a loss reduces its per-element (or per-sample) values.</summary>
public enum Reduction
{
    /// <summary>The mean (default).</summary>
    Mean,
    /// <summary>The sum.</summary>
    Sum,
    /// <summary>No reduction: the unreduced tensor.</summary>
    None,
}

/// <summary>Loss functions and error metrics (differentiable; like <c>torch.nn.functional</c>).</summary>
public static class Losses
{
    /// <summary>Mean squared error, (pred − target)² reduced.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
        => Reduce(Diff(prediction, target, "Mse").Square(), reduction);

    /// <summary>Mean absolute error, |pred − target| reduced.</summary>
    public static Tensor L1(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
        => Reduce(Diff(prediction, target, "L1").Abs(), reduction);

    /// <summary>
    /// Relative L2 error per sample, ‖predᵢ − trueᵢ‖₂ / ‖trueᵢ‖₂, over all dimensions but the first
    /// (the batch), as the FNO paper reports it. Shape [batch].
    /// </summary>
    /// <remarks>There is no ε in the denominator, as in the paper: an all-zero target gives ∞ or NaN.</remarks>
    public static Tensor RelativeL2PerSample(Tensor prediction, Tensor target)
    {
        var diff = Diff(prediction, target, "RelativeL2");
        if (target.Rank == 0) throw new ArgumentException("RelativeL2: needs a batch dimension", nameof(target));
        int batch = target.Size(0);
        var num = diff.Reshape(batch, -1).Norm(2, [1]);
        var den = target.Reshape(batch, -1).Norm(2, [1]);
        return num.Div(den);
    }

    /// <summary>Relative L2 error reduced over the batch (mean by default: the FNO paper's metric).</summary>
    public static Tensor RelativeL2(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
        => Reduce(RelativeL2PerSample(prediction, target), reduction);

    private static Tensor Diff(Tensor prediction, Tensor target, string name)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!prediction.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"{name}: prediction shape [{string.Join(", ", prediction.Shape.ToArray())}] differs from target shape [{string.Join(", ", target.Shape.ToArray())}] (broadcasting in a loss is usually a bug)");
        return prediction.Sub(target);
    }

    private static Tensor Reduce(Tensor t, Reduction reduction) => reduction switch
    {
        Reduction.Mean => t.Mean(),
        Reduction.Sum => t.Sum(),
        Reduction.None => t,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "unknown reduction"),
    };
}
