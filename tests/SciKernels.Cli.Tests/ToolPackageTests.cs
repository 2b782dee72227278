using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace SciKernels.Cli.Tests;

/// <summary>
/// <c>scikernels</c> is a .NET tool: the CLI project packs (without rebuilding) into a local feed, installs with
/// <c>dotnet tool install --tool-path</c> from that feed only (a nuget.config that clears every other source), and
/// the installed command runs. Slow (packing and extracting the tool, about 30 s), so tagged; it runs in the normal suite.
/// </summary>
public sealed class ToolPackageTests(ITestOutputHelper output) : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "scikernels-tool-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private (int Code, string Out, string Err) Exec(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        output.WriteLine($"{Path.GetFileName(file)} {string.Join(' ', args)}: exit {p.ExitCode} in {clock.Elapsed.TotalSeconds:F1} s");
        return (p.ExitCode, stdout, stderr.Result);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheToolInstallsFromALocalFeedAndRuns()
    {
        Directory.CreateDirectory(root);
        string repo = CommandLineTests.RepoRoot();
        // The configuration the tests were built with (the CLI next to them was built the same way).
        string configuration = new DirectoryInfo(Path.GetDirectoryName(typeof(CommandLine).Assembly.Location)!).Parent!.Name;
        string feed = Path.Combine(root, "feed");
        var pack = Exec("dotnet", "pack", Path.Combine(repo, "tools", "SciKernels.Cli", "SciKernels.Cli.csproj"), "-c", configuration, "--no-build",
            "-o", feed, "-nodeReuse:false");
        Assert.True(pack.Code == 0, pack.Out + pack.Err);
        var package = Assert.Single(Directory.GetFiles(feed, "SciKernels.Cli.*.nupkg"), f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
        output.WriteLine($"{Path.GetFileName(package)}: {new FileInfo(package).Length / 1e6:F1} MB");
        Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), "no symbol package");
        AssertMetadata(package, "SciKernels.Cli");
        using (var zip = ZipFile.OpenRead(package)) // the tool runs on .NET 8 and .NET 10 (docs/packaging.md)
            foreach (var tfm in new[] { "net8.0", "net10.0" })
                Assert.True(zip.GetEntry($"tools/{tfm}/any/SciKernels.Cli.dll") is not null, $"no tools/{tfm}/any/SciKernels.Cli.dll");

        string config = Path.Combine(root, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        string tools = Path.Combine(root, "tools");
        var install = Exec("dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "SciKernels.Cli");
        Assert.True(install.Code == 0, install.Out + install.Err);

        string exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "scikernels.exe" : "scikernels");
        var version = Exec(exe, "--version");
        Assert.Equal(0, version.Code);
        Assert.Equal(CommandLine.Version, version.Out.Trim());
        var typo = Exec(exe, "demo", "--epohcs", "1");
        Assert.Equal(2, typo.Code);
        Assert.Contains("did you mean --epochs?", typo.Err);
        var help = Exec(exe, "train", "--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("Usage:", help.Out);
    }

    /// <summary>The package's .nuspec carries the metadata of Directory.Build.props and the README inside.</summary>
    private static void AssertMetadata(string package, string id)
    {
        using var zip = ZipFile.OpenRead(package);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Get(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
        Assert.Equal(id, Get("id"));
        Assert.Equal("MIT", Get("license"));
        Assert.Equal("README.md", Get("readme"));
        Assert.NotNull(zip.GetEntry("README.md"));
        Assert.DoesNotContain("Package Description", Get("description"));
        Assert.True(Get("description").Length > 40, $"description '{Get("description")}'");
        Assert.Contains("autodiff", Get("tags"));
        Assert.NotEqual("1.0.0", Get("version"));
        Assert.Equal(CommandLine.Version.Split('+')[0], Get("version"));
    }

    /// <summary>Every shipped project (under src/ and kernels/, and the tool) has its own description in Directory.Build.props.</summary>
    [Fact]
    public void EveryShippedProjectHasADescription()
    {
        string repo = CommandLineTests.RepoRoot();
        string props = File.ReadAllText(Path.Combine(repo, "Directory.Build.props"));
        var shipped = Directory.GetFiles(Path.Combine(repo, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(repo, "kernels"), "*.csproj", SearchOption.AllDirectories))
            .Append(Path.Combine(repo, "tools", "SciKernels.Cli", "SciKernels.Cli.csproj"))
            .Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.True(shipped.Count >= 7, string.Join(", ", shipped));
        foreach (var name in shipped)
            Assert.Contains($"<Description Condition=\"'$(MSBuildProjectName)' == '{name}'\">", props);
        Assert.True(File.Exists(Path.Combine(repo, "LICENSE")), "no LICENSE at the repository root");
        Assert.Contains("MIT License", File.ReadAllText(Path.Combine(repo, "LICENSE")));
    }
}
