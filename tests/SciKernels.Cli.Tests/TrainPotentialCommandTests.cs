using System.Globalization;
using System.Text.Json;
using SciKernels.Data;
using SciKernels.Potentials;
using SciKernels.Training;
using Xunit;

namespace SciKernels.Cli.Tests;

/// <summary>
/// <c>scikernels train potential</c> on a few generated Cu structures and <c>scikernels evaluate --potential MODEL</c>
/// with the model it writes; bad input gets clear messages.
/// </summary>
public sealed class TrainPotentialCommandTests() : CliTestFolder("ptrain")
{

    private string TrainSmall(string name, int seed = 0)
    {
        string dir = Path.Combine(root, name);
        var (code, stdout, stderr) = Run("train", "potential", "--generate", "cu", "--structures", "10", "--epochs", "3", "--val-every", "1",
            "--cutoff", "4.0", "--hidden", "8", "--basis", "4", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--out", dir);
        Assert.True(code == 0, stderr + stdout);
        return dir;
    }

    [Fact]
    public void TrainsWritesResultsAndTheModelEvaluates()
    {
        string dir = TrainSmall("run");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var r = doc.RootElement;
        Assert.Equal("pair", r.GetProperty("model").GetString());
        foreach (var key in new[] { "test_energy_mae_mev_per_atom", "test_force_mae_mev_per_a", "test_force_std_mev_per_a", "train_seconds" })
            Assert.True(double.IsFinite(r.GetProperty(key).GetDouble()) && r.GetProperty(key).GetDouble() >= 0, key);
        Assert.Equal(3, r.GetProperty("epochs_run").GetInt32());
        foreach (var png in new[] { "parity_energy.png", "parity_forces.png" })
            Assert.True(new FileInfo(Path.Combine(dir, png)).Length > 1000, png);

        // evaluate --potential MODEL writes what the library's evaluator predicts with the loaded model.
        string model = Path.Combine(dir, "model.safetensors");
        var frames = EmtCrystals.CopperFcc(2, 77).Select(s => new XyzFrame(s.Numbers.Select(Elements.Symbol).ToArray(), s.Positions, s.Cell, s.Pbc, [new("tag", "x")])).ToList();
        string input = Path.Combine(root, "in.extxyz"), output = Path.Combine(root, "out.extxyz");
        ExtendedXyz.Write(input, frames);
        var (code, stdout, stderr) = Run("evaluate", input, "--potential", model, "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains($"2 frame(s), {frames.Sum(f => f.NumAtoms)} atoms", stdout);
        var (loaded, _, _) = PotentialModels.Load(model);
        var written = ExtendedXyz.Read(output).Select((f, i) => PotentialFrames.ToStructure(f, i)).ToList();
        using var ev = new PotentialEvaluator(loaded, written);
        var expected = ev.EvaluateAll();
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(expected[k].Energy, written[k].Energy);
            Assert.Equal(expected[k].Forces, written[k].Forces);
            Assert.Equal(expected[k].Stress, written[k].Stress);
        }
        Assert.Equal("x", ExtendedXyz.Read(output)[0].Info.Single(kv => kv.Key == "tag").Value);
    }

    [Fact]
    public void MdRunsOnATrainedModel()
    {
        // md --potential MODEL.safetensors: NVE on the learned potential; every written frame carries the
        // energy and forces the library's evaluator gives for that configuration with the loaded model.
        string model = Path.Combine(TrainSmall("md"), "model.safetensors");
        var start = EmtCrystals.CopperFcc(1, 5)[0];
        string input = Path.Combine(root, "md-in.extxyz"), traj = Path.Combine(root, "md-traj.extxyz");
        ExtendedXyz.Write(input, [new XyzFrame(start.Numbers.Select(Elements.Symbol).ToArray(), start.Positions, start.Cell, start.Pbc)]);
        var (code, stdout, stderr) = Run("md", input, "--potential", model, "--ensemble", "nve", "--temperature", "300",
            "--steps", "20", "--every", "10", "--seed", "2", "--out", traj);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("energy drift", stdout);
        var frames = ExtendedXyz.Read(traj);
        Assert.Equal(3, frames.Count);
        var (loaded, _, _) = PotentialModels.Load(model);
        foreach (var (frame, k) in frames.Select((f, k) => (f, k)))
        {
            var written = PotentialFrames.ToStructure(frame, k);
            using var ev = new PotentialEvaluator(loaded, [written.WithLabels(null, null, null)]);
            var expected = ev.EvaluateAll()[0];
            Assert.Equal(expected.Energy, written.Energy!.Value, 9);
            for (int i = 0; i < expected.Forces.Length; i++) Assert.Equal(expected.Forces[i], written.Forces![i], 9);
        }
        Assert.NotEqual(frames[0].Positions, frames[2].Positions);
    }

    [Fact]
    public void SameSeedWritesTheSameModel()
    {
        string a = TrainSmall("a", 4), b = TrainSmall("b", 4);
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "model.safetensors")));
    }

    [Fact]
    public void BadTrainingInputIsAUserError()
    {
        string dir = Path.Combine(root, "bad");
        var (code, _, stderr) = Run("train", "potential", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("exactly one of --data", stderr);
        (code, _, stderr) = Run("train", "potential", "--data", Path.Combine(root, "none.extxyz"), "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("does not exist", stderr);
        (code, _, stderr) = Run("train", "potential", "--generate", "au", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("--generate must be cu", stderr);

        string garbage = Path.Combine(root, "garbage.extxyz");
        File.WriteAllText(garbage, "3\nLattice=\"1 0 0 0 1 0 0 0 1\" Properties=species:S:1:pos:R:3\nCu 0 0\n");
        (code, _, stderr) = Run("train", "potential", "--data", garbage, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("garbage.extxyz", stderr);

        string unlabelled = Path.Combine(root, "unlabelled.extxyz");
        var frames = EmtCrystals.CopperFcc(4, 1).Select(s => new XyzFrame(s.Numbers.Select(Elements.Symbol).ToArray(), s.Positions, s.Cell, s.Pbc)).ToList();
        ExtendedXyz.Write(unlabelled, frames);
        (code, _, stderr) = Run("train", "potential", "--data", unlabelled, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("frame 0 has no energy", stderr);
    }

    [Fact]
    public void BadEvaluationInputIsNamed()
    {
        string model = Path.Combine(TrainSmall("m"), "model.safetensors");
        string output = Path.Combine(root, "out.extxyz");

        string silver = Path.Combine(root, "ag.extxyz");
        ExtendedXyz.Write(silver, [new XyzFrame(["Cu", "Ag"], [0, 0, 0, 2.6, 0, 0])]);
        var (code, _, stderr) = Run("evaluate", silver, "--potential", model, "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("frame 0", stderr);
        Assert.Contains("Ag", stderr);

        string crowded = Path.Combine(root, "close.extxyz");
        ExtendedXyz.Write(crowded, [new XyzFrame(["Cu", "Cu"], [0, 0, 0, 1.0, 0, 0])]);
        (code, _, stderr) = Run("evaluate", crowded, "--potential", model, "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("closer than any pair the model was trained on", stderr);
        Assert.False(File.Exists(output));

        var (_, cfg, _) = PotentialModels.Load(model);
        string near = Path.Combine(root, "near.extxyz");
        double d = 0.9 * cfg.MinTrainingDistance;
        ExtendedXyz.Write(near, [new XyzFrame(["Cu", "Cu"], [0, 0, 0, d, 0, 0])]);
        (code, _, stderr) = Run("evaluate", near, "--potential", model, "--out", output);
        Assert.Equal(0, code);
        Assert.Contains("warning", stderr);

        string notModel = Path.Combine(root, "x.safetensors");
        File.WriteAllText(notModel, "not a model");
        (code, _, stderr) = Run("evaluate", near, "--potential", notModel, "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("x.safetensors", stderr);
    }
}
