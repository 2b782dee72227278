namespace SciKernels;

// Operand checks that give every op the same clear error messages.
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
}
