using BenchmarkDotNet.Attributes;

namespace SciKernels.Benchmarks;

/// <summary>
/// Issue 5 item 7 and issue 4 item 7 as BenchmarkDotNet cases: Fourier layers forward+backward, FNO
/// training steps, an Adam step over 1M parameters and an MLP training epoch. The workloads (shapes,
/// seeds) are <see cref="FnoWorkloads"/>'s, the same as the quick side-by-side runner's.
/// </summary>
[Config(typeof(SharedVmConfig))]
public class FnoBenchmarks
{
    private Workload spectral1d = null!, spectral2d = null!, fno1d = null!, fno2d = null!, adam = null!, mlpEpoch = null!;

    [GlobalSetup]
    public void Setup()
    {
        spectral1d = new SpectralConvWorkload(1);
        spectral2d = new SpectralConvWorkload(2);
        fno1d = new FnoStepWorkload(1);
        fno2d = new FnoStepWorkload(2);
        adam = new AdamStepWorkload();
        mlpEpoch = new MlpEpochWorkload();
    }

    /// <summary>SpectralConv1d forward + backward, [20, 64, 1024], 16 modes.</summary>
    [Benchmark]
    public void SpectralConv1dFwdBwd() => spectral1d.Run();

    /// <summary>SpectralConv2d forward + backward, [20, 32, 64, 64], 12×12 modes per corner.</summary>
    [Benchmark]
    public void SpectralConv2dFwdBwd() => spectral2d.Run();

    /// <summary>FNO1d training step (batch 20, s = 1024, width 64, 16 modes).</summary>
    [Benchmark]
    public void Fno1dStep() => fno1d.Run();

    /// <summary>FNO2d training step (batch 20, 64×64, width 32, 12 modes).</summary>
    [Benchmark]
    public void Fno2dStep() => fno2d.Run();

    /// <summary>Adam step over 1 048 576 parameters.</summary>
    [Benchmark]
    public void AdamStep1M() => adam.Run();

    /// <summary>MLP 2-64-64-1 epoch: 8192 samples, batch 128, Adam.</summary>
    [Benchmark]
    public void MlpEpoch() => mlpEpoch.Run();

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var w in new[] { spectral1d, spectral2d, fno1d, fno2d, adam, mlpEpoch }) w.Dispose();
    }
}
