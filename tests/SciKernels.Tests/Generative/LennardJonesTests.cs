using FsCheck.Xunit;
using SciKernels.Data;
using SciKernels.Generative;
using Xunit;

namespace SciKernels.Tests.Generative;

/// <summary>Lennard-Jones forces, FIRE relaxation to the LJ13 global minimum, and the LJ13 data.</summary>
public sealed class LennardJonesTests
{
    /// <summary>A perturbed optimal icosahedron: every coordinate moved uniformly by up to ±<paramref name="amplitude"/>.</summary>
    private static double[] Perturbed(int seed, double amplitude)
    {
        var rng = new System.Random(seed);
        var p = Lj13.Icosahedron(Lj13.OptimalIcosahedronRadius());
        for (int k = 0; k < p.Length; k++) p[k] += amplitude * (2 * rng.NextDouble() - 1);
        return p;
    }

    [Property(MaxTest = 20)]
    public bool ForcesAreMinusEnergyGradient(int seed)
    {
        var p = Perturbed(seed, 0.2);
        var f = new double[p.Length];
        LennardJones.EnergyAndForces(p, f);
        const double h = 1e-6;
        for (int k = 0; k < p.Length; k++)
        {
            var plus = (double[])p.Clone();
            var minus = (double[])p.Clone();
            plus[k] += h;
            minus[k] -= h;
            double fd = -(LennardJones.Energy(plus) - LennardJones.Energy(minus)) / (2 * h);
            Assert.True(Math.Abs(fd - f[k]) <= 1e-6 * Math.Max(1, Math.Abs(fd)), $"seed {seed}: component {k}: analytic {f[k]:R}, finite difference {fd:R}");
        }
        return true;
    }

    [Fact]
    public void PairEnergyHasItsMinimumAtTwoToTheSixth()
    {
        double rmin = Math.Pow(2, 1.0 / 6);
        Assert.Equal(-1, LennardJones.PairEnergy(rmin), 12);
        Assert.Equal(0, LennardJones.PairEnergy(1), 12);
        Assert.Equal(-1, LennardJones.Energy([0, 0, 0, rmin, 0, 0]), 12);
    }

    [Fact]
    public void PerfectIcosahedronAtOptimalRadiusIsTheGlobalMinimum()
    {
        double r = Lj13.OptimalIcosahedronRadius();
        var p = Lj13.Icosahedron(r);
        double e = LennardJones.Energy(p);
        Assert.True(Math.Abs(e - Lj13.GlobalMinimumEnergy) < 1e-6, $"E = {e:R} at R = {r:R}");
        // A stationary point: the forces vanish, and any other radius is higher.
        var f = new double[p.Length];
        LennardJones.EnergyAndForces(p, f);
        Assert.True(Fire.MaxAtomForce(f) < 1e-9, $"max force {Fire.MaxAtomForce(f)}");
        Assert.True(LennardJones.Energy(Lj13.Icosahedron(r * 1.01)) > e);
        Assert.True(LennardJones.Energy(Lj13.Icosahedron(r * 0.99)) > e);
        // The 12 vertices are equidistant from the centre and have 5 nearest neighbours each.
        for (int i = 1; i < 13; i++)
            Assert.Equal(r, Math.Sqrt(p[3 * i] * p[3 * i] + p[3 * i + 1] * p[3 * i + 1] + p[3 * i + 2] * p[3 * i + 2]), 12);
    }

    [Property(MaxTest = 10)]
    public bool FireReachesTheIcosahedronFromPerturbedIcosahedra(int seed)
    {
        var p = Perturbed(seed, 0.15);
        Assert.False(Lj13.IsIcosahedronEnergy(LennardJones.Energy(p)));
        var (relax, ico) = Lj13.RelaxAndClassify(p);
        Assert.True(relax.Converged, $"seed {seed}: not converged after {relax.Steps} steps (fmax {relax.MaxForce})");
        Assert.True(ico, $"seed {seed}: relaxed to {relax.Energy:R}, not {Lj13.GlobalMinimumEnergy}");
        return true;
    }

    [Fact]
    public void FireStopsAtTheBudgetAndRejectsBadInput()
    {
        var p = Perturbed(3, 0.3);
        var r = new Fire().Relax(p, LennardJones.EnergyAndForces, 1e-8, 3);
        Assert.False(r.Converged);
        Assert.Equal(3, r.Steps);
        Assert.Throws<ArgumentException>(() => Lj13.RelaxAndClassify(new double[12]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Fire().Relax(p, LennardJones.EnergyAndForces, 0));
        var clash = new double[6];
        Assert.Contains("coincide", Assert.Throws<ArgumentException>(() => LennardJones.Energy(clash)).Message);
    }

    [Fact]
    public void Lj13DataAreDeterministicCentredAndCached()
    {
        string dir = Path.Combine(Path.GetTempPath(), "scikernels-lj13-" + Guid.NewGuid().ToString("N"));
        try
        {
            var a = Lj13Dataset.Load(40, 5, cacheDirectory: dir);
            var b = Lj13Dataset.Load(40, 5);
            Assert.Equal(a.Positions, b.Positions);
            var c = Lj13Dataset.Load(40, 5, cacheDirectory: dir); // from the cache
            Assert.True(double.IsNaN(c.Acceptance));
            Assert.Equal(a.Positions, c.Positions);
            Assert.NotEqual(a.Positions, Lj13Dataset.Load(40, 6).Positions);
            Assert.True(ZeroCentre.MaxCentreOffset(a.Positions, 13) < 1e-12);
            for (int k = 0; k < a.Count; k++)
            {
                Assert.Equal(LennardJones.Energy(a.Structure(k)), a.Energies[k], 9);
                // Solid at T = 0.1: close to the minimum, far from a dissociated cluster.
                Assert.InRange(a.Energies[k], Lj13.GlobalMinimumEnergy, -35);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
