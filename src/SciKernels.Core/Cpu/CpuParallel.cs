namespace SciKernels.Cpu;

/// <summary>
/// Fixed-grain parallel loops. Chunk boundaries depend only on the problem size, never on the
/// thread count, so every reduction sums in the same order: same input, same bits.
/// </summary>
internal static class CpuParallel
{
    /// <summary>Elements per chunk for memory-bound element-wise loops (256 KiB of floats).</summary>
    public const long ElementGrain = 1 << 16;

    /// <summary>Runs body(start, length) over [0, n) in chunks of <paramref name="grain"/>, in parallel when there is more than one chunk.</summary>
    public static void For(long n, long grain, Action<long, long> body)
    {
        if (n <= 0) return;
        long chunks = (n + grain - 1) / grain;
        if (chunks == 1 || Environment.ProcessorCount == 1)
        {
            for (long c = 0; c < chunks; c++) body(c * grain, Math.Min(grain, n - c * grain));
            return;
        }
        CpuWorkers.For(chunks, c =>
        {
            long start = c * grain;
            body(start, Math.Min(grain, n - start));
        });
    }
}
