using System.Diagnostics.CodeAnalysis;

namespace SciKernels.IO;

/// <summary>The validated contents of a safetensors file: its tensors and optional string metadata.</summary>
public sealed class SafeTensorsDocument
{
    private readonly Dictionary<string, SafeTensorsEntry> _byName;

    internal SafeTensorsDocument(IReadOnlyList<SafeTensorsEntry> tensors, IReadOnlyDictionary<string, string>? metadata,
        Dictionary<string, SafeTensorsEntry> byName)
    {
        Tensors = tensors;
        Metadata = metadata;
        _byName = byName;
    }

    /// <summary>The tensors in the order their data appears in the file.</summary>
    public IReadOnlyList<SafeTensorsEntry> Tensors { get; }

    /// <summary>The <c>__metadata__</c> object, or null if the header has none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    /// <summary>Tensor names in file order.</summary>
    public IEnumerable<string> Names => Tensors.Select(t => t.Name);

    /// <summary>Number of tensors.</summary>
    public int Count => Tensors.Count;

    /// <summary>Looks up a tensor by name (ordinal comparison).</summary>
    /// <param name="name">Tensor name.</param>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public SafeTensorsEntry this[string name] =>
        _byName.TryGetValue(name, out SafeTensorsEntry? e) ? e : throw new KeyNotFoundException($"No tensor named '{name}'.");

    /// <summary>Looks up a tensor by name (ordinal comparison).</summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="entry">The tensor when found.</param>
    /// <returns>True if the tensor exists.</returns>
    public bool TryGetTensor(string name, [MaybeNullWhen(false)] out SafeTensorsEntry entry) => _byName.TryGetValue(name, out entry);
}
