using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance;
using SciKernels.Random;
using SciKernels.Storage;

namespace SciKernels;

public sealed partial class Tensor
{
    /// <summary>Allocates an uninitialised contiguous tensor.</summary>
    /// <exception cref="TensorException">A size is negative or the element count overflows.</exception>
    /// <exception cref="OutOfMemoryException">The device cannot hold the buffer (the message names the shape and size).</exception>
    public static Tensor Empty(ReadOnlySpan<int> shape, DType dtype = DType.Float32, Device? device = null) => Empty(shape, dtype, device, "Empty");

    /// <summary>Allocates an uninitialised contiguous tensor; errors name <paramref name="op"/>.</summary>
    internal static Tensor Empty(ReadOnlySpan<int> shape, DType dtype, Device? device, string op)
    {
        var dev = device ?? Device.Cpu;
        long n = ElementCount(shape, op);
        int size = dtype.ElementSize();
        if (n > long.MaxValue / size)
            throw new TensorException(op, $"shape {ShapeString(shape)} of {dtype.Name()} needs more than {long.MaxValue} bytes");
        TensorStorage storage;
        try
        {
            storage = dev.Backend.Allocate(dtype, n);
        }
        catch (OutOfMemoryException e)
        {
            throw new OutOfMemoryException($"{op}: cannot allocate a {ShapeString(shape)} {dtype.Name()} tensor ({n * size} bytes) on {dev}: {e.Message}", e);
        }
        return new Tensor(storage, shape.ToArray(), ContiguousStrides(shape), 0);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<int> shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 0.0, dtype, device, "Zeros");

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(ReadOnlySpan<int> shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1.0, dtype, device, "Ones");

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(ReadOnlySpan<int> shape, double value, DType dtype = DType.Float32, Device? device = null) => Full(shape, value, dtype, device, "Full");

    private static Tensor Full(ReadOnlySpan<int> shape, double value, DType dtype, Device? device, string op)
    {
        var t = Empty(shape, dtype, device, op);
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
        double count = Math.Max(0, Math.Ceiling((end - start) / step));
        if (!(count <= int.MaxValue))
            throw new TensorException("Arange", $"the range start={start}, end={end}, step={step} has {count} values; a dimension holds at most {int.MaxValue}");
        int n = (int)count;
        var v = HostValues(n, "Arange", [n]);
        for (int i = 0; i < n; i++) v[i] = start + i * step;
        return FromDoubles(v, new[] { n }, dtype, device);
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
        var v = HostValues(ElementCount([n, n], "Eye"), "Eye", [n, n]);
        for (int i = 0; i < n; i++) v[(long)i * n + i] = 1;
        return FromDoubles(v, new[] { n, n }, dtype, device);
    }

    /// <summary>Uniform values in [low, high) from <paramref name="generator"/>.</summary>
    public static Tensor Rand(ReadOnlySpan<int> shape, Generator generator, DType dtype = DType.Float32, Device? device = null, double low = 0, double high = 1)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var v = HostValues(ElementCount(shape, "Rand"), "Rand", shape);
        generator.FillUniform(v, low, high);
        return FromDoubles(v, shape, dtype, device);
    }

    /// <summary>Normal values (mean, std) from <paramref name="generator"/>.</summary>
    public static Tensor Randn(ReadOnlySpan<int> shape, Generator generator, DType dtype = DType.Float32, Device? device = null, double mean = 0, double std = 1)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var v = HostValues(ElementCount(shape, "Randn"), "Randn", shape);
        generator.FillNormal(v, mean, std);
        return FromDoubles(v, shape, dtype, device);
    }

    /// <summary>A host array of <paramref name="n"/> doubles for the creation functions that compute values on the host; errors name the op and shape.</summary>
    private static double[] HostValues(long n, string op, ReadOnlySpan<int> shape)
    {
        if (n > Array.MaxLength)
            throw new TensorException(op, $"shape {ShapeString(shape)} has {n} elements; values computed on the host are limited to {Array.MaxLength} per tensor");
        try
        {
            return new double[n];
        }
        catch (OutOfMemoryException e)
        {
            throw new OutOfMemoryException($"{op}: cannot allocate the {n} host values of a {ShapeString(shape)} tensor: {e.Message}", e);
        }
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
}
