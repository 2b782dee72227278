using System.Text.RegularExpressions;
using Xunit;

namespace SciKernels.Tests.Core;

/// <summary>
/// The op layer reaches device code only through backend capability interfaces: no file outside the
/// backends names a concrete backend or storage type, or branches on the CPU device (see
/// docs/architecture.md, "How to add a fused op").
/// </summary>
public class BackendBoundaryTests
{
    /// <summary>Folders of the core assembly that implement backends and may name them (the SciKernels.Devices assembly may too).</summary>
    private static readonly string[] BackendFolders = { "Backends", "Cpu", "Devices", "Storage" };


    /// <summary>Core/Device.cs defines the device kinds and names the device assembly it loads on first use.</summary>
    private static readonly string[] Allowed = { "src/SciKernels.Core/Core/Device.cs" };

    private static readonly Regex Forbidden = new(
        @"\bIlgpuBackend\b|\bCpuStorage\b|\bCpuBackend\.Ptr\b|\bDeviceKind\.Cpu\b|\bDevice\.Cpu\s*==|==\s*Device\.Cpu\b|\bSciKernels\.(Kernels|Devices)\b",
        RegexOptions.Compiled);

    /// <summary>
    /// Trees scanned: the library. Its users (tests, tools, benchmarks) may name the ILGPU backend's public
    /// API, e.g. to list devices.
    /// </summary>
    private static readonly string[] ScannedRoots = { "src" };

    [Fact]
    public void OpLayerNamesNoConcreteBackend()
    {
        var root = RepoRoot();
        var offences = new List<string>();
        var files = ScannedRoots.Select(r => Path.Combine(root, r)).Where(Directory.Exists)
            .SelectMany(r => Directory.EnumerateFiles(r, "*.cs", SearchOption.AllDirectories));
        foreach (var file in files)
        {
            var fromRoot = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (fromRoot.Split('/').Any(part => part is "bin" or "obj")) continue;
            // src/<assembly>/<folder>/…: the device assembly and the core's backend folders may name backends.
            var parts = fromRoot.Split('/');
            if (parts.Length < 4 || parts[1] == "SciKernels.Devices" || BackendFolders.Contains(parts[2]) || Allowed.Contains(fromRoot)) continue;
            var lines = File.ReadAllLines(file);
            bool inBlock = false;
            for (int i = 0; i < lines.Length; i++)
            {
                var code = StripComments(lines[i], ref inBlock);
                var m = Forbidden.Match(code);
                if (m.Success) offences.Add($"{fromRoot}:{i + 1}: {m.Value}");
            }
        }
        Assert.True(offences.Count == 0,
            "device types or CPU branches outside the backends (use a capability interface from SciKernels.Backends):\n" + string.Join("\n", offences));
    }

    [Fact]
    public void ScannerSeesCodeButNotComments()
    {
        bool block = false;
        Assert.Matches(Forbidden, StripComments("using SciKernels.Kernels.Stencil;", ref block));
        Assert.Matches(Forbidden, StripComments("if (x.Storage is CpuStorage) return;", ref block));
        Assert.DoesNotMatch(Forbidden, StripComments("/// see <see cref=\"IlgpuBackend\"/>", ref block));
        Assert.DoesNotMatch(Forbidden, StripComments("/* DeviceKind.Cpu", ref block));
        Assert.DoesNotMatch(Forbidden, StripComments("   still IlgpuBackend in the comment */", ref block));
        Assert.Matches(Forbidden, StripComments("bool cpu = t.Device == Device.Cpu;", ref block));
    }

    /// <summary>The line without // and /* */ comments (string literals are not special-cased: a false hit shows in the message).</summary>
    private static string StripComments(string line, ref bool inBlock)
    {
        var sb = new System.Text.StringBuilder(line.Length);
        int i = 0;
        while (i < line.Length)
        {
            if (inBlock)
            {
                int end = line.IndexOf("*/", i, StringComparison.Ordinal);
                if (end < 0) return sb.ToString();
                inBlock = false;
                i = end + 2;
                continue;
            }
            int lc = line.IndexOf("//", i, StringComparison.Ordinal), bc = line.IndexOf("/*", i, StringComparison.Ordinal);
            if (lc < 0 && bc < 0) { sb.Append(line, i, line.Length - i); break; }
            if (bc < 0 || (lc >= 0 && lc < bc)) { sb.Append(line, i, lc - i); break; }
            sb.Append(line, i, bc - i);
            inBlock = true;
            i = bc + 2;
        }
        return sb.ToString();
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SciKernels.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no SciKernels.sln above {AppContext.BaseDirectory}");
    }
}
