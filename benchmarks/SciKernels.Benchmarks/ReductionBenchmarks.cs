using BenchmarkDotNet.Attributes;

namespace SciKernels.Benchmarks;

/// <summary>Whole-tensor Sum of 16M float32; GB/s counts the 64 MiB read.</summary>
[Config(typeof(SharedVmConfig))]
[ThroughputUnit("GB/s", 1e9)]
public class ReductionBenchmarks
{
    public const int Length = 1 << 24;
    private Tensor a = null!;

    public static double Work(string method, int _) => 4.0 * Length;

    [GlobalSetup]
    public void Setup() => a = Tensor.Rand(new[] { Length }, new Random.Generator(3));

    [Benchmark]
    public float Sum()
    {
        using var s = a.Sum();
        return s.AsSpan<float>()[0];
    }

    [GlobalCleanup]
    public void Cleanup() => a.Dispose();
}
