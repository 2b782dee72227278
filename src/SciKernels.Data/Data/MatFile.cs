using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SciKernels.Data;

/// <summary>A MAT file that cannot be read: corrupt, truncated, or in an unsupported variant.</summary>
public sealed class MatFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One real numeric array of a MAT file, converted to float64 in row-major (C) order with MATLAB's dimensions.</summary>
/// <param name="Name">Variable name.</param>
/// <param name="Dimensions">Dimensions as MATLAB reports them (so <c>Data</c> is laid out like <c>scipy.io.loadmat</c>'s arrays).</param>
/// <param name="Data">Values, row-major over <paramref name="Dimensions"/>.</param>
public sealed record MatArray(string Name, int[] Dimensions, double[] Data);

/// <summary>
/// A reader of MAT files: Level 5 (MATLAB's <c>-v6</c>/<c>-v7</c> formats, little-endian, zlib-compressed
/// variables included) and v7.3 (HDF5): the format of the FNO paper's Burgers and Darcy data sets
/// (<c>burgers_data_R10.mat</c>: a, u [N, 8192]; <c>piececonst_r421_N1024_smooth1.mat</c>: coeff, sol [N, 421, 421]).
/// </summary>
/// <remarks>
/// <para>Only real numeric arrays are returned (double, single and the integer classes; MATLAB often stores a
/// double array in a narrower integer type, which is widened back); cells, structs, sparse and complex
/// arrays are skipped.</para>
/// <para>MAT v7.3 files (HDF5 behind a 512-byte MATLAB header, the format of the paper's Navier–Stokes
/// data, e.g. <c>ns_V1e-3_N5000_T50.mat</c>: a [N, 64, 64], u [N, 64, 64, T]) are read through PureHDF
/// and give the same row-major arrays; see <see cref="Read(string, IReadOnlyCollection{string}, int?)"/>
/// to read a few variables, or the first samples, of a large file without loading the rest.</para>
/// </remarks>
public static class MatFile
{
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9,
        MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;

    /// <summary>The 8-byte HDF5 format signature.</summary>
    internal static ReadOnlySpan<byte> Hdf5Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>Reads every real numeric array of the file at <paramref name="path"/>.</summary>
    /// <exception cref="MatFileException">The file is not a readable MAT file.</exception>
    public static IReadOnlyDictionary<string, MatArray> Read(string path) => ReadFile(path, null, null);

    /// <summary>
    /// Reads the real numeric variables <paramref name="names"/> of the file at <paramref name="path"/>,
    /// optionally only their first <paramref name="leading"/> entries along MATLAB's first dimension
    /// (the sample axis of the FNO data sets). From a v7.3 file only the requested data is read.
    /// </summary>
    /// <param name="path">The .mat file.</param>
    /// <param name="names">Variables to read.</param>
    /// <param name="leading">Entries to keep along the first dimension (all when null or larger).</param>
    /// <exception cref="MatFileException">Unreadable file, a missing variable, or one that is not a real numeric array.</exception>
    public static IReadOnlyDictionary<string, MatArray> Read(string path, IReadOnlyCollection<string> names, int? leading = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (leading < 0) throw new ArgumentOutOfRangeException(nameof(leading), leading, "MatFile.Read: leading must be ≥ 0");
        return ReadFile(path, names, leading);
    }

    private static IReadOnlyDictionary<string, MatArray> ReadFile(string path, IReadOnlyCollection<string>? names, int? leading)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MatFileException($"MatFile: cannot read {path}: {e.Message}", e);
        }
        using (stream)
        {
            var head = new byte[Math.Min(520, stream.Length)];
            stream.ReadExactly(head);
            stream.Position = 0;
            // v7.3 files can be many GB: read them in place; Level 5 files are parsed from memory.
            if (MatFile73.IsV73(head)) return MatFile73.Read(stream, path, names, leading);
            if (stream.Length > Array.MaxLength)
                throw new MatFileException($"MatFile: {path} is {stream.Length} bytes, too large for a Level 5 MAT file reader");
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return Select(Read(bytes, path), names, leading, path);
        }
    }

    /// <summary>Picks <paramref name="names"/> (all when null) and keeps the first <paramref name="leading"/> rows of each.</summary>
    private static IReadOnlyDictionary<string, MatArray> Select(IReadOnlyDictionary<string, MatArray> all, IReadOnlyCollection<string>? names, int? leading, string source)
    {
        var result = new Dictionary<string, MatArray>();
        foreach (var name in names ?? all.Keys.ToArray())
        {
            if (!all.TryGetValue(name, out var v))
                throw new MatFileException($"MatFile: {source} has no real numeric variable '{name}' (found: {string.Join(", ", all.Keys)})");
            if (leading is int keep && v.Dimensions.Length > 0 && keep < v.Dimensions[0])
            {
                // Row-major over MATLAB's dims: the first entries along dimension 0 are a prefix.
                var dims = (int[])v.Dimensions.Clone();
                long per = v.Dimensions[0] == 0 ? 0 : v.Data.LongLength / v.Dimensions[0];
                dims[0] = keep;
                v = new MatArray(name, dims, v.Data.AsSpan(0, (int)(per * keep)).ToArray());
            }
            result[name] = v;
        }
        return result;
    }

    /// <summary>Reads every real numeric array of an in-memory MAT file (Level 5 or v7.3).</summary>
    /// <param name="bytes">File contents.</param>
    /// <param name="source">Name used in error messages.</param>
    public static IReadOnlyDictionary<string, MatArray> Read(byte[] bytes, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ReadOnlySpan<byte> hdf5 = Hdf5Signature;
        if (MatFile73.IsV73(bytes))
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return MatFile73.Read(stream, source, null, null);
        }
        if (bytes.Length >= 8 && bytes.AsSpan(0, 8).SequenceEqual(hdf5))
            throw new MatFileException($"MatFile: {source} is a plain HDF5 file, not a MAT file (a MAT v7.3 file has its HDF5 data after a 512-byte MATLAB header)");
        if (bytes.Length < 128 || !Encoding.ASCII.GetString(bytes, 0, 6).StartsWith("MATLAB", StringComparison.Ordinal))
            throw new MatFileException($"MatFile: {source} is not a Level 5 MAT file (no 'MATLAB' header text in a 128-byte header; {bytes.Length} bytes)");
        if (bytes[126] != (byte)'I' || bytes[127] != (byte)'M')
            throw new MatFileException($"MatFile: {source} is big-endian or has a corrupt endian indicator; only little-endian files are supported");
        var result = new Dictionary<string, MatArray>();
        try
        {
            ReadElements(bytes, 128, result, source);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or InvalidDataException or OverflowException)
        {
            throw new MatFileException($"MatFile: {source} is corrupt or truncated ({e.Message})", e);
        }
        return result;
    }

    /// <summary>Largest expansion a zlib stream can have (deflate's limit is ≈ 1032:1).</summary>
    private const long MaxCompressionRatio = 1100;

    /// <summary>
    /// Reads the top-level elements. A compressed element is inflated (into a buffer bounded by the size its
    /// inflated tag declares and by <see cref="MaxCompressionRatio"/> × its compressed size, grown only as data
    /// actually arrives) and must hold exactly one uncompressed element: MATLAB never nests compression, and a
    /// nested one is rejected rather than followed, so reading needs no recursion and keeps one inflated buffer.
    /// </summary>
    private static void ReadElements(byte[] file, int start, Dictionary<string, MatArray> result, string source)
    {
        ReadOnlySpan<byte> data = file.AsSpan(start);
        int at = 0;
        while (at + 8 <= data.Length)
        {
            var (type, size, payload, next) = Tag(data, at, source);
            if (type == MiCompressed)
            {
                byte[] inflated = Inflate(file, start + payload, size, at, source);
                ReadInflated(inflated, at, result, source);
                at = payload + size; // compressed elements are not padded
                continue;
            }
            ReadElement(data, type, size, payload, result, source);
            at = next;
        }
        if (at != data.Length && data.Length - at >= 8)
            throw new MatFileException($"MatFile: {source} has trailing bytes after its last variable");
    }

    private static void ReadElement(ReadOnlySpan<byte> data, int type, int size, int payload, Dictionary<string, MatArray> result, string source)
    {
        if (type == MiMatrix && size > 0)
        {
            var array = ReadMatrix(data.Slice(payload, size), source);
            if (array is not null) result[array.Name] = array;
        }
    }

    /// <summary>The content of one inflated miCOMPRESSED element: a single element, never another compressed one.</summary>
    private static void ReadInflated(byte[] inflated, int at, Dictionary<string, MatArray> result, string source)
    {
        if (inflated.Length < 8)
            throw new MatFileException($"MatFile: {source}: the compressed element at byte {128 + at} inflates to {inflated.Length} bytes, too few for a data element");
        var (type, size, payload, _) = Tag(inflated, 0, source);
        if (type == MiCompressed)
            throw new MatFileException($"MatFile: {source}: the compressed element at byte {128 + at} holds another compressed element; nested compression is not part of the MAT format");
        if (type != MiMatrix)
            throw new MatFileException($"MatFile: {source}: the compressed element at byte {128 + at} holds a data element of type {type}, not a matrix");
        ReadElement(inflated, type, size, payload, result, source);
    }

    /// <summary>
    /// Inflates <paramref name="length"/> zlib bytes at <paramref name="offset"/> of <paramref name="file"/>. The
    /// output is bounded by the size its leading tag declares and by <see cref="MaxCompressionRatio"/> times the
    /// input, and the buffer grows only as data actually inflates, so a zlib bomb or a lying tag cannot make it
    /// allocate much more than the compressed size allows.
    /// </summary>
    private static byte[] Inflate(byte[] file, int offset, int length, int at, string source)
    {
        long ratioLimit = Math.Max(64, MaxCompressionRatio * length);
        using var z = new ZLibStream(new MemoryStream(file, offset, length, writable: false), CompressionMode.Decompress);
        var tag = new byte[8];
        int got = z.ReadAtLeast(tag, 8, throwOnEndOfStream: false);
        if (got < 8) return tag.AsSpan(0, got).ToArray();
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(tag);
        long declared = (first >> 16) != 0 ? 8 : 8 + (long)BinaryPrimitives.ReadUInt32LittleEndian(tag.AsSpan(4));
        if (declared > ratioLimit || declared > Array.MaxLength)
            throw new MatFileException($"MatFile: {source}: the compressed element at byte {128 + at} ({length} bytes) declares {declared} inflated bytes, " +
                $"more than zlib can expand it to; the file is corrupt or a decompression bomb");
        var buffer = new byte[(int)Math.Min(declared, Math.Max(4096, 4L * length))];
        tag.CopyTo(buffer, 0);
        int filled = 8;
        while (filled < declared)
        {
            if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, declared));
            int read = z.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
                throw new MatFileException($"MatFile: {source}: the compressed element at byte {128 + at} inflates to {filled} bytes but declares {declared}; the file is corrupt or truncated");
            filled += read;
        }
        // MATLAB pads the inflated element to 8 bytes at most; more data after it is not a valid element.
        Span<byte> rest = stackalloc byte[16];
        if (z.ReadAtLeast(rest, rest.Length, throwOnEndOfStream: false) > 8)
            throw new MatFileException($"MatFile: {source}: the compressed element at byte {128 + at} inflates to more than the {declared} bytes its element declares");
        return buffer;
    }

    /// <summary>Decodes a tag (regular or small-element form); returns the payload offset and the padded end.</summary>
    private static (int Type, int Size, int Payload, int Next) Tag(ReadOnlySpan<byte> data, int at, string source)
    {
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(at));
        if ((first >> 16) != 0)
        {
            int smallSize = (int)(first >> 16);
            if (smallSize > 4) throw new MatFileException($"MatFile: {source}: corrupt small data element at byte {at}");
            return ((int)(first & 0xffff), smallSize, at + 4, at + 8);
        }
        int size = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(at + 4));
        if (size < 0 || (long)at + 8 + size > data.Length)
            throw new MatFileException($"MatFile: {source}: data element at byte {at} claims {size} bytes, beyond the end of its container ({data.Length} bytes)");
        long next = at + 8 + ((size + 7L) & ~7L);
        return ((int)first, size, at + 8, (int)Math.Min(next, data.Length));
    }

    private static MatArray? ReadMatrix(ReadOnlySpan<byte> m, string source)
    {
        var (ft, fsize, fp, fnext) = Tag(m, 0, source);
        if (ft != MiUInt32 || fsize < 8) throw new MatFileException($"MatFile: {source}: a matrix lacks its array-flags subelement");
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(m.Slice(fp));
        int cls = (int)(flags & 0xff);
        bool complex = (flags & 0x800) != 0;
        var (dt, dsize, dp, dnext) = Tag(m, fnext, source);
        if (dt != MiInt32 || dsize % 4 != 0 || dsize == 0) throw new MatFileException($"MatFile: {source}: a matrix lacks its dimensions subelement");
        var dims = new int[dsize / 4];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32LittleEndian(m.Slice(dp + 4 * i));
            if (dims[i] < 0) throw new MatFileException($"MatFile: {source}: negative dimension {dims[i]}");
        }
        // A zero dimension makes the array empty; otherwise the product must not overflow (it would wrap, e.g. to 0).
        long count = 1;
        bool empty = dims.Contains(0);
        for (int i = 0; i < dims.Length && !empty; i++)
        {
            count *= dims[i]; // ≤ (int.MaxValue + 1) × int.MaxValue: no long overflow
            if (count > int.MaxValue)
                throw new MatFileException($"MatFile: {source}: a matrix has dimensions [{string.Join("×", dims)}] whose element count overflows");
        }
        if (empty) count = 0;
        var (nt, nsize, np, nnext) = Tag(m, dnext, source);
        if (nt != MiInt8) throw new MatFileException($"MatFile: {source}: a matrix lacks its name subelement");
        string name = Encoding.ASCII.GetString(m.Slice(np, nsize));
        if (cls is < 6 or > 15 || complex) return null; // cells, structs, objects, chars, sparse, complex: not numeric data sets
        if (count > int.MaxValue) throw new MatFileException($"MatFile: {source}: variable '{name}' has {count} elements, too many for one array");
        var (rt, rsize, rp, _) = Tag(m, nnext, source);
        int width = rt switch
        {
            MiInt8 or MiUInt8 => 1,
            MiInt16 or MiUInt16 => 2,
            MiInt32 or MiUInt32 or MiSingle => 4,
            MiDouble or MiInt64 or MiUInt64 => 8,
            _ => throw new MatFileException($"MatFile: {source}: variable '{name}' stores its values as unsupported data type {rt}"),
        };
        if (rsize != count * width)
            throw new MatFileException($"MatFile: {source}: variable '{name}' [{string.Join("×", dims)}] holds {rsize} bytes of type {rt}, expected {count * width}");
        var column = new double[count];
        var raw = m.Slice(rp, rsize);
        for (int i = 0; i < column.Length; i++)
        {
            var b = raw.Slice(i * width);
            column[i] = rt switch
            {
                MiInt8 => (sbyte)b[0],
                MiUInt8 => b[0],
                MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(b),
                MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
                MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(b),
                MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
                MiSingle => BinaryPrimitives.ReadSingleLittleEndian(b),
                MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(b),
                MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(b),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(b),
            };
        }
        return new MatArray(name, dims, ToRowMajor(column, dims));
    }

    /// <summary>
    /// Column-major (first index fastest) → row-major (last index fastest) over the same dimensions, widened
    /// to double on the way (so a large single-precision variable needs no intermediate double copy).
    /// </summary>
    internal static double[] ToRowMajor<T>(T[] column, int[] dims) where T : System.Numerics.INumberBase<T>
    {
        var row = new double[column.Length];
        int rank = dims.Length;
        var index = new int[rank];
        var rowStride = new long[rank];
        long s = 1;
        for (int k = rank - 1; k >= 0; k--)
        {
            rowStride[k] = s;
            s *= dims[k];
        }
        for (long c = 0; c < column.Length; c++)
        {
            long r = 0;
            for (int k = 0; k < rank; k++) r += index[k] * rowStride[k];
            row[r] = double.CreateTruncating(column[c]);
            for (int k = 0; k < rank && ++index[k] == dims[k]; k++) index[k] = 0;
        }
        return row;
    }
}
