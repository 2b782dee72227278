using SciKernels.Data;
using SciKernels.IO;
using Xunit;

namespace SciKernels.Tests.Data;

public sealed class DatasetCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"sk-cache-{Guid.NewGuid():N}");
    private static readonly double[] Values = [1, 2, 3, 4, 5, 6];
    private static readonly CachedTensor[] Shapes = [new("x", [2, 3])];

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private DatasetCache Cache(string recipe = "recipe A") =>
        new(_dir, "test", "set_n2", recipe, new Dictionary<string, string> { ["seed"] = "7" });

    private static CachedTensor[] WithValues(double[] v) => [Shapes[0] with { Values = v }];

    [Fact]
    public void WriteThenReadRoundTripsAndLeavesNoTemporaryFile()
    {
        var cache = Cache();
        Assert.Null(cache.TryRead(Shapes, "2 rows", null));
        cache.Write(WithValues(Values), null);
        // the atomic write goes through a temporary file that must be gone once the file is in place
        Assert.Equal(new[] { cache.Path }, Directory.GetFiles(_dir));
        var logs = new List<string>();
        var read = cache.TryRead(Shapes, "2 rows", logs.Add);
        Assert.NotNull(read);
        Assert.Equal(Values, read[0]);
        Assert.Contains(logs, l => l.Contains("read 2 rows"));
    }

    [Fact]
    public void CorruptFileIsReportedAndReplaced()
    {
        var cache = Cache();
        cache.Write(WithValues(Values), null);
        var bytes = File.ReadAllBytes(cache.Path);
        File.WriteAllBytes(cache.Path, bytes.AsSpan(0, bytes.Length - 8).ToArray());
        var logs = new List<string>();
        Assert.Null(cache.TryRead(Shapes, "2 rows", logs.Add));
        Assert.Contains(logs, l => l.Contains("unusable") && l.Contains("regenerating"));
        cache.Write(WithValues(Values), null);
        Assert.Equal(bytes, File.ReadAllBytes(cache.Path));
        Assert.Equal(Values, cache.TryRead(Shapes, "2 rows", null)![0]);
    }

    [Fact]
    public void OtherRecipeHasItsOwnFileAndIsNeverReused()
    {
        var a = Cache("recipe A");
        var b = Cache("recipe B");
        Assert.NotEqual(a.Path, b.Path);
        a.Write(WithValues(Values), null);
        Assert.Null(b.TryRead(Shapes, "2 rows", null));
        b.Write(WithValues([6, 5, 4, 3, 2, 1]), null);
        // writing B's data did not evict A's
        Assert.Equal(Values, a.TryRead(Shapes, "2 rows", null)![0]);
        // another recipe's data under this recipe's name is rejected by the stored recipe
        File.Copy(b.Path, a.Path, overwrite: true);
        var logs = new List<string>();
        Assert.Null(a.TryRead(Shapes, "2 rows", logs.Add));
        Assert.Contains(logs, l => l.Contains("different recipe"));
    }

    [Fact]
    public void WrongShapeDTypeOrNonFiniteValuesAreRejected()
    {
        var cache = Cache();
        var meta = new Dictionary<string, string> { ["recipe"] = "recipe A", ["seed"] = "7" };
        var logs = new List<string>();
        Directory.CreateDirectory(_dir);
        SafeTensorsFile.Write(cache.Path, [SafeTensorsEntry.Create<double>("x", Values, 3, 2)], meta);
        Assert.Null(cache.TryRead(Shapes, "2 rows", logs.Add));
        Assert.Contains(logs, l => l.Contains("shape"));
        SafeTensorsFile.Write(cache.Path, [SafeTensorsEntry.Create<float>("x", new float[6], 2, 3)], meta);
        Assert.Null(cache.TryRead(Shapes, "2 rows", logs.Add));
        Assert.Contains(logs, l => l.Contains("not float64"));
        SafeTensorsFile.Write(cache.Path, [SafeTensorsEntry.Create<double>("x", new double[] { 1, 2, double.NaN, 4, 5, 6 }, 2, 3)], meta);
        Assert.Null(cache.TryRead(Shapes, "2 rows", logs.Add));
        Assert.Contains(logs, l => l.Contains("non-finite"));
        SafeTensorsFile.Write(cache.Path, [SafeTensorsEntry.Create<double>("x", Values, 2, 3)], meta);
        Assert.NotNull(cache.TryRead(Shapes, "2 rows", null));
        // other metadata (the seed) is compared too
        SafeTensorsFile.Write(cache.Path, [SafeTensorsEntry.Create<double>("x", Values, 2, 3)], new Dictionary<string, string>(meta) { ["seed"] = "8" });
        Assert.Null(cache.TryRead(Shapes, "2 rows", logs.Add));
        Assert.Contains(logs, l => l.Contains("different seed"));
        // and the data set's own check
        SafeTensorsFile.Write(cache.Path, [SafeTensorsEntry.Create<double>("x", Values, 2, 3)], meta);
        Assert.Null(cache.TryRead(Shapes, "2 rows", logs.Add, v => v[0][0] == 1 ? "a one" : null));
        Assert.Contains(logs, l => l.Contains("a one"));
    }
}
