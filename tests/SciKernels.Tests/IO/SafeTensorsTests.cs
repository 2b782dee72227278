using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using FsCheck.Xunit;
using SciKernels.IO;
using Xunit;

namespace SciKernels.Tests.IO;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scikernels-safetensors-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    // ------------------------------------------------------------------ fixtures

    /// <summary>Must match KNOWN / KNOWN_METADATA in safetensors_interop.py.</summary>
    internal static SafeTensorsEntry[] KnownTensors() =>
    [
        Raw("weight", SafeTensorsDType.F32, [2, 3], 4, 0x3FC00000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00123, 0x00000001),
        Raw("bias", SafeTensorsDType.F64, [4], 8, 0x3FF0000000000000, 0x8000000000000000, 0x7FF8DEADBEEF0001, 0x400921FB54442D18),
        SafeTensorsEntry.Create<long>("steps", [9007199254740993L]),
        SafeTensorsEntry.Create<int>("indices", [-1, 0, int.MaxValue, int.MinValue], 2, 2),
        SafeTensorsEntry.Create<float>("empty", ReadOnlySpan<float>.Empty, 0, 4),
        Raw("half", SafeTensorsDType.F16, [2], 2, 0x3C00, 0xFC00),
    ];

    internal static readonly Dictionary<string, string> KnownMetadata = new() { ["format"] = "pt", ["note"] = "h\u00e9llo \u2713" };

    /// <summary>Builds an entry from little-endian bit patterns, so NaN payloads are exact by construction.</summary>
    private static SafeTensorsEntry Raw(string name, SafeTensorsDType dtype, long[] shape, int width, params ulong[] bits)
    {
        var bytes = new byte[bits.Length * width];
        for (int i = 0; i < bits.Length; i++)
        {
            Span<byte> dst = bytes.AsSpan(i * width, width);
            switch (width)
            {
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(dst, (ushort)bits[i]); break;
                case 4: BinaryPrimitives.WriteUInt32LittleEndian(dst, (uint)bits[i]); break;
                default: BinaryPrimitives.WriteUInt64LittleEndian(dst, bits[i]); break;
            }
        }
        return new SafeTensorsEntry(name, dtype, shape, bytes);
    }

    private static void AssertSameContent(IEnumerable<SafeTensorsEntry> expected, IReadOnlyDictionary<string, string>? expectedMeta, SafeTensorsDocument actual)
    {
        var exp = expected.ToDictionary(e => e.Name, StringComparer.Ordinal);
        Assert.Equal(exp.Keys.Order(StringComparer.Ordinal), actual.Names.Order(StringComparer.Ordinal));
        foreach (SafeTensorsEntry a in actual.Tensors)
        {
            SafeTensorsEntry e = exp[a.Name];
            Assert.Equal(e.DType, a.DType);
            Assert.Equal(e.GetShape(), a.GetShape());
            Assert.Equal(e.ElementCount, a.ElementCount);
            Assert.True(e.Data.Span.SequenceEqual(a.Data.Span), $"data of '{a.Name}' differs");
        }
        if (expectedMeta is null) Assert.Null(actual.Metadata);
        else Assert.Equal(expectedMeta.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.Metadata!.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    private static void AssertKnownValues(SafeTensorsDocument doc)
    {
        // Values compared as bit patterns (via byte reinterpretation, never float arithmetic).
        float[] w = doc["weight"].ToArray<float>();
        Assert.Equal(new uint[] { 0x3FC00000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00123, 0x00000001 }, MemoryMarshal.Cast<float, uint>(w).ToArray());
        Assert.Equal([2L, 3L], doc["weight"].GetShape());
        double[] b = doc["bias"].ToArray<double>();
        Assert.Equal(new ulong[] { 0x3FF0000000000000, 0x8000000000000000, 0x7FF8DEADBEEF0001, 0x400921FB54442D18 }, MemoryMarshal.Cast<double, ulong>(b).ToArray());
        Assert.Equal(0, doc["steps"].Rank);
        Assert.Equal([9007199254740993L], doc["steps"].ToArray<long>());
        Assert.Equal([-1, 0, int.MaxValue, int.MinValue], doc["indices"].ToArray<int>());
        Assert.Equal([2, 2], doc["indices"].GetShapeInt32());
        Assert.Empty(doc["empty"].ToArray<float>());
        Assert.Equal([0L, 4L], doc["empty"].GetShape());
        Half[] h = doc["half"].ToArray<Half>();
        Assert.Equal((Half)1, h[0]);
        Assert.Equal(Half.NegativeInfinity, h[1]);
        Assert.Equal(KnownMetadata.OrderBy(kv => kv.Key), doc.Metadata!.OrderBy(kv => kv.Key));
    }

    private static readonly SafeTensorsDType[] FuzzDTypes =
    [
        SafeTensorsDType.F32, SafeTensorsDType.F64, SafeTensorsDType.I64, SafeTensorsDType.I32, SafeTensorsDType.U8,
        SafeTensorsDType.F16, SafeTensorsDType.BF16, SafeTensorsDType.Bool, SafeTensorsDType.C64, SafeTensorsDType.F8E4M3,
    ];

    private static readonly string[] NameAtoms = ["w", "layer.0", "\"", "\\", "\n", "\u0001", "é", "✓", "😀", " ", "/", "<>", "+", "__metadata_"];

    private static (List<SafeTensorsEntry> Entries, Dictionary<string, string>? Meta) RandomContent(System.Random rng, int maxTensors = 5)
    {
        var entries = new List<SafeTensorsEntry>();
        int count = rng.Next(maxTensors + 1);
        for (int i = 0; i < count; i++)
        {
            var name = new StringBuilder();
            for (int k = rng.Next(4); k > 0; k--) name.Append(NameAtoms[rng.Next(NameAtoms.Length)]);
            name.Append('#').Append(i); // unique, and never the reserved key
            SafeTensorsDType dtype = FuzzDTypes[rng.Next(FuzzDTypes.Length)];
            var shape = new long[rng.Next(4)];
            for (int d = 0; d < shape.Length; d++) shape[d] = rng.Next(rng.Next(5) == 0 ? 1 : 5);
            long elements = shape.Aggregate(1L, (a, d) => a * d);
            var data = new byte[elements * dtype.BitSize() / 8];
            rng.NextBytes(data);
            entries.Add(new SafeTensorsEntry(name.ToString(), dtype, shape, data));
        }
        Dictionary<string, string>? meta = null;
        if (rng.Next(2) == 0)
        {
            meta = [];
            for (int k = rng.Next(3); k > 0; k--) meta[NameAtoms[rng.Next(NameAtoms.Length)] + k] = NameAtoms[rng.Next(NameAtoms.Length)];
        }
        return (entries, meta);
    }

    /// <summary>A stream that cannot seek and returns at most <c>chunk</c> bytes per read, like a pipe.</summary>
    private sealed class PipeStream(byte[] data, int chunk = int.MaxValue) : Stream
    {
        private readonly MemoryStream _inner = new(data, writable: false);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, chunk));
        public override int Read(Span<byte> buffer) => _inner.Read(buffer[..Math.Min(buffer.Length, chunk)]);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>
    /// The fuzzing oracle: the input must either parse (identically via seekable and pipe-like streams) or fail with
    /// <see cref="SafeTensorsFormatException"/>; any other exception fails the test.
    /// </summary>
    private static SafeTensorsDocument? ReadOrFormatError(byte[] bytes)
    {
        SafeTensorsDocument? seekable = null, pipe = null;
        Exception? seekErr = null, pipeErr = null;
        try { seekable = SafeTensorsFile.Deserialize(bytes, "fuzz"); }
        catch (SafeTensorsFormatException e) { seekErr = e; }
        try { pipe = SafeTensorsFile.Read(new PipeStream(bytes, chunk: 5), "fuzz"); }
        catch (SafeTensorsFormatException e) { pipeErr = e; }
        Assert.Equal(seekErr is null, pipeErr is null);
        if (seekable is not null) AssertSameContent(seekable.Tensors, seekable.Metadata, pipe!);
        if (seekErr is not null) Assert.Contains("'fuzz'", seekErr.Message);
        return seekable;
    }

    private static void AssertFormatError(byte[] bytes)
    {
        SafeTensorsFormatException e1 = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Deserialize(bytes, "hostile"));
        Assert.Contains("'hostile'", e1.Message);
        Assert.Equal("hostile", e1.SourceName);
        Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(new PipeStream(bytes, chunk: 3), "hostile"));
    }

    /// <summary>Assembles a file from a raw header text, its declared length, and a data buffer.</summary>
    private static byte[] Assemble(string header, int bufferLength = 0, ulong? declaredLength = null) =>
        Assemble(Encoding.UTF8.GetBytes(header), bufferLength, declaredLength);

    private static byte[] Assemble(byte[] header, int bufferLength = 0, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + bufferLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    // ------------------------------------------------------------------ round trips

    [Fact]
    public void KnownTensors_RoundTripThroughFile_BitExact()
    {
        string path = Path.Combine(_dir, "known.safetensors");
        SafeTensorsFile.Write(path, KnownTensors(), KnownMetadata);
        SafeTensorsDocument doc = SafeTensorsFile.Read(path);
        AssertSameContent(KnownTensors(), KnownMetadata, doc);
        AssertKnownValues(doc);
    }

    [Fact]
    public void SpecialFloats_RoundTrip_ThroughTypedApi()
    {
        // -0.0, quiet NaN with payload, signalling NaN, subnormal, infinities: bits must survive Create/ToArray.
        uint[] fbits = [0x80000000, 0x7FC00123, 0x7F800001, 0xFFC00000, 0x00000001, 0x7F800000];
        ulong[] dbits = [0x8000000000000000, 0x7FF0000000000001, 0xFFF8000000000000, 0x0000000000000001];
        SafeTensorsEntry f = SafeTensorsEntry.Create<float>("f", MemoryMarshal.Cast<uint, float>(fbits), 6);
        SafeTensorsEntry d = SafeTensorsEntry.Create<double>("d", MemoryMarshal.Cast<ulong, double>(dbits), 2, 2);
        SafeTensorsEntry s = SafeTensorsEntry.Create<double>("scalar", [-0.0]);
        SafeTensorsDocument doc = SafeTensorsFile.Deserialize(SafeTensorsFile.Serialize([f, d, s]));
        Assert.Equal(fbits, MemoryMarshal.Cast<float, uint>(doc["f"].ToArray<float>()).ToArray());
        Assert.Equal(dbits, MemoryMarshal.Cast<double, ulong>(doc["d"].ToArray<double>()).ToArray());
        Assert.Equal(0, doc["scalar"].Rank);
        Assert.Equal(1, doc["scalar"].ElementCount);
        Assert.Equal(0x8000000000000000UL, BitConverter.DoubleToUInt64Bits(doc["scalar"].ToArray<double>()[0]));
        Assert.Null(doc.Metadata);
    }

    [Fact]
    public void EmptyFile_AndEmptyTensors_RoundTrip()
    {
        byte[] none = SafeTensorsFile.Serialize([]);
        Assert.Equal(16, none.Length); // "{}" padded to 8 bytes
        Assert.Empty(SafeTensorsFile.Deserialize(none).Tensors);

        SafeTensorsEntry[] empties =
        [
            SafeTensorsEntry.Create<float>("a", ReadOnlySpan<float>.Empty, 0),
            SafeTensorsEntry.Create<double>("b", ReadOnlySpan<double>.Empty, 3, 0, 2),
            SafeTensorsEntry.Create<long>("c", [7L], 1),
            SafeTensorsEntry.Create<int>("d", ReadOnlySpan<int>.Empty, 0),
        ];
        SafeTensorsDocument doc = SafeTensorsFile.Deserialize(SafeTensorsFile.Serialize(empties, new Dictionary<string, string>()));
        AssertSameContent(empties, new Dictionary<string, string>(), doc);
        Assert.Equal([3L, 0L, 2L], doc["b"].GetShape());
    }

    [Fact]
    public void TypedAccess_MapsClrTypes_AndRejectsMismatches()
    {
        SafeTensorsEntry e = SafeTensorsEntry.Create<bool>("mask", [true, false, true], 3);
        Assert.Equal(SafeTensorsDType.Bool, e.DType);
        Assert.Equal("BOOL", e.DTypeName);
        Assert.Equal([true, false, true], e.ToArray<bool>());
        Assert.Throws<InvalidOperationException>(() => e.ToArray<byte>());
        Assert.Throws<ArgumentException>(() => e.CopyTo(new bool[2]));
        Assert.Throws<NotSupportedException>(() => SafeTensorsEntry.Create<decimal>("x", [1m]));
        Assert.Throws<ArgumentException>(() => SafeTensorsEntry.Create<float>("x", [1f, 2f], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SafeTensorsEntry("x", SafeTensorsDType.F32, [-1], Array.Empty<byte>()));
        Assert.Throws<ArgumentException>(() => new SafeTensorsEntry("x", SafeTensorsDType.U8, [long.MaxValue, 2], Array.Empty<byte>()));
        Assert.Throws<ArgumentException>(() => SafeTensorsEntry.Create<float>(SafeTensorsFile.MetadataKey, [1f]));
        Assert.Throws<ArgumentException>(() => new SafeTensorsEntry("x", SafeTensorsDType.F4, [3], new byte[1])); // 12 bits
        Assert.Equal(new byte[] { 0x21 }, new SafeTensorsEntry("x", SafeTensorsDType.F4, [2], new byte[] { 0x21 }).Data.ToArray());
        // Non-0/1 bytes from a file must still come out as valid CLR bools.
        var raw = new SafeTensorsEntry("b", SafeTensorsDType.Bool, [2], new byte[] { 0, 7 });
        bool[] bools = raw.ToArray<bool>();
        Assert.Equal([(byte)0, (byte)1], MemoryMarshal.AsBytes(bools.AsSpan()).ToArray());
    }

    [Fact]
    public void Writer_IsDeterministic_Sorted_AndPadsHeaderWithSpaces()
    {
        SafeTensorsEntry[] known = KnownTensors();
        byte[] a = SafeTensorsFile.Serialize(known, KnownMetadata);
        byte[] b = SafeTensorsFile.Serialize(known.Reverse(), new Dictionary<string, string>(KnownMetadata.Reverse()));
        Assert.Equal(a, b);

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(a);
        Assert.Equal(0UL, n % 8);
        string header = Encoding.UTF8.GetString(a, 8, (int)n);
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\",\"note\":\"héllo ✓\"},", header);
        int jsonLength = a.AsSpan(8, (int)n).TrimEnd((byte)' ').Length;
        Assert.InRange((int)n - jsonLength, 0, 7); // only space padding follows the JSON
        // Widest dtypes first, then by name: every tensor is aligned to its element size.
        Assert.Equal(["bias", "steps", "empty", "indices", "weight", "half"], SafeTensorsFile.Deserialize(a).Names);
        using JsonDocument json = JsonDocument.Parse(header);
        foreach (JsonProperty p in json.RootElement.EnumerateObject().Where(p => p.Name != SafeTensorsFile.MetadataKey))
        {
            long begin = p.Value.GetProperty("data_offsets")[0].GetInt64();
            SafeTensorsDTypes.TryParse(p.Value.GetProperty("dtype").GetString(), out SafeTensorsDType dt);
            Assert.Equal(0, (8 + (long)n + begin) % (dt.BitSize() / 8));
        }
    }

    [Fact]
    public void Writer_RejectsInvalidInput()
    {
        SafeTensorsEntry x = SafeTensorsEntry.Create<float>("x", [1f], 1);
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Serialize([x, SafeTensorsEntry.Create<int>("x", [1], 1)]));
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Serialize([x, null!]));
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Serialize([SafeTensorsEntry.Create<float>("bad\ud800", [1f])]));
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Serialize([x], new Dictionary<string, string> { ["k"] = null! }));
    }

    [Property(MaxTest = 150)]
    public void RandomContent_RoundTrips_BitExact_AndDeterministically(int seed)
    {
        var rng = new System.Random(seed);
        (List<SafeTensorsEntry> entries, Dictionary<string, string>? meta) = RandomContent(rng);
        byte[] bytes = SafeTensorsFile.Serialize(entries, meta);
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8);
        AssertSameContent(entries, meta, SafeTensorsFile.Deserialize(bytes));
        AssertSameContent(entries, meta, SafeTensorsFile.Read(new PipeStream(bytes, chunk: 1 + rng.Next(16))));
        Assert.Equal(bytes, SafeTensorsFile.Serialize(entries.OrderBy(_ => rng.Next()), meta));
    }

    // ------------------------------------------------------------------ fuzzing

    [Property(MaxTest = 300)]
    public void Truncation_AlwaysFormatError(int seed)
    {
        var rng = new System.Random(seed);
        (List<SafeTensorsEntry> entries, Dictionary<string, string>? meta) = RandomContent(rng);
        byte[] full = SafeTensorsFile.Serialize(entries, meta);
        // Every strict prefix is invalid: the tensors must exactly cover the rest of the file.
        AssertFormatError(full[..rng.Next(full.Length)]);
    }

    [Property(MaxTest = 300)]
    public void TrailingGarbage_IsFormatError(int seed)
    {
        var rng = new System.Random(seed);
        byte[] full = SafeTensorsFile.Serialize(RandomContent(rng).Entries);
        var extra = new byte[1 + rng.Next(20)];
        rng.NextBytes(extra);
        AssertFormatError([.. full, .. extra]);
    }

    [Property(MaxTest = 500)]
    public void BitFlipsAndByteOverwrites_ReadCorrectlyOrFormatError(int seed)
    {
        var rng = new System.Random(seed);
        (List<SafeTensorsEntry> entries, Dictionary<string, string>? meta) = RandomContent(rng);
        byte[] bytes = SafeTensorsFile.Serialize(entries, meta);
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        const string Interesting = "{}[],:\"\\0123456789-.eE ";
        for (int k = 1 + rng.Next(4); k > 0; k--)
        {
            // Mostly hit the length prefix and header, where parsing happens.
            int at = rng.Next(4) == 0 ? rng.Next(bytes.Length) : rng.Next(headerEnd);
            switch (rng.Next(3))
            {
                case 0: bytes[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: bytes[at] = (byte)rng.Next(256); break;
                default: bytes[at] = (byte)Interesting[rng.Next(Interesting.Length)]; break;
            }
        }
        SafeTensorsDocument? doc = ReadOrFormatError(bytes);
        if (doc is not null)
        {
            // Whatever was accepted must be self-consistent and re-serializable.
            foreach (SafeTensorsEntry e in doc.Tensors) Assert.Equal(e.Data.Length * 8L, e.ElementCount * e.DType.BitSize());
            ReadOrFormatError(SafeTensorsFile.Serialize(doc.Tensors, doc.Metadata));
        }
    }

    private static readonly string[] HostileDTypes = ["F32", "F64", "I64", "I32", "U8", "F4", "F6_E2M3", "f32", "Q4", "", "BOOL"];
    private static readonly string[] HostileNumbers =
    [
        "0", "1", "2", "3", "4", "8", "-1", "-0", "1.5", "1e3", "4294967296", "4611686018427387904",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "99999999999999999999999", "null", "\"4\"", "[]", "true",
    ];

    [Property(MaxTest = 500)]
    public void GeneratedHostileHeaders_ReadCorrectlyOrFormatError(int seed)
    {
        var rng = new System.Random(seed);
        string Num() => rng.Next(3) == 0 ? HostileNumbers[rng.Next(HostileNumbers.Length)] : rng.Next(40).ToString();
        var sb = new StringBuilder("{");
        int count = rng.Next(4);
        for (int i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(',');
            string name = rng.Next(8) == 0 ? "a" : $"t{i}"; // occasional duplicate keys
            sb.Append($"\"{name}\":{{");
            var fields = new List<string>();
            if (rng.Next(10) > 0) fields.Add($"\"dtype\":\"{HostileDTypes[rng.Next(HostileDTypes.Length)]}\"");
            if (rng.Next(10) > 0) fields.Add($"\"shape\":[{string.Join(",", Enumerable.Range(0, rng.Next(4)).Select(_ => Num()))}]");
            if (rng.Next(10) > 0) fields.Add($"\"data_offsets\":[{string.Join(",", Enumerable.Range(0, rng.Next(10) == 0 ? rng.Next(4) : 2).Select(_ => Num()))}]");
            if (rng.Next(15) == 0) fields.Add("\"extra\":1");
            if (rng.Next(15) == 0) fields.Add(fields.Count > 0 ? fields[0] : "\"dtype\":\"F32\"");
            sb.AppendJoin(',', fields.OrderBy(_ => rng.Next())).Append('}');
        }
        if (rng.Next(4) == 0) sb.Append(count > 0 ? "," : "").Append("\"__metadata__\":").Append(rng.Next(3) switch { 0 => "{\"k\":\"v\"}", 1 => "{\"k\":1}", _ => "null" });
        sb.Append('}');
        sb.Append(' ', rng.Next(8));
        byte[] header = Encoding.UTF8.GetBytes(sb.ToString());
        ulong? declared = rng.Next(6) switch
        {
            0 => (ulong)header.Length + (ulong)rng.Next(-3, 4),
            1 => rng.Next(2) == 0 ? ulong.MaxValue : (ulong)SafeTensorsFile.MaxHeaderBytes + 1,
            _ => null,
        };
        ReadOrFormatError(Assemble(header, rng.Next(64), declared));
    }

    public static TheoryData<string, string, int> HostileCases() => new()
    {
        { "non-object: array", "[]", 0 },
        { "non-object: string", "\"x\"", 0 },
        { "non-object: null", "null", 0 },
        { "leading whitespace", " {}", 0 },
        { "truncated JSON", "{\"a\":{\"dtype\":\"F32\"", 0 },
        { "trailing content", "{}}", 0 },
        { "trailing text", "{} x", 0 },
        { "trailing NULs", "{}\0\0", 0 },
        { "comment", "{/*c*/}", 0 },
        { "trailing comma", "{\"__metadata__\":{},}", 0 },
        { "deep nesting", "{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}", 0 },
        { "nested shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[[[[1]]]],\"data_offsets\":[0,4]}}", 4 },
        { "entry not object", "{\"a\":[1,2]}", 0 },
        { "duplicate key", "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0 },
        { "duplicate field", "{\"a\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1 },
        { "unknown field", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":0}}", 1 },
        { "missing dtype", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1 },
        { "missing shape", "{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", 1 },
        { "missing offsets", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1 },
        { "unknown dtype", "{\"a\":{\"dtype\":\"Q4_K\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1 },
        { "lowercase dtype", "{\"a\":{\"dtype\":\"u8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1 },
        { "negative dim", "{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0 },
        { "fractional dim", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1.5],\"data_offsets\":[0,1]}}", 1 },
        { "exponent dim", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1e0],\"data_offsets\":[0,1]}}", 1 },
        { "dim beyond int64", "{\"a\":{\"dtype\":\"U8\",\"shape\":[18446744073709551617],\"data_offsets\":[0,1]}}", 1 },
        { "product overflows", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,0]}}", 0 },
        { "bytes overflow", "{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}", 0 },
        { "zero dim hides overflow wrongly sized", "{\"a\":{\"dtype\":\"U8\",\"shape\":[0,9223372036854775807],\"data_offsets\":[0,1]}}", 1 },
        { "sub-byte size", "{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2 },
        { "rank too large", "{\"a\":{\"dtype\":\"U8\",\"shape\":[" + string.Join(",", Enumerable.Repeat("1", 1025)) + "],\"data_offsets\":[0,1]}}", 1 },
        { "size mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4 },
        { "begin after end", "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4 },
        { "end past buffer", "{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}", 4 },
        { "huge offsets", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[9223372036854775806,9223372036854775807]}}", 1 },
        { "negative offset", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[-1,0]}}", 1 },
        { "three offsets", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,1]}}", 1 },
        { "one offset", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1]}}", 1 },
        { "overlap", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3 },
        { "alias", "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2 },
        { "hole", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2 },
        { "trailing buffer bytes", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 2 },
        { "no tensors but buffer", "{}", 1 },
        { "metadata not object", "{\"__metadata__\":[\"a\"]}", 0 },
        { "metadata non-string", "{\"__metadata__\":{\"a\":1}}", 0 },
        { "metadata nested", "{\"__metadata__\":{\"a\":{\"b\":\"c\"}}}", 0 },
        { "metadata duplicate", "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", 0 },
        { "lone surrogate name", "{\"\\ud800\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0 },
    };

    [Theory]
    [MemberData(nameof(HostileCases))]
    public void HandwrittenHostileHeaders_AreFormatErrors(string description, string header, int bufferLength)
    {
        Assert.NotEmpty(description);
        AssertFormatError(Assemble(header, bufferLength));
    }

    [Fact]
    public void HostileLengthPrefixes_AreFormatErrors()
    {
        AssertFormatError([]);
        AssertFormatError([1, 0, 0]);
        AssertFormatError(Assemble("{}", declaredLength: 0));
        AssertFormatError(Assemble("{}", declaredLength: ulong.MaxValue));
        AssertFormatError(Assemble("{}", declaredLength: 1UL << 63));
        AssertFormatError(Assemble("{}", declaredLength: SafeTensorsFile.MaxHeaderBytes + 1UL));
        AssertFormatError(Assemble("{}", declaredLength: 3)); // longer than the file
        AssertFormatError(Assemble(new byte[] { (byte)'{', 0xFF, (byte)'}' }));        // invalid UTF-8
        AssertFormatError(Assemble(new byte[] { (byte)'{', 0xC0, 0x80, (byte)'}' }));  // overlong encoding
    }

    [Fact]
    public void LyingSizes_DoNotCauseLargeAllocations()
    {
        // Header claims ~100 MB / tensor claims 400 MB, but the input is tiny.
        byte[] bigHeader = Assemble("{}", declaredLength: SafeTensorsFile.MaxHeaderBytes);
        byte[] bigTensor = Assemble("{\"a\":{\"dtype\":\"F32\",\"shape\":[100000000],\"data_offsets\":[0,400000000]}}", bufferLength: 16);
        foreach (byte[] bytes in new[] { bigHeader, bigTensor })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Deserialize(bytes));
            Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(new PipeStream(bytes)));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20, "reader allocated far more than the input size");
        }
    }

    [Fact]
    public void ValidEdgeHeaders_AreAccepted()
    {
        Assert.Empty(SafeTensorsFile.Deserialize(Assemble("{}")).Tensors);
        Assert.Null(SafeTensorsFile.Deserialize(Assemble("{\"__metadata__\":null}      ")).Metadata);
        // Empty tensors may share an offset with a following tensor; key order in the header is irrelevant.
        SafeTensorsDocument doc = SafeTensorsFile.Deserialize(Assemble(
            "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}," +
            "\"c\":{\"data_offsets\":[2,2],\"shape\":[3,0],\"dtype\":\"I64\"},\"d\":{\"dtype\":\"F4\",\"shape\":[2,2],\"data_offsets\":[2,4]}}", bufferLength: 4));
        Assert.Equal(["a", "b", "c", "d"], doc.Names);
        Assert.True(doc.TryGetTensor("d", out SafeTensorsEntry? d));
        Assert.Equal(SafeTensorsDType.F4, d!.DType);
        Assert.Equal(2, d.Data.Length);
        Assert.False(doc.TryGetTensor("zz", out _));
        Assert.Throws<KeyNotFoundException>(() => doc["zz"]);
    }

    [Fact]
    public void SeekableStream_IsReadFromItsCurrentPosition()
    {
        byte[] file = SafeTensorsFile.Serialize(KnownTensors(), KnownMetadata);
        using var ms = new MemoryStream();
        ms.Write("junk"u8);
        ms.Write(file);
        ms.Position = 4;
        AssertKnownValues(SafeTensorsFile.Read(ms));
    }

    // ------------------------------------------------------------------ atomic writes

    private string[] DirListing() => Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Write_ReplacesExistingFile_LeavingNoTempFiles()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        SafeTensorsFile.Write(path, [SafeTensorsEntry.Create<float>("old", [1f], 1)]);
        SafeTensorsFile.Write(path, KnownTensors(), KnownMetadata);
        AssertKnownValues(SafeTensorsFile.Read(path));
        Assert.Equal(["model.safetensors"], DirListing());
    }

    [Fact]
    public void FailedWrite_LeavesOldFileIntact_AndNoTempFiles()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        SafeTensorsFile.Write(path, KnownTensors(), KnownMetadata);
        byte[] before = File.ReadAllBytes(path);

        // Failure midway through writing the temp file (e.g. disk full).
        Assert.Throws<IOException>(() => SafeTensorsFile.WriteAtomic(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new IOException("simulated disk full");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], DirListing());

        // Invalid input is rejected before the disk is touched.
        SafeTensorsEntry dup = SafeTensorsEntry.Create<float>("x", [1f], 1);
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path, [dup, dup]));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], DirListing());
    }

    [Fact]
    public void FailedRename_CleansUpTempFile()
    {
        // The destination is a directory, so the final rename fails after the temp file was fully written.
        string target = Path.Combine(_dir, "occupied");
        Directory.CreateDirectory(target);
        Exception e = Assert.ThrowsAny<Exception>(() => SafeTensorsFile.Write(target, KnownTensors()));
        Assert.True(e is IOException or UnauthorizedAccessException, e.ToString());
        Assert.Equal(["occupied"], DirListing());
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public void WriteIntoMissingDirectory_Throws_AndCreatesNothing()
    {
        string path = Path.Combine(_dir, "missing", "model.safetensors");
        Assert.Throws<DirectoryNotFoundException>(() => SafeTensorsFile.Write(path, KnownTensors()));
        Assert.Empty(DirListing());
    }

    // ------------------------------------------------------------------ Python interop

    private const string Python = "/usr/bin/python3";

    /// <summary>Runs only where Debian's python3 exists; otherwise shows up as skipped, not silently passed.</summary>
    private sealed class PythonFactAttribute : FactAttribute
    {
        public PythonFactAttribute()
        {
            if (!File.Exists(Python)) Skip = $"{Python} not found; safetensors interop with Python not tested.";
        }
    }

    private static string ScriptPath([CallerFilePath] string thisFile = "")
    {
        string next = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "safetensors_interop.py");
        if (File.Exists(next)) return next;
        // Compiled elsewhere (path-mapped builds): search upwards from the test binaries for the repo copy.
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "SciKernels.Tests", "IO", "safetensors_interop.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("safetensors_interop.py not found next to the tests.", next);
    }

    private static string RunPython(string mode, string path)
    {
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(ScriptPath());
        psi.ArgumentList.Add(mode);
        psi.ArgumentList.Add(path);
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"python {mode} timed out");
        }
        Assert.True(p.ExitCode == 0, $"python {mode} failed ({p.ExitCode}): {stderr.Result}{stdout.Result}");
        return stdout.Result;
    }

    [PythonFact]
    public void PythonWrites_CSharpReads()
    {
        string path = Path.Combine(_dir, "from_python.safetensors");
        RunPython("write", path);
        SafeTensorsDocument doc = SafeTensorsFile.Read(path);
        AssertKnownValues(doc);
        AssertSameContent(KnownTensors(), KnownMetadata, doc);
    }

    [PythonFact]
    public void CSharpWrites_PythonReadsAndChecks()
    {
        string path = Path.Combine(_dir, "from_csharp.safetensors");
        SafeTensorsFile.Write(path, KnownTensors(), KnownMetadata);
        Assert.StartsWith("OK 6 tensors", RunPython("check", path));
    }

    [PythonFact]
    public void CSharpWritesRandomContent_PythonDumpMatches()
    {
        var rng = new System.Random(12345);
        for (int round = 0; round < 3; round++)
        {
            (List<SafeTensorsEntry> entries, Dictionary<string, string>? meta) = RandomContent(rng, maxTensors: 8);
            string path = Path.Combine(_dir, $"random{round}.safetensors");
            SafeTensorsFile.Write(path, entries, meta);
            using JsonDocument dump = JsonDocument.Parse(RunPython("dump", path));
            JsonElement tensors = dump.RootElement.GetProperty("tensors");
            Assert.Equal(entries.Count, tensors.EnumerateObject().Count());
            foreach (SafeTensorsEntry e in entries)
            {
                JsonElement t = tensors.GetProperty(e.Name);
                Assert.Equal(e.DTypeName, t.GetProperty("dtype").GetString());
                Assert.Equal(e.GetShape(), t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray());
                Assert.Equal(Convert.ToHexString(e.Data.Span), t.GetProperty("hex").GetString());
            }
            JsonElement m = dump.RootElement.GetProperty("metadata");
            if (meta is null) Assert.Equal(JsonValueKind.Null, m.ValueKind);
            else Assert.Equal(meta.OrderBy(kv => kv.Key, StringComparer.Ordinal), m.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)).OrderBy(kv => kv.Key, StringComparer.Ordinal));
        }
    }
}
