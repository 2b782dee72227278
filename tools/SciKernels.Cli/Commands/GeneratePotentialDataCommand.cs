using System.CommandLine;
using System.Diagnostics;
using SciKernels.Data;

namespace SciKernels.Cli;

/// <summary><c>scikernels generate potential-data</c>: EMT-labelled Cu / Cu–Au configurations from Langevin MD as extended XYZ.</summary>
internal sealed class GeneratePotentialDataCommand : ICommand
{
    private static readonly string[] Systems = ["cu", "cu-vacancy", "cu-surface", "cuau"];
    private readonly Option<string> system = Opt.Choice("--system", "cu", "configurations", Systems);
    private readonly Option<int> frames = Opt.Int("--frames", 100, "number of frames", 1, 1_000_000);
    private readonly Option<double[]> temperature = PotentialChoice.Numbers("--temperature", [300, 600, 900, 1200], "Langevin temperatures (K), one per trajectory in turn (default 300 600 900 1200)", Opt.NonNegative);
    private readonly Option<int> seed = Opt.Int("--seed", 0, "random seed (same seed, same file)", 0);
    private readonly Option<int> repeat = Opt.Int("--repeat", 3, "supercell n: n×n×n cubic FCC cells (4n³ sites)", 1, 40);
    private readonly Option<int> perTrajectory = Opt.Int("--frames-per-trajectory", 10, "frames from one trajectory (each starts from a fresh, strained structure)", 1);
    private readonly Option<int> every = Opt.Int("--every", 25, "MD steps between frames", 1);
    private readonly Option<double> strain = Opt.Double("--strain", 0.02, "largest random strain component", ("in [0, 0.5)", v => v is >= 0 and < 0.5));
    private readonly Option<string?> output = Opt.Text("--out", "output extended-XYZ file (required)");

    public string[] Path => ["generate", "potential-data"];

    public string Summary => "reference data for interatomic potentials: EMT-labelled Cu / Cu–Au frames from Langevin MD (extended XYZ)";

    public string Notes => """
        Systems: cu (bulk FCC Cu), cu-vacancy (one vacancy), cu-surface (a Cu(001) slab with 10 Å of vacuum
        along z; trajectories alternate pbc T T F and periodic T T T), cuau (random alloy, 25 % Au, Vegard's
        lattice constant). Each trajectory starts from a fresh structure with a random symmetric strain
        (slabs: in-plane), Maxwell–Boltzmann velocities, 200 Langevin steps of 2 fs (friction 0.02/fs) at its
        temperature, then one frame every --every steps. Frames are written as ASE writes atoms with a
        calculator (energy=, stress= 3×3, a forces column) plus config_type, temperature, trajectory and step;
        ase.io.read reads them. Same seed and options, same file bit for bit. Written atomically.
        """;

    public IEnumerable<Symbol> Symbols => [system, frames, temperature, seed, repeat, perTrajectory, every, strain, output];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string target = p.GetValue(output) ?? throw new OptionException("--out FILE.extxyz is required");
        PotentialChoice.CheckOutputFile(target, "--out");
        var options = new PotentialDataOptions
        {
            System = p.GetValue(system) switch
            {
                "cu-vacancy" => PotentialSystem.CopperVacancy,
                "cu-surface" => PotentialSystem.CopperSurface,
                "cuau" => PotentialSystem.CopperGold,
                _ => PotentialSystem.Copper,
            },
            Frames = p.GetValue(frames),
            TemperaturesK = p.GetValue(temperature)!,
            Seed = (ulong)p.GetValue(seed),
            Repeat = p.GetValue(repeat),
            FramesPerTrajectory = p.GetValue(perTrajectory),
            Every = p.GetValue(every),
            MaxStrain = p.GetValue(strain),
        };
        return new Job(() =>
        {
            var clock = Stopwatch.StartNew();
            int reported = 0;
            List<XyzFrame> result;
            try
            {
                result = PotentialDatasets.Generate(options, progress: done =>
                {
                    // A line per tenth of the frames: progress without flooding a log.
                    if (done * 10L / options.Frames > reported)
                    {
                        reported = (int)(done * 10L / options.Frames);
                        stderr.WriteLine($"  {done}/{options.Frames} frames ({clock.Elapsed.TotalSeconds:F1} s)");
                    }
                });
            }
            catch (InvalidOperationException e)
            {
                stderr.WriteLine($"scikernels generate potential-data: {e.Message}; nothing was written");
                return 1;
            }
            try
            {
                ExtendedXyz.Write(target, result);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"scikernels generate potential-data: {e.Message}");
                return 1;
            }
            long atoms = result.Sum(f => (long)f.NumAtoms);
            stdout.WriteLine($"{result.Count} frame(s) ({atoms} atoms) of {p.GetValue(system)} at {string.Join(", ", options.TemperaturesK)} K in {clock.Elapsed.TotalSeconds:F1} s -> {target}");
            return 0;
        });
    }
}
