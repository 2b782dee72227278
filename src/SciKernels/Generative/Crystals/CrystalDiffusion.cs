using SciKernels.Autograd;
using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Generative.Crystals;

/// <summary>The losses of one batch (<see cref="CrystalDiffusion.Loss"/>).</summary>
/// <param name="Total">Coordinates + weight × lattice: the scalar to minimise.</param>
/// <param name="Coordinates">Mean squared error of the normalised fractional score.</param>
/// <param name="Lattice">Mean squared error of the lattice ε, or null when the lattice is not diffused.</param>
public sealed record CrystalLoss(Tensor Total, Tensor Coordinates, Tensor? Lattice);

/// <summary>How <see cref="CrystalDiffusion.Sample"/> walks from noise to crystals.</summary>
public sealed record CrystalSamplerOptions
{
    /// <summary>Langevin corrector steps on the fractional coordinates after every predictor step (0 or 1 as DiffCSP; more are allowed).</summary>
    public int CorrectorSteps { get; init; } = 1;

    /// <summary>The corrector's step size at σ_1; at σ_t it is this × (σ_t/σ_1)² (DiffCSP's <c>step_lr</c>).</summary>
    public double StepSize { get; init; } = 1e-5;

    /// <summary>Crystals denoised together.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>
    /// Bound on |x̂| of each entry of the predicted clean scaled lattice at every ancestral step (DDPM's
    /// clipping of the denoised estimate): scaled lattices of real cells have entries of order 1, and an
    /// unclipped x̂ = (L̃_t − σ_t ε̂)/α_t with α_T ≈ 0 can run away.
    /// </summary>
    public double LatticeClip { get; init; } = 5;
}

/// <summary>
/// Joint diffusion of fractional coordinates and lattices of periodic crystals for a given composition
/// (DiffCSP, Jiao et al. 2023): the fractional coordinates are noised on the torus with wrapped-normal
/// noise of a variance-exploding <see cref="TorusSchedule"/> and learned by score matching; the lattice
/// (scaled by ℓ = (n·v)^(1/3), v the mean volume per atom of the training data) by a variance-preserving
/// <see cref="NoiseSchedule"/> with ε-prediction, or held fixed (given).
/// </summary>
/// <remarks>
/// <para>Loss per batch: t ~ U{1…T} per crystal, f_t = wrap(f + σ_t ε), target ∇ log p_WN(f_t − f; σ_t)/√λ_t, plus
/// (diffused lattice) L̃_t = α_t L̃ + σ_t ε_L with target ε_L, weighted.</para>
/// <para>Sampling: f_T uniform, L̃_T standard normal; for t = T…1 a reverse-VE predictor step of f and an
/// ancestral step of L̃, then Langevin corrector steps of f at t − 1 (predictor–corrector, Song et al. 2021).
/// Atom types are a conditioning channel; a species the model never saw is an error before any work.</para>
/// </remarks>
public sealed class CrystalDiffusion
{
    private readonly int[] species;

    /// <summary>Binds a denoiser, its species, the lattice scale and the schedules.</summary>
    /// <param name="denoiser">The network (its K = number of species).</param>
    /// <param name="speciesNumbers">Atomic number of each type channel, K distinct values.</param>
    /// <param name="volumePerAtom">v &gt; 0: lattices are scaled by (n v)^(1/3) to O(1).</param>
    /// <param name="torus">Schedule of the fractional coordinates.</param>
    /// <param name="latticeSchedule">Schedule of the lattice, the same T as <paramref name="torus"/>.</param>
    /// <param name="diffuseLattice">Whether the lattice is generated (else always given).</param>
    /// <param name="latticeWeight">Weight of the lattice term of the loss.</param>
    public CrystalDiffusion(PeriodicDenoiser denoiser, IReadOnlyList<int> speciesNumbers, double volumePerAtom, TorusSchedule torus, NoiseSchedule latticeSchedule, bool diffuseLattice, double latticeWeight = 1)
    {
        Denoiser = denoiser ?? throw new ArgumentNullException(nameof(denoiser));
        ArgumentNullException.ThrowIfNull(speciesNumbers);
        Torus = torus ?? throw new ArgumentNullException(nameof(torus));
        LatticeSchedule = latticeSchedule ?? throw new ArgumentNullException(nameof(latticeSchedule));
        if (speciesNumbers.Count != denoiser.Species || speciesNumbers.Distinct().Count() != speciesNumbers.Count || speciesNumbers.Any(z => z < 1))
            throw new ArgumentException($"CrystalDiffusion: need {denoiser.Species} distinct atomic numbers for the denoiser's species, got [{string.Join(", ", speciesNumbers)}]", nameof(speciesNumbers));
        if (!(volumePerAtom > 0) || double.IsInfinity(volumePerAtom))
            throw new ArgumentOutOfRangeException(nameof(volumePerAtom), volumePerAtom, "CrystalDiffusion: the volume per atom must be positive");
        if (latticeSchedule.Steps != torus.Steps)
            throw new ArgumentException($"CrystalDiffusion: the lattice schedule has T = {latticeSchedule.Steps}, the torus schedule T = {torus.Steps}", nameof(latticeSchedule));
        if (!(latticeWeight >= 0)) throw new ArgumentOutOfRangeException(nameof(latticeWeight), latticeWeight, "CrystalDiffusion: the lattice weight must be ≥ 0");
        species = speciesNumbers.ToArray();
        VolumePerAtom = volumePerAtom;
        DiffuseLattice = diffuseLattice;
        LatticeWeight = latticeWeight;
    }

    /// <summary>The network.</summary>
    public PeriodicDenoiser Denoiser { get; }

    /// <summary>Atomic number of each type channel.</summary>
    public IReadOnlyList<int> SpeciesNumbers => species;

    /// <summary>Mean volume per atom v of the training data (Å³).</summary>
    public double VolumePerAtom { get; }

    /// <summary>The fractional-coordinate schedule.</summary>
    public TorusSchedule Torus { get; }

    /// <summary>The lattice schedule.</summary>
    public NoiseSchedule LatticeSchedule { get; }

    /// <summary>Whether lattices are generated.</summary>
    public bool DiffuseLattice { get; }

    /// <summary>Weight of the lattice loss.</summary>
    public double LatticeWeight { get; }

    /// <summary>Diffusion steps T.</summary>
    public int Steps => Torus.Steps;

    /// <summary>ℓ(n) = (n v)^(1/3), the length that scales the lattice of an n-atom cell to O(1).</summary>
    public double LatticeScale(int atoms) => Math.Cbrt(atoms * VolumePerAtom);

    /// <summary>The mean volume per atom of <paramref name="crystals"/>.</summary>
    public static double MeanVolumePerAtom(IEnumerable<FractionalCrystal> crystals)
    {
        ArgumentNullException.ThrowIfNull(crystals);
        double sum = 0;
        int count = 0;
        foreach (var c in crystals)
        {
            sum += Math.Abs(c.Determinant) / c.NumAtoms;
            count++;
        }
        if (count == 0) throw new ArgumentException("CrystalDiffusion.MeanVolumePerAtom: no crystals", nameof(crystals));
        return sum / count;
    }

    /// <summary>The type channel of each atomic number.</summary>
    /// <exception cref="ArgumentException">An element the model was not trained on (named, with the model's species).</exception>
    public int[] TypeIndices(ReadOnlySpan<int> numbers)
    {
        var t = new int[numbers.Length];
        for (int i = 0; i < numbers.Length; i++)
        {
            t[i] = Array.IndexOf(species, numbers[i]);
            if (t[i] < 0)
                throw new ArgumentException($"CrystalDiffusion: atom {i} is {Elements.Symbol(numbers[i])} (Z = {numbers[i]}), a species the model never saw; it knows {string.Join(", ", species.Select(Elements.Symbol))}", nameof(numbers));
        }
        return t;
    }

    /// <summary>
    /// The loss of a batch of crystals (any atom counts): per crystal a time, wrapped-normal noise of the
    /// fractional coordinates and (diffused lattice) Gaussian noise of the scaled lattice, all drawn from
    /// <paramref name="generator"/> in crystal order.
    /// </summary>
    public CrystalLoss Loss(IReadOnlyList<FractionalCrystal> batch, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(generator);
        if (batch.Count == 0) throw new ArgumentException("CrystalDiffusion.Loss: empty batch", nameof(batch));
        var graph = new CrystalGraph(batch.Select(c => c.NumAtoms).ToArray());
        int n = graph.Atoms, g = graph.Crystals, k = Denoiser.Species;
        var noisy = new double[3 * n];
        var target = new double[3 * n];
        var onehot = new double[n * k];
        var lattice = new double[9 * g];
        var latticeEps = new double[9 * g];
        var time = new double[g];
        for (int c = 0; c < g; c++)
        {
            var crystal = batch[c];
            var types = TypeIndices(crystal.Numbers);
            int t = 1 + (int)generator.NextInt64(Steps), o = graph.Offsets[c];
            time[c] = t / (double)Steps;
            double sigma = Torus.Sigma(t), norm = Math.Sqrt(Torus.ScoreNorm(t));
            for (int i = 0; i < crystal.NumAtoms; i++)
            {
                onehot[(o + i) * k + types[i]] = 1;
                for (int d = 0; d < 3; d++)
                {
                    double f0 = crystal.Fractional[3 * i + d];
                    double ft = WrappedNormal.Wrap(f0 + sigma * generator.NextNormal());
                    noisy[3 * (o + i) + d] = ft;
                    target[3 * (o + i) + d] = WrappedNormal.Score(ft, sigma, f0) / norm;
                }
            }
            double inv = 1 / LatticeScale(crystal.NumAtoms);
            double alpha = LatticeSchedule.Alpha(t), s = LatticeSchedule.Sigma(t);
            for (int e = 0; e < 9; e++)
            {
                double l0 = crystal.Lattice[e] * inv;
                if (DiffuseLattice)
                {
                    latticeEps[9 * c + e] = generator.NextNormal();
                    lattice[9 * c + e] = alpha * l0 + s * latticeEps[9 * c + e];
                }
                else lattice[9 * c + e] = l0;
            }
        }
        var dt = Denoiser.DType;
        var (score, eps) = Denoiser.Forward(Tensor.FromDoubles(noisy, [n, 3], dt), Tensor.FromDoubles(onehot, [n, k], dt),
            Tensor.FromDoubles(lattice, [g, 3, 3], dt), Tensor.FromDoubles(time, [g], dt), graph);
        var coordLoss = score.Sub(Tensor.FromDoubles(target, [n, 3], dt)).Square().Mean();
        if (!DiffuseLattice) return new CrystalLoss(coordLoss, coordLoss, null);
        var latticeLoss = eps.Sub(Tensor.FromDoubles(latticeEps, [g, 3, 3], dt)).Square().Mean();
        return new CrystalLoss(coordLoss.Add(latticeLoss.Mul(LatticeWeight)), coordLoss, latticeLoss);
    }

    /// <summary>
    /// Samples <paramref name="count"/> crystals of the composition <paramref name="numbers"/> (one atomic number
    /// per atom); the lattice is generated, or fixed when <paramref name="lattices"/> is given (rows, Å; one cell
    /// for all crystals or one per crystal). Same generator state, same crystals bit for bit (on the CPU).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown species, no atoms, a lattice of the wrong size, or no lattice for a model that does not generate one.</exception>
    public List<FractionalCrystal> Sample(int count, ReadOnlySpan<int> numbers, Generator generator, CrystalSamplerOptions? options = null, IReadOnlyList<double[]>? lattices = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        options ??= new CrystalSamplerOptions();
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "CrystalDiffusion.Sample: count must be ≥ 1");
        if (numbers.Length == 0) throw new ArgumentException("CrystalDiffusion.Sample: the composition has no atoms", nameof(numbers));
        if (options.CorrectorSteps < 0 || !(options.StepSize > 0) || options.BatchSize < 1 || !(options.LatticeClip > 0))
            throw new ArgumentOutOfRangeException(nameof(options), options, "CrystalDiffusion.Sample: need corrector steps ≥ 0, step size > 0, batch size ≥ 1 and lattice clip > 0");
        if (lattices is not null && (lattices.Count != 1 && lattices.Count != count || lattices.Any(l => l is null || l.Length != 9 || l.Any(v => !double.IsFinite(v)))))
            throw new ArgumentException($"CrystalDiffusion.Sample: fixed lattices must be 1 or {count} cells of 9 finite values (3 rows), got {lattices.Count}", nameof(lattices));
        if (lattices is null && !DiffuseLattice)
            throw new ArgumentException("CrystalDiffusion.Sample: this model was trained with fixed lattices; give the lattice", nameof(lattices));
        var types = TypeIndices(numbers);
        var z = numbers.ToArray();
        int n = numbers.Length, k = Denoiser.Species;
        double scale = LatticeScale(n);
        var result = new List<FractionalCrystal>(count);
        double[] Given(int k) => lattices![lattices.Count == 1 ? 0 : k];
        bool training = Denoiser.IsTraining;
        Denoiser.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            for (int start = 0; start < count; start += options.BatchSize)
            {
                int b = Math.Min(options.BatchSize, count - start);
                using var outer = TensorScope.Begin();
                var graph = new CrystalGraph(Enumerable.Repeat(n, b).ToArray());
                var onehot = new double[b * n * k];
                for (int c = 0; c < b; c++)
                    for (int i = 0; i < n; i++) onehot[(c * n + i) * k + types[i]] = 1;
                var typeTensor = Tensor.FromDoubles(onehot, [b * n, k], Denoiser.DType);
                var f = new double[b * n * 3];
                var l = new double[b * 9];
                for (int i = 0; i < f.Length; i++) f[i] = generator.NextDouble();
                for (int i = 0; i < l.Length; i++) l[i] = lattices is null ? generator.NextNormal() : Given(start + i / 9)[i % 9] / scale;
                for (int t = Steps; t >= 1; t--)
                {
                    using var scope = TensorScope.Begin();
                    var (score, eps) = Predict(f, l, typeTensor, graph, t);
                    // Predictor: the reverse-VE step from σ_t to σ_{t−1} on the torus.
                    double st = Torus.Sigma(t), ss = Torus.Sigma(t - 1), dv = st * st - ss * ss, std = Math.Sqrt(ss * ss * dv / (st * st));
                    for (int i = 0; i < f.Length; i++) f[i] = WrappedNormal.Wrap(f[i] + dv * score[i] + std * generator.NextNormal());
                    if (lattices is null) AncestralLatticeStep(l, eps, t, options.LatticeClip, generator);
                    if (t == 1) break;
                    // Corrector: Langevin steps at σ_{t−1} with step γ = step · (σ_{t−1}/σ_1)².
                    double gamma = options.StepSize * (ss / Torus.Sigma(1)) * (ss / Torus.Sigma(1));
                    for (int c = 0; c < options.CorrectorSteps; c++)
                    {
                        var (s2, _) = Predict(f, l, typeTensor, graph, t - 1);
                        double noise = Math.Sqrt(2 * gamma);
                        for (int i = 0; i < f.Length; i++) f[i] = WrappedNormal.Wrap(f[i] + gamma * s2[i] + noise * generator.NextNormal());
                    }
                }
                for (int c = 0; c < b; c++)
                {
                    var cell = new double[9];
                    for (int e = 0; e < 9; e++) cell[e] = lattices is null ? l[9 * c + e] * scale : Given(start + c)[e];
                    result.Add(new FractionalCrystal(z, f.AsSpan(c * n * 3, n * 3).ToArray(), cell));
                }
            }
        }
        finally
        {
            Denoiser.Train(training);
        }
        return result;
    }

    /// <summary>The score ∇ log p (un-normalised, per coordinate) and ε̂_L of the current state at time t.</summary>
    private (double[] Score, double[] Eps) Predict(double[] f, double[] l, Tensor types, CrystalGraph graph, int t)
    {
        var dt = Denoiser.DType;
        int g = graph.Crystals;
        var (score, eps) = Denoiser.Forward(Tensor.FromDoubles(f, [graph.Atoms, 3], dt), types, Tensor.FromDoubles(l, [g, 3, 3], dt),
            Tensor.Full([g], t / (double)Steps, dt), graph);
        var s = score.ToArray<double>();
        double norm = Math.Sqrt(Torus.ScoreNorm(t));
        for (int i = 0; i < s.Length; i++) s[i] *= norm;
        return (s, eps.ToArray<double>());
    }

    /// <summary>
    /// L̃_{t−1} ~ q(L̃_{t−1} | L̃_t, x̂) with x̂ = clip((L̃_t − σ_t ε̂)/α_t): mean (α_{t|s} σ_s²/σ_t²) L̃_t + (α_s σ²_{t|s}/σ_t²) x̂,
    /// standard deviation σ_{t|s} σ_s/σ_t; the mean only at the last step.
    /// </summary>
    private void AncestralLatticeStep(double[] l, double[] eps, int t, double clip, Generator generator)
    {
        int s = t - 1;
        double ats = LatticeSchedule.Alpha(t) / LatticeSchedule.Alpha(s);
        double s2ts = Math.Max(0, 1 - LatticeSchedule.AlphaBar(t) - ats * ats * (1 - LatticeSchedule.AlphaBar(s)));
        double sigmaT = LatticeSchedule.Sigma(t), sigmaS = LatticeSchedule.Sigma(s), alphaT = LatticeSchedule.Alpha(t);
        double cz = ats * sigmaS * sigmaS / (sigmaT * sigmaT), cx = LatticeSchedule.Alpha(s) * s2ts / (sigmaT * sigmaT);
        double std = s == 0 ? 0 : Math.Sqrt(s2ts) * sigmaS / sigmaT;
        for (int i = 0; i < l.Length; i++)
        {
            double xHat = Math.Clamp((l[i] - sigmaT * eps[i]) / alphaT, -clip, clip);
            double mean = cz * l[i] + cx * xHat;
            l[i] = s == 0 ? mean : mean + std * generator.NextNormal();
        }
    }
}
