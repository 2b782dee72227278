using BenchmarkDotNet.Attributes;

namespace SciKernels.Benchmarks;

/// <summary>
/// One training step of a 2→64→64→1 tanh MLP on a batch of 4096 (forward, MSE loss, backward,
/// SGD update). Throughput counts the useful matmul flops (forward 2·B·Σ in·out, backward twice that).
/// </summary>
[Config(typeof(SharedVmConfig))]
[ThroughputUnit("GFLOP/s", 1e9)]
public class MlpStepBenchmarks
{
    private Mlp mlp = null!;

    public static double Work(string method, int _) => MatMulFlops;

    /// <summary>Forward 2·B·(2·64 + 64·64 + 64·1) flops; backward computes dX and dW: ×3 in total.</summary>
    public const double MatMulFlops = 3 * 2.0 * Mlp.Batch * (Mlp.In * Mlp.Hidden + Mlp.Hidden * Mlp.Hidden + Mlp.Hidden * Mlp.Out);

    [GlobalSetup]
    public void Setup() => mlp = new Mlp();

    [Benchmark]
    public void TrainStep() => mlp.Step();

    [GlobalCleanup]
    public void Cleanup() => mlp.Dispose();
}
