using System.Collections.Concurrent;
using System.Diagnostics;
using SciKernels.Autograd;
using SciKernels.Backends;

namespace SciKernels.Training.Distributed;

/// <summary>
/// Reduces float32 gradients in buckets while the backward pass still runs: a leaf's gradient is packed as soon as the
/// engine reports it final (<see cref="GradientHooks"/>), and a full bucket goes to a communication thread that runs
/// the blocking <c>MPI_Allreduce</c>. Buckets hold whole parameters in reverse parameter order (roughly the order the
/// backward pass finishes them) and are launched strictly in bucket order, so every rank issues the same collectives
/// in the same order and the sums are bitwise reproducible from run to run, whatever the timing.
/// </summary>
internal sealed class GradientOverlap
{
    private readonly DataParallel owner;
    private readonly Tensor[] parameters;
    private readonly Dictionary<Tensor, int> index = new(ReferenceEqualityComparer.Instance);
    private readonly int[] bucketOf, offsetOf; // per parameter: its bucket and its position in the bucket
    private readonly float[][] buckets;       // per bucket: [gradients …, one presence flag per parameter]
    private readonly int[][] members;          // per bucket: its parameters
    private readonly int[] pending;            // per bucket: parameters not yet packed this step
    private readonly bool[] packed;
    private readonly BlockingCollection<int> queue = new();
    private readonly SemaphoreSlim done = new(0);
    private readonly Stopwatch commClock = new();
    private int nextLaunch;
    private bool finishing;
    private float weight;
    private Exception? failure;

    public GradientOverlap(DataParallel owner, IReadOnlyList<Tensor> parameters, int bucketElements)
    {
        this.owner = owner;
        this.parameters = [.. parameters];
        int p = this.parameters.Length;
        bucketOf = new int[p];
        offsetOf = new int[p];
        packed = new bool[p];
        var plan = new List<List<int>>();
        long filled = 0;
        for (int i = p - 1; i >= 0; i--)
        {
            index[this.parameters[i]] = i;
            long n = this.parameters[i].NumElements;
            if (plan.Count == 0 || (filled + n > bucketElements && plan[^1].Count > 0))
            {
                plan.Add([]);
                filled = 0;
            }
            plan[^1].Add(i);
            filled += n;
        }
        members = plan.Select(b => b.ToArray()).ToArray();
        buckets = new float[members.Length][];
        pending = new int[members.Length];
        for (int b = 0; b < members.Length; b++)
        {
            int at = 0;
            foreach (int i in members[b])
            {
                bucketOf[i] = b;
                offsetOf[i] = at;
                at += checked((int)this.parameters[i].NumElements);
            }
            buckets[b] = new float[at + members[b].Length];
        }
        var thread = new Thread(CommLoop) { IsBackground = true, Name = "SciKernels MPI gradient buckets" };
        thread.Start();
    }

    /// <summary>Buckets per step.</summary>
    public int BucketCount => members.Length;

    /// <summary>Time the communication thread spent in MPI_Allreduce.</summary>
    public TimeSpan CommTime => commClock.Elapsed;

    /// <summary>Ends the communication thread (when a plan for other parameters replaces this one).</summary>
    public void Stop() => queue.CompleteAdding();

    /// <summary>True when this plan was made for exactly these parameters.</summary>
    public bool Matches(IReadOnlyList<Tensor> list)
    {
        if (list.Count != parameters.Length) return false;
        for (int i = 0; i < list.Count; i++)
            if (!ReferenceEquals(list[i], parameters[i])) return false;
        return true;
    }

    /// <summary>Starts a step: gradients are scaled by <paramref name="w"/> and packed as the backward pass finishes them.</summary>
    public IDisposable Begin(double w)
    {
        weight = (float)w;
        nextLaunch = 0;
        finishing = false;
        failure = null;
        Array.Clear(packed);
        for (int b = 0; b < members.Length; b++) pending[b] = members[b].Length;
        return GradientHooks.OnLeafGradientReady(Ready);
    }

    /// <summary>
    /// Packs what the backward pass did not reach (zeros, flag 0), waits for the launched buckets and reduces the rest
    /// on this thread (handing them to the communication thread would only add a wake-up), then unpacks.
    /// </summary>
    public void Finish()
    {
        finishing = true;
        for (int i = parameters.Length - 1; i >= 0; i--)
            if (!packed[i]) Pack(i);
        int launched = nextLaunch;
        for (int b = 0; b < launched; b++) done.Wait();
        if (failure is { } e) throw new MpiException("MPI_Allreduce", -1, $"the gradient bucket reduction failed: {e.Message}");
        // The communication thread is idle now: the remaining buckets follow in the same fixed order.
        commClock.Start();
        try
        {
            for (int b = launched; b < members.Length; b++) owner.Comm.Allreduce(buckets[b].AsSpan());
        }
        finally
        {
            commClock.Stop();
        }
        for (int b = 0; b < members.Length; b++) Unpack(b);
    }

    private void Ready(Tensor leaf)
    {
        if (index.TryGetValue(leaf, out int i) && !packed[i]) Pack(i);
    }

    private void Pack(int i)
    {
        packed[i] = true;
        int b = bucketOf[i];
        var bucket = buckets[b];
        var dst = bucket.AsSpan(offsetOf[i], (int)parameters[i].NumElements);
        var g = parameters[i].Grad;
        int flag = Array.IndexOf(members[b], i);
        if (g is null) dst.Clear(); // no gradient on this rank: zeros
        else
        {
            ReadOnlySpan<float> src = HostMemory.IsDenseFloat(g) && g.DType == DType.Float32 ? g.AsSpan<float>() : g.ToArray<float>();
            for (int k = 0; k < dst.Length; k++) dst[k] = src[k] * weight;
        }
        bucket[bucket.Length - members[b].Length + flag] = g is null ? 0f : 1f;
        if (--pending[b] > 0 || finishing) return;
        // Launch in bucket order only: the ranks' collectives must match one to one.
        while (nextLaunch < members.Length && pending[nextLaunch] == 0) queue.Add(nextLaunch++);
    }

    private void Unpack(int b)
    {
        var bucket = buckets[b];
        int flags = bucket.Length - members[b].Length;
        for (int m = 0; m < members[b].Length; m++)
        {
            int i = members[b][m];
            var p = parameters[i];
            if (bucket[flags + m] == 0)
            {
                p.ZeroGrad(); // no rank has it: leave it without a gradient, as one process would
                continue;
            }
            var src = bucket.AsSpan(offsetOf[i], (int)p.NumElements);
            if (p.Grad is { } g && HostMemory.IsDenseFloat(g) && g.DType == DType.Float32)
            {
                src.CopyTo(g.AsSpan<float>());
                continue;
            }
            using var _ = GradMode.NoGrad();
            var reduced = Tensor.FromSpan<float>(src, p.Shape, p.Device);
            if (p.Grad is { } old)
            {
                old.CopyFrom(reduced);
                reduced.Dispose();
            }
            else p.Grad = reduced;
        }
    }

    // The only thread that calls MPI while a backward pass runs (MPI_THREAD_SERIALIZED: the training thread makes its
    // next MPI call only after Finish has seen every bucket done).
    private void CommLoop()
    {
        foreach (int b in queue.GetConsumingEnumerable())
        {
            try
            {
                commClock.Start();
                if (failure is null) owner.Comm.Allreduce(buckets[b].AsSpan());
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                commClock.Stop();
                done.Release();
            }
        }
    }
}
