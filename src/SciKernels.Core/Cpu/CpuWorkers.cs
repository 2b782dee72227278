using System.Diagnostics;

namespace SciKernels.Cpu;

/// <summary>
/// A small fork-join pool for the CPU kernels: ProcessorCount − 1 dedicated background threads that
/// spin briefly between jobs, the calling thread taking chunks too.
/// </summary>
/// <remarks>
/// <para>Why not <c>Parallel.For</c>: a model step runs hundreds of element-wise ops of 10–100 µs
/// each (EGNN on 100 five-particle systems: [2000, 64] edge tensors), and waking thread-pool workers
/// that have gone to sleep costs a large part of that. Here a worker that finished a job spins for
/// <see cref="SpinMicroseconds"/> before blocking, so back-to-back ops find it awake.</para>
/// <para>Chunks are claimed with an atomic counter; which thread runs a chunk never changes what
/// the chunk computes, so results stay bitwise deterministic. One job runs at a time: a call made
/// while the pool is busy (another thread's job, or a nested call from inside a chunk) runs on
/// <c>Parallel.For</c> instead, as before. Exceptions are collected and rethrown as an
/// <see cref="AggregateException"/>, as <c>Parallel.For</c> does.</para>
/// </remarks>
internal static class CpuWorkers
{
    /// <summary>How long an idle worker polls for the next job before it blocks.</summary>
    public const int SpinMicroseconds = 200;

    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private static readonly object StartLock = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static int started;
    private static int workerCount;
    private static int busy;
    private static int sleeping;
    private static long generation;
    private static Job? current;

    [ThreadStatic] private static bool isWorker;

    /// <summary>Runs body(i) for i in [0, count), on the pool when it is free and there is more than one chunk.</summary>
    public static void For(long count, Action<long> body)
    {
        if (count <= 0) return;
        if (count == 1 || Environment.ProcessorCount == 1)
        {
            for (long i = 0; i < count; i++) body(i);
            return;
        }
        if (isWorker || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            Parallel.For(0L, count, body);
            return;
        }
        try
        {
            EnsureStarted();
            var job = new Job(body, count);
            Volatile.Write(ref current, job);
            Interlocked.Increment(ref generation);
            int asleep = Volatile.Read(ref sleeping);
            if (asleep > 0) Wake.Release(Math.Min(asleep, workerCount));
            job.Work();
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Done) < count) spin.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref current, null);
            if (job.Errors is { } errors) throw new AggregateException(errors);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private static void EnsureStarted()
    {
        if (Volatile.Read(ref started) != 0) return;
        lock (StartLock)
        {
            if (started != 0) return;
            workerCount = Math.Max(1, Environment.ProcessorCount - 1);
            for (int w = 0; w < workerCount; w++)
                new Thread(WorkerLoop) { IsBackground = true, Name = $"SciKernels CPU worker {w}" }.Start();
            Volatile.Write(ref started, 1);
        }
    }

    private static void WorkerLoop()
    {
        isWorker = true;
        long seen = Volatile.Read(ref generation);
        while (true)
        {
            long idleSince = Stopwatch.GetTimestamp();
            int polls = 0;
            while (Volatile.Read(ref generation) == seen)
            {
                if (Stopwatch.GetTimestamp() - idleSince < SpinTicks)
                {
                    // Yield now and then so a loaded machine's other runnable threads are not starved.
                    if (++polls % 64 == 0) Thread.Yield();
                    else Thread.SpinWait(8);
                    continue;
                }
                Interlocked.Increment(ref sleeping);
                // Re-check after announcing: a job published before the announcement was seen by its
                // dispatcher as "nobody asleep", so it must not be waited through.
                if (Volatile.Read(ref generation) == seen) Wake.Wait();
                Interlocked.Decrement(ref sleeping);
                idleSince = Stopwatch.GetTimestamp();
            }
            seen = Volatile.Read(ref generation);
            Volatile.Read(ref current)?.Work();
        }
    }

    private sealed class Job(Action<long> body, long count)
    {
        private long next = -1;
        public long Done;
        public List<Exception>? Errors;

        /// <summary>Claims and runs chunks until none is left; a claim past the end does nothing, so a late worker holding a finished job is harmless.</summary>
        public void Work()
        {
            long i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    body(i);
                }
                catch (Exception e)
                {
                    lock (this) (Errors ??= []).Add(e);
                }
                Interlocked.Increment(ref Done);
            }
        }
    }
}
