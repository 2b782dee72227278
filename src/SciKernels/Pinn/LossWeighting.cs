using SciKernels.Random;

namespace SciKernels.Pinn;

/// <summary>
/// Adapts the weights of a PINN's loss terms during first-order training (Adam). Weights are frozen
/// during L-BFGS, whose curvature history assumes a fixed objective.
/// </summary>
public interface ILossWeighting
{
    /// <summary>Whether <see cref="Update"/> needs per-term gradient statistics (costs one backward pass per term).</summary>
    bool NeedsGradients { get; }

    /// <summary>Steps between updates.</summary>
    int Interval { get; }

    /// <summary>Updates <paramref name="weights"/> in place.</summary>
    /// <param name="step">Adam step (0-based).</param>
    /// <param name="losses">Current unweighted term losses.</param>
    /// <param name="gradients">Per term: max |∂Lᵢ/∂θ| and mean |∂Lᵢ/∂θ|, when <see cref="NeedsGradients"/>.</param>
    /// <param name="weights">Current weights, updated in place.</param>
    void Update(long step, IReadOnlyList<double> losses, IReadOnlyList<(double MaxAbs, double MeanAbs)>? gradients, double[] weights);
}

/// <summary>Fixed weights: the ones set on the terms.</summary>
public sealed class FixedWeighting : ILossWeighting
{
    /// <inheritdoc/>
    public bool NeedsGradients => false;

    /// <inheritdoc/>
    public int Interval => int.MaxValue;

    /// <inheritdoc/>
    public void Update(long step, IReadOnlyList<double> losses, IReadOnlyList<(double MaxAbs, double MeanAbs)>? gradients, double[] weights) { }
}

/// <summary>
/// Learning-rate annealing (Wang, Teng &amp; Perdikaris 2021, Algorithm 1): every <see cref="Interval"/>
/// steps, λ̂ᵢ = max|∇θ L_ref| / mean|∇θ Lᵢ| and λᵢ ← (1 − α)·λᵢ + α·λ̂ᵢ, where L_ref is the PDE
/// residual term (its weight stays as set).
/// </summary>
/// <param name="referenceTerm">Index of the PDE residual term.</param>
/// <param name="alpha">Moving-average rate α (0.9 in the paper).</param>
/// <param name="interval">Steps between updates (10 in the paper).</param>
public sealed class LearningRateAnnealing(int referenceTerm = 0, double alpha = 0.9, int interval = 10) : ILossWeighting
{
    /// <inheritdoc/>
    public bool NeedsGradients => true;

    /// <inheritdoc/>
    public int Interval => interval;

    /// <inheritdoc/>
    public void Update(long step, IReadOnlyList<double> losses, IReadOnlyList<(double MaxAbs, double MeanAbs)>? gradients, double[] weights)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(weights);
        double maxRef = gradients[referenceTerm].MaxAbs;
        for (int i = 0; i < weights.Length; i++)
        {
            if (i == referenceTerm || !(gradients[i].MeanAbs > 0)) continue;
            double target = maxRef / gradients[i].MeanAbs;
            weights[i] = (1 - alpha) * weights[i] + alpha * target;
        }
    }
}

/// <summary>
/// ReLoBRaLo (Bischof &amp; Kraus 2021): weights from a softmax of relative loss progress, blended with
/// the weights relative to the first step ("random lookback" with probability 1 − ρ̄) and an
/// exponential moving average (α). Needs only loss values, so it costs nothing extra.
/// </summary>
public sealed class ReLoBRaLo : ILossWeighting
{
    private readonly Generator generator;
    private double[]? initial, previous;

    /// <summary>Creates the scheme.</summary>
    /// <param name="alpha">Moving-average factor α (0.999 in the paper).</param>
    /// <param name="temperature">Softmax temperature 𝒯 (0.1).</param>
    /// <param name="expectedRho">Expected value of the Bernoulli lookback variable ρ (0.999).</param>
    /// <param name="seed">Seed of the Bernoulli draws.</param>
    public ReLoBRaLo(double alpha = 0.999, double temperature = 0.1, double expectedRho = 0.999, ulong seed = 0)
    {
        Alpha = alpha;
        Temperature = temperature;
        ExpectedRho = expectedRho;
        generator = new Generator(seed);
    }

    /// <summary>Moving-average factor.</summary>
    public double Alpha { get; }

    /// <summary>Softmax temperature.</summary>
    public double Temperature { get; }

    /// <summary>Probability of keeping the history (vs. looking back to step 0).</summary>
    public double ExpectedRho { get; }

    /// <inheritdoc/>
    public bool NeedsGradients => false;

    /// <inheritdoc/>
    public int Interval => 1;

    /// <inheritdoc/>
    public void Update(long step, IReadOnlyList<double> losses, IReadOnlyList<(double MaxAbs, double MeanAbs)>? gradients, double[] weights)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(weights);
        var l = losses.Select(v => Math.Max(v, 1e-30)).ToArray();
        if (initial is null || previous is null)
        {
            initial = l;
            previous = l;
            return;
        }
        var balPrev = Balance(l, previous);
        var balInit = Balance(l, initial);
        double rho = generator.NextDouble() < ExpectedRho ? 1 : 0;
        for (int i = 0; i < weights.Length; i++)
            weights[i] = Alpha * (rho * weights[i] + (1 - rho) * balInit[i]) + (1 - Alpha) * balPrev[i];
        previous = l;
    }

    // m · softmax(Lᵢ(t) / (𝒯 · Lᵢ(t′)))
    private double[] Balance(double[] now, double[] then)
    {
        int m = now.Length;
        var z = new double[m];
        for (int i = 0; i < m; i++) z[i] = now[i] / (Temperature * then[i]);
        double max = z.Max(), sum = 0;
        for (int i = 0; i < m; i++) sum += z[i] = Math.Exp(z[i] - max);
        for (int i = 0; i < m; i++) z[i] = m * z[i] / sum;
        return z;
    }
}
