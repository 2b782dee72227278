using System.Globalization;
using SciKernels.Random;

namespace SciKernels.Data;

/// <summary>
/// Parameters of a <see cref="NavierStokesDataset"/> (defaults: the FNO paper's ν = 1e-3 set, <c>ns_V1e-3_N5000_T50</c>).
/// </summary>
/// <param name="Viscosity">ν (the paper: 1e-3 with T = 50, 1e-4 with T = 30, 1e-5 with T = 20).</param>
/// <param name="Snapshots">T, the number of recorded snapshots.</param>
/// <param name="SnapshotInterval">Time between snapshots; snapshot t is w(·, (t+1)·interval).</param>
/// <param name="TimeStep">dt; the interval must be a whole number of steps.</param>
/// <param name="Refine">Solve at s·Refine points per side and keep every Refine-th point (the paper: 256 → 64, Refine = 4).</param>
/// <param name="Scheme">Time discretisation (the paper's is <see cref="NavierStokesScheme.CrankNicolsonEuler"/>).</param>
public sealed record NavierStokesRecipe(
    double Viscosity = 1e-3,
    int Snapshots = 50,
    double SnapshotInterval = 1.0,
    double TimeStep = 1e-4,
    int Refine = 1,
    NavierStokesScheme Scheme = NavierStokesScheme.CrankNicolsonEuler)
{
    /// <summary>σ of the initial vorticity N(0, σ²(−Δ + τ²I)^(−α)): 7^(3/2).</summary>
    public static readonly double Sigma = Math.Pow(7, 1.5);

    /// <summary>τ of the initial vorticity distribution.</summary>
    public const double Tau = 7;

    /// <summary>α of the initial vorticity distribution.</summary>
    public const double Alpha = 2.5;

    /// <summary>Steps between snapshots (SnapshotInterval / TimeStep, which must be a whole number).</summary>
    public int RecordEvery
    {
        get
        {
            double r = SnapshotInterval / TimeStep;
            long k = (long)Math.Round(r);
            if (k < 1 || k > int.MaxValue || Math.Abs(r - k) > 1e-9 * r)
                throw new ArgumentException($"NavierStokesRecipe: the snapshot interval {SnapshotInterval} is not a whole number of time steps {TimeStep}");
            return (int)k;
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a parameter is out of range.</summary>
    public void Validate()
    {
        if (!(Viscosity >= 0) || double.IsInfinity(Viscosity)) throw new ArgumentException($"NavierStokesRecipe: viscosity {Viscosity} must be finite and ≥ 0");
        if (Snapshots < 1) throw new ArgumentException($"NavierStokesRecipe: need at least one snapshot (got {Snapshots})");
        if (!(TimeStep > 0) || !(SnapshotInterval > 0) || double.IsInfinity(SnapshotInterval))
            throw new ArgumentException($"NavierStokesRecipe: need dt > 0 and a finite snapshot interval > 0 (got {TimeStep}, {SnapshotInterval})");
        if (Refine < 1 || Refine > 64) throw new ArgumentException($"NavierStokesRecipe: refine must be in [1, 64] (got {Refine})");
        _ = RecordEvery;
    }

    /// <summary>The recipe as one line, stored in the cache's metadata and compared on read.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"w_t + u.grad w = nu Lap w + f on the unit torus, u = perp-grad psi, -Lap psi = w; f = 0.1(sin 2pi(x+y) + cos 2pi(x+y)); " +
        $"w0 ~ N(0, sigma^2(-Lap + 49 I)^-2.5), sigma = 7^1.5, periodic GRF; nu = {Viscosity:R}, dt = {TimeStep:R}, " +
        $"{Snapshots} snapshots every {SnapshotInterval:R}, refine {Refine}, {Scheme}; pseudo-spectral, 2/3 dealiasing");
}

/// <summary>
/// The FNO paper's 2-D Navier–Stokes benchmark (Li et al. 2021, §5.3): vorticity w on the periodic unit
/// torus, w₀ ~ N(0, 7^(3/2)(−Δ + 49I)^(−2.5)) in the paper's notation (σ = 7^(3/2) below), forcing
/// f = 0.1(sin 2π(x+y) + cos 2π(x+y)), snapshots w(·, t) at t = 1, 2, …, T. Inputs a = w₀ are
/// [count, s, s]; snapshots u are [count, s, s, T], time last, the layout of the paper's files.
/// </summary>
/// <remarks>
/// <para>w₀ is <see cref="GaussianRandomField.Sample2d"/> on the torus with covariance σ²(−Δ + τ²I)^(−α),
/// σ = 7^(3/2), τ = 7, α = 2.5 (E|ŵ_k|² = σ²(4π²|k|² + τ²)^(−α)). The paper's script writes the same
/// operator but its sampler takes the real part of a complex field whose two parts are both N(0, 1) in the
/// original PyTorch version, which doubles the variance; its data can therefore be up to √2 larger in
/// amplitude than ours. The flow is solved by <see cref="NavierStokesSolver"/> at s·refine points and subsampled.</para>
/// <para>Cache format (<see cref="DatasetCache"/>): one safetensors file per (recipe, s, count, seed), named with
/// ν, s, T, count, seed and a hash of the recipe, holding float64 tensors <c>a</c>
/// [count, s, s] and <c>u</c> [count, s, s, T] with <see cref="NavierStokesRecipe.Describe"/> in the metadata;
/// written atomically, validated on read (sizes, finiteness, recipe) and regenerated when corrupt or
/// mismatched. Sets too large for one safetensors tensor (2 GiB) are not cached.</para>
/// </remarks>
public sealed class NavierStokesDataset
{
    private NavierStokesDataset(double[] a, double[] u, int count, int resolution, int snapshots)
    {
        Inputs = a;
        Snapshots = u;
        Count = count;
        Resolution = resolution;
        SnapshotCount = snapshots;
    }

    /// <summary>Initial vorticities, row-major [Count, Resolution, Resolution].</summary>
    public double[] Inputs { get; }

    /// <summary>Vorticity snapshots, row-major [Count, Resolution, Resolution, SnapshotCount] (time last).</summary>
    public double[] Snapshots { get; }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Grid points per side.</summary>
    public int Resolution { get; }

    /// <summary>Snapshots per sample (T).</summary>
    public int SnapshotCount { get; }

    /// <summary>
    /// Generates <paramref name="count"/> samples on an s×s grid, or reads them from
    /// <paramref name="cacheDirectory"/> when a valid cached copy exists.
    /// </summary>
    /// <param name="count">Number of samples.</param>
    /// <param name="resolution">Grid points per side s (even, ≥ 8; the paper uses 64).</param>
    /// <param name="seed">Seed of the initial vorticities.</param>
    /// <param name="recipe">Viscosity, snapshots, time step, refinement; the paper's ν = 1e-3 set when null.</param>
    /// <param name="cacheDirectory">Where to cache the data set; null disables caching.</param>
    /// <param name="log">Optional progress messages.</param>
    public static NavierStokesDataset Load(int count, int resolution, ulong seed, NavierStokesRecipe? recipe = null, string? cacheDirectory = null, Action<string>? log = null)
    {
        recipe ??= new NavierStokesRecipe();
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "NavierStokesDataset: need at least one sample");
        if (resolution < 8 || resolution % 2 != 0 || (long)resolution * recipe.Refine > 4096)
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, $"NavierStokesDataset: resolution must be even, ≥ 8, and s·refine ≤ 4096 (refine = {recipe.Refine})");
        recipe.Validate();
        int s = resolution, T = recipe.Snapshots;
        long aLength = (long)count * s * s, uLength = aLength * T;
        if (uLength > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(count), count, $"NavierStokesDataset: {count} × {s}² × {T} snapshot values do not fit one array");
        // ν, s, T, count and seed name the file for people; the recipe's hash keeps other recipes apart.
        var cache = cacheDirectory is null ? null : new DatasetCache(cacheDirectory, "navier-stokes",
            string.Create(CultureInfo.InvariantCulture, $"ns_v{recipe.Viscosity:R}_s{s}_T{T}_n{count}_seed{seed}"), recipe.Describe(),
            new Dictionary<string, string> { ["problem"] = "navier-stokes2d", ["seed"] = seed.ToString(CultureInfo.InvariantCulture) });
        CachedTensor[] shapes = [new("a", [count, s, s]), new("u", [count, s, s, T])];
        if (cache?.TryRead(shapes, $"{count} samples at s={s}, T={T}", log) is { } cached)
            return new NavierStokesDataset(cached[0], cached[1], count, s, T);
        var data = Generate(count, s, seed, recipe, log);
        cache?.Write([shapes[0] with { Values = data.Inputs }, shapes[1] with { Values = data.Snapshots }], log);
        return data;
    }

    private static NavierStokesDataset Generate(int count, int s, ulong seed, NavierStokesRecipe recipe, Action<string>? log)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int r = recipe.Refine, fine = s * r, T = recipe.Snapshots, finePoints = fine * fine, points = s * s;
        var inputs = new double[(long)count * points];
        var snapshots = new double[(long)count * points * T];
        var forcing = NavierStokesSolver.PaperForcing(fine);
        // Fields one by one from the generator (sequential: same seed, same data), solved in blocks whose
        // size does not change any sample's bits (the solver treats samples independently).
        const int block = 32;
        var gen = new Generator(seed);
        long steps = 0;
        for (int start = 0; start < count; start += block)
        {
            int len = Math.Min(block, count - start);
            var w0 = new double[(long)len * finePoints];
            GaussianRandomField.Sample2d(w0, fine, gen, NavierStokesRecipe.Sigma, NavierStokesRecipe.Tau, NavierStokesRecipe.Alpha);
            var frames = new double[w0.LongLength * T];
            steps = NavierStokesSolver.Solve(w0, fine, frames, recipe.RecordEvery, recipe.Viscosity, recipe.TimeStep, forcing, recipe.Scheme);
            for (int c = 0; c < len; c++)
            {
                long sample = start + c;
                for (int i = 0; i < s; i++)
                {
                    for (int j = 0; j < s; j++)
                    {
                        long src = (long)i * r * fine + (long)j * r, dst = (sample * s + i) * s + j;
                        inputs[dst] = w0[c * (long)finePoints + src];
                        for (int t = 0; t < T; t++) snapshots[dst * T + t] = frames[((long)c * T + t) * finePoints + src];
                    }
                }
            }
            log?.Invoke($"navier-stokes: {start + len}/{count} samples solved ({sw.Elapsed.TotalSeconds:F0} s)");
        }
        log?.Invoke($"navier-stokes: solved {count} samples at s={s}" + (r > 1 ? $" (on {fine}×{fine}, subsampled ×{r})" : "") +
                    $", {steps} steps each, in {sw.Elapsed.TotalSeconds:F1} s");
        return new NavierStokesDataset(inputs, snapshots, count, s, T);
    }

    /// <summary>
    /// Reads the paper's Navier–Stokes data (a MAT file, usually v7.3, with <c>a</c> [N, S, S] and <c>u</c>
    /// [N, S, S, T], e.g. <c>ns_V1e-3_N5000_T50.mat</c>), keeping the first <paramref name="count"/> samples
    /// and subsampling to <paramref name="resolution"/> points per side with stride S/s.
    /// </summary>
    /// <param name="path">The .mat file.</param>
    /// <param name="count">Samples to keep (the first ones); all when null. Only these are read from a v7.3 file.</param>
    /// <param name="resolution">s, a divisor of S; S when null.</param>
    /// <exception cref="MatFileException">Unreadable file, missing variables, or shapes that do not fit.</exception>
    public static NavierStokesDataset FromMatFile(string path, int? count = null, int? resolution = null)
    {
        if (count < 1) throw new MatFileException($"NavierStokesDataset: {count} samples requested from {path}");
        var vars = MatFile.Read(path, new[] { "a", "u" }, count);
        var a = vars["a"];
        var u = vars["u"];
        var ad = a.Dimensions;
        var ud = u.Dimensions;
        if (ad.Length != 3 || ad[1] != ad[2] || ud.Length is not (3 or 4) || ud[0] != ad[0] || ud[1] != ad[1] || ud[2] != ad[2])
            throw new MatFileException($"NavierStokesDataset: {path}: expected a [N, S, S] and u [N, S, S, T], got [{string.Join(", ", ad)}] and [{string.Join(", ", ud)}]");
        int n = ad[0], big = ad[1], T = ud.Length == 4 ? ud[3] : 1;
        if (count > n) throw new MatFileException($"NavierStokesDataset: {path} holds {n} samples, {count} requested");
        int s = resolution ?? big;
        if (s < 2 || s > big || big % s != 0)
            throw new MatFileException($"NavierStokesDataset: {path} has S = {big} points per side; resolution {s} must divide it");
        if (s == big) return new NavierStokesDataset(a.Data, u.Data, n, s, T);
        int r = big / s, p = s * s;
        var inputs = new double[(long)n * p];
        var snapshots = new double[inputs.LongLength * T];
        for (long c = 0; c < n; c++)
        {
            for (int i = 0; i < s; i++)
            {
                for (int j = 0; j < s; j++)
                {
                    long src = (c * big + (long)i * r) * big + (long)j * r, dst = (c * s + i) * s + j;
                    inputs[dst] = a.Data[src];
                    Array.Copy(u.Data, src * T, snapshots, dst * T, T);
                }
            }
        }
        return new NavierStokesDataset(inputs, snapshots, n, s, T);
    }

    /// <summary>
    /// Samples [start, start+length) as tensors: initial vorticities [length, s, s] and snapshots [length, s, s, T].
    /// </summary>
    public (Tensor Inputs, Tensor Snapshots) Slice(int start, int length, DType dtype = DType.Float32, Device? device = null)
    {
        if (start < 0 || length < 0 || start + length > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"NavierStokesDataset.Slice: samples [{start}, {start + length}) are outside [0, {Count})");
        long p = (long)Resolution * Resolution;
        var a = Tensor.FromDoubles(Inputs.AsSpan((int)(start * p), (int)(length * p)), new[] { length, Resolution, Resolution }, dtype, device);
        var u = Tensor.FromDoubles(Snapshots.AsSpan((int)(start * p * SnapshotCount), (int)(length * p * SnapshotCount)),
            new[] { length, Resolution, Resolution, SnapshotCount }, dtype, device);
        return (a, u);
    }
}
