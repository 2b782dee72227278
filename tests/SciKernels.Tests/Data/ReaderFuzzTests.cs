using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using SciKernels.Data;
using SciKernels.IO;
using Xunit;
using Xunit.Abstractions;

namespace SciKernels.Tests.Data;

/// <summary>
/// Time-bounded mutation fuzzing of the file readers (safetensors, MAT v5, MAT v7.3, extended XYZ): valid files get
/// bit flips, byte overwrites, truncations, insertions and edits of 4- and 8-byte length fields. Every input must
/// read or fail with the reader's documented format exception naming the file, finish within a timeout, and
/// allocate at most the stated bound. Seeds are fixed; each test stops after its input count or time budget.
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PerInputTimeout = TimeSpan.FromSeconds(20);
    private const int MaxInputs = 2000;

    private readonly string _dir = Directory.CreateTempSubdirectory("scikernels-fuzz-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private static readonly long[] Interesting =
        [0, 1, 7, 8, 255, 256, 65535, 65536, int.MaxValue, (long)int.MaxValue + 1, uint.MaxValue, 1L << 40, long.MaxValue, -1, -8];

    /// <summary>One mutation of <paramref name="valid"/>; <paramref name="what"/> describes it for the failure message.</summary>
    internal static byte[] Mutate(byte[] valid, System.Random rng, out string what)
    {
        byte[] b = (byte[])valid.Clone();
        switch (rng.Next(6))
        {
            case 0:
            {
                int flips = 1 + rng.Next(4);
                var sb = new StringBuilder("bit flips at");
                for (int k = 0; k < flips; k++)
                {
                    int at = rng.Next(b.Length), bit = rng.Next(8);
                    b[at] ^= (byte)(1 << bit);
                    sb.Append(' ').Append(at).Append('.').Append(bit);
                }
                what = sb.ToString();
                return b;
            }
            case 1:
            {
                int at = rng.Next(b.Length);
                byte v = (byte)(rng.Next(4) switch { 0 => 0, 1 => 0xFF, 2 => 0x7F, _ => 0x80 });
                b[at] = v;
                what = $"byte {at} := 0x{v:X2}";
                return b;
            }
            case 2:
            {
                int length = rng.Next(b.Length);
                what = $"truncated to {length} bytes";
                return b[..length];
            }
            case 3:
            {
                // A length field: a little-endian integer at an aligned offset set to an extreme value.
                int width = rng.Next(2) == 0 ? 4 : 8;
                int at = rng.Next(Math.Max(1, b.Length / width)) * width;
                if (at + width > b.Length) at = b.Length - width;
                long v = Interesting[rng.Next(Interesting.Length)] + (rng.Next(3) - 1);
                if (width == 4) BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(at), unchecked((int)v));
                else BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(at), v);
                what = $"{width}-byte field at {at} := {v}";
                return b;
            }
            case 4:
            {
                int at = rng.Next(b.Length), count = 1 + rng.Next(16);
                what = $"{count} random bytes inserted at {at}";
                var extra = new byte[count];
                rng.NextBytes(extra);
                return [.. b.AsSpan(0, at), .. extra, .. b.AsSpan(at)];
            }
            default:
            {
                int at = rng.Next(b.Length), count = Math.Min(1 + rng.Next(16), b.Length - at);
                what = $"{count} bytes removed at {at}";
                return [.. b.AsSpan(0, at), .. b.AsSpan(at + count)];
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> on mutations of <paramref name="valid"/> (seeded) until <see cref="MaxInputs"/> or
    /// the time budget; each input on its own thread so a hang is reported, not waited out.
    /// </summary>
    private void Fuzz(string reader, byte[] valid, int seed, Action<byte[]> read, Func<Exception, bool> documented,
        Func<byte[], long> allocationLimit)
    {
        var rng = new System.Random(seed);
        var clock = Stopwatch.StartNew();
        int inputs = 0, failures = 0;
        long maxAllocated = 0;
        while (inputs < MaxInputs && (clock.Elapsed < Budget || inputs < 20))
        {
            byte[] input = Mutate(valid, rng, out string what);
            inputs++;
            Exception? thrown = null;
            long allocated = 0;
            var worker = new Thread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { read(input); }
                catch (Exception e) { thrown = e; }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }, 16 << 20) { IsBackground = true };
            worker.Start();
            Assert.True(worker.Join(PerInputTimeout), $"{reader} seed {seed}: input {inputs} ({what}) did not finish within {PerInputTimeout.TotalSeconds} s");
            if (thrown is not null && !documented(thrown))
                Assert.Fail($"{reader} seed {seed}: input {inputs} ({what}) threw an undocumented {thrown.GetType().Name}: {thrown}");
            long limit = allocationLimit(input);
            Assert.True(allocated <= limit, $"{reader} seed {seed}: input {inputs} ({what}) of {input.Length} bytes allocated {allocated} bytes (limit {limit})");
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (thrown is not null) failures++;
        }
        output.WriteLine($"{reader} seed {seed}: {inputs} inputs ({failures} rejected) in {clock.Elapsed.TotalSeconds:F1} s; largest allocation {maxAllocated} bytes for a {valid.Length}-byte file");
    }

    private string WriteInput(byte[] bytes, string name)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // ------------------------------------------------------------------ safetensors

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SafeTensors(int seed)
    {
        byte[] valid = File.ReadAllBytes(SciKernels.Tests.IO.SafeTensorsDTypeTests.FixturePath("dtypes.safetensors"));
        string path = Path.Combine(_dir, "fuzz.safetensors");
        Fuzz("safetensors", valid, seed,
            input =>
            {
                File.WriteAllBytes(path, input);
                SafeTensorsDocument doc = SafeTensorsFile.Read(path);
                foreach (SafeTensorsEntry e in doc.Tensors)
                    if (e.IsConvertibleToReal) _ = e.ToDoubleArray();
            },
            e => e is SafeTensorsFormatException f && f.Message.Contains(path),
            // The file's bytes, the converted values (8 per element: ≤ 8× the data) and fixed overhead.
            input => 12L * input.Length + (1 << 20));
    }

    // ------------------------------------------------------------------ MAT v5

    private static byte[] ValidMat5(bool compress)
    {
        var column = Enumerable.Range(0, 24).Select(i => i * 0.5 - 3).ToArray();
        return MatFileTests.WriteMat([("x", [2, 3, 4], column), ("y", [1, 3], [1.5, -2, 3])], compress);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public void MatLevel5(int seed, bool compress)
    {
        string path = Path.Combine(_dir, "fuzz5.mat");
        Fuzz("MAT v5", ValidMat5(compress), seed,
            input =>
            {
                File.WriteAllBytes(path, input);
                MatFile.Read(path);
            },
            e => e is MatFileException m && m.Message.Contains(path),
            // Inflated data is bounded by zlib's 1100:1 ratio; values are widened to double twice (column, row-major).
            input => 16L * 1100 * input.Length + (1 << 20));
    }

    [Fact]
    public void MatLevel5WrittenByScipy()
    {
        // Compressed numeric, struct, cell and char variables (Fixtures/make_mat5_fixture.py).
        byte[] valid = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(MatFile73Tests.FixturePath())!, "scipy_v5_compressed.mat"));
        string path = Path.Combine(_dir, "fuzz5s.mat");
        Fuzz("MAT v5 (scipy)", valid, 4,
            input =>
            {
                File.WriteAllBytes(path, input);
                MatFile.Read(path);
            },
            e => e is MatFileException m && m.Message.Contains(path),
            input => 16L * 1100 * input.Length + (1 << 20));
    }

    // ------------------------------------------------------------------ MAT v7.3 (HDF5)

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MatV73(int seed)
    {
        byte[] valid = File.ReadAllBytes(MatFile73Tests.FixturePath());
        string path = Path.Combine(_dir, "fuzz73.mat");
        Fuzz("MAT v7.3", valid, seed,
            input =>
            {
                File.WriteAllBytes(path, input);
                MatFile.Read(path);
            },
            e => e is MatFileException m && m.Message.Contains(path),
            // Chunked data may expand 1100:1; values are widened to double (twice: column-major, then row-major).
            // The metadata PureHDF sizes buffers from is checked first (Hdf5Precheck), so nothing else is large.
            input => 16L * 1100 * input.Length + (16 << 20));
    }

    // ------------------------------------------------------------------ extended XYZ

    private const string XyzFrame =
        "3\n" +
        "Lattice=\"3.0 0.0 0.0 0.5 3.0 0.0 0.0 0.2 3.0\" Properties=species:S:1:pos:R:3:forces:R:3:tag:I:1 energy=-1.5 comment=\"two words\" pbc=\"T F T\"\n" +
        "H        0.10000000       0.20000000       0.30000000  1 2 3 7\n" +
        "H        1.10000000       0.20000000       0.30000000  4 5 6 8\n" +
        "O        0.60000000       0.90000000      -0.30000000  7 8 9 9\n";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ExtendedXyzReader(int seed)
    {
        byte[] valid = Encoding.ASCII.GetBytes(XyzFrame + XyzFrame.Replace("energy=-1.5", "energy=2e3"));
        string path = Path.Combine(_dir, "fuzz.extxyz");
        Fuzz("extended XYZ", valid, seed,
            input =>
            {
                File.WriteAllBytes(path, input);
                ExtendedXyz.Read(path);
            },
            e => e is ExtendedXyzFormatException x && x.Message.Contains(path),
            // Text (UTF-16: 2×), tokens and per-atom arrays: a small multiple of the file.
            input => 64L * input.Length + (1 << 20));
    }

    [Fact]
    public void Mutations_AreDeterministic()
    {
        byte[] valid = ValidMat5(compress: true);
        var a = new System.Random(9);
        var b = new System.Random(9);
        for (int k = 0; k < 50; k++) Assert.Equal(Mutate(valid, a, out string wa), Mutate(valid, b, out string wb));
    }
}
