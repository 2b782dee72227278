using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using SciKernels.Data;
using SciKernels.Graphs;
using Xunit;

namespace SciKernels.Tests.Graphs;

/// <summary>
/// Cross-check against ASE's <c>neighbor_list</c> (Debian's python3-ase, see tools/ci/install-deps.sh):
/// ase_neighbors.py writes random triclinic systems as extended XYZ plus ASE's pairs as CSV; we read the
/// same files and compare pair sets exactly and distances to 1e-12.
/// </summary>
public sealed class NeighborListAseTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string dir = Path.Combine(Path.GetTempPath(), "scikernels-ase-" + Guid.NewGuid().ToString("N"));

    public NeighborListAseTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // best effort
    }

    [SkippableFact]
    public void PairsMatchAseOnRandomCells()
    {
        Skip.If(!File.Exists(Python), $"{Python} not found; the ASE cross-check needs Debian's python3 with python3-ase.");
        const int cases = 16;
        var (code, output) = RunScript(dir, seed: 2026, cases);
        Skip.If(code == 3, $"python3-ase is not installed ({output.Trim()}); run tools/ci/install-deps.sh.");
        Assert.True(code == 0, $"ase_neighbors.py failed ({code}): {output}");
        for (int k = 0; k < cases; k++)
        {
            var file = Path.Combine(dir, $"case_{k}.extxyz");
            var frame = ExtendedXyz.ReadFrame(file, 0);
            var cutoff = double.Parse(frame.Info.Single(kv => kv.Key == "cutoff").Value, CultureInfo.InvariantCulture);
            var ours = NeighborList.Search(frame.Positions, frame.Cell, frame.Pbc, cutoff);
            var ase = File.ReadAllLines(Path.Combine(dir, $"case_{k}.csv")).Skip(1).Select(line => line.Split(',')).ToArray();
            string what = $"case {k} ({frame.NumAtoms} atoms, pbc [{string.Join(",", frame.Pbc)}], cutoff {cutoff:R})";
            Assert.True(ase.Length == ours.Count, $"{what}: ASE lists {ase.Length} pairs, we list {ours.Count}");
            for (int p = 0; p < ours.Count; p++)
            {
                var row = ase[p];
                var expected = (long.Parse(row[0], CultureInfo.InvariantCulture), long.Parse(row[1], CultureInfo.InvariantCulture),
                    long.Parse(row[2], CultureInfo.InvariantCulture), long.Parse(row[3], CultureInfo.InvariantCulture), long.Parse(row[4], CultureInfo.InvariantCulture));
                var actual = (ours.First[p], ours.Second[p], ours.Shifts[3 * p], ours.Shifts[3 * p + 1], ours.Shifts[3 * p + 2]);
                Assert.True(expected == actual, $"{what}: row {p}: ASE {expected}, ours {actual}");
                double d = double.Parse(row[5], CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(d - ours.Distances[p]) <= 1e-12, $"{what}: row {p}: ASE d = {d:R}, ours {ours.Distances[p]:R}");
            }
        }
    }

    private static (int Code, string Output) RunScript(string outDir, int seed, int count)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ScriptPath());
        psi.ArgumentList.Add(outDir);
        psi.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("ase_neighbors.py timed out");
        }
        return (p.ExitCode, stderr.Result + stdout.Result);
    }

    private static string ScriptPath([CallerFilePath] string thisFile = "")
    {
        string next = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "ase_neighbors.py");
        if (File.Exists(next)) return next;
        // Compiled elsewhere (path-mapped builds): search upwards from the test binaries for the repo copy.
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "SciKernels.Tests", "Graphs", "ase_neighbors.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("ase_neighbors.py not found next to the tests.", next);
    }
}
