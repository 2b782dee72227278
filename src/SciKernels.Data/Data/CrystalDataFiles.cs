using System.Globalization;
using SciKernels.Crystals;

namespace SciKernels.Data;

/// <summary>
/// The crystal data of <see cref="CrystalSearch"/> as extended XYZ — one frame per structure with ASE's
/// <c>energy=</c>, <c>stress=</c> and <c>forces</c> labels plus <c>split</c>, <c>source</c>, <c>formula</c>,
/// <c>energy_per_atom</c> and <c>e_above_ref</c> — and a cache keyed by the search settings.
/// </summary>
public static class CrystalDataFiles
{
    /// <summary>Version of the search's behaviour: a change that alters results bumps it, so old caches are not reused.</summary>
    public const int Version = 1;

    /// <summary>The frames of a data set (ase.io.read reads them).</summary>
    /// <param name="data">The data set.</param>
    public static List<XyzFrame> ToFrames(CrystalDataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Entries.Select(e =>
        {
            var s = e.Structure;
            if (s.Energy is not { } energy || s.Forces is null || s.Cell is null)
                throw new ArgumentException($"CrystalDataFiles: structure {e.Source} has no energy, forces or cell", nameof(data));
            KeyValuePair<string, string>[] info =
            [
                new("system", data.System), new("split", e.Split), new("source", e.Source), new("formula", e.Formula),
                new("energy_per_atom", R(e.EnergyPerAtom)), new("e_above_ref", R(e.AboveReference)),
            ];
            return PotentialFrames.FromResults(s.Numbers, s.Positions, s.Cell, [true, true, true], energy, s.Forces, s.Stress, info);
        }).ToList();
    }

    /// <summary>Writes a data set to an extended-XYZ file atomically.</summary>
    /// <param name="path">Destination.</param>
    /// <param name="data">The data set.</param>
    public static void Write(string path, CrystalDataSet data) => ExtendedXyz.Write(path, ToFrames(data));

    /// <summary>Reads a data set written by <see cref="Write"/> (statistics are not stored: null).</summary>
    /// <param name="path">The extended-XYZ file.</param>
    /// <exception cref="FormatException">A frame lacks the crystal-data keys or labels (the message names the frame).</exception>
    public static CrystalDataSet Read(string path)
    {
        var frames = ExtendedXyz.Read(path);
        var entries = new List<CrystalEntry>();
        string system = "";
        for (int i = 0; i < frames.Count; i++)
        {
            var s = PotentialFrames.ToStructure(frames[i], i);
            string Get(string key) => frames[i].Info.FirstOrDefault(kv => kv.Key == key).Value
                ?? throw new FormatException($"{path}: frame {i} has no {key}= (not a crystal-data file written by scikernels generate crystal-data)");
            if (s.Energy is null || s.Forces is null || s.Cell is null) throw new FormatException($"{path}: frame {i} lacks energy, forces or a cell");
            system = Get("system");
            entries.Add(new CrystalEntry(s, Get("source"), Get("formula"), Number(Get("energy_per_atom"), path, i), Number(Get("e_above_ref"), path, i), Get("split")));
        }
        return new CrystalDataSet(system, entries, null);
    }

    /// <summary>
    /// The data set for a system and settings: read from <paramref name="cacheDirectory"/> when a file of the same
    /// system, count, seed, atom limits and <see cref="Version"/> is there, otherwise searched and cached.
    /// </summary>
    /// <param name="system">"cu-au" or "cu-ag".</param>
    /// <param name="options">Search settings (the cache key uses Count, Seed, MinAtoms, MaxAtoms, MaxPerElement, EnergyWindow, TestFraction; keep the other defaults or use no cache).</param>
    /// <param name="cacheDirectory">Cache folder, or null for no cache.</param>
    /// <param name="progress">Progress of a fresh search, or null.</param>
    public static CrystalDataSet Load(string system, CrystalSearchOptions options, string? cacheDirectory, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ = CrystalSystems.Elements(system);
        string? file = cacheDirectory is null ? null : Path.Combine(cacheDirectory, CacheName(system, options));
        if (file is not null && File.Exists(file)) return Read(file);
        var data = CrystalSearch.Run(system, options, progress);
        if (file is not null)
        {
            Directory.CreateDirectory(cacheDirectory!);
            Write(file, data);
        }
        return data;
    }

    /// <summary>The cache file name of a system and settings.</summary>
    /// <param name="system">System name.</param>
    /// <param name="o">Settings.</param>
    public static string CacheName(string system, CrystalSearchOptions o) =>
        string.Create(CultureInfo.InvariantCulture,
            $"crystal-{system.ToLowerInvariant()}-n{o.Count}-s{o.Seed}-a{o.MinAtoms}-{o.MaxAtoms}-{o.MaxPerElement}-w{o.EnergyWindow:R}-t{o.TestFraction:R}-v{Version}.xyz");

    private static double Number(string s, string path, int i) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : throw new FormatException($"{path}: frame {i}: '{s}' is not a number");

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
