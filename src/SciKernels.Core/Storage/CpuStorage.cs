namespace SciKernels.Storage;

/// <summary>Host memory storage: a pooled, 64-byte aligned native buffer.</summary>
public sealed unsafe class CpuStorage : TensorStorage
{
    private readonly CpuBufferPool pool;
    private readonly int sizeClass;

    /// <summary>Rents an uninitialised buffer for <paramref name="length"/> elements from <paramref name="pool"/>.</summary>
    /// <param name="pool">The pool the buffer comes from and returns to (its backend's <see cref="Cpu.CpuBackend.Pool"/>).</param>
    /// <param name="dtype">Element type.</param>
    /// <param name="length">Number of elements.</param>
    public CpuStorage(CpuBufferPool pool, DType dtype, long length) : base(Device.Cpu, dtype, length)
    {
        ArgumentNullException.ThrowIfNull(pool);
        this.pool = pool;
        Pointer = pool.Rent(checked(length * dtype.ElementSize()), out sizeClass);
    }

    /// <summary>Address of element 0.</summary>
    public nint Pointer { get; }

    /// <summary>Safety net for tensors that were never disposed.</summary>
    ~CpuStorage() => ReleaseOnce();

    /// <inheritdoc/>
    protected override void Free() => pool.Return(Pointer, sizeClass);
}
