using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using SciKernels.Crystals;
using SciKernels.Data;
using SciKernels.Potentials;
using Xunit;
using static SciKernels.Tests.Crystals.CrystalTestSupport;

namespace SciKernels.Tests.Crystals;

/// <summary>CIF and crystal-data extended XYZ read back by ASE (Debian's python3-ase, as the EMT cross-checks use).</summary>
public sealed class CrystalFilesAseTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string dir = Path.Combine(Path.GetTempPath(), "scikernels-crystal-" + Guid.NewGuid().ToString("N"));

    public CrystalFilesAseTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // best effort
    }

    [SkippableFact]
    public void AseReadsTheCifBackAsTheSameStructures()
    {
        Skip.If(!File.Exists(Python), $"{Python} not found; the ASE check needs Debian's python3 with python3-ase.");
        var rng = new System.Random(11);
        var structures = new List<AtomicStructure> { Redescribe(Prototypes.L12(Cu, Au), rng, false) };
        for (int i = 0; i < 3; i++)
            structures.Add(new RandomStructures().Create(new[] { Cu, Cu, Ag, Au, Au }[..(3 + i)], new SciKernels.Random.Generator((ulong)i)));
        string path = Path.Combine(dir, "s.cif");
        Cif.Write(path, structures);
        var ase = Run(path);
        Assert.Equal(structures.Count, ase.Length);
        var matcher = new StructureMatcher { SiteTolerance = 1e-3, LengthTolerance = 1e-6, AngleTolerance = 1e-4 };
        for (int i = 0; i < structures.Count; i++)
        {
            var s = structures[i];
            Assert.Equal(s.Numbers.Select(Elements.Symbol), ase[i].GetProperty("symbols").EnumerateArray().Select(e => e.GetString()));
            var cell = Doubles(ase[i], "cell");
            var ours = CellMath.Parameters(s.Cell!);
            var theirs = CellMath.Parameters(cell);
            for (int k = 0; k < 6; k++) Assert.Equal(ours[k], theirs[k], 10);
            // Same fractional coordinates (modulo 1), so the same crystal in ASE's orientation of the cell.
            var f = CellMath.ToFractional(s.Positions, s.Cell!);
            var g = Doubles(ase[i], "scaled");
            for (int k = 0; k < f.Length; k++)
            {
                double d = f[k] - g[k];
                Assert.True(Math.Abs(d - Math.Round(d)) < 1e-10, $"structure {i}, coordinate {k}: {f[k]} vs {g[k]}");
            }
            var back = new AtomicStructure(s.Numbers, Doubles(ase[i], "positions"), cell);
            Assert.True(matcher.Matches(s, back), $"structure {i}");
            Assert.Equal(s.Volume, back.Volume, 8);
        }
    }

    [SkippableFact]
    public void AseReadsTheCrystalDataWithEnergiesForcesAndStress()
    {
        Skip.If(!File.Exists(Python), $"{Python} not found; the ASE check needs Debian's python3 with python3-ase.");
        var data = CrystalSearch.Run("cu-ag", new CrystalSearchOptions { Count = 4, MaxAtoms = 5, Seed = 2 });
        string path = Path.Combine(dir, "d.xyz");
        CrystalDataFiles.Write(path, data);
        var ase = Run(path);
        Assert.Equal(data.Entries.Count, ase.Length);
        for (int i = 0; i < ase.Length; i++)
        {
            var s = data.Entries[i].Structure;
            Assert.Equal(s.Positions, Doubles(ase[i], "positions"));
            Assert.Equal(s.Cell, Doubles(ase[i], "cell"));
            Assert.Equal(s.Energy!.Value, ase[i].GetProperty("energy").GetDouble());
            Assert.Equal(s.Forces, Doubles(ase[i], "forces"));
            var stress = Doubles(ase[i], "stress");
            for (int k = 0; k < 6; k++) Assert.Equal(s.Stress![k], stress[k], 15);
            Assert.Equal(data.Entries[i].Split, ase[i].GetProperty("info").GetProperty("split").GetString());
        }
        // And our own reader gives the same data back.
        var again = CrystalDataFiles.Read(path);
        Assert.Equal(data.Entries.Select(e => (e.Source, e.Formula, e.Split, e.EnergyPerAtom)), again.Entries.Select(e => (e.Source, e.Formula, e.Split, e.EnergyPerAtom)));
        Assert.Equal(data.References, again.References);
    }

    private static double[] Doubles(JsonElement e, string key) => e.GetProperty(key).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    private static JsonElement[] Run(string file, [CallerFilePath] string thisFile = "")
    {
        string script = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "ase_read_crystal.py");
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); !File.Exists(script) && d is not null; d = d.Parent)
            script = Path.Combine(d.FullName, "tests", "SciKernels.Tests", "Crystals", "ase_read_crystal.py");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(file);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("ase_read_crystal.py timed out");
        }
        Skip.If(p.ExitCode == 3, $"python3-ase is not installed ({stderr.Result.Trim()}).");
        Assert.True(p.ExitCode == 0, $"ase_read_crystal.py failed ({p.ExitCode}): {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }
}
