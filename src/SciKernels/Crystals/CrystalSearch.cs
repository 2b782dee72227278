using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Crystals;

/// <summary>The binary alloys the crystal data are made for.</summary>
public static class CrystalSystems
{
    /// <summary>The two elements of a system name, "cu-au" or "cu-ag" (any binary of EMT elements, "a-b", also works).</summary>
    /// <param name="system">The name, case-insensitive.</param>
    /// <exception cref="ArgumentException">Not two distinct EMT elements.</exception>
    public static (int A, int B) Elements(string system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var parts = system.Split('-');
        if (parts.Length != 2)
            throw new ArgumentException($"CrystalSystems: '{system}' is not a binary system like cu-au or cu-ag", nameof(system));
        int a = Number(parts[0], system), b = Number(parts[1], system);
        if (a == b) throw new ArgumentException($"CrystalSystems: '{system}' names the same element twice", nameof(system));
        return (a, b);
    }

    private static int Number(string s, string system)
    {
        string symbol = s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
        if (EmtParameters.AtomicNumber(symbol) is int z && z > 0 && EmtParameters.Find(z) is not null) return z;
        throw new ArgumentException($"CrystalSystems: '{s}' in '{system}' is not an EMT element ({string.Join(", ", Emt.Elements)})", nameof(system));
    }
}

/// <summary>Settings of <see cref="CrystalSearch"/>.</summary>
public sealed record CrystalSearchOptions
{
    /// <summary>Random structures to relax (the known prototypes come on top).</summary>
    public int Count { get; init; } = 500;

    /// <summary>Seed: the same seed and settings give the same data bit for bit, on any number of threads.</summary>
    public ulong Seed { get; init; }

    /// <summary>Fewest atoms per cell of a random structure.</summary>
    public int MinAtoms { get; init; } = 4;

    /// <summary>Most atoms per cell of a random structure.</summary>
    public int MaxAtoms { get; init; } = 16;

    /// <summary>Most atoms of one element per cell (compositions are all (n_A, n_B) with both ≤ this and the total in range).</summary>
    public int MaxPerElement { get; init; } = 8;

    /// <summary>Structures more than this (eV/atom) above the lowest of their composition are dropped.</summary>
    public double EnergyWindow { get; init; } = 0.15;

    /// <summary>Fraction of the non-reference structures put in the test split.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>The relaxation (positions and cell).</summary>
    public CellRelaxation Relaxation { get; init; } = new() { Fmax = 0.02, StressMax = 0.002, MaxSteps = 600 };

    /// <summary>The starting structures.</summary>
    public RandomStructures Random { get; init; } = new();

    /// <summary>The matcher that removes duplicates.</summary>
    public StructureMatcher Matcher { get; init; } = new();

    /// <summary>Largest number of threads (structures relax in parallel; results do not depend on it). Default: all cores.</summary>
    public int MaxThreads { get; init; } = -1;
}

/// <summary>One structure of the crystal data.</summary>
/// <param name="Structure">The relaxed structure with its EMT energy, forces and stress.</param>
/// <param name="Source">Where it came from: "random-k" or a prototype name ("L12-Cu3Au", "fcc-Cu", …).</param>
/// <param name="Formula">Reduced formula.</param>
/// <param name="EnergyPerAtom">EMT energy per atom (eV).</param>
/// <param name="AboveReference">Energy per atom above the lowest one of its composition in the data (eV).</param>
/// <param name="Split">"train" or "test".</param>
public sealed record CrystalEntry(AtomicStructure Structure, string Source, string Formula, double EnergyPerAtom, double AboveReference, string Split);

/// <summary>Counts of a search, for reports.</summary>
/// <param name="Relaxed">Structures relaxed (random and prototypes).</param>
/// <param name="Failed">Relaxations that failed (the cell exploded or collapsed, atoms coincided).</param>
/// <param name="NotConverged">Relaxations that ran out of steps (dropped).</param>
/// <param name="AboveWindow">Converged structures dropped by the energy window.</param>
/// <param name="Duplicates">Duplicates removed by the matcher.</param>
/// <param name="Seconds">Wall-clock time of the whole search.</param>
public sealed record CrystalSearchStatistics(int Relaxed, int Failed, int NotConverged, int AboveWindow, int Duplicates, double Seconds);

/// <summary>A data set of relaxed, de-duplicated low-energy crystals of a binary system.</summary>
/// <param name="System">The system name (e.g. "cu-au").</param>
/// <param name="Entries">The structures, lowest energy per atom first within each composition.</param>
/// <param name="Statistics">What the search did (null when read from a file).</param>
public sealed record CrystalDataSet(string System, IReadOnlyList<CrystalEntry> Entries, CrystalSearchStatistics? Statistics)
{
    /// <summary>Training structures.</summary>
    public IEnumerable<AtomicStructure> Train => Entries.Where(e => e.Split == "train").Select(e => e.Structure);

    /// <summary>Test structures.</summary>
    public IEnumerable<AtomicStructure> Test => Entries.Where(e => e.Split == "test").Select(e => e.Structure);

    /// <summary>The lowest known energy per atom (eV) of each reduced formula: the reference of the stability test.</summary>
    public IReadOnlyDictionary<string, double> References =>
        Entries.GroupBy(e => e.Formula).ToDictionary(g => g.Key, g => g.Min(e => e.EnergyPerAtom));
}

/// <summary>
/// Random structure search over the compositions of a binary alloy: AIRSS-style random cells
/// (<see cref="RandomStructures"/>) and the known ordered phases (FCC, L1₂, L1₀ and 2×1×1 supercells) are
/// relaxed with EMT (<see cref="CellRelaxation"/>); failures and unconverged runs are dropped; structures
/// within <see cref="CrystalSearchOptions.EnergyWindow"/> of the lowest energy of their composition are kept,
/// duplicates removed (<see cref="StructureMatcher"/>), and the rest split into train and test.
/// </summary>
public static class CrystalSearch
{
    /// <summary>The compositions (n_A, n_B) of the random structures, in the order they are drawn.</summary>
    /// <param name="options">Atom-count limits.</param>
    public static List<(int A, int B)> Compositions(CrystalSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = new List<(int, int)>();
        for (int total = options.MinAtoms; total <= options.MaxAtoms; total++)
            for (int a = total; a >= 0; a--)
                if (a <= options.MaxPerElement && total - a <= options.MaxPerElement) list.Add((a, total - a));
        if (list.Count == 0) throw new ArgumentException($"CrystalSearch: no composition has {options.MinAtoms}…{options.MaxAtoms} atoms with at most {options.MaxPerElement} per element");
        return list;
    }

    /// <summary>The known ordered phases of a binary on the FCC lattice, with their names.</summary>
    /// <param name="a">First element (e.g. Cu).</param>
    /// <param name="b">Second element (e.g. Au).</param>
    public static List<(string Name, AtomicStructure Structure)> KnownPhases(int a, int b)
    {
        string sa = Elements.Symbol(a), sb = Elements.Symbol(b);
        var list = new List<(string, AtomicStructure)>
        {
            ($"fcc-{sa}", Prototypes.Fcc(a)), ($"fcc-{sb}", Prototypes.Fcc(b)),
            ($"L12-{sa}3{sb}", Prototypes.L12(a, b)), ($"L12-{sb}3{sa}", Prototypes.L12(b, a)),
            ($"L10-{sa}{sb}", Prototypes.L10(a, b)),
        };
        foreach (var (name, s) in list.ToArray()) list.Add(($"{name}-2x1x1", Prototypes.Supercell(s, 2, 1, 1)));
        return list;
    }

    /// <summary>The seed of random structure <paramref name="k"/>: a SplitMix64 mix of the run's seed and k, so each structure's draw is independent of the others and of threading.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="k">Index of the structure.</param>
    public static ulong StructureSeed(ulong seed, int k)
    {
        ulong z = seed * 0x9E3779B97F4A7C15UL + (ulong)k + 1;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Runs the search.</summary>
    /// <param name="system">"cu-au", "cu-ag" (or another binary of EMT elements).</param>
    /// <param name="options">Settings.</param>
    /// <param name="progress">Called with (relaxations done, total) from worker threads, or null.</param>
    public static CrystalDataSet Run(string system, CrystalSearchOptions options, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (a, b) = CrystalSystems.Elements(system);
        if (options.Count < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Count, "CrystalSearch: Count must be ≥ 0");
        if (!(options.TestFraction is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.TestFraction, "CrystalSearch: TestFraction must be in [0, 1)");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var compositions = Compositions(options);
        var known = KnownPhases(a, b);
        int total = known.Count + options.Count;
        var results = new CellRelaxationResult?[total];
        var failed = new bool[total];
        int done = 0;
        var emt = new Emt();
        Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads }, k =>
        {
            AtomicStructure start;
            if (k < known.Count) start = known[k].Structure;
            else
            {
                int r = k - known.Count;
                var (na, nb) = compositions[r % compositions.Count];
                int[] numbers = [.. Enumerable.Repeat(a, na), .. Enumerable.Repeat(b, nb)];
                start = options.Random.Create(numbers, new Generator(StructureSeed(options.Seed, r)));
            }
            try { results[k] = options.Relaxation.Relax(start, emt); }
            catch (CellRelaxationException) { failed[k] = true; }
            int d = Interlocked.Increment(ref done);
            progress?.Invoke(d, total);
        });

        var converged = Enumerable.Range(0, total).Where(k => results[k] is { Converged: true }).ToList();
        string Source(int k) => k < known.Count ? known[k].Name : $"random-{k - known.Count}";
        string Formula(int k) => Composition.Reduced(results[k]!.Structure.Numbers);
        var lowest = converged.GroupBy(Formula).ToDictionary(g => g.Key, g => g.Min(k => results[k]!.EnergyPerAtom));
        var kept = converged.Where(k => results[k]!.EnergyPerAtom <= lowest[Formula(k)] + options.EnergyWindow)
            .OrderBy(Formula, StringComparer.Ordinal).ThenBy(k => results[k]!.EnergyPerAtom).ThenBy(k => k).ToList();
        int aboveWindow = converged.Count - kept.Count;

        // De-duplicate per composition; the energy gate skips comparisons that cannot match (the same relaxed crystal has the same energy per atom).
        var unique = new List<int>();
        var prepared = new Dictionary<int, PreparedCrystal>();
        foreach (var group in kept.GroupBy(Formula))
        {
            var reps = new List<int>();
            foreach (int k in group)
            {
                var pk = prepared[k] = options.Matcher.Prepare(results[k]!.Structure);
                bool dup = reps.Any(r => Math.Abs(results[r]!.EnergyPerAtom - results[k]!.EnergyPerAtom) < 0.02 && options.Matcher.Matches(prepared[r], pk));
                if (!dup) reps.Add(k);
            }
            unique.AddRange(reps);
        }

        // Split: the lowest of each composition trains; the rest shuffled by the seed.
        var shuffle = new Generator(StructureSeed(options.Seed, -1));
        var entries = new List<CrystalEntry>();
        foreach (var group in unique.GroupBy(Formula))
        {
            var members = group.ToList(); // lowest first (kept is sorted)
            foreach (int k in members)
            {
                var res = results[k]!;
                bool test = k != members[0] && shuffle.NextDouble() < options.TestFraction;
                entries.Add(new CrystalEntry(res.Structure, Source(k), group.Key, res.EnergyPerAtom, res.EnergyPerAtom - lowest[group.Key], test ? "test" : "train"));
            }
        }
        var stats = new CrystalSearchStatistics(total, failed.Count(f => f), results.Count(r => r is { Converged: false }), aboveWindow,
            kept.Count - unique.Count, clock.Elapsed.TotalSeconds);
        return new CrystalDataSet(system.ToLowerInvariant(), entries, stats);
    }
}
