using System.Globalization;
using SciKernels.Data;
using SciKernels.Potentials;
using Xunit;

namespace SciKernels.Cli.Tests;

/// <summary><c>scikernels md</c> and <c>scikernels generate potential-data</c>: files, reports, determinism and bad input.</summary>
public sealed class MdCommandTests() : CliTestFolder("md")
{

    /// <summary>Cu FCC 2×2×2 (32 atoms), periodic.</summary>
    private string Copper(string name = "cu.extxyz", string other = "Cu")
    {
        const double a = 3.61;
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        var pos = new List<double>();
        var species = new List<string>();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 2; k++)
                    foreach (var b in basis)
                    {
                        pos.AddRange([(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a]);
                        species.Add(species.Count == 5 ? other : "Cu");
                    }
        string path = Path.Combine(root, name);
        ExtendedXyz.Write(path, [new XyzFrame(species, [.. pos], [2 * a, 0, 0, 0, 2 * a, 0, 0, 0, 2 * a], [true, true, true])]);
        return path;
    }

    [Fact]
    public void NveRunWritesTheTrajectoryDriftAndRdf()
    {
        string input = Copper(), traj = Path.Combine(root, "traj.extxyz");
        var (code, stdout, stderr) = Run("md", input, "--potential", "emt", "--ensemble", "nve", "--temperature", "600", "--timestep-fs", "1",
            "--steps", "100", "--every", "10", "--out", traj, "--reference", "emt", "--seed", "4");
        Assert.True(code == 0, stderr);
        Assert.Contains("energy drift", stdout);
        Assert.Contains("atom-steps/s", stdout);
        Assert.Contains("g(r) vs EMT (reference)", stdout);
        Assert.True(File.Exists(Path.Combine(root, "traj.rdf.png")));
        Assert.False(File.Exists(traj + ".part"));
        var frames = ExtendedXyz.Read(traj);
        Assert.Equal(11, frames.Count);
        var emt = new Emt();
        double? e0 = null;
        foreach (var f in frames)
        {
            var info = f.Info.ToDictionary(kv => kv.Key, kv => kv.Value);
            var numbers = f.Species.Select(Emt.AtomicNumber).ToArray();
            var r = emt.Calculate(f.Positions, numbers, f.Cell!, f.Pbc);
            Assert.Equal(r.Energy, double.Parse(info["energy"], CultureInfo.InvariantCulture));
            Assert.Equal(r.Forces, f.Properties.Single(p => p.Name == "forces").ToDoubles());
            // Total energy from the written frame (potential + kinetic from the momenta) is conserved.
            var momenta = f.Properties.Single(p => p.Name == "momenta").ToDoubles();
            var m = MolecularDynamics.Masses(numbers);
            double k = 0;
            for (int i = 0; i < momenta.Length; i++) k += 0.5 * momenta[i] * momenta[i] / m[i / 3];
            e0 ??= r.Energy + k;
            Assert.True(Math.Abs(r.Energy + k - e0.Value) / numbers.Length < 1e-3, $"step {info["step"]}: energy {r.Energy + k:R} vs {e0:R}");
        }
        Assert.Equal("100", frames[^1].Info.Single(kv => kv.Key == "step").Value);
        // Same seed, same bytes.
        string again = Path.Combine(root, "again.extxyz");
        Assert.Equal(0, Run("md", input, "--temperature", "600", "--steps", "100", "--every", "10", "--out", again, "--seed", "4").Code);
        Assert.Equal(File.ReadAllText(traj), File.ReadAllText(again));
    }

    [Fact]
    public void LangevinRunReportsTemperature()
    {
        string input = Copper(), traj = Path.Combine(root, "lgv.extxyz");
        var (code, stdout, stderr) = Run("md", input, "--ensemble", "langevin", "--temperature", "900", "--friction", "0.05", "--steps", "50", "--every", "25", "--out", traj);
        Assert.True(code == 0, stderr);
        Assert.Contains("Langevin 900 K", stdout);
        Assert.DoesNotContain("energy drift", stdout);
        Assert.Equal(3, ExtendedXyz.Read(traj).Count);
    }

    [Fact]
    public void BadInputIsAClearError()
    {
        string input = Copper(), traj = Path.Combine(root, "t.extxyz");
        var (code, _, err) = Run("md", input, "--ensemble", "langevin", "--out", traj);
        Assert.Equal(2, code);
        Assert.Contains("needs --temperature", err);
        (code, _, err) = Run("md", Copper("fe.extxyz", "Fe"), "--out", traj);
        Assert.Equal(2, code);
        Assert.Contains("'Fe'", err);
        Assert.Contains("atom 5", err);
        (code, _, err) = Run("md", input, "--potential", "model.safetensors", "--out", traj);
        Assert.Equal(2, code);
        Assert.Contains("model.safetensors does not exist", err);
        string bad = Path.Combine(root, "bad.extxyz");
        File.WriteAllText(bad, "2\nProperties=species:S:1:pos:R:3\nCu 0 0 0\nCu 1 nan 0\n");
        (code, _, err) = Run("md", bad, "--out", traj);
        Assert.Equal(2, code);
        Assert.Contains("bad.extxyz:4", err);
        File.WriteAllText(bad, "3\nProperties=species:S:1:pos:R:3\nCu 0 0 0\n");
        (code, _, err) = Run("md", bad, "--out", traj);
        Assert.Equal(2, code);
        Assert.Contains("bad.extxyz", err);
        Assert.False(File.Exists(traj));
    }

    [Fact]
    public void ExplodingRunStopsAndKeepsThePartialTrajectory()
    {
        string input = Copper(), traj = Path.Combine(root, "boom.extxyz");
        var (code, _, err) = Run("md", input, "--temperature", "300000", "--timestep-fs", "10", "--steps", "100000", "--every", "1", "--out", traj);
        Assert.Equal(1, code);
        Assert.Contains("exploded at step", err);
        Assert.False(File.Exists(traj));
        Assert.True(File.Exists(traj + ".part"));
        Assert.NotEmpty(ExtendedXyz.Read(traj + ".part"));
    }

    [Fact]
    public void GeneratedDataIsTheLibrarysAndDeterministic()
    {
        string a = Path.Combine(root, "a.extxyz"), b = Path.Combine(root, "b.extxyz");
        string[] args = ["generate", "potential-data", "--system", "cu-surface", "--frames", "4", "--frames-per-trajectory", "2", "--repeat", "2",
            "--every", "5", "--temperature", "300", "1200", "--seed", "9"];
        var (code, stdout, stderr) = Run([.. args, "--out", a]);
        Assert.True(code == 0, stderr);
        Assert.Contains("4 frame(s)", stdout);
        Assert.Equal(0, Run([.. args, "--out", b]).Code);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        var expected = PotentialDatasets.Generate(new PotentialDataOptions
        {
            System = PotentialSystem.CopperSurface, Frames = 4, FramesPerTrajectory = 2, Repeat = 2, Every = 5, TemperaturesK = [300, 1200], Seed = 9,
        });
        string c = Path.Combine(root, "c.extxyz");
        ExtendedXyz.Write(c, expected);
        Assert.Equal(File.ReadAllBytes(c), File.ReadAllBytes(a));
        var frames = ExtendedXyz.Read(a);
        Assert.False(frames[0].Pbc[2]);
        Assert.True(frames[2].Pbc[2]);

        (code, _, stderr) = Run("generate", "potential-data", "--system", "fe", "--out", a);
        Assert.Equal(2, code);
        Assert.Contains("--system must be", stderr);
        (code, _, stderr) = Run("generate", "potential-data", "--temperature", "-5", "--out", a);
        Assert.Equal(2, code);
        Assert.Contains("--temperature", stderr);
    }
}
