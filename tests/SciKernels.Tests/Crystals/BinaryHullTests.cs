using FsCheck.Xunit;
using SciKernels.Crystals;
using Xunit;
using static SciKernels.Tests.Crystals.CrystalTestSupport;

namespace SciKernels.Tests.Crystals;

public sealed class BinaryHullTests
{
    private static int[] Cell(int nCu, int nAu) => [.. Enumerable.Repeat(Cu, nCu), .. Enumerable.Repeat(Au, nAu)];

    [Property(MaxTest = 30)]
    public bool NothingLiesBelowTheHullAndTheHullIsConvex(int seed)
    {
        var rng = new System.Random(seed);
        var points = new List<(int[] Numbers, double EnergyPerAtom)> { (Cell(4, 0), -0.01), (Cell(0, 4), 0.02) };
        for (int i = 0; i < 20; i++)
        {
            int na = rng.Next(9), nb = rng.Next(9);
            if (na + nb == 0) continue;
            points.Add((Cell(na, nb), rng.NextDouble() * 0.2 - 0.1));
        }
        var hull = new BinaryHull(Cu, Au, points);
        foreach (var (z, e) in points) Assert.True(hull.AboveHull(z, e) >= -1e-12);
        var v = hull.Vertices;
        Assert.Equal(0, v[0].X);
        Assert.Equal(1, v[^1].X);
        for (int i = 1; i + 1 < v.Count; i++)
        {
            double slopeLeft = (v[i].FormationEnergy - v[i - 1].FormationEnergy) / (v[i].X - v[i - 1].X);
            double slopeRight = (v[i + 1].FormationEnergy - v[i].FormationEnergy) / (v[i + 1].X - v[i].X);
            Assert.True(slopeRight > slopeLeft, "the lower hull bends upward");
        }
        // Every vertex is a structure on the hull (or an end point).
        Assert.All(v, p => Assert.True(p.X is 0 or 1 || points.Any(q => Math.Abs(Composition.Fraction(q.Numbers, Au) - p.X) < 1e-12 && Math.Abs(hull.AboveHull(q.Numbers, q.EnergyPerAtom)) < 1e-12)));
        return true;
    }

    [Fact]
    public void AHandMadeHull()
    {
        // Pure ends at −0.1 and 0; Cu₃Au 0.05 below the line, CuAu above the tie line Cu₃Au–Au.
        var hull = new BinaryHull(Cu, Au, [(Cell(4, 0), -0.1), (Cell(0, 1), 0.0), (Cell(3, 1), -0.125), (Cell(1, 1), -0.02)]);
        Assert.Equal(-0.05, hull.FormationEnergy(Cell(3, 1), -0.125), 12);
        Assert.Equal(0, hull.AboveHull(Cell(6, 2), -0.125), 12);
        Assert.Equal(3, hull.Vertices.Count);
        // At x = ½ the tie line Cu₃Au (¼, −0.05) – Au (1, 0) is at −0.05 · (1 − (½ − ¼)/¾) = −1/30.
        Assert.Equal(-0.02 - (-0.05) - (-1.0 / 30), hull.AboveHull(Cell(1, 1), -0.02), 12);
        Assert.Throws<ArgumentException>(() => new BinaryHull(Cu, Au, [(Cell(1, 1), 0.0)]));
    }
}
