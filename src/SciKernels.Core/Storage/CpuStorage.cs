namespace SciKernels.Storage;

/// <summary>Host memory storage: a pooled, 64-byte aligned native buffer.</summary>
public sealed unsafe class CpuStorage : TensorStorage
{
    private readonly int sizeClass;

    /// <summary>Rents an uninitialised buffer for <paramref name="length"/> elements.</summary>
    public CpuStorage(DType dtype, long length) : base(Device.Cpu, dtype, length)
    {
        Pointer = CpuBufferPool.Rent(checked(length * dtype.ElementSize()), out sizeClass);
    }

    /// <summary>Address of element 0.</summary>
    public nint Pointer { get; }

    /// <summary>Safety net for tensors that were never disposed.</summary>
    ~CpuStorage() => ReleaseOnce();

    /// <inheritdoc/>
    protected override void Free() => CpuBufferPool.Return(Pointer, sizeClass);
}
