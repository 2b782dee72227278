using System.Globalization;
using System.Text.Json;
using SciKernels.Data;
using SciKernels.Potentials;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>An EMT MD trajectory written as extended XYZ and read back by ASE's <c>ase.io.read</c>.</summary>
public sealed class EmtTrajectoryTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "scikernels-emt-traj-" + Guid.NewGuid().ToString("N"));

    public EmtTrajectoryTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // best effort
    }

    [SkippableFact]
    public void AseReadsEnergyForcesAndStress()
    {
        Skip.If(!File.Exists(AseEmtReference.Python), $"{AseEmtReference.Python} not found; the ASE check needs Debian's python3 with python3-ase.");
        // A Cu–Au cell (2×2×2 cubic FCC, every third atom Au) at 600 K for 5 steps of 2 fs.
        const double a = 3.7;
        double[][] basis = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
        var pos = new List<double>();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 2; k++)
                    foreach (var b in basis) pos.AddRange([(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a]);
        int[] numbers = Enumerable.Range(0, pos.Count / 3).Select(x => x % 3 == 0 ? 79 : 29).ToArray();
        double[] cell = [2 * a, 0, 0, 0, 2 * a, 0, 0, 0, 2 * a];
        bool[] pbc = [true, true, false]; // a slab-like cell: stress is still defined (the cell has a volume)
        var md = new VelocityVerlet(new Emt(), numbers, pos.ToArray(), VelocityVerlet.MaxwellBoltzmann(numbers, 600, 3), cell, pbc, 2);
        var frames = new List<XyzFrame>();
        var expected = new List<(double[] Positions, CalculatorResult Result)>();
        for (int s = 0; s < 5; s++)
        {
            frames.Add(PotentialFrames.FromEmt(numbers, md.Positions, cell, pbc, md.Current, [new("step", s.ToString(CultureInfo.InvariantCulture))]));
            expected.Add(((double[])md.Positions.Clone(), md.Current));
            md.Run(1);
        }
        string path = Path.Combine(dir, "traj.extxyz");
        ExtendedXyz.Write(path, frames);

        var (code, output) = RunScript(path);
        Skip.If(code == 3, $"python3-ase is not installed ({output.Trim()}).");
        Assert.True(code == 0, $"ase_read_traj.py failed ({code}): {output}");
        var ase = JsonDocument.Parse(output).RootElement.EnumerateArray().ToArray();
        Assert.Equal(5, ase.Length);
        for (int f = 0; f < 5; f++)
        {
            var (p, r) = expected[f];
            Assert.Equal(numbers.Select(z => z == 79 ? "Au" : "Cu"), ase[f].GetProperty("symbols").EnumerateArray().Select(e => e.GetString()));
            // Values are written with round-trip precision: ASE must read back the same doubles.
            Assert.Equal(p, Doubles(ase[f], "positions"));
            Assert.Equal(r.Energy, ase[f].GetProperty("energy").GetDouble());
            Assert.Equal(r.Forces, Doubles(ase[f], "forces"));
            Assert.Equal(r.Stress, Doubles(ase[f], "stress"));
        }
    }

    private static double[] Doubles(JsonElement e, string key) => e.GetProperty(key).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    private static (int Code, string Output) RunScript(string file) => AseScripts.Run("ase_read_traj.py", file, 120_000);
}
