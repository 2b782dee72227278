namespace SciKernels.Storage;

/// <summary>
/// A flat buffer of elements on one device, shared by every tensor view of it.
/// </summary>
/// <remarks>
/// Views share a storage and count references to it: the buffer goes back to its pool when the last
/// tensor using it is disposed (or, as a safety net, when the storage is finalized).
/// </remarks>
public abstract class TensorStorage
{
    private int refs;
    private int released;
    private int version;

    /// <summary>Creates storage for <paramref name="length"/> elements of <paramref name="dtype"/>.</summary>
    protected TensorStorage(Device device, DType dtype, long length)
    {
        Device = device;
        DType = dtype;
        Length = length;
    }

    /// <summary>Device holding the buffer.</summary>
    public Device Device { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Size in bytes.</summary>
    public long ByteLength => Length * DType.ElementSize();

    /// <summary>True once the buffer has been returned.</summary>
    public bool IsReleased => Volatile.Read(ref released) != 0;

    /// <summary>Number of in-place updates of this buffer so far (see <see cref="Tensor.Version"/>).</summary>
    public int Version => Volatile.Read(ref version);

    internal void BumpVersion() => Interlocked.Increment(ref version);

    internal void Retain() => Interlocked.Increment(ref refs);

    internal void ReleaseRef()
    {
        if (Interlocked.Decrement(ref refs) == 0) ReleaseOnce();
    }

    /// <summary>Returns the buffer once, from Dispose or the finalizer.</summary>
    protected void ReleaseOnce()
    {
        if (Interlocked.Exchange(ref released, 1) == 0)
        {
            Free();
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Returns the underlying buffer to its pool or frees it.</summary>
    protected abstract void Free();
}
