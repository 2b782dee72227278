using SciKernels.Cpu;
using SciKernels.Random;
using SciKernels.Storage;
using Xunit;

namespace SciKernels.Tests.Core;

/// <summary>Each CPU backend owns its pool and options: no process-wide state.</summary>
public sealed class CpuBackendInstanceTests
{
    [Fact]
    public void TwoBackendsHaveIndependentPools()
    {
        var a = new CpuBackend();
        var b = new CpuBackend();
        Assert.NotSame(a.Pool, b.Pool);
        Assert.NotSame(CpuBackend.Instance.Pool, a.Pool);

        var storage = a.Allocate(DType.Float64, 1000);
        storage.Retain();
        Assert.Equal(8192, a.Pool.LiveBytes); // 8000 bytes round up to the 8 KiB class
        Assert.Equal(0, b.Pool.LiveBytes);

        storage.ReleaseRef();
        Assert.Equal(0, a.Pool.LiveBytes);
        Assert.Equal(8192, a.Pool.CachedBytes); // back to the pool it came from
        Assert.Equal(0, b.Pool.CachedBytes);

        var again = a.Allocate(DType.Float64, 1000);
        again.Retain();
        Assert.Equal(0, a.Pool.CachedBytes); // reused, not re-allocated
        again.ReleaseRef();
        a.Pool.Trim();
        Assert.Equal(0, a.Pool.CachedBytes);
    }

    [Fact]
    public void PoolBoundComesFromTheOptions()
    {
        var backend = new CpuBackend(new CpuBackendOptions { MaxCachedBytes = 0 });
        Assert.Equal(0, backend.Pool.MaxCachedBytes);
        var storage = backend.Allocate(DType.Float32, 16);
        storage.Retain();
        storage.ReleaseRef();
        Assert.Equal(0, backend.Pool.CachedBytes); // freed, not kept
        Assert.Equal(0, backend.Pool.LiveBytes);
    }

    [Fact]
    public void MaxThreadsIsAnOptionAndDoesNotChangeResults()
    {
        var single = new CpuBackend(new CpuBackendOptions { MaxThreads = 1 });
        Assert.Equal(1, single.Options.MaxThreads);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), CpuBackend.Instance.Options.MaxThreads);
        var gen = new Generator(3);
        var x = Tensor.Randn([4, 160, 150], gen, DType.Float64);
        var y = Tensor.Randn([4, 150, 170], gen, DType.Float64);
        var one = Tensor.Empty([4, 160, 170], DType.Float64);
        var all = Tensor.Empty([4, 160, 170], DType.Float64);
        single.MatMul(x, y, one, accumulate: false);
        CpuBackend.Instance.MatMul(x, y, all, accumulate: false);
        Assert.Equal(all.ToArray<double>(), one.ToArray<double>()); // bitwise: the k order does not depend on threads
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuBackend(new CpuBackendOptions { MaxThreads = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuBackend(new CpuBackendOptions { MaxCachedBytes = -1 }));
    }
}
