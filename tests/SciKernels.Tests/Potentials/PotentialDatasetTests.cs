using System.Globalization;
using System.Text.Json;
using SciKernels.Data;
using SciKernels.Potentials;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>Reference data sets: the structures asked for, labels that are EMT's, deterministic per seed, and read by ASE.</summary>
public sealed class PotentialDatasetTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "scikernels-potdata-" + Guid.NewGuid().ToString("N"));

    public PotentialDatasetTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // best effort
    }

    /// <summary>Small and quick: 2×2×2 cells (32 sites), 3 frames per trajectory, short runs.</summary>
    private static PotentialDataOptions Small(PotentialSystem system, ulong seed) => new()
    {
        System = system, Frames = 6, Seed = seed, Repeat = 2, FramesPerTrajectory = 3, Every = 5, EquilibrationSteps = 20,
        TemperaturesK = [300, 1200],
    };

    private static string Text(List<XyzFrame> frames, string path)
    {
        ExtendedXyz.Write(path, frames);
        return File.ReadAllText(path);
    }

    [Fact]
    public void SameSeedSameFramesOtherSeedOtherFrames()
    {
        foreach (var system in Enum.GetValues<PotentialSystem>())
        {
            string a = Text(PotentialDatasets.Generate(Small(system, 11)), Path.Combine(dir, "a.extxyz"));
            string b = Text(PotentialDatasets.Generate(Small(system, 11)), Path.Combine(dir, "b.extxyz"));
            string c = Text(PotentialDatasets.Generate(Small(system, 12)), Path.Combine(dir, "c.extxyz"));
            Assert.Equal(a, b);
            Assert.NotEqual(a, c);
        }
    }

    [Fact]
    public void StructuresAndLabelsAreWhatWasAskedFor()
    {
        var emt = new Emt();
        foreach (var system in Enum.GetValues<PotentialSystem>())
        {
            var frames = PotentialDatasets.Generate(Small(system, 3));
            Assert.Equal(6, frames.Count);
            for (int f = 0; f < frames.Count; f++)
            {
                var fr = frames[f];
                var info = fr.Info.ToDictionary(kv => kv.Key, kv => kv.Value);
                int trajectory = int.Parse(info["trajectory"], CultureInfo.InvariantCulture);
                Assert.Equal(f / 3, trajectory);
                Assert.Equal(trajectory % 2 == 0 ? "300" : "1200", info["temperature"]);
                Assert.Equal(20 + 5 * (f % 3 + 1), int.Parse(info["step"], CultureInfo.InvariantCulture));
                int au = fr.Species.Count(s => s == "Au");
                switch (system)
                {
                    case PotentialSystem.Copper:
                        Assert.Equal(32, fr.NumAtoms);
                        Assert.Equal("cu-bulk", info["config_type"]);
                        break;
                    case PotentialSystem.CopperVacancy:
                        Assert.Equal(31, fr.NumAtoms);
                        break;
                    case PotentialSystem.CopperSurface:
                        Assert.Equal(32, fr.NumAtoms);
                        Assert.Equal(trajectory % 2 == 1, fr.Pbc[2]);
                        Assert.True(fr.Pbc[0] && fr.Pbc[1]);
                        Assert.Equal(2 * PotentialDatasets.CopperLattice + 10, fr.Cell![8], 12); // vacuum along z, z not strained
                        break;
                    case PotentialSystem.CopperGold:
                        Assert.Equal(8, au); // round(0.25 · 32)
                        break;
                }
                if (system != PotentialSystem.CopperGold) Assert.Equal(0, au);
                // The cell is strained (not the ideal cube) by at most 2 % per component.
                double l = system == PotentialSystem.CopperGold ? 2 * (3.61 + 0.25 * (4.08 - 3.61)) : 2 * 3.61;
                Assert.NotEqual(l, fr.Cell![0]);
                Assert.InRange(fr.Cell[0], l * 0.98, l * 1.02);
                // The labels are EMT's for exactly these positions.
                var numbers = fr.Species.Select(Emt.AtomicNumber).ToArray();
                var r = emt.Calculate(fr.Positions, numbers, fr.Cell, fr.Pbc);
                Assert.Equal(r.Energy, double.Parse(info["energy"], CultureInfo.InvariantCulture));
                Assert.Equal(r.Forces, fr.Properties.Single(p => p.Name == "forces").ToDoubles());
            }
        }
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var ex = Assert.Throws<ArgumentException>(() => PotentialDatasets.Generate(new PotentialDataOptions { Frames = 0 }));
        Assert.Contains("Frames", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => PotentialDatasets.Generate(new PotentialDataOptions { TemperaturesK = [-1] }));
        Assert.Contains("TemperaturesK", ex.Message);
    }

    /// <summary>ase.io.read gives back the same doubles, and ASE's EMT on the read atoms agrees with the labels.</summary>
    [SkippableFact]
    public void AseReadsTheFilesAndItsEmtAgrees()
    {
        Skip.If(!File.Exists(AseEmtReference.Python), $"{AseEmtReference.Python} not found; the ASE check needs Debian's python3 with python3-ase.");
        var frames = new List<XyzFrame>();
        foreach (var system in Enum.GetValues<PotentialSystem>()) frames.AddRange(PotentialDatasets.Generate(Small(system, 5) with { Frames = 4, FramesPerTrajectory = 2 }));
        string path = Path.Combine(dir, "data.extxyz");
        ExtendedXyz.Write(path, frames);
        var (code, output) = RunScript(path);
        Skip.If(code == 3, $"python3-ase is not installed ({output.Trim()}).");
        Assert.True(code == 0, $"ase_check_dataset.py failed ({code}): {output}");
        var ase = JsonDocument.Parse(output).RootElement.EnumerateArray().ToArray();
        Assert.Equal(frames.Count, ase.Length);
        for (int f = 0; f < frames.Count; f++)
        {
            var fr = frames[f];
            var info = fr.Info.ToDictionary(kv => kv.Key, kv => kv.Value);
            var a = ase[f];
            Assert.Equal(fr.Species, a.GetProperty("symbols").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(fr.Positions, Doubles(a, "positions"));
            Assert.Equal(fr.Cell, Doubles(a, "cell"));
            Assert.Equal(fr.Pbc, a.GetProperty("pbc").EnumerateArray().Select(e => e.GetBoolean()));
            Assert.Equal(info["config_type"], a.GetProperty("info").GetProperty("config_type").GetString());
            var stored = a.GetProperty("stored");
            Assert.Equal(double.Parse(info["energy"], CultureInfo.InvariantCulture), stored.GetProperty("energy").GetDouble());
            Assert.Equal(fr.Properties.Single(p => p.Name == "forces").ToDoubles(), Doubles(stored, "forces"));
            // ASE's own EMT on the atoms it read: the labels agree to the EMT verification's 1e-10.
            var emt = a.GetProperty("emt");
            double e = emt.GetProperty("energy").GetDouble();
            Assert.True(Math.Abs(e - stored.GetProperty("energy").GetDouble()) < 1e-10 * Math.Max(1, Math.Abs(e)), $"frame {f}: energy");
            Close(Doubles(emt, "forces"), Doubles(stored, "forces"), 1e-9, $"frame {f}: forces");
            Close(Doubles(emt, "stress"), Doubles(stored, "stress"), 1e-11, $"frame {f}: stress");
        }
    }

    private static void Close(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < tol, $"{what}[{i}]: ASE {expected[i]:R}, ours {actual[i]:R}");
    }

    private static double[] Doubles(JsonElement e, string key) => e.GetProperty(key).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    private static (int Code, string Output) RunScript(string file) => AseScripts.Run("ase_check_dataset.py", file, 300_000);
}
