using System.Diagnostics;
using System.Text.RegularExpressions;
using SciKernels.Devices;
using Xunit;
using Xunit.Abstractions;

namespace SciKernels.Cli.Tests;

/// <summary>
/// The fail-fast contract of <c>scikernels</c>: a user error is one line on stderr and exit code 2, found
/// before any work (no data generated, no output folder created); help and version at every level.
/// </summary>
public sealed partial class CommandLineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "scikernels-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLine.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Out => Path.Combine(root, "out");

    private string Data => Path.Combine(root, "data");

    /// <summary>
    /// Each bad command line (words separated by '|'; OUT and DATA stand for fresh folders that must stay absent)
    /// and the text its one-line error must contain.
    /// </summary>
    [Theory]
    [InlineData("demo|--epohcs|1|--out|OUT", "unknown option(s): --epohcs (did you mean --epochs?)")]
    [InlineData("train|fno|--problm|burgers|--out|OUT|--data-dir|DATA", "--problm (did you mean --problem?)")]
    [InlineData("train|egnn|--problem|nbody|--hiden|8|--out|OUT|--data-dir|DATA", "--hiden (did you mean --hidden?)")]
    [InlineData("train|egnn|--problem|nbody|--json|yes|--out|OUT|--data-dir|DATA", "unexpected argument 'yes'")]
    [InlineData("train|fno|stray|--out|OUT|--data-dir|DATA", "unexpected argument 'stray'")]
    [InlineData("train|fno|--lr|-1|--out|OUT|--data-dir|DATA", "--lr must be > 0, got -1")]
    [InlineData("train|pinn|--lr|0|--out|OUT", "--lr must be > 0, got 0")]
    [InlineData("train|fno|--epochs|many|--out|OUT|--data-dir|DATA", "--epochs must be an integer in [1, 2147483647], got 'many'")]
    [InlineData("train|fno|--device|gpu|--out|OUT|--data-dir|DATA", "--device 'gpu' is not a device")]
    [InlineData("train|fno|--device|opencl:7|--out|OUT|--data-dir|DATA", "--device opencl:7: no such device")]
    [InlineData("train|fno|--device|cuda:99|--out|OUT|--data-dir|DATA", "--device cuda:99: no such device")]
    [InlineData("train|fno|--schedule|linear|--out|OUT|--data-dir|DATA", "--schedule must be step or cosine, got 'linear'")]
    [InlineData("train|fno|--problem|heat|--out|OUT|--data-dir|DATA", "--problem must be burgers or darcy, got 'heat'")]
    [InlineData("train|fno|--resolution|33|--out|OUT|--data-dir|DATA", "--resolution must be even for burgers, got 33")]
    [InlineData("train|pinn|--nu|100|--out|OUT", "--nu: renamed --data-points")]
    [InlineData("train|pinn|--sampler|grid|--out|OUT", "--sampler must be lhs, sobol, halton or uniform, got 'grid'")]
    [InlineData("kernels|report|--arch|sm_100", "--arch: Unsupported architecture 'sm_100'")]
    [InlineData("kernels|report|--target|sm_80", "--target is only used with --dump")]
    [InlineData("trian|fno", "unknown command 'trian' (did you mean 'train'?)")]
    [InlineData("train", "a command is required: fno, pinn, egnn")]
    [InlineData("train|fno|--epochs", "--epochs")]
    [InlineData("demo|--version", "unknown option(s): --version")]
    [InlineData("--version|demo", "--version takes no other arguments")]
    public void AUserErrorIsOneLineAndExitCode2BeforeAnyWork(string commandLine, string message)
    {
        var args = commandLine.Split('|').Select(a => a == "OUT" ? Out : a == "DATA" ? Data : a).ToArray();
        var (code, stdout, stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stderr); // no stack trace
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(root), $"the failed command wrote {root}");
    }

    [Fact]
    public void AnOptionalDeviceThatIsNotUsableIsRefusedBeforeAnyWork()
    {
        // cuda:0 and opencl:0 exist on some machines: expect the error only where the device list says so.
        var usable = IlgpuDevices.List().Where(d => d.Usable).Select(d => IlgpuDevices.ToDevice(d).ToString()).ToHashSet();
        foreach (var device in new[] { "cuda:0", "opencl:0" })
        {
            if (usable.Contains(device)) continue;
            var (code, _, stderr) = Run("train", "fno", "--device", device, "--out", Out, "--data-dir", Data);
            Assert.Equal(2, code);
            Assert.StartsWith($"scikernels train fno: --device {device}", stderr);
            Assert.False(Directory.Exists(root));
        }
    }

    [Fact]
    public void AnOutputPathUnderAFileOrInAnUnwritableFolderIsRefused()
    {
        Directory.CreateDirectory(root);
        string file = Path.Combine(root, "taken");
        File.WriteAllText(file, "x");
        var (code, _, stderr) = Run("train", "pinn", "--out", Path.Combine(file, "run"));
        Assert.Equal(2, code);
        Assert.Contains($"{file} is a file, not a folder", stderr);
        Assert.Equal(["taken"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName));
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self"))
        {
            (code, _, stderr) = Run("train", "pinn", "--out", "/proc/self/scikernels-run");
            Assert.Equal(2, code);
            Assert.Contains("cannot write in /proc/self", stderr);
        }
    }

    [Fact]
    public void AFailingRunLeavesNoEmptyOutputFolder()
    {
        // A neighbour-list input that does not parse fails inside the run: a user error (exit 2) naming the file,
        // and no output file. An experiment's folder is removed when the run failed and left it empty.
        Directory.CreateDirectory(root);
        string input = Path.Combine(root, "bad.extxyz");
        File.WriteAllText(input, "not a number\n");
        var (code, _, stderr) = Run("neighbors", input, "--cutoff", "2", "--out", Path.Combine(root, "pairs.csv"));
        Assert.Equal(2, code);
        Assert.StartsWith($"scikernels neighbors: {input}: ", stderr);
        Assert.False(File.Exists(Path.Combine(root, "pairs.csv")));

        string folder = Path.Combine(root, "run");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        OutputFolder.RemoveIfEmpty(folder);
        Assert.False(Directory.Exists(folder));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.safetensors"), "x");
        OutputFolder.RemoveIfEmpty(folder);
        Assert.True(File.Exists(Path.Combine(folder, "model.safetensors")));
    }

    [Theory]
    [InlineData("--help", "train")]
    [InlineData("train|--help", "egnn")]
    [InlineData("kernels|--help", "report")]
    [InlineData("train|fno|--help", "--physics-weight")]
    [InlineData("train|pinn|-h", "--data-points")]
    [InlineData("train|egnn|--help", "Writes DIR/model.safetensors")]
    [InlineData("kernels|report|--help", "--dump")]
    [InlineData("neighbors|--help", "--cutoff")]
    [InlineData("devices|--help", "SCIKERNELS_DEVICE")]
    [InlineData("demo|--help", "--epochs")]
    public void HelpWorksAtEveryLevel(string commandLine, string expected)
    {
        var (code, stdout, stderr) = Run(commandLine.Split('|'));
        Assert.Equal(0, code);
        Assert.Contains(expected, stdout);
        Assert.Contains("Usage:", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public void VersionPrintsTheAssemblyVersion()
    {
        var (code, stdout, _) = Run("--version");
        Assert.Equal(0, code);
        Assert.Equal(CommandLine.Version, stdout.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout);
    }

    [Fact]
    public void NoArgumentsPrintsHelpAndExitCode2()
    {
        var (code, stdout, _) = Run();
        Assert.Equal(2, code);
        Assert.Contains("demo", stdout);
    }

    [Fact]
    public void ABadDataFileFoundDuringTheRunIsAUserErrorAndLeavesNoOutputFolder()
    {
        // A data file that is not a MAT file fails inside the run, after the output folder was created: the reader's
        // error names it, exit 2, and the empty folder is removed again.
        Directory.CreateDirectory(root);
        string mat = Path.Combine(root, "x.mat");
        File.WriteAllText(mat, "not a mat file");
        var args = new[] { "train", "fno", "--problem", "darcy", "--resolution", "9", "--ntrain", "2", "--ntest", "1", "--modes", "2", "--width", "2", "--epochs", "1",
            "--data-file", mat, "--out", Out, "--data-dir", Data };
        var (code, _, stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains($"--data-file {mat}: ", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(Out), "the failed run left its output folder");
    }

    [Fact]
    public void VerbosePrintsTheStackTraceOfAnInternalError()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var job = new Job(() => throw new InvalidOperationException("boom"));
        int quiet = CommandLine.RunJob("scikernels test", job, verbose: false, stderr);
        Assert.Equal(1, quiet);
        Assert.Contains("scikernels test: internal error: InvalidOperationException: boom (run with --verbose for the stack trace)", stderr.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
        var loud = new StringWriter();
        Assert.Equal(1, CommandLine.RunJob("scikernels test", job, verbose: true, loud));
        Assert.Contains("   at ", loud.ToString());
    }

    [Fact]
    public void TheSuggestionIsTheClosestNameWithinTypoDistance()
    {
        string[] names = ["--epochs", "--out", "--problem", "--physics-weight"];
        Assert.Equal("--epochs", CommandLine.Suggest("--epohcs", names));
        Assert.Equal("--epochs", CommandLine.Suggest("--epoch", names));
        Assert.Equal("--problem", CommandLine.Suggest("--problm", names));
        Assert.Null(CommandLine.Suggest("--learning-rate", names));
        Assert.Equal(1, CommandLine.EditDistance("ab", "ba"));
        Assert.Equal(3, CommandLine.EditDistance("", "abc"));
    }

    [Fact]
    public void AMisspelledOptionFailsFastInAFreshProcess()
    {
        // The installed tool's path: a new process, a typo, exit 2 with one line; the time is reported, not asserted.
        string dll = typeof(CommandLine).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in new[] { dll, "demo", "--epohcs", "1", "--out", Out }) psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        output.WriteLine($"exit {p.ExitCode} after {clock.Elapsed.TotalSeconds:F2} s: {err.Trim()}");
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("did you mean --epochs?", err);
        Assert.False(Directory.Exists(root));
    }

    /// <summary>
    /// Every <c>scikernels …</c> command line in README.md and docs/*.md parses and validates (devices that this
    /// machine lacks aside): renaming an option without updating the docs fails here.
    /// </summary>
    [Fact]
    public void TheDocumentedCommandLinesAreValid()
    {
        string repo = RepoRoot();
        var files = Directory.GetFiles(Path.Combine(repo, "docs"), "*.md").Append(Path.Combine(repo, "README.md"));
        int checkedLines = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file).Replace("\\\n", " ");
            var lines = ProjectInvocation().Matches(text).Select(m => m.Groups[1].Value)
                .Concat(InlineInvocation().Matches(text).Select(m => m.Groups[1].Value));
            foreach (var line in lines)
            {
                if (line.Contains('<') || line.Contains('$') || line.Contains('"')) continue; // placeholders and shell variables
                var args = line.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string? error = CommandLine.Check(args);
                if (error is not null && !error.StartsWith("--device", StringComparison.Ordinal))
                    Assert.Fail($"{Path.GetFileName(file)}: scikernels {line}: {error}");
                checkedLines++;
            }
        }
        output.WriteLine($"{checkedLines} documented command lines checked");
        Assert.True(checkedLines >= 10, $"only {checkedLines} documented command lines found");
    }

    [GeneratedRegex(@"--project tools/SciKernels\.Cli -- ([^\n`]+)")]
    private static partial Regex ProjectInvocation();

    [GeneratedRegex(@"`scikernels ([^`\n]+)`")]
    private static partial Regex InlineInvocation();

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SciKernels.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no SciKernels.sln above {AppContext.BaseDirectory}");
    }
}
