using FsCheck.Xunit;
using SciKernels.Generative;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Generative;

/// <summary>
/// What data-parallel diffusion training rests on: the slice overload of <see cref="EquivariantDiffusion.Loss(Tensor, Tensor, Generator, int, int)"/>
/// draws t and ε for the whole batch, so slices taken by ranks with the same generator state give, weighted by their share,
/// the whole batch's loss and gradient, and leave the generator where the whole-batch loss leaves it.
/// </summary>
public sealed class DiffusionShardingTests
{
    private static (double Loss, float[] Grad) LossAndGrad(EquivariantDiffusion model, Func<Tensor> loss)
    {
        foreach (var p in model.Denoiser.Parameters()) p.ZeroGrad();
        using var scope = TensorScope.Begin();
        var l = loss();
        l.Backward();
        return (l.Item(), model.Denoiser.Parameters().SelectMany(p => p.Grad is { } g ? g.ToArray<float>() : new float[p.NumElements]).ToArray());
    }

    [Property(MaxTest = 6)]
    public bool SlicesWeightedByTheirShareSumToTheBatchLossWithTheSameDraws(int seed, int shape)
    {
        int b = 3 + Math.Abs(shape % 6), ranks = 2 + Math.Abs(shape / 7 % 3); // 3…8 structures on 2…4 ranks
        ranks = Math.Min(ranks, b);
        var model = new EquivariantDiffusion(new EgnnDenoiser(1, 8, 2, new Generator(1)), NoiseSchedule.Polynomial(30));
        var x = ZeroCentre.Noise(b, 5, new Generator((ulong)(uint)seed), DType.Float32);
        var types = model.OneHot(new int[5], b);
        var whole = new Generator((ulong)(uint)seed + 1);
        var (loss, grad) = LossAndGrad(model, () => model.Loss(x, types, whole));
        long next = whole.NextInt64(long.MaxValue);
        double sum = 0;
        var sumGrad = new double[grad.Length];
        for (int r = 0; r < ranks; r++)
        {
            int lo = b * r / ranks, hi = b * (r + 1) / ranks;
            var rank = new Generator((ulong)(uint)seed + 1); // every rank holds the same generator state
            var (part, partGrad) = LossAndGrad(model, () => model.Loss(x, types, rank, lo, hi - lo));
            double share = (double)(hi - lo) / b;
            sum += share * part;
            for (int k = 0; k < grad.Length; k++) sumGrad[k] += share * partGrad[k];
            Assert.Equal(next, rank.NextInt64(long.MaxValue)); // the slice consumed the whole batch's draws
        }
        // float32: the slices' sums are added in another order than the batch's one sum.
        Assert.True(Math.Abs(sum - loss) <= 1e-5 * loss, $"{ranks} slices of {b}: {sum:R}, whole batch {loss:R}");
        double scale = grad.Max(g => Math.Abs((double)g));
        for (int k = 0; k < grad.Length; k++)
            Assert.True(Math.Abs(sumGrad[k] - grad[k]) <= 1e-5 * scale, $"gradient {k}: slices {sumGrad[k]:R}, whole batch {grad[k]:R}");
        return true;
    }

    [Fact]
    public void ASliceOutsideTheBatchIsRefused()
    {
        var model = new EquivariantDiffusion(new EgnnDenoiser(1, 4, 1, new Generator(1)), NoiseSchedule.Polynomial(10));
        var x = ZeroCentre.Noise(4, 3, new Generator(2), DType.Float32);
        var types = model.OneHot(new int[3], 4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Loss(x, types, new Generator(3), 3, 2));
        Assert.Contains("slice [3, 5)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Loss(x, types, new Generator(3), 0, 0));
    }
}
