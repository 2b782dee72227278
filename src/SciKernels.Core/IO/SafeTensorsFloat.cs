using System.Buffers.Binary;

namespace SciKernels.IO;

/// <summary>
/// Bit-exact conversions between the narrow floating-point formats of safetensors files and
/// <see cref="float"/>: IEEE binary16 (F16), bfloat16 (BF16) and the OCP 8-bit formats F8_E4M3
/// (E4M3FN: bias 7, no infinities, NaN only at S.1111.111, largest 448), F8_E5M2 (bias 15, IEEE-like:
/// infinities and NaNs) and F8_E8M0 (an exponent-only scale 2^(e−127), 0xFF is NaN).
/// </summary>
/// <remarks>
/// Every narrow value is exactly representable as a <see cref="float"/>, so decoding never rounds.
/// Encoding from <see cref="float"/> to F16 or BF16 rounds to nearest, ties to even (as PyTorch's
/// <c>.half()</c> and <c>.bfloat16()</c> do); NaN stays NaN (quiet) and overflow gives ±∞.
/// </remarks>
public static class SafeTensorsFloat
{
    private static readonly float[] E4M3Table = BuildTable(exponentBits: 4, mantissaBits: 3, fn: true);
    private static readonly float[] E5M2Table = BuildTable(exponentBits: 5, mantissaBits: 2, fn: false);

    /// <summary>Decodes an F8_E4M3 (E4M3FN) code.</summary>
    /// <param name="code">The byte as stored.</param>
    /// <returns>The exact value (NaN for 0x7F and 0xFF).</returns>
    public static float F8E4M3ToSingle(byte code) => E4M3Table[code];

    /// <summary>Decodes an F8_E5M2 code.</summary>
    /// <param name="code">The byte as stored.</param>
    /// <returns>The exact value (±∞ for 0x7C/0xFC, NaN above them).</returns>
    public static float F8E5M2ToSingle(byte code) => E5M2Table[code];

    /// <summary>Decodes an F8_E8M0 code: 2^(code − 127), NaN for 0xFF.</summary>
    /// <param name="code">The byte as stored.</param>
    /// <returns>The exact value (code 0 is 2^−127, a float subnormal).</returns>
    public static float F8E8M0ToSingle(byte code) =>
        code == 0xFF ? float.NaN : code == 0 ? BitConverter.Int32BitsToSingle(1 << 22) : BitConverter.Int32BitsToSingle(code << 23);

    /// <summary>Decodes IEEE binary16 bits.</summary>
    /// <param name="bits">The 16 bits as stored.</param>
    /// <returns>The exact value.</returns>
    public static float HalfToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>Decodes bfloat16 bits (the upper half of a binary32).</summary>
    /// <param name="bits">The 16 bits as stored.</param>
    /// <returns>The exact value.</returns>
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Encodes a value as IEEE binary16 bits, rounding to nearest even.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The binary16 bits.</returns>
    public static ushort SingleToHalf(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>Encodes a value as bfloat16 bits, rounding to nearest even; NaN gives a quiet NaN of the same sign.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bfloat16 bits.</returns>
    public static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x0040);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>
    /// Converts the little-endian elements <paramref name="source"/> of <paramref name="dtype"/> to
    /// <see cref="double"/> (every supported dtype; integers above 2^53 round).
    /// </summary>
    /// <param name="dtype">The stored element type.</param>
    /// <param name="source">The raw bytes (a whole number of elements).</param>
    /// <param name="destination">Receives one value per element.</param>
    /// <exception cref="NotSupportedException">C64 and the packed sub-byte types (F4, F6_*).</exception>
    public static void Convert(SafeTensorsDType dtype, ReadOnlySpan<byte> source, Span<double> destination)
    {
        int width = ConvertibleWidth(dtype);
        int n = source.Length / width;
        if (destination.Length < n) throw new ArgumentException($"The destination holds {destination.Length} values but the source has {n}.", nameof(destination));
        for (int i = 0; i < n; i++) destination[i] = ReadAsDouble(dtype, source.Slice(i * width, width));
    }

    /// <summary>
    /// Converts the little-endian elements <paramref name="source"/> of <paramref name="dtype"/> to
    /// <see cref="float"/> (F64 and wide integers round to nearest).
    /// </summary>
    /// <param name="dtype">The stored element type.</param>
    /// <param name="source">The raw bytes (a whole number of elements).</param>
    /// <param name="destination">Receives one value per element.</param>
    /// <exception cref="NotSupportedException">C64 and the packed sub-byte types (F4, F6_*).</exception>
    public static void Convert(SafeTensorsDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        int width = ConvertibleWidth(dtype);
        int n = source.Length / width;
        if (destination.Length < n) throw new ArgumentException($"The destination holds {destination.Length} values but the source has {n}.", nameof(destination));
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> b = source.Slice(i * width, width);
            // Integers go straight to float (one rounding), not via double (two).
            destination[i] = dtype switch
            {
                SafeTensorsDType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
                SafeTensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b),
                SafeTensorsDType.U64 => BinaryPrimitives.ReadUInt64LittleEndian(b),
                SafeTensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(b),
                SafeTensorsDType.U32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
                _ => (float)ReadAsDouble(dtype, b),
            };
        }
    }

    /// <summary>True when <see cref="Convert(SafeTensorsDType, ReadOnlySpan{byte}, Span{double})"/> accepts <paramref name="dtype"/>.</summary>
    /// <param name="dtype">The stored element type.</param>
    /// <returns>False for C64 and the packed sub-byte types.</returns>
    public static bool IsConvertible(SafeTensorsDType dtype) =>
        dtype is not (SafeTensorsDType.C64 or SafeTensorsDType.F4 or SafeTensorsDType.F6E2M3 or SafeTensorsDType.F6E3M2);

    private static int ConvertibleWidth(SafeTensorsDType dtype)
    {
        if (!IsConvertible(dtype))
            throw new NotSupportedException($"safetensors dtype {dtype.ToFormatName()} has no conversion to a real floating-point value.");
        return dtype.BitSize() / 8;
    }

    private static double ReadAsDouble(SafeTensorsDType dtype, ReadOnlySpan<byte> b) => dtype switch
    {
        SafeTensorsDType.Bool => b[0] != 0 ? 1.0 : 0.0,
        SafeTensorsDType.U8 => b[0],
        SafeTensorsDType.I8 => (sbyte)b[0],
        SafeTensorsDType.I16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        SafeTensorsDType.U16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        SafeTensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        SafeTensorsDType.U32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
        SafeTensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b),
        SafeTensorsDType.U64 => BinaryPrimitives.ReadUInt64LittleEndian(b),
        SafeTensorsDType.F16 => HalfToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b)),
        SafeTensorsDType.BF16 => BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b)),
        SafeTensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(b),
        SafeTensorsDType.F64 => BinaryPrimitives.ReadDoubleLittleEndian(b),
        SafeTensorsDType.F8E4M3 => F8E4M3ToSingle(b[0]),
        SafeTensorsDType.F8E5M2 => F8E5M2ToSingle(b[0]),
        SafeTensorsDType.F8E8M0 => F8E8M0ToSingle(b[0]),
        _ => throw new NotSupportedException($"safetensors dtype {dtype.ToFormatName()} has no conversion to a real floating-point value."),
    };

    /// <summary>
    /// All 256 values of a sign/exponent/mantissa byte format with bias 2^(e−1)−1: subnormals at exponent 0;
    /// for FN formats (no infinities) only all-ones exponent and mantissa is NaN, otherwise the all-ones
    /// exponent is ∞ (mantissa 0) or NaN.
    /// </summary>
    private static float[] BuildTable(int exponentBits, int mantissaBits, bool fn)
    {
        var table = new float[256];
        int bias = (1 << (exponentBits - 1)) - 1;
        int maxExp = (1 << exponentBits) - 1;
        int maxMant = (1 << mantissaBits) - 1;
        for (int code = 0; code < 256; code++)
        {
            int sign = code >> 7;
            int e = (code >> mantissaBits) & maxExp;
            int m = code & maxMant;
            double magnitude;
            if (fn && e == maxExp && m == maxMant) magnitude = double.NaN;
            else if (!fn && e == maxExp) magnitude = m == 0 ? double.PositiveInfinity : double.NaN;
            else if (e == 0) magnitude = Math.ScaleB(m, 1 - bias - mantissaBits);
            else magnitude = Math.ScaleB(m + (1 << mantissaBits), e - bias - mantissaBits);
            table[code] = (float)(sign == 1 ? -magnitude : magnitude);
        }
        return table;
    }
}
