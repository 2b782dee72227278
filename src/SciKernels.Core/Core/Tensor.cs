using SciKernels.Autograd;
using SciKernels.Backends;
using SciKernels.Storage;

namespace SciKernels;

/// <summary>
/// An n-dimensional strided view of a storage buffer, with reverse-mode autodiff.
/// </summary>
/// <remarks>
/// Views (reshape, permute, narrow, expand, …) share storage and copy nothing where the strides
/// allow. Tensors own pooled buffers: dispose them, or create them inside a <see cref="TensorScope"/>
/// so a training step's temporaries return to the pool when the step ends.
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] shape;
    private readonly long[] strides;
    private bool disposed;

    internal Tensor(TensorStorage storage, int[] shape, long[] strides, long offset)
    {
        Storage = storage;
        this.shape = shape;
        this.strides = strides;
        Offset = offset;
        NumElements = ElementCount(shape, "View"); // the ops check their shapes first, with their own names
        if (storage.IsReleased) throw new ObjectDisposedException(nameof(Tensor), $"a view of shape {ShapeString(shape)} was requested from a buffer that has already been returned to its pool");
        storage.Retain();
        TensorScope.Track(this);
    }

    /// <summary>The buffer this tensor views.</summary>
    public TensorStorage Storage { get; }

    /// <summary>Sizes of the dimensions.</summary>
    public ReadOnlySpan<int> Shape => shape;

    /// <summary>Element strides of the dimensions (0 for a broadcast dimension).</summary>
    public ReadOnlySpan<long> Strides => strides;

    /// <summary>Element offset of index (0, …, 0) into <see cref="Storage"/>.</summary>
    public long Offset { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>Total number of elements.</summary>
    public long NumElements { get; }

    /// <summary>Element type.</summary>
    public DType DType => Storage.DType;

    /// <summary>Device holding the data.</summary>
    public Device Device => Storage.Device;

    /// <summary>True once disposed; any further use throws <see cref="ObjectDisposedException"/>.</summary>
    public bool IsDisposed => disposed;

    internal int[] ShapeArray => shape;
    internal long[] StrideArray => strides;
    internal IBackend Backend => Storage.Device.Backend;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => shape[NormalizeDim(dim, Rank, "Size")];

    /// <summary>True when elements are laid out densely in row-major order.</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                if (shape[i] == 1) continue;
                if (strides[i] != expected) return false;
                expected *= shape[i];
            }
            return true;
        }
    }

    /// <summary>
    /// Version of the data: bumped by every in-place update of the storage (through any view of it).
    /// Backward compares it with the version its saved tensors had when they were recorded.
    /// </summary>
    public int Version => Storage.Version;

    /// <summary>Marks the data as modified in place (call after writing to the storage directly).</summary>
    internal void BumpVersion() => Storage.BumpVersion();

    /// <summary>Returns the storage reference to the pool once no other view uses it.</summary>
    /// <remarks>
    /// A disposed result of a recorded operation stays in the graph as a marker: a later backward pass
    /// that needs its gradient rule fails with an <see cref="ObjectDisposedException"/> naming the op.
    /// </remarks>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        GradFn?.ReleaseForDisposedOutput(this);
        Storage.ReleaseRef();
    }

    internal void ThrowIfDisposed(string op)
    {
        if (disposed) throw new ObjectDisposedException(nameof(Tensor), $"{op}: a {ShapeString(shape)} {DType.Name()} tensor was used after it was disposed (was it created inside a TensorScope that has ended?)");
    }

    /// <summary>A new view of the same storage with other shape/strides/offset.</summary>
    internal Tensor View(int[] newShape, long[] newStrides, long newOffset) => new(Storage, newShape, newStrides, newOffset);
}
