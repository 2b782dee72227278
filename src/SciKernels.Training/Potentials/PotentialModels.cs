using System.Text.Json;
using SciKernels.IO;
using SciKernels.NN;
using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Training;

/// <summary>
/// What it takes to rebuild a learned potential: the model kind, its species and cutoff, its
/// hyper-parameters, and what it was trained on (the closest pair distance seen in training).
/// Stored as JSON in the safetensors metadata under <see cref="PotentialModels.ConfigKey"/>.
/// </summary>
/// <param name="Model">The kind, a key of <see cref="PotentialModels.Names"/> ("pair", "nequip").</param>
/// <param name="Cutoff">Cutoff radius (Å).</param>
/// <param name="AtomicNumbers">The species, in the model's index order.</param>
/// <param name="DType">Parameter dtype: "float64" or "float32".</param>
/// <param name="Basis">Number of radial basis functions.</param>
/// <param name="Hidden">Hidden widths (of the pair model's radial MLP).</param>
/// <param name="MinTrainingDistance">The shortest interatomic distance (Å) in the training set; 0 when unknown.</param>
/// <param name="Options">Further hyper-parameters of other model kinds, by name (nequip: channels, lmax, layers, avg-neighbors).</param>
public sealed record PotentialConfig(string Model, double Cutoff, int[] AtomicNumbers, string DType = "float64", int Basis = 8, int[]? Hidden = null,
    double MinTrainingDistance = 0, Dictionary<string, string>? Options = null);

/// <summary>
/// The factory of learned potentials by name, and their files: a safetensors checkpoint of the
/// parameters and buffers (shift and scale included) with the <see cref="PotentialConfig"/> in its metadata.
/// </summary>
/// <remarks>A new model kind is one entry of the factory table.</remarks>
public static class PotentialModels
{
    /// <summary>Metadata key of the JSON <see cref="PotentialConfig"/>.</summary>
    public const string ConfigKey = "scikernels.potential";

    private static readonly Dictionary<string, Func<PotentialConfig, Generator, IPotentialModel>> Factories = new(StringComparer.Ordinal)
    {
        ["pair"] = (c, g) => new PairMlpPotential(c.AtomicNumbers, c.Cutoff, g, c.Basis, c.Hidden, ParseDType(c.DType)),
        ["nequip"] = (c, g) => new NequipModel(c.AtomicNumbers, new NequipOptions
        {
            Cutoff = c.Cutoff,
            NumBasis = c.Basis,
            RadialHidden = c.Hidden ?? [64],
            Channels = IntOption(c, "channels", 32),
            LMax = IntOption(c, "lmax", 2),
            Layers = IntOption(c, "layers", 3),
            AverageNeighbors = DoubleOption(c, "avg-neighbors", 32),
        }, g, ParseDType(c.DType)),
    };

    /// <summary>The model kinds that can be built.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>A freshly initialised model of the kind <see cref="PotentialConfig.Model"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <exception cref="ArgumentException">Unknown kind or invalid hyper-parameters.</exception>
    public static IPotentialModel Create(PotentialConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(generator);
        if (!Factories.TryGetValue(config.Model, out var make))
            throw new ArgumentException($"PotentialModels: unknown model '{config.Model}'; known: {string.Join(", ", Names)}");
        if (config.AtomicNumbers is null || config.AtomicNumbers.Length == 0) throw new ArgumentException("PotentialModels: the configuration names no species");
        return make(config, generator);
    }

    /// <summary>Writes the model's parameters and buffers and its configuration to <paramref name="path"/> (atomically).</summary>
    /// <param name="path">Destination .safetensors file.</param>
    /// <param name="model">The model (a <see cref="Module"/>).</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="metadata">Further metadata (e.g. errors, epoch).</param>
    public static void Save(string path, IPotentialModel model, PotentialConfig config, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
            foreach (var (k, v) in metadata) meta[k] = v;
        meta[ConfigKey] = JsonSerializer.Serialize(config);
        Checkpoint.Save(path, AsModule(model), null, meta);
    }

    /// <summary>Rebuilds a model saved by <see cref="Save"/>.</summary>
    /// <param name="path">A .safetensors file written by <see cref="Save"/>.</param>
    /// <returns>The model, its configuration and the file's metadata.</returns>
    /// <exception cref="FormatException">The file is not a potential written by <see cref="Save"/> (no or bad configuration, mismatched tensors).</exception>
    public static (IPotentialModel Model, PotentialConfig Config, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        SafeTensorsDocument doc;
        try
        {
            doc = SafeTensorsFile.Read(path);
        }
        catch (Exception e) when (e is SafeTensorsFormatException or InvalidDataException or FormatException)
        {
            throw new FormatException($"{path} is not a safetensors file: {e.Message}", e);
        }
        if (doc.Metadata is null || !doc.Metadata.TryGetValue(ConfigKey, out var json))
            throw new FormatException($"{path} holds no '{ConfigKey}' metadata: not a potential saved by 'scikernels train potential'");
        PotentialConfig config;
        try
        {
            config = JsonSerializer.Deserialize<PotentialConfig>(json) ?? throw new FormatException("null configuration");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: the '{ConfigKey}' metadata is not a valid configuration: {e.Message}", e);
        }
        IPotentialModel model;
        try
        {
            model = Create(config, new Generator(0));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
        try
        {
            var meta = Checkpoint.Load(path, AsModule(model));
            return (model, config, meta);
        }
        catch (CheckpointMismatchException e)
        {
            throw new FormatException($"{path}: the tensors do not match its configuration: {e.Message}", e);
        }
    }

    private static Module AsModule(IPotentialModel model)
        => model as Module ?? throw new ArgumentException($"PotentialModels: {model.GetType().Name} is not a Module");

    private static int IntOption(PotentialConfig c, string name, int fallback) =>
        c.Options is { } o && o.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    private static double DoubleOption(PotentialConfig c, string name, double fallback) =>
        c.Options is { } o && o.TryGetValue(name, out var v) ? double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    private static DType ParseDType(string name) => name switch
    {
        "float64" => DType.Float64,
        "float32" => DType.Float32,
        _ => throw new ArgumentException($"PotentialModels: dtype must be float64 or float32, got '{name}'"),
    };
}
