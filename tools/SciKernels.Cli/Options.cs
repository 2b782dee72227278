using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SciKernels.Devices;

namespace SciKernels.Cli;

/// <summary>
/// Typed, validated options: the parser reports a bad value as one line naming the option, the value and
/// what is expected (e.g. <c>--hidden must be an integer in [1, 4096], got '0'</c>), before any work.
/// </summary>
internal static class Opt
{
    /// <summary>An integer option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> Int(string name, int fallback, string description, int min = int.MinValue, int max = int.MaxValue) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => fallback,
            CustomParser = r =>
            {
                string s = r.Tokens[0].Value;
                if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
                {
                    r.AddError($"{name} must be an integer in [{min}, {max}], got '{s}'");
                    return fallback;
                }
                return v;
            },
        };

    /// <summary>An optional integer option (null when absent) in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int?> OptionalInt(string name, string description, int min = int.MinValue, int max = int.MaxValue) =>
        new(name)
        {
            Description = description,
            CustomParser = r =>
            {
                string s = r.Tokens[0].Value;
                if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
                {
                    r.AddError($"{name} must be an integer in [{min}, {max}], got '{s}'");
                    return null;
                }
                return v;
            },
        };

    /// <summary>
    /// A finite number; <paramref name="valid"/> states the range as a phrase such as <c>"> 0"</c> with its test,
    /// e.g. <c>--lr must be &gt; 0, got -1</c>.
    /// </summary>
    public static Option<double> Double(string name, double fallback, string description, (string Phrase, Func<double, bool> Test)? valid = null) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => fallback,
            CustomParser = r => ParseDouble(r, name, valid) ?? fallback,
        };

    /// <summary>An optional finite number (null when absent).</summary>
    public static Option<double?> OptionalDouble(string name, string description, (string Phrase, Func<double, bool> Test)? valid = null) =>
        new(name)
        {
            Description = description,
            CustomParser = r => ParseDouble(r, name, valid),
        };

    /// <summary>The range phrase and test of a positive number.</summary>
    public static (string, Func<double, bool>) Positive => ("> 0", v => v > 0);

    /// <summary>The range phrase and test of a non-negative number.</summary>
    public static (string, Func<double, bool>) NonNegative => ("≥ 0", v => v >= 0);

    private static double? ParseDouble(ArgumentResult r, string name, (string Phrase, Func<double, bool> Test)? valid)
    {
        string s = r.Tokens[0].Value;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            r.AddError($"{name} must be a finite number, got '{s}'");
            return null;
        }
        if (valid is { } check && !check.Test(v))
        {
            r.AddError($"{name} must be {check.Phrase}, got {v.ToString("R", CultureInfo.InvariantCulture)}");
            return null;
        }
        return v;
    }

    /// <summary>One word out of <paramref name="allowed"/>: <c>--schedule must be none or cosine, got 'step'</c>.</summary>
    public static Option<string> Choice(string name, string fallback, string description, params string[] allowed) =>
        new(name)
        {
            Description = $"{description}: {string.Join('|', allowed)}",
            DefaultValueFactory = _ => fallback,
            CustomParser = r =>
            {
                string s = r.Tokens[0].Value;
                if (Array.IndexOf(allowed, s) < 0)
                {
                    r.AddError($"{name} must be {OneOf(allowed)}, got '{s}'");
                    return fallback;
                }
                return s;
            },
        };

    /// <summary>"a, b or c".</summary>
    public static string OneOf(IReadOnlyList<string> words) =>
        words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + " or " + words[^1];

    /// <summary>A text option (null when absent unless <paramref name="fallback"/> is given).</summary>
    public static Option<string?> Text(string name, string description, string? fallback = null)
    {
        var o = new Option<string?>(name) { Description = description };
        if (fallback is not null) o.DefaultValueFactory = _ => fallback;
        return o;
    }

    /// <summary>A flag: takes no value (<c>--json yes</c> is an error rather than a swallowed word).</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>
    /// A hidden option that is an error when given: a renamed option whose old spelling must not keep
    /// working with another meaning.
    /// </summary>
    public static Option<string?> Removed(string name, string message)
    {
        var o = new Option<string?>(name) { Hidden = true };
        o.Validators.Add(r => r.AddError($"{name}: {message}"));
        return o;
    }
}

/// <summary>The output folder of a run: checked before the run, removed again when a failed run left it empty.</summary>
internal static class OutputFolder
{
    /// <summary>
    /// Checks that <paramref name="path"/> (the value of <paramref name="option"/>) can be a folder this run
    /// writes: not an existing file, under no file, and in a folder where files can be created. Writes nothing
    /// that remains. Returns the path.
    /// </summary>
    public static string Validate(string path, string option = "--out")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new OptionException($"{option} needs a folder name");
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new OptionException($"{option} {path} is not a valid path: {e.Message}");
        }
        if (File.Exists(full)) throw new OptionException($"{option} {path} is a file, not a folder");
        // The nearest existing ancestor must be a folder we can create entries in.
        string? probe = full;
        while (probe is not null && !Directory.Exists(probe))
        {
            if (File.Exists(probe)) throw new OptionException($"{option} {path}: {probe} is a file, not a folder");
            probe = Path.GetDirectoryName(probe);
        }
        if (probe is null) throw new OptionException($"{option} {path}: no existing parent folder");
        string test = Path.Combine(probe, $".scikernels-write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(test, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OptionException($"{option} {path}: cannot write in {probe} ({e.Message})");
        }
        finally
        {
            if (File.Exists(test)) File.Delete(test);
        }
        return path;
    }

    /// <summary>Deletes <paramref name="path"/> and its sub-folders when no file is in them (a failed run's leftovers).</summary>
    public static void RemoveIfEmpty(string path)
    {
        try
        {
            if (Directory.Exists(path) && !Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Any())
                Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the run's own error is the one to report.
        }
    }
}

/// <summary>Resolves <c>--device</c> before any work: the name parses, the device exists and can be used.</summary>
internal static class DeviceOption
{
    /// <summary>The <c>--device</c> option.</summary>
    public static Option<string> Create(string description = "cpu, cuda[:i], opencl[:i] or simulator (see scikernels devices)") =>
        new("--device") { Description = description, DefaultValueFactory = _ => "cpu" };

    /// <summary>The device named <paramref name="text"/>; an <see cref="OptionException"/> says why it cannot be used.</summary>
    public static Device Resolve(string text)
    {
        Device device;
        try
        {
            device = Device.Parse(text);
        }
        catch (FormatException)
        {
            throw new OptionException($"--device '{text}' is not a device: expected cpu, cuda[:i], opencl[:i] or simulator (see scikernels devices)");
        }
        if (device.Kind == DeviceKind.Cpu) return device;
        IReadOnlyList<SciKernels.Kernels.Runtime.DeviceInfo> devices;
        try
        {
            devices = IlgpuDevices.List();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new OptionException($"--device {device}: device discovery failed ({e.Message})");
        }
        var info = devices.FirstOrDefault(d => IlgpuDevices.ToDevice(d).Equals(device));
        if (info is null)
        {
            var available = devices.Where(d => d.Usable).Select(d => IlgpuDevices.ToDevice(d).ToString()).Prepend("cpu");
            throw new OptionException($"--device {device}: no such device on this machine (usable: {string.Join(", ", available)}; see scikernels devices)");
        }
        if (!info.Usable)
            throw new OptionException($"--device {device} ({info.Name}) is not usable{(info.Note.Length > 0 ? ": " + info.Note : "")}");
        return device;
    }
}
