using SciKernels.Crystals;
using SciKernels.Potentials;
using Xunit;
using static SciKernels.Tests.Crystals.CrystalTestSupport;

namespace SciKernels.Tests.Crystals;

public sealed class CellRelaxationTests
{
    /// <summary>EMT's FCC lattice constant by golden-section search on the energy of the cubic cell: the minimum along the volume, independent of the relaxation.</summary>
    private static (double A, double EnergyPerAtom) FccMinimum(int z)
    {
        var emt = new Emt();
        double E(double a) => emt.Calculate(Prototypes.Cubic([z, z, z, z], a).Positions, [z, z, z, z], Prototypes.Cubic([z, z, z, z], a).Cell, []).Energy / 4;
        double lo = 3.0, hi = 4.5, g = (Math.Sqrt(5) - 1) / 2;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = E(x1), f2 = E(x2);
        while (hi - lo > 1e-9)
        {
            if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = E(x1); }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = E(x2); }
        }
        double a0 = 0.5 * (lo + hi);
        return (a0, E(a0));
    }

    /// <param name="aseA0">ASE 3.22.1's answer, computed once by ase_fcc_lattice_constants.py (EMT, FIRE over a UnitCellFilter, fmax 1e-6).</param>
    [Theory]
    [InlineData(1, Cu, 3.58982569)]
    [InlineData(2, Cu, 3.58982569)]
    [InlineData(3, Au, 4.05616555)]
    public void StrainedFccRelaxesToTheEmtLatticeConstant(int seed, int z, double aseA0)
    {
        var rng = new System.Random(seed);
        var (a0, e0) = FccMinimum(z);
        Assert.Equal(aseA0, a0, 6);
        // A random strain up to 4 % per component and random displacements of 0.05 Å.
        var strain = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) strain[3 * i + j] = (i == j ? 1 : 0) + 0.04 * (rng.NextDouble() * 2 - 1);
        var cube = Prototypes.Fcc(z);
        var start = Rattle(new AtomicStructure(cube.Numbers, CellMath.RowsTimes(cube.Positions, strain), CellMath.Multiply(cube.Cell!, strain)), rng, 0.05);
        var energies = new List<double>();
        var relax = new CellRelaxation { Fmax = 1e-4, StressMax = 1e-6, MaxSteps = 3000 };
        var result = relax.Relax(start, new Emt(), (_, e, _, _) => energies.Add(e));

        Assert.True(result.Converged, $"not converged after {result.Steps} steps: fmax {result.MaxForce}, stress {result.MaxStress}");
        Assert.True(result.MaxForce < 1e-4 && result.MaxStress < 1e-6);
        Assert.Equal(result.Energy, result.Structure.Energy);
        // The relaxed cell is the cube of edge a0, in some orientation.
        var p = CellMath.Parameters(result.Structure.Cell!);
        for (int k = 0; k < 3; k++) Assert.Equal(a0, p[k], 4);
        for (int k = 3; k < 6; k++) Assert.Equal(90, p[k], 2);
        Assert.Equal(e0, result.EnergyPerAtom, 8);
        Assert.True(new StructureMatcher().Matches(result.Structure, Prototypes.Cubic([z, z, z, z], a0)));
        // Energy goes down: the end is the lowest point and FIRE's uphill steps are rare and small.
        Assert.True(energies[^1] <= energies.Min() + 1e-9 && energies[^1] < energies[0]);
        int uphill = Enumerable.Range(1, energies.Count - 1).Count(i => energies[i] > energies[i - 1] + 1e-9);
        Assert.True(uphill < energies.Count / 5, $"{uphill} of {energies.Count} steps went uphill");
    }

    [Fact]
    public void OrderedAlloysKeepTheirStructureAndLowerTheirEnergy()
    {
        var emt = new Emt();
        foreach (var s in new[] { Prototypes.L12(Cu, Au), Prototypes.L10(Cu, Au), Prototypes.L12(Cu, Ag) })
        {
            double before = emt.Calculate(s.Positions, s.Numbers, s.Cell, []).Energy;
            var r = new CellRelaxation().Relax(s, emt);
            Assert.True(r.Converged);
            Assert.True(r.Energy <= before + 1e-12);
            Assert.True(new StructureMatcher().Matches(s, r.Structure), Composition.Full(s.Numbers));
        }
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var open = new AtomicStructure([Cu], [0, 0, 0]);
        var e = Assert.Throws<ArgumentException>(() => new CellRelaxation().Relax(open, new Emt()));
        Assert.Contains("periodic", e.Message);
        var squeezed = new AtomicStructure([Cu, Cu], [0, 0, 0, 0.1, 0, 0], [1.2, 0, 0, 0, 1.2, 0, 0, 0, 1.2]);
        Assert.Throws<CellRelaxationException>(() => new CellRelaxation().Relax(squeezed, new Emt()));
    }
}
