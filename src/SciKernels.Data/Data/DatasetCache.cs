using System.Security.Cryptography;
using System.Text;
using SciKernels.IO;

namespace SciKernels.Data;

/// <summary>One float64 tensor of a cached data set: its name, its shape and (when writing) its values.</summary>
/// <param name="Name">Tensor name in the safetensors file.</param>
/// <param name="Shape">Expected (or written) shape.</param>
/// <param name="Values">Row-major values; null when only describing what to read.</param>
internal readonly record struct CachedTensor(string Name, long[] Shape, double[]? Values = null);

/// <summary>
/// The on-disk cache of the generated data sets: one safetensors file of float64 tensors per data set,
/// named <c>{stem}_{hash}.safetensors</c> where the hash is that of the recipe text, so data sets of
/// different recipes never evict each other. The recipe and the other metadata are stored in the file and
/// compared on read, as are the tensors' dtype and shape and the finiteness of every value; an unreadable,
/// truncated or mismatched file is reported and regenerated, never trusted. Writes are atomic
/// (<see cref="SafeTensorsFile.Write(string, IEnumerable{SafeTensorsEntry}, IReadOnlyDictionary{string, string}?)"/>).
/// </summary>
internal sealed class DatasetCache
{
    private readonly Dictionary<string, string> _metadata;
    private readonly string _label;

    /// <param name="directory">Cache directory (created on the first write).</param>
    /// <param name="label">Prefix of the log messages, e.g. "burgers".</param>
    /// <param name="stem">File name without the recipe hash: the parameters that vary per call (s, count, seed).</param>
    /// <param name="recipe">Everything else that determines the data, as one line.</param>
    /// <param name="metadata">Further metadata (problem, seed…), written and compared on read.</param>
    public DatasetCache(string directory, string label, string stem, string recipe, IReadOnlyDictionary<string, string>? metadata = null)
    {
        _label = label;
        _metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { ["recipe"] = recipe };
        Path = System.IO.Path.Combine(directory, $"{stem}_{Tag(recipe)}.safetensors");
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>The first 8 hex digits of the recipe's SHA-256: enough to tell recipes apart in a file name.</summary>
    internal static string Tag(string recipe) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipe)))[..8];

    /// <summary>
    /// The tensors' values when the file exists and holds exactly this recipe's data, else null (after logging
    /// why a present file is unusable).
    /// </summary>
    /// <param name="tensors">Names and expected shapes.</param>
    /// <param name="what">What is read, for the log ("3 samples at s=32").</param>
    /// <param name="log">Optional progress messages.</param>
    /// <param name="check">A data-set specific test of the values; returns what is wrong or null.</param>
    public double[][]? TryRead(IReadOnlyList<CachedTensor> tensors, string what, Action<string>? log, Func<double[][], string?>? check = null)
    {
        if (!File.Exists(Path)) return null;
        string? problem;
        try
        {
            var doc = SafeTensorsFile.Read(Path);
            problem = CheckMetadata(doc.Metadata);
            double[][]? values = null;
            if (problem is null)
            {
                values = new double[tensors.Count][];
                for (int i = 0; i < tensors.Count && problem is null; i++)
                {
                    var spec = tensors[i];
                    if (!doc.TryGetTensor(spec.Name, out var entry)) problem = $"tensor '{spec.Name}' is missing";
                    else if (entry.DType != SafeTensorsDType.F64) problem = $"tensor '{spec.Name}' is not float64";
                    else if (!entry.Shape.SequenceEqual(spec.Shape))
                        problem = $"tensor '{spec.Name}' has shape [{string.Join(", ", entry.GetShape())}] instead of [{string.Join(", ", spec.Shape)}]";
                    else
                    {
                        values[i] = entry.ToArray<double>();
                        foreach (var v in values[i])
                        {
                            if (!double.IsFinite(v)) { problem = $"a non-finite value in '{spec.Name}'"; break; }
                        }
                    }
                }
            }
            problem ??= check?.Invoke(values!);
            if (problem is null)
            {
                log?.Invoke($"{_label}: read {what} from {Path}");
                return values;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SafeTensorsFormatException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            problem = e.Message;
        }
        log?.Invoke($"{_label}: cache {Path} is unusable ({problem}); regenerating");
        return null;
    }

    /// <summary>
    /// Writes the tensors and the metadata atomically. A tensor over the format's 2 GiB limit, or a failing
    /// write, leaves the data set uncached (logged): the data were generated and stay usable.
    /// </summary>
    public void Write(IReadOnlyList<CachedTensor> tensors, Action<string>? log)
    {
        foreach (var t in tensors)
        {
            if (t.Values is null) throw new ArgumentException($"DatasetCache.Write: tensor '{t.Name}' has no values", nameof(tensors));
            if (t.Values.LongLength * sizeof(double) > Array.MaxLength)
            {
                log?.Invoke($"{_label}: tensor '{t.Name}' exceeds one 2 GiB safetensors tensor; not cached");
                return;
            }
        }
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            SafeTensorsFile.Write(Path, tensors.Select(t => SafeTensorsEntry.Create<double>(t.Name, t.Values!, t.Shape)).ToArray(), _metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log?.Invoke($"{_label}: could not write the cache {Path} ({e.Message}); not cached");
        }
    }

    /// <summary>
    /// The recipe must be stored and equal; the other keys (already in the file name) must be equal where stored.
    /// </summary>
    private string? CheckMetadata(IReadOnlyDictionary<string, string>? stored)
    {
        if (stored is null || !stored.TryGetValue("recipe", out var recipe) || recipe != _metadata["recipe"]) return "a different recipe";
        foreach (var (key, value) in _metadata)
        {
            if (stored.TryGetValue(key, out var s) && s != value) return $"a different {key}";
        }
        return null;
    }
}
