using SciKernels.Autograd;
using SciKernels.Random;

namespace SciKernels.Generative;

/// <summary>How <see cref="EquivariantDiffusion.Sample"/> walks from noise to structures.</summary>
public enum DiffusionSampler
{
    /// <summary>Ancestral sampling of p(z_s | z_t) at every one of the T steps (DDPM, as EDM samples).</summary>
    Ancestral,

    /// <summary>Deterministic DDIM (η = 0) over an evenly spaced subset of the times.</summary>
    Ddim,
}

/// <summary>
/// A variance-preserving, ε-predicting diffusion model of atomic positions in open space (EDM, Hoogeboom
/// et al. 2022): z_t = α_t x + σ_t ε with x, ε and every prediction in the zero-centre-of-mass subspace,
/// an <see cref="EgnnDenoiser"/> for ε̂(z_t, types, t), the loss E‖ε − ε̂‖², and ancestral or DDIM sampling.
/// </summary>
/// <remarks>Positions are tensors [B, n, 3]; atom types are indices into the model's K species, one per atom,
/// shared by all structures of a call (generation for a given composition).</remarks>
public sealed class EquivariantDiffusion
{
    /// <summary>Binds a denoiser to a schedule.</summary>
    public EquivariantDiffusion(EgnnDenoiser denoiser, NoiseSchedule schedule)
    {
        Denoiser = denoiser ?? throw new ArgumentNullException(nameof(denoiser));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    }

    /// <summary>The ε-prediction network.</summary>
    public EgnnDenoiser Denoiser { get; }

    /// <summary>The noise schedule.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>One-hot types [B, n, K] of <paramref name="types"/> (n indices in [0, K)) repeated for B structures.</summary>
    public Tensor OneHot(ReadOnlySpan<int> types, int structures)
    {
        int k = Denoiser.Species, n = types.Length;
        var v = new double[structures * n * k];
        for (int i = 0; i < n; i++)
            if ((uint)types[i] >= (uint)k)
                throw new ArgumentException($"EquivariantDiffusion: atom {i} has type {types[i]}, but the model knows {k} species (0…{k - 1})", nameof(types));
        for (int b = 0; b < structures; b++)
            for (int i = 0; i < n; i++) v[(b * n + i) * k + types[i]] = 1;
        return Tensor.FromDoubles(v, [structures, n, k], Denoiser.DType);
    }

    /// <summary>z_t = α_t x + σ_t ε per structure (q(z_t | x) for a given ε).</summary>
    /// <param name="x">Clean positions [B, n, 3].</param>
    /// <param name="t">Time per structure, [B] values in [0, T].</param>
    /// <param name="eps">Noise [B, n, 3].</param>
    public Tensor Noised(Tensor x, ReadOnlySpan<int> t, Tensor eps)
    {
        var (alpha, sigma) = Scales(t, x.DType);
        return x.Mul(alpha).Add(eps.Mul(sigma));
    }

    /// <summary>
    /// The training loss of a batch: t uniform in {1…T} and ε zero-CoM normal per structure, the mean of
    /// (ε − ε̂(z_t, types, t/T))² over all coordinates.
    /// </summary>
    /// <param name="x">Clean positions [B, n, 3], zero centre of mass.</param>
    /// <param name="types">One-hot types [B, n, K] (<see cref="OneHot"/>).</param>
    /// <param name="generator">Source of t and ε.</param>
    public Tensor Loss(Tensor x, Tensor types, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(generator);
        if (x.Rank != 3 || x.Shape[2] != 3) throw new TensorException("EquivariantDiffusion.Loss", $"positions must be [B, n, 3], got {Tensor.ShapeString(x.Shape)}");
        int b = x.Shape[0];
        var t = new int[b];
        for (int i = 0; i < b; i++) t[i] = 1 + (int)generator.NextInt64(Schedule.Steps);
        var eps = ZeroCentre.Noise(b, x.Shape[1], generator, x.DType);
        var z = Noised(x, t, eps);
        var pred = Denoiser.Forward(z, types, TimeTensor(t, x.DType));
        return pred.Sub(eps).Square().Mean();
    }

    /// <summary>
    /// The loss of the structures [<paramref name="first"/>, first + <paramref name="count"/>) of a batch, for data-parallel
    /// training: t and ε are drawn for the whole batch exactly as <see cref="Loss(Tensor, Tensor, Generator)"/> draws them
    /// (so the generator ends in the same state on every rank and a slice gets the draws one process would give it), then
    /// only the slice is denoised. Returns the slice's mean of (ε − ε̂)²; weighted by count/B the slices' losses sum to the
    /// batch's loss.
    /// </summary>
    /// <param name="x">Clean positions of the whole batch [B, n, 3], zero centre of mass.</param>
    /// <param name="types">One-hot types of the whole batch [B, n, K].</param>
    /// <param name="generator">Source of t and ε (the same state on every rank).</param>
    /// <param name="first">First structure of the slice.</param>
    /// <param name="count">Structures in the slice (≥ 1).</param>
    public Tensor Loss(Tensor x, Tensor types, Generator generator, int first, int count)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(generator);
        if (x.Rank != 3 || x.Shape[2] != 3) throw new TensorException("EquivariantDiffusion.Loss", $"positions must be [B, n, 3], got {Tensor.ShapeString(x.Shape)}");
        int b = x.Shape[0];
        if (first < 0 || count < 1 || first + count > b)
            throw new ArgumentOutOfRangeException(nameof(count), $"EquivariantDiffusion.Loss: slice [{first}, {first + count}) is not a non-empty part of the batch of {b}");
        if (types.Rank < 1 || types.Shape[0] != b)
            throw new TensorException("EquivariantDiffusion.Loss", $"types must cover the batch of {b}, got {Tensor.ShapeString(types.Shape)}");
        var t = new int[b];
        for (int i = 0; i < b; i++) t[i] = 1 + (int)generator.NextInt64(Schedule.Steps);
        var eps = ZeroCentre.Noise(b, x.Shape[1], generator, x.DType).Narrow(0, first, count);
        var slice = t.AsSpan(first, count);
        var z = Noised(x.Narrow(0, first, count), slice, eps);
        var pred = Denoiser.Forward(z, types.Narrow(0, first, count), TimeTensor(slice, x.DType));
        return pred.Sub(eps).Square().Mean();
    }

    /// <summary>
    /// The mean of p(z_s | z_t) for s &lt; t: q(z_s | z_t, x̂) with x̂ = (z_t − σ_t ε̂)/α_t, i.e.
    /// z_t/α_{t|s} − σ²_{t|s}/(α_{t|s} σ_t) ε̂ with α_{t|s} = α_t/α_s and σ²_{t|s} = σ_t² − α²_{t|s} σ_s².
    /// </summary>
    public Tensor PosteriorMean(Tensor z, Tensor epsHat, int t, int s)
    {
        var (ats, s2ts) = Transition(t, s);
        return z.Mul(1 / ats).Sub(epsHat.Mul(s2ts / (ats * Schedule.Sigma(t))));
    }

    /// <summary>The standard deviation of p(z_s | z_t): σ_{t|s} σ_s / σ_t.</summary>
    public double PosteriorStd(int t, int s)
    {
        var (_, s2ts) = Transition(t, s);
        return Math.Sqrt(s2ts) * Schedule.Sigma(s) / Schedule.Sigma(t);
    }

    /// <summary>
    /// Samples <paramref name="count"/> structures of the composition <paramref name="types"/>; same
    /// generator state, same structures bit for bit (on the CPU).
    /// </summary>
    /// <param name="count">Structures (≥ 1).</param>
    /// <param name="types">Type index of each atom (n ≥ 2 atoms).</param>
    /// <param name="generator">Source of every random draw.</param>
    /// <param name="sampler">Ancestral (all T steps) or DDIM.</param>
    /// <param name="ddimSteps">Steps of the DDIM walk (≤ T; ignored by the ancestral sampler).</param>
    /// <param name="batchSize">Structures denoised together.</param>
    /// <returns>Positions, row-major [count, n, 3], zero centre of mass.</returns>
    public double[] Sample(int count, ReadOnlySpan<int> types, Generator generator, DiffusionSampler sampler = DiffusionSampler.Ancestral, int ddimSteps = 100, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "EquivariantDiffusion.Sample: count must be ≥ 1");
        if (types.Length < 2) throw new ArgumentException($"EquivariantDiffusion.Sample: a structure needs ≥ 2 atoms, got {types.Length}", nameof(types));
        if (sampler == DiffusionSampler.Ddim && (ddimSteps < 1 || ddimSteps > Schedule.Steps))
            throw new ArgumentOutOfRangeException(nameof(ddimSteps), ddimSteps, $"EquivariantDiffusion.Sample: DDIM steps must be in [1, {Schedule.Steps}]");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int n = types.Length;
        var result = new double[count * n * 3];
        var typeArray = types.ToArray();
        bool training = Denoiser.IsTraining;
        Denoiser.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            for (int start = 0; start < count; start += batchSize)
            {
                int b = Math.Min(batchSize, count - start);
                using var outer = TensorScope.Begin();
                var onehot = OneHot(typeArray, b);
                var z = ZeroCentre.Noise(b, n, generator, Denoiser.DType);
                var times = sampler == DiffusionSampler.Ancestral ? Enumerable.Range(0, Schedule.Steps + 1).Reverse().ToArray() : DdimTimes(ddimSteps);
                for (int k = 0; k + 1 < times.Length; k++)
                {
                    int t = times[k], s = times[k + 1];
                    using var scope = TensorScope.Begin();
                    var epsHat = Predict(z, onehot, t);
                    Tensor next;
                    if (sampler == DiffusionSampler.Ancestral)
                        next = PosteriorMean(z, epsHat, t, s).Add(ZeroCentre.Noise(b, n, generator, Denoiser.DType).Mul(PosteriorStd(t, s)));
                    else
                    {
                        // x̂ = (z_t − σ_t ε̂)/α_t, then z_s = α_s x̂ + σ_s ε̂.
                        var xHat = z.Sub(epsHat.Mul(Schedule.Sigma(t))).Mul(1 / Schedule.Alpha(t));
                        next = xHat.Mul(Schedule.Alpha(s)).Add(epsHat.Mul(Schedule.Sigma(s)));
                    }
                    z = scope.Return(next);
                }
                // The clean structure at t = 0: x̂ = (z_0 − σ_0 ε̂(z_0, 0))/α_0, re-centred against round-off.
                var x = ZeroCentre.Project(z.Sub(Predict(z, onehot, 0).Mul(Schedule.Sigma(0))).Mul(1 / Schedule.Alpha(0)));
                x.ToArray<double>().CopyTo(result.AsSpan(start * n * 3));
            }
        }
        finally
        {
            Denoiser.Train(training);
        }
        return result;
    }

    /// <summary>The DDIM time grid: round(k·T/S) for k = S…0.</summary>
    private int[] DdimTimes(int steps)
    {
        var times = new int[steps + 1];
        for (int k = 0; k <= steps; k++) times[k] = (int)Math.Round((steps - k) * (double)Schedule.Steps / steps);
        return times;
    }

    private Tensor Predict(Tensor z, Tensor onehot, int t)
    {
        var time = Tensor.Full([z.Shape[0]], t / (double)Schedule.Steps, z.DType);
        return Denoiser.Forward(z, onehot, time);
    }

    private (double AlphaTs, double Sigma2Ts) Transition(int t, int s)
    {
        if (!(s < t)) throw new ArgumentOutOfRangeException(nameof(s), s, $"EquivariantDiffusion: the earlier time s must be < t = {t}");
        double ats = Schedule.Alpha(t) / Schedule.Alpha(s);
        double s2ts = Math.Max(0, 1 - Schedule.AlphaBar(t) - ats * ats * (1 - Schedule.AlphaBar(s)));
        return (ats, s2ts);
    }

    private Tensor TimeTensor(ReadOnlySpan<int> t, DType dtype)
    {
        var v = new double[t.Length];
        for (int i = 0; i < t.Length; i++) v[i] = t[i] / (double)Schedule.Steps;
        return Tensor.FromDoubles(v, [t.Length], dtype);
    }

    private (Tensor Alpha, Tensor Sigma) Scales(ReadOnlySpan<int> t, DType dtype)
    {
        var a = new double[t.Length];
        var s = new double[t.Length];
        for (int i = 0; i < t.Length; i++)
        {
            a[i] = Schedule.Alpha(t[i]);
            s[i] = Schedule.Sigma(t[i]);
        }
        return (Tensor.FromDoubles(a, [t.Length, 1, 1], dtype), Tensor.FromDoubles(s, [t.Length, 1, 1], dtype));
    }
}
