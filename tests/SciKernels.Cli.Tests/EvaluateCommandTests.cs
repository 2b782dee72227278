using System.Globalization;
using SciKernels.Data;
using SciKernels.Potentials;
using Xunit;

namespace SciKernels.Cli.Tests;

/// <summary><c>scikernels evaluate --potential emt</c>: the written frames carry the library's EMT results as ASE writes them.</summary>
public sealed class EvaluateCommandTests() : CliTestFolder("evaluate")
{

    /// <summary>A rattled periodic Cu FCC 2×2×2 cell (32 atoms) and an open three-atom Au–Cu cluster without a cell.</summary>
    private static List<XyzFrame> Frames()
    {
        var rng = new System.Random(3);
        const double a = 3.61;
        var species = new List<string>();
        var pos = new List<double>();
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 2; k++)
                    foreach (var b in basis)
                    {
                        species.Add("Cu");
                        pos.AddRange([(i + b[0]) * a + 0.1 * (rng.NextDouble() - 0.5), (j + b[1]) * a + 0.1 * (rng.NextDouble() - 0.5), (k + b[2]) * a + 0.1 * (rng.NextDouble() - 0.5)]);
                    }
        var crystal = new XyzFrame(species, [.. pos], [2 * a, 0, 0, 0, 2 * a, 0, 0, 0, 2 * a], [true, true, true],
            [new("config", "bulk"), new("energy", "123.0")]);
        var cluster = new XyzFrame(["Au", "Cu", "Au"], [0, 0, 0, 2.5, 0.1, 0, 1.2, 2.2, 0.3], null, [false, false, false], [new("config", "cluster")]);
        return [crystal, cluster];
    }

    [Fact]
    public void WritesTheLibrarysEmtResultsForEveryFrame()
    {
        string input = Path.Combine(root, "in.extxyz"), output = Path.Combine(root, "out.extxyz");
        var frames = Frames();
        ExtendedXyz.Write(input, frames);
        var (code, stdout, stderr) = Run("evaluate", input, "--potential", "emt", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("2 frame(s), 35 atoms", stdout);
        var written = ExtendedXyz.Read(output);
        Assert.Equal(2, written.Count);
        var emt = new Emt();
        for (int f = 0; f < 2; f++)
        {
            var src = frames[f];
            var numbers = src.Species.Select(Emt.AtomicNumber).ToArray();
            var expected = emt.Calculate(src.Positions, numbers, src.Cell ?? [], src.Pbc);
            var info = written[f].Info.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(expected.Energy, double.Parse(info["energy"], CultureInfo.InvariantCulture));
            Assert.Equal(f == 0 ? "bulk" : "cluster", info["config"]);
            Assert.Equal(expected.Forces, written[f].Properties.Single(p => p.Name == "forces").ToDoubles());
            Assert.Equal(src.Positions, written[f].Positions);
            if (expected.Stress is { } s)
            {
                var full = info["stress"].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(new[] { s[0], s[5], s[4], s[5], s[1], s[3], s[4], s[3], s[2] }, full);
            }
            else Assert.False(info.ContainsKey("stress"));
        }
    }

    [Fact]
    public void BadInputIsAUserErrorAndWritesNothing()
    {
        string input = Path.Combine(root, "in.extxyz"), output = Path.Combine(root, "out.extxyz");
        ExtendedXyz.Write(input, [new XyzFrame(["Cu", "Fe"], [0, 0, 0, 2, 0, 0], null, [false, false, false], [])]);
        var (code, _, stderr) = Run("evaluate", input, "--potential", "emt", "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("frame 0", stderr);
        Assert.Contains("'Fe'", stderr);
        Assert.False(File.Exists(output));

        (code, _, stderr) = Run("evaluate", input, "--potential", "lj", "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("neither 'emt' nor an existing model file", stderr);
        (code, _, stderr) = Run("evaluate", input, "--potential", "emt");
        Assert.Equal(2, code);
        Assert.Contains("--out", stderr);
        (code, _, stderr) = Run("evaluate", input, "--potential", "emt", "--out", input);
        Assert.Equal(2, code);
        Assert.Contains("is the input file", stderr);
    }
}
