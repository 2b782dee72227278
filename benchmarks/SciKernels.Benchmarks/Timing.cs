using System.Diagnostics;

namespace SciKernels.Benchmarks;

/// <summary>The timing protocol shared with benchmarks/pytorch/*.py (and tools/gpu's device benchmarks).</summary>
public static class Timing
{
    /// <summary>Minimum warm-up time per case (the PyTorch scripts use the same).</summary>
    public const double WarmupSeconds = 1.0;

    /// <summary>Median over <paramref name="repeats"/> samples of the mean time of <paramref name="inner"/> calls, in ms.</summary>
    public static double MedianMs(Action call, int warmup, int repeats, int inner)
    {
        // Warm up for at least `warmup` calls AND WarmupSeconds: .NET's tiered JIT runs new code
        // unoptimised (tier 0) and swaps in optimised code only after ~30 calls plus a 100 ms quiet
        // period, so a few calls are not enough (a 16M Sum ran 8x slower in its first 50 ms).
        long w0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmup || Stopwatch.GetElapsedTime(w0).TotalSeconds < WarmupSeconds; i++) call();
        var samples = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++) call();
            samples[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds / inner;
        }
        Array.Sort(samples);
        return repeats % 2 == 1 ? samples[repeats / 2] : 0.5 * (samples[repeats / 2 - 1] + samples[repeats / 2]);
    }
}
