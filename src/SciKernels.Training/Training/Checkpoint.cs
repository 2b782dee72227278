using SciKernels.Autograd;
using SciKernels.IO;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Backends;

namespace SciKernels.Training;

/// <summary>
/// Saves and loads a module's parameters and buffers (and optionally an optimizer's state) as a
/// safetensors file. Values round-trip bit for bit (float32, float64, int32, int64).
/// </summary>
/// <remarks>
/// Module tensors are stored under their dotted names (<c>layers.0.weight</c>), so a module-only file
/// is an ordinary safetensors state dict. Optimizer state goes under <see cref="OptimizerPrefix"/>
/// (<c>optimizer.state.0.exp_avg</c>, <c>optimizer.step</c>) and its type and hyper-parameters into the
/// metadata. Loading validates every name, shape and dtype before it copies anything, so a failed load
/// leaves the model untouched.
/// </remarks>
public static class Checkpoint
{
    /// <summary>Prefix of optimizer-state tensor names.</summary>
    public const string OptimizerPrefix = "optimizer.";

    /// <summary>Metadata key holding the optimizer's type name.</summary>
    public const string OptimizerTypeKey = "scikernels.optimizer";

    /// <summary>Writes <paramref name="module"/>'s state (and <paramref name="optimizer"/>'s, when given) to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Destination file (replaced atomically).</param>
    /// <param name="module">Model whose parameters and buffers are saved.</param>
    /// <param name="optimizer">Optimizer whose state is saved too; <see cref="Lbfgs"/> throws <see cref="NotSupportedException"/>.</param>
    /// <param name="metadata">Extra string metadata (e.g. epoch, git hash).</param>
    public static void Save(string path, Module module, Optimizer? optimizer = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var entries = new List<SafeTensorsEntry>();
        foreach (var (name, t) in module.StateDict())
        {
            if (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"Checkpoint: module tensor '{name}' starts with the reserved prefix '{OptimizerPrefix}'");
            entries.Add(SafeTensorsConvert.ToEntry(name, t));
        }
        var meta = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        if (metadata is not null)
            foreach (var (k, v) in metadata) meta[k] = v;
        if (optimizer is not null)
        {
            foreach (var (name, t) in optimizer.StateDict()) entries.Add(SafeTensorsConvert.ToEntry(OptimizerPrefix + name, t));
            meta[OptimizerTypeKey] = optimizer.GetType().Name;
            foreach (var (k, v) in optimizer.HyperParameters()) meta[OptimizerPrefix + k] = v;
        }
        SafeTensorsFile.Write(path, entries, meta);
    }

    /// <summary>
    /// Loads a file written by <see cref="Save"/> into <paramref name="module"/> (and <paramref name="optimizer"/>).
    /// </summary>
    /// <param name="path">Checkpoint file.</param>
    /// <param name="module">Model to fill; its parameters keep their identity (values are copied in place).</param>
    /// <param name="optimizer">Optimizer to restore; the file must hold state of the same optimizer type.</param>
    /// <param name="strict">Reject tensors in the file that the module does not have.</param>
    /// <returns>The file's metadata.</returns>
    /// <exception cref="CheckpointMismatchException">A name is missing or unexpected, or a shape or dtype differs; the message names the tensor.</exception>
    public static IReadOnlyDictionary<string, string> Load(string path, Module module, Optimizer? optimizer = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var doc = SafeTensorsFile.Read(path);
        var meta = doc.Metadata ?? new Dictionary<string, string>();
        var plan = new List<(Tensor Live, SafeTensorsEntry Saved)>();
        var used = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (name, live) in module.StateDict())
        {
            if (!doc.TryGetTensor(name, out var saved))
                throw new CheckpointMismatchException(name, $"Checkpoint '{path}': parameter '{name}' of the model is missing from the file");
            Check(path, "parameter", name, live, saved);
            plan.Add((live, saved));
            used.Add(name);
        }
        if (strict)
        {
            foreach (var name in doc.Names)
                if (!used.Contains(name) && !name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                    throw new CheckpointMismatchException(name, $"Checkpoint '{path}': tensor '{name}' in the file is not a parameter or buffer of the model (pass strict: false to ignore it)");
        }
        if (optimizer is not null)
        {
            string type = optimizer.GetType().Name;
            if (!meta.TryGetValue(OptimizerTypeKey, out var savedType))
                throw new CheckpointMismatchException(OptimizerTypeKey, $"Checkpoint '{path}': the file holds no optimizer state");
            if (savedType != type)
                throw new CheckpointMismatchException(OptimizerTypeKey, $"Checkpoint '{path}': the file holds {savedType} state, not {type} state");
            foreach (var (name, live) in optimizer.StateDict())
            {
                string full = OptimizerPrefix + name;
                if (!doc.TryGetTensor(full, out var saved))
                    throw new CheckpointMismatchException(full, $"Checkpoint '{path}': optimizer state '{full}' is missing from the file");
                Check(path, "optimizer state", full, live, saved);
                if (name == "step") CheckStep(path, full, saved);
            }
        }

        // Everything matches. The optimizer first: its load checks all its state before it copies
        // any, so if it still refuses, neither it nor the model has changed.
        if (optimizer is not null)
        {
            var loaded = new List<Tensor>();
            try
            {
                optimizer.LoadStateDict(name =>
                {
                    if (!doc.TryGetTensor(OptimizerPrefix + name, out var e)) return null;
                    var t = TensorScope.Keep(SafeTensorsConvert.ToTensor(e));
                    loaded.Add(t);
                    return t;
                });
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointMismatchException(OptimizerTypeKey, $"Checkpoint '{path}': the optimizer state does not fit: {e.Message}", e);
            }
            finally
            {
                foreach (var t in loaded) t.Dispose();
            }
        }
        using (GradMode.NoGrad())
            foreach (var (live, saved) in plan) CopyInto(live, saved);
        return meta;
    }

    /// <summary>Writes named tensors (any source) to a safetensors file, atomically.</summary>
    /// <param name="path">Destination file (replaced atomically).</param>
    /// <param name="tensors">Named tensors; names must be unique.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> entries.</param>
    /// <param name="floatStorage">
    /// Store floating tensors as F16 or BF16 (rounded to nearest even, like PyTorch's <c>.half()</c> and
    /// <c>.bfloat16()</c>), F32 or F64; null keeps each tensor's dtype. Integer tensors are stored as they are.
    /// </param>
    public static void SaveTensors(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        SafeTensorsDType? floatStorage = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        SafeTensorsFile.Write(path, tensors.Select(t => SafeTensorsConvert.ToEntry(t.Name, t.Tensor, floatStorage)).ToList(), metadata);
    }

    /// <summary>
    /// Reads the tensors of a safetensors file into new tensors on <paramref name="device"/> (CPU when null);
    /// the caller disposes them (or the returned map). F32, F64, I32 and I64 entries load as they are; other
    /// real dtypes (F16, BF16, F8_E4M3, F8_E5M2, F8_E8M0, BOOL, U8, I8, I16, U16, U32, U64) are converted to
    /// <paramref name="convertTo"/> when it is given. An entry that cannot become a tensor — its dtype is not
    /// converted or has no real value (C64, F4, F6), or a dimension exceeds <see cref="int.MaxValue"/> — does
    /// not fail the call: it is listed in <see cref="LoadedTensors.Skipped"/> with the reason, and its raw
    /// dtype, shape and bytes are in <see cref="LoadedTensors.File"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="convertTo">Float32 or Float64: the dtype the non-native entries are converted to; null leaves them out.</param>
    /// <param name="device">Device of the new tensors; CPU when null.</param>
    /// <returns>The tensors by name, and the skipped entries.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    /// <exception cref="ArgumentException"><paramref name="convertTo"/> is not a floating dtype.</exception>
    public static LoadedTensors LoadTensors(string path, DType? convertTo = null, Device? device = null)
    {
        if (convertTo is DType target && !target.IsFloatingPoint())
            throw new ArgumentException($"Checkpoint.LoadTensors: conversion is to Float32 or Float64, not {target.Name()}", nameof(convertTo));
        var doc = SafeTensorsFile.Read(path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var e in doc.Tensors)
            {
                DType? to = SafeTensorsConvert.FromSafeTensors(e.DType) is null ? convertTo : null;
                if (SafeTensorsConvert.TryToTensor(e, out Tensor? t, out string? problem, device, to)) result[e.Name] = TensorScope.Keep(t);
                else skipped[e.Name] = problem;
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return new LoadedTensors(doc, result, skipped);
    }

    private static void Check(string path, string what, string name, Tensor live, SafeTensorsEntry saved)
    {
        var savedDType = SafeTensorsConvert.FromSafeTensors(saved.DType);
        if (savedDType != live.DType)
            throw new CheckpointMismatchException(name, $"Checkpoint '{path}': {what} '{name}' is {saved.DTypeName} in the file but {live.DType.Name()} in the model");
        bool same = saved.Rank == live.Rank;
        for (int i = 0; same && i < live.Rank; i++) same = saved.Shape[i] == live.Size(i);
        if (!same)
            throw new CheckpointMismatchException(name, $"Checkpoint '{path}': {what} '{name}' has shape [{string.Join(", ", saved.GetShape())}] in the file but [{string.Join(", ", live.Shape.ToArray())}] in the model");
    }

    /// <summary>Rejects a negative step count (a 0-d int64 tensor, already checked by <see cref="Check"/>).</summary>
    private static void CheckStep(string path, string name, SafeTensorsEntry saved)
    {
        Span<long> step = stackalloc long[1];
        saved.CopyTo(step);
        if (step[0] < 0)
            throw new CheckpointMismatchException(name, $"Checkpoint '{path}': optimizer state '{name}' holds the step count {step[0]}, which is negative");
    }

    /// <summary>Copies the saved bytes into the live tensor; directly into host memory when possible.</summary>
    private static void CopyInto(Tensor live, SafeTensorsEntry saved)
    {
        if (live.IsContiguous && HostMemory.Holds(live))
        {
            switch (live.DType)
            {
                case DType.Float32: saved.CopyTo(live.AsSpan<float>()); live.BumpVersion(); return;
                case DType.Float64: saved.CopyTo(live.AsSpan<double>()); live.BumpVersion(); return;
                case DType.Int32: saved.CopyTo(live.AsSpan<int>()); live.BumpVersion(); return;
                case DType.Int64: saved.CopyTo(live.AsSpan<long>()); live.BumpVersion(); return;
            }
        }
        using var t = SafeTensorsConvert.ToTensor(saved, live.Device);
        live.CopyFrom(t);
    }
}
