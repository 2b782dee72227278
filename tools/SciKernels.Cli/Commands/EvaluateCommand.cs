using System.CommandLine;
using System.Diagnostics;
using SciKernels.Data;
using SciKernels.Potentials;

namespace SciKernels.Cli;

/// <summary><c>scikernels evaluate</c>: energies, forces and stress of extended-XYZ frames, written back as ASE writes them.</summary>
internal sealed class EvaluateCommand : ICommand
{
    private readonly Argument<string> input = new("FILE.extxyz") { Description = "extended-XYZ input file" };
    private readonly Option<string?> potential = Opt.Text("--potential", "the potential: emt (required)");
    private readonly Option<string?> output = Opt.Text("--out", "output extended-XYZ file (required)");

    public string[] Path => ["evaluate"];

    public string Summary => "energy, forces and stress of every frame of an extended-XYZ file (as ASE writes them)";

    public string Notes => """
        Evaluates every frame of FILE.extxyz with the potential and writes them to OUT.extxyz the way ASE
        writes atoms with a calculator: energy= and stress= (3×3, eV/Å³) in the comment line, a forces
        column (eV/Å); ase.io.read gives them back as a SinglePointCalculator. The frames' other info keys
        are kept (a previous energy, stress or free_energy is replaced); extra per-atom columns are not
        carried. --potential emt is ASE's effective-medium theory (Al, Cu, Ag, Au, Ni, Pd, Pt, H, C, N, O);
        learned potentials are not available yet. The output is written atomically.
        """;

    public IEnumerable<Symbol> Symbols => [input, potential, output];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string file = p.GetValue(input)!;
        if (!File.Exists(file)) throw new OptionException($"input file {file} does not exist");
        string name = p.GetValue(potential) ?? throw new OptionException("--potential emt is required");
        if (!name.Equals("emt", StringComparison.OrdinalIgnoreCase))
            throw new OptionException($"--potential {name}: only 'emt' is available (learned potentials are not built yet)");
        string target = p.GetValue(output) ?? throw new OptionException("--out OUT.extxyz is required");
        if (Directory.Exists(target)) throw new OptionException($"--out {target} is a folder, not a file");
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(target));
        if (folder is not null && !Directory.Exists(folder)) throw new OptionException($"--out {target}: folder {folder} does not exist");
        if (System.IO.Path.GetFullPath(target) == System.IO.Path.GetFullPath(file)) throw new OptionException($"--out {target} is the input file");
        return new Job(() =>
        {
            try
            {
                var frames = ExtendedXyz.Read(file);
                var emt = new Emt();
                var clock = Stopwatch.StartNew();
                var results = new List<XyzFrame>(frames.Count);
                long atoms = 0;
                for (int i = 0; i < frames.Count; i++)
                {
                    var f = frames[i];
                    var numbers = new int[f.NumAtoms];
                    var cell = f.Cell ?? [];
                    EmtResult r;
                    try
                    {
                        for (int a = 0; a < numbers.Length; a++) numbers[a] = Emt.AtomicNumber(f.Species[a]);
                        r = emt.Calculate(f.Positions, numbers, cell, f.Pbc);
                    }
                    catch (Exception e) when (e is ArgumentException or TensorException)
                    {
                        throw new FormatException($"frame {i}: {e.Message}", e);
                    }
                    var info = f.Info.Where(kv => kv.Key is not ("energy" or "stress" or "free_energy"));
                    results.Add(PotentialFrames.FromEmt(numbers, f.Positions, cell, f.Pbc, r, info));
                    atoms += f.NumAtoms;
                }
                double seconds = clock.Elapsed.TotalSeconds;
                ExtendedXyz.Write(target, results);
                stdout.WriteLine($"{frames.Count} frame(s), {atoms} atoms evaluated with EMT in {seconds * 1e3:F1} ms -> {target}");
                return 0;
            }
            catch (FormatException e)
            {
                throw new OptionException($"{file}: {e.Message}"); // a malformed or unsupported input is a user error (exit 2)
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"scikernels evaluate: {e.Message}");
                return 1;
            }
        });
    }
}
