using SciKernels.IO;

namespace SciKernels.Training;

/// <summary>Converts between tensors and safetensors entries, bit for bit.</summary>
public static class SafeTensorsConvert
{
    /// <summary>The safetensors dtype that stores <paramref name="dtype"/>.</summary>
    /// <exception cref="NotSupportedException">Complex dtypes (no safetensors equivalent with the same layout).</exception>
    public static SafeTensorsDType ToSafeTensors(DType dtype) => dtype switch
    {
        DType.Float32 => SafeTensorsDType.F32,
        DType.Float64 => SafeTensorsDType.F64,
        DType.Int32 => SafeTensorsDType.I32,
        DType.Int64 => SafeTensorsDType.I64,
        _ => throw new NotSupportedException($"safetensors: {dtype.Name()} tensors cannot be stored"),
    };

    /// <summary>The tensor dtype for a safetensors dtype, or null when SciKernels has none.</summary>
    public static DType? FromSafeTensors(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F32 => DType.Float32,
        SafeTensorsDType.F64 => DType.Float64,
        SafeTensorsDType.I32 => DType.Int32,
        SafeTensorsDType.I64 => DType.Int64,
        _ => null,
    };

    /// <summary>Copies a tensor's elements (row-major, any device) into an entry named <paramref name="name"/>.</summary>
    public static SafeTensorsEntry ToEntry(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = new long[tensor.Rank];
        for (int i = 0; i < shape.Length; i++) shape[i] = tensor.Size(i);
        return tensor.DType switch
        {
            DType.Float32 => SafeTensorsEntry.Create<float>(name, tensor.ToArray<float>(), shape),
            DType.Float64 => SafeTensorsEntry.Create<double>(name, tensor.ToArray<double>(), shape),
            DType.Int32 => SafeTensorsEntry.Create<int>(name, tensor.ToArray<int>(), shape),
            DType.Int64 => SafeTensorsEntry.Create<long>(name, tensor.ToArray<long>(), shape),
            _ => throw new NotSupportedException($"safetensors: tensor '{name}' is {tensor.DType.Name()}, which cannot be stored"),
        };
    }

    /// <summary>A new tensor on <paramref name="device"/> (CPU when null) holding the entry's elements.</summary>
    /// <exception cref="CheckpointMismatchException">The entry's dtype has no tensor equivalent.</exception>
    public static Tensor ToTensor(SafeTensorsEntry entry, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        int[] shape = entry.GetShapeInt32();
        return entry.DType switch
        {
            SafeTensorsDType.F32 => Tensor.FromSpan<float>(entry.ToArray<float>(), shape, device),
            SafeTensorsDType.F64 => Tensor.FromSpan<double>(entry.ToArray<double>(), shape, device),
            SafeTensorsDType.I32 => Tensor.FromSpan<int>(entry.ToArray<int>(), shape, device),
            SafeTensorsDType.I64 => Tensor.FromSpan<long>(entry.ToArray<long>(), shape, device),
            _ => throw new CheckpointMismatchException(entry.Name, $"safetensors: tensor '{entry.Name}' has dtype {entry.DTypeName}, which SciKernels cannot load"),
        };
    }
}
