using BenchmarkDotNet.Running;

namespace SciKernels.Benchmarks;

public static class Program
{
    /// <summary>Set by <c>--outOfProcess</c>: use BenchmarkDotNet's default (separate process) toolchain.</summary>
    public static bool OutOfProcess { get; private set; }

    /// <summary>
    /// <c>-- --filter '*MatMul*'</c> etc.: BenchmarkDotNet (authoritative, detailed).
    /// <c>-- --quick</c> / <c>-- --quick-json</c>: Stopwatch run with bench.py's protocol (used by compare.sh).
    /// <c>-- --mlp-breakdown</c>: per-phase profile of the MLP training step.
    /// <c>-- --fno-quick</c> / <c>-- --fno-quick-json</c>: the FNO/optimizer cases (compare_fno.sh); <c>-- --fno-profile [--dims 2]</c>: where an FNO step's time goes.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--fno-quick") || args.Contains("--fno-quick-json")) return FnoQuickBench.Run(args);
        if (args.Contains("--fno-profile")) return FnoProfile.Run(args);
        if (args.Contains("--quick") || args.Contains("--quick-json")) return QuickBench.Run(args);
        if (args.Contains("--mlp-breakdown")) return QuickBench.MlpBreakdown();
        OutOfProcess = args.Contains("--outOfProcess");
        var rest = args.Where(a => a != "--outOfProcess").ToArray();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest);
        return 0;
    }
}
