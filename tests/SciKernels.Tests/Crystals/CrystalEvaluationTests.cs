using SciKernels.Crystals;
using SciKernels.Potentials;
using Xunit;
using static SciKernels.Tests.Crystals.CrystalTestSupport;

namespace SciKernels.Tests.Crystals;

public sealed class CrystalEvaluationTests
{
    private static AtomicStructure Relaxed(AtomicStructure s) => new CellRelaxation().Relax(s, new Emt()).Structure;

    [Fact]
    public void HandMadeSamplesAreCountedAsStableUniqueAndNew()
    {
        var rng = new System.Random(1);
        var l12 = Relaxed(Prototypes.L12(Cu, Au));
        var l10 = Relaxed(Prototypes.L10(Cu, Au));
        var fcc = Relaxed(Prototypes.Fcc(Cu));
        var references = new Dictionary<string, double>
        {
            ["Cu3Au"] = l12.Energy!.Value / 4,
            ["CuAu"] = l10.Energy!.Value / 4,
            ["Cu"] = fcc.Energy!.Value / 4 - 0.5, // a made-up lower reference: FCC Cu is then 0.5 eV/atom above it, not stable
        };
        var samples = new[]
        {
            Redescribe(l12, rng, false),                               // stable, unique, but a training structure: not new
            Rattle(l10, rng, 0.05),                                     // stable, unique, new
            Redescribe(Prototypes.Supercell(l10, 1, 1, 2), rng, true),  // stable, the same crystal as the previous: not unique
            fcc,                                                        // 0.5 eV/atom above the reference: not stable
            Relaxed(Prototypes.L12(Au, Cu)),                            // CuAu3 has no reference: not stable
        };
        var result = CrystalEvaluation.Evaluate(samples, [l12, fcc], references);

        Assert.Equal(5, result.Count);
        Assert.Equal(0, result.Failed);
        Assert.Equal(1, result.NoReference);
        Assert.Equal(3, result.Stable);
        Assert.Equal(2, result.Unique);
        Assert.Equal(1, result.New);
        Assert.Equal([true, true, true, false, false], result.Samples.Select(s => s.Stable));
        Assert.Equal([true, true, false, false, false], result.Samples.Select(s => s.Unique));
        Assert.Equal([false, true, false, false, false], result.Samples.Select(s => s.New));
        Assert.Equal(0.6, result.StableFraction, 12);
        Assert.Equal(2.0 / 3, result.UniqueFraction, 12);
        Assert.Equal(0.5, result.NewFraction, 12);
        Assert.Equal(0.2, result.SunFraction, 12);
        Assert.Equal(0.5, result.Samples[3].AboveReference, 3);
        Assert.True(double.IsNaN(result.Samples[4].AboveReference));
    }

    [Fact]
    public void SamplesThatCannotRelaxFailAndBadSamplesAreRejected()
    {
        var squeezed = new AtomicStructure([Cu, Cu], [0, 0, 0, 0.1, 0, 0], [1.2, 0, 0, 0, 1.2, 0, 0, 0, 1.2]);
        var r = CrystalEvaluation.Evaluate([squeezed], [], new Dictionary<string, double> { ["Cu"] = -3.5 });
        Assert.Equal(1, r.Failed);
        Assert.Equal(0, r.Stable);
        var open = new AtomicStructure([Cu], [0, 0, 0]);
        Assert.Contains("sample 0", Assert.Throws<ArgumentException>(() => CrystalEvaluation.Evaluate([open], [], new Dictionary<string, double>())).Message);
        var iron = new AtomicStructure([26], [0, 0, 0], [2, 0, 0, 0, 2, 0, 0, 0, 2]);
        Assert.Contains("26", Assert.Throws<ArgumentException>(() => CrystalEvaluation.Evaluate([iron], [], new Dictionary<string, double>())).Message);
    }
}
