using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using SciKernels.IO;
using SciKernels.Training;
using Xunit;

namespace SciKernels.Tests.IO;

/// <summary>
/// The narrow and integer safetensors dtypes: bit-exact decodings, a fixture written by an independent Python
/// writer (Fixtures/make_dtype_fixture.py), per-entry loading in <see cref="Checkpoint.LoadTensors"/>, F16/BF16
/// writing, leftover temp files of atomic writes, and the allocation of a large legal header.
/// </summary>
public sealed class SafeTensorsDTypeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scikernels-stdtype-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    internal static string FixturePath(string name, [CallerFilePath] string thisFile = "")
    {
        string next = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "Fixtures", name);
        if (File.Exists(next)) return next;
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "SciKernels.Tests", "IO", "Fixtures", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{name} not found next to the tests.", next);
    }

    private static void AssertSameBits(float expected, float actual, string what) =>
        Assert.True(float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"{what}: expected {expected} got {actual}");

    // ------------------------------------------------------------------ decode tables, all 256 codes

    [Fact]
    public void E5M2_IsTheUpperByteOfAHalf_OnAll256Codes()
    {
        for (int code = 0; code < 256; code++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)(code << 8));
            AssertSameBits(expected, SafeTensorsFloat.F8E5M2ToSingle((byte)code), $"E5M2 0x{code:X2}");
        }
        Assert.Equal(57344f, SafeTensorsFloat.F8E5M2ToSingle(0x7B));
        Assert.Equal(float.PositiveInfinity, SafeTensorsFloat.F8E5M2ToSingle(0x7C));
        Assert.Equal(MathF.Pow(2, -16), SafeTensorsFloat.F8E5M2ToSingle(0x01));
    }

    [Fact]
    public void E4M3FN_MatchesItsDefinition_OnAll256Codes()
    {
        int nans = 0;
        for (int code = 0; code < 256; code++)
        {
            float v = SafeTensorsFloat.F8E4M3ToSingle((byte)code);
            int e = (code >> 3) & 15, m = code & 7;
            if (e == 15 && m == 7) { Assert.True(float.IsNaN(v)); nans++; continue; }
            // Every non-NaN code is finite, carries its sign bit, and the positive codes are strictly increasing.
            Assert.True(float.IsFinite(v));
            Assert.Equal((code & 0x80) != 0, float.IsNegative(v));
            if ((code & 0x7F) > 0 && (code & 0x80) == 0) Assert.True(v > SafeTensorsFloat.F8E4M3ToSingle((byte)(code - 1)));
            // A value times 2^9 is the integer (8 + m) << (e − 1) for normals and m for subnormals.
            double scaled = Math.Abs(v) * 512.0;
            Assert.Equal(e == 0 ? m : (8 + m) << (e - 1), scaled);
        }
        Assert.Equal(2, nans);
        Assert.Equal(448f, SafeTensorsFloat.F8E4M3ToSingle(0x7E));
        Assert.Equal(-448f, SafeTensorsFloat.F8E4M3ToSingle(0xFE));
        Assert.Equal(MathF.Pow(2, -9), SafeTensorsFloat.F8E4M3ToSingle(0x01));
        Assert.Equal(1f, SafeTensorsFloat.F8E4M3ToSingle(0x38));
        Assert.True(float.IsNegative(SafeTensorsFloat.F8E4M3ToSingle(0x80)));
    }

    [Fact]
    public void E8M0_IsAPowerOfTwo()
    {
        for (int code = 0; code < 255; code++) Assert.Equal(Math.ScaleB(1.0, code - 127), SafeTensorsFloat.F8E8M0ToSingle((byte)code));
        Assert.True(float.IsNaN(SafeTensorsFloat.F8E8M0ToSingle(0xFF)));
    }

    [Fact]
    public void BFloat16_RoundsToNearestEven_AndDecodesExactly()
    {
        var rng = new System.Random(11);
        for (int i = 0; i < 20000; i++)
        {
            float x = BitConverter.Int32BitsToSingle(rng.Next() ^ (rng.Next(2) << 31));
            ushort b = SafeTensorsFloat.SingleToBFloat16(x);
            float y = SafeTensorsFloat.BFloat16ToSingle(b);
            if (float.IsNaN(x)) { Assert.True(float.IsNaN(y)); continue; }
            // y is one of the two bfloat16 neighbours of x, the nearer one (ties to an even mantissa).
            uint bits = BitConverter.SingleToUInt32Bits(x);
            float down = BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000), up = BitConverter.UInt32BitsToSingle((bits & 0xFFFF0000) + 0x10000);
            // Above the largest finite bfloat16 the next step is 2^128, which rounds to ∞.
            double upValue = float.IsInfinity(up) ? Math.CopySign(Math.ScaleB(1.0, 128), up) : up;
            double dDown = Math.Abs((double)x - down), dUp = Math.Abs((double)x - upValue);
            float expected = dDown < dUp ? down : dUp < dDown ? up : ((bits >> 16) & 1) == 0 ? down : up;
            if (float.IsNaN(up)) expected = down; // the next pattern above the largest finite value is NaN only for |x| ≥ inf
            AssertSameBits(expected, y, $"bf16({x:R})");
        }
        Assert.Equal(0x3F80, SafeTensorsFloat.SingleToBFloat16(1f));
        Assert.Equal(0x3F80, SafeTensorsFloat.SingleToBFloat16(BitConverter.UInt32BitsToSingle(0x3F808000))); // tie → even
        Assert.Equal(0x3F82, SafeTensorsFloat.SingleToBFloat16(BitConverter.UInt32BitsToSingle(0x3F818000))); // tie → even (up)
    }

    // ------------------------------------------------------------------ the Python-written fixture

    [Fact]
    public void Fixture_EveryDTypeDecodesToThePythonValues()
    {
        SafeTensorsDocument doc = SafeTensorsFile.Read(FixturePath("dtypes.safetensors"));
        foreach (string name in new[] { "f16", "bf16", "f8_e4m3", "f8_e5m2" })
        {
            float[] expected = doc[name + ".expected"].ToArray<float>();
            float[] actual = doc[name].ToSingleArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++) AssertSameBits(expected[i], actual[i], $"{name}[{i}]");
            double[] wide = doc[name].ToDoubleArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal((double)expected[i], wide[i]);
        }
        Assert.Equal(256, doc["f8_e4m3"].ElementCount);
        Assert.Equal(new double[] { -128, -1, 0, 127 }, doc["i8"].ToDoubleArray());
        Assert.Equal(new double[] { 0, 1, 128, 255 }, doc["u8"].ToDoubleArray());
        Assert.Equal(new double[] { -32768, -2, 3, 32767 }, doc["i16"].ToDoubleArray());
        Assert.Equal(new double[] { int.MinValue, 5, int.MaxValue }, doc["i32"].ToDoubleArray());
        Assert.Equal(new double[] { 1, 0, 1, 1, 0 }, doc["bool"].ToDoubleArray());
        Assert.Equal(new[] { true, false, true, true, false }, doc["bool"].ToArray<bool>());
        Assert.Equal(new long[] { -9007199254740993, 42 }, doc["i64"].ToArray<long>());
        Assert.Equal(new[] { Math.PI, -1e300 }, doc["f64"].ToArray<double>());
        Assert.Equal(new[] { (float)Math.PI, float.NegativeInfinity }, doc["f64"].ToSingleArray());
        Assert.False(doc["c64"].IsConvertibleToReal);
        Assert.Throws<NotSupportedException>(() => doc["c64"].ToSingleArray());
        Assert.Equal([3000000000L, 0L], doc["empty_wide"].GetShape());
        // The writer rounds like the Python side (round to nearest even).
        float[] source = doc["bf16.source"].ToArray<float>();
        SafeTensorsEntry ours = SafeTensorsEntry.CreateHalfPrecision("bf16", SafeTensorsDType.BF16, source, 8);
        Assert.Equal(doc["bf16"].Data.ToArray(), ours.Data.ToArray());
        float[] f16Source = [1f, -2.5f, 65504f, 5.96e-8f, float.PositiveInfinity, -0f];
        Assert.Equal(doc["f16"].Data.ToArray(), SafeTensorsEntry.CreateHalfPrecision("f16", SafeTensorsDType.F16, f16Source, 2, 3).Data.ToArray());
    }

    [Fact]
    public void LoadTensors_OneUnsupportedEntryDoesNotFailTheCall_AndConvertsOnRequest()
    {
        string path = FixturePath("dtypes.safetensors");
        using (LoadedTensors raw = Checkpoint.LoadTensors(path))
        {
            // Native dtypes load as they are; the others are reported, not thrown.
            Assert.Equal(DType.Int64, raw["i64"].DType);
            Assert.Equal(DType.Float64, raw["f64"].DType);
            Assert.Equal(DType.Int32, raw["i32"].DType);
            Assert.False(raw.ContainsKey("f16"));
            Assert.Contains("F16", raw.Skipped["f16"]);
            Assert.Contains("convertTo", raw.Skipped["f16"]);
            Assert.Contains("3000000000", raw.Skipped["empty_wide"]);
            Assert.Contains("3000000000", Assert.Throws<KeyNotFoundException>(() => raw["empty_wide"]).Message);
            Assert.Equal(SafeTensorsDType.F16, raw.File["f16"].DType);
            Assert.Equal("pt", raw.Metadata["format"]);
        }
        using LoadedTensors converted = Checkpoint.LoadTensors(path, convertTo: DType.Float32);
        Assert.Equal(DType.Float32, converted["f16"].DType);
        Assert.Equal([2, 3], converted["f16"].Shape.ToArray());
        Assert.Equal(converted["f16.expected"].ToArray<float>(), converted["f16"].ToArray<float>());
        Assert.Equal(new float[] { -128, -1, 0, 127 }, converted["i8"].ToArray<float>());
        Assert.Equal(new float[] { 1, 0, 1, 1, 0 }, converted["bool"].ToArray<float>());
        Assert.Equal([16, 16], converted["f8_e4m3"].Shape.ToArray());
        Assert.Equal(DType.Int64, converted["i64"].DType); // native dtypes are not converted
        Assert.Equal(["c64", "empty_wide"], converted.Skipped.Keys.Order(StringComparer.Ordinal));
        Assert.Throws<ArgumentException>(() => Checkpoint.LoadTensors(path, convertTo: DType.Int32));
    }

    [Fact]
    public void SaveTensors_WritesF16AndBF16_ThatReadBackRounded()
    {
        string path = Path.Combine(_dir, "half.safetensors");
        float[] values = [1f, 1.0009765625f, -3.3f, 70000f, 1e-8f, float.NaN];
        using var x = Tensor.FromSpan<float>(values, [2, 3]);
        using var d = Tensor.FromSpan<double>([0.1, 0.2], [2]);
        using var i = Tensor.FromSpan<long>([7, 8], [2]);
        foreach (SafeTensorsDType storage in new[] { SafeTensorsDType.F16, SafeTensorsDType.BF16 })
        {
            Checkpoint.SaveTensors(path, [("x", x), ("d", d), ("i", i)], floatStorage: storage);
            SafeTensorsDocument doc = SafeTensorsFile.Read(path);
            Assert.Equal(storage, doc["x"].DType);
            Assert.Equal(storage, doc["d"].DType);
            Assert.Equal(SafeTensorsDType.I64, doc["i"].DType);
            float[] back = doc["x"].ToSingleArray();
            for (int k = 0; k < values.Length; k++)
            {
                float expected = storage == SafeTensorsDType.F16 ? (float)(Half)values[k]
                    : SafeTensorsFloat.BFloat16ToSingle(SafeTensorsFloat.SingleToBFloat16(values[k]));
                AssertSameBits(expected, back[k], $"{storage}[{k}]");
            }
            using LoadedTensors loaded = Checkpoint.LoadTensors(path, DType.Float64);
            Assert.Equal(DType.Float64, loaded["x"].DType);
        }
        Assert.Throws<ArgumentException>(() => Checkpoint.SaveTensors(path, [("x", x)], floatStorage: SafeTensorsDType.I8));
    }

    // ------------------------------------------------------------------ defect 10: large legal header

    [Fact]
    public void LargeLegalHeader_IsParsedWithBoundedAllocation()
    {
        // ~24 MB of header: 300 000 one-element tensors with long names (real sharded checkpoints have such headers).
        const int n = 300_000;
        var header = new StringBuilder(n * 96);
        header.Append('{');
        for (int k = 0; k < n; k++)
        {
            if (k > 0) header.Append(',');
            header.Append("\"model.encoder.layers.").Append(k).Append(".self_attention.output.dense.weight_scale\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[")
                .Append(4 * k).Append(',').Append(4 * k + 4).Append("]}");
        }
        header.Append('}');
        byte[] json = Encoding.UTF8.GetBytes(header.ToString());
        header.Clear();
        var file = new byte[8 + json.Length + 4 * n];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        json = [];
        long before = GC.GetAllocatedBytesForCurrentThread();
        SafeTensorsDocument doc = SafeTensorsFile.Deserialize(file, "large-header");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(n, doc.Count);
        // Names are kept (UTF-16: 2× their UTF-8 bytes) plus fixed per-entry objects: a small multiple of the file.
        Assert.True(allocated < 4L * file.Length, $"reading a {file.Length}-byte image allocated {allocated} bytes");
        doc = null!;
        // From a file, the header is streamed through a bounded window, not copied.
        string path = Path.Combine(_dir, "large-header.safetensors");
        File.WriteAllBytes(path, file);
        long fileLength = file.Length;
        file = [];
        GC.Collect();
        before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(n, SafeTensorsFile.Read(path).Count);
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4L * fileLength, $"reading a {fileLength}-byte file allocated {allocated} bytes");
    }

    // ------------------------------------------------------------------ defect 9: leftovers of killed writers

    [Fact]
    public void LeftoverTempFilesOfAKilledWriter_AreRemovedByTheNextWrite()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        // What a writer killed before its rename leaves: a full-size temp file with the writer's name pattern.
        string leftover = Path.Combine(_dir, $".model.safetensors.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(leftover, new byte[1 << 16]);
        string other = Path.Combine(_dir, $".other.safetensors.{Guid.NewGuid():N}.tmp"); // another file's leftover
        File.WriteAllBytes(other, [1]);
        string unrelated = Path.Combine(_dir, ".model.safetensors.notes.tmp"); // not our pattern
        File.WriteAllBytes(unrelated, [1]);
        // A temp file a live writer still holds is kept.
        string live = Path.Combine(_dir, $".model.safetensors.{Guid.NewGuid():N}.tmp");
        using (var held = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            SafeTensorsFile.Write(path, [SafeTensorsEntry.Create<float>("w", [1f, 2f], 2)]);
            Assert.False(File.Exists(leftover));
            Assert.True(File.Exists(live));
        }
        Assert.True(File.Exists(other));
        Assert.True(File.Exists(unrelated));
        Assert.Equal([1f, 2f], SafeTensorsFile.Read(path)["w"].ToArray<float>());
        // The next write removes the now-released one too.
        Checkpoint.SaveTensors(path, []);
        Assert.False(File.Exists(live));
        Assert.Equal(0, SafeTensorsFile.CleanLeftoverTempFiles(path));
        // The same helper writes any file (results.json, CSVs) the same way.
        string json = Path.Combine(_dir, "results.json");
        File.WriteAllBytes(Path.Combine(_dir, $".results.json.{Guid.NewGuid():N}.tmp"), new byte[4096]);
        AtomicFile.WriteAllText(json, "{\"ok\": true}");
        Assert.Equal("{\"ok\": true}", File.ReadAllText(json));
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => Path.GetFileName(f).StartsWith(".results.json.", StringComparison.Ordinal));
    }

    // ------------------------------------------------------------------ SCIKERNELS_DEVICE

    [Fact]
    public void DefaultDeviceVariable_IsParsed_AndABadValueNamesTheVariable()
    {
        Assert.Equal(Device.Cpu, Device.ResolveDefault(null));
        Assert.Equal(Device.Cpu, Device.ResolveDefault("  "));
        Assert.Equal(Device.Cpu, Device.ResolveDefault("CPU"));
        Assert.Equal(Device.Simulator(), Device.ResolveDefault("simulator"));
        Assert.Equal(Device.OpenCL(2), Device.ResolveDefault("opencl:2"));
        var e = Assert.Throws<FormatException>(() => Device.ResolveDefault("gpu"));
        Assert.Contains("SCIKERNELS_DEVICE", e.Message);
        Assert.Contains("'gpu'", e.Message);
        // The process-wide value is read once and does not change afterwards.
        string? env = Environment.GetEnvironmentVariable(Device.DefaultDeviceVariable);
        if (string.IsNullOrWhiteSpace(env)) Assert.Equal(Device.Cpu, Device.Default);
        Assert.Same(Device.Default, Device.Default);
    }
}
