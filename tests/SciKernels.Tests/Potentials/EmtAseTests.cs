using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using SciKernels.Potentials;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>Runs ase_emt.py once (Debian's python3-ase) and keeps its reference results for the cases.</summary>
public sealed class AseEmtReference : IDisposable
{
    /// <summary>Debian's interpreter, which has python3-ase.</summary>
    public const string Python = "/usr/bin/python3";

    private readonly string dir = Path.Combine(Path.GetTempPath(), "scikernels-emt-" + Guid.NewGuid().ToString("N"));
    private readonly Lazy<(JsonElement[]? Cases, string? SkipReason)> cases;

    /// <summary>Creates the scratch folder; the script runs on first use.</summary>
    public AseEmtReference()
    {
        Directory.CreateDirectory(dir);
        cases = new Lazy<(JsonElement[]?, string?)>(Run);
    }

    /// <summary>The reference cases, or the reason to skip.</summary>
    public (JsonElement[]? Cases, string? SkipReason) Cases => cases.Value;

    /// <inheritdoc/>
    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // best effort
    }

    private (JsonElement[]?, string?) Run()
    {
        if (!File.Exists(Python)) return (null, $"{Python} not found; the ASE cross-check needs Debian's python3 with python3-ase.");
        string output = Path.Combine(dir, "emt.json");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ScriptPath());
        psi.ArgumentList.Add(output);
        psi.ArgumentList.Add("2026");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("ase_emt.py timed out");
        }
        if (p.ExitCode == 3) return (null, $"python3-ase is not installed ({stderr.Result.Trim()}); run tools/ci/install-deps.sh.");
        if (p.ExitCode != 0) throw new InvalidOperationException($"ase_emt.py failed ({p.ExitCode}): {stderr.Result}{stdout.Result}");
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        return (doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray(), null);
    }

    private static string ScriptPath([CallerFilePath] string thisFile = "")
    {
        string next = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "ase_emt.py");
        if (File.Exists(next)) return next;
        // Compiled elsewhere (path-mapped builds): search upwards from the test binaries for the repo copy.
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "SciKernels.Tests", "Potentials", "ase_emt.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("ase_emt.py not found next to the tests.", next);
    }
}

/// <summary>
/// Our <see cref="Emt"/> against ASE's <c>ase.calculators.emt.EMT</c> on the systems of ase_emt.py (bulk
/// metals with random displacements, a strained triclinic cell, a vacancy, a slab, an alloy, cells smaller
/// than the cutoff, open systems): energy, per-atom energies, forces and stress to 1e-10 relative.
/// </summary>
public sealed class EmtAseTests(AseEmtReference reference) : IClassFixture<AseEmtReference>
{
    private const double Rel = 1e-10;

    /// <summary>Case indices of ase_emt.py (one test each, so one failure does not hide the others).</summary>
    public static TheoryData<int> CaseIndices => new(Enumerable.Range(0, 15));

    [SkippableTheory]
    [MemberData(nameof(CaseIndices))]
    public void MatchesAse(int index)
    {
        var (cases, skip) = reference.Cases;
        Skip.If(cases is null, skip);
        Assert.Equal(15, cases!.Length);
        var c = cases[index];
        string name = c.GetProperty("name").GetString()!;
        var numbers = c.GetProperty("numbers").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        double[] positions = Doubles(c, "positions"), cell = Doubles(c, "cell");
        var pbc = c.GetProperty("pbc").EnumerateArray().Select(e => e.GetBoolean()).ToArray();

        var ours = new Emt().Calculate(positions, numbers, cell, pbc);

        double energy = c.GetProperty("energy").GetDouble();
        AssertClose(name, "energy", [energy], [ours.Energy], Math.Max(1, Math.Abs(energy)));
        double[] energies = Doubles(c, "energies");
        AssertClose(name, "per-atom energies", energies, ours.Energies, Math.Max(1, energies.Max(Math.Abs)));
        double[] forces = Doubles(c, "forces");
        AssertClose(name, "forces", forces, ours.Forces, Math.Max(1, forces.Max(Math.Abs)));
        if (c.GetProperty("stress").ValueKind == JsonValueKind.Null)
        {
            Assert.Null(ours.Stress);
        }
        else
        {
            double[] stress = Doubles(c, "stress");
            Assert.NotNull(ours.Stress);
            AssertClose(name, "stress", stress, ours.Stress!, Math.Max(1e-3, stress.Max(Math.Abs)));
        }
    }

    private static double[] Doubles(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static void AssertClose(string name, string what, double[] expected, double[] actual, double scale)
    {
        Assert.True(expected.Length == actual.Length, $"{name}: {what}: ASE has {expected.Length} values, we have {actual.Length}");
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= Rel * scale,
                string.Create(CultureInfo.InvariantCulture, $"{name}: {what}[{k}]: ASE {expected[k]:R}, ours {actual[k]:R} (scale {scale:R})"));
    }
}
