using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace SciKernels.IO;

/// <summary>
/// Reads and writes the safetensors checkpoint format: an 8-byte little-endian header length N, N bytes of
/// UTF-8 JSON header, then the tensor bytes (little-endian, row-major).
/// </summary>
/// <remarks>
/// <para><b>Writing</b> is deterministic: tensors are ordered by descending element width, then by ordinal
/// name (as the reference implementation does, so every tensor is aligned to its element size), metadata
/// keys are ordinal-sorted, and the header is padded with spaces to a multiple of 8 bytes. Writing to a
/// path is atomic (temp file <c>.NAME.&lt;guid&gt;.tmp</c> in the same directory, fsync, rename); the temp files a
/// killed writer leaves behind are deleted by the next write to the same path.</para>
/// <para><b>Reading</b> validates the whole file and reports every format problem as a
/// <see cref="SafeTensorsFormatException"/>. Like the reference implementation it requires the tensors to
/// cover the data buffer exactly: contiguous, no overlaps, no holes and no trailing bytes. The reader is
/// stricter than the reference in that duplicate JSON keys, unknown fields in tensor entries and unknown
/// dtypes are rejected (their sizes could not be validated).</para>
/// </remarks>
public static class SafeTensorsFile
{
    /// <summary>The reserved header key holding string→string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Largest accepted header, in bytes (the reference implementation's limit).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>Largest accepted tensor rank; far above any real model, it only bounds hostile shapes.</summary>
    public const int MaxRank = 1024;

    // Header schema depth is 3 (root object → entry object → shape array); anything deeper is invalid anyway.
    private const int MaxJsonDepth = 4;

    // Below this a declared size is allocated up front even when the input length is unknown.
    private const int EagerAllocationBytes = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ---------------------------------------------------------------- writing

    /// <summary>
    /// Atomically writes a safetensors file: an existing file is replaced only once the new one is fully written and
    /// flushed to disk, so a crash at any point leaves either the old or the new file, never a torn one. (The rename
    /// itself becomes durable when the file system commits the directory.)
    /// </summary>
    /// <param name="path">Destination file.</param>
    /// <param name="tensors">Tensors to store; names must be unique.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> entries; omitted from the header when null.</param>
    /// <exception cref="ArgumentException">Duplicate or invalid names, null metadata values, or a header over
    /// <see cref="MaxHeaderBytes"/>.</exception>
    /// <exception cref="IOException">The file could not be written; the previous file, if any, is untouched.</exception>
    public static void Write(string path, IEnumerable<SafeTensorsEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Prepared prepared = Prepare(tensors, metadata); // validate before touching the disk
        WriteAtomic(path, prepared.WriteTo);
    }

    /// <summary>Writes safetensors bytes to a stream at its current position (not atomic; the caller owns the stream).</summary>
    /// <param name="destination">Writable stream.</param>
    /// <param name="tensors">Tensors to store; names must be unique.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> entries; omitted from the header when null.</param>
    /// <exception cref="ArgumentException">See <see cref="Write(string, IEnumerable{SafeTensorsEntry}, IReadOnlyDictionary{string, string}?)"/>.</exception>
    public static void Write(Stream destination, IEnumerable<SafeTensorsEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Prepare(tensors, metadata).WriteTo(destination);
    }

    /// <summary>Serializes to an in-memory safetensors image.</summary>
    /// <param name="tensors">Tensors to store; names must be unique.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> entries; omitted from the header when null.</param>
    /// <returns>The complete file bytes.</returns>
    public static byte[] Serialize(IEnumerable<SafeTensorsEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Prepared prepared = Prepare(tensors, metadata);
        long total = checked(8 + prepared.Header.Length + prepared.DataLength);
        if (total > Array.MaxLength) throw new ArgumentException($"The file would be {total} bytes, too large for one array; write to a file instead.", nameof(tensors));
        var result = new byte[total];
        prepared.WriteTo(new MemoryStream(result));
        return result;
    }

    /// <summary>Writes <paramref name="path"/> atomically; see <see cref="AtomicFile.Write"/>.</summary>
    internal static void WriteAtomic(string path, Action<Stream> writeContent) => AtomicFile.Write(path, writeContent);

    /// <summary>Deletes leftovers of interrupted writes of <paramref name="path"/>; see <see cref="AtomicFile.CleanLeftovers"/>.</summary>
    internal static int CleanLeftoverTempFiles(string path) => AtomicFile.CleanLeftovers(path);

    private sealed class Prepared(byte[] header, List<SafeTensorsEntry> ordered, long dataLength)
    {
        public byte[] Header { get; } = header;
        public long DataLength { get; } = dataLength;

        public void WriteTo(Stream stream)
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)Header.Length);
            stream.Write(prefix);
            stream.Write(Header);
            foreach (SafeTensorsEntry entry in ordered) stream.Write(entry.Data.Span);
        }
    }

    private static Prepared Prepare(IEnumerable<SafeTensorsEntry> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<SafeTensorsEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SafeTensorsEntry? e in tensors)
        {
            if (e is null) throw new ArgumentException("The tensor sequence contains null.", nameof(tensors));
            RequireValidUtf16(e.Name, nameof(tensors));
            if (!names.Add(e.Name)) throw new ArgumentException($"Duplicate tensor name '{Abbreviate(e.Name)}'.", nameof(tensors));
            list.Add(e);
        }
        // Widest dtype first keeps each tensor aligned to its element size (the header is 8-byte padded).
        list.Sort((a, b) =>
        {
            int c = b.DType.BitSize().CompareTo(a.DType.BitSize());
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });

        List<KeyValuePair<string, string>>? meta = null;
        if (metadata is not null)
        {
            meta = new List<KeyValuePair<string, string>>(metadata.Count);
            foreach (KeyValuePair<string, string> kv in metadata)
            {
                if (kv.Key is null || kv.Value is null) throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
                RequireValidUtf16(kv.Key, nameof(metadata));
                RequireValidUtf16(kv.Value, nameof(metadata));
                meta.Add(kv);
            }
            meta.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        var json = new ArrayBufferWriter<byte>();
        long offset = 0;
        // Relaxed escaping keeps non-ASCII names readable; the output is still strict JSON.
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (meta is not null)
            {
                w.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> kv in meta) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            foreach (SafeTensorsEntry e in list)
            {
                long end = checked(offset + e.Data.Length);
                w.WriteStartObject(e.Name);
                w.WriteString("dtype", e.DTypeName);
                w.WriteStartArray("shape");
                foreach (long d in e.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(end);
                w.WriteEndArray();
                w.WriteEndObject();
                offset = end;
            }
            w.WriteEndObject();
        }

        int padding = (8 - json.WrittenCount % 8) % 8;
        if ((long)json.WrittenCount + padding > MaxHeaderBytes)
            throw new ArgumentException($"The header would exceed {MaxHeaderBytes} bytes, which readers reject.", nameof(tensors));
        byte[] header = new byte[json.WrittenCount + padding];
        json.WrittenSpan.CopyTo(header);
        header.AsSpan(json.WrittenCount).Fill((byte)' ');
        return new Prepared(header, list, offset);
    }

    private static void RequireValidUtf16(string s, string paramName)
    {
        try { _ = StrictUtf8.GetByteCount(s); }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"'{Abbreviate(s)}' contains an unpaired surrogate and cannot be encoded as UTF-8.", paramName, e);
        }
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Reads and fully validates a safetensors file.</summary>
    /// <param name="path">File to read.</param>
    /// <returns>The tensors and metadata.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    /// <exception cref="IOException">The file could not be opened or read.</exception>
    public static SafeTensorsDocument Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return ReadCore(fs, path);
    }

    /// <summary>
    /// Reads and fully validates safetensors data from the stream's current position to its end. Seekable streams
    /// are bounds-checked against their length before anything is allocated; for other streams allocations grow
    /// only as data actually arrives.
    /// </summary>
    /// <param name="stream">Readable stream; it is not disposed.</param>
    /// <param name="sourceName">Name used in error messages (defaults to <c>"&lt;stream&gt;"</c>).</param>
    /// <returns>The tensors and metadata.</returns>
    /// <exception cref="SafeTensorsFormatException">The data is not valid safetensors.</exception>
    public static SafeTensorsDocument Read(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        return ReadCore(stream, sourceName ?? "<stream>");
    }

    /// <summary>Reads and fully validates an in-memory safetensors image.</summary>
    /// <param name="bytes">The complete file bytes.</param>
    /// <param name="sourceName">Name used in error messages (defaults to <c>"&lt;memory&gt;"</c>).</param>
    /// <returns>The tensors and metadata.</returns>
    /// <exception cref="SafeTensorsFormatException">The data is not valid safetensors.</exception>
    public static SafeTensorsDocument Deserialize(byte[] bytes, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return ReadCore(new MemoryStream(bytes, writable: false), sourceName ?? "<memory>", bytes);
    }

    private readonly record struct RawEntry(string Name, string? DType, long[]? Shape, long Begin, long End, bool HasOffsets);

    private readonly record struct CheckedEntry(string Name, SafeTensorsDType DType, long[] Shape, long Count, long Begin, long End);

    /// <summary>
    /// Parses and validates the header, then reads the tensors. Allocation is bounded by the input: the header
    /// (not copied when <paramref name="image"/> holds the whole input), one name string, shape and entry per
    /// tensor (no per-entry temporaries), and the tensor bytes.
    /// </summary>
    private static SafeTensorsDocument ReadCore(Stream stream, string source, byte[]? image = null)
    {
        // Known remaining length lets every size be checked before allocating; unknown for pipes/network streams.
        long? available = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;

        Span<byte> prefix = stackalloc byte[8];
        int got = stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false);
        if (got < 8) throw Fail(source, $"input is {got} bytes, shorter than the 8-byte header length prefix");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n == 0) throw Fail(source, "header length is 0");
        if (n > MaxHeaderBytes) throw Fail(source, $"header length {n} exceeds the {MaxHeaderBytes}-byte limit");
        if (available is long avail && (long)n > avail - 8)
            throw Fail(source, $"header length {n} exceeds the {avail - 8} bytes that follow the length prefix");

        long? bufferLength = available - 8 - (long)n;
        List<CheckedEntry> entries;
        Dictionary<string, string>? metadata;
        if (image is not null)
        {
            // The whole input is in memory: parse the header in place.
            (entries, metadata) = ParseHeader(image.AsSpan(8, (int)n), new HeaderInput(source), bufferLength);
            stream.Position = 8 + (long)n;
        }
        else
        {
            // Streamed through a bounded window: no copy of a (legal, up to 100 MB) header is kept.
            (entries, metadata) = ParseHeader([], new HeaderInput(stream, (long)n, source), bufferLength);
        }

        // Sorting by (begin, end) puts empty tensors before a non-empty one at the same offset, so the
        // contiguity walk below accepts them; name breaks ties for a deterministic order.
        entries.Sort((a, b) =>
        {
            int c = a.Begin.CompareTo(b.Begin);
            if (c == 0) c = a.End.CompareTo(b.End);
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });
        long expected = 0;
        string? previous = null;
        foreach (CheckedEntry e in entries)
        {
            if (e.Begin < expected)
                throw Fail(source, $"tensor {Quote(e.Name)} at bytes [{e.Begin}, {e.End}) overlaps tensor {Quote(previous!)} ending at {expected}");
            if (e.Begin > expected)
                throw Fail(source, $"hole of {e.Begin - expected} bytes in the data buffer before tensor {Quote(e.Name)} (offset {expected})");
            expected = e.End;
            previous = e.Name;
        }
        if (bufferLength is long bl && expected != bl)
            throw Fail(source, $"tensors cover {expected} bytes but the data buffer holds {bl} bytes");

        var tensors = new List<SafeTensorsEntry>(entries.Count);
        var byName = new Dictionary<string, SafeTensorsEntry>(entries.Count, StringComparer.Ordinal);
        foreach (CheckedEntry e in entries)
        {
            long length = e.End - e.Begin;
            if (length > Array.MaxLength)
                throw Fail(source, $"tensor {Quote(e.Name)} is {length} bytes, larger than this reader supports in one block");
            byte[] data = length == 0 ? [] : ReadBlock(stream, (int)length, available.HasValue, source, e.Name);
            var entry = new SafeTensorsEntry(e.Name, e.DType, e.Shape, e.Count, data);
            if (!byName.TryAdd(e.Name, entry)) throw Fail(source, $"duplicate header key {Quote(e.Name)}");
            tensors.Add(entry);
        }
        if (!available.HasValue && stream.ReadByte() != -1)
            throw Fail(source, $"unexpected bytes after the last tensor (tensors cover {expected} bytes)");

        return new SafeTensorsDocument(tensors, metadata, byName);
    }

    private static CheckedEntry CheckEntry(RawEntry r, long? bufferLength, string source)
    {
        if (r.DType is null) throw Fail(source, $"{Who(r.Name)} has no \"dtype\"");
        if (r.Shape is null) throw Fail(source, $"{Who(r.Name)} has no \"shape\"");
        if (!r.HasOffsets) throw Fail(source, $"{Who(r.Name)} has no \"data_offsets\"");
        if (!SafeTensorsDTypes.TryParse(r.DType, out SafeTensorsDType dtype))
            throw Fail(source, $"{Who(r.Name)} has unknown dtype {Quote(r.DType)}");

        long count = 1;
        foreach (long d in r.Shape)
        {
            // Dimensions are already known non-negative; this is overflow-checked multiplication.
            if (d != 0 && count > long.MaxValue / d) throw Fail(source, $"{Who(r.Name)}: element count of shape [{string.Join(",", r.Shape)}] overflows");
            count *= d;
        }
        long bytes = SafeTensorsDTypes.TryByteLength(dtype, count)
            ?? throw Fail(source, $"{Who(r.Name)}: {count} elements of {r.DType} overflow or are not a whole number of bytes");
        if (r.Begin > r.End) throw Fail(source, $"{Who(r.Name)}: data_offsets [{r.Begin}, {r.End}] begin after they end");
        if (bufferLength is long bl && r.End > bl)
            throw Fail(source, $"{Who(r.Name)}: data_offsets [{r.Begin}, {r.End}] extend past the {bl}-byte data buffer");
        if (r.End - r.Begin != bytes)
            throw Fail(source, $"{Who(r.Name)}: data_offsets span {r.End - r.Begin} bytes but {r.DType} shape [{string.Join(",", r.Shape)}] needs {bytes}");
        return new CheckedEntry(r.Name, dtype, r.Shape, count, r.Begin, r.End);
    }

    /// <summary>
    /// The header bytes as the JSON reader sees them: the whole header when it is already in memory, otherwise a
    /// window over the stream that grows only for a token longer than it (names are the only long tokens), so
    /// parsing allocates a bounded buffer instead of a copy of the header.
    /// </summary>
    private sealed class HeaderInput
    {
        private const int InitialWindow = 1 << 16;
        private readonly Stream? _stream;
        private readonly long _total;
        private readonly Decoder _utf8 = StrictUtf8.GetDecoder();
        private byte[] _window = [];
        private int _length;
        private long _remaining;

        public HeaderInput(string source) => Source = source;

        public HeaderInput(Stream stream, long headerLength, string source)
        {
            Source = source;
            _stream = stream;
            _total = _remaining = headerLength;
        }

        public string Source { get; }

        /// <summary>A reader over the first window (streaming), or over <paramref name="header"/> (in memory).</summary>
        public Utf8JsonReader Start(ReadOnlySpan<byte> header, JsonReaderOptions options)
        {
            if (_stream is null) return new Utf8JsonReader(header, options);
            _window = new byte[(int)Math.Min(_remaining, InitialWindow)];
            Fill();
            return new Utf8JsonReader(_window.AsSpan(0, _length), _remaining == 0, new JsonReaderState(options));
        }

        public ReadOnlySpan<byte> First => _window.AsSpan(0, _length);

        /// <summary>Reads the next token, sliding the window over the stream when the current one is used up.</summary>
        public bool Read(ref Utf8JsonReader reader)
        {
            while (true)
            {
                if (reader.Read()) return true;
                if (_stream is null || _remaining == 0) return false;
                int consumed = (int)reader.BytesConsumed;
                Buffer.BlockCopy(_window, consumed, _window, 0, _length - consumed);
                _length -= consumed;
                if (_length == _window.Length) Array.Resize(ref _window, (int)Math.Min(2L * _window.Length, _total));
                Fill();
                reader = new Utf8JsonReader(_window.AsSpan(0, _length), _remaining == 0, reader.CurrentState);
            }
        }

        private void Fill()
        {
            int want = (int)Math.Min(_window.Length - _length, _remaining);
            int got = _stream!.ReadAtLeast(_window.AsSpan(_length, want), want, throwOnEndOfStream: false);
            if (got < want)
                throw Fail(Source, $"input is truncated: the header needs {_total} bytes but only {_total - _remaining + got} remain");
            try
            {
                _ = _utf8.GetCharCount(_window, _length, got, flush: got == _remaining);
            }
            catch (DecoderFallbackException e)
            {
                throw Fail(Source, "header is not valid UTF-8", e);
            }
            _length += got;
            _remaining -= got;
        }
    }

    private static (List<CheckedEntry>, Dictionary<string, string>?) ParseHeader(ReadOnlySpan<byte> header, HeaderInput input, long? bufferLength)
    {
        string source = input.Source;
        var options = new JsonReaderOptions
        {
            MaxDepth = MaxJsonDepth,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        };
        if (header.Length > 0 && !Utf8.IsValid(header)) throw Fail(source, "header is not valid UTF-8");
        var reader = input.Start(header, options);
        ReadOnlySpan<byte> first = header.Length > 0 ? header : input.First;
        if (first.Length == 0 || first[0] != (byte)'{') throw Fail(source, "header does not start with '{' (it must be a JSON object)");

        var entries = new List<CheckedEntry>();
        Dictionary<string, string>? metadata = null;
        bool hasMetadata = false;
        var dims = new List<long>();
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, "the header", input);
            while (true)
            {
                Next(ref reader, input);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                if (reader.ValueTextEquals(MetadataKey))
                {
                    if (hasMetadata) throw Fail(source, $"duplicate header key {Quote(MetadataKey)}");
                    hasMetadata = true;
                    metadata = ParseMetadata(ref reader, input);
                    continue;
                }
                // Duplicate tensor names are found when the entries are collected (ReadCore).
                string key = reader.GetString()!;
                entries.Add(CheckEntry(ParseEntry(ref reader, key, input, dims), bufferLength, source));
            }
            // Only whitespace (the reference pads with spaces) may follow; anything else makes Read throw.
            if (input.Read(ref reader)) throw Fail(source, "unexpected content after the header object");
        }
        catch (JsonException e)
        {
            throw Fail(source, $"header is not valid JSON ({e.Message})", e);
        }
        catch (InvalidOperationException e)
        {
            // e.g. a string escape that decodes to an unpaired surrogate.
            throw Fail(source, $"header contains an unreadable JSON value ({e.Message})", e);
        }
        return (entries, metadata);
    }

    private static Dictionary<string, string>? ParseMetadata(ref Utf8JsonReader reader, HeaderInput input)
    {
        Next(ref reader, input);
        if (reader.TokenType == JsonTokenType.Null) return null; // the reference treats null as absent
        if (reader.TokenType != JsonTokenType.StartObject) throw Fail(input.Source, $"\"{MetadataKey}\" must be an object of strings");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            Next(ref reader, input);
            if (reader.TokenType == JsonTokenType.EndObject) return metadata;
            string key = reader.GetString()!;
            Next(ref reader, input);
            if (reader.TokenType != JsonTokenType.String) throw Fail(input.Source, $"metadata value for {Quote(key)} is not a string");
            if (!metadata.TryAdd(key, reader.GetString()!)) throw Fail(input.Source, $"duplicate metadata key {Quote(key)}");
        }
    }

    private static RawEntry ParseEntry(ref Utf8JsonReader reader, string name, HeaderInput input, List<long> dims)
    {
        // Messages are built only on failure: a legal header may hold millions of entries.
        Next(ref reader, input);
        if (reader.TokenType != JsonTokenType.StartObject) throw Fail(input.Source, $"{Who(name)} is not a JSON object");
        string? dtype = null;
        long[]? shape = null;
        long begin = 0, end = 0;
        bool hasOffsets = false;
        while (true)
        {
            Next(ref reader, input);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            if (reader.ValueTextEquals("dtype"u8))
            {
                if (dtype is not null) throw Fail(input.Source, $"{Who(name)} has a duplicate \"dtype\"");
                Next(ref reader, input);
                if (reader.TokenType != JsonTokenType.String) throw Fail(input.Source, $"{Who(name)}: \"dtype\" is not a string");
                dtype = KnownDTypeName(ref reader) ?? reader.GetString()!;
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                if (shape is not null) throw Fail(input.Source, $"{Who(name)} has a duplicate \"shape\"");
                Expect(ref reader, JsonTokenType.StartArray, name, "\"shape\"", input);
                dims.Clear();
                while (true)
                {
                    Next(ref reader, input);
                    if (reader.TokenType == JsonTokenType.EndArray) break;
                    if (dims.Count == MaxRank) throw Fail(input.Source, $"{Who(name)}: rank exceeds {MaxRank}");
                    dims.Add(ReadNonNegative(ref reader, name, "shape dimension", input));
                }
                shape = dims.Count == 0 ? [] : [.. dims];
            }
            else if (reader.ValueTextEquals("data_offsets"u8))
            {
                if (hasOffsets) throw Fail(input.Source, $"{Who(name)} has a duplicate \"data_offsets\"");
                Expect(ref reader, JsonTokenType.StartArray, name, "\"data_offsets\"", input);
                Next(ref reader, input);
                begin = ReadNonNegative(ref reader, name, "data_offsets begin", input);
                Next(ref reader, input);
                end = ReadNonNegative(ref reader, name, "data_offsets end", input);
                Next(ref reader, input);
                if (reader.TokenType != JsonTokenType.EndArray) throw Fail(input.Source, $"{Who(name)}: \"data_offsets\" must have exactly 2 elements");
                hasOffsets = true;
            }
            else throw Fail(input.Source, $"{Who(name)} has unknown field {Quote(reader.GetString()!)}");
        }
        return new RawEntry(name, dtype, shape, begin, end, hasOffsets);
    }

    /// <summary>The interned name of a known dtype string token (no allocation), or null.</summary>
    private static string? KnownDTypeName(ref Utf8JsonReader reader)
    {
        foreach (string known in KnownDTypeNames)
            if (reader.ValueTextEquals(known)) return known;
        return null;
    }

    private static readonly string[] KnownDTypeNames = Enum.GetValues<SafeTensorsDType>().Select(d => d.ToFormatName()).ToArray();

    private static string Who(string name) => $"tensor {Quote(name)}";

    private static long ReadNonNegative(ref Utf8JsonReader reader, string name, string what, HeaderInput input)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v) || v < 0)
            throw Fail(input.Source, $"{Who(name)}: {what} is not a non-negative 64-bit integer");
        return v;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what, HeaderInput input)
    {
        Next(ref reader, input);
        if (reader.TokenType != type) throw Fail(input.Source, $"{what} must be a JSON {(type == JsonTokenType.StartArray ? "array" : "object")}");
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string name, string field, HeaderInput input)
    {
        Next(ref reader, input);
        if (reader.TokenType != type) throw Fail(input.Source, $"{Who(name)}: {field} must be a JSON {(type == JsonTokenType.StartArray ? "array" : "object")}");
    }

    private static void Next(ref Utf8JsonReader reader, HeaderInput input)
    {
        if (!input.Read(ref reader)) throw Fail(input.Source, "header JSON ends prematurely");
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes. When the input length was not verified, large buffers grow
    /// only as data arrives so a lying size field cannot force a huge allocation.
    /// </summary>
    /// The tensor name (null for the header) is only used in the error message.
    private static byte[] ReadBlock(Stream stream, int count, bool lengthVerified, string source, string? tensorName)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(lengthVerified ? count : Math.Min(count, EagerAllocationBytes));
        int filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, count));
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
                throw Fail(source, $"input is truncated: {(tensorName is null ? "the header" : Who(tensorName))} needs {count} bytes but only {filled} remain");
            filled += read;
        }
        return buffer;
    }

    private static SafeTensorsFormatException Fail(string source, string problem, Exception? inner = null) => new(source, problem, inner);

    // Names come from untrusted input and may be megabytes long; keep messages readable.
    private static string Quote(string s) => "'" + Abbreviate(s) + "'";

    private static string Abbreviate(string s) => s.Length <= 80 ? s : string.Concat(s.AsSpan(0, 77), "...");
}
