using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SciKernels.Autograd;
using SciKernels.Backends;
using SciKernels.NN;
using SciKernels.Pinn;

namespace SciKernels.Training.Distributed;

/// <summary>
/// Data-parallel training over an <see cref="MpiComm"/> (set <see cref="TrainerOptions.DataParallel"/>): every
/// rank holds the whole model, takes a contiguous shard of each global batch and the ranks sum their
/// shard-weighted gradients, so every rank applies the global-batch mean gradient in the same optimizer step.
/// </summary>
/// <remarks>
/// <para>Semantics: all ranks draw the same shuffle from <see cref="TrainerOptions.Seed"/>; rank r of R takes
/// samples [⌊len·r/R⌋, ⌊len·(r+1)/R⌋) of a global batch of len; its mean-loss gradient is weighted by its
/// share of the batch, so unequal shards give the exact global mean. The loss must therefore be a mean over
/// the samples of the batch (MSE, relative L2 …). Results equal one process's up to float32 reassociation, and
/// runs with the same rank count are bitwise reproducible (the reduction order is fixed).</para>
/// <para>At the start the ranks compare a hash of the parameter set (names, shapes, dtypes), of the
/// training data and of the settings (<see cref="Recipe"/>, batch size, seed …) and throw on a mismatch;
/// then rank 0's parameter values are broadcast. Gradients travel in buckets of about
/// <see cref="BucketBytes"/>; with <see cref="Overlap"/> (the default) they are reduced while the backward pass still
/// runs.</para>
/// </remarks>
public sealed class DataParallel : IPinnDataParallel
{
    private readonly Stopwatch allreduceClock = new();
    private readonly Stopwatch exposedClock = new();
    private GradientOverlap? overlap;
    private float[] bucket = [];
    private double[] bucket64 = [];

    /// <summary>Creates the data-parallel settings.</summary>
    /// <param name="comm">The ranks to train on (usually <see cref="MpiComm.World"/>).</param>
    /// <param name="recipe">Text naming how the data and model were made (e.g. the run settings); ranks must agree on it.</param>
    /// <param name="bucketBytes">Gradient bytes per Allreduce (float32), 1 KiB … 256 MiB.</param>
    /// <param name="overlap">Reduce float32 gradient buckets while the backward pass still runs (see <see cref="Overlap"/>).</param>
    public DataParallel(MpiComm comm, string recipe = "", int bucketBytes = 2 << 20, bool overlap = true)
    {
        Overlap = overlap;
        Comm = comm ?? throw new ArgumentNullException(nameof(comm));
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bucketBytes, 256 << 20);
        Recipe = recipe;
        BucketBytes = bucketBytes;
    }

    /// <summary>The communicator.</summary>
    public MpiComm Comm { get; }

    /// <summary>Text describing the data and model recipe, part of the start-up consistency check.</summary>
    public string Recipe { get; }

    /// <summary>Gradient bytes per Allreduce call.</summary>
    public int BucketBytes { get; }

    /// <summary>
    /// Whether <see cref="Trainer"/> overlaps the gradient Allreduce with the backward pass: buckets of whole
    /// parameters, in reverse parameter order, are reduced by a communication thread as soon as the backward pass has
    /// finished their gradients (float32 models; others reduce after the pass). Bucket composition and launch order
    /// are fixed, so results stay bitwise reproducible from run to run.
    /// </summary>
    public bool Overlap { get; }

    /// <summary>
    /// Time spent in the gradient Allreduce calls so far: after the backward pass, or (with <see cref="Overlap"/>) on
    /// the communication thread, partly hidden behind the backward pass (see <see cref="ExposedAllreduceTime"/>).
    /// </summary>
    public TimeSpan AllreduceTime => allreduceClock.Elapsed + (overlap?.CommTime ?? TimeSpan.Zero);

    /// <summary>The part of the gradient reduction the training thread waited for after its backward passes (all of it without overlap).</summary>
    public TimeSpan ExposedAllreduceTime => allreduceClock.Elapsed + exposedClock.Elapsed;

    /// <summary>Number of optimizer steps whose gradients were reduced.</summary>
    public long ReducedSteps { get; private set; }

    /// <summary>Rank <paramref name="rank"/>'s share [Start, Start + Length) of the global batch [start, start + length).</summary>
    /// <param name="start">First sample (position in the epoch's order) of the global batch.</param>
    /// <param name="length">Samples in the global batch.</param>
    /// <param name="rank">The rank.</param>
    /// <param name="size">Number of ranks.</param>
    public static (int Start, int Length) Shard(int start, int length, int rank, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (size < 1 || rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), $"DataParallel.Shard: rank {rank} of {size} ranks");
        int lo = (int)((long)length * rank / size), hi = (int)((long)length * (rank + 1) / size);
        return (start + lo, hi - lo);
    }

    /// <summary>
    /// Checks that all ranks train the same model on the same data with the same settings and copies rank 0's
    /// parameter values to the others. Collective: every rank must call it.
    /// </summary>
    internal void Begin(Module model, IReadOnlyList<Tensor> parameters, Tensor inputs, Tensor targets, TrainerOptions options)
    {
        string settings = string.Create(CultureInfo.InvariantCulture,
            $"batch={options.BatchSize};seed={options.Seed};shuffle={options.Shuffle};dropLast={options.DropLast};epochs={options.Epochs};start={options.StartEpoch}");
        Begin(model, parameters, DataHash(inputs, targets), settings);
    }

    /// <summary>
    /// Checks that all ranks train the same model (parameter names, shapes, dtypes) on the same data
    /// (<paramref name="dataHash"/>) with the same <paramref name="settings"/>, throwing on every rank with a message
    /// naming what differs, then copies rank 0's values of <paramref name="parameters"/> to the others. Collective:
    /// for training loops of their own (e.g. PINN training); <see cref="Trainer"/> calls it itself.
    /// </summary>
    /// <param name="model">The model, for its parameter names and shapes.</param>
    /// <param name="parameters">The parameters to broadcast from rank 0.</param>
    /// <param name="dataHash">A hash of this rank's training data (e.g. <see cref="HashBytes"/> of its points).</param>
    /// <param name="settings">Text of the loop's settings; <see cref="Recipe"/> is appended.</param>
    public void Begin(Module model, IReadOnlyList<Tensor> parameters, ulong dataHash, string settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(settings);
        var c = CultureInfo.InvariantCulture;
        settings += ";recipe=" + Recipe;
        var modelText = new StringBuilder();
        foreach (var (name, p) in model.NamedParameters())
            modelText.Append(c, $"{name}:{p.DType.Name()}[{string.Join(",", p.Shape.ToArray())}];");
        ulong[] hashes = [Hash(Encoding.UTF8.GetBytes(modelText.ToString())), dataHash, Hash(Encoding.UTF8.GetBytes(settings))];
        ulong[] min = [.. hashes], max = [.. hashes];
        Comm.Allreduce(min.AsSpan(), ReduceOp.Min);
        Comm.Allreduce(max.AsSpan(), ReduceOp.Max);
        string[] what = ["the model's parameter set (names, shapes, dtypes)", "the training data", $"the settings or data recipe ({settings})"];
        var differ = Enumerable.Range(0, 3).Where(i => min[i] != max[i]).Select(i => what[i]).ToList();
        if (differ.Count > 0)
            throw new InvalidOperationException($"DataParallel: the {Comm.Size} ranks disagree on {string.Join(" and ", differ)}; rank {Comm.Rank}'s hashes are {string.Join(", ", hashes.Select(h => h.ToString("x16", c)))}. Start every rank with the same command line and data");
        using var _ = GradMode.NoGrad();
        foreach (var p in parameters) BroadcastTensor(p);
    }

    /// <summary>
    /// Replaces every parameter's gradient by the sum over ranks of (this rank's gradient · <paramref name="weight"/>),
    /// in buckets of <see cref="BucketBytes"/> and a fixed order, in float32 (float64 for a float64 model).
    /// A parameter without a gradient counts as zeros and keeps no gradient only when no rank has one.
    /// Collective: every rank must call it with the same parameters.
    /// </summary>
    /// <param name="parameters">The parameters, in the same order on every rank.</param>
    /// <param name="weight">This rank's factor (its share of the batch; 1 when the losses are already shard-weighted).</param>
    /// <exception cref="NotSupportedException">The parameters mix float32 and float64.</exception>
    public void ReduceGradients(IReadOnlyList<Tensor> parameters, double weight)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count > 0 && parameters.All(p => p.DType == DType.Float64)) Reduce<double>(parameters, weight, DType.Float64);
        else Reduce<float>(parameters, weight, DType.Float32);
    }

    /// <summary>
    /// With <see cref="Overlap"/> and float32 parameters: starts reducing gradients during the next backward pass of this
    /// thread (dispose the scope after it, then call <see cref="FinishOverlap"/>). Null otherwise: reduce with
    /// <see cref="ReduceGradients"/> after the pass. Collective in effect: every rank must make the same calls.
    /// </summary>
    internal IDisposable? StartOverlap(IReadOnlyList<Tensor> parameters, double weight)
    {
        if (!Overlap || parameters.Count == 0 || parameters.Any(p => p.DType != DType.Float32)) return null;
        if (overlap is null || !overlap.Matches(parameters))
        {
            overlap?.Stop();
            overlap = new GradientOverlap(this, parameters, Math.Max(1, BucketBytes / sizeof(float)));
        }
        return overlap.Begin(weight);
    }

    /// <summary>Ends an overlapped reduction: launches the buckets the pass did not fill, waits for all and unpacks the sums.</summary>
    internal void FinishOverlap()
    {
        exposedClock.Start();
        try
        {
            overlap!.Finish();
        }
        finally
        {
            exposedClock.Stop();
        }
        ReducedSteps++;
    }

    // Gradients travel in the parameters' own precision: float32 buckets, or float64 ones for a float64 model.
    private void Reduce<T>(IReadOnlyList<Tensor> parameters, double weight, DType dtype) where T : unmanaged, IFloatingPoint<T>
    {
        long total = parameters.Count; // one presence flag per parameter travels after the gradients
        foreach (var p in parameters) total += p.NumElements;
        int capacity = (int)Math.Min(total, Math.Max(1, BucketBytes / Unsafe.SizeOf<T>()));
        T[] bucket = Bucket<T>(capacity);
        T w = T.CreateChecked(weight);
        var grads = parameters.Select(p => p.Grad is { } g && HostMemory.IsDenseFloat(g) && g.DType == dtype ? g : null).ToArray();
        var hostCopies = new T[]?[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].DType != dtype)
                throw new NotSupportedException($"DataParallel: parameter {i} is {parameters[i].DType.Name()} but others are {dtype.Name()}; gradients are reduced in one precision");
            if (grads[i] is null && parameters[i].Grad is { } g) hostCopies[i] = g.ToArray<T>(); // device or strided: through the host
        }
        allreduceClock.Start();
        // Walk the concatenation [grad 0, grad 1, …, presence flags] bucket by bucket, in a fixed order.
        long done = 0;
        while (done < total)
        {
            int len = (int)Math.Min(capacity, total - done);
            var chunk = bucket.AsSpan(0, len);
            Pack(parameters, grads, hostCopies, done, chunk, w);
            Comm.Allreduce(chunk);
            Unpack(parameters, grads, hostCopies, done, chunk);
            done += len;
        }
        allreduceClock.Stop();
        ReducedSteps++;
    }

    private T[] Bucket<T>(int capacity)
    {
        if (typeof(T) == typeof(float))
        {
            if (bucket.Length < capacity) bucket = new float[capacity];
            return (T[])(object)bucket;
        }
        if (bucket64.Length < capacity) bucket64 = new double[capacity];
        return (T[])(object)bucket64;
    }

    // The pieces of elements [offset, offset + length) of the concatenation: (segment, first element, count,
    // position in the chunk); segment i < P is parameter i's gradient, segment P the presence flags.
    private static IEnumerable<(int Segment, int From, int Count, int At)> Pieces(IReadOnlyList<Tensor> parameters, long offset, int length)
    {
        long pos = 0;
        for (int seg = 0; seg <= parameters.Count; seg++)
        {
            long n = seg < parameters.Count ? parameters[seg].NumElements : parameters.Count;
            long lo = Math.Max(pos, offset), hi = Math.Min(pos + n, offset + length);
            if (lo < hi) yield return (seg, (int)(lo - pos), (int)(hi - lo), (int)(lo - offset));
            pos += n;
            if (pos >= offset + length) yield break;
        }
    }

    private static void Pack<T>(IReadOnlyList<Tensor> parameters, Tensor?[] grads, T[]?[] host, long offset, Span<T> chunk, T w) where T : unmanaged, IFloatingPoint<T>
    {
        foreach (var (seg, from, count, at) in Pieces(parameters, offset, chunk.Length))
        {
            var dst = chunk.Slice(at, count);
            if (seg == parameters.Count)
            {
                for (int k = 0; k < count; k++) dst[k] = parameters[from + k].Grad is null ? T.Zero : T.One;
                continue;
            }
            ReadOnlySpan<T> src = grads[seg] is { } g ? g.AsSpan<T>() : host[seg];
            if (src.IsEmpty) dst.Clear(); // no gradient on this rank: zeros
            else for (int k = 0; k < count; k++) dst[k] = src[from + k] * w;
        }
    }

    private static void Unpack<T>(IReadOnlyList<Tensor> parameters, Tensor?[] grads, T[]?[] host, long offset, ReadOnlySpan<T> chunk) where T : unmanaged, IFloatingPoint<T>
    {
        foreach (var (seg, from, count, at) in Pieces(parameters, offset, chunk.Length))
        {
            if (seg < parameters.Count)
            {
                // Dense float32 CPU gradients are reduced in place; the others land in a host copy first.
                var dst = grads[seg] is { } g ? g.AsSpan<T>() : (host[seg] ??= new T[parameters[seg].NumElements]);
                chunk.Slice(at, count).CopyTo(dst.Slice(from, count));
                continue;
            }
            for (int k = 0; k < count; k++)
            {
                int i = from + k;
                var p = parameters[i];
                if (chunk[at + k] == T.Zero)
                {
                    p.ZeroGrad(); // no rank has it: leave it without a gradient, as one process would
                    continue;
                }
                if (grads[i] is not null) continue;
                using var _ = GradMode.NoGrad();
                var reduced = Tensor.FromSpan<T>(host[i], p.Shape, p.Device);
                if (p.Grad is { } g)
                {
                    g.CopyFrom(reduced);
                    reduced.Dispose();
                }
                else p.Grad = reduced;
            }
        }
    }

    /// <summary>Sums <paramref name="values"/> over the ranks in place (loss and metric sums). Collective.</summary>
    /// <param name="values">This rank's values in, the sums out.</param>
    public void SumScalars(Span<double> values) => Comm.Allreduce(values);

    /// <summary>True when any rank passes true (a stop decision that must be the same on all ranks). Collective.</summary>
    /// <param name="flag">This rank's vote.</param>
    public bool Any(bool flag)
    {
        Span<ulong> v = [flag ? 1UL : 0UL];
        Comm.Allreduce(v, ReduceOp.Max);
        return v[0] != 0;
    }

    private void BroadcastTensor(Tensor p)
    {
        if (HostMemory.IsDenseFloat(p))
        {
            if (p.DType == DType.Float32) Comm.Broadcast(p.AsSpan<float>());
            else Comm.Broadcast(p.AsSpan<double>());
            return;
        }
        if (p.DType == DType.Float32)
        {
            var host = p.ToArray<float>();
            Comm.Broadcast(host.AsSpan());
            using var t = Tensor.FromSpan<float>(host, p.Shape, p.Device);
            p.CopyFrom(t);
        }
        else
        {
            var host = p.ToArray<double>();
            Comm.Broadcast(host.AsSpan());
            using var t = Tensor.FromSpan<double>(host, p.Shape, p.Device);
            p.CopyFrom(t);
        }
    }

    int IPinnDataParallel.Rank => Comm.Rank;

    int IPinnDataParallel.Size => Comm.Size;

    void IPinnDataParallel.Sum(Span<double> values) => SumScalars(values);

    // PINN losses are already shard-weighted (PinnProblem.TermLosses): the gradients are summed as they are.
    void IPinnDataParallel.SumGradients(IReadOnlyList<Tensor> parameters) => ReduceGradients(parameters, 1.0);

    private static ulong DataHash(Tensor inputs, Tensor targets)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var t in new[] { inputs, targets })
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{t.DType.Name()}[{string.Join(",", t.Shape.ToArray())}]"));
            sha.AppendData(t.HostBytes());
        }
        return BitConverter.ToUInt64(sha.GetHashAndReset(), 0);
    }

    private static ulong Hash(byte[] data) => BitConverter.ToUInt64(SHA256.HashData(data), 0);

    /// <summary>A 64-bit prefix of the SHA-256 of <paramref name="data"/>, for <see cref="Begin(Module, IReadOnlyList{Tensor}, ulong, string)"/>.</summary>
    /// <param name="data">The bytes (e.g. training points).</param>
    public static ulong HashBytes(ReadOnlySpan<byte> data) => BitConverter.ToUInt64(SHA256.HashData(data), 0);
}
