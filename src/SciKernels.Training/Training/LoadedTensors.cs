using System.Collections;
using System.Diagnostics.CodeAnalysis;
using SciKernels.IO;

namespace SciKernels.Training;

/// <summary>
/// The tensors of a safetensors file loaded by <see cref="Checkpoint.LoadTensors"/>: every entry that could
/// become a tensor, by name, and every one that could not in <see cref="Skipped"/> with the reason. The
/// file's raw entries (each with its dtype, 64-bit shape and bytes) stay available in <see cref="File"/>.
/// Disposing the map disposes its tensors.
/// </summary>
public sealed class LoadedTensors : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    internal LoadedTensors(SafeTensorsDocument file, Dictionary<string, Tensor> tensors, Dictionary<string, string> skipped)
    {
        File = file;
        _tensors = tensors;
        Skipped = skipped;
    }

    /// <summary>The file as read: every entry's dtype, shape and raw bytes, and the metadata.</summary>
    public SafeTensorsDocument File { get; }

    /// <summary>The file's <c>__metadata__</c>, or an empty map.</summary>
    public IReadOnlyDictionary<string, string> Metadata => File.Metadata ?? new Dictionary<string, string>();

    /// <summary>Entries that did not become tensors, by name, with the reason (e.g. a dtype not converted, a dimension above <see cref="int.MaxValue"/>).</summary>
    public IReadOnlyDictionary<string, string> Skipped { get; }

    /// <inheritdoc/>
    public Tensor this[string key] => _tensors.TryGetValue(key, out Tensor? t) ? t
        : Skipped.TryGetValue(key, out string? why) ? throw new KeyNotFoundException(why)
        : throw new KeyNotFoundException($"safetensors: no tensor named '{key}'");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _tensors.Keys;

    /// <inheritdoc/>
    public IEnumerable<Tensor> Values => _tensors.Values;

    /// <inheritdoc/>
    public int Count => _tensors.Count;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value) => _tensors.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every loaded tensor.</summary>
    public void Dispose()
    {
        foreach (Tensor t in _tensors.Values) t.Dispose();
    }
}
