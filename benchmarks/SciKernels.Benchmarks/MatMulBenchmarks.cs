using BenchmarkDotNet.Attributes;

namespace SciKernels.Benchmarks;

/// <summary>Square float32 matmul C = A·B (2·N³ flops), C returned to the pool every iteration.</summary>
[Config(typeof(SharedVmConfig))]
[ThroughputUnit("GFLOP/s", 1e9)]
public class MatMulBenchmarks
{
    private Tensor a = null!, b = null!;

    [Params(512, 2048)]
    public int N;

    public static double Work(string method, int n) => 2.0 * n * n * n;

    [GlobalSetup]
    public void Setup()
    {
        var g = new Random.Generator(1);
        a = Tensor.Randn(new[] { N, N }, g);
        b = Tensor.Randn(new[] { N, N }, g);
    }

    [Benchmark]
    public void MatMul()
    {
        using var c = a.MatMul(b);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        a.Dispose();
        b.Dispose();
    }
}
