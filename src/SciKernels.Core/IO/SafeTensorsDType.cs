namespace SciKernels.IO;

/// <summary>
/// Element types defined by the safetensors format. <see cref="SafeTensorsDTypes.ToFormatName"/> gives the
/// string used in the file header (e.g. <c>"F32"</c>, <c>"F8_E4M3"</c>).
/// </summary>
public enum SafeTensorsDType
{
    /// <summary>Boolean, one byte per element (<c>"BOOL"</c>).</summary>
    Bool,
    /// <summary>Unsigned 8-bit integer (<c>"U8"</c>).</summary>
    U8,
    /// <summary>Signed 8-bit integer (<c>"I8"</c>).</summary>
    I8,
    /// <summary>Signed 16-bit integer (<c>"I16"</c>).</summary>
    I16,
    /// <summary>Unsigned 16-bit integer (<c>"U16"</c>).</summary>
    U16,
    /// <summary>Signed 32-bit integer (<c>"I32"</c>).</summary>
    I32,
    /// <summary>Unsigned 32-bit integer (<c>"U32"</c>).</summary>
    U32,
    /// <summary>Signed 64-bit integer (<c>"I64"</c>).</summary>
    I64,
    /// <summary>Unsigned 64-bit integer (<c>"U64"</c>).</summary>
    U64,
    /// <summary>IEEE 754 binary16 (<c>"F16"</c>).</summary>
    F16,
    /// <summary>bfloat16 (<c>"BF16"</c>); exposed as raw bytes.</summary>
    BF16,
    /// <summary>IEEE 754 binary32 (<c>"F32"</c>).</summary>
    F32,
    /// <summary>IEEE 754 binary64 (<c>"F64"</c>).</summary>
    F64,
    /// <summary>Complex number of two binary32 values (<c>"C64"</c>); exposed as raw bytes.</summary>
    C64,
    /// <summary>8-bit float, 4 exponent / 3 mantissa bits (<c>"F8_E4M3"</c>); exposed as raw bytes.</summary>
    F8E4M3,
    /// <summary>8-bit float, 5 exponent / 2 mantissa bits (<c>"F8_E5M2"</c>); exposed as raw bytes.</summary>
    F8E5M2,
    /// <summary>8-bit exponent-only scale (<c>"F8_E8M0"</c>); exposed as raw bytes.</summary>
    F8E8M0,
    /// <summary>4-bit float, packed two per byte (<c>"F4"</c>); exposed as raw bytes.</summary>
    F4,
    /// <summary>6-bit float, 2 exponent / 3 mantissa bits, packed (<c>"F6_E2M3"</c>); exposed as raw bytes.</summary>
    F6E2M3,
    /// <summary>6-bit float, 3 exponent / 2 mantissa bits, packed (<c>"F6_E3M2"</c>); exposed as raw bytes.</summary>
    F6E3M2,
}

/// <summary>Conversions between <see cref="SafeTensorsDType"/> and the header strings, and element sizes.</summary>
public static class SafeTensorsDTypes
{
    /// <summary>The dtype string written in the safetensors header, e.g. <c>"F32"</c>.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The header name.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined member.</exception>
    public static string ToFormatName(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.Bool => "BOOL",
        SafeTensorsDType.U8 => "U8",
        SafeTensorsDType.I8 => "I8",
        SafeTensorsDType.I16 => "I16",
        SafeTensorsDType.U16 => "U16",
        SafeTensorsDType.I32 => "I32",
        SafeTensorsDType.U32 => "U32",
        SafeTensorsDType.I64 => "I64",
        SafeTensorsDType.U64 => "U64",
        SafeTensorsDType.F16 => "F16",
        SafeTensorsDType.BF16 => "BF16",
        SafeTensorsDType.F32 => "F32",
        SafeTensorsDType.F64 => "F64",
        SafeTensorsDType.C64 => "C64",
        SafeTensorsDType.F8E4M3 => "F8_E4M3",
        SafeTensorsDType.F8E5M2 => "F8_E5M2",
        SafeTensorsDType.F8E8M0 => "F8_E8M0",
        SafeTensorsDType.F4 => "F4",
        SafeTensorsDType.F6E2M3 => "F6_E2M3",
        SafeTensorsDType.F6E3M2 => "F6_E3M2",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Parses a header dtype string (case-sensitive, as the format defines it).</summary>
    /// <param name="name">The header string, e.g. <c>"BF16"</c>.</param>
    /// <param name="dtype">The parsed element type when this returns true.</param>
    /// <returns>True if <paramref name="name"/> is a known safetensors dtype.</returns>
    public static bool TryParse(string? name, out SafeTensorsDType dtype)
    {
        SafeTensorsDType? parsed = name switch
        {
            "BOOL" => SafeTensorsDType.Bool,
            "U8" => SafeTensorsDType.U8,
            "I8" => SafeTensorsDType.I8,
            "I16" => SafeTensorsDType.I16,
            "U16" => SafeTensorsDType.U16,
            "I32" => SafeTensorsDType.I32,
            "U32" => SafeTensorsDType.U32,
            "I64" => SafeTensorsDType.I64,
            "U64" => SafeTensorsDType.U64,
            "F16" => SafeTensorsDType.F16,
            "BF16" => SafeTensorsDType.BF16,
            "F32" => SafeTensorsDType.F32,
            "F64" => SafeTensorsDType.F64,
            "C64" => SafeTensorsDType.C64,
            "F8_E4M3" => SafeTensorsDType.F8E4M3,
            "F8_E5M2" => SafeTensorsDType.F8E5M2,
            "F8_E8M0" => SafeTensorsDType.F8E8M0,
            "F4" => SafeTensorsDType.F4,
            "F6_E2M3" => SafeTensorsDType.F6E2M3,
            "F6_E3M2" => SafeTensorsDType.F6E3M2,
            _ => null,
        };
        dtype = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    /// <summary>Bits per element (4 and 6 for the packed sub-byte float types).</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The element width in bits.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined member.</exception>
    public static int BitSize(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F4 => 4,
        SafeTensorsDType.F6E2M3 or SafeTensorsDType.F6E3M2 => 6,
        SafeTensorsDType.Bool or SafeTensorsDType.U8 or SafeTensorsDType.I8
            or SafeTensorsDType.F8E4M3 or SafeTensorsDType.F8E5M2 or SafeTensorsDType.F8E8M0 => 8,
        SafeTensorsDType.I16 or SafeTensorsDType.U16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 16,
        SafeTensorsDType.I32 or SafeTensorsDType.U32 or SafeTensorsDType.F32 => 32,
        SafeTensorsDType.I64 or SafeTensorsDType.U64 or SafeTensorsDType.F64 or SafeTensorsDType.C64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>
    /// Number of bytes occupied by <paramref name="elementCount"/> elements, or null if that overflows
    /// or is not a whole number of bytes (packed sub-byte types).
    /// </summary>
    internal static long? TryByteLength(SafeTensorsDType dtype, long elementCount)
    {
        if (elementCount < 0) return null;
        long bits;
        try { bits = checked(elementCount * dtype.BitSize()); }
        catch (OverflowException) { return null; }
        return bits % 8 == 0 ? bits / 8 : null;
    }

    /// <summary>The safetensors dtype a CLR element type maps to, or null if it has none.</summary>
    internal static SafeTensorsDType? FromClrType(Type t)
    {
        if (t == typeof(float)) return SafeTensorsDType.F32;
        if (t == typeof(double)) return SafeTensorsDType.F64;
        if (t == typeof(long)) return SafeTensorsDType.I64;
        if (t == typeof(int)) return SafeTensorsDType.I32;
        if (t == typeof(Half)) return SafeTensorsDType.F16;
        if (t == typeof(short)) return SafeTensorsDType.I16;
        if (t == typeof(ushort)) return SafeTensorsDType.U16;
        if (t == typeof(uint)) return SafeTensorsDType.U32;
        if (t == typeof(ulong)) return SafeTensorsDType.U64;
        if (t == typeof(byte)) return SafeTensorsDType.U8;
        if (t == typeof(sbyte)) return SafeTensorsDType.I8;
        if (t == typeof(bool)) return SafeTensorsDType.Bool;
        return null;
    }
}
