namespace SciKernels;

/// <summary>Which tensors a gradient rule reads besides the output gradient: their in-place modification before backward is an error.</summary>
[Flags]
internal enum Saved
{
    /// <summary>The rule reads only the output gradient (and shapes).</summary>
    None = 0,

    /// <summary>The rule reads the op's inputs.</summary>
    Inputs = 1,

    /// <summary>The rule reads the op's output.</summary>
    Output = 2,

    /// <summary>Inputs and output (the safe default).</summary>
    All = Inputs | Output,
}

// How every differentiable op records itself: the graph node for reverse mode, the tangent for forward mode.
public sealed partial class Tensor
{
    /// <summary>
    /// Records <paramref name="result"/> as the output of <paramref name="op"/> when gradients are on
    /// and an input needs them, and propagates forward-mode tangents while a Jvp is active; checks
    /// for NaN/Inf in anomaly mode.
    /// </summary>
    /// <param name="result">The op's output.</param>
    /// <param name="op">Name for the graph and error messages.</param>
    /// <param name="inputs">The differentiable inputs, in the order of the rules' arrays.</param>
    /// <param name="backward">Output gradient → input gradients (null: no gradient), written with differentiable ops.</param>
    /// <param name="jvp">
    /// Input tangents (null: zero) → output tangent (null: zero), written with differentiable ops.
    /// Without it forward mode derives the tangent from <paramref name="backward"/> (slower; see ForwardMode).
    /// </param>
    /// <param name="saved">The tensors the rules read: their versions are checked before the backward rule runs.</param>
    internal static Tensor Record(Tensor result, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, Func<Tensor?[], Tensor?>? jvp = null, Saved saved = Saved.All)
    {
        if (Autograd.GradMode.IsAnomalyDetectionEnabled) Autograd.Anomaly.Check(result, op);
        if (Autograd.GradMode.IsEnabled)
        {
            foreach (var i in inputs)
            {
                if (!i.requiresGrad) continue;
                result.requiresGrad = true;
                result.GradFn = new Autograd.Node(op, inputs, backward, (saved & Saved.Output) != 0 ? result : null, (saved & Saved.Inputs) != 0);
                break;
            }
        }
        // One thread-static read when no Jvp is active.
        if (Autograd.ForwardMode.Visible != 0) Autograd.ForwardMode.Propagate(result, op, inputs, backward, jvp);
        return result;
    }

    /// <summary>
    /// Records a unary element-wise op from ONE definition of its derivative:
    /// <paramref name="timesDerivative"/>(h) = h·f′(x). The Jacobian is diagonal, hence its own
    /// transpose, so the same function is the backward (h = output gradient) and the forward
    /// rule (h = input tangent).
    /// </summary>
    internal static Tensor RecordUnary(Tensor result, string op, Tensor x, Func<Tensor, Tensor> timesDerivative, Saved saved = Saved.All) =>
        Record(result, op, new[] { x }, g => new[] { timesDerivative(g) }, t => t[0] is { } tx ? timesDerivative(tx) : null, saved);

    /// <summary>
    /// Records a broadcasting binary element-wise op from one definition of each partial derivative:
    /// <paramref name="timesDa"/>(h) = h·∂y/∂a and <paramref name="timesDb"/>(h) = h·∂y/∂b, element-wise
    /// at the output shape. Backward: the partials of g summed back to each operand's shape;
    /// forward: ȧ·∂y/∂a + ḃ·∂y/∂b broadcast to the output shape.
    /// </summary>
    internal static Tensor RecordBinary(Tensor result, string op, Tensor a, Tensor b, Func<Tensor, Tensor> timesDa, Func<Tensor, Tensor> timesDb, Saved saved = Saved.All) =>
        Record(result, op, new[] { a, b },
            g => new[] { a.requiresGrad ? timesDa(g).SumTo(a.shape) : null, b.requiresGrad ? timesDb(g).SumTo(b.shape) : null },
            t => SumTangents(result, t[0] is { } ta ? timesDa(ta) : null, t[1] is { } tb ? timesDb(tb) : null), saved);

    /// <summary>The sum of the tangent contributions (null = zero), broadcast to <paramref name="result"/>'s shape.</summary>
    internal static Tensor? SumTangents(Tensor result, Tensor? first, Tensor? second)
    {
        var sum = first is null ? second : second is null ? first : first.Add(second);
        return sum is null || sum.shape.AsSpan().SequenceEqual(result.shape) ? sum : sum.Expand(result.shape);
    }
}
