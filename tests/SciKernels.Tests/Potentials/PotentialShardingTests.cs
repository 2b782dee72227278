using FsCheck.Xunit;
using SciKernels.Data;
using SciKernels.Potentials;
using SciKernels.Random;
using SciKernels.Training;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>
/// What data-parallel potential training rests on: told the global batch (<see cref="IGlobalBatchLoss"/>), the shards'
/// losses and gradients of <see cref="PotentialObjective"/> sum to the whole batch's, with structures of different atom
/// counts and only some with a stress; and validation error sums add over shards.
/// </summary>
public sealed class PotentialShardingTests
{
    // Cu cells of 4 atoms, 3 after a vacancy (a third of them), a stress on every other one.
    private static List<AtomicStructure> Data(ulong seed)
    {
        var data = EmtCrystals.CopperFcc(8, seed, new EmtCrystalOptions([1], VacancyProbability: 0.4));
        return data.Select((s, g) => g % 2 == 0 ? s : new AtomicStructure(s.Numbers, s.Positions, s.Cell, s.Pbc, s.Energy, s.Forces)).ToList();
    }

    private static (double Loss, double[] Grad) LossAndGrad(PotentialObjective objective, int[] ids, int[]? global)
    {
        foreach (var p in objective.Parameters()) p.ZeroGrad();
        using var scope = TensorScope.Begin();
        if (global is not null) objective.AnnounceGlobalBatch(Tensor.FromDoubles(global.Select(i => (double)i).ToArray(), [global.Length, 1], DType.Float64));
        var loss = objective.Forward(Tensor.FromDoubles(ids.Select(i => (double)i).ToArray(), [ids.Length, 1], DType.Float64));
        loss.Backward();
        double l = loss.Item();
        var grad = objective.Parameters().SelectMany(p => p.Grad is { } g ? g.ToArray<double>() : new double[p.NumElements]).ToArray();
        objective.ReleaseGraphs();
        return (l, grad);
    }

    [Property(MaxTest = 8)]
    public bool ShardPartsSumToTheGlobalBatchLossAndGradient(int seed, int cuts)
    {
        var data = Data((ulong)(uint)seed % 1000);
        var model = new PairMlpPotential([29], 4.0, new Generator(1), basis: 4, hidden: [8]);
        var objective = new PotentialObjective(model, data, new PotentialLossWeights(1, 2, 50));
        var rng = new System.Random(seed);
        var batch = Enumerable.Range(0, data.Count).OrderBy(_ => rng.Next()).Take(2 + rng.Next(data.Count - 1)).ToArray();
        int ranks = 1 + Math.Abs(cuts % 3); // 1 to 3 shards, contiguous as DataParallel.Shard cuts them
        var (whole, wholeGrad) = LossAndGrad(objective, batch, null);
        double sum = 0;
        var sumGrad = new double[wholeGrad.Length];
        for (int r = 0; r < ranks; r++)
        {
            int lo = batch.Length * r / ranks, hi = batch.Length * (r + 1) / ranks;
            if (hi == lo) continue;
            var (part, partGrad) = LossAndGrad(objective, batch[lo..hi], batch);
            sum += part;
            for (int k = 0; k < sumGrad.Length; k++) sumGrad[k] += partGrad[k];
        }
        Assert.True(Math.Abs(sum - whole) <= 1e-12 * Math.Abs(whole), $"{ranks} shards of {batch.Length}: parts sum to {sum:R}, batch loss {whole:R}");
        double scale = wholeGrad.Max(Math.Abs);
        for (int k = 0; k < sumGrad.Length; k++)
            Assert.True(Math.Abs(sumGrad[k] - wholeGrad[k]) <= 1e-11 * scale, $"gradient {k}: parts {sumGrad[k]:R}, batch {wholeGrad[k]:R}");
        objective.Evaluator.Dispose();
        return true;
    }

    [Fact]
    public void ShardMeansWeightedByTheirShareOfStructuresWouldNotSumToTheBatchLoss()
    {
        // The reason for IGlobalBatchLoss: a 4-atom and a 3-atom structure in shards of one each. The force MSE of the
        // batch weighs every atom alike; ½·(mean of shard 1) + ½·(mean of shard 2) weighs every structure alike.
        var data = Data(3);
        int four = data.FindIndex(s => s.NumAtoms == 4), three = data.FindIndex(s => s.NumAtoms == 3);
        Assert.True(four >= 0 && three >= 0, "the data hold no vacancy");
        var model = new PairMlpPotential([29], 4.0, new Generator(1), basis: 4, hidden: [8]);
        var objective = new PotentialObjective(model, data, new PotentialLossWeights(0, 1, 0));
        int[] batch = [four, three];
        double whole = LossAndGrad(objective, batch, null).Loss;
        double naive = 0.5 * LossAndGrad(objective, [four], null).Loss + 0.5 * LossAndGrad(objective, [three], null).Loss;
        double parts = LossAndGrad(objective, [four], batch).Loss + LossAndGrad(objective, [three], batch).Loss;
        Assert.True(Math.Abs(parts - whole) <= 1e-12 * whole, $"parts {parts:R}, batch {whole:R}");
        Assert.True(Math.Abs(naive - whole) > 1e-6 * whole, $"share-weighted means {naive:R} equal the batch loss {whole:R}: the test data do not tell the two apart");
        objective.Evaluator.Dispose();
    }

    [Property(MaxTest = 8)]
    public bool ValidationErrorSumsAddOverShards(int seed)
    {
        var data = Data((ulong)(uint)seed % 1000);
        var model = new PairMlpPotential([29], 4.0, new Generator(2), basis: 4, hidden: [8]);
        PotentialResult[] predicted;
        using (var ev = new PotentialEvaluator(model, data)) predicted = ev.EvaluateAll();
        var whole = PotentialStatistics.Errors(predicted, data);
        int cut = 1 + (int)((uint)seed % (uint)(data.Count - 1));
        var sums = PotentialStatistics.ErrorSums(predicted[..cut], data.GetRange(0, cut));
        var rest = PotentialStatistics.ErrorSums(predicted[cut..], data.GetRange(cut, data.Count - cut));
        for (int k = 0; k < sums.Length; k++) sums[k] += rest[k];
        var merged = PotentialStatistics.ErrorsFromSums(data.Count, sums);
        foreach (var (a, b, name) in new[] { (whole.EnergyMaePerAtom, merged.EnergyMaePerAtom, "energy MAE"), (whole.ForceRmse, merged.ForceRmse, "force RMSE"),
                     (whole.ForceStd, merged.ForceStd, "force std"), (whole.StressMae, merged.StressMae, "stress MAE") })
            Assert.True(Math.Abs(a - b) <= 1e-12 * Math.Abs(a), $"{name}: whole {a:R}, from shard sums {b:R}");
        Assert.Equal(data.Count, merged.Structures);
        return true;
    }
}
