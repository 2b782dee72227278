using System.CommandLine;
using System.Globalization;
using SciKernels.Data;
using SciKernels.Potentials;
using SciKernels.Training;

namespace SciKernels.Cli;

/// <summary>
/// The <c>--potential</c> of the potential commands: a name (<c>emt</c>) or a model file written by
/// <c>train potential</c> (<c>MODEL.safetensors</c>), resolved to an <see cref="IAtomsCalculator"/>.
/// </summary>
internal static class PotentialChoice
{
    /// <summary>The names accepted today.</summary>
    public static readonly string[] Names = ["emt"];

    /// <summary>Checks <paramref name="spec"/> before any work and returns a factory for the calculator.</summary>
    /// <param name="spec">The option's value.</param>
    /// <param name="option">The option's name, for messages.</param>
    public static Func<IAtomsCalculator> Resolve(string spec, string option)
    {
        if (spec.Equals("emt", StringComparison.OrdinalIgnoreCase)) return () => new Emt();
        if (spec.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(spec)) throw new OptionException($"{option} {spec} does not exist");
            IPotentialModel model;
            try
            {
                (model, _, _) = PotentialModels.Load(spec);
            }
            catch (FormatException e)
            {
                throw new OptionException($"{option} {e.Message}");
            }
            // Loaded once, before any work: every run of the command shares the model.
            return () => new LearnedPotentialCalculator(model, Path.GetFileName(spec));
        }
        throw new OptionException($"{option} must be {Opt.OneOf(Names)} or a MODEL.safetensors written by train potential, got '{spec}'");
    }

    /// <summary>Atomic numbers of a frame's species; an unknown element is a user error naming the frame, atom and file.</summary>
    public static int[] Numbers(XyzFrame frame, string file, int index)
    {
        var numbers = new int[frame.NumAtoms];
        for (int a = 0; a < numbers.Length; a++)
        {
            int z = Emt.Elements.Contains(frame.Species[a]) ? Emt.AtomicNumber(frame.Species[a]) : 0;
            if (z == 0)
                throw new OptionException($"{file}: frame {index}, atom {a}: unknown or unsupported element '{frame.Species[a]}'; supported: {string.Join(", ", Emt.Elements)}");
            numbers[a] = z;
        }
        return numbers;
    }

    /// <summary>An option taking one or more finite numbers (<c>--temperature 300 600 900</c>) each passing <paramref name="valid"/>.</summary>
    public static Option<double[]> Numbers(string name, double[] fallback, string description, (string Phrase, Func<double, bool> Test) valid) =>
        new(name)
        {
            Description = description,
            AllowMultipleArgumentsPerToken = true,
            Arity = ArgumentArity.OneOrMore,
            DefaultValueFactory = _ => fallback,
            CustomParser = r =>
            {
                var values = new double[r.Tokens.Count];
                for (int i = 0; i < values.Length; i++)
                {
                    string s = r.Tokens[i].Value;
                    if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]) || !valid.Test(values[i]))
                    {
                        r.AddError($"{name} takes numbers {valid.Phrase}, got '{s}'");
                        return fallback;
                    }
                }
                return values;
            },
        };

    /// <summary>Checks that <paramref name="target"/> can be written as a file (not a folder, its folder exists, not the input).</summary>
    public static void CheckOutputFile(string target, string option, string? input = null)
    {
        if (Directory.Exists(target)) throw new OptionException($"{option} {target} is a folder, not a file");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(target));
        if (folder is not null && !Directory.Exists(folder)) throw new OptionException($"{option} {target}: folder {folder} does not exist");
        if (input is not null && Path.GetFullPath(target) == Path.GetFullPath(input)) throw new OptionException($"{option} {target} is the input file");
    }
}
