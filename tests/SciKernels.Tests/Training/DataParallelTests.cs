using FsCheck.Xunit;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Random;
using SciKernels.Training;
using SciKernels.Training.Distributed;
using Xunit;

namespace SciKernels.Tests.Training;

/// <summary>
/// The single-process parts of data-parallel training: sharding, gradient bucketing, and that a run without
/// mpirun is unchanged. The multi-rank behaviour is tested through mpirun in SciKernels.Cli.Tests (DistributedTests).
/// </summary>
public sealed class DataParallelTests
{
    [Property(MaxTest = 200)]
    public bool ShardsPartitionTheBatchInRankOrder(ushort start, ushort length, byte ranks)
    {
        int size = 1 + ranks % 16;
        int next = start;
        for (int r = 0; r < size; r++)
        {
            var (s, len) = DataParallel.Shard(start, length, r, size);
            if (s != next || len < length / size || len > (length + size - 1) / size) return false;
            next = s + len;
        }
        return next == start + length;
    }

    [Fact]
    public void WithoutALauncherTheWorldIsOneRankAndLibmpiIsNotLoaded()
    {
        Skip.If(MpiComm.IsLaunched, "the tests themselves run under an MPI launcher");
        var world = MpiComm.World;
        Assert.Equal((0, 1, false), (world.Rank, world.Size, world.UsesMpi));
        float[] data = [1.5f, -2f];
        world.Allreduce(data.AsSpan());
        world.Broadcast(data.AsSpan());
        world.Barrier();
        Assert.Equal([1.5f, -2f], data);
        Assert.DoesNotContain("libmpi", File.ReadAllText("/proc/self/maps"), StringComparison.Ordinal);
    }

    [Property(MaxTest = 30)]
    public bool ReducingOnOneRankScalesEveryGradientAcrossBucketBoundaries(int seed)
    {
        var gen = new Generator((ulong)(uint)seed);
        int count = 1 + (int)gen.NextInt64(5);
        var parameters = Enumerable.Range(0, count)
            .Select(_ => Tensor.Randn([1 + (int)gen.NextInt64(40), 1 + (int)gen.NextInt64(30)], gen).RequiresGrad_()).ToList();
        var expected = new float[]?[count];
        for (int i = 0; i < count; i++)
        {
            if (gen.NextDouble() < 0.25) continue; // some parameters have no gradient
            parameters[i].Grad = Tensor.Randn(parameters[i].Shape.ToArray(), gen);
            expected[i] = parameters[i].Grad!.ToArray<float>();
        }
        double weight = 0.1 + gen.NextDouble();
        var dp = new DataParallel(MpiComm.World, bucketBytes: 1024 * (1 + (int)gen.NextInt64(4))); // 256 … 1024 floats: parameters straddle buckets
        dp.ReduceGradients(parameters, weight);
        for (int i = 0; i < count; i++)
        {
            if (expected[i] is null)
            {
                if (parameters[i].Grad is not null) return false;
                continue;
            }
            var got = parameters[i].Grad!.ToArray<float>();
            for (int k = 0; k < got.Length; k++)
                if (got[k] != expected[i]![k] * (float)weight) return false;
        }
        return dp.ReducedSteps == 1;
    }

    [Property(MaxTest = 20)]
    public bool OverlappedBucketsDuringBackwardGiveTheWeightedGradients(int seed)
    {
        // One rank (the Allreduce is the identity): what is tested is the bucketing during the pass — every gradient
        // packed once when final, buckets of whole parameters launched in order, unused parameters left without one.
        var gen = new Generator((ulong)(uint)seed);
        int count = 2 + (int)gen.NextInt64(5);
        var parameters = Enumerable.Range(0, count).Select(_ => Tensor.Randn([1 + (int)gen.NextInt64(30), 8], gen).RequiresGrad_()).ToList();
        var used = parameters.Select(_ => gen.NextDouble() < 0.8).ToArray();
        double weight = 0.1 + gen.NextDouble();
        Tensor Loss()
        {
            Tensor? total = null;
            for (int i = 0; i < count; i++)
                if (used[i]) total = total is null ? parameters[i].Tanh().Sum() : total + parameters[i].Square().Sum() * (i + 1);
            return total ?? parameters[0].Mul(0).Sum();
        }
        Loss().Backward();
        var expected = parameters.Select(p => p.Grad?.ToArray<float>().Select(v => v * (float)weight).ToArray()).ToArray();
        foreach (var p in parameters) p.ZeroGrad();
        var dp = new DataParallel(MpiComm.World, bucketBytes: 1024); // 256 floats: several buckets
        for (int step = 0; step < 2; step++) // the plan is reused across steps
        {
            foreach (var p in parameters) p.ZeroGrad();
            using (dp.StartOverlap(parameters, weight)) Loss().Backward();
            dp.FinishOverlap();
            for (int i = 0; i < count; i++)
            {
                if (expected[i] is null) { if (parameters[i].Grad is not null) return false; continue; }
                if (!parameters[i].Grad!.ToArray<float>().SequenceEqual(expected[i]!)) return false;
            }
        }
        return dp.ReducedSteps == 2;
    }

    [Fact]
    public void OneRankDataParallelTrainsExactlyAsWithout()
    {
        Skip.If(MpiComm.IsLaunched, "the tests themselves run under an MPI launcher");
        var plain = Train(null);
        var dp = Train(new DataParallel(MpiComm.World, "recipe"));
        Assert.Equal(plain, dp);
    }

    private static double[] Train(DataParallel? dataParallel)
    {
        var (x, y) = TrainerTests.Data(7, 50);
        using var model = new Sequential(new Linear(2, 8, generator: new Generator(1)), new Tanh(), new Linear(8, 1, generator: new Generator(2)));
        var opt = new Adam(model.Parameters(), 1e-2);
        var history = new Trainer(model, opt, (p, t) => Losses.Mse(p, t), new TrainerOptions
        {
            Epochs = 2,
            BatchSize = 16,
            Seed = 5,
            DataParallel = dataParallel,
        }).Fit(x, y);
        return [.. history.BatchLosses];
    }
}
