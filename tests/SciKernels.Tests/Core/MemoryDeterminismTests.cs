using SciKernels.Autograd;
using SciKernels.Cpu;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Core;

/// <summary>Tests that read process-wide pool counters: they must not run alongside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PoolCounterCollection
{
    /// <summary>Collection name.</summary>
    public const string Name = "CpuBufferPool counters";
}

/// <summary>Scopes return buffers; identical seeds give bit-identical results.</summary>
[Collection(PoolCounterCollection.Name)]
public class MemoryDeterminismTests
{
    [Fact]
    public void ScopedTrainingLoopKeepsLiveBytesFlat()
    {
        var gen = new Generator(1);
        var w = Tensor.Randn(new[] { 3, 4 }, gen, DType.Float32).RequiresGrad_();
        var b = Tensor.Zeros(new[] { 3 }, DType.Float32).RequiresGrad_();
        var x = Tensor.Randn(new[] { 8, 4 }, gen, DType.Float32);
        var y = Tensor.Randn(new[] { 8, 3 }, gen, DType.Float32);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var live = new List<long>();
        double firstLoss = 0, lastLoss = 0;
        for (int step = 0; step < 50; step++)
        {
            using (var scope = TensorScope.Begin())
            {
                var loss = Tensor.Linear(x, w, b).Tanh().Sub(y).Square().Mean();
                loss.Backward();
                using (GradMode.NoGrad())
                {
                    w.AddInPlace(w.Grad!, -0.1);
                    b.AddInPlace(b.Grad!, -0.1);
                }
                w.ZeroGrad();
                b.ZeroGrad();
                if (step == 0) firstLoss = loss.Item();
                lastLoss = loss.Item();
            }
            live.Add(CpuBackend.Instance.Pool.LiveBytes);
        }
        Assert.True(lastLoss < firstLoss, $"the loop should train: {firstLoss} → {lastLoss}");
        Assert.True(live[^1] <= live[4], $"live bytes grew over 50 scoped steps: {string.Join(", ", live)}");
        Assert.True(live.Skip(4).Max() - live.Skip(4).Min() == 0, $"live bytes not flat: {string.Join(", ", live)}");
    }

    [Fact]
    public void ScopeDisposesItsTensorsExceptKeptAndReturned()
    {
        Tensor kept, returned, temp;
        using (var outer = TensorScope.Begin())
        {
            using (var inner = TensorScope.Begin())
            {
                temp = Tensor.Ones(new[] { 4 });
                kept = TensorScope.Keep(temp.Mul(2.0));
                returned = inner.Return(temp.Add(1.0));
            }
            Assert.True(temp.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.False(returned.IsDisposed);
            Assert.Equal(new[] { 2f, 2, 2, 2 }, returned.ToArray<float>());
        }
        Assert.True(returned.IsDisposed);
        Assert.False(kept.IsDisposed);
        kept.Dispose();
    }

    [Fact]
    public void ViewsKeepStorageAliveUntilTheLastIsDisposed()
    {
        var t = Tensor.Arange(6, DType.Float64);
        var r = t.Reshape(2, 3);
        var v = r.T;
        t.Dispose();
        r.Dispose();
        Assert.False(v.Storage.IsReleased);
        Assert.Equal(new double[] { 0, 3, 1, 4, 2, 5 }, v.ToArray<double>());
        v.Dispose();
        Assert.True(v.Storage.IsReleased);
    }

    private static (byte[] Loss, byte[][] Grads) ForwardBackward(ulong seed)
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(seed);
        // Sizes large enough for the parallel GEMM and reduction paths.
        var w1 = Tensor.Randn(new[] { 96, 64 }, gen, DType.Float32, std: 0.2).RequiresGrad_();
        var w2 = Tensor.Randn(new[] { 1, 96 }, gen, DType.Float32, std: 0.2).RequiresGrad_();
        var x = Tensor.Rand(new[] { 300, 64 }, gen, DType.Float32, low: -1, high: 1);
        var h = Tensor.Linear(x, w1).Gelu();
        var u = Tensor.Linear(h, w2);
        var loss = u.Square().Mean().Add(h.Sum(0).Max().Mul(1e-3));
        loss.Backward();
        static byte[] Bytes(Tensor t) => t.ToArray<float>().SelectMany(BitConverter.GetBytes).ToArray();
        var result = (Bytes(loss), new[] { Bytes(w1.Grad!), Bytes(w2.Grad!) });
        w1.ZeroGrad();
        w2.ZeroGrad();
        return result;
    }

    [Fact]
    public void SameSeedGivesBitIdenticalForwardAndBackward()
    {
        var a = ForwardBackward(2024);
        var b = ForwardBackward(2024);
        Assert.Equal(a.Loss, b.Loss);
        for (int i = 0; i < a.Grads.Length; i++) Assert.True(a.Grads[i].SequenceEqual(b.Grads[i]), $"gradient {i} differs between identical runs");
        var c = ForwardBackward(2025);
        Assert.NotEqual(a.Loss, c.Loss);
    }

    [Fact]
    public void GeneratorSequencesAreReproducible()
    {
        var g1 = new Generator(77);
        var g2 = new Generator(77);
        for (int i = 0; i < 100; i++) Assert.Equal(g1.NextUInt64(), g2.NextUInt64());
        for (int i = 0; i < 101; i++) Assert.Equal(g1.NextNormal(), g2.NextNormal());
        Assert.Equal(g1.Permutation(50), g2.Permutation(50));
        Assert.Equal(g1.NextInt64(7), g2.NextInt64(7));
        Assert.Equal(Tensor.Randn(new[] { 5, 5 }, new Generator(3), DType.Float64).ToArray<double>(), Tensor.Randn(new[] { 5, 5 }, new Generator(3), DType.Float64).ToArray<double>());
        Assert.Equal(Tensor.Rand(new[] { 7 }, new Generator(3)).ToArray<float>(), Tensor.Rand(new[] { 7 }, new Generator(3)).ToArray<float>());
        Assert.NotEqual(new Generator(1).NextUInt64(), new Generator(2).NextUInt64());
        var perm = new Generator(9).Permutation(20);
        Assert.Equal(Enumerable.Range(0, 20), perm.OrderBy(i => i));
    }

    [Fact]
    public void GeneratorDistributionsHaveTheRightMoments()
    {
        var g = new Generator(5);
        var u = new double[20000];
        var n = new double[20000];
        g.FillUniform(u, -1, 3);
        g.FillNormal(n, 2, 0.5);
        Assert.InRange(u.Min(), -1, 3);
        Assert.InRange(u.Max(), -1, 3);
        Assert.InRange(u.Average(), 0.95, 1.05);
        Assert.InRange(n.Average(), 1.98, 2.02);
        double sd = Math.Sqrt(n.Select(v => (v - 2) * (v - 2)).Average());
        Assert.InRange(sd, 0.49, 0.51);
    }
}
