using System.Text.Json;
using SciKernels.Generative;
using SciKernels.Generative.Crystals;
using SciKernels.IO;
using SciKernels.Potentials;
using SciKernels.Random;
using SciKernels.Training;

namespace SciKernels.Cli;

/// <summary>What a crystal diffusion checkpoint records besides the weights.</summary>
/// <param name="Problem">"crystals".</param>
/// <param name="Species">Element symbols of the type channels, in order.</param>
/// <param name="Hidden">Hidden features of the denoiser.</param>
/// <param name="Layers">Message-passing layers.</param>
/// <param name="Frequencies">Fourier frequencies of the fractional differences.</param>
/// <param name="TimeFrequencies">Sinusoidal time frequencies.</param>
/// <param name="Timesteps">T.</param>
/// <param name="SigmaMin">σ_1 of the torus schedule.</param>
/// <param name="SigmaMax">σ_T of the torus schedule.</param>
/// <param name="LatticeSchedule">Name of the lattice's VP schedule.</param>
/// <param name="DiffuseLattice">Whether lattices are generated.</param>
/// <param name="VolumePerAtom">Mean volume per atom of the training data (Å³), the lattice scale.</param>
/// <param name="Compositions">Training compositions (e.g. "Cu3Au1") with their counts.</param>
/// <param name="Data">The training file ('toy': the built-in set).</param>
/// <param name="DataSeed">Seed of the built-in set.</param>
internal sealed record CrystalModelInfo(string Problem, string[] Species, int Hidden, int Layers, int Frequencies, int TimeFrequencies, int Timesteps,
    double SigmaMin, double SigmaMax, string LatticeSchedule, bool DiffuseLattice, double VolumePerAtom, Dictionary<string, int> Compositions, string Data, ulong DataSeed);

/// <summary>Saves and loads <c>train diffusion --problem crystals</c> checkpoints (kind <c>crystal-diffusion</c>).</summary>
internal static class CrystalModelFile
{
    /// <summary>The metadata <c>kind</c> of these checkpoints.</summary>
    public const string Kind = "crystal-diffusion";

    /// <summary>Writes the denoiser's weights and <paramref name="info"/> atomically.</summary>
    public static void Save(string path, CrystalDiffusion model, CrystalModelInfo info, IReadOnlyDictionary<string, string>? extra = null)
    {
        var meta = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["kind"] = Kind,
            ["problem"] = info.Problem,
            ["info"] = JsonSerializer.Serialize(info),
        };
        Checkpoint.Save(path, model.Denoiser, null, meta);
    }

    /// <summary>Whether <paramref name="path"/> is a readable checkpoint of this kind (anything else: false, for the other readers to report).</summary>
    public static bool IsCrystalCheckpoint(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            var meta = SafeTensorsFile.Read(path).Metadata;
            return meta is not null && meta.TryGetValue("kind", out var k) && k == Kind;
        }
        catch (Exception e) when (e is SafeTensorsFormatException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The metadata of a crystal checkpoint; a user error names the file when it is missing or corrupt.</summary>
    public static CrystalModelInfo ReadInfo(string path, string option = "--model")
    {
        if (!IsCrystalCheckpoint(path)) throw new OptionException($"{option} {path} is not a {Kind} checkpoint");
        CrystalModelInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<CrystalModelInfo>(SafeTensorsFile.Read(path).Metadata!["info"]);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException)
        {
            throw new OptionException($"{option} {path}: the crystal diffusion metadata is missing or corrupt ({e.Message})");
        }
        if (info is null || info.Species.Length < 1 || info.Species.Any(s => Elements.TryNumber(s) == 0) || !(info.VolumePerAtom > 0))
            throw new OptionException($"{option} {path}: the crystal diffusion metadata is inconsistent (species or volume per atom)");
        return info;
    }

    /// <summary>The model of <paramref name="info"/> (untrained weights).</summary>
    public static CrystalDiffusion Build(CrystalModelInfo info, ulong seed)
    {
        var denoiser = new PeriodicDenoiser(info.Species.Length, info.Hidden, info.Layers, new Generator(seed), info.Frequencies, info.TimeFrequencies);
        return new CrystalDiffusion(denoiser, info.Species.Select(Elements.Number).ToArray(), info.VolumePerAtom,
            new TorusSchedule(info.Timesteps, info.SigmaMin, info.SigmaMax), NoiseSchedule.FromName(info.LatticeSchedule, info.Timesteps), info.DiffuseLattice);
    }

    /// <summary>Rebuilds the model of <paramref name="info"/> and loads the weights of <paramref name="path"/>.</summary>
    public static CrystalDiffusion Load(string path, CrystalModelInfo info)
    {
        var model = Build(info, 0);
        Checkpoint.Load(path, model.Denoiser);
        return model;
    }
}
