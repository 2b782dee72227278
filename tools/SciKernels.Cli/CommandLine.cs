namespace SciKernels.Cli;

/// <summary>A command of the <c>scikernels</c> tool.</summary>
internal interface ICommand
{
    /// <summary>Words that select the command, e.g. ["kernels", "report"].</summary>
    string[] Path { get; }

    /// <summary>One-line description for the help text.</summary>
    string Summary { get; }

    /// <summary>Usage lines shown by <c>--help</c>.</summary>
    string Usage { get; }

    /// <summary>Runs the command; returns the process exit code.</summary>
    int Run(Options options, TextWriter stdout, TextWriter stderr);
}

/// <summary>Routes arguments to commands and turns bad input into a clear message and exit code 2.</summary>
internal static class CommandLine
{
    public static readonly List<ICommand> Commands = new()
    {
        new DemoCommand(),
        new DevicesCommand(),
        new TrainFnoCommand(),
        new TrainPinnCommand(),
        new TrainEgnnCommand(),
        new KernelsReportCommand(),
        new NeighborsCommand(),
    };

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintHelp(stdout);
            return args.Length == 0 ? 2 : 0;
        }
        var command = Commands
            .Where(c => c.Path.Length <= args.Length && c.Path.SequenceEqual(args.Take(c.Path.Length)))
            .OrderByDescending(c => c.Path.Length)
            .FirstOrDefault();
        if (command is null)
        {
            stderr.WriteLine($"scikernels: unknown command '{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))}'");
            PrintHelp(stderr);
            return 2;
        }
        try
        {
            var options = Options.Parse(args.Skip(command.Path.Length).ToArray());
            if (options.Flag("help") || options.Flag("h"))
            {
                stdout.WriteLine(command.Usage);
                return 0;
            }
            var code = command.Run(options, stdout, stderr);
            options.ThrowIfUnused();
            return code;
        }
        catch (OptionException e)
        {
            stderr.WriteLine($"scikernels {string.Join(' ', command.Path)}: {e.Message}");
            stderr.WriteLine(command.Usage);
            return 2;
        }
    }

    private static void PrintHelp(TextWriter w)
    {
        w.WriteLine("usage: scikernels <command> [options]   (scikernels <command> --help for its options)");
        foreach (var c in Commands) w.WriteLine($"  {string.Join(' ', c.Path),-24} {c.Summary}");
    }
}

/// <summary>A bad command-line option.</summary>
internal sealed class OptionException(string message) : Exception(message);

/// <summary>
/// <c>--name value</c>, <c>--name=value</c> and bare <c>--flag</c> options; every option must be
/// consumed by the command, so a typo is an error rather than silently ignored.
/// </summary>
internal sealed class Options
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = new();

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith('-'))
            {
                o.Positional.Add(a);
                continue;
            }
            var name = a.TrimStart('-');
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--"))
            {
                value = args[++i];
            }
            if (!o.values.TryAdd(name, value)) throw new OptionException($"option --{name} is given twice");
        }
        return o;
    }

    public bool Flag(string name)
    {
        if (!values.TryGetValue(name, out var v)) return false;
        used.Add(name);
        if (v is not null) throw new OptionException($"--{name} takes no value (got '{v}')");
        return true;
    }

    public string? String(string name)
    {
        if (!values.TryGetValue(name, out var v)) return null;
        used.Add(name);
        return v ?? throw new OptionException($"--{name} needs a value");
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new OptionException($"--{name} must be an integer in [{min}, {max}], got '{s}'");
        return v;
    }

    public double Double(string name, double fallback)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new OptionException($"--{name} must be a finite number, got '{s}'");
        return v;
    }

    public void ThrowIfUnused()
    {
        var unused = values.Keys.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0) throw new OptionException($"unknown option(s): {string.Join(", ", unused.Select(u => "--" + u))}");
    }
}
