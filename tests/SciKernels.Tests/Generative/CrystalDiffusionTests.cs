using SciKernels.Generative;
using SciKernels.Generative.Crystals;
using SciKernels.Optim;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Generative;

/// <summary>The crystal diffusion model: data conversion, errors, reproducible samples and a loss that training lowers.</summary>
public sealed class CrystalDiffusionTests
{
    private static readonly int[] CuAu = [29, 79];

    private static CrystalDiffusion Model(bool diffuseLattice, int steps = 20, ulong seed = 1, int hidden = 16)
    {
        var denoiser = new PeriodicDenoiser(2, hidden, 2, new Generator(seed), frequencies: 4, timeFrequencies: 4);
        return new CrystalDiffusion(denoiser, CuAu, 12.5, new TorusSchedule(steps), NoiseSchedule.Cosine(steps), diffuseLattice);
    }

    [Fact]
    public void StructuresRoundTripThroughFractionalCoordinates()
    {
        foreach (var s in ToyCrystals.Generate(12, 5))
        {
            var c = FractionalCrystal.FromStructure(s);
            Assert.All(c.Fractional, f => Assert.InRange(f, 0, 1 - 1e-17));
            var back = c.CartesianPositions();
            // Same positions up to lattice vectors: the fractional difference is an integer vector.
            var again = FractionalCrystal.FromStructure(new SciKernels.Potentials.AtomicStructure(s.Numbers, back, s.Cell, s.Pbc));
            for (int i = 0; i < c.Fractional.Length; i++) Assert.Equal(c.Fractional[i], again.Fractional[i], 10);
            Assert.Equal(Math.Abs(c.Determinant), s.Volume, 9);
        }
        var open = new SciKernels.Potentials.AtomicStructure([29], [0, 0, 0]);
        Assert.Contains("no cell", Assert.Throws<ArgumentException>(() => FractionalCrystal.FromStructure(open)).Message);
    }

    [Fact]
    public void UnknownSpeciesAndMissingLatticeAreErrorsBeforeAnyWork()
    {
        var model = Model(diffuseLattice: true);
        var e = Assert.Throws<ArgumentException>(() => model.Sample(2, [29, 47], new Generator(1)));
        Assert.Contains("Ag", e.Message);
        Assert.Contains("never saw", e.Message);
        var fixedModel = Model(diffuseLattice: false);
        Assert.Contains("give the lattice", Assert.Throws<ArgumentException>(() => fixedModel.Sample(2, [29, 79], new Generator(1))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Sample(0, [29, 79], new Generator(1)));
        var withAg = ToyCrystals.Generate(3, 1).Select(FractionalCrystal.FromStructure).ToList();
        withAg[2] = new FractionalCrystal([47, 29, 29, 29], withAg[2].Fractional, withAg[2].Lattice);
        Assert.Contains("never saw", Assert.Throws<ArgumentException>(() => model.Loss(withAg, new Generator(2))).Message);
    }

    [Fact]
    public void SamplesAreReproducibleAndKeepAGivenLattice()
    {
        var model = Model(diffuseLattice: true);
        int[] composition = [29, 29, 29, 79];
        var opts = new CrystalSamplerOptions { BatchSize = 2 };
        var a = model.Sample(3, composition, new Generator(9), opts);
        var b = model.Sample(3, composition, new Generator(9), opts);
        Assert.Equal(3, a.Count);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(a[k].Fractional, b[k].Fractional);
            Assert.Equal(a[k].Lattice, b[k].Lattice);
            Assert.Equal(composition, a[k].Numbers);
            Assert.All(a[k].Fractional, f => Assert.InRange(f, 0, 1 - 1e-17));
        }
        Assert.NotEqual(a[0].Fractional, a[1].Fractional);
        var c = model.Sample(3, composition, new Generator(10), opts);
        Assert.NotEqual(a[0].Fractional, c[0].Fractional);
        double[] cell = [3.7, 0, 0, 0, 3.7, 0, 0, 0, 3.7];
        var fixedLattice = Model(diffuseLattice: false).Sample(2, composition, new Generator(4), lattices: [cell]);
        Assert.All(fixedLattice, s => Assert.Equal(cell, s.Lattice));
    }

    [Fact]
    public void TheLossTargetsHaveUnitScaleAndVanishForAPerfectPredictor()
    {
        // With zero weights in the heads the coordinate loss is E[(score/√λ)²] = 1 and the lattice loss E[ε²] = 1.
        var model = Model(diffuseLattice: true, steps: 50);
        using (SciKernels.Autograd.GradMode.NoGrad())
            foreach (var (name, p) in model.Denoiser.NamedParameters())
                if (name.Contains("head", StringComparison.Ordinal)) p.AffineInPlace(0, 0);
        var data = ToyCrystals.Generate(48, 3).Select(FractionalCrystal.FromStructure).ToList();
        var loss = model.Loss(data, new Generator(5));
        Assert.InRange(loss.Coordinates.Item(), 0.85, 1.15);
        Assert.InRange(loss.Lattice!.Item(), 0.7, 1.3);
        Assert.Equal(loss.Coordinates.Item() + loss.Lattice.Item(), loss.Total.Item(), 5);
    }

    [Fact]
    public void AShortTrainingLowersTheLoss()
    {
        var model = Model(diffuseLattice: true, steps: 50, hidden: 32);
        var data = ToyCrystals.Generate(24, 11).Select(FractionalCrystal.FromStructure).ToList();
        double Evaluate()
        {
            // The same times and noise every evaluation: 4 draws over the whole set.
            var gen = new Generator(77);
            double sum = 0;
            using (SciKernels.Autograd.GradMode.NoGrad())
                for (int r = 0; r < 4; r++)
                    using (TensorScope.Begin()) sum += model.Loss(data, gen).Total.Item();
            return sum / 4;
        }
        double before = Evaluate();
        var adam = new Adam(model.Denoiser.Parameters(), 3e-3);
        var gen = new Generator(8);
        for (int step = 0; step < 120; step++)
        {
            var batch = Enumerable.Range(0, 8).Select(_ => data[(int)gen.NextInt64(data.Count)]).ToList();
            using var scope = TensorScope.Begin();
            adam.ZeroGrad();
            model.Loss(batch, gen).Total.Backward();
            adam.Step();
        }
        double after = Evaluate();
        Assert.True(after < 0.8 * before, $"loss {before:F4} → {after:F4}");
    }
}
