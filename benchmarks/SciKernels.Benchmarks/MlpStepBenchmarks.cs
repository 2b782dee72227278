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

    /// <summary>The step's matmul flops (<see cref="Mlp.StepMatMulFlops"/>).</summary>
    public const double MatMulFlops = Mlp.StepMatMulFlops;

    [GlobalSetup]
    public void Setup() => mlp = new Mlp();

    [Benchmark]
    public void TrainStep() => mlp.Step();

    [GlobalCleanup]
    public void Cleanup() => mlp.Dispose();
}
