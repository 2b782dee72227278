using System.Diagnostics.CodeAnalysis;
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

    /// <summary>
    /// Copies a tensor's elements (row-major, any device) into an entry named <paramref name="name"/>. Floating
    /// tensors are stored as <paramref name="floatStorage"/> when it is given (F16 and BF16 round to nearest even
    /// from float32, as PyTorch's <c>.half()</c>/<c>.bfloat16()</c> do; F32/F64 convert); integer tensors are
    /// always stored as they are.
    /// </summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="tensor">The tensor.</param>
    /// <param name="floatStorage">F16, BF16, F32 or F64 for floating tensors; null keeps the tensor's own dtype.</param>
    /// <returns>The new entry.</returns>
    /// <exception cref="ArgumentException"><paramref name="floatStorage"/> is not a floating dtype this writer supports.</exception>
    public static SafeTensorsEntry ToEntry(string name, Tensor tensor, SafeTensorsDType? floatStorage = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = new long[tensor.Rank];
        for (int i = 0; i < shape.Length; i++) shape[i] = tensor.Size(i);
        if (floatStorage is SafeTensorsDType storage && tensor.DType.IsFloatingPoint() && storage != ToSafeTensors(tensor.DType))
        {
            return storage switch
            {
                SafeTensorsDType.F16 or SafeTensorsDType.BF16 => SafeTensorsEntry.CreateHalfPrecision(name, storage, AsSingles(tensor), shape),
                SafeTensorsDType.F32 => SafeTensorsEntry.Create<float>(name, AsSingles(tensor), shape),
                SafeTensorsDType.F64 => SafeTensorsEntry.Create<double>(name, tensor.ToArray<float>().Select(v => (double)v).ToArray(), shape),
                _ => throw new ArgumentException($"safetensors: tensor '{name}' cannot be stored as {storage.ToFormatName()} (floating tensors are written as F16, BF16, F32 or F64)", nameof(floatStorage)),
            };
        }
        return tensor.DType switch
        {
            DType.Float32 => SafeTensorsEntry.Create<float>(name, tensor.ToArray<float>(), shape),
            DType.Float64 => SafeTensorsEntry.Create<double>(name, tensor.ToArray<double>(), shape),
            DType.Int32 => SafeTensorsEntry.Create<int>(name, tensor.ToArray<int>(), shape),
            DType.Int64 => SafeTensorsEntry.Create<long>(name, tensor.ToArray<long>(), shape),
            _ => throw new NotSupportedException($"safetensors: tensor '{name}' is {tensor.DType.Name()}, which cannot be stored"),
        };
    }

    private static float[] AsSingles(Tensor tensor) =>
        tensor.DType == DType.Float32 ? tensor.ToArray<float>() : Array.ConvertAll(tensor.ToArray<double>(), v => (float)v);

    /// <summary>A new tensor on <paramref name="device"/> (CPU when null) holding the entry's elements.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="device">Target device; CPU when null.</param>
    /// <param name="convertTo">
    /// Float32 or Float64 to convert any real dtype (BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F8_E4M3,
    /// F8_E5M2, F8_E8M0, F32, F64) to it; null keeps the stored dtype, which must then be F32, F64, I32 or I64.
    /// </param>
    /// <exception cref="CheckpointMismatchException">The entry cannot become a tensor (the message says why).</exception>
    public static Tensor ToTensor(SafeTensorsEntry entry, Device? device = null, DType? convertTo = null) =>
        TryToTensor(entry, out Tensor? tensor, out string? problem, device, convertTo)
            ? tensor
            : throw new CheckpointMismatchException(entry.Name, problem);

    /// <summary>
    /// Like <see cref="ToTensor"/>, but reports an entry that cannot become a tensor through
    /// <paramref name="problem"/> instead of throwing.
    /// </summary>
    /// <param name="entry">The entry.</param>
    /// <param name="tensor">The new tensor when this returns true.</param>
    /// <param name="problem">Why the entry cannot be a tensor when this returns false.</param>
    /// <param name="device">Target device; CPU when null.</param>
    /// <param name="convertTo">See <see cref="ToTensor"/>.</param>
    /// <returns>True when <paramref name="tensor"/> was created.</returns>
    public static bool TryToTensor(SafeTensorsEntry entry, [NotNullWhen(true)] out Tensor? tensor, [NotNullWhen(false)] out string? problem,
        Device? device = null, DType? convertTo = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        tensor = null;
        if (convertTo is DType target && !target.IsFloatingPoint())
            throw new ArgumentException($"safetensors: conversion is to Float32 or Float64, not {target.Name()}", nameof(convertTo));
        var shape = new int[entry.Rank];
        for (int i = 0; i < shape.Length; i++)
        {
            long d = entry.Shape[i];
            if (d > int.MaxValue)
            {
                problem = $"safetensors: tensor '{entry.Name}' has dimension {d} (shape [{string.Join(", ", entry.GetShape())}]), beyond the 32-bit " +
                    "dimensions of SciKernels tensors; its dtype, shape and bytes are available from SafeTensorsFile.Read";
                return false;
            }
            shape[i] = (int)d;
        }
        DType? native = FromSafeTensors(entry.DType);
        if (convertTo is null && native is null)
        {
            problem = $"safetensors: tensor '{entry.Name}' has dtype {entry.DTypeName}, which SciKernels holds only as Float32/Float64/Int32/Int64; " +
                (entry.IsConvertibleToReal ? "pass convertTo: DType.Float32 (or Float64) to convert it" : "its raw bytes are available from SafeTensorsFile.Read");
            return false;
        }
        if (convertTo is DType to && to != native && !entry.IsConvertibleToReal)
        {
            problem = $"safetensors: tensor '{entry.Name}' has dtype {entry.DTypeName}, which has no conversion to {to.Name()}; its raw bytes are available from SafeTensorsFile.Read";
            return false;
        }
        if (entry.ElementCount > Array.MaxLength)
        {
            problem = $"safetensors: tensor '{entry.Name}' has {entry.ElementCount} elements, more than one SciKernels tensor can hold";
            return false;
        }
        problem = null;
        tensor = (convertTo ?? native) switch
        {
            DType.Float32 when entry.DType == SafeTensorsDType.F32 => Tensor.FromSpan<float>(entry.ToArray<float>(), shape, device),
            DType.Float64 when entry.DType == SafeTensorsDType.F64 => Tensor.FromSpan<double>(entry.ToArray<double>(), shape, device),
            DType.Float32 => Tensor.FromSpan<float>(entry.ToSingleArray(), shape, device),
            DType.Float64 => Tensor.FromSpan<double>(entry.ToDoubleArray(), shape, device),
            DType.Int32 => Tensor.FromSpan<int>(entry.ToArray<int>(), shape, device),
            _ => Tensor.FromSpan<long>(entry.ToArray<long>(), shape, device),
        };
        return true;
    }
}
