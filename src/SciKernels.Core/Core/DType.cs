namespace SciKernels;

/// <summary>Element type of a tensor.</summary>
/// <remarks>
/// Floating types carry values and gradients. Integer types carry indices for gathers, scatters and
/// graph edges. Complex values are real tensors with a trailing dimension of 2 (re, im), the layout
/// of the spectral (Fourier) operators.
/// </remarks>
public enum DType
{
    /// <summary>32-bit IEEE float.</summary>
    Float32,
    /// <summary>64-bit IEEE float.</summary>
    Float64,
    /// <summary>32-bit signed integer.</summary>
    Int32,
    /// <summary>64-bit signed integer (the index type).</summary>
    Int64,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypeInfo
{
    /// <summary>Size in bytes of one element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Float64 or DType.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for real floating-point types, the ones that can carry gradients.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>True for integer types.</summary>
    public static bool IsInteger(this DType dtype) => dtype is DType.Int32 or DType.Int64;

    /// <summary>PyTorch-style lower-case name, e.g. <c>float32</c>.</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        _ => dtype.ToString(),
    };

    /// <summary>The dtype that represents the CLR type <typeparamref name="T"/>.</summary>
    public static DType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(long)) return DType.Int64;
        throw new NotSupportedException($"no SciKernels dtype for CLR type {typeof(T).Name}");
    }
}
