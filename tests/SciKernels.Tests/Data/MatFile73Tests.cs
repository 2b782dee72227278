using System.Runtime.CompilerServices;
using System.Text;
using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;
using SciKernels.Data;
using Xunit;

namespace SciKernels.Tests.Data;

/// <summary>
/// MAT v7.3 files written with PureHDF in MATLAB's layout: a 512-byte user block holding the MATLAB
/// header text, one root dataset per variable with a <c>MATLAB_class</c> attribute, HDF5 dims = MATLAB's
/// reversed and the data in MATLAB's column-major order. (MATLAB stores <c>MATLAB_class</c> as a
/// fixed-length string; both fixed- and variable-length strings are exercised.)
/// </summary>
public class MatFile73Tests
{
    /// <summary>A variable: MATLAB dims, column-major values (as MATLAB holds them), storage type and class.</summary>
    private sealed record Var(string Name, int[] Dims, double[] ColumnMajor, string MatlabClass = "double", bool Chunked = false);

    private static byte[] WriteMat73(IEnumerable<Var> vars, int fixedStringLength = 0)
    {
        var file = new H5File();
        foreach (var v in vars)
        {
            object data = v.MatlabClass switch
            {
                "single" => v.ColumnMajor.Select(x => (float)x).ToArray(),
                "int32" => v.ColumnMajor.Select(x => (int)x).ToArray(),
                "uint8" or "logical" => v.ColumnMajor.Select(x => (byte)x).ToArray(),
                "char" => v.ColumnMajor.Select(x => (ushort)x).ToArray(),
                _ => v.ColumnMajor,
            };
            var fileDims = v.Dims.Reverse().Select(d => (ulong)d).ToArray();
            var ds = v.Chunked
                ? new H5Dataset(data, chunks: fileDims.Select(d => (uint)Math.Max(1, (d + 1) / 2)).ToArray(), fileDims: fileDims,
                    datasetCreation: new H5DatasetCreation(Filters: new List<H5Filter> { ShuffleFilter.Id, DeflateFilter.Id }))
                : new H5Dataset(data, fileDims: fileDims);
            ds.Attributes["MATLAB_class"] = v.MatlabClass;
            file[v.Name] = ds;
        }
        var stream = new MemoryStream();
        file.Write(stream, new H5WriteOptions(UserBlockSize: 512, DefaultStringLength: fixedStringLength));
        var bytes = stream.ToArray();
        // MATLAB's 128-byte header at the start of the user block (text, subsystem offset, version 0x0200, 'IM').
        Encoding.ASCII.GetBytes("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Nov 23 00:00:00 2026 HDF5 schema 1.00 .".PadRight(116)).CopyTo(bytes, 0);
        bytes[124] = 0x00;
        bytes[125] = 0x02;
        bytes[126] = (byte)'I';
        bytes[127] = (byte)'M';
        return bytes;
    }

    /// <summary>x[i, j, k] = 100 i + 10 j + k over dims, stored column-major.</summary>
    private static double[] Indexed(int d0, int d1, int d2)
    {
        var column = new double[d0 * d1 * d2];
        for (int k = 0, c = 0; k < d2; k++)
            for (int j = 0; j < d1; j++)
                for (int i = 0; i < d0; i++) column[c++] = 100 * i + 10 * j + k;
        return column;
    }

    private static string TempFile(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"sk-mat73-{Guid.NewGuid():N}.mat");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("double", false, 0)]
    [InlineData("single", false, 6)]
    [InlineData("int32", true, 0)]
    [InlineData("double", true, 8)]
    public void ReadsArraysInRowMajorOrderLikeLevel5(string cls, bool chunked, int fixedStrings)
    {
        var bytes = WriteMat73(new[]
        {
            new Var("x", new[] { 2, 3, 4 }, Indexed(2, 3, 4), cls, chunked),
            new Var("y", new[] { 1, 3 }, new[] { 1.5, -2, 3 }),
        }, fixedStrings);
        Assert.Equal(0x02, bytes[125]);
        var vars = MatFile.Read(bytes);
        Assert.Equal(new[] { 2, 3, 4 }, vars["x"].Dimensions);
        var x = vars["x"].Data;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) Assert.Equal(100 * i + 10 * j + k, x[(i * 3 + j) * 4 + k]);
        Assert.Equal(new[] { 1, 3 }, vars["y"].Dimensions);
        Assert.Equal(new[] { 1.5, -2, 3 }, vars["y"].Data);
    }

    [Fact]
    public void ReadsNamedVariablesAndLeadingSamplesFromDisk()
    {
        string path = TempFile(WriteMat73(new[]
        {
            new Var("u", new[] { 5, 3, 2 }, Indexed(5, 3, 2), "single", Chunked: true),
            new Var("other", new[] { 1, 1 }, new[] { 7.0 }),
        }));
        try
        {
            var vars = MatFile.Read(path, new[] { "u" }, leading: 2);
            Assert.Single(vars);
            var u = vars["u"];
            Assert.Equal(new[] { 2, 3, 2 }, u.Dimensions);
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    for (int k = 0; k < 2; k++) Assert.Equal(100 * i + 10 * j + k, u.Data[(i * 3 + j) * 2 + k]);
            Assert.Equal(new[] { 5, 3, 2 }, MatFile.Read(path, new[] { "u" }, leading: 99)["u"].Dimensions);
            Assert.Equal(2, MatFile.Read(path).Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingAndNonNumericVariablesGiveClearErrors()
    {
        string path = TempFile(WriteMat73(new[]
        {
            new Var("a", new[] { 2, 2 }, new double[] { 1, 2, 3, 4 }),
            new Var("label", new[] { 1, 3 }, new double[] { 'a', 'b', 'c' }, "char"),
        }, fixedStringLength: 7));
        try
        {
            Assert.Equal(new[] { "a" }, MatFile.Read(path).Keys); // listing skips the char array
            var missing = Assert.Throws<MatFileException>(() => MatFile.Read(path, new[] { "b" }));
            Assert.Contains("no variable 'b'", missing.Message);
            Assert.Contains("found: a", missing.Message);
            var text = Assert.Throws<MatFileException>(() => MatFile.Read(path, new[] { "label" }));
            Assert.Contains("MATLAB char array", text.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The libhdf5-written fixture (see Fixtures/make_mat73_fixture.py): superblock 0, v1 B-tree chunk index, gzip.</summary>
    internal static string FixturePath([CallerFilePath] string thisFile = "")
    {
        string next = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "Fixtures", "matlab73_small.mat");
        if (File.Exists(next)) return next;
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "SciKernels.Tests", "Data", "Fixtures", "matlab73_small.mat");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("matlab73_small.mat not found next to the tests.", next);
    }

    [Fact]
    public void ReadsAFileWrittenByLibhdf5()
    {
        string path = FixturePath();
        var all = MatFile.Read(path);
        Assert.Equal(new[] { "a", "coeff", "n", "sol", "u" }, all.Keys.Order().ToArray()); // the char array is skipped
        Assert.Equal(new[] { 1, 1 }, all["n"].Dimensions);
        Assert.Equal(42, all["n"].Data[0]);
        var ns = NavierStokesDataset.FromMatFile(path);
        Assert.Equal((3, 8, 2), (ns.Count, ns.Resolution, ns.SnapshotCount));
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++)
                {
                    int at = (c * 8 + i) * 8 + j;
                    Assert.Equal(c + 0.25 * i - 0.125 * j, ns.Inputs[at]);
                    for (int t = 0; t < 2; t++) Assert.Equal(10 * c + i + 0.5 * j + 0.25 * t, ns.Snapshots[at * 2 + t]);
                }
        var first = MatFile.Read(path, new[] { "u" }, leading: 1)["u"];
        Assert.Equal(new[] { 1, 8, 8, 2 }, first.Dimensions);
        Assert.Equal(ns.Snapshots.AsSpan(0, 128).ToArray(), first.Data);
        var darcy = DarcyDataset.FromMatFile(path, 5);
        Assert.Equal(1 + 3, darcy.Inputs[25 + 3 * 5 + 4]);
        Assert.Equal(10 + 4, darcy.Targets[25 + 3 * 5 + 4]);
        Assert.Contains("MATLAB char array", Assert.Throws<MatFileException>(() => MatFile.Read(path, new[] { "label" })).Message);
    }

    [Fact]
    public void TruncatedAndGarbageFilesAreRejected()
    {
        var good = WriteMat73(new[] { new Var("x", new[] { 4, 8, 8 }, Indexed(4, 8, 8), Chunked: true), new Var("y", new[] { 20, 20 }, new double[400]) });
        var candidates = new List<byte[]>();
        foreach (int length in new[] { 520, 560, 700, good.Length / 2, good.Length - 40 })
            candidates.Add(good.AsSpan(0, length).ToArray());
        var rng = new System.Random(5);
        for (int trial = 0; trial < 4; trial++)
        {
            var garbage = (byte[])good.Clone();
            rng.NextBytes(garbage.AsSpan(520 + trial * 8, garbage.Length - 520 - trial * 8));
            candidates.Add(garbage);
        }
        // The libhdf5 layout (superblock 0, v1 B-trees) cut at every 1 KiB.
        var fixture = File.ReadAllBytes(FixturePath());
        for (int length = 1024; length < fixture.Length; length += 1024) candidates.Add(fixture.AsSpan(0, length).ToArray());
        foreach (var bytes in candidates)
        {
            var e = Assert.Throws<MatFileException>(() => MatFile.Read(bytes, "bad.mat"));
            Assert.Contains("bad.mat", e.Message);
        }
        // Dimensions claiming 2^26 × 5 × 5 doubles (5 GiB in a 12 KiB file): refused before any allocation.
        var absurd = (byte[])fixture.Clone();
        var dims = new byte[24];
        BitConverter.GetBytes(5UL).CopyTo(dims, 0);
        BitConverter.GetBytes(5UL).CopyTo(dims, 8);
        BitConverter.GetBytes(2UL).CopyTo(dims, 16);
        int at = absurd.AsSpan().IndexOf(dims);
        Assert.True(at > 512);
        BitConverter.GetBytes(1UL << 26).CopyTo(absurd, at + 16);
        Assert.Contains("claims", Assert.Throws<MatFileException>(() => MatFile.Read(absurd, "huge.mat")).Message);
        // A plain HDF5 file (no MATLAB header) is named as such.
        var plain = good.AsSpan(512).ToArray();
        Assert.Contains("plain HDF5", Assert.Throws<MatFileException>(() => MatFile.Read(plain)).Message);
    }

    /// <summary>
    /// Bytes of the libhdf5 fixture where one changed byte used to make PureHDF 2.2.0 allocate 1.3–2 GB before failing
    /// (found by setting each byte after the user block in turn to 0xFF, 0x7F, 0x80, and flipping bits 0, 4 and 6,
    /// counting each read's allocation): the high byte of a 4-byte size (0x10, 0x40, 0x7F there) or an attribute
    /// dataspace's rank (bit 0 flipped: dimensions are then read from the bytes that follow).
    /// </summary>
    public static TheoryData<string, int[], byte[]> AllocatingBytes() => new()
    {
        { "local heap data segment size", [1203], [0x10, 0x40, 0x7F] },
        { "fill value size", [1439, 7295, 11263, 11535, 11783, 12055], [0x10, 0x40, 0x7F] },
        // the stored size of every chunk in the v1 B-trees of 'a' (keys 48 bytes apart) and 'u' (56 bytes apart)
        { "chunk sizes of 'a'", Enumerable.Range(0, 12).Select(i => 1939 + 48 * i).ToArray(), [0x10, 0x40, 0x7F] },
        { "chunk sizes of 'u'", Enumerable.Range(0, 24).Select(i => 7451 + 56 * i).ToArray(), [0x10, 0x40, 0x7F] },
        { "MATLAB_class datatype size", [5087, 11119, 11335, 11607, 11855, 12127], [0x10, 0x40, 0x7F] },
        { "MATLAB_class dataspace rank", [5089, 11121, 11337, 11609], [0x01] },
    };

    [Theory]
    [MemberData(nameof(AllocatingBytes))]
    public void CorruptSizeFieldsAreRefusedBeforeAllocating(string field, int[] offsets, byte[] values)
    {
        var fixture = File.ReadAllBytes(FixturePath());
        foreach (int at in offsets)
            foreach (byte v in values)
            {
                var bytes = (byte[])fixture.Clone();
                bytes[at] = v == 0x01 ? (byte)(bytes[at] ^ 1) : v;
                Assert.NotEqual(fixture[at], bytes[at]);
                AssertRefusedWithinBoundedAllocation(bytes, $"{field}: byte {at} := 0x{bytes[at]:X2}");
            }
    }

    /// <summary>Reading <paramref name="bytes"/> throws a <see cref="MatFileException"/> naming the file, having allocated under 64 MB.</summary>
    private static MatFileException AssertRefusedWithinBoundedAllocation(byte[] bytes, string what)
    {
        Exception? thrown = null;
        long allocated = 0;
        // a thread of its own, so the counter sees only this read
        var worker = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { MatFile.Read(bytes, "corrupt.mat"); }
            catch (Exception e) { thrown = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        worker.Start();
        worker.Join();
        var e = Assert.IsType<MatFileException>(thrown);
        Assert.Contains("corrupt.mat", e.Message);
        Assert.True(allocated < 64 << 20, $"{what} allocated {allocated} bytes ({e.Message})");
        return e;
    }

    [Theory]
    [InlineData(0x01)] // PureHDF 2.2.0 allocated 67 MB
    [InlineData(0x10)] // 1 GB
    public void CorruptFixedArrayEntryCountIsRefusedBeforeAllocating(byte flip)
    {
        // PureHDF writes layout version 4 with a fixed-array chunk index; its header's entry count (8 bytes at +8)
        // sized PureHDF's entry array. Byte 4 of it, flipped, asks for 2^32 or 2^36 more entries.
        var bytes = WriteMat73(new[] { new Var("x", new[] { 4, 8, 8 }, Indexed(4, 8, 8), Chunked: true) });
        int at = bytes.AsSpan().IndexOf("FAHD"u8);
        Assert.True(at > 512, "no fixed array header in the PureHDF-written file");
        bytes[at + 12] ^= flip;
        var e = AssertRefusedWithinBoundedAllocation(bytes, $"fixed array entry count ^ 0x{flip:X2}");
        Assert.Contains("variable 'x'", e.Message);
    }

    [Fact]
    public void ChunkDimensionPastDeflatesRatioIsRefused()
    {
        // byte 2 of the first chunk dimension of 'u' (1 → 131073): 12 chunks of 8.4 MB decoded from ~100 stored
        // bytes each; PureHDF 2.2.0 allocated 100 MB before failing
        var bytes = File.ReadAllBytes(FixturePath());
        bytes[7381] ^= 0x02;
        var e = AssertRefusedWithinBoundedAllocation(bytes, "chunk dimension of 'u'");
        Assert.Contains("variable 'u'", e.Message);
    }

    [Fact]
    public void AttributeNameWithAnEarlyNulIsRefused()
    {
        // PureHDF reads an attribute name up to its first NUL, whatever the declared size, then decodes the
        // datatype and dataspace from the name's bytes: "M\x01\0\x10…" made it allocate 1.9 GB
        var bytes = WriteMat73(new[] { new Var("x", new[] { 4, 8, 8 }, Indexed(4, 8, 8), Chunked: true) });
        int at = bytes.AsSpan().IndexOf("MATLAB_class"u8);
        Assert.True(at > 512);
        BitConverter.GetBytes(1048577).CopyTo(bytes, at + 1);
        var e = AssertRefusedWithinBoundedAllocation(bytes, "attribute name");
        Assert.Contains("has a name of 3 bytes declared as 13", e.Message);
    }

    [Fact]
    public void SoftLinksAreRefusedBeforePureHdfFollowsThem()
    {
        // PureHDF follows soft links while listing the root group: a link to itself recursed until the process died
        var file = new H5File { ["x"] = new H5Dataset(new double[] { 1, 2 }, fileDims: new ulong[] { 2 }), ["loop"] = new H5SoftLink("/loop") };
        var stream = new MemoryStream();
        file.Write(stream, new H5WriteOptions(UserBlockSize: 512));
        var bytes = stream.ToArray();
        Encoding.ASCII.GetBytes("MATLAB 7.3 MAT-file".PadRight(116)).CopyTo(bytes, 0);
        bytes[125] = 0x02;
        bytes[126] = (byte)'I';
        bytes[127] = (byte)'M';
        Exception? thrown = null;
        var worker = new Thread(() =>
        {
            try { MatFile.Read(bytes, "links.mat"); }
            catch (Exception e) { thrown = e; }
        }, 1 << 20); // a small stack: a recursion would end the test run quickly rather than pass
        worker.Start();
        worker.Join();
        var e = Assert.IsType<MatFileException>(thrown);
        Assert.Contains("'loop' is a soft link", e.Message);
    }

    [Fact]
    public void NavierStokesAndDarcyReadTheirV73Files()
    {
        // Paper layout: a [N, S, S], u [N, S, S, T] with a[c, i, j] = c + i, u[c, i, j, t] = 10 c + j + 0.5 t.
        int n = 3, big = 8, T = 2;
        var a = new double[n * big * big];
        var u = new double[n * big * big * T];
        for (int t = 0, at = 0; t < T; t++)
            for (int j = 0; j < big; j++)
                for (int i = 0; i < big; i++)
                    for (int c = 0; c < n; c++, at++)
                    {
                        if (t == 0) a[at] = c + i;
                        u[at] = 10 * c + j + 0.5 * t;
                    }
        string path = TempFile(WriteMat73(new[] { new Var("a", new[] { n, big, big }, a, "single", true), new Var("u", new[] { n, big, big, T }, u, "single", true) }));
        try
        {
            var d = NavierStokesDataset.FromMatFile(path, count: 2, resolution: 4);
            Assert.Equal(2, d.Count);
            Assert.Equal(4, d.Resolution);
            Assert.Equal(T, d.SnapshotCount);
            // c = 1, (i, j) = (3, 2) → fine (6, 4)
            Assert.Equal(1 + 6, d.Inputs[16 + 3 * 4 + 2]);
            Assert.Equal(10 + 4 + 0.5, d.Snapshots[(16 + 3 * 4 + 2) * T + 1]);
            Assert.Throws<MatFileException>(() => NavierStokesDataset.FromMatFile(path, resolution: 3));
            Assert.Throws<MatFileException>(() => DarcyDataset.FromMatFile(path, 5)); // no coeff/sol
        }
        finally
        {
            File.Delete(path);
        }
        int s = 9;
        var coeff = new double[2 * s * s];
        var sol = new double[coeff.Length];
        for (int j = 0, at = 0; j < s; j++)
            for (int i = 0; i < s; i++)
                for (int c = 0; c < 2; c++, at++)
                {
                    coeff[at] = c + i;
                    sol[at] = 10 * c + j;
                }
        path = TempFile(WriteMat73(new[] { new Var("coeff", new[] { 2, s, s }, coeff), new Var("sol", new[] { 2, s, s }, sol) }));
        try
        {
            var d = DarcyDataset.FromMatFile(path, 5);
            Assert.Equal(1 + 2 * 3, d.Inputs[25 + 3 * 5 + 4]);
            Assert.Equal(10 + 2 * 4, d.Targets[25 + 3 * 5 + 4]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
