using System.Text.Json;
using SciKernels.Data;
using Xunit;

namespace SciKernels.Cli.Tests;

/// <summary>End to end checks of <c>scikernels train diffusion</c> and <c>scikernels sample</c> on a tiny setup (no wall-clock assertions).</summary>
public sealed class DiffusionCommandTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "scikernels-diffusion-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLine.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string[] TinyTrain(string outDir) =>
        ["train", "diffusion", "--problem", "lj13", "--ntrain", "64", "--hidden", "8", "--layers", "2", "--timesteps", "20", "--batch", "16",
         "--steps", "3", "--samples", "6", "--out", Path.Combine(root, outDir), "--data-dir", Path.Combine(root, "data"), "--json"];

    private static JsonElement Results(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json"))).RootElement;

    [Fact]
    public void ATinyTrainingAndSamplingRunWriteEverything()
    {
        var (code, stdout, stderr) = Run(TinyTrain("train"));
        Assert.True(code == 0, stderr);
        string dir = Path.Combine(root, "train");
        var r = Results(dir);
        Assert.Equal(3, r.GetProperty("steps").GetInt32());
        Assert.InRange(r.GetProperty("icosahedron_fraction").GetDouble(), 0, 1);
        Assert.True(r.GetProperty("train_seconds").GetDouble() > 0);
        Assert.Equal(3, JsonDocument.Parse(stdout).RootElement.GetProperty("steps").GetInt32());
        foreach (var name in new[] { "model.safetensors", "samples.xyz", "loss.png", "energy_histogram.png", "samples.png" })
            Assert.True(File.Exists(Path.Combine(dir, name)), name);
        var frames = ExtendedXyz.Read(Path.Combine(dir, "samples.xyz"));
        Assert.Equal(6, frames.Count);
        Assert.All(frames, f => Assert.Equal(13, f.NumAtoms));

        string model = Path.Combine(dir, "model.safetensors");
        string a = Path.Combine(root, "sa"), b = Path.Combine(root, "sb");
        var (c1, _, e1) = Run("sample", "--model", model, "--count", "5", "--out", a, "--seed", "7", "--data-dir", Path.Combine(root, "data"), "--json");
        Assert.True(c1 == 0, e1);
        var (c2, _, e2) = Run("sample", "--model", model, "--count", "5", "--out", b, "--seed", "7", "--sampler", "ddim", "--ddim-steps", "5", "--data-dir", Path.Combine(root, "data"), "--json");
        Assert.True(c2 == 0, e2);
        var (c3, _, e3) = Run("sample", "--model", model, "--count", "5", "--out", Path.Combine(root, "sc"), "--seed", "7", "--data-dir", Path.Combine(root, "data"), "--json");
        Assert.True(c3 == 0, e3);
        // Same seed, same structures bit for bit.
        Assert.Equal(File.ReadAllText(Path.Combine(a, "samples.xyz")), File.ReadAllText(Path.Combine(root, "sc", "samples.xyz")));
        Assert.Equal(5, ExtendedXyz.Read(Path.Combine(b, "samples.xyz")).Count);
        Assert.Equal(5, Results(a).GetProperty("samples").GetInt32());

        // A second run reads the data from the cache (no acceptance rate to report) and still writes its results.
        var (c4, _, e4) = Run(TinyTrain("again"));
        Assert.True(c4 == 0, e4);
        Assert.Equal("read from the cache", Results(Path.Combine(root, "again")).GetProperty("data_acceptance").GetString());
    }

    [Fact]
    public void ASummedCoordinateModelReloadsWithItsSettings()
    {
        // EDM's coordinate update (--coords sum) changes no weight shape, so only the metadata can bring
        // it back: sampling the checkpoint with the training run's sample seed (seed + 3) must give the
        // training run's own samples bit for bit.
        var args = TinyTrain("sum").Concat(["--coords", "sum", "--coords-range", "12", "--coords-norm", "4"]).ToArray();
        var (code, _, err) = Run(args);
        Assert.True(code == 0, err);
        string dir = Path.Combine(root, "sum");
        Assert.Equal("sum", Results(dir).GetProperty("settings").GetProperty("Coords").GetString());
        var (c1, _, e1) = Run("sample", "--model", Path.Combine(dir, "model.safetensors"), "--count", "6", "--seed", "3", "--out", Path.Combine(root, "sum-sample"),
            "--data-dir", Path.Combine(root, "data"), "--json");
        Assert.True(c1 == 0, e1);
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "samples.xyz")), File.ReadAllText(Path.Combine(root, "sum-sample", "samples.xyz")));

        var (c2, _, e2) = Run(TinyTrain("bad").Concat(["--coords", "mean", "--coords-norm", "4"]).ToArray());
        Assert.Equal(CommandLine.UsageError, c2);
        Assert.Contains("--coords-norm applies to --coords sum only", e2);
    }

    [Fact]
    public void MetadataWrittenBeforeTheCoordinateOptionMeansTheFirstDesign()
    {
        // Checkpoints of the first runs hold no coordinate settings: they were mean-aggregated with range 3.
        const string old = """{"Problem":"lj13","Species":["Ar"],"Types":[0,0,0,0,0,0,0,0,0,0,0,0,0],"Hidden":64,"Layers":3,"Schedule":"polynomial_2","Timesteps":500,"Temperature":0.1,"DataSeed":0,"NTrain":10000}""";
        var info = JsonSerializer.Deserialize<DiffusionModelInfo>(old)!;
        var o = info.LayerOptions();
        Assert.Equal(SciKernels.Equivariant.CoordinateAggregation.Mean, o.CoordsAggregation);
        Assert.Equal(3, o.CoordsRange);
        Assert.Equal(1, o.CoordsWeight);
        Assert.Equal(SciKernels.Generative.EgnnDenoiser.DefaultLayerOptions, o);
    }

    [Fact]
    public void BadInputGetsAClearErrorBeforeAnyWork()
    {
        string outDir = Path.Combine(root, "never");
        var (code, _, err) = Run("sample", "--model", Path.Combine(root, "missing.safetensors"), "--count", "3", "--out", outDir);
        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("no such file", err);

        // A checkpoint of another model kind (an EGNN N-body state dict).
        Directory.CreateDirectory(root);
        string other = Path.Combine(root, "egnn.safetensors");
        SciKernels.Training.Checkpoint.Save(other, new SciKernels.Equivariant.EgnnVel(1, 2, 4, new SciKernels.Random.Generator(1), layerCount: 1), null,
            new Dictionary<string, string> { ["problem"] = "nbody" });
        (code, _, err) = Run("sample", "--model", other, "--count", "3", "--out", outDir);
        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("not an equivariant-diffusion model", err);
        Assert.Contains("nbody", err);

        (code, _, err) = Run("sample", "--model", other, "--count", "0", "--out", outDir);
        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("--count must be ≥ 1", err);

        (code, _, err) = Run("train", "diffusion", "--problem", "molecules", "--out", outDir);
        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("lj13 or crystals", err);
        Assert.False(Directory.Exists(outDir));
    }
}
