using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SciKernels.Kernels.Compilation;

/// <summary>One kernel on one CUDA architecture.</summary>
/// <param name="Kernel">Kernel name (see <see cref="KernelCatalog"/>).</param>
/// <param name="Arch">e.g. sm_80.</param>
/// <param name="PtxBytes">Size of the generated PTX.</param>
/// <param name="Assembled">ptxas accepted it (null when ptxas was not run).</param>
/// <param name="Usage">Resource usage (null when not assembled).</param>
/// <param name="Error">ILGPU or ptxas error text.</param>
public sealed record PtxEntry(string Kernel, string Arch, int PtxBytes, bool? Assembled, PtxasUsage? Usage, string? Error);

/// <summary>OpenCL C generated for one kernel.</summary>
/// <param name="Kernel">Kernel name.</param>
/// <param name="SourceBytes">Size of the OpenCL C source (null if generation failed).</param>
/// <param name="Error">ILGPU error text.</param>
public sealed record OpenCLEntry(string Kernel, int? SourceBytes, string? Error);

/// <summary>Full report.</summary>
/// <param name="Ptxas">ptxas version used (null if not found).</param>
/// <param name="Arches">Architectures.</param>
/// <param name="Ptx">Per kernel x arch results.</param>
/// <param name="OpenCL">Per kernel OpenCL C sizes.</param>
public sealed record KernelReportResult(string? Ptxas, IReadOnlyList<string> Arches, IReadOnlyList<PtxEntry> Ptx, IReadOnlyList<OpenCLEntry> OpenCL)
{
    /// <summary>Entries that failed to generate or assemble.</summary>
    public IEnumerable<PtxEntry> Failures => Ptx.Where(e => e.Error is not null || e.Assembled == false);
}

/// <summary>Options of <see cref="KernelReport.Run"/>.</summary>
public sealed class KernelReportOptions
{
    /// <summary>CUDA architectures (default sm_80, sm_90).</summary>
    public IReadOnlyList<string> Arches { get; init; } = new[] { "sm_80", "sm_90" };
    /// <summary>Comma-separated kernel-name filter (null = all).</summary>
    public string? Filter { get; init; }
    /// <summary>Run ptxas when available (default true).</summary>
    public bool RunPtxas { get; init; } = true;
    /// <summary>Generate OpenCL C too (default true).</summary>
    public bool IncludeOpenCL { get; init; } = true;
    /// <summary>Directory for the .ptx files (default: a temp directory, deleted afterwards).</summary>
    public string? OutputDirectory { get; init; }
    /// <summary>Degree of parallelism for ptxas processes (default: processor count).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// GPU-less kernel report: every kernel specialization compiled with ILGPU's PTXBackend per
/// architecture, assembled with <c>ptxas -v</c> (registers, smem, spills, stack/local memory), plus the
/// size of the OpenCL C that ILGPU's CLBackend generates. Backs
/// <c>scikernels kernels report --arch sm_80,sm_90 [--json]</c>.
/// </summary>
public static class KernelReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>Builds the report.</summary>
    /// <param name="options">Options (null = defaults).</param>
    /// <param name="ptxas">ptxas to use (null = <see cref="Ptxas.Locate"/>).</param>
    public static KernelReportResult Run(KernelReportOptions? options = null, Ptxas? ptxas = null)
    {
        options ??= new KernelReportOptions();
        ptxas ??= options.RunPtxas ? Ptxas.Locate() : null;
        var kernels = KernelCatalog.Select(options.Filter);
        var targets = options.Arches.Select(PtxTarget.Parse).ToList();
        bool tempDir = options.OutputDirectory is null;
        var dir = options.OutputDirectory ?? Directory.CreateTempSubdirectory("scikernels-ptx-").FullName;
        Directory.CreateDirectory(dir);
        try
        {
            var jobs = new List<(KernelSpec K, PtxTarget T, string File, int Bytes, string? Error)>();
            var clEntries = new List<OpenCLEntry>();
            using (var compiler = new OfflineCompiler())
            {
                foreach (var k in kernels)
                {
                    foreach (var t in targets)
                    {
                        try
                        {
                            var ptx = compiler.CompilePtx(k, t);
                            var file = Path.Combine(dir, FileName(k, t.Name) + ".ptx");
                            File.WriteAllText(file, ptx);
                            jobs.Add((k, t, file, Encoding.UTF8.GetByteCount(ptx), null));
                        }
#pragma warning disable CA1031 // report every failure instead of stopping
                        catch (Exception e)
                        {
                            jobs.Add((k, t, "", 0, "ILGPU PTX generation failed: " + e.Message));
                        }
                    }
                    if (options.IncludeOpenCL)
                    {
                        try
                        {
                            clEntries.Add(new OpenCLEntry(k.Name, Encoding.UTF8.GetByteCount(compiler.CompileOpenCL(k)), null));
                        }
                        catch (Exception e)
                        {
                            clEntries.Add(new OpenCLEntry(k.Name, null, "ILGPU OpenCL generation failed: " + e.Message));
                        }
#pragma warning restore CA1031
                    }
                }
            }

            var entries = new PtxEntry[jobs.Count];
            Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) }, i =>
            {
                var j = jobs[i];
                if (j.Error is not null || ptxas is null)
                {
                    entries[i] = new PtxEntry(j.K.Name, j.T.Name, j.Bytes, null, null, j.Error);
                    return;
                }
                var r = ptxas.Assemble(j.File, j.T.Name);
                entries[i] = new PtxEntry(j.K.Name, j.T.Name, j.Bytes, r.Success, r.Usage, r.Success ? null : r.Output.Trim());
            });
            return new KernelReportResult(ptxas?.Version, targets.Select(t => t.Name).ToList(), entries, clEntries);
        }
        finally
        {
            if (tempDir)
            {
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>Generated source of one kernel: PTX for <c>sm_XX</c> or OpenCL C for <c>opencl</c>.</summary>
    /// <param name="kernelName">Exact kernel name (or a unique substring).</param>
    /// <param name="target"><c>sm_80</c>, <c>sm_90</c>, ... or <c>opencl</c>.</param>
    public static string DumpSource(string kernelName, string target)
    {
        var k = KernelCatalog.All.FirstOrDefault(x => x.Name == kernelName);
        if (k is null)
        {
            var matches = KernelCatalog.Select(kernelName);
            if (matches.Count != 1)
                throw new ArgumentException($"'{kernelName}' matches {matches.Count} kernels; use an exact name from KernelCatalog.All.");
            k = matches[0];
        }
        using var compiler = new OfflineCompiler();
        return target.Equals("opencl", StringComparison.OrdinalIgnoreCase)
            ? compiler.CompileOpenCL(k)
            : compiler.CompilePtx(k, PtxTarget.Parse(target));
    }

    /// <summary>Serializes the report as JSON.</summary>
    /// <param name="report">Report.</param>
    public static string ToJson(KernelReportResult report) => JsonSerializer.Serialize(report, Json);

    /// <summary>Renders a fixed-width text table (one row per kernel x arch).</summary>
    /// <param name="report">Report.</param>
    public static string ToText(KernelReportResult report)
    {
        var sb = new StringBuilder();
        sb.AppendLine(report.Ptxas is null ? "ptxas: not found (run tools/ptxas/fetch-ptxas.sh); resource columns empty" : "ptxas: " + report.Ptxas);
        var cl = report.OpenCL.ToDictionary(e => e.Kernel);
        sb.AppendLine($"{"kernel",-44} {"arch",-6} {"regs",5} {"smem",6} {"spillSt",7} {"spillLd",7} {"stack",6} {"lmem",5} {"ptxB",7} {"clB",7}  status");
        foreach (var e in report.Ptx)
        {
            var u = e.Usage;
            string clBytes = cl.TryGetValue(e.Kernel, out var c) && c.SourceBytes is int b ? b.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
            string status = e.Error is not null ? "FAIL: " + e.Error.Split('\n')[0] : e.Assembled == true ? "ok" : "not assembled";
            sb.AppendLine(u is null
                ? $"{e.Kernel,-44} {e.Arch,-6} {"-",5} {"-",6} {"-",7} {"-",7} {"-",6} {"-",5} {e.PtxBytes,7} {clBytes,7}  {status}"
                : $"{e.Kernel,-44} {e.Arch,-6} {u.Registers,5} {u.SharedBytes,6} {u.SpillStoreBytes,7} {u.SpillLoadBytes,7} {u.StackFrameBytes,6} {u.LocalBytes,5} {e.PtxBytes,7} {clBytes,7}  {status}");
        }
        return sb.ToString();
    }

    private static string FileName(KernelSpec k, string arch) => k.Name.Replace('/', '_') + "." + arch;
}
