using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SciKernels.Kernels.Compilation;

/// <summary>Resource usage of one kernel as reported by <c>ptxas -v</c>.</summary>
/// <param name="Registers">Registers per thread.</param>
/// <param name="SharedBytes">Static shared memory per block (smem).</param>
/// <param name="SpillStoreBytes">Register spill stores.</param>
/// <param name="SpillLoadBytes">Register spill loads.</param>
/// <param name="StackFrameBytes">Stack frame (local memory) per thread.</param>
/// <param name="LocalBytes">Additional lmem reported on the "Used" line, if any.</param>
/// <param name="ConstantBytes">cmem[0] bytes (kernel parameters).</param>
public sealed record PtxasUsage(int Registers, int SharedBytes, int SpillStoreBytes, int SpillLoadBytes, int StackFrameBytes, int LocalBytes, int ConstantBytes);

/// <summary>Result of assembling one PTX module.</summary>
/// <param name="Success">Exit code 0.</param>
/// <param name="Usage">Parsed usage (null on failure).</param>
/// <param name="Output">Complete ptxas output (stdout + stderr).</param>
public sealed record PtxasResult(bool Success, PtxasUsage? Usage, string Output);

/// <summary>Runs NVIDIA's ptxas (offline PTX assembler) and parses <c>-v</c> output.</summary>
public sealed partial class Ptxas
{
    /// <summary>Environment variable with an explicit ptxas path.</summary>
    public const string PathEnvVar = "SCIKERNELS_PTXAS";

    private Ptxas(string path, string version)
    {
        Path = path;
        Version = version;
    }

    /// <summary>ptxas executable.</summary>
    public string Path { get; }

    /// <summary>Version line (e.g. "Cuda compilation tools, release 11.8, V11.8.89").</summary>
    public string Version { get; }

    /// <summary>
    /// Finds ptxas: <c>$SCIKERNELS_PTXAS</c>, then <c>.cache/cuda/usr/bin/ptxas</c> in the current
    /// directory or any parent of it or of the application directory (where
    /// <c>tools/ptxas/fetch-ptxas.sh</c> puts it), then <c>ptxas</c> / <c>/usr/local/cuda/bin/ptxas</c>.
    /// Returns null if none runs.
    /// </summary>
    public static Ptxas? Locate()
    {
        var candidates = new List<string>();
        var env = Environment.GetEnvironmentVariable(PathEnvVar);
        if (!string.IsNullOrEmpty(env)) candidates.Add(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                candidates.Add(System.IO.Path.Combine(dir.FullName, ".cache", "cuda", "usr", "bin", "ptxas"));
        }
        candidates.Add("/usr/local/cuda/bin/ptxas");
        candidates.Add("/usr/bin/ptxas");
        foreach (var c in candidates.Distinct())
        {
            if (!File.Exists(c)) continue;
            var (code, output) = Run(c, "--version", null);
            if (code == 0)
                return new Ptxas(c, output.Split('\n').FirstOrDefault(l => l.Contains("release", StringComparison.Ordinal))?.Trim() ?? output.Trim());
        }
        return null;
    }

    /// <summary>Assembles <paramref name="ptxFile"/> for <paramref name="arch"/> with <c>-v</c>.</summary>
    /// <param name="ptxFile">PTX file.</param>
    /// <param name="arch">e.g. sm_80.</param>
    public PtxasResult Assemble(string ptxFile, string arch)
    {
        var cubin = System.IO.Path.ChangeExtension(ptxFile, "." + arch + ".cubin");
        var (code, output) = Run(Path, $"-v --gpu-name {arch} -o \"{cubin}\" \"{ptxFile}\"", null);
        try { File.Delete(cubin); } catch (IOException) { }
        return new PtxasResult(code == 0, code == 0 ? Parse(output) : null, output);
    }

    /// <summary>Parses the resource lines of <c>ptxas -v</c> (the first/only entry function).</summary>
    /// <param name="output">ptxas output.</param>
    public static PtxasUsage? Parse(string output)
    {
        var used = UsedRegex().Match(output);
        if (!used.Success) return null;
        var frame = FrameRegex().Match(output);
        string usedLine = used.Value;
        return new PtxasUsage(
            Registers: int.Parse(used.Groups[1].Value, CultureInfo.InvariantCulture),
            SharedBytes: Find(SmemRegex(), usedLine),
            SpillStoreBytes: frame.Success ? int.Parse(frame.Groups[2].Value, CultureInfo.InvariantCulture) : 0,
            SpillLoadBytes: frame.Success ? int.Parse(frame.Groups[3].Value, CultureInfo.InvariantCulture) : 0,
            StackFrameBytes: frame.Success ? int.Parse(frame.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            LocalBytes: Find(LmemRegex(), usedLine),
            ConstantBytes: Find(CmemRegex(), usedLine));
    }

    private static int Find(Regex r, string s)
    {
        var m = r.Match(s);
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"Used (\d+) registers[^\n]*")]
    private static partial Regex UsedRegex();

    [GeneratedRegex(@"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")]
    private static partial Regex FrameRegex();

    [GeneratedRegex(@"(\d+) bytes smem")]
    private static partial Regex SmemRegex();

    [GeneratedRegex(@"(\d+) bytes lmem")]
    private static partial Regex LmemRegex();

    [GeneratedRegex(@"(\d+) bytes cmem\[0\]")]
    private static partial Regex CmemRegex();

    private static (int Code, string Output) Run(string file, string args, string? workDir)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? Directory.GetCurrentDirectory(),
        };
        try
        {
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
