using System.Globalization;
using System.Text.Json;
using SciKernels.Equivariant;
using SciKernels.Generative;
using SciKernels.IO;
using SciKernels.Random;
using SciKernels.Training;

namespace SciKernels.Cli;

/// <summary>What a diffusion checkpoint records besides the weights: enough to rebuild the model and its reference data.</summary>
/// <param name="Problem">The data set, e.g. "lj13".</param>
/// <param name="Species">Atom type names, in the order of the one-hot channel.</param>
/// <param name="Types">Type index of each atom of the generated structures.</param>
/// <param name="Hidden">Hidden features of the denoiser.</param>
/// <param name="Layers">EGNN layers of the denoiser.</param>
/// <param name="Schedule">Noise schedule name.</param>
/// <param name="Timesteps">T.</param>
/// <param name="Temperature">Temperature of the training data.</param>
/// <param name="DataSeed">Seed of the training data.</param>
/// <param name="NTrain">Training structures.</param>
/// <param name="CoordsAggregation">"mean" or "sum" (<see cref="CoordinateAggregation"/>); checkpoints written before the option hold none and mean "mean".</param>
/// <param name="CoordsRange">The per-layer tanh scale of the coordinate weights.</param>
/// <param name="CoordsWeight">The factor of each layer's coordinate update (1/normalization factor).</param>
internal sealed record DiffusionModelInfo(string Problem, string[] Species, int[] Types, int Hidden, int Layers, string Schedule, int Timesteps, double Temperature, ulong DataSeed, int NTrain,
    string CoordsAggregation = "mean", double CoordsRange = 3, double CoordsWeight = 1)
{
    /// <summary>The denoiser's layer settings.</summary>
    public EgclOptions LayerOptions() => EgnnDenoiser.DefaultLayerOptions with
    {
        CoordsAggregation = CoordsAggregation == "sum" ? CoordinateAggregation.Sum : CoordinateAggregation.Mean,
        CoordsRange = CoordsRange,
        CoordsWeight = CoordsWeight,
    };
}

/// <summary>Saves and loads <c>train diffusion</c> checkpoints (safetensors with a <c>kind</c> in the metadata).</summary>
internal static class DiffusionModelFile
{
    /// <summary>The metadata <c>kind</c> of these checkpoints.</summary>
    public const string Kind = "equivariant-diffusion";

    /// <summary>Writes the denoiser's weights and <paramref name="info"/> atomically.</summary>
    public static void Save(string path, EquivariantDiffusion model, DiffusionModelInfo info, IReadOnlyDictionary<string, string>? extra = null)
    {
        var meta = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["kind"] = Kind,
            ["problem"] = info.Problem,
            ["info"] = JsonSerializer.Serialize(info),
        };
        Checkpoint.Save(path, model.Denoiser, null, meta);
    }

    /// <summary>
    /// Reads only the metadata and checks that <paramref name="path"/> is a diffusion checkpoint; a user error
    /// (<see cref="OptionException"/>) names the file and what it holds instead.
    /// </summary>
    public static DiffusionModelInfo ReadInfo(string path, string option = "--model")
    {
        if (!File.Exists(path)) throw new OptionException($"{option} {path}: no such file");
        IReadOnlyDictionary<string, string>? meta;
        try
        {
            meta = SafeTensorsFile.Read(path).Metadata;
        }
        catch (Exception e) when (e is SafeTensorsFormatException or IOException or UnauthorizedAccessException)
        {
            throw new OptionException($"{option} {path} is not a readable safetensors checkpoint ({e.Message})");
        }
        string kind = meta is not null && meta.TryGetValue("kind", out var k) ? k : meta is not null && meta.TryGetValue("problem", out var p) ? $"a '{p}' model without a diffusion kind" : "no model kind";
        if (kind != Kind)
            throw new OptionException($"{option} {path} holds {(kind.StartsWith('a') || kind.StartsWith("no", StringComparison.Ordinal) ? kind : $"a '{kind}' model")}, not an {Kind} model (written by scikernels train diffusion)");
        DiffusionModelInfo? info = null;
        try
        {
            info = JsonSerializer.Deserialize<DiffusionModelInfo>(meta!["info"]);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException)
        {
            throw new OptionException($"{option} {path}: the diffusion metadata is missing or corrupt ({e.Message})");
        }
        if (info is null || info.CoordsAggregation is not ("mean" or "sum") || !(info.CoordsRange > 0) || !double.IsFinite(info.CoordsWeight) || info.Types.Length < 2 || info.Species.Length < 1 || info.Types.Any(t => t < 0 || t >= info.Species.Length))
            throw new OptionException($"{option} {path}: the diffusion metadata is inconsistent (species, atom types or coordinate settings)");
        return info;
    }

    /// <summary>Rebuilds the model of <paramref name="info"/> and loads the weights of <paramref name="path"/>.</summary>
    public static EquivariantDiffusion Load(string path, DiffusionModelInfo info)
    {
        var denoiser = new EgnnDenoiser(info.Species.Length, info.Hidden, info.Layers, new Generator(0), layerOptions: info.LayerOptions());
        Checkpoint.Load(path, denoiser);
        return new EquivariantDiffusion(denoiser, NoiseSchedule.FromName(info.Schedule, info.Timesteps));
    }

    /// <summary>Invariant-culture text of a number for metadata.</summary>
    public static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
