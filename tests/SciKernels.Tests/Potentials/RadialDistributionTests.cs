using SciKernels.Potentials;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>g(r): an ideal gas is flat at 1, a perfect FCC lattice has 12 neighbours in its first shell at a/√2.</summary>
public sealed class RadialDistributionTests
{
    [Fact]
    public void IdealGasIsFlatAtOne()
    {
        var gen = new Generator(5);
        const double l = 12;
        var rdf = new RadialDistribution(5, 10);
        for (int f = 0; f < 20; f++)
        {
            var pos = new double[3 * 400];
            gen.FillUniform(pos, 0, l);
            rdf.Add(pos, [l, 0, 0, 0, l, 0, 0, 0, l], [true, true, true]);
        }
        var g = rdf.G;
        // Bins from 1 Å on hold ≥ 150 pairs per frame: Poisson noise below 2 % per bin over 20 frames.
        for (int i = 2; i < g.Length; i++) Assert.InRange(g[i], 0.9, 1.1);
    }

    [Fact]
    public void FccFirstShellHoldsTwelveNeighbours()
    {
        const double a = 3.61;
        double[][] basis = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
        var pos = new List<double>();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++)
                    foreach (var b in basis) pos.AddRange([(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a]);
        var rdf = new RadialDistribution(3.0, 300);
        // A left-handed cell spans the same lattice.
        rdf.Add(pos.ToArray(), [-3 * a, 0, 0, 0, 3 * a, 0, 0, 0, 3 * a], [true, true, true]);
        var g = rdf.G;
        var r = rdf.Radii;
        double rho = 4 / (a * a * a), w = rdf.BinWidth, n = 0;
        int peak = Array.IndexOf(g, g.Max());
        for (int i = 0; i < g.Length; i++) n += g[i] * rho * 4 * Math.PI * r[i] * r[i] * w;
        Assert.InRange(r[peak], a / Math.Sqrt(2) - w, a / Math.Sqrt(2) + w);
        Assert.InRange(n, 11.9, 12.1); // the bin-centre quadrature of the shell's exact 12
        Assert.Equal(1, rdf.Frames);
        Assert.Throws<ArgumentException>(() => rdf.Add(pos.ToArray(), [], []));
    }
}
