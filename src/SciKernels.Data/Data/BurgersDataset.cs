using SciKernels.Random;

namespace SciKernels.Data;

/// <summary>
/// The FNO paper's Burgers benchmark (Li et al. 2021, §5.1): u₀ ~ N(0, 625(−Δ + 25I)^(−2)) on the
/// periodic unit interval, ν = 0.1, target u(·, 1). Inputs and targets are [count, resolution].
/// </summary>
/// <remarks>
/// Cache format (<see cref="DatasetCache"/>): one safetensors file per (resolution, count, seed, recipe)
/// holding float64 tensors <c>a</c> (initial conditions) and <c>u</c> (solutions at t = 1), with the
/// recipe in the metadata; written atomically, validated on read (recipe, shapes, finiteness) and
/// regenerated when corrupt or mismatched, never trusted.
/// </remarks>
public sealed class BurgersDataset
{
    private BurgersDataset(double[] a, double[] u, int count, int resolution)
    {
        Inputs = a;
        Targets = u;
        Count = count;
        Resolution = resolution;
    }

    /// <summary>Initial conditions, row-major [Count, Resolution].</summary>
    public double[] Inputs { get; }

    /// <summary>Solutions at t = 1, row-major [Count, Resolution].</summary>
    public double[] Targets { get; }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Grid points per sample.</summary>
    public int Resolution { get; }

    /// <summary>Viscosity of the recipe.</summary>
    public const double Viscosity = 0.1;

    /// <summary>
    /// Generates <paramref name="count"/> samples on a <paramref name="resolution"/>-point grid, or reads
    /// them from <paramref name="cacheDirectory"/> when a valid cached copy exists.
    /// </summary>
    /// <param name="count">Number of samples.</param>
    /// <param name="resolution">Grid points (even, ≥ 16; ν = 0.1 fronts are resolved from 128 points on).</param>
    /// <param name="seed">Seed of the initial conditions.</param>
    /// <param name="cacheDirectory">Where to cache the data set; null disables caching.</param>
    /// <param name="log">Optional progress messages.</param>
    public static BurgersDataset Load(int count, int resolution, ulong seed, string? cacheDirectory = null, Action<string>? log = null)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "BurgersDataset: need at least one sample");
        if (resolution < 16 || resolution % 2 != 0) throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "BurgersDataset: resolution must be even and ≥ 16");
        const string recipe = "u0 ~ N(0, 625(-Laplacian + 25 I)^-2), periodic [0,1), nu = 0.1, target u(.,1); pseudo-spectral IF-RK4, 2/3 dealiasing";
        var cache = cacheDirectory is null ? null : new DatasetCache(cacheDirectory, "burgers", $"burgers_s{resolution}_n{count}_seed{seed}", recipe,
            new Dictionary<string, string> { ["problem"] = "burgers1d", ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        CachedTensor[] shapes = [new("a", [count, resolution]), new("u", [count, resolution])];
        if (cache?.TryRead(shapes, $"{count} samples at s={resolution}", log) is { } cached)
            return new BurgersDataset(cached[0], cached[1], count, resolution);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var inputs = new double[count * resolution];
        GaussianRandomField.Sample1d(inputs, resolution, new Generator(seed));
        var targets = (double[])inputs.Clone();
        int steps = BurgersSolver.Solve(targets, resolution, Viscosity, 1.0);
        log?.Invoke($"burgers: solved {count} samples at s={resolution} ({steps} IF-RK4 steps) in {sw.Elapsed.TotalSeconds:F1} s");
        var data = new BurgersDataset(inputs, targets, count, resolution);
        cache?.Write([shapes[0] with { Values = inputs }, shapes[1] with { Values = targets }], log);
        return data;
    }

    /// <summary>Rows [start, start+length) of the inputs and targets as [length, Resolution] tensors.</summary>
    public (Tensor Inputs, Tensor Targets) Slice(int start, int length, DType dtype = DType.Float32, Device? device = null)
    {
        if (start < 0 || length < 0 || start + length > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"BurgersDataset.Slice: rows [{start}, {start + length}) are outside [0, {Count})");
        var a = Tensor.FromDoubles(Inputs.AsSpan(start * Resolution, length * Resolution), new[] { length, Resolution }, dtype, device);
        var u = Tensor.FromDoubles(Targets.AsSpan(start * Resolution, length * Resolution), new[] { length, Resolution }, dtype, device);
        return (a, u);
    }
}
