using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SciKernels.Crystals;
using SciKernels.Data;

namespace SciKernels.Cli;

/// <summary><c>scikernels generate crystal-data</c>: random structure search with EMT for a binary alloy, de-duplicated, as extended XYZ.</summary>
internal sealed class GenerateCrystalDataCommand : ICommand
{
    private readonly Option<string> system = Opt.Choice("--system", "cu-au", "binary alloy", "cu-au", "cu-ag");
    private readonly Option<int> count = Opt.Int("--count", 500, "random structures to relax (the known ordered phases come on top)", 1, 1_000_000);
    private readonly Option<int> seed = Opt.Int("--seed", 0, "random seed (same seed, same file)", 0);
    private readonly Option<int> maxAtoms = Opt.Int("--max-atoms", 16, "most atoms per cell (at most 8 of each element)", 4, 16);
    private readonly Option<double> window = Opt.Double("--window", 0.15, "keep structures within this many eV/atom of the lowest of their composition", Opt.Positive);
    private readonly Option<double> testFraction = Opt.Double("--test-fraction", 0.2, "fraction of the non-reference structures in the test split", ("in [0, 1)", v => v is >= 0 and < 1));
    private readonly Option<string?> cif = Opt.Text("--cif", "also write the structures as CIF (P 1) to this file");
    private readonly Option<string?> output = Opt.Text("--out", "output extended-XYZ file (required)");

    public string[] Path => ["generate", "crystal-data"];

    public string Summary => "crystal data: random structure search + EMT cell relaxation for Cu–Au or Cu–Ag, de-duplicated, train/test (extended XYZ)";

    public string Notes => """
        AIRSS-style random cells (volume 0.9–1.3 × the sum of the FCC atomic volumes, lengths and angles
        random, atoms no closer than 0.75 × the nearest-neighbour distance) for every composition (n_A, n_B)
        with 4…--max-atoms atoms and at most 8 of each, in turn, plus the known phases (FCC, L1₂, L1₀ and
        their 2×1×1 supercells); each relaxed with FIRE over positions and cell (f < 0.02 eV/Å, |σ| < 0.002 eV/Å³,
        600 steps; failures and unconverged runs dropped); kept within --window of the lowest energy per atom
        of their reduced composition; duplicates removed by the structure matcher; the lowest of each
        composition trains, the rest split by --test-fraction. Frames carry energy=, stress=, forces (ase.io.read
        reads them) and split, source, formula, energy_per_atom, e_above_ref. Same seed, same file on any
        number of threads. Written atomically.
        """;

    public IEnumerable<Symbol> Symbols => [system, count, seed, maxAtoms, window, testFraction, cif, output];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string target = p.GetValue(output) ?? throw new OptionException("--out FILE.xyz is required");
        PotentialChoice.CheckOutputFile(target, "--out");
        string? cifFile = p.GetValue(cif);
        if (cifFile is not null) PotentialChoice.CheckOutputFile(cifFile, "--cif", target);
        string name = p.GetValue(system)!;
        var options = new CrystalSearchOptions
        {
            Count = p.GetValue(count),
            Seed = (ulong)p.GetValue(seed),
            MaxAtoms = p.GetValue(maxAtoms),
            EnergyWindow = p.GetValue(window),
            TestFraction = p.GetValue(testFraction),
        };
        return new Job(() =>
        {
            var clock = Stopwatch.StartNew();
            int reported = 0;
            var data = CrystalSearch.Run(name, options, (done, total) =>
            {
                // A line per tenth of the relaxations.
                int tenth = (int)(done * 10L / total);
                if (tenth > Volatile.Read(ref reported) && Interlocked.Exchange(ref reported, tenth) < tenth)
                    stderr.WriteLine($"  {done}/{total} relaxed ({clock.Elapsed.TotalSeconds:F1} s)");
            });
            try
            {
                CrystalDataFiles.Write(target, data);
                if (cifFile is not null)
                    Cif.Write(cifFile, data.Entries.Select(e => e.Structure).ToList(), data.Entries.Select(e => $"{e.Formula}_{e.Source}_{e.Split}").ToList());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"scikernels generate crystal-data: {e.Message}");
                return 1;
            }
            var s = data.Statistics!;
            var inv = CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(inv, $"{data.Entries.Count} structures ({data.Train.Count()} train, {data.Test.Count()} test) of {name} from {s.Relaxed} relaxations in {s.Seconds:F1} s: {s.Failed} failed, {s.NotConverged} unconverged, {s.AboveWindow} above the window, {s.Duplicates} duplicates -> {target}"));
            var (ea, eb) = CrystalSystems.Elements(name);
            var hull = new BinaryHull(ea, eb, data.Entries.Select(e => (e.Structure.Numbers, e.EnergyPerAtom)));
            stdout.WriteLine("formula      count  lowest (eV/atom)  formation (eV/atom)  above hull (eV/atom)  source of the lowest");
            foreach (var g in data.Entries.GroupBy(e => e.Formula).OrderByDescending(g => Composition.Fraction(g.First().Structure.Numbers, ea)))
            {
                var low = g.First();
                stdout.WriteLine(string.Create(inv, $"{g.Key,-12} {g.Count(),5}  {low.EnergyPerAtom,16:F5}  {hull.FormationEnergy(low.Structure.Numbers, low.EnergyPerAtom),19:F5}  {hull.AboveHull(low.Structure.Numbers, low.EnergyPerAtom),20:F5}  {low.Source}"));
            }
            return 0;
        });
    }
}
