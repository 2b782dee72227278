using System.Globalization;
using SciKernels.Graphs;
using SciKernels.Random;

namespace SciKernels.Data;

/// <summary>The three partitions of the N-body data set; each is drawn from its own random streams.</summary>
public enum NBodySplit
{
    /// <summary>Training set (3000 samples in the paper).</summary>
    Train,
    /// <summary>Validation set (2000 samples).</summary>
    Validation,
    /// <summary>Test set (2000 samples).</summary>
    Test,
}

/// <summary>Where the initial states of the N-body systems come from; both are integrated by <see cref="ChargedParticlesSimulator"/>.</summary>
public enum NBodyDataSource
{
    /// <summary>
    /// The EGNN paper's own systems: NumPy's legacy stream seeded as the reference's <c>nbody_small</c> set
    /// (<c>generate_dataset.py --num-train 10000 --seed 43 --sufix small</c>), drawn in its order — 10 000 training,
    /// then 2 000 validation, then 2 000 test systems, each taking its charges and initial state and then the
    /// 2 × 49 × 15 normals of the reference's zero-variance observation noise. The seed given to
    /// <see cref="NBodyDataset.Load"/> is the NumPy seed (the paper: <see cref="NBodyDataset.ReferenceSeed"/>).
    /// </summary>
    Reference,

    /// <summary>Our own independent streams: system k of a split from xoshiro256** seeded by (seed, split, k).</summary>
    SciKernels,
}

/// <summary>
/// One mini-batch of N-body graphs as the EGNN model consumes it: B graphs of 5 fully connected
/// particles stacked into one graph of 5B nodes and 20B directed edges.
/// </summary>
/// <param name="Positions">Positions at the input frame, [5B, 3].</param>
/// <param name="Velocities">Velocities at the input frame, [5B, 3].</param>
/// <param name="Charges">Charges, [5B, 1].</param>
/// <param name="EdgeCharges">q_i q_j per edge, [20B, 1] (the reference's <c>edge_attr</c>).</param>
/// <param name="Targets">Positions 1000 steps later, [5B, 3].</param>
/// <param name="Senders">Sender j of each edge, int64 [20B].</param>
/// <param name="Receivers">Receiver i of each edge, int64 [20B].</param>
public sealed record NBodyBatch(Tensor Positions, Tensor Velocities, Tensor Charges, Tensor EdgeCharges, Tensor Targets, Tensor Senders, Tensor Receivers)
{
    /// <summary>
    /// The same edges as a CSR index for the fast path of the EGNN layers (<c>EgnnVel.Forward(h, x, Edges, v, EdgeCharges)</c>).
    /// The fully connected edges are already sorted by receiver, so its receiver order is the order of
    /// <see cref="Senders"/>, <see cref="Receivers"/> and <see cref="EdgeCharges"/>: per-edge tensors need no reordering.
    /// <see cref="NBodyDataset.Batch"/> shares one index among all batches of one size and device (the
    /// topology is the same), owned by the data set: do not dispose it. Null when the batch was made by hand.
    /// </summary>
    public MessagePassing.EdgeIndex? Edges { get; init; }
}

/// <summary>
/// The charged N-body data of the EGNN paper (Satorras et al. 2021, §5.1), from our own
/// <see cref="ChargedParticlesSimulator"/>: 5 particles with charges ±1 in 3D; input: positions and
/// velocities at frame 30 and the charges; target: positions at frame 40, i.e. 1000 integrator steps
/// (dt = 0.001, one frame per 100 steps) later — the reference's <c>nbody_small</c> data set
/// (n_body_system/dataset_nbody.py, <c>frame_0, frame_T = 30, 40</c>; generate_dataset.py with
/// <c>--sufix small</c>). Arrays are row-major: positions, velocities and targets [Count, 5, 3], charges [Count, 5].
/// </summary>
/// <remarks>
/// <para>Sample k of a split is simulated from its own generator, seeded from (seed, split, k), so
/// generation runs in parallel and is bit-identical for any thread count, and a smaller count gives a
/// prefix of a larger one (as the reference's <c>max_training_samples</c> takes the first samples).</para>
/// <para>Cache format (<see cref="DatasetCache"/>): one safetensors file per (split, count, seed, recipe)
/// with float64 tensors <c>loc</c>, <c>vel</c>, <c>charges</c>, <c>loc_end</c> and the recipe in the metadata;
/// validated on read and regenerated when corrupt or mismatched.</para>
/// </remarks>
public sealed class NBodyDataset
{
    /// <summary>Particles per system.</summary>
    public const int Particles = 5;

    /// <summary>Spatial dimensions.</summary>
    public const int Dimensions = 3;

    /// <summary>Directed edges per system (every ordered pair i ≠ j).</summary>
    public const int EdgesPerGraph = Particles * (Particles - 1);

    /// <summary>Integrator steps between sampled frames.</summary>
    public const int SampleEvery = 100;

    /// <summary>The sampled frame used as input.</summary>
    public const int InputFrame = 30;

    /// <summary>The sampled frame used as target (1000 steps after <see cref="InputFrame"/>).</summary>
    public const int TargetFrame = 40;

    /// <summary>The NumPy seed of the reference's <c>nbody_small</c> set (<see cref="NBodyDataSource.Reference"/>).</summary>
    public const ulong ReferenceSeed = 43;

    /// <summary>Systems per split in the reference's files: 10 000 training (the paper uses the first 3000), 2000 validation, 2000 test.</summary>
    public static int ReferenceCount(NBodySplit split) => split == NBodySplit.Train ? 10_000 : 2_000;

    private readonly Dictionary<(int Graphs, Device Device), MessagePassing.EdgeIndex> edgeIndices = new();

    private NBodyDataset(double[] loc, double[] vel, double[] charges, double[] locEnd, NBodySplit split, int count)
    {
        Positions = loc;
        Velocities = vel;
        Charges = charges;
        Targets = locEnd;
        Split = split;
        Count = count;
    }

    /// <summary>Positions at the input frame, [Count, 5, 3].</summary>
    public double[] Positions { get; }

    /// <summary>Velocities at the input frame, [Count, 5, 3].</summary>
    public double[] Velocities { get; }

    /// <summary>Charges (±1), [Count, 5].</summary>
    public double[] Charges { get; }

    /// <summary>Positions at the target frame, [Count, 5, 3].</summary>
    public double[] Targets { get; }

    /// <summary>Which partition this is.</summary>
    public NBodySplit Split { get; }

    /// <summary>Number of systems.</summary>
    public int Count { get; }

    /// <summary>The paper's size of <paramref name="split"/>: 3000 train, 2000 validation, 2000 test.</summary>
    public static int PaperCount(NBodySplit split) => split switch
    {
        NBodySplit.Train => 3000,
        NBodySplit.Validation or NBodySplit.Test => 2000,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "unknown split"),
    };

    /// <summary>
    /// Generates the first <paramref name="count"/> systems of <paramref name="split"/>, or reads them from
    /// <paramref name="cacheDirectory"/> when a valid cached copy exists.
    /// </summary>
    /// <param name="split">Partition.</param>
    /// <param name="count">Number of systems (the paper: <see cref="PaperCount"/>).</param>
    /// <param name="seed">Seed of the whole data set; splits and samples get independent streams from it.</param>
    /// <param name="cacheDirectory">Where to cache; null disables caching.</param>
    /// <param name="log">Optional progress messages.</param>
    /// <param name="maxDegreeOfParallelism">Thread limit of the generation (−1 or null: all cores); does not change the data.</param>
    /// <param name="source">Where the initial states come from: our own streams (default) or the reference's NumPy stream.</param>
    public static NBodyDataset Load(NBodySplit split, int count, ulong seed, string? cacheDirectory = null, Action<string>? log = null, int? maxDegreeOfParallelism = null,
        NBodyDataSource source = NBodyDataSource.SciKernels)
    {
        if (!Enum.IsDefined(split)) throw new ArgumentOutOfRangeException(nameof(split), split, "NBodyDataset: unknown split");
        if (!Enum.IsDefined(source)) throw new ArgumentOutOfRangeException(nameof(source), source, "NBodyDataset: unknown data source");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "NBodyDataset: need at least one sample");
        if (count > 10_000_000) throw new ArgumentOutOfRangeException(nameof(count), count, "NBodyDataset: at most 10 000 000 samples");
        bool reference = source == NBodyDataSource.Reference;
        if (reference && count > ReferenceCount(split))
            throw new ArgumentOutOfRangeException(nameof(count), count, FormattableString.Invariant(
                $"NBodyDataset: the reference data set has {ReferenceCount(split)} {SplitName(split)} systems, {count} were asked for"));
        if (reference && seed > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "NBodyDataset: a NumPy seed (reference data source) must lie in [0, 2^32)");
        string name = SplitName(split);
        var sim = new ChargedParticlesSimulator();
        string recipe = FormattableString.Invariant(
            $"NRI ChargedParticlesSim as in EGNN nbody_small: n={Particles}, dim={Dimensions}, charges +-1 p=1/2, loc_std={sim.LocationStd}, vel_norm={sim.VelocityNorm}, ") +
            FormattableString.Invariant($"box {sim.BoxSize} reflect initial only, k={sim.InteractionStrength}, dt={sim.TimeStep}, |F| clamp 0.1/dt, kick-drift, frame k = step 100(k+1), input frame {InputFrame}, target frame {TargetFrame}; ") +
            (reference ? "NumPy legacy MT19937 stream in generate_dataset.py order (10000 train, 2000 valid, 2000 test) v1" : "xoshiro256** per-sample streams v1");
        string stem = reference ? $"nbody_ref_{name}_n{count}_seed{seed}" : $"nbody_{name}_n{count}_seed{seed}";
        var cache = cacheDirectory is null ? null : new DatasetCache(cacheDirectory, "nbody", stem, recipe,
            new Dictionary<string, string> { ["problem"] = "nbody_charged5", ["split"] = name, ["seed"] = seed.ToString(CultureInfo.InvariantCulture), ["source"] = reference ? "reference" : "scikernels" });
        long[] vec = [count, Particles, Dimensions];
        CachedTensor[] shapes = [new("loc", vec), new("vel", vec), new("charges", [count, Particles]), new("loc_end", vec)];
        if (cache?.TryRead(shapes, $"{count} {name} systems", log, CheckCharges) is { } cached)
            return new NBodyDataset(cached[0], cached[1], cached[2], cached[3], split, count);

        var sw = System.Diagnostics.Stopwatch.StartNew();
        int size = Particles * Dimensions;
        var loc = new double[count * size];
        var vel = new double[count * size];
        var charges = new double[count * Particles];
        var locEnd = new double[count * size];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? -1 };
        // The reference's stream is sequential: draw every initial state first (cheap), then integrate in parallel.
        var initial = reference ? ReferenceInitialStates(sim, split, count, (uint)seed) : null;
        Parallel.For(0, count, options, k =>
        {
            // Each sample writes only its own rows, from its own initial state: the result is independent of scheduling.
            var t = initial is { } init
                ? sim.Integrate(init[k].Charges, init[k].Positions, init[k].Velocities, TargetFrame + 1, SampleEvery)
                : sim.Sample(new Generator(SampleSeed(seed, split, k)), TargetFrame + 1, SampleEvery);
            Array.Copy(t.Positions, InputFrame * size, loc, k * size, size);
            Array.Copy(t.Velocities, InputFrame * size, vel, k * size, size);
            Array.Copy(t.Positions, TargetFrame * size, locEnd, k * size, size);
            Array.Copy(t.Charges, 0, charges, k * Particles, Particles);
        });
        log?.Invoke($"nbody: simulated {count} {name} systems ({(TargetFrame + 1) * SampleEvery} steps each) in {sw.Elapsed.TotalSeconds:F1} s");
        var data = new NBodyDataset(loc, vel, charges, locEnd, split, count);
        cache?.Write([shapes[0] with { Values = loc }, shapes[1] with { Values = vel }, shapes[2] with { Values = charges }, shapes[3] with { Values = locEnd }], log);
        return data;
    }

    /// <summary>
    /// The first <paramref name="count"/> initial states of <paramref name="split"/> in the reference's NumPy stream:
    /// the splits are drawn one after another, and every system also draws the 2 × (frames − 1) × d × n normals of the
    /// reference's observation noise (variance 0, so only the stream moves).
    /// </summary>
    private static (double[] Charges, double[] Positions, double[] Velocities)[] ReferenceInitialStates(ChargedParticlesSimulator sim, NBodySplit split, int count, uint seed)
    {
        const int referenceFrames = 5000 / SampleEvery - 1; // T_save of sample_trajectory(T=5000, sample_freq=100)
        int noise = 2 * referenceFrames * Dimensions * Particles;
        var numpy = new NumPyLegacyRandom(seed);
        int skip = split switch
        {
            NBodySplit.Train => 0,
            NBodySplit.Validation => ReferenceCount(NBodySplit.Train),
            _ => ReferenceCount(NBodySplit.Train) + ReferenceCount(NBodySplit.Validation),
        };
        for (int k = 0; k < skip; k++)
        {
            sim.InitialState(numpy);
            numpy.SkipNormals(noise);
        }
        var states = new (double[], double[], double[])[count];
        for (int k = 0; k < count; k++)
        {
            states[k] = sim.InitialState(numpy);
            numpy.SkipNormals(noise);
        }
        return states;
    }

    private static Tensor Indices(long[] values, Device? device)
    {
        var t = Tensor.FromArray(values, values.Length);
        return device is null || device == t.Device ? t : t.To(device);
    }

    private static string? CheckCharges(double[][] values)
    {
        foreach (var q in values[2])
            if (q is not (1.0 or -1.0)) return $"a charge of {q} (charges must be ±1)";
        return null;
    }

    private static string SplitName(NBodySplit split) => split switch
    {
        NBodySplit.Train => "train",
        NBodySplit.Validation => "valid",
        _ => "test",
    };

    /// <summary>
    /// The seed of sample <paramref name="index"/> of <paramref name="split"/>: a SplitMix64-style hash of
    /// (seed, split, index), so every sample has its own well-mixed stream.
    /// </summary>
    internal static ulong SampleSeed(ulong seed, NBodySplit split, int index)
    {
        static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        ulong h = Mix(seed + 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ ((ulong)split + 1) * 0xD1B54A32D192ED03UL);
        return Mix(h ^ ((ulong)index + 1) * 0x9E3779B97F4A7C15UL);
    }

    /// <summary>
    /// Fully connected directed edges for <paramref name="graphs"/> stacked systems in the reference's order
    /// (for each receiver i, every sender j ≠ i ascending; graph b offset by 5b).
    /// </summary>
    public static (long[] Senders, long[] Receivers) FullyConnectedEdges(int graphs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(graphs);
        var s = new long[graphs * EdgesPerGraph];
        var r = new long[graphs * EdgesPerGraph];
        int e = 0;
        for (int b = 0; b < graphs; b++)
            for (int i = 0; i < Particles; i++)
                for (int j = 0; j < Particles; j++)
                {
                    if (i == j) continue;
                    r[e] = b * Particles + i;
                    s[e] = b * Particles + j;
                    e++;
                }
        return (s, r);
    }

    /// <summary>
    /// The CSR index of <see cref="FullyConnectedEdges"/>(<paramref name="graphs"/>) on <paramref name="device"/>:
    /// built on first use and kept by this data set, so every batch of one size reuses it.
    /// </summary>
    /// <param name="graphs">Number of stacked systems B.</param>
    /// <param name="device">Where the index tensors live (CPU when null).</param>
    public MessagePassing.EdgeIndex FullyConnectedIndex(int graphs, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(graphs);
        var key = (graphs, device ?? Device.Cpu);
        lock (edgeIndices)
        {
            if (!edgeIndices.TryGetValue(key, out var ix))
            {
                var (s, r) = FullyConnectedEdges(graphs);
                ix = MessagePassing.EdgeIndex.FromPairs(s, r, graphs * Particles, key.Item2);
                edgeIndices.Add(key, ix);
            }
            return ix;
        }
    }

    /// <summary>Systems [start, start+length) as one stacked graph; <paramref name="order"/> optionally picks the systems (e.g. a shuffle).</summary>
    /// <param name="start">First row (of <paramref name="order"/> when given).</param>
    /// <param name="length">Number of systems B.</param>
    /// <param name="dtype">Floating-point dtype of the value tensors.</param>
    /// <param name="device">Device (CPU when null).</param>
    /// <param name="order">Optional permutation of the sample indices.</param>
    public NBodyBatch Batch(int start, int length, DType dtype = DType.Float32, Device? device = null, IReadOnlyList<int>? order = null)
    {
        int rows = order?.Count ?? Count;
        if (start < 0 || length < 1 || start + length > rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"NBodyDataset.Batch: rows [{start}, {start + length}) are outside [0, {rows})");
        int size = Particles * Dimensions;
        var loc = new double[length * size];
        var vel = new double[length * size];
        var end = new double[length * size];
        var q = new double[length * Particles];
        var qq = new double[length * EdgesPerGraph];
        var (s, r) = FullyConnectedEdges(length);
        for (int b = 0; b < length; b++)
        {
            int k = order is null ? start + b : order[start + b];
            if ((uint)k >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(order), $"NBodyDataset.Batch: sample index {k} is outside [0, {Count})");
            Array.Copy(Positions, k * size, loc, b * size, size);
            Array.Copy(Velocities, k * size, vel, b * size, size);
            Array.Copy(Targets, k * size, end, b * size, size);
            Array.Copy(Charges, k * Particles, q, b * Particles, Particles);
        }
        for (int e = 0; e < qq.Length; e++) qq[e] = q[s[e]] * q[r[e]];
        int n = length * Particles;
        return new NBodyBatch(
            Tensor.FromDoubles(loc, [n, Dimensions], dtype, device),
            Tensor.FromDoubles(vel, [n, Dimensions], dtype, device),
            Tensor.FromDoubles(q, [n, 1], dtype, device),
            Tensor.FromDoubles(qq, [qq.Length, 1], dtype, device),
            Tensor.FromDoubles(end, [n, Dimensions], dtype, device),
            Indices(s, device),
            Indices(r, device))
        { Edges = FullyConnectedIndex(length, device) };
    }
}
