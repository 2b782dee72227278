using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace SciKernels.Cli.Tests;

/// <summary>
/// Every library package carries both target frameworks (docs/packaging.md, "Target frameworks"): lib/net8.0 and
/// lib/net10.0 with the assembly and its XML documentation, and a dependency group per framework in the .nuspec.
/// Packs the already built projects (<c>--no-build</c>), one after the other; slow (about a minute), so tagged.
/// </summary>
public sealed class LibraryPackageTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Frameworks = ["net8.0", "net10.0"];

    private readonly string feed = Path.Combine(Path.GetTempPath(), "scikernels-libs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(feed)) Directory.Delete(feed, recursive: true);
    }

    private (int Code, string Log) Pack(string project, string configuration, string id)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "pack", project, "-c", configuration, "--no-build", "-o", feed, "-nodeReuse:false" }) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        output.WriteLine($"pack {id}: exit {p.ExitCode} in {clock.Elapsed.TotalSeconds:F1} s");
        return (p.ExitCode, stdout + err.Result);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void EveryLibraryPackageHasTheNet8AndNet10Assemblies()
    {
        string repo = CommandLineTests.RepoRoot();
        string configuration = new DirectoryInfo(Path.GetDirectoryName(typeof(CommandLine).Assembly.Location)!).Parent!.Name;
        var projects = Directory.GetFiles(Path.Combine(repo, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(repo, "kernels"), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(projects.Count >= 6, string.Join(", ", projects));
        foreach (var project in projects)
        {
            string id = Path.GetFileNameWithoutExtension(project);
            var (code, log) = Pack(project, configuration, id);
            Assert.True(code == 0, log);
            // SciKernels.0.1.0.nupkg, not SciKernels.Core.0.1.0.nupkg: the id is followed by the version's digit.
            string package = Assert.Single(Directory.GetFiles(feed, id + ".*.nupkg"),
                f => char.IsAsciiDigit(Path.GetFileName(f)[id.Length + 1]));
            using var zip = ZipFile.OpenRead(package);
            foreach (var tfm in Frameworks)
            {
                Assert.True(zip.GetEntry($"lib/{tfm}/{id}.dll") is not null, $"{Path.GetFileName(package)} has no lib/{tfm}/{id}.dll");
                Assert.True(zip.GetEntry($"lib/{tfm}/{id}.xml") is not null, $"{Path.GetFileName(package)} has no lib/{tfm}/{id}.xml");
            }
            Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("lib/", StringComparison.Ordinal)
                && !Frameworks.Any(t => e.FullName.StartsWith($"lib/{t}/", StringComparison.Ordinal)));
            using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var groups = XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "group")
                .Select(e => (string?)e.Attribute("targetFramework")).ToList();
            Assert.Contains("net8.0", groups);
            Assert.Contains("net10.0", groups);
        }
    }
}
