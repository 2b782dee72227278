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
    /// and an input needs them; checks for NaN/Inf in anomaly mode.
    /// </summary>
    internal static Tensor Record(Tensor result, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (Autograd.GradMode.IsAnomalyDetectionEnabled) Autograd.Anomaly.Check(result, op);
        if (!Autograd.GradMode.IsEnabled) return result;
        foreach (var i in inputs)
        {
            if (!i.requiresGrad) continue;
            result.requiresGrad = true;
            result.GradFn = new Autograd.Node(op, inputs, backward);
            break;
        }
        return result;
    }
}
