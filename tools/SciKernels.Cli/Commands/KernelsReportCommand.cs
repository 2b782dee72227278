using System.CommandLine;
using SciKernels.Kernels.Compilation;

namespace SciKernels.Cli;

/// <summary>
/// <c>scikernels kernels report</c>: per kernel × CUDA architecture resource usage from ptxas
/// (registers, shared memory, spills, stack and local memory) and the size of the generated OpenCL C;
/// needs no GPU. <c>--dump</c> prints one kernel's PTX or OpenCL C instead.
/// </summary>
internal sealed class KernelsReportCommand : ICommand
{
    private readonly Option<string?> arch = Opt.Text("--arch", "CUDA architectures, comma-separated (sm_75, sm_80, sm_86, sm_89, sm_90)", "sm_80,sm_90");
    private readonly Option<string?> filter = Opt.Text("--filter", "only kernels whose name contains one of these comma-separated substrings (e.g. gemm,reduce_all)");
    private readonly Option<bool> json = Opt.Flag("--json", "machine-readable output");
    private readonly Option<bool> noOpenCL = Opt.Flag("--no-opencl", "skip generating OpenCL C");
    private readonly Option<string?> dump = Opt.Text("--dump", "print the generated source of one kernel (exact name or unique substring)");
    private readonly Option<string?> target = Opt.Text("--target", "with --dump: sm_XX for PTX (default: the first --arch) or opencl for OpenCL C");

    public string[] Path => ["kernels", "report"];

    public string Summary => "per-kernel registers/smem/spills (ptxas) and OpenCL C size, or --dump a kernel's source";

    public string Notes => """
        ptxas is found through $SCIKERNELS_PTXAS, .cache/cuda/usr/bin/ptxas (tools/ptxas/fetch-ptxas.sh puts it
        there) or /usr/local/cuda/bin; without it the resource columns are empty.
        """;

    public IEnumerable<Symbol> Symbols => [arch, filter, json, noOpenCL, dump, target];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        var arches = p.GetValue(arch)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (arches.Length == 0) throw new OptionException("--arch needs at least one architecture, e.g. sm_80");
        foreach (var a in arches) Architecture("--arch", a);
        var dumpName = p.GetValue(dump);
        var targetName = p.GetValue(target);
        var filterText = p.GetValue(filter);
        bool asJson = p.GetValue(json);
        bool skipOpenCL = p.GetValue(noOpenCL);

        if (dumpName is not null)
        {
            targetName ??= arches[0];
            if (!targetName.Equals("opencl", StringComparison.OrdinalIgnoreCase)) Architecture("--target", targetName);
            return new Job(() =>
            {
                try
                {
                    stdout.Write(KernelReport.DumpSource(dumpName, targetName));
                    return 0;
                }
                catch (ArgumentException e)
                {
                    throw new OptionException(e.Message);
                }
            });
        }
        if (targetName is not null) throw new OptionException("--target is only used with --dump");
        var selected = KernelCatalog.Select(filterText);
        if (selected.Count == 0) throw new OptionException($"no kernel matches --filter '{filterText}'");
        return new Job(() =>
        {
            var report = KernelReport.Run(new KernelReportOptions { Arches = arches, Filter = filterText, IncludeOpenCL = !skipOpenCL });
            stdout.Write(asJson ? KernelReport.ToJson(report) + Environment.NewLine : KernelReport.ToText(report));
            int failures = report.Failures.Count();
            if (failures > 0) stderr.WriteLine($"{failures} kernel/arch combination(s) failed to compile or assemble");
            return failures > 0 ? 1 : 0;
        });
    }

    private static void Architecture(string option, string name)
    {
        try
        {
            PtxTarget.Parse(name);
        }
        catch (ArgumentException e)
        {
            throw new OptionException($"{option}: {e.Message}");
        }
    }
}
