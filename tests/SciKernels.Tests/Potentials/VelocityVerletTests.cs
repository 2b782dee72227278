using SciKernels.Potentials;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>NVE velocity Verlet with EMT: energy conservation, determinism, explosion guard.</summary>
public sealed class VelocityVerletTests
{
    /// <summary>Cubic FCC Cu supercell, n³ cells of 4 atoms, lattice constant 3.61 Å.</summary>
    private static (double[] Positions, int[] Numbers, double[] Cell) Copper(int n)
    {
        const double a = 3.61;
        double[][] basis = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
        var pos = new List<double>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++)
                    foreach (var b in basis)
                    {
                        pos.Add((i + b[0]) * a);
                        pos.Add((j + b[1]) * a);
                        pos.Add((k + b[2]) * a);
                    }
        double l = n * a;
        return (pos.ToArray(), Enumerable.Repeat(29, pos.Count / 3).ToArray(), [l, 0, 0, 0, l, 0, 0, 0, l]);
    }

    [Fact]
    public void CopperAt300KConservesEnergyOver1000Steps()
    {
        var (pos, numbers, cell) = Copper(3);
        var v = VelocityVerlet.MaxwellBoltzmann(numbers, 2 * 300, seed: 5); // equipartition halves it into the potential
        var md = new VelocityVerlet(new Emt(), numbers, pos, v, cell, [true, true, true], timestepFs: 2);
        double e0 = md.TotalEnergy, maxDev = 0;
        for (int block = 0; block < 100; block++)
        {
            md.Run(10);
            maxDev = Math.Max(maxDev, Math.Abs(md.TotalEnergy - e0));
        }
        Assert.Equal(1000, md.StepCount);
        // The system really moved and heated up to the hundreds of kelvins...
        Assert.InRange(md.Temperature, 150, 700);
        // ...while the total energy stayed within 1 meV/atom of its start (2 fs steps; a wrong force sign or
        // a missing ½ in the kick drifts by orders of magnitude more).
        Assert.True(maxDev / numbers.Length < 1e-3, $"energy deviation {maxDev / numbers.Length:R} eV/atom over 1000 steps");
    }

    [Fact]
    public void SameSeedSameTrajectory()
    {
        var (pos, numbers, cell) = Copper(2);
        double[] Run()
        {
            var md = new VelocityVerlet(new Emt(), numbers, pos, VelocityVerlet.MaxwellBoltzmann(numbers, 500, seed: 9), cell, [true, true, true], 1);
            md.Run(20);
            return md.Positions;
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void ExplodingRunStopsWithAMessage()
    {
        var (pos, numbers, cell) = Copper(2);
        // 50 000 K and a 20 fs step: atoms run into each other within a few steps.
        var md = new VelocityVerlet(new Emt(), numbers, pos, VelocityVerlet.MaxwellBoltzmann(numbers, 50_000, seed: 1), cell, [true, true, true], 20)
        {
            MaxEnergyDriftPerAtom = 0.5,
        };
        var ex = Assert.Throws<InvalidOperationException>(() => md.Run(1000));
        Assert.Contains("exploded", ex.Message);
    }
}
