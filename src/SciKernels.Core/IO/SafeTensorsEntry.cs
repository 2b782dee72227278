using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SciKernels.IO;

/// <summary>
/// One named tensor of a safetensors file: dtype, shape (row-major) and its raw little-endian bytes.
/// Independent of any tensor type so the format layer can be used and tested on its own.
/// </summary>
public sealed class SafeTensorsEntry
{
    private readonly long[] _shape;

    /// <summary>
    /// Creates an entry over existing little-endian bytes. The memory is referenced, not copied, so it must
    /// not be mutated while the entry is in use.
    /// </summary>
    /// <param name="name">Tensor name (any string except <c>"__metadata__"</c>, which the format reserves).</param>
    /// <param name="dtype">Element type.</param>
    /// <param name="shape">Dimensions, row-major; empty for a 0-d scalar. All must be non-negative.</param>
    /// <param name="data">Exactly product(shape) elements of <paramref name="dtype"/>, little-endian.</param>
    /// <exception cref="ArgumentException">The name is reserved, a dimension is negative, the element count
    /// overflows, or <paramref name="data"/> has the wrong length.</exception>
    public SafeTensorsEntry(string name, SafeTensorsDType dtype, ReadOnlySpan<long> shape, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == SafeTensorsFile.MetadataKey)
            throw new ArgumentException($"The tensor name '{SafeTensorsFile.MetadataKey}' is reserved by the format.", nameof(name));
        _ = dtype.BitSize(); // rejects undefined enum values

        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), $"Tensor '{name}': dimension {d} is negative.");
            if (d != 0 && count > long.MaxValue / d)
                throw new ArgumentException($"Tensor '{name}': element count of the shape overflows a 64-bit integer.", nameof(shape));
            count *= d;
        }
        long bytes = SafeTensorsDTypes.TryByteLength(dtype, count)
            ?? throw new ArgumentException($"Tensor '{name}': {count} elements of {dtype.ToFormatName()} are not a whole number of bytes or overflow.", nameof(shape));
        if (bytes != data.Length)
            throw new ArgumentException($"Tensor '{name}': shape and dtype need {bytes} bytes but {data.Length} were given.", nameof(data));

        Name = name;
        DType = dtype;
        _shape = shape.ToArray();
        ElementCount = count;
        Data = data;
    }

    /// <summary>Reader-side constructor: all invariants were already checked against the header.</summary>
    internal SafeTensorsEntry(string name, SafeTensorsDType dtype, long[] shape, long elementCount, ReadOnlyMemory<byte> data)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        ElementCount = elementCount;
        Data = data;
    }

    /// <summary>Tensor name (the key in the header).</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>Element type as written in the header, e.g. <c>"F32"</c>.</summary>
    public string DTypeName => DType.ToFormatName();

    /// <summary>Dimensions, row-major; empty for a 0-d scalar.</summary>
    public ReadOnlySpan<long> Shape => _shape;

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>The raw little-endian element bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Returns a copy of the shape.</summary>
    /// <returns>A new array of dimensions.</returns>
    public long[] GetShape() => (long[])_shape.Clone();

    /// <summary>Returns a copy of the shape as 32-bit integers.</summary>
    /// <returns>A new array of dimensions.</returns>
    /// <exception cref="OverflowException">A dimension exceeds <see cref="int.MaxValue"/>.</exception>
    public int[] GetShapeInt32() => Array.ConvertAll(_shape, d => checked((int)d));

    /// <summary>
    /// Creates an entry by copying <paramref name="values"/>; the dtype follows from <typeparamref name="T"/>
    /// (float→F32, double→F64, long→I64, int→I32, Half→F16, short→I16, ushort→U16, uint→U32, ulong→U64,
    /// byte→U8, sbyte→I8, bool→BOOL).
    /// </summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="name">Tensor name.</param>
    /// <param name="values">Elements in row-major order; their count must equal product(shape).</param>
    /// <param name="shape">Dimensions; pass none for a 0-d scalar.</param>
    /// <returns>The new entry, owning a private little-endian copy of the values.</returns>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no safetensors dtype.</exception>
    /// <exception cref="ArgumentException">Shape and value count disagree or the name is reserved.</exception>
    public static SafeTensorsEntry Create<T>(string name, ReadOnlySpan<T> values, params ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        SafeTensorsDType dtype = SafeTensorsDTypes.FromClrType(typeof(T))
            ?? throw new NotSupportedException($"{typeof(T)} has no safetensors dtype; build the entry from raw bytes instead.");
        byte[] bytes = MemoryMarshal.AsBytes(values).ToArray();
        if (typeof(T) == typeof(bool))
        {
            // A CLR bool may hold any non-zero byte; the format expects 0/1.
            for (int i = 0; i < bytes.Length; i++) bytes[i] = bytes[i] != 0 ? (byte)1 : (byte)0;
        }
        ToLittleEndianInPlace(bytes, dtype);
        return new SafeTensorsEntry(name, dtype, shape, bytes);
    }

    /// <summary>
    /// Copies the elements into <paramref name="destination"/>, converting from little-endian if needed.
    /// <typeparamref name="T"/> must be the CLR type of <see cref="DType"/> (see <see cref="Create{T}"/>);
    /// types without one (BF16, C64, FP8, ...) are available through <see cref="Data"/>.
    /// </summary>
    /// <typeparam name="T">Element type matching <see cref="DType"/>.</typeparam>
    /// <param name="destination">Receives <see cref="ElementCount"/> elements.</param>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match the dtype.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        SafeTensorsDType? expected = SafeTensorsDTypes.FromClrType(typeof(T));
        if (expected != DType)
            throw new InvalidOperationException($"Tensor '{Name}' has dtype {DTypeName}; it cannot be read as {typeof(T).Name}.");
        if (destination.Length < ElementCount)
            throw new ArgumentException($"Destination holds {destination.Length} elements but tensor '{Name}' has {ElementCount}.", nameof(destination));

        Span<byte> dst = MemoryMarshal.AsBytes(destination)[..Data.Length];
        Data.Span.CopyTo(dst);
        if (typeof(T) == typeof(bool))
        {
            // Untrusted bytes other than 0/1 would make invalid CLR bools.
            for (int i = 0; i < dst.Length; i++) dst[i] = dst[i] != 0 ? (byte)1 : (byte)0;
        }
        ToLittleEndianInPlace(dst, DType); // byte swap is its own inverse
    }

    /// <summary>Copies the elements into a new array; see <see cref="CopyTo{T}(Span{T})"/>.</summary>
    /// <typeparam name="T">Element type matching <see cref="DType"/>.</typeparam>
    /// <returns>The elements in row-major order.</returns>
    public T[] ToArray<T>() where T : unmanaged
    {
        if (SafeTensorsDTypes.FromClrType(typeof(T)) != DType)
            throw new InvalidOperationException($"Tensor '{Name}' has dtype {DTypeName}; it cannot be read as {typeof(T).Name}.");
        var result = new T[ElementCount];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>True when <see cref="ToDoubleArray"/> and <see cref="ToSingleArray"/> accept this dtype (all but C64 and the packed F4/F6 types).</summary>
    public bool IsConvertibleToReal => SafeTensorsFloat.IsConvertible(DType);

    /// <summary>
    /// Converts the elements to <see cref="double"/> whatever their stored dtype (BOOL → 0/1, integers, F16, BF16,
    /// F8_E4M3, F8_E5M2, F8_E8M0, F32, F64); see <see cref="SafeTensorsFloat"/> for the exact decodings.
    /// </summary>
    /// <param name="destination">Receives <see cref="ElementCount"/> values.</param>
    /// <exception cref="NotSupportedException">The dtype is C64 or a packed sub-byte type.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void ConvertTo(Span<double> destination)
    {
        if (destination.Length < ElementCount)
            throw new ArgumentException($"Destination holds {destination.Length} elements but tensor '{Name}' has {ElementCount}.", nameof(destination));
        RequireConvertible();
        SafeTensorsFloat.Convert(DType, Data.Span, destination);
    }

    /// <summary>Converts the elements to <see cref="float"/> (rounding F64 and wide integers to nearest); see <see cref="ConvertTo(Span{double})"/>.</summary>
    /// <param name="destination">Receives <see cref="ElementCount"/> values.</param>
    /// <exception cref="NotSupportedException">The dtype is C64 or a packed sub-byte type.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void ConvertTo(Span<float> destination)
    {
        if (destination.Length < ElementCount)
            throw new ArgumentException($"Destination holds {destination.Length} elements but tensor '{Name}' has {ElementCount}.", nameof(destination));
        RequireConvertible();
        SafeTensorsFloat.Convert(DType, Data.Span, destination);
    }

    /// <summary>The elements converted to <see cref="double"/>; see <see cref="ConvertTo(Span{double})"/>.</summary>
    /// <returns>A new array, row-major.</returns>
    public double[] ToDoubleArray()
    {
        RequireConvertible();
        var result = new double[ElementCount];
        ConvertTo(result);
        return result;
    }

    /// <summary>The elements converted to <see cref="float"/>; see <see cref="ConvertTo(Span{float})"/>.</summary>
    /// <returns>A new array, row-major.</returns>
    public float[] ToSingleArray()
    {
        RequireConvertible();
        var result = new float[ElementCount];
        ConvertTo(result);
        return result;
    }

    /// <summary>
    /// Creates an F16 or BF16 entry from single-precision values, rounding each to nearest even
    /// (NaN stays NaN, values beyond the format's range become ±∞).
    /// </summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="dtype"><see cref="SafeTensorsDType.F16"/> or <see cref="SafeTensorsDType.BF16"/>.</param>
    /// <param name="values">Elements in row-major order; their count must equal product(shape).</param>
    /// <param name="shape">Dimensions; pass none for a 0-d scalar.</param>
    /// <returns>The new entry.</returns>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not F16 or BF16, or the shape and value count disagree.</exception>
    public static SafeTensorsEntry CreateHalfPrecision(string name, SafeTensorsDType dtype, ReadOnlySpan<float> values, params ReadOnlySpan<long> shape)
    {
        if (dtype is not (SafeTensorsDType.F16 or SafeTensorsDType.BF16))
            throw new ArgumentException($"Tensor '{name}': {dtype.ToFormatName()} is not a half-precision dtype (F16 or BF16).", nameof(dtype));
        var bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            ushort bits = dtype == SafeTensorsDType.F16 ? SafeTensorsFloat.SingleToHalf(values[i]) : SafeTensorsFloat.SingleToBFloat16(values[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), bits);
        }
        return new SafeTensorsEntry(name, dtype, shape, bytes);
    }

    private void RequireConvertible()
    {
        if (!IsConvertibleToReal)
            throw new NotSupportedException($"Tensor '{Name}' has dtype {DTypeName}, which has no conversion to real values; read its raw bytes through Data.");
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {DTypeName}[{string.Join(", ", _shape)}]";

    /// <summary>No-op on little-endian hosts; reverses each element's bytes on big-endian ones.</summary>
    private static void ToLittleEndianInPlace(Span<byte> bytes, SafeTensorsDType dtype)
    {
        if (BitConverter.IsLittleEndian) return;
        // C64 is a pair of F32 values, so it swaps per 32-bit half.
        switch (dtype == SafeTensorsDType.C64 ? 32 : dtype.BitSize())
        {
            case 16: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(bytes), MemoryMarshal.Cast<byte, ushort>(bytes)); break;
            case 32: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(bytes), MemoryMarshal.Cast<byte, uint>(bytes)); break;
            case 64: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(bytes), MemoryMarshal.Cast<byte, ulong>(bytes)); break;
        }
    }
}
