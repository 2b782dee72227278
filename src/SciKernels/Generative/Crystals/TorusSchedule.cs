namespace SciKernels.Generative.Crystals;

/// <summary>
/// The variance-exploding schedule of fractional coordinates (DiffCSP): σ_0 = 0 and
/// σ_t = σ_min (σ_max/σ_min)^((t − 1)/(T − 1)) for t = 1…T, geometric from σ_min to σ_max, with the mean
/// squared score λ_t = <see cref="WrappedNormal.ScoreNorm"/>(σ_t) tabulated once.
/// </summary>
/// <remarks>At σ_max = 0.5 the wrapped normal is within 1e-2 of uniform on the torus (its first Fourier
/// coefficient is e^(−2π²σ²) ≈ 0.007), so sampling starts from the uniform distribution.</remarks>
public sealed class TorusSchedule
{
    private readonly double[] sigma;
    private readonly double[] norm;

    /// <summary>Builds the table for T steps.</summary>
    /// <param name="steps">T ≥ 2.</param>
    /// <param name="sigmaMin">σ_1 &gt; 0 (DiffCSP: 0.005).</param>
    /// <param name="sigmaMax">σ_T &gt; σ_min (DiffCSP: 0.5).</param>
    public TorusSchedule(int steps, double sigmaMin = 0.005, double sigmaMax = 0.5)
    {
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "TorusSchedule: T must be ≥ 2");
        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || double.IsInfinity(sigmaMax))
            throw new ArgumentOutOfRangeException(nameof(sigmaMax), $"TorusSchedule: need 0 < σ_min < σ_max < ∞, got σ_min = {sigmaMin}, σ_max = {sigmaMax}");
        SigmaMin = sigmaMin;
        SigmaMax = sigmaMax;
        sigma = new double[steps + 1];
        norm = new double[steps + 1];
        for (int t = 1; t <= steps; t++)
        {
            sigma[t] = sigmaMin * Math.Pow(sigmaMax / sigmaMin, (t - 1) / (double)(steps - 1));
            norm[t] = WrappedNormal.ScoreNorm(sigma[t]);
        }
    }

    /// <summary>Number of steps T.</summary>
    public int Steps => sigma.Length - 1;

    /// <summary>σ_1.</summary>
    public double SigmaMin { get; }

    /// <summary>σ_T.</summary>
    public double SigmaMax { get; }

    /// <summary>σ_t (0 at t = 0).</summary>
    public double Sigma(int t) => sigma[Check(t)];

    /// <summary>λ_t, the mean squared wrapped-normal score of one coordinate at σ_t (t ≥ 1).</summary>
    public double ScoreNorm(int t)
    {
        if (Check(t) == 0) throw new ArgumentOutOfRangeException(nameof(t), t, "TorusSchedule.ScoreNorm: t must be ≥ 1 (σ_0 = 0)");
        return norm[t];
    }

    private int Check(int t) => (uint)t < (uint)sigma.Length ? t
        : throw new ArgumentOutOfRangeException(nameof(t), t, $"TorusSchedule: time must be in [0, {Steps}]");
}
