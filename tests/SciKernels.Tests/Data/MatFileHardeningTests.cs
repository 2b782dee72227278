using System.Buffers.Binary;
using System.IO.Compression;
using SciKernels.Data;
using Xunit;

namespace SciKernels.Tests.Data;

/// <summary>Regressions of the MAT readers' reliability defects: nested compression, zlib bombs, overflowing dimensions, oversized HDF5 chunks.</summary>
public class MatFileHardeningTests
{
    private static readonly byte[] Header = MatFileTests.WriteMat([], compress: false); // the 128-byte file header alone

    private static byte[] Element(int type, byte[] payload, bool pad = true)
    {
        var e = new byte[8 + payload.Length + (pad ? (8 - payload.Length % 8) % 8 : 0)];
        BinaryPrimitives.WriteInt32LittleEndian(e, type);
        BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(4), payload.Length);
        payload.CopyTo(e, 8);
        return e;
    }

    private static byte[] Zlib(byte[] data)
    {
        var zipped = new MemoryStream();
        using (var z = new ZLibStream(zipped, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(data);
        return zipped.ToArray();
    }

    private static byte[] File(params byte[][] elements) => [.. Header, .. elements.SelectMany(e => e)];

    private static MatFileException ReadFails(byte[] bytes, string source, long maxAllocation)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<MatFileException>(() => MatFile.Read(bytes, source));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= maxAllocation, $"{source}: {bytes.Length}-byte file allocated {allocated} bytes");
        Assert.Contains(source, e.Message);
        return e;
    }

    [Fact]
    public void NestedCompression_IsRejectedWithoutRecursion_OnASmallStack()
    {
        byte[] inner = MatFileTests.WriteMat([("x", [1, 2], [1.0, 2.0])], compress: true)[128..];
        for (int level = 0; level < 2000; level++) inner = Element(15, Zlib(inner), pad: false);
        byte[] file = File(inner);
        MatFileException? caught = null;
        // The old reader recursed once per level: a thread with a 256 KiB stack overflowed (killing the process).
        var thread = new Thread(() => caught = Assert.Throws<MatFileException>(() => MatFile.Read(file, "nested.mat")), 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.NotNull(caught);
        Assert.Contains("nested compression", caught!.Message);
        Assert.Contains("nested.mat", caught.Message);
    }

    [Fact]
    public void ZlibBombs_AreRejectedWithBoundedAllocation()
    {
        // 64 MiB of zeros deflate to ~64 KiB; the old reader inflated all of it and accepted the file as empty.
        byte[] zeros = Zlib(new byte[64 << 20]);
        var e = ReadFails(File(Element(15, zeros, pad: false)), "bomb.mat", 1 << 20);
        Assert.Contains("inflates to more than", e.Message);
        // A matrix tag that declares far more than zlib can expand the payload to is refused before inflating.
        byte[] lying = new byte[64 << 10];
        BinaryPrimitives.WriteInt32LittleEndian(lying, 14);
        BinaryPrimitives.WriteInt32LittleEndian(lying.AsSpan(4), int.MaxValue - 64);
        ReadFails(File(Element(15, Zlib(lying), pad: false)), "lying.mat", 1 << 20);
        // A matrix tag that declares more than the stream holds: truncated, and the buffer only grew with the data.
        byte[] shortStream = Zlib(lying);
        BinaryPrimitives.WriteInt32LittleEndian(lying.AsSpan(4), 1000 * shortStream.Length);
        e = ReadFails(File(Element(15, Zlib(lying), pad: false)), "short.mat", 4L * lying.Length + (1 << 20));
        Assert.Contains("declares", e.Message);
    }

    [Fact]
    public void DimensionsWhoseProductOverflows_AreRejected()
    {
        // 65536^4 = 2^64 wraps to 0 in 64-bit arithmetic: the old reader returned an empty array.
        byte[] file = MatFileTests.WriteMat([("x", [65536, 65536, 65536, 65536], [])], compress: false);
        Assert.Contains("overflows", ReadFails(file, "wrap.mat", 1 << 20).Message);
        Assert.Contains("overflows", ReadFails(MatFileTests.WriteMat([("y", [int.MaxValue, 3], [])], compress: true), "big.mat", 1 << 20).Message);
        // A zero dimension makes any other dimension legal.
        var empty = MatFile.Read(MatFileTests.WriteMat([("z", [0, int.MaxValue, int.MaxValue], [])], compress: false));
        Assert.Empty(empty["z"].Data);
    }

    [Fact]
    public void ReadsACompressedFileWrittenByScipy()
    {
        // Fixtures/make_mat5_fixture.py: scipy.io.savemat(do_compression=True), one miCOMPRESSED element per variable.
        string path = Path.Combine(Path.GetDirectoryName(MatFile73Tests.FixturePath())!, "scipy_v5_compressed.mat");
        var vars = MatFile.Read(path);
        Assert.Equal(["big", "n", "s", "x"], vars.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2, 3, 4], vars["x"].Dimensions);
        Assert.Equal(Enumerable.Range(0, 24).Select(v => v * 0.5 - 3), vars["x"].Data);
        Assert.Equal([1.5, -2.0, 3.25], vars["s"].Data);
        Assert.Equal([7.0, -8, 9, 10], vars["n"].Data);
        Assert.Equal(64 * 64, vars["big"].Data.Count(v => v == 0));
    }

    [Fact]
    public void OversizedHdf5Chunks_AreRejectedBeforeAllocating()
    {
        // Every single-byte change of the libhdf5 fixture's HDF5 data (to 0xFF, the one that made the chunk reader ask
        // for 1.6 GB) either reads or fails with a MatFileException naming the file, within a bounded allocation.
        byte[] fixture = System.IO.File.ReadAllBytes(MatFile73Tests.FixturePath());
        long limit = 1100L * fixture.Length + (16 << 20);
        for (int at = 512; at < fixture.Length; at += 11)
        {
            byte[] bytes = (byte[])fixture.Clone();
            bytes[at] = 0xFF;
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { MatFile.Read(bytes, "edited.mat"); }
            catch (MatFileException e) { Assert.Contains("edited.mat", e.Message); }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= limit, $"byte {at} = 0xFF: allocated {allocated} bytes for a {fixture.Length}-byte file");
        }
    }
}
