namespace SciKernels;

public sealed partial class Tensor
{
    internal static void CheckSameDevice(string op, Tensor a, Tensor b)
    {
        if (a.Device != b.Device)
            throw new TensorException(op, $"operands are on different devices: {ShapeString(a.Shape)} on {a.Device} and {ShapeString(b.Shape)} on {b.Device}; move one with To(device)");
    }

    internal static void CheckFloatOperands(string op, Tensor a, Tensor b)
    {
        a.ThrowIfDisposed(op);
        b.ThrowIfDisposed(op);
        CheckSameDevice(op, a, b);
        if (a.DType != b.DType)
            throw new TensorException(op, $"dtype mismatch: {ShapeString(a.Shape)} {a.DType.Name()} and {ShapeString(b.Shape)} {b.DType.Name()} (convert one with To(dtype))");
        CheckFloat(op, a);
    }

    internal static void CheckFloat(string op, Tensor a)
    {
        a.ThrowIfDisposed(op);
        if (!a.DType.IsFloatingPoint())
            throw new TensorException(op, $"expected a float32 or float64 tensor, got {a.DType.Name()} of shape {ShapeString(a.Shape)}");
    }

    /// <summary>The NumPy broadcast of two shapes.</summary>
    public static int[] BroadcastShapes(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op = "Broadcast")
    {
        int n = Math.Max(a.Length, b.Length);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i - (n - a.Length) >= 0 ? a[i - (n - a.Length)] : 1;
            int db = i - (n - b.Length) >= 0 ? b[i - (n - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new TensorException(op, $"shapes {ShapeString(a)} and {ShapeString(b)} cannot be broadcast together (dimension {i}: {da} vs {db})");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

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
    internal static Tensor Record(Tensor result, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, Func<Tensor?[], Tensor?>? jvp = null)
    {
        if (Autograd.GradMode.IsAnomalyDetectionEnabled) Autograd.Anomaly.Check(result, op);
        if (Autograd.GradMode.IsEnabled)
        {
            foreach (var i in inputs)
            {
                if (!i.requiresGrad) continue;
                result.requiresGrad = true;
                result.GradFn = new Autograd.Node(op, inputs, backward);
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
    internal static Tensor RecordUnary(Tensor result, string op, Tensor x, Func<Tensor, Tensor> timesDerivative) =>
        Record(result, op, new[] { x }, g => new[] { timesDerivative(g) }, t => t[0] is { } tx ? timesDerivative(tx) : null);

    /// <summary>
    /// Records a broadcasting binary element-wise op from one definition of each partial derivative:
    /// <paramref name="timesDa"/>(h) = h·∂y/∂a and <paramref name="timesDb"/>(h) = h·∂y/∂b, element-wise
    /// at the output shape. Backward: the partials of g summed back to each operand's shape;
    /// forward: ȧ·∂y/∂a + ḃ·∂y/∂b broadcast to the output shape.
    /// </summary>
    internal static Tensor RecordBinary(Tensor result, string op, Tensor a, Tensor b, Func<Tensor, Tensor> timesDa, Func<Tensor, Tensor> timesDb) =>
        Record(result, op, new[] { a, b },
            g => new[] { a.requiresGrad ? timesDa(g).SumTo(a.shape) : null, b.requiresGrad ? timesDb(g).SumTo(b.shape) : null },
            t => SumTangents(result, t[0] is { } ta ? timesDa(ta) : null, t[1] is { } tb ? timesDb(tb) : null));

    /// <summary>The sum of the tangent contributions (null = zero), broadcast to <paramref name="result"/>'s shape.</summary>
    internal static Tensor? SumTangents(Tensor result, Tensor? first, Tensor? second)
    {
        var sum = first is null ? second : second is null ? first : first.Add(second);
        return sum is null || sum.shape.AsSpan().SequenceEqual(result.shape) ? sum : sum.Expand(result.shape);
    }
}
