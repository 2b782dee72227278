using PureHDF;
using PureHDF.Selections;

namespace SciKernels.Data;

/// <summary>
/// The MAT v7.3 side of <see cref="MatFile"/>: an HDF5 file behind a 512-byte MATLAB user block, read with PureHDF.
/// </summary>
/// <remarks>
/// <para>MATLAB writes each variable as a dataset in the root group with a <c>MATLAB_class</c> string
/// attribute ("double", "single", "int32", …). MATLAB arrays are column-major and HDF5 datasets
/// row-major, so the HDF5 dimensions are MATLAB's reversed: a MATLAB [N, S, S] array is an HDF5
/// [S, S, N] dataset whose flat data is MATLAB's column-major order. It is transposed here so callers
/// get the same row-major [N, S, S] arrays as from a Level 5 file. A root dataset without a
/// <c>MATLAB_class</c> attribute is read the same way (as h5py-based readers of these files do).</para>
/// <para>Cells, structs, strings, logicals, sparse and complex arrays are not numeric data sets: listing
/// skips them, asking for one by name throws. Before PureHDF opens the file, <see cref="Hdf5Precheck"/> checks the
/// metadata fields PureHDF 2.2.0 sizes buffers from (heap, fill value, attribute, link and chunk sizes) against
/// their structures and the file length; data and chunk sizes are checked before anything is allocated. So a
/// corrupt header cannot request an absurd buffer, and every failure is a <see cref="MatFileException"/> naming
/// the file (and the variable where one is concerned).</para>
/// </remarks>
internal static class MatFile73
{
    /// <summary>Largest expansion a deflate-compressed chunk can have (zlib's limit is ≈ 1032:1).</summary>
    private const long MaxCompressionRatio = 1100;

    private static readonly HashSet<string> NumericClasses = new(StringComparer.Ordinal)
    {
        "double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
    };

    /// <summary>True when <paramref name="header"/> (the file's first ≥ 520 bytes) is a MAT v7.3 file: HDF5 signature at byte 512.</summary>
    public static bool IsV73(ReadOnlySpan<byte> header) =>
        header.Length >= 520 && header.Slice(512, 8).SequenceEqual(MatFile.Hdf5Signature);

    /// <summary>
    /// Reads the numeric variables <paramref name="names"/> (all of them when null, skipping non-numeric ones),
    /// keeping only the first <paramref name="leading"/> entries along MATLAB's first dimension when given.
    /// </summary>
    public static Dictionary<string, MatArray> Read(Stream stream, string source, IReadOnlyCollection<string>? names, int? leading)
    {
        var result = new Dictionary<string, MatArray>();
        try
        {
            // PureHDF sizes some buffers straight from file fields: check those before it opens the file.
            Hdf5Precheck.Check(stream, source);
            using var file = H5File.Open(stream, leaveOpen: true);
            long fileLength = stream.Length;
            if (names is null)
            {
                foreach (var child in file.Children())
                {
                    if (child is not IH5Dataset ds || child.Name.StartsWith('#')) continue;
                    if (NonNumericReason(ds) is not null) continue;
                    result[child.Name] = ReadDataset(ds, child.Name, source, leading, fileLength);
                }
                return result;
            }
            foreach (var name in names)
            {
                if (!file.LinkExists(name))
                {
                    var found = file.Children().Where(c => c is IH5Dataset && !c.Name.StartsWith('#')).Select(c => c.Name);
                    throw new MatFileException($"MatFile: {source} has no variable '{name}' (found: {string.Join(", ", found)})");
                }
                var obj = file.Get(name);
                if (obj is not IH5Dataset ds)
                    throw new MatFileException($"MatFile: {source}: variable '{name}' is a MATLAB {ClassOf(obj) ?? "struct or group"}, not a numeric array");
                if (NonNumericReason(ds) is { } why)
                    throw new MatFileException($"MatFile: {source}: variable '{name}' is {why}, not a real numeric array");
                result[name] = ReadDataset(ds, name, source, leading, fileLength);
            }
            return result;
        }
        catch (MatFileException)
        {
            throw;
        }
        catch (OutOfMemoryException e)
        {
            // Sizes are checked before reading; this is a last resort should a structure the precheck skips be corrupt.
            throw new MatFileException($"MatFile: {source} is a MAT v7.3 (HDF5) file whose structures request more memory than is available; the file is corrupt", e);
        }
        catch (Exception e)
        {
            // PureHDF reports format problems with assorted exception types (often plain Exception).
            throw new MatFileException($"MatFile: {source} is a MAT v7.3 (HDF5) file that is corrupt, truncated or uses an unsupported HDF5 feature ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>The MATLAB_class attribute (a fixed-length string in MATLAB's files, so padding is trimmed), or null.</summary>
    private static string? ClassOf(IH5Object obj) =>
        obj.AttributeExists("MATLAB_class") ? obj.Attribute("MATLAB_class").Read<string>().TrimEnd('\0', ' ') : null;

    /// <summary>Why the dataset is not a real numeric array, or null when it is.</summary>
    private static string? NonNumericReason(IH5Dataset ds)
    {
        string? cls = ClassOf(ds);
        if (cls is not null && !NumericClasses.Contains(cls)) return $"a MATLAB {cls} array";
        if (ds.AttributeExists("MATLAB_sparse")) return "a sparse array";
        return ds.Type.Class switch
        {
            H5DataTypeClass.FloatingPoint when ds.Type.Size is 4 or 8 => null,
            H5DataTypeClass.FixedPoint when ds.Type.Size is 1 or 2 or 4 or 8 => null,
            H5DataTypeClass.Compound => "a complex array",
            var c => $"stored as HDF5 {c} data of {ds.Type.Size} bytes",
        };
    }

    private static MatArray ReadDataset(IH5Dataset ds, string name, string source, int? leading, long fileLength)
    {
        if (ds.AttributeExists("MATLAB_empty") && ds.Attribute("MATLAB_empty").Read<byte>() != 0)
        {
            // An empty MATLAB array is stored as its dimension vector.
            ulong vector = 1;
            foreach (var d in ds.Space.Dimensions) vector = d > 1024 ? ulong.MaxValue : Math.Min(vector * d, ulong.MaxValue / 1024);
            if (vector > 64 || ds.Type.Size > 8)
                throw new MatFileException($"MatFile: {source}: empty variable '{name}' has a dimension vector of {vector} elements; the file is corrupt");
            var shape = ds.Read<ulong[]>();
            return new MatArray(name, shape.Select(d => (int)Math.Min(d, int.MaxValue)).ToArray(), Array.Empty<double>());
        }
        if (ds.Space.Type == H5DataspaceType.Scalar) return new MatArray(name, new[] { 1, 1 }, ReadRowMajor(ds, null, 1, new[] { 1, 1 }));
        var h5dims = ds.Space.Dimensions;
        if (h5dims.Length == 0) return new MatArray(name, new[] { 0, 0 }, Array.Empty<double>());
        // MATLAB dims are the HDF5 dims reversed; MATLAB's first (sample) axis is the dataset's last.
        var dims = new int[h5dims.Length];
        for (int k = 0; k < dims.Length; k++)
        {
            ulong d = h5dims[h5dims.Length - 1 - k];
            if (d > int.MaxValue) throw new MatFileException($"MatFile: {source}: variable '{name}' has a dimension of {d}");
            dims[k] = (int)d;
        }
        if (dims.Length == 1) dims = new[] { 1, dims[0] }; // MATLAB has no 1-D arrays; h5py-written vectors are rows
        HyperslabSelection? selection = null;
        if (leading is int keep && keep < dims[0])
        {
            if (keep < 0) throw new MatFileException($"MatFile: {source}: asked for {keep} entries of '{name}'");
            var blocks = (ulong[])h5dims.Clone();
            blocks[^1] = (ulong)keep;
            if (h5dims.Length == 1) blocks[0] = (ulong)keep;
            selection = new HyperslabSelection(h5dims.Length, new ulong[h5dims.Length], blocks);
            if (h5dims.Length > 1) dims[0] = keep;
        }
        long count = 1;
        foreach (var d in dims) count = checked(count * d);
        if (count > Array.MaxLength) throw new MatFileException($"MatFile: {source}: variable '{name}' [{string.Join("×", dims)}] has {count} elements, too many for one array");
        long stored = 1;
        foreach (var d in h5dims) stored = checked(stored * (long)Math.Min(d, (ulong)long.MaxValue / 2));
        long bytes = stored * ds.Type.Size;
        long limit = ds.Layout.Class == H5DataLayoutClass.Chunked ? fileLength * MaxCompressionRatio : fileLength;
        if (bytes > limit)
            throw new MatFileException($"MatFile: {source}: variable '{name}' claims {bytes} bytes of data in a {fileLength}-byte file; the file is corrupt or truncated");
        if (ds.Layout.Class == H5DataLayoutClass.Chunked) CheckChunks(ds, h5dims, name, source, fileLength, limit);
        return new MatArray(name, dims, ReadRowMajor(ds, selection, count, dims));
    }

    /// <summary>
    /// Checks a chunked dataset's chunk layout before PureHDF reads it: the chunk reader allocates one whole chunk
    /// per chunk it decodes and per-chunk bookkeeping for every chunk of the dataset, so a corrupt chunk or dataset
    /// dimension could make it allocate gigabytes. A chunk must fit the data limit, and the chunk count is bounded
    /// by the file size: every chunk MATLAB writes costs at least a B-tree key and some compressed bytes (≥ 16 bytes).
    /// </summary>
    private static void CheckChunks(IH5Dataset ds, ulong[] h5dims, string name, string source, long fileLength, long limit)
    {
        var chunks = ds.Layout.Chunks;
        if (chunks.Length < h5dims.Length)
            throw new MatFileException($"MatFile: {source}: variable '{name}' has {chunks.Length} chunk dimensions for {h5dims.Length} dataset dimensions; the file is corrupt");
        decimal chunkBytes = ds.Type.Size, chunkCount = 1;
        for (int k = 0; k < h5dims.Length; k++)
        {
            ulong c = chunks[k];
            if (c == 0) throw new MatFileException($"MatFile: {source}: variable '{name}' has a zero chunk dimension; the file is corrupt");
            chunkBytes = Math.Min(chunkBytes * c, long.MaxValue);
            chunkCount = Math.Min(chunkCount * ((h5dims[k] + c - 1) / c), long.MaxValue);
        }
        if (chunkBytes > Math.Max(limit, 1 << 20))
            throw new MatFileException($"MatFile: {source}: variable '{name}' has chunks of {chunkBytes} bytes in a {fileLength}-byte file; the file is corrupt");
        if (chunkCount > fileLength / 16 + 1)
            throw new MatFileException($"MatFile: {source}: variable '{name}' [{string.Join("×", h5dims)}] needs {chunkCount} chunks of [{string.Join("×", chunks.Take(h5dims.Length))}] but a {fileLength}-byte file holds at most {fileLength / 16 + 1}; the file is corrupt or truncated");
    }

    /// <summary>Reads the selection (<paramref name="count"/> values, storage order = MATLAB's column-major over <paramref name="dims"/>) as row-major doubles.</summary>
    private static double[] ReadRowMajor(IH5Dataset ds, Selection? selection, long count, int[] dims)
    {
        int size = ds.Type.Size;
        if (ds.Type.Class == H5DataTypeClass.FloatingPoint)
            return size == 8 ? MatFile.ToRowMajor(ReadAs<double>(ds, selection, count), dims) : MatFile.ToRowMajor(ReadAs<float>(ds, selection, count), dims);
        bool signed = ds.Type.FixedPoint.IsSigned;
        return (size, signed) switch
        {
            (1, true) => MatFile.ToRowMajor(ReadAs<sbyte>(ds, selection, count), dims),
            (1, false) => MatFile.ToRowMajor(ReadAs<byte>(ds, selection, count), dims),
            (2, true) => MatFile.ToRowMajor(ReadAs<short>(ds, selection, count), dims),
            (2, false) => MatFile.ToRowMajor(ReadAs<ushort>(ds, selection, count), dims),
            (4, true) => MatFile.ToRowMajor(ReadAs<int>(ds, selection, count), dims),
            (4, false) => MatFile.ToRowMajor(ReadAs<uint>(ds, selection, count), dims),
            (8, true) => MatFile.ToRowMajor(ReadAs<long>(ds, selection, count), dims),
            _ => MatFile.ToRowMajor(ReadAs<ulong>(ds, selection, count), dims),
        };
    }

    private static T[] ReadAs<T>(IH5Dataset ds, Selection? selection, long count)
    {
        var buffer = new T[count];
        ds.Read(buffer, selection);
        return buffer;
    }
}
