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

    /// <summary>Independent springs to fixed anchors: E = ½ k Σ |x − x0|², a calculator that is not EMT.</summary>
    private sealed class Springs(double[] anchor, double k) : IAtomsCalculator
    {
        public string Name => "springs";

        public CalculatorResult Calculate(ReadOnlySpan<double> positions, ReadOnlySpan<int> numbers, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc)
        {
            var f = new double[positions.Length];
            double e = 0;
            for (int i = 0; i < f.Length; i++)
            {
                double d = positions[i] - anchor[i];
                f[i] = -k * d;
                e += 0.5 * k * d * d;
            }
            return new CalculatorResult(e, null, f, null);
        }
    }

    /// <summary>
    /// Any <see cref="IAtomsCalculator"/> drives the integrator: for harmonic springs released at rest,
    /// velocity Verlet's positions are exactly x0 + A cos(nθ) with cos θ = 1 − (ω h)²/2.
    /// </summary>
    [Fact]
    public void HarmonicSpringsFollowTheDiscreteSolution()
    {
        double[] anchor = [0, 0, 0, 3, 0, 0];
        double[] start = [0.1, -0.05, 0.02, 3.2, 0, -0.1];
        const double k = 1.5, h = 1.0;
        int[] numbers = [29, 79];
        var md = new VelocityVerlet(new Springs(anchor, k), numbers, start, new double[6], [], [], h);
        const int Steps = 2000;
        md.Run(Steps);
        var m = MolecularDynamics.Masses(numbers);
        for (int i = 0; i < 6; i++)
        {
            double w = Math.Sqrt(k / m[i / 3]) * h * MolecularDynamics.Femtosecond;
            double theta = Math.Acos(1 - w * w / 2);
            double expected = anchor[i] + (start[i] - anchor[i]) * Math.Cos(Steps * theta);
            Assert.True(Math.Abs(md.Positions[i] - expected) < 1e-9, $"coordinate {i}: {md.Positions[i]:R} vs {expected:R}");
        }
    }
}
