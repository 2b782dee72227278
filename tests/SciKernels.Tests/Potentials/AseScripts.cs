using System.Diagnostics;
using System.Runtime.CompilerServices;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>Runs the Python check scripts next to these tests with Debian's python3 (which has python3-ase).</summary>
internal static class AseScripts
{
    /// <summary>Runs <paramref name="script"/> on <paramref name="file"/>; the output is stdout on success, stderr + stdout otherwise.</summary>
    /// <param name="script">File name of the script in tests/SciKernels.Tests/Potentials.</param>
    /// <param name="file">Its one argument.</param>
    /// <param name="timeoutMs">Generous: the machine may be loaded; a hang fails the test rather than the run.</param>
    public static (int Code, string Output) Run(string script, string file, int timeoutMs)
    {
        var psi = new ProcessStartInfo(AseEmtReference.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ScriptPath(script));
        psi.ArgumentList.Add(file);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{script} timed out");
        }
        return (p.ExitCode, p.ExitCode == 0 ? stdout.Result : stderr.Result + stdout.Result);
    }

    private static string ScriptPath(string script, [CallerFilePath] string thisFile = "")
    {
        string next = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", script);
        if (File.Exists(next)) return next;
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "SciKernels.Tests", "Potentials", script);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{script} not found next to the tests.", next);
    }
}
