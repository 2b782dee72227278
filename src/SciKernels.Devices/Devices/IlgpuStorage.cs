using ILGPU;
using SciKernels.Kernels.Runtime;
using SciKernels.Storage;

namespace SciKernels.Devices;

/// <summary>
/// Device memory of an ILGPU accelerator: a byte buffer rented from the accelerator's
/// <see cref="DeviceBufferPool"/> (so steady-state training allocates nothing on the device) and
/// viewed as the tensor's element type by the kernels.
/// </summary>
public sealed class IlgpuStorage : TensorStorage
{
    private readonly PooledBuffer<byte> buffer;

    internal IlgpuStorage(Device device, DType dtype, long length, DeviceBufferPool pool)
        : base(device, dtype, length)
    {
        buffer = pool.Rent<byte>(checked(length * dtype.ElementSize()));
    }

    /// <summary>The buffer as bytes (exactly <see cref="TensorStorage.ByteLength"/> long).</summary>
    public ArrayView<byte> Bytes => buffer.View;

    /// <summary>The buffer as elements of <typeparamref name="T"/> (a reinterpreting view).</summary>
    /// <typeparam name="T">Element type whose size divides the byte length.</typeparam>
    public ArrayView<T> Elements<T>() where T : unmanaged => buffer.View.Cast<T>();

    /// <summary>Safety net for tensors that were never disposed.</summary>
    ~IlgpuStorage() => ReleaseOnce();

    /// <inheritdoc/>
    /// <remarks>
    /// Queued kernels may still use the buffer; that is safe because the accelerator stream runs in
    /// order, so whoever rents it next can only touch it from work queued later.
    /// </remarks>
    protected override void Free() => buffer.Dispose();
}
