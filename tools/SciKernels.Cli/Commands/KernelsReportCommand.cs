using SciKernels.Kernels.Compilation;

namespace SciKernels.Cli;

/// <summary>
/// <c>scikernels kernels report</c>: per kernel × CUDA architecture resource usage from ptxas
/// (registers, shared memory, spills, stack and local memory) and the size of the generated OpenCL C;
/// needs no GPU. <c>--dump</c> prints one kernel's PTX or OpenCL C instead.
/// </summary>
internal sealed class KernelsReportCommand : ICommand
{
    public string[] Path => ["kernels", "report"];

    public string Summary => "per-kernel registers/smem/spills (ptxas) and OpenCL C size, or --dump a kernel's source";

    public string Usage => """
        usage: scikernels kernels report [--arch sm_80,sm_90] [--filter NAME[,NAME]] [--json] [--no-opencl]
               scikernels kernels report --dump KERNEL [--target sm_80|opencl]
          --arch     CUDA architectures (default sm_80,sm_90)
          --filter   only kernels whose name contains one of these substrings (e.g. gemm,reduce_all)
          --json     machine-readable output
          --no-opencl  skip generating OpenCL C
          --dump     print the generated source of one kernel (exact name or unique substring)
          --target   sm_XX for PTX (default: the first --arch) or opencl for OpenCL C
        ptxas is found through $SCIKERNELS_PTXAS, .cache/cuda/usr/bin/ptxas (tools/ptxas/fetch-ptxas.sh puts it
        there) or /usr/local/cuda/bin; without it the resource columns are empty.
        """;

    public int Run(Options options, TextWriter stdout, TextWriter stderr)
    {
        var archText = options.String("arch", "sm_80,sm_90");
        var arches = archText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (arches.Length == 0) throw new OptionException("--arch needs at least one architecture, e.g. sm_80");
        foreach (var a in arches)
            if (!a.StartsWith("sm_", StringComparison.Ordinal) || !int.TryParse(a.AsSpan(3), out _))
                throw new OptionException($"--arch: '{a}' is not a CUDA architecture like sm_80");
        var dump = options.String("dump");
        var target = options.String("target");
        var filter = options.String("filter");
        bool json = options.Flag("json");
        bool noOpenCL = options.Flag("no-opencl");

        if (dump is not null)
        {
            target ??= arches[0];
            if (!target.Equals("opencl", StringComparison.OrdinalIgnoreCase) && !target.StartsWith("sm_", StringComparison.Ordinal))
                throw new OptionException($"--target must be sm_XX or opencl, got '{target}'");
            try
            {
                stdout.Write(KernelReport.DumpSource(dump, target));
                return 0;
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"scikernels kernels report: {e.Message}");
                return 2;
            }
        }
        if (target is not null) throw new OptionException("--target is only used with --dump");

        var selected = KernelCatalog.Select(filter);
        if (selected.Count == 0)
        {
            stderr.WriteLine($"scikernels kernels report: no kernel matches --filter '{filter}'");
            return 2;
        }
        var report = KernelReport.Run(new KernelReportOptions { Arches = arches, Filter = filter, IncludeOpenCL = !noOpenCL });
        stdout.Write(json ? KernelReport.ToJson(report) + Environment.NewLine : KernelReport.ToText(report));
        int failures = report.Failures.Count();
        if (failures > 0) stderr.WriteLine($"{failures} kernel/arch combination(s) failed to compile or assemble");
        return failures > 0 ? 1 : 0;
    }
}
