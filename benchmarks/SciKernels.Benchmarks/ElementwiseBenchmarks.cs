using BenchmarkDotNet.Attributes;

namespace SciKernels.Benchmarks;

/// <summary>
/// Element-wise ops on 16M float32 (64 MiB per tensor). The out-of-place result is a pooled buffer:
/// disposing it each iteration hands the same pages back next time, so no page faults are timed
/// (like PyTorch's caching allocator with glibc's mmap threshold raised).
/// GB/s counts bytes read + written: Add 3×64 MiB, Tanh/Exp 2×64 MiB.
/// </summary>
[Config(typeof(SharedVmConfig))]
[ThroughputUnit("GB/s", 1e9)]
public class ElementwiseBenchmarks
{
    public const int Length = 1 << 24;
    private Tensor a = null!, b = null!;

    public static double Work(string method, int _) => method == nameof(Add) ? 3.0 * 4 * Length : 2.0 * 4 * Length;

    [GlobalSetup]
    public void Setup()
    {
        var g = new Random.Generator(2);
        a = Tensor.Rand(new[] { Length }, g, low: -3, high: 3);
        b = Tensor.Rand(new[] { Length }, g, low: -3, high: 3);
    }

    [Benchmark]
    public void Add()
    {
        using var c = a.Add(b);
    }

    [Benchmark]
    public void Tanh()
    {
        using var c = a.Tanh();
    }

    [Benchmark]
    public void Exp()
    {
        using var c = a.Exp();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        a.Dispose();
        b.Dispose();
    }
}
