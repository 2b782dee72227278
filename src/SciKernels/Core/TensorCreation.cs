using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance;
using SciKernels.Random;

namespace SciKernels;

public sealed partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<int> shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 0.0, dtype, device);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(ReadOnlySpan<int> shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1.0, dtype, device);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(ReadOnlySpan<int> shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        t.Backend.Fill(t, value);
        return t;
    }

    /// <summary>A 0-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full(ReadOnlySpan<int>.Empty, value, dtype, device);

    /// <summary>Zeros with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Zeros(like.Shape, like.DType, like.Device);

    /// <summary>Ones with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Ones(like.Shape, like.DType, like.Device);

    /// <summary>A filled tensor with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor FullLike(Tensor like, double value) => Full(like.Shape, value, like.DType, like.Device);

    /// <summary>Values start, start+step, … below end (like <c>torch.arange</c>).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32, Device? device = null)
    {
        if (step == 0 || !double.IsFinite(start) || !double.IsFinite(end) || !double.IsFinite(step))
            throw new TensorException("Arange", $"invalid range start={start}, end={end}, step={step}");
        long n = Math.Max(0, (long)Math.Ceiling((end - start) / step));
        var v = new double[n];
        for (long i = 0; i < n; i++) v[i] = start + i * step;
        return FromDoubles(v, new[] { checked((int)n) }, dtype, device);
    }

    /// <summary>Values 0, 1, …, n-1.</summary>
    public static Tensor Arange(int n, DType dtype = DType.Float32, Device? device = null) => Arange(0, n, 1, dtype, device);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor Linspace(double start, double end, int steps, DType dtype = DType.Float32, Device? device = null)
    {
        if (steps < 0) throw new TensorException("Linspace", $"steps must be non-negative, got {steps}");
        var v = new double[steps];
        for (int i = 0; i < steps; i++) v[i] = steps == 1 ? start : start + (end - start) * i / (steps - 1);
        return FromDoubles(v, new[] { steps }, dtype, device);
    }

    /// <summary>The identity matrix.</summary>
    public static Tensor Eye(int n, DType dtype = DType.Float32, Device? device = null)
    {
        var v = new double[checked(n * n)];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        return FromDoubles(v, new[] { n, n }, dtype, device);
    }

    /// <summary>Uniform values in [low, high) from <paramref name="generator"/>.</summary>
    public static Tensor Rand(ReadOnlySpan<int> shape, Generator generator, DType dtype = DType.Float32, Device? device = null, double low = 0, double high = 1)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var v = new double[ElementCount(shape, "Rand")];
        generator.FillUniform(v, low, high);
        return FromDoubles(v, shape, dtype, device);
    }

    /// <summary>Normal values (mean, std) from <paramref name="generator"/>.</summary>
    public static Tensor Randn(ReadOnlySpan<int> shape, Generator generator, DType dtype = DType.Float32, Device? device = null, double mean = 0, double std = 1)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var v = new double[ElementCount(shape, "Randn")];
        generator.FillNormal(v, mean, std);
        return FromDoubles(v, shape, dtype, device);
    }

    private static long ElementCount(ReadOnlySpan<int> shape, string op)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new TensorException(op, $"negative dimension in shape {ShapeString(shape)}");
            n = checked(n * d);
        }
        return n;
    }

    /// <summary>Copies host values into a new tensor of the matching dtype (float, double, int or long).</summary>
    public static Tensor FromArray<T>(T[] data, params int[] shape) where T : unmanaged => FromSpan<T>(data, shape);

    /// <summary>Copies a host span into a new tensor on <paramref name="device"/> (CPU by default).</summary>
    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<int> shape, Device? device = null) where T : unmanaged
    {
        var dtype = DTypeInfo.Of<T>();
        if (shape.Length == 0 && data.Length != 1) shape = new[] { data.Length };
        if (ElementCount(shape, "FromSpan") != data.Length)
            throw new TensorException("FromSpan", $"{data.Length} values do not fill shape {ShapeString(shape)}");
        var t = Empty(shape, dtype, device);
        t.Backend.CopyFromHost(MemoryMarshal.AsBytes(data), t.Storage, 0);
        return t;
    }

    /// <summary>Copies a 2-D host view (e.g. a <c>float[,]</c>) into a new [rows, cols] tensor.</summary>
    public static Tensor FromSpan2D<T>(ReadOnlySpan2D<T> data, Device? device = null) where T : unmanaged
    {
        var flat = new T[data.Length];
        data.CopyTo(flat);
        return FromSpan<T>(flat, new[] { data.Height, data.Width }, device);
    }

    /// <summary>Copies a <c>T[,]</c> into a new [rows, cols] tensor.</summary>
    public static Tensor FromArray<T>(T[,] data, Device? device = null) where T : unmanaged => FromSpan2D<T>(data, device);

    /// <summary>Converts double values to a tensor of <paramref name="dtype"/>.</summary>
    public static Tensor FromDoubles(ReadOnlySpan<double> values, ReadOnlySpan<int> shape, DType dtype = DType.Float32, Device? device = null)
    {
        switch (dtype)
        {
            case DType.Float64: return FromSpan(values, shape, device);
            case DType.Float32:
            {
                var f = new float[values.Length];
                for (int i = 0; i < f.Length; i++) f[i] = (float)values[i];
                return FromSpan<float>(f, shape, device);
            }
            case DType.Int64:
            {
                var l = new long[values.Length];
                for (int i = 0; i < l.Length; i++) l[i] = (long)values[i];
                return FromSpan<long>(l, shape, device);
            }
            case DType.Int32:
            {
                var l = new int[values.Length];
                for (int i = 0; i < l.Length; i++) l[i] = (int)values[i];
                return FromSpan<int>(l, shape, device);
            }
            default: throw new TensorException("FromDoubles", $"cannot create {dtype.Name()} tensors from real values");
        }
    }

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

    /// <summary>Copies this tensor to <paramref name="device"/> (returns this tensor if already there). Differentiable.</summary>
    public Tensor To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        ThrowIfDisposed("To");
        if (device == Device) return this;
        var raw = HostBytes();
        var t = Empty(shape, DType, device);
        t.Backend.CopyFromHost(raw, t.Storage, 0);
        var from = Device;
        return Record(t, "To", new[] { this }, g => new[] { g.To(from) }, tt => tt[0]?.To(device));
    }

    /// <summary>Converts to another floating dtype. Differentiable.</summary>
    public Tensor To(DType dtype)
    {
        ThrowIfDisposed("To");
        if (dtype == DType) return this;
        var values = ToArray<double>();
        var t = FromDoubles(values, shape, dtype, Device);
        var from = DType;
        return DType.IsFloatingPoint() && dtype.IsFloatingPoint()
            ? Record(t, "ToDType", new[] { this }, g => new[] { g.To(from) }, tt => tt[0]?.To(dtype))
            : t;
    }
}
