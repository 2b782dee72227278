using System.Globalization;
using SciKernels.Random;

namespace SciKernels.Data;

/// <summary>
/// The FNO paper's 2-D Darcy benchmark (Li et al. 2021, §5.2): −∇·(a∇u) = 1 on the unit square,
/// u = 0 on the boundary, with a = ψ(g), g ~ N(0, (−Δ + 9I)^(−2)) and ψ = 12 where g ≥ 0, 3 where
/// g &lt; 0. Inputs (a) and targets (u) are [count, s, s] on the nodes x_i = i/(s−1), boundary included.
/// </summary>
/// <remarks>
/// <para>g is the paper's generator: the cosine (Neumann) Karhunen–Loève expansion with τ = 3, α = 2,
/// σ = τ^(α−1) (<see cref="GaussianRandomField.Sample2d"/> with <see cref="GrfBoundary.Neumann"/>).
/// u comes from <see cref="DarcySolver"/> (5-point scheme, harmonic face averages of a, IC(0)-PCG to a
/// relative residual of 1e-10).</para>
/// <para>With <c>refine</c> r &gt; 1 the field and the solution are computed on the finer grid of
/// (s−1)·r + 1 nodes and subsampled with stride r, as the paper subsamples its 421×421 data to
/// 85×85 (r = 5) or 211×211 (r = 2); r = 1 solves directly at s.</para>
/// <para>Cache format (<see cref="DatasetCache"/>): one safetensors file per (s, r, count, seed, recipe) holding
/// float64 tensors <c>a</c> and <c>u</c> [count, s, s] and the recipe in the metadata; written atomically,
/// validated on read (shapes, finiteness, a ∈ {3, 12}, recipe), regenerated when corrupt or mismatched.</para>
/// </remarks>
public sealed class DarcyDataset
{
    /// <summary>Permeability where the field is non-negative.</summary>
    public const double High = 12;

    /// <summary>Permeability where the field is negative.</summary>
    public const double Low = 3;

    private const string Recipe = "a = 12 where g >= 0 else 3, g ~ N(0, 9(-Laplacian + 9I)^-2) cosine (Neumann) KL expansion; -div(a grad u) = 1, u = 0 on the boundary of [0,1]^2; 5-point FD, harmonic face averages, IC(0)-PCG rel. residual 1e-10";

    private DarcyDataset(double[] a, double[] u, int count, int resolution)
    {
        Inputs = a;
        Targets = u;
        Count = count;
        Resolution = resolution;
    }

    /// <summary>Permeabilities, row-major [Count, Resolution, Resolution].</summary>
    public double[] Inputs { get; }

    /// <summary>Pressures (solutions), row-major [Count, Resolution, Resolution].</summary>
    public double[] Targets { get; }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Nodes per side (boundary included).</summary>
    public int Resolution { get; }

    /// <summary>Nodes per sample (Resolution²).</summary>
    public int PointsPerSample => Resolution * Resolution;

    /// <summary>
    /// Generates <paramref name="count"/> samples on an s×s grid, or reads them from
    /// <paramref name="cacheDirectory"/> when a valid cached copy exists.
    /// </summary>
    /// <param name="count">Number of samples.</param>
    /// <param name="resolution">Nodes per side s (≥ 5; 85 is the paper's usual choice).</param>
    /// <param name="seed">Seed of the permeability fields.</param>
    /// <param name="cacheDirectory">Where to cache the data set; null disables caching.</param>
    /// <param name="log">Optional progress messages.</param>
    /// <param name="refine">Solve on the (s−1)·refine + 1 grid and subsample (1: solve at s).</param>
    public static DarcyDataset Load(int count, int resolution, ulong seed, string? cacheDirectory = null, Action<string>? log = null, int refine = 1)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "DarcyDataset: need at least one sample");
        if (resolution < 5) throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "DarcyDataset: resolution must be ≥ 5");
        if (refine < 1 || (long)(resolution - 1) * refine + 1 > 4097)
            throw new ArgumentOutOfRangeException(nameof(refine), refine, $"DarcyDataset: refine must be ≥ 1 and (s−1)·refine + 1 ≤ 4097 (s = {resolution})");
        int s = resolution, points = s * s;
        var cache = cacheDirectory is null ? null : new DatasetCache(cacheDirectory, "darcy", $"darcy_s{s}_r{refine}_n{count}_seed{seed}", Recipe,
            new Dictionary<string, string>
            {
                ["problem"] = "darcy2d",
                ["refine"] = refine.ToString(CultureInfo.InvariantCulture),
                ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            });
        CachedTensor[] shapes = [new("a", [count, s, s]), new("u", [count, s, s])];
        if (cache?.TryRead(shapes, $"{count} samples at s={s}", log, CheckPermeabilities) is { } cached)
            return new DarcyDataset(cached[0], cached[1], count, s);
        var data = Generate(count, s, seed, refine, log);
        cache?.Write([shapes[0] with { Values = data.Inputs }, shapes[1] with { Values = data.Targets }], log);
        return data;
    }

    /// <summary>Wraps existing arrays (e.g. read from the paper's .mat files) as a data set.</summary>
    /// <param name="inputs">Permeabilities [count, s, s].</param>
    /// <param name="targets">Solutions [count, s, s].</param>
    /// <param name="resolution">s.</param>
    public static DarcyDataset FromArrays(double[] inputs, double[] targets, int resolution)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        int points = resolution * resolution;
        if (resolution < 2 || inputs.Length == 0 || inputs.Length % points != 0 || targets.Length != inputs.Length)
            throw new ArgumentException($"DarcyDataset.FromArrays: inputs ({inputs.Length}) and targets ({targets.Length}) must both hold [count, {resolution}, {resolution}] values");
        return new DarcyDataset(inputs, targets, inputs.Length / points, resolution);
    }

    /// <summary>
    /// Reads the paper's Darcy data (a Level 5 or v7.3 MAT file with <c>coeff</c> and <c>sol</c> [N, S, S], e.g.
    /// <c>piececonst_r421_N1024_smooth1.mat</c>) and subsamples it to s nodes per side with stride
    /// (S−1)/(s−1), as the paper's <c>[:, ::r, ::r]</c>.
    /// </summary>
    /// <param name="path">The .mat file.</param>
    /// <param name="resolution">s; (S−1) must be a multiple of (s−1).</param>
    /// <param name="count">Samples to keep (the first ones); all when null.</param>
    /// <exception cref="MatFileException">Unreadable file, missing variables, or shapes that do not fit.</exception>
    public static DarcyDataset FromMatFile(string path, int resolution, int? count = null)
    {
        if (count < 1) throw new MatFileException($"DarcyDataset: {count} samples requested from {path}");
        var vars = MatFile.Read(path, new[] { "coeff", "sol" }, count);
        var coeff = vars["coeff"];
        var sol = vars["sol"];
        if (coeff.Dimensions.Length != 3 || coeff.Dimensions[1] != coeff.Dimensions[2] || !coeff.Dimensions.SequenceEqual(sol.Dimensions))
            throw new MatFileException($"DarcyDataset: {path}: expected coeff and sol of equal shape [N, S, S], got [{string.Join(", ", coeff.Dimensions)}] and [{string.Join(", ", sol.Dimensions)}]");
        int n = coeff.Dimensions[0], big = coeff.Dimensions[1];
        if (resolution < 2 || resolution > big || (big - 1) % (resolution - 1) != 0)
            throw new MatFileException($"DarcyDataset: {path} has S = {big} nodes per side; resolution {resolution} must satisfy (S−1) mod (s−1) = 0");
        int keep = count ?? n;
        if (keep > n) throw new MatFileException($"DarcyDataset: {path} holds {n} samples, {keep} requested");
        int r = (big - 1) / (resolution - 1), p = resolution * resolution;
        var a = new double[(long)keep * p];
        var u = new double[a.Length];
        for (int c = 0; c < keep; c++)
        {
            for (int i = 0; i < resolution; i++)
            {
                for (int j = 0; j < resolution; j++)
                {
                    long src = ((long)c * big + (long)i * r) * big + (long)j * r;
                    a[(long)c * p + i * resolution + j] = coeff.Data[src];
                    u[(long)c * p + i * resolution + j] = sol.Data[src];
                }
            }
        }
        return new DarcyDataset(a, u, keep, resolution);
    }

    /// <summary>Null when every cached permeability is one of the two values, else the first other one.</summary>
    private static string? CheckPermeabilities(double[][] cached)
    {
        foreach (var v in cached[0])
            if (v != High && v != Low) return $"a permeability of {v}";
        return null;
    }

    private static DarcyDataset Generate(int count, int s, ulong seed, int refine, Action<string>? log)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int fine = (s - 1) * refine + 1, finePoints = fine * fine, points = s * s;
        var inputs = new double[(long)count * points];
        var targets = new double[inputs.Length];
        // Fields one by one from the generator (sequential: same seed, same data), solves in parallel.
        const int block = 64;
        var gen = new Generator(seed);
        int maxIterations = 0;
        for (int start = 0; start < count; start += block)
        {
            int len = Math.Min(block, count - start);
            var a = new double[(long)len * finePoints];
            GaussianRandomField.Sample2d(a, fine, gen, sigma: 3, tau: 3, alpha: 2, GrfBoundary.Neumann);
            for (int i = 0; i < a.Length; i++) a[i] = a[i] >= 0 ? High : Low;
            var u = new double[a.Length];
            maxIterations = Math.Max(maxIterations, DarcySolver.SolveBatch(a, u, fine, 1.0, 1e-10));
            for (int c = 0; c < len; c++)
            {
                for (int i = 0; i < s; i++)
                {
                    for (int j = 0; j < s; j++)
                    {
                        long src = (long)c * finePoints + (long)i * refine * fine + (long)j * refine;
                        long dst = (long)(start + c) * points + i * s + j;
                        inputs[dst] = a[src];
                        targets[dst] = u[src];
                    }
                }
            }
        }
        log?.Invoke($"darcy: solved {count} samples at s={s}" + (refine > 1 ? $" (on {fine}×{fine}, subsampled ×{refine})" : "") +
                    $", ≤ {maxIterations} PCG iterations, in {sw.Elapsed.TotalSeconds:F1} s");
        return new DarcyDataset(inputs, targets, count, s);
    }

    /// <summary>Samples [start, start+length) of the inputs and targets as [length, s, s] tensors.</summary>
    public (Tensor Inputs, Tensor Targets) Slice(int start, int length, DType dtype = DType.Float32, Device? device = null)
    {
        if (start < 0 || length < 0 || start + length > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"DarcyDataset.Slice: samples [{start}, {start + length}) are outside [0, {Count})");
        int p = PointsPerSample;
        var shape = new[] { length, Resolution, Resolution };
        var a = Tensor.FromDoubles(Inputs.AsSpan(start * p, length * p), shape, dtype, device);
        var u = Tensor.FromDoubles(Targets.AsSpan(start * p, length * p), shape, dtype, device);
        return (a, u);
    }
}
