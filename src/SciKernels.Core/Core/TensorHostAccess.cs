using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance;

namespace SciKernels;

// Reading tensor elements on the host: arrays, items, spans.
public sealed partial class Tensor
{
    /// <summary>Copies the elements (row-major, strides resolved) to a new host array, converting to <typeparamref name="T"/>.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        ThrowIfDisposed("ToArray");
        var raw = HostBytes();
        var target = DTypeInfo.Of<T>();
        if (target == DType) return MemoryMarshal.Cast<byte, T>(raw).ToArray();
        return Convert<T>(raw, DType);
    }

    /// <summary>The elements in row-major order as raw little-endian bytes.</summary>
    internal byte[] HostBytes()
    {
        var c = Contiguous();
        try
        {
            var raw = new byte[checked(c.NumElements * DType.ElementSize())];
            c.Backend.CopyToHost(c.Storage, c.Offset * DType.ElementSize(), raw);
            return raw;
        }
        finally
        {
            if (!ReferenceEquals(c, this)) c.Dispose();
        }
    }

    private static T[] Convert<T>(byte[] raw, DType from) where T : unmanaged
    {
        double[] d = from switch
        {
            DType.Float32 => Array.ConvertAll(MemoryMarshal.Cast<byte, float>(raw).ToArray(), x => (double)x),
            DType.Float64 => MemoryMarshal.Cast<byte, double>(raw).ToArray(),
            DType.Int32 => Array.ConvertAll(MemoryMarshal.Cast<byte, int>(raw).ToArray(), x => (double)x),
            DType.Int64 => Array.ConvertAll(MemoryMarshal.Cast<byte, long>(raw).ToArray(), x => (double)x),
            _ => throw new TensorException("ToArray", $"cannot convert {from.Name()} values"),
        };
        if (typeof(T) == typeof(double)) return (T[])(object)d;
        if (typeof(T) == typeof(float)) return (T[])(object)Array.ConvertAll(d, x => (float)x);
        if (typeof(T) == typeof(long)) return (T[])(object)Array.ConvertAll(d, x => (long)x);
        if (typeof(T) == typeof(int)) return (T[])(object)Array.ConvertAll(d, x => (int)x);
        throw new TensorException("ToArray", $"cannot convert to {typeof(T).Name}");
    }

    /// <summary>Copies a 2-D tensor into a new <c>T[rows, cols]</c>.</summary>
    public T[,] ToArray2D<T>() where T : unmanaged
    {
        if (Rank != 2) throw new TensorException("ToArray2D", $"expected a 2-D tensor, got shape {ShapeString(shape)}");
        var flat = ToArray<T>();
        var result = new T[shape[0], shape[1]];
        flat.AsSpan().CopyTo(result.AsSpan());
        return result;
    }

    /// <summary>The value of a one-element tensor as a double.</summary>
    public double Item()
    {
        if (NumElements != 1) throw new TensorException("Item", $"only one-element tensors have an item; this one has shape {ShapeString(shape)}");
        return ToArray<double>()[0];
    }

    /// <summary>
    /// A span over the elements of a contiguous CPU tensor (no copy). Writing through it bypasses autodiff.
    /// </summary>
    public unsafe Span<T> AsSpan<T>() where T : unmanaged
    {
        ThrowIfDisposed("AsSpan");
        if (Backend is not Backends.IHostMemory host) throw new TensorException("AsSpan", $"tensor is on {Device}; AsSpan needs a CPU tensor");
        if (!IsContiguous) throw new TensorException("AsSpan", $"tensor of shape {ShapeString(shape)} is not contiguous; call Contiguous() first");
        if (DTypeInfo.Of<T>() != DType) throw new TensorException("AsSpan", $"tensor is {DType.Name()}, not {typeof(T).Name}");
        return new Span<T>((T*)host.Address(Storage) + Offset, checked((int)NumElements));
    }
}
