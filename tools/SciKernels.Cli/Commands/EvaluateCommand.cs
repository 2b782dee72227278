using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SciKernels.Data;
using SciKernels.Potentials;
using SciKernels.Training;

namespace SciKernels.Cli;

/// <summary><c>scikernels evaluate</c>: energies, forces and stress of extended-XYZ frames, written back as ASE writes them.</summary>
internal sealed class EvaluateCommand : ICommand
{
    private readonly Argument<string> input = new("FILE.extxyz") { Description = "extended-XYZ input file" };
    private readonly Option<string?> potential = Opt.Text("--potential", "the potential: emt or MODEL.safetensors from scikernels train potential (required)");
    private readonly Option<string?> output = Opt.Text("--out", "output extended-XYZ file (required)");

    public string[] Path => ["evaluate"];

    public string Summary => "energy, forces and stress of every frame of an extended-XYZ file (as ASE writes them)";

    public string Notes => """
        Evaluates every frame of FILE.extxyz with the potential and writes them to OUT.extxyz the way ASE
        writes atoms with a calculator: energy= and stress= (3×3, eV/Å³) in the comment line, a forces
        column (eV/Å); ase.io.read gives them back as a SinglePointCalculator. The frames' other info keys
        are kept (a previous energy, stress or free_energy is replaced); extra per-atom columns are not
        carried. --potential emt is ASE's effective-medium theory (Al, Cu, Ag, Au, Ni, Pd, Pt, H, C, N, O);
        --potential MODEL.safetensors is a learned potential written by scikernels train potential (it
        knows the elements it was trained on; a frame with atoms closer than the closest pair of its
        training set gets a warning, closer than 60% of it an error). The output is written atomically.
        """;

    public IEnumerable<Symbol> Symbols => [input, potential, output];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string file = p.GetValue(input)!;
        if (!File.Exists(file)) throw new OptionException($"input file {file} does not exist");
        string name = p.GetValue(potential) ?? throw new OptionException("--potential emt|MODEL.safetensors is required");
        bool emtPotential = name.Equals("emt", StringComparison.OrdinalIgnoreCase);
        if (!emtPotential && !File.Exists(name))
            throw new OptionException($"--potential {name}: neither 'emt' nor an existing model file (MODEL.safetensors from scikernels train potential)");
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
                var clock = Stopwatch.StartNew();
                var results = emtPotential ? EvaluateEmt(frames) : EvaluateLearned(name, frames, stderr);
                double seconds = clock.Elapsed.TotalSeconds;
                ExtendedXyz.Write(target, results);
                long atoms = frames.Sum(f => (long)f.NumAtoms);
                stdout.WriteLine($"{frames.Count} frame(s), {atoms} atoms evaluated with {(emtPotential ? "EMT" : name)} in {seconds * 1e3:F1} ms -> {target}");
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

    private static IEnumerable<KeyValuePair<string, string>> KeptInfo(XyzFrame f) => f.Info.Where(kv => kv.Key is not ("energy" or "stress" or "free_energy"));

    private static List<XyzFrame> EvaluateEmt(List<XyzFrame> frames)
    {
        var emt = new Emt();
        var results = new List<XyzFrame>(frames.Count);
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
            results.Add(PotentialFrames.FromEmt(numbers, f.Positions, cell, f.Pbc, r, KeptInfo(f)));
        }
        return results;
    }

    /// <summary>Closer than this share of the closest training pair, a learned potential's answer is meaningless: refuse.</summary>
    private const double RefuseBelow = 0.6;

    private static List<XyzFrame> EvaluateLearned(string modelFile, List<XyzFrame> frames, TextWriter stderr)
    {
        IPotentialModel model;
        PotentialConfig config;
        try
        {
            (model, config, _) = PotentialModels.Load(modelFile);
        }
        catch (FormatException e)
        {
            throw new OptionException($"--potential {e.Message}");
        }
        var results = new List<XyzFrame>(frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            var st = PotentialFrames.ToStructure(f, i);
            PotentialResult r;
            try
            {
                using var ev = new PotentialEvaluator(model, [st]);
                double closest = ev.MinDistance(0);
                if (config.MinTrainingDistance > 0 && closest < config.MinTrainingDistance)
                {
                    string message = string.Create(CultureInfo.InvariantCulture,
                        $"frame {i}: two atoms are {closest:F3} Å apart, closer than any pair the model was trained on ({config.MinTrainingDistance:F3} Å)");
                    if (closest < RefuseBelow * config.MinTrainingDistance) throw new FormatException($"{message}; its prediction would be meaningless");
                    stderr.WriteLine($"scikernels evaluate: warning: {message}; the prediction is an extrapolation");
                }
                r = ev.EvaluateAll()[0];
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"frame {i}: {e.Message}", e);
            }
            results.Add(PotentialFrames.FromResults(st.Numbers, st.Positions, st.Cell ?? [], st.Pbc, r.Energy, r.Forces, r.Stress, KeptInfo(f)));
        }
        return results;
    }
}
