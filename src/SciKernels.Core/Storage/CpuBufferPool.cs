using System.Runtime.InteropServices;

namespace SciKernels.Storage;

/// <summary>
/// Pool of 64-byte aligned native buffers in power-of-two size classes, owned by one CPU backend
/// (<see cref="Cpu.CpuBackend.Pool"/>).
/// </summary>
/// <remarks>
/// Fresh pages cost ~8 µs each to fault in on the VMs we run on (a fresh 42 MB buffer took ~80 ms,
/// refilling a reused one 0.4 ms), so a training step must reuse buffers rather than allocate.
/// Power-of-two classes waste at most half a buffer's address space, and untouched pages of that
/// slack are never faulted in. Each backend owns its pool, so two backends' counters and caches are
/// independent; every storage returns its buffer to the pool it came from.
/// </remarks>
public sealed unsafe class CpuBufferPool
{
    private const int MinClass = 6; // 64 bytes
    private const int MaxClass = 40;
    private readonly Stack<nint>[] free = CreateBuckets();
    private long cachedBytes;
    private long liveBytes;

    /// <summary>Creates an empty pool.</summary>
    /// <param name="maxCachedBytes">Upper bound on <see cref="CachedBytes"/>; returned buffers beyond it are freed.</param>
    public CpuBufferPool(long maxCachedBytes = DefaultMaxCachedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCachedBytes);
        MaxCachedBytes = maxCachedBytes;
    }

    /// <summary>The default bound on cached bytes (4 GiB).</summary>
    public const long DefaultMaxCachedBytes = 4L << 30;

    /// <summary>Bytes held in the pool's free lists, ready for reuse.</summary>
    public long CachedBytes => Interlocked.Read(ref cachedBytes);

    /// <summary>Bytes handed out and not yet returned.</summary>
    public long LiveBytes => Interlocked.Read(ref liveBytes);

    /// <summary>Upper bound on <see cref="CachedBytes"/>; returned buffers beyond it are freed.</summary>
    public long MaxCachedBytes { get; }

    private static Stack<nint>[] CreateBuckets()
    {
        var b = new Stack<nint>[MaxClass + 1];
        for (int i = 0; i < b.Length; i++) b[i] = new Stack<nint>();
        return b;
    }

    internal static int SizeClass(long bytes)
    {
        int c = MinClass;
        while (c < MaxClass && (1L << c) < bytes) c++;
        if ((1L << c) < bytes) throw new OutOfMemoryException($"CpuBufferPool: a buffer of {bytes} bytes is larger than the largest size class");
        return c;
    }

    /// <summary>Rents a buffer of at least <paramref name="bytes"/> bytes; contents are undefined.</summary>
    public nint Rent(long bytes, out int sizeClass)
    {
        sizeClass = SizeClass(Math.Max(bytes, 1));
        var bucket = free[sizeClass];
        long size = 1L << sizeClass;
        lock (bucket)
        {
            if (bucket.Count > 0)
            {
                Interlocked.Add(ref cachedBytes, -size);
                Interlocked.Add(ref liveBytes, size);
                return bucket.Pop();
            }
        }
        var p = (nint)NativeMemory.AlignedAlloc((nuint)size, 64);
        if (p == 0) throw new OutOfMemoryException($"CpuBufferPool: could not allocate {size} bytes");
        // Tell the GC what native memory hangs off managed objects so finalizer-released
        // buffers of undisposed tensors are collected in time.
        if (size >= 4096) GC.AddMemoryPressure(size);
        Interlocked.Add(ref liveBytes, size);
        return p;
    }

    /// <summary>Returns a buffer obtained from <see cref="Rent"/> of this pool.</summary>
    public void Return(nint pointer, int sizeClass)
    {
        long size = 1L << sizeClass;
        Interlocked.Add(ref liveBytes, -size);
        var bucket = free[sizeClass];
        if (Interlocked.Read(ref cachedBytes) + size <= MaxCachedBytes)
        {
            lock (bucket) bucket.Push(pointer);
            Interlocked.Add(ref cachedBytes, size);
            return;
        }
        NativeMemory.AlignedFree((void*)pointer);
        if (size >= 4096) GC.RemoveMemoryPressure(size);
    }

    /// <summary>Frees every cached buffer (e.g. after a phase that used unusually large tensors).</summary>
    public void Trim()
    {
        for (int c = 0; c < free.Length; c++)
        {
            var bucket = free[c];
            long size = 1L << c;
            lock (bucket)
            {
                while (bucket.Count > 0)
                {
                    NativeMemory.AlignedFree((void*)bucket.Pop());
                    Interlocked.Add(ref cachedBytes, -size);
                    if (size >= 4096) GC.RemoveMemoryPressure(size);
                }
            }
        }
    }

    /// <summary>
    /// A pool nobody references any more (a discarded backend whose storages are all gone) frees
    /// its cached buffers; the default backend's pool lives for the whole process.
    /// </summary>
    ~CpuBufferPool() => Trim();
}
