using ILGPU;
using ILGPU.Runtime;

namespace SciKernels.Kernels.Runtime;

/// <summary>
/// A simple size-bucketed pool of 1-D device buffers. Capacities are rounded up to powers of two
/// (minimum 256 elements) per element type; returned buffers are kept up to
/// <see cref="MaxCachedBytes"/> in total and freed beyond that. Thread-safe.
/// Contents of rented buffers are undefined.
/// </summary>
public sealed class DeviceBufferPool : IDisposable
{
    private readonly Accelerator accelerator;
    private readonly Dictionary<(Type, long), Stack<MemoryBuffer>> free = new();
    private readonly object gate = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<Action> pendingReturns = new();

    // Strong references to every rented buffer. Without them, a tensor that becomes unreachable
    // makes its ILGPU buffer unreachable too, and ILGPU's own finalizer frees the device memory
    // while the pool is about to hand the same buffer out again (CL_INVALID_MEM_OBJECT, segfaults).
    private readonly HashSet<MemoryBuffer> rented = new(ReferenceEqualityComparer.Instance);
    private long cachedBytes;
    private bool disposed;

    internal DeviceBufferPool(Accelerator accelerator) => this.accelerator = accelerator;

    /// <summary>Upper bound of bytes kept in the pool (default 256 MiB).</summary>
    public long MaxCachedBytes { get; set; } = 256L << 20;

    /// <summary>Bytes currently cached (not rented).</summary>
    public long CachedBytes { get { lock (gate) return cachedBytes; } }

    /// <summary>Number of device allocations performed (pool misses).</summary>
    public int Allocations { get; private set; }

    /// <summary>Rents a buffer of at least <paramref name="length"/> elements; dispose the handle to return it.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="length">Required number of elements.</param>
    public PooledBuffer<T> Rent<T>(long length) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        DrainPending();
        long capacity = 256;
        while (capacity < length) capacity <<= 1;
        var key = (typeof(T), capacity);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (free.TryGetValue(key, out var stack) && stack.Count > 0)
            {
                var buf = (MemoryBuffer1D<T, Stride1D.Dense>)stack.Pop();
                cachedBytes -= buf.LengthInBytes;
                rented.Add(buf);
                return new PooledBuffer<T>(this, buf, length);
            }
            Allocations++;
        }
        var fresh = accelerator.Allocate1D<T>(capacity);
        lock (gate) rented.Add(fresh);
        return new PooledBuffer<T>(this, fresh, length);
    }

    /// <summary>
    /// Hands a buffer back from any thread (a finalizer included). Nothing touches the accelerator
    /// here: the buffer is queued and filed by the next <see cref="Rent{T}"/> on a user thread.
    /// </summary>
    internal void Release<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged
        => pendingReturns.Enqueue(() => Return(buffer));

    private void DrainPending()
    {
        while (pendingReturns.TryDequeue(out var file)) file();
    }

    private void Return<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged
    {
        lock (gate)
        {
            rented.Remove(buffer);
            if (!disposed && cachedBytes + buffer.LengthInBytes <= MaxCachedBytes)
            {
                var key = (typeof(T), buffer.Length);
                if (!free.TryGetValue(key, out var stack))
                    free[key] = stack = new Stack<MemoryBuffer>();
                stack.Push(buffer);
                cachedBytes += buffer.LengthInBytes;
                return;
            }
        }
        // Kernels queued earlier may still read or write this buffer: wait for them before freeing it.
        accelerator.Synchronize();
        buffer.Dispose();
    }

    /// <summary>Frees all cached buffers.</summary>
    public void Trim()
    {
        DrainPending();
        accelerator.Synchronize();
        lock (gate)
        {
            foreach (var stack in free.Values)
                while (stack.Count > 0) stack.Pop().Dispose();
            free.Clear();
            cachedBytes = 0;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Trim();
        lock (gate) disposed = true;
    }
}

/// <summary>A rented device buffer; <see cref="View"/> has exactly the requested length.</summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class PooledBuffer<T> : IDisposable where T : unmanaged
{
    private readonly DeviceBufferPool pool;
    private MemoryBuffer1D<T, Stride1D.Dense>? buffer;

    internal PooledBuffer(DeviceBufferPool pool, MemoryBuffer1D<T, Stride1D.Dense> buffer, long length)
    {
        this.pool = pool;
        this.buffer = buffer;
        View = buffer.View.SubView(0, length);
    }

    /// <summary>View of the requested length.</summary>
    public ArrayView<T> View { get; }

    /// <summary>The underlying buffer (capacity may exceed the requested length).</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Buffer => buffer ?? throw new ObjectDisposedException(nameof(PooledBuffer<T>));

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var b = Interlocked.Exchange(ref buffer, null);
        if (b is not null) pool.Release(b);
    }
}
