namespace SciKernels;

// Shape arithmetic shared by every op: strides, dimension checks, broadcasting, names for messages.
public sealed partial class Tensor
{
    internal static long[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    internal static string ShapeString(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    internal static int NormalizeDim(int dim, int rank, string op)
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) throw new TensorException(op, $"dimension {dim} is out of range for a tensor of rank {rank}");
        return d;
    }

    /// <summary>The element count of <paramref name="shape"/>; a clear error naming <paramref name="op"/> for a negative size or a count that overflows.</summary>
    internal static long ElementCount(ReadOnlySpan<int> shape, string op)
    {
        long n = 1;
        bool zero = false, overflow = false;
        foreach (var d in shape)
        {
            if (d < 0) throw new TensorException(op, $"negative dimension in shape {ShapeString(shape)}");
            if (d == 0) zero = true;
            else if (overflow || n > long.MaxValue / d) overflow = true;
            else n *= d;
        }
        if (zero) return 0; // [2^31, 2^31, 2^31, 0] is a legal empty shape
        if (overflow) throw new TensorException(op, $"shape {ShapeString(shape)} has more than {long.MaxValue} elements");
        return n;
    }

    /// <summary><paramref name="size"/> (computed in long arithmetic) as a dimension size, or a clear error naming <paramref name="op"/>.</summary>
    internal static int CheckedSize(long size, string op, ReadOnlySpan<int> shape, string what)
    {
        if (size < 0 || size > int.MaxValue)
            throw new TensorException(op, $"{what} {size} does not fit a dimension (at most {int.MaxValue}); input shape {ShapeString(shape)}");
        return (int)size;
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
}
