using FsCheck.Xunit;
using SciKernels.Crystals;
using SciKernels.Potentials;
using SciKernels.Random;
using Xunit;
using static SciKernels.Tests.Crystals.CrystalTestSupport;

namespace SciKernels.Tests.Crystals;

public sealed class StructureMatcherTests
{
    private static readonly StructureMatcher Matcher = new();

    private static AtomicStructure RandomAlloy(int seed, int nCu, int nAu) =>
        new RandomStructures().Create([.. Enumerable.Repeat(Cu, nCu), .. Enumerable.Repeat(Au, nAu)], new Generator((ulong)(uint)seed));

    [Property(MaxTest = 15)]
    public bool ARedescribedStructureMatches(int seed, bool reflect)
    {
        var rng = new System.Random(seed);
        var s = RandomAlloy(seed, 1 + rng.Next(5), 1 + rng.Next(4));
        var t = Redescribe(s, rng, reflect);
        Assert.True(Matcher.Matches(s, t), $"seed {seed}: a rotated, re-based, translated, permuted copy does not match");
        Assert.True(Matcher.Matches(t, s), $"seed {seed}: not symmetric");
        return true;
    }

    [Property(MaxTest = 10)]
    public bool SmallDisplacementsMatchLargeOnesDoNot(int seed)
    {
        var rng = new System.Random(seed);
        var s = RandomAlloy(seed, 3, 3);
        double scale = Math.Cbrt(s.Volume / s.NumAtoms);
        Assert.True(Matcher.Matches(s, Rattle(s, rng, 0.1 * scale)), $"seed {seed}: 0.1·(V/N)^⅓ displacements should match");
        // One atom moved by 0.8 (V/N)^⅓ cannot be absorbed by the mean shift (at most 1/6 of it with 6 atoms).
        var r = (double[])s.Positions.Clone();
        r[0] += 0.8 * scale;
        Assert.False(Matcher.Matches(s, new AtomicStructure(s.Numbers, r, s.Cell)), $"seed {seed}: one atom moved by 0.8·(V/N)^⅓ should not match");
        return true;
    }

    [Property(MaxTest = 10)]
    public bool SwappingTwoUnlikeAtomsMakesAnotherStructure(int seed)
    {
        var s = RandomAlloy(seed, 4, 4);
        var z = (int[])s.Numbers.Clone();
        int cu = Array.IndexOf(z, Cu), au = Array.IndexOf(z, Au);
        (z[cu], z[au]) = (z[au], z[cu]);
        var swapped = new AtomicStructure(z, s.Positions, s.Cell);
        // A random structure has no symmetry that maps the swap back onto itself.
        Assert.False(Matcher.Matches(s, swapped), $"seed {seed}");
        return true;
    }

    [Fact]
    public void SupercellsMatchTheirPrimitiveCellOnlyWithPrimitiveReduction()
    {
        var l12 = Prototypes.L12(Cu, Au);
        var big = Prototypes.Supercell(l12, 2, 1, 3);
        Assert.True(Matcher.Matches(l12, big));
        Assert.True(Matcher.Matches(big, Redescribe(l12, new System.Random(3), false)));
        Assert.False((Matcher with { Primitive = false }).Matches(l12, big));
        // With noise: the primitive cell is still found (translations within 0.25 Å).
        var rng = new System.Random(4);
        Assert.True(Matcher.Matches(Rattle(big, rng, 0.03), Rattle(l12, rng, 0.03)));
        Assert.Equal(4, Matcher.Prepare(big).Numbers.Length);
        Assert.Single(Matcher.Prepare(Prototypes.Fcc(Cu)).Numbers); // the cubic FCC cell holds 4 primitive cells
    }

    [Fact]
    public void DifferentCrystalsDoNotMatch()
    {
        var fcc = Prototypes.Fcc(Cu);
        var bcc = Bcc(Cu, fcc.Volume / 4);
        Assert.False(Matcher.Matches(fcc, bcc));
        Assert.False(Matcher.Matches(Prototypes.L12(Cu, Au), Prototypes.L12(Au, Cu)));
        // L1₀ against the other ordering of Cu₂Au₂ on the 8-site 2×1×1 cell: (Cu Cu Au Au) columns (a different superstructure).
        var l10 = Prototypes.Supercell(Prototypes.L10(Cu, Au), 2, 1, 1);
        var other = new AtomicStructure([Cu, Cu, Au, Au, Au, Au, Cu, Cu], l10.Positions, l10.Cell);
        Assert.False(Matcher.Matches(l10, other));
        Assert.True(Matcher.Matches(l10, Prototypes.L10(Au, Cu))); // swapping both layers is the same crystal
    }

    [Fact]
    public void GroupCountsEachCrystalOnce()
    {
        var rng = new System.Random(5);
        var a = Prototypes.L12(Cu, Au);
        var b = Prototypes.L10(Cu, Au);
        var list = new[] { a, b, Redescribe(a, rng, true), Prototypes.Supercell(b, 1, 2, 1), Prototypes.Fcc(Cu) };
        Assert.Equal([0, 1, 0, 1, 4], Matcher.Group(list));
    }

    [Property(MaxTest = 10)]
    public bool ReductionKeepsTheLatticeAndSortsLengths(int seed)
    {
        var rng = new System.Random(seed);
        var cell = CellMath.FromParameters(2 + rng.NextDouble(), 2 + rng.NextDouble(), 2 + rng.NextDouble(), 70 + 40 * rng.NextDouble(), 70 + 40 * rng.NextDouble(), 70 + 40 * rng.NextDouble());
        var skewed = CellMath.Multiply(Unimodular(rng).Select(x => (double)x).ToArray(), cell);
        var reduced = CellMath.Reduce(skewed);
        Assert.Equal(Math.Abs(CellMath.Det(cell)), CellMath.Det(reduced), 9);
        // Integer coordinates of the reduced rows in the original basis: the same lattice.
        var m = CellMath.Multiply(reduced, CellMath.Inverse(cell));
        Assert.All(m, x => Assert.Equal(Math.Round(x), x, 8));
        var p = CellMath.Parameters(reduced);
        Assert.True(p[0] <= p[1] + 1e-12 && p[1] <= p[2] + 1e-12);
        var direct = CellMath.Parameters(CellMath.Reduce(cell));
        for (int i = 0; i < 3; i++) Assert.Equal(direct[i], p[i], 9); // the reduced lengths are invariants of the lattice
        return true;
    }
}
