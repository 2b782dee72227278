using SciKernels.Training.Distributed;

namespace SciKernels.Cli;

/// <summary>How a command ends when <c>mpirun</c> started it as one rank of a data-parallel job.</summary>
internal static class MpiLaunch
{
    /// <summary>
    /// Finalises MPI after a successful run. After a failed one on several ranks it aborts the whole job, so the
    /// other ranks do not wait forever at their next Allreduce; mpirun then exits non-zero within seconds.
    /// </summary>
    /// <param name="code">The command's exit code.</param>
    /// <param name="stderr">Where the abort is announced.</param>
    /// <returns><paramref name="code"/> (when the process goes on).</returns>
    public static int Finish(int code, TextWriter stderr)
    {
        if (!MpiComm.IsInitialized) return code;
        var world = MpiComm.World;
        if (code != 0 && world.Size > 1)
        {
            stderr.WriteLine($"scikernels: rank {world.Rank} of {world.Size} failed (exit code {code}); aborting all ranks");
            stderr.Flush();
            world.Abort(code);
        }
        MpiComm.Shutdown();
        return code;
    }

    /// <summary>
    /// Whether the gradient Allreduce overlaps the backward pass (<see cref="DataParallel.Overlap"/>); the environment
    /// variable SCIKERNELS_DP_OVERLAP=0 turns it off, for A/B measurements.
    /// </summary>
    public static bool Overlap => Environment.GetEnvironmentVariable("SCIKERNELS_DP_OVERLAP") != "0";

    /// <summary>Prefix for a rank's messages: empty on one process, "[rank r/N] " otherwise.</summary>
    public static string Prefix(MpiComm comm) => comm.Size > 1 ? $"[rank {comm.Rank}/{comm.Size}] " : "";
}
