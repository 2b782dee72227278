using System.CommandLine;
using System.CommandLine.Help;
using System.Reflection;

namespace SciKernels.Cli;

/// <summary>A command of the <c>scikernels</c> tool.</summary>
internal interface ICommand
{
    /// <summary>Words that select the command, e.g. ["kernels", "report"].</summary>
    string[] Path { get; }

    /// <summary>One-line description for the help text.</summary>
    string Summary { get; }

    /// <summary>Prose shown by <c>--help</c> after the generated list of options (defaults, files written).</summary>
    string Notes { get; }

    /// <summary>The command's typed options and arguments (created once per command instance).</summary>
    IEnumerable<Symbol> Symbols { get; }

    /// <summary>
    /// Checks everything the parser cannot (option combinations, the output folder, the device) and returns
    /// the work to do; throws <see cref="OptionException"/> for a user error. Does no work and writes nothing.
    /// </summary>
    Job Bind(ParseResult parse, TextWriter stdout, TextWriter stderr);
}

/// <summary>The validated work of a command: <paramref name="Work"/> returns the exit code.</summary>
/// <param name="Work">The run itself.</param>
/// <param name="OutDir">The output folder it writes, if any (removed again when the run fails and left it empty).</param>
internal sealed record Job(Func<int> Work, string? OutDir = null);

/// <summary>A user error found before any work: one line on stderr and exit code 2.</summary>
internal sealed class OptionException(string message) : Exception(message);

/// <summary>
/// <c>scikernels</c>'s command tree on System.CommandLine. Every option is typed and validated and the device
/// resolved before any work: a user error prints one line on stderr and exits 2 (with a "did you mean" for a
/// misspelled option or command), an internal error exits 1 with a message (the stack trace with
/// <c>--verbose</c>).
/// </summary>
internal static class CommandLine
{
    /// <summary>Exit code of a user error (bad option, value, device or path).</summary>
    public const int UsageError = 2;

    /// <summary>New instances of every command (options are per instance: one tree per <see cref="Run"/>).</summary>
    public static ICommand[] CreateCommands() =>
    [
        new DemoCommand(),
        new DevicesCommand(),
        new TrainFnoCommand(),
        new TrainPinnCommand(),
        new TrainEgnnCommand(),
        new TrainPotentialCommand(),
        new KernelsReportCommand(),
        new NeighborsCommand(),
        new EvaluateCommand(),
        new MdCommand(), new GeneratePotentialDataCommand(),
        new TrainDiffusionCommand(), new SampleCommand(),
        new GenerateCrystalDataCommand(),
    ];

    /// <summary>The version <c>--version</c> prints (the assembly's informational version).</summary>
    public static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Parses, validates and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var tree = Build();
        var parse = tree.Root.Parse(args);
        string name = CommandName(parse);
        if (args.Length == 0)
        {
            Invoke(tree.Root.Parse(["--help"]), tree, stdout, stderr);
            return UsageError;
        }
        if (args is ["--version"])
        {
            stdout.WriteLine(Version);
            return 0;
        }
        if (parse.GetResult(tree.Version) is { Implicit: false })
        {
            stderr.WriteLine("scikernels: --version takes no other arguments");
            return UsageError;
        }
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"{name}: {DescribeErrors(parse)} (see {name} --help)");
            return UsageError;
        }
        if (parse.Action is HelpAction || !tree.ByCommand.ContainsKey(parse.CommandResult.Command))
            return Invoke(parse, tree, stdout, stderr); // --help
        var command = tree.ByCommand[parse.CommandResult.Command];
        bool verbose = parse.GetValue(tree.Verbose);
        Job job;
        try
        {
            job = command.Bind(parse, stdout, stderr);
        }
        catch (OptionException e)
        {
            stderr.WriteLine($"{name}: {e.Message}");
            return UsageError;
        }
        catch (Exception e)
        {
            return InternalError(name, e, verbose, stderr);
        }
        return RunJob(name, job, verbose, stderr);
    }

    /// <summary>
    /// Runs a bound <paramref name="job"/>: an <see cref="OptionException"/> from the run is a user error (2), any
    /// other exception an internal error (1, its stack trace only when <paramref name="verbose"/>). A failed run's
    /// output folder is removed again when the run created it and left no file in it.
    /// </summary>
    internal static int RunJob(string name, Job job, bool verbose, TextWriter stderr)
    {
        bool existed = job.OutDir is not null && Directory.Exists(job.OutDir);
        int code;
        try
        {
            code = job.Work();
        }
        catch (OptionException e)
        {
            stderr.WriteLine($"{name}: {e.Message}");
            code = UsageError;
        }
        catch (Exception e)
        {
            code = InternalError(name, e, verbose, stderr);
        }
        if (code != 0 && job.OutDir is not null && !existed) OutputFolder.RemoveIfEmpty(job.OutDir);
        return code;
    }

    private static int InternalError(string name, Exception e, bool verbose, TextWriter stderr)
    {
        stderr.WriteLine($"{name}: internal error: {e.GetType().Name}: {e.Message}{(verbose ? "" : " (run with --verbose for the stack trace)")}");
        if (verbose) stderr.WriteLine(e);
        return 1;
    }

    /// <summary>
    /// Parses and validates <paramref name="args"/> without running anything: null when the command line is
    /// valid, else the error line <see cref="Run"/> would print. For tests of the documented commands.
    /// </summary>
    public static string? Check(string[] args)
    {
        if (args is ["--version"]) return null;
        var tree = Build();
        var parse = tree.Root.Parse(args);
        if (parse.GetResult(tree.Version) is { Implicit: false }) return "--version takes no other arguments";
        if (parse.Errors.Count > 0) return DescribeErrors(parse);
        if (parse.Action is HelpAction) return null;
        if (!tree.ByCommand.TryGetValue(parse.CommandResult.Command, out var command)) return null;
        try
        {
            command.Bind(parse, TextWriter.Null, TextWriter.Null);
            return null;
        }
        catch (OptionException e)
        {
            return e.Message;
        }
    }

    private sealed record Tree(Command Root, Dictionary<Command, ICommand> ByCommand, Option<bool> Verbose, Option<bool> Version);

    private static Tree Build()
    {
        // A plain command named like the installed tool (a RootCommand is named after the executable, SciKernels.Cli).
        var root = new Command("scikernels", "SciKernels: tensors, autodiff and scientific ML (FNO, PINN, EGNN) on the CPU and GPUs.");
        root.Options.Add(new HelpOption { Recursive = true });
        var version = Opt.Flag("--version", "print the version and exit");
        root.Options.Add(version);
        var verbose = new Option<bool>("--verbose") { Description = "print the stack trace of an internal error", Recursive = true, Arity = ArgumentArity.Zero };
        root.Options.Add(verbose);
        var byCommand = new Dictionary<Command, ICommand>();
        foreach (var c in CreateCommands())
        {
            Command parent = root;
            foreach (var word in c.Path[..^1])
            {
                var group = parent.Subcommands.FirstOrDefault(s => s.Name == word);
                if (group is null)
                {
                    group = new Command(word, GroupSummary(word));
                    parent.Subcommands.Add(group);
                }
                parent = group;
            }
            var command = new Command(c.Path[^1], c.Summary);
            foreach (var symbol in c.Symbols)
            {
                if (symbol is Option o) command.Options.Add(o);
                else command.Arguments.Add((Argument)symbol);
            }
            // Every command has an action (the run happens in Run, after Bind); the action only marks it runnable.
            command.SetAction(_ => 0);
            parent.Subcommands.Add(command);
            byCommand[command] = c;
        }
        return new Tree(root, byCommand, verbose, version);
    }

    private static string GroupSummary(string word) => word switch
    {
        "train" => "train a model: fno, pinn, egnn, potential or diffusion",
        "kernels" => "inspect the GPU kernels without a GPU",
        "generate" => "generate data sets: potential-data",
        _ => word,
    };

    private static int Invoke(ParseResult parse, Tree tree, TextWriter stdout, TextWriter stderr)
    {
        int code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        if (parse.Action is HelpAction && tree.ByCommand.TryGetValue(parse.CommandResult.Command, out var command) && command.Notes.Length > 0)
        {
            stdout.WriteLine("Notes:");
            foreach (var line in command.Notes.Split('\n')) stdout.WriteLine("  " + line.TrimEnd('\r'));
        }
        return code;
    }

    private static string CommandName(ParseResult parse)
    {
        var words = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            words.Add(r.Command.Name);
        words.Reverse();
        return string.Join(' ', words);
    }

    /// <summary>One line for the parse errors: unknown options first (with a suggestion), then stray words, then the rest.</summary>
    private static string DescribeErrors(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var unmatched = parse.UnmatchedTokens;
        var unknownOptions = unmatched.Where(t => t.StartsWith('-') && !double.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out _)).ToList();
        if (unknownOptions.Count > 0)
        {
            var known = OptionNames(parse).ToList();
            var parts = unknownOptions.Select(t =>
            {
                string bare = t.Split('=', ':')[0];
                var guess = Suggest(bare, known);
                return guess is null ? bare : $"{bare} (did you mean {guess}?)";
            });
            return $"unknown option(s): {string.Join(", ", parts)}";
        }
        if (unmatched.Count > 0)
        {
            var word = unmatched[0];
            if (command.Subcommands.Count > 0)
            {
                var guess = Suggest(word, command.Subcommands.Select(s => s.Name));
                return $"unknown command '{word}'{(guess is null ? "" : $" (did you mean '{guess}'?)")}; commands: {string.Join(", ", command.Subcommands.Select(s => s.Name))}";
            }
            return $"unexpected argument '{word}'{(unmatched.Count > 1 ? $" (and {unmatched.Count - 1} more)" : "")}: this command takes "
                + (command.Arguments.Count == 0 ? "no positional arguments" : $"{command.Arguments.Count} positional argument(s)")
                + "; a flag takes no value";
        }
        var first = parse.Errors[0].Message;
        if (first.StartsWith("Required command was not provided", StringComparison.Ordinal))
            return $"a command is required: {string.Join(", ", command.Subcommands.Select(s => s.Name))}";
        return first;
    }

    private static IEnumerable<string> OptionNames(ParseResult parse)
    {
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            foreach (var o in r.Command.Options)
                if (!o.Hidden) yield return o.Name;
    }

    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="word"/>, if any is close enough to be a typo.</summary>
    internal static string? Suggest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = EditDistance(word, c);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return best is not null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
