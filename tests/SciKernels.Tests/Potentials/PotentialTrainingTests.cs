using FsCheck.Xunit;
using SciKernels.Cpu;
using SciKernels.Data;
using SciKernels.Optim;
using SciKernels.Potentials;
using SciKernels.Random;
using SciKernels.Training;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>
/// Training a learned potential on EMT Cu through <see cref="PotentialObjective"/> and <see cref="Trainer"/>:
/// the energy reference fit, the loss going down, bitwise reproducibility, files that round-trip, and
/// the extended-XYZ labels.
/// </summary>
public sealed class PotentialTrainingTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("scikernels-ptrain-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
    }

    internal static (PairMlpPotential Model, TrainingHistory History, List<AtomicStructure> Data) Train(ulong seed, int epochs, IReadOnlyList<TrainingCallback>? callbacks = null)
    {
        var data = EmtCrystals.CopperFcc(12, 5);
        var model = new PairMlpPotential([29], 4.5, new Generator(seed + 1), basis: 6, hidden: [16, 16]);
        var (shift, scale) = PotentialStatistics.FitEnergyReference(data, model.AtomicNumbers);
        model.SetEnergyReference(shift, scale);
        var objective = new PotentialObjective(model, data, new PotentialLossWeights(1, 1, 10));
        var ids = PotentialObjective.Indices(data.Count);
        var trainer = new Trainer(objective, new Adam(model.Parameters(), 5e-3), PotentialObjective.LossOf,
            new TrainerOptions { Epochs = epochs, BatchSize = 4, Seed = seed, Callbacks = [objective.Releaser, .. callbacks ?? []] });
        var history = trainer.Fit(ids, ids);
        objective.Evaluator.Dispose();
        return (model, history, data);
    }

    [Property(MaxTest = 20)]
    public bool EnergyReferenceRecoversExactCompositionEnergies(int seed)
    {
        var rng = new System.Random(seed);
        double mu0 = -5 * rng.NextDouble(), mu1 = -5 * rng.NextDouble();
        var data = new List<AtomicStructure>();
        for (int g = 0; g < 6; g++)
        {
            int n0 = rng.Next(0, 5), n1 = rng.Next(1, 5);
            var numbers = Enumerable.Repeat(29, n0).Concat(Enumerable.Repeat(79, n1)).ToArray();
            var pos = Enumerable.Range(0, 3 * numbers.Length).Select(i => 3.0 * i).ToArray();
            data.Add(new AtomicStructure(numbers, pos, energy: n0 * mu0 + n1 * mu1, forces: pos.Select(_ => 0.5).ToArray()));
        }
        // Two independent compositions are needed for a unique answer.
        var counts = data.Select(d => (d.Numbers.Count(z => z == 29), d.Numbers.Count(z => z == 79))).Distinct().ToArray();
        bool identifiable = counts.Any(a => counts.Any(b => a.Item1 * b.Item2 != a.Item2 * b.Item1));
        var (shift, scale) = PotentialStatistics.FitEnergyReference(data, [29, 79]);
        Assert.Equal(0.5, scale, 12);
        if (!identifiable) return true;
        Assert.True(Math.Abs(shift[0] - mu0) < 1e-8 && Math.Abs(shift[1] - mu1) < 1e-8, $"fitted [{shift[0]}, {shift[1]}], true [{mu0}, {mu1}]");
        return true;
    }

    [Fact]
    public void TrainingLowersTheErrorsAndIsBitwiseReproducible()
    {
        var (model, history, data) = Train(3, 6);
        var (again, historyAgain, _) = Train(3, 6);
        Assert.Equal(history.BatchLosses, historyAgain.BatchLosses);
        Assert.Equal(model.Radial.Parameters().Select(p => p.ToArray<double>()), again.Radial.Parameters().Select(p => p.ToArray<double>()));
        Assert.True(history.Epochs[^1].TrainLoss < 0.7 * history.Epochs[0].TrainLoss,
            $"the loss went from {history.Epochs[0].TrainLoss} to {history.Epochs[^1].TrainLoss}");
        using var ev = new PotentialEvaluator(model, data);
        var errors = PotentialStatistics.Errors(ev.EvaluateAll(), data);
        Assert.True(errors.ForceMae < errors.ForceStd, $"force MAE {errors.ForceMae} vs std {errors.ForceStd}");
    }

    [Fact]
    public void SavedModelPredictsTheSame()
    {
        var (model, _, data) = Train(1, 2);
        string path = Path.Combine(dir, "pair.safetensors");
        var config = new PotentialConfig("pair", model.Cutoff, [.. model.AtomicNumbers], Basis: model.Basis, Hidden: [.. model.Hidden], MinTrainingDistance: 2.1);
        PotentialModels.Save(path, model, config);
        var (loaded, cfg, _) = PotentialModels.Load(path);
        Assert.Equal(2.1, cfg.MinTrainingDistance);
        using var a = new PotentialEvaluator(model, data);
        using var b = new PotentialEvaluator(loaded, data);
        var ra = a.EvaluateAll();
        var rb = b.EvaluateAll();
        for (int k = 0; k < data.Count; k++)
        {
            Assert.Equal(ra[k].Energy, rb[k].Energy);
            Assert.Equal(ra[k].Forces, rb[k].Forces);
            Assert.Equal(ra[k].Stress, rb[k].Stress);
        }
        File.WriteAllBytes(Path.Combine(dir, "junk.safetensors"), [1, 2, 3]);
        Assert.Throws<FormatException>(() => PotentialModels.Load(Path.Combine(dir, "junk.safetensors")));
    }

    [Fact]
    public void ExtendedXyzLabelsRoundTrip()
    {
        var data = EmtCrystals.CopperFcc(3, 11);
        string path = Path.Combine(dir, "cu.extxyz");
        ExtendedXyz.Write(path, data.Select(s => PotentialFrames.FromResults(s.Numbers, s.Positions, s.Cell!, s.Pbc, s.Energy!.Value, s.Forces!, s.Stress)));
        var back = ExtendedXyz.Read(path).Select((f, i) => PotentialFrames.ToStructure(f, i)).ToList();
        for (int k = 0; k < data.Count; k++)
        {
            Assert.Equal(data[k].Energy, back[k].Energy);
            Assert.Equal(data[k].Forces, back[k].Forces);
            Assert.Equal(data[k].Stress, back[k].Stress);
            Assert.Equal(data[k].Positions, back[k].Positions);
        }
        var bad = new XyzFrame(["Cu", "Xq"], [0, 0, 0, 2, 0, 0]);
        Assert.Contains("'Xq' is not a chemical symbol", Assert.Throws<FormatException>(() => PotentialFrames.ToStructure(bad, 4)).Message);
        var badEnergy = new XyzFrame(["Cu"], [0, 0, 0], info: [new("energy", "nan")]);
        Assert.Contains("frame 7", Assert.Throws<FormatException>(() => PotentialFrames.ToStructure(badEnergy, 7)).Message);
    }

    [Fact]
    public void MissingForcesAreNamed()
    {
        var s = new AtomicStructure([29, 29], [0, 0, 0, 2.5, 0, 0], energy: -1);
        var model = new PairMlpPotential([29], 4, new Generator(0));
        var e = Assert.Throws<ArgumentException>(() => new PotentialObjective(model, [s], new PotentialLossWeights()));
        Assert.Contains("structure 0 has no reference forces", e.Message);
    }

    [Fact]
    public void GeneratedCopperIsDeterministicAndThermal()
    {
        var a = EmtCrystals.CopperFcc(20, 9);
        var b = EmtCrystals.CopperFcc(20, 9);
        Assert.Equal(a.SelectMany(s => s.Positions), b.SelectMany(s => s.Positions));
        Assert.Contains(a, s => s.NumAtoms == 31); // some have a vacancy
        Assert.Contains(a, s => s.NumAtoms == 32);
        Assert.All(a, s => Assert.True(s.Energy / s.NumAtoms is > -0.1 and < 0.3 && s.Forces!.Any(f => Math.Abs(f) > 1e-3) && s.Stress is not null));
    }
}

/// <summary>Reads the process-wide pool counters, so it runs alone.</summary>
[Collection(nameof(SciKernels.Tests.Training.PoolCounters))]
public sealed class PotentialTrainingMemoryTests
{
    private sealed class LiveBytesProbe : TrainingCallback
    {
        public List<long> LiveBytes { get; } = new();

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics) => LiveBytes.Add(CpuBackend.Instance.Pool.LiveBytes);
    }

    [Fact]
    public void MemoryStaysFlatAcrossEpochs()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var probe = new LiveBytesProbe();
        PotentialTrainingTests.Train(2, 5, [probe]);
        // After the first epoch (optimizer state, gradients) nothing grows: each step's graphs and double-backward temporaries are freed.
        Assert.True(probe.LiveBytes.Skip(1).All(b => b == probe.LiveBytes[1]), $"live bytes after each epoch: {string.Join(", ", probe.LiveBytes)}");
    }
}
