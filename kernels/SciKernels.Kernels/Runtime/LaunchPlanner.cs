using ILGPU;
using ILGPU.Runtime;

namespace SciKernels.Kernels.Runtime;

/// <summary>Chooses grid and group sizes for the grid-stride kernels on one accelerator.</summary>
public sealed class LaunchPlanner
{
    private readonly Accelerator accelerator;

    /// <summary>Creates a planner.</summary>
    /// <param name="accelerator">Target accelerator.</param>
    public LaunchPlanner(Accelerator accelerator)
    {
        this.accelerator = accelerator;
        // The CPU simulator runs every group thread as an OS thread and pays for each barrier across
        // all of them; small groups make it far faster. GPUs get 256.
        int preferred = accelerator.AcceleratorType == AcceleratorType.CPU ? 32 : 256;
        GroupSize = FloorPow2(Math.Min(preferred, accelerator.MaxNumThreadsPerGroup));
        int groupsPerSm = Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / GroupSize);
        MaxGroups = Math.Max(1, accelerator.NumMultiprocessors * groupsPerSm * (accelerator.AcceleratorType == AcceleratorType.CPU ? 1 : 4));
    }

    /// <summary>Group size used by 1-D kernels (power of two, &lt;= 256; 32 on the CPU simulator).</summary>
    public int GroupSize { get; }

    /// <summary>Upper bound of the grid size for grid-stride kernels (enough to fill the device).</summary>
    public int MaxGroups { get; }

    /// <summary>1-D configuration covering <paramref name="n"/> work items with grid-stride loops.</summary>
    /// <param name="n">Number of work items (threads' worth of work).</param>
    public KernelConfig Linear(long n)
    {
        long groups = Math.Max(1, (n + GroupSize - 1) / GroupSize);
        return new KernelConfig((int)Math.Min(groups, MaxGroups), GroupSize);
    }

    /// <summary>1-D configuration with one group per output (grid-stride over outputs).</summary>
    /// <param name="numOutputs">Number of outputs.</param>
    public KernelConfig GroupPerItem(long numOutputs) =>
        new((int)Math.Clamp(numOutputs, 1, Math.Max(MaxGroups, 1) * 8L), GroupSize);

    internal static int FloorPow2(int v)
    {
        int p = 1;
        while (p * 2 <= v) p *= 2;
        return p;
    }

    internal Accelerator Accelerator => accelerator;
}
