using SciKernels.Kernels.Compilation;
using Xunit;
using Xunit.Abstractions;

namespace SciKernels.Kernels.Tests;

public class PtxasTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void EveryKernelAssemblesForSm80AndSm90()
    {
        var ptxas = Ptxas.Locate();
        if (ptxas is null)
        {
            const string why = "ptxas not found (run tools/ptxas/fetch-ptxas.sh, or set SCIKERNELS_PTXAS)";
            if (Backends.IsCI) throw new InvalidOperationException("CI=true: " + why);
            Skip.If(true, why + "; skipped (would fail under CI=true)");
        }
        var report = KernelReport.Run(new KernelReportOptions { Arches = ["sm_80", "sm_90"], IncludeOpenCL = false }, ptxas);
        output.WriteLine(ptxas!.Version);
        foreach (var e in report.Ptx.Where(e => e.Kernel.Contains("gemm") || e.Kernel.Contains("reduce_all/sumreduce") || e.Kernel.Contains("binary/add/")))
            output.WriteLine($"{e.Kernel} {e.Arch}: {e.Usage}");
        var failures = report.Failures.ToList();
        Assert.True(failures.Count == 0, "PTX failed to assemble:\n" + string.Join("\n", failures.Take(5).Select(f => $"{f.Kernel} {f.Arch}: {f.Error}")));
        Assert.Equal(KernelCatalog.All.Count * 2, report.Ptx.Count);
        Assert.All(report.Ptx, e => Assert.Equal(0, e.Usage!.SpillStoreBytes));
        Assert.All(report.Ptx.Where(e => e.Kernel.StartsWith("matmul/gemm/f32", StringComparison.Ordinal)), e => Assert.Equal(8192, e.Usage!.SharedBytes));
    }

    [Fact]
    public void PtxasOutputIsParsed()
    {
        const string sample = """
            ptxas info    : 0 bytes gmem
            ptxas info    : Compiling entry function 'Kernel_Gemm' for 'sm_80'
            ptxas info    : Function properties for Kernel_Gemm
                64 bytes stack frame, 8 bytes spill stores, 12 bytes spill loads
            ptxas info    : Used 36 registers, 8192 bytes smem, 488 bytes cmem[0]
            """;
        var u = Ptxas.Parse(sample)!;
        Assert.Equal(new PtxasUsage(36, 8192, 8, 12, 64, 0, 488), u);
    }
}
