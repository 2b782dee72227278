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
    /// <c>-- --suite</c> / <c>-- --suite-json [--device cpu|cuda:0|opencl:0] [--case NAME]</c>: every hot path (compare.sh --suite all).
    /// <c>-- --neighbors</c> / <c>-- --neighbors-json [--case NAME]</c>: neighbour lists on argon supercells (compare_neighbors.sh, against ASE).
    /// <c>-- --emt [--case NAME] [--md]</c>: EMT energy + forces on Cu supercells (against benchmarks/ase/emt_bench.py); --md adds NVE throughput and drift.
    /// <c>-- --md-json [--case NAME]</c>: EMT + velocity Verlet throughput in atom-steps/s (compare_md.sh, against ASE).
    /// <c>-- --nequip [--case NAME] [--export DIR]</c>: tensor-product convolution and NequIP energy + forces (against benchmarks/pytorch/nequip_bench.py).
    /// <c>-- --diffusion [--coords sum|mean] [--samples N] [--export DIR]</c>: the LJ13 diffusion denoiser's training step and ancestral sampling (against benchmarks/pytorch/diffusion_bench.py).
    /// <c>-- --egnn-loop CASE SECONDS</c>: runs one EGNN suite case in a loop (for perf record), then its median.
    /// <c>-- --fno-quick</c> / <c>-- --fno-quick-json</c>: the FNO/optimizer cases (compare_fno.sh); <c>-- --fno-profile [--dims 2]</c>: where an FNO step's time goes.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--suite") || args.Contains("--suite-json")) return RunSuite(args);
        if (args.Contains("--neighbors") || args.Contains("--neighbors-json")) return NeighborListBench.Run(args);
        if (args.Contains("--emt")) return EmtBench.Run(args);
        if (args.Contains("--md-json")) return MdBench.Run(args);
        if (args.Contains("--nequip")) return NequipBench.Run(args);
        if (args.Contains("--diffusion")) return DiffusionBench.Run(args);
        if (args.Contains("--fno-quick") || args.Contains("--fno-quick-json")) return FnoQuickBench.Run(args);
        if (args.Contains("--fno-profile")) return FnoProfile.Run(args);
        if (args.Contains("--egnn-loop")) return EgnnWorkload.Loop(args);
        if (args.Contains("--quick") || args.Contains("--quick-json")) return QuickBench.Run(args);
        if (args.Contains("--mlp-breakdown")) return QuickBench.MlpBreakdown();
        OutOfProcess = args.Contains("--outOfProcess");
        var rest = args.Where(a => a != "--outOfProcess").ToArray();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest);
        return 0;
    }

    private static int RunSuite(string[] args)
    {
        int di = Array.IndexOf(args, "--device"), ci = Array.IndexOf(args, "--case");
        var device = di >= 0 && di + 1 < args.Length ? Device.Parse(args[di + 1]) : Device.Cpu;
        string? only = ci >= 0 && ci + 1 < args.Length ? args[ci + 1] : null;
        return SuiteBench.Run(device, only, args.Contains("--suite-json"));
    }
}
