namespace SciKernels.Tests;

/// <summary>Runs a call on a fresh thread and reports what it threw and how many bytes it allocated there.</summary>
/// <remarks>A fresh thread, so the per-thread counter sees only the call (not xunit's own work).</remarks>
internal static class AllocationProbe
{
    /// <summary>The call's exception (null if none) and the bytes it allocated on its thread.</summary>
    public static (Exception? Thrown, long Allocated) Run(Action call)
    {
        Exception? thrown = null;
        long allocated = 0;
        var worker = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { call(); }
            catch (Exception e) { thrown = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        worker.Start();
        worker.Join();
        return (thrown, allocated);
    }
}
