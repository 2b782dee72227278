namespace SciKernels.Cpu;

/// <summary>Settings of one <see cref="CpuBackend"/>, fixed when it is created.</summary>
public sealed record CpuBackendOptions
{
    /// <summary>Upper bound on the threads one matrix product uses (all cores by default).</summary>
    /// <remarks>Results do not depend on it: GEMM sums every element in the same order for any thread count.</remarks>
    public int MaxThreads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Upper bound on the bytes the backend's buffer pool keeps for reuse.</summary>
    public long MaxCachedBytes { get; init; } = Storage.CpuBufferPool.DefaultMaxCachedBytes;
}
