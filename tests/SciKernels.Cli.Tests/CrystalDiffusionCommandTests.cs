using System.Text.Json;
using SciKernels.Data;
using SciKernels.Generative.Crystals;
using SciKernels.Potentials;
using Xunit;

namespace SciKernels.Cli.Tests;

/// <summary>End to end checks of <c>train diffusion --problem crystals</c> and <c>sample</c> on a tiny setup (no wall-clock assertions).</summary>
public sealed class CrystalDiffusionCommandTests() : CliTestFolder("crystal-diffusion")
{
    private string WriteData()
    {
        string path = Path.Combine(root, "crystals.xyz");
        ExtendedXyz.Write(path, ToyCrystals.Generate(12, 3).Select(s => new XyzFrame(s.Numbers.Select(Elements.Symbol).ToArray(), s.Positions, s.Cell, s.Pbc)));
        return path;
    }

    private string[] TinyTrain(string data, string outDir, string lattice = "diffused") =>
        ["train", "diffusion", "--problem", "crystals", "--data", data, "--lattice", lattice, "--hidden", "8", "--layers", "1", "--timesteps", "10",
         "--batch", "4", "--steps", "3", "--samples", "5", "--out", Path.Combine(root, outDir), "--json"];

    private static JsonElement Results(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json"))).RootElement;

    [Fact]
    public void ATinyTrainingAndSamplingRunWriteEverything()
    {
        string data = WriteData();
        var (code, stdout, stderr) = Run(TinyTrain(data, "train"));
        Assert.True(code == 0, stderr);
        string dir = Path.Combine(root, "train");
        Assert.Equal(3, JsonDocument.Parse(stdout).RootElement.GetProperty("steps").GetInt32());
        foreach (var name in new[] { "model.safetensors", "samples.xyz", "samples.cif", "loss.png", "samples.png", "results.json" })
            Assert.True(File.Exists(Path.Combine(dir, name)), name);
        var frames = ExtendedXyz.Read(Path.Combine(dir, "samples.xyz"));
        Assert.Equal(5, frames.Count);
        Assert.All(frames, f => Assert.NotNull(f.Cell));
        Assert.Equal(5, File.ReadAllText(Path.Combine(dir, "samples.cif")).Split("data_sample_").Length - 1);
        // SUN of the samples and of the random baseline: every sample judged, the counts nested (new ≤ unique ≤ stable).
        var sun = Results(dir).GetProperty("evaluation").GetProperty("sun");
        foreach (var side in new[] { "samples", "random_baseline" })
        {
            var r = sun.GetProperty(side);
            Assert.Equal(5, r.GetProperty("count").GetInt32());
            int stable = r.GetProperty("stable").GetInt32(), unique = r.GetProperty("unique").GetInt32(), isNew = r.GetProperty("new").GetInt32();
            Assert.True(isNew <= unique && unique <= stable && stable <= 5, $"{side}: {stable} stable, {unique} unique, {isNew} new");
        }

        string model = Path.Combine(dir, "model.safetensors");
        string a = Path.Combine(root, "sa"), b = Path.Combine(root, "sb");
        var (c1, _, e1) = Run("sample", "--model", model, "--count", "3", "--composition", "Cu3Au1", "--out", a, "--seed", "7", "--json");
        Assert.True(c1 == 0, e1);
        var (c2, _, e2) = Run("sample", "--model", model, "--count", "3", "--composition", "Cu3Au1", "--out", b, "--seed", "7", "--json");
        Assert.True(c2 == 0, e2);
        // Same seed, same crystals bit for bit.
        Assert.Equal(File.ReadAllText(Path.Combine(a, "samples.xyz")), File.ReadAllText(Path.Combine(b, "samples.xyz")));
        Assert.All(ExtendedXyz.Read(Path.Combine(a, "samples.xyz")), f => Assert.Equal(["Au", "Cu", "Cu", "Cu"], f.Species.Order()));
        Assert.Equal(3, Results(a).GetProperty("evaluation").GetProperty("count").GetInt32());
    }

    [Fact]
    public void FramesTaggedAsTestAreHeldOutOfTraining()
    {
        // generate crystal-data tags its held-out frames split=test: they must not train (nor count as "known" for novelty)
        string path = Path.Combine(root, "split.xyz");
        var cells = ToyCrystals.Generate(12, 3);
        ExtendedXyz.Write(path, cells.Select((s, k) => new XyzFrame(s.Numbers.Select(Elements.Symbol).ToArray(), s.Positions, s.Cell, s.Pbc,
            [new("split", k % 3 == 0 ? "test" : "train")])));
        var (code, stdout, stderr) = Run(TinyTrain(path, "split"));
        Assert.True(code == 0, stderr);
        int trained = 0;
        foreach (var c in JsonDocument.Parse(stdout).RootElement.GetProperty("training_compositions").EnumerateObject()) trained += c.Value.GetInt32();
        Assert.Equal(8, trained);

        string allTest = Path.Combine(root, "alltest.xyz");
        ExtendedXyz.Write(allTest, cells.Select(s => new XyzFrame(s.Numbers.Select(Elements.Symbol).ToArray(), s.Positions, s.Cell, s.Pbc, [new("split", "test")])));
        var (code2, _, stderr2) = Run(TinyTrain(allTest, "alltest"));
        Assert.Equal(2, code2);
        Assert.Contains("split=test", stderr2);
    }

    [Fact]
    public void AFixedLatticeModelSamplesInTrainingCells()
    {
        string data = WriteData();
        var (code, _, stderr) = Run(TinyTrain(data, "fixed", "fixed"));
        Assert.True(code == 0, stderr);
        var cells = ExtendedXyz.Read(data).Select(f => string.Join(",", f.Cell!)).ToHashSet();
        Assert.All(ExtendedXyz.Read(Path.Combine(root, "fixed", "samples.xyz")), f => Assert.Contains(string.Join(",", f.Cell!), cells));
    }

    [Fact]
    public void BadInputGetsAClearErrorBeforeAnyWork()
    {
        string data = WriteData();
        var (code, _, err) = Run("train", "diffusion", "--problem", "crystals", "--out", Path.Combine(root, "x"));
        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("--data is required", err);
        (code, _, err) = Run("train", "diffusion", "--problem", "crystals", "--data", Path.Combine(root, "missing.xyz"), "--out", Path.Combine(root, "x"));
        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("no such file", err);
        Assert.Equal(0, Run(TinyTrain(data, "train")).Code);
        string model = Path.Combine(root, "train", "model.safetensors");
        (code, _, err) = Run("sample", "--model", model, "--count", "2", "--composition", "Cu3Ag1", "--out", Path.Combine(root, "never"));
        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("Ag is a species the model never saw", err);
        (code, _, err) = Run("sample", "--model", model, "--count", "2", "--composition", "Cu3Xx", "--out", Path.Combine(root, "never"));
        Assert.Equal(CommandLine.UsageError, code);
        Assert.Contains("not a chemical symbol", err);
        (code, _, _) = Run("sample", "--model", model, "--count", "0", "--out", Path.Combine(root, "never"));
        Assert.Equal(CommandLine.UsageError, code);
        Assert.False(Directory.Exists(Path.Combine(root, "never")));
    }
}
