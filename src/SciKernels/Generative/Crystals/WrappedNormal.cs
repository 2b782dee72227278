using SciKernels.Random;

namespace SciKernels.Generative.Crystals;

/// <summary>
/// The wrapped normal distribution on the unit circle [0, 1) (one fractional coordinate): the density of
/// x mod 1 for x ~ N(μ, σ²), p(x) = Σ_k N(x + k; μ, σ²), as DiffCSP (Jiao et al. 2023) uses for the noise
/// of fractional coordinates on the torus.
/// </summary>
/// <remarks>
/// The image sum runs over k with |k| ≤ <see cref="Images"/>(σ) around the nearest image of x − μ, enough
/// that the first omitted term is below e^(-32) of the largest for every σ (σ up to 5 is tested and more
/// is fine): the truncation is below double round-off.
/// </remarks>
public static class WrappedNormal
{
    /// <summary>x mod 1 in [0, 1).</summary>
    public static double Wrap(double x)
    {
        double w = x - Math.Floor(x);
        // x slightly below an integer can round to exactly 1.
        return w >= 1 ? 0 : w;
    }

    /// <summary>x reduced to the nearest image, in [−0.5, 0.5).</summary>
    public static double Centre(double x) => x - Math.Floor(x + 0.5);

    /// <summary>Number of images on each side of the nearest one that the sums keep for <paramref name="sigma"/>.</summary>
    public static int Images(double sigma)
    {
        CheckSigma(sigma, nameof(Images));
        // |d + k| ≥ |k| − 0.5 for d in [−0.5, 0.5): the first omitted term is ≤ exp(−(K + 0.5)²/2σ²) ≤ e^(−32) relative.
        return 1 + (int)Math.Ceiling(8 * sigma);
    }

    /// <summary>The density p(x) of the wrapped normal with mean μ and scale σ (p integrates to 1 over any unit interval).</summary>
    public static double Density(double x, double sigma, double mean = 0) => Math.Exp(LogDensity(x, sigma, mean));

    /// <summary>log p(x), computed around the largest image term so that small σ does not underflow.</summary>
    public static double LogDensity(double x, double sigma, double mean = 0)
    {
        CheckSigma(sigma, nameof(LogDensity));
        double d = Centre(x - mean);
        int m = Images(sigma);
        double inv = 1 / (2 * sigma * sigma), sum = 0;
        for (int k = -m; k <= m; k++) sum += Math.Exp(-((d + k) * (d + k) - d * d) * inv);
        return -d * d * inv + Math.Log(sum) - Math.Log(sigma * Math.Sqrt(2 * Math.PI));
    }

    /// <summary>The score ∂/∂x log p(x) = −Σ_k (x − μ + k)/σ² w_k / Σ_k w_k with w_k the image terms.</summary>
    public static double Score(double x, double sigma, double mean = 0)
    {
        CheckSigma(sigma, nameof(Score));
        double d = Centre(x - mean);
        int m = Images(sigma);
        double inv = 1 / (2 * sigma * sigma), num = 0, den = 0;
        for (int k = -m; k <= m; k++)
        {
            double w = Math.Exp(-((d + k) * (d + k) - d * d) * inv);
            num += (d + k) * w;
            den += w;
        }
        return -num / (den * sigma * sigma);
    }

    /// <summary>A draw wrap(μ + σ ε) with ε standard normal from <paramref name="generator"/>.</summary>
    public static double Sample(double sigma, Generator generator, double mean = 0)
    {
        ArgumentNullException.ThrowIfNull(generator);
        CheckSigma(sigma, nameof(Sample));
        return Wrap(mean + sigma * generator.NextNormal());
    }

    /// <summary>
    /// λ(σ) = E_p[(∂ log p)²], the mean squared score of one coordinate: DiffCSP divides the score target by
    /// √λ so that the network's output has unit scale at every σ. Composite Simpson rule over the
    /// centred coordinate, on [−min(0.5, 12σ), +…] where the density lives (4000 intervals).
    /// </summary>
    public static double ScoreNorm(double sigma)
    {
        CheckSigma(sigma, nameof(ScoreNorm));
        const int intervals = 4000;
        double half = Math.Min(0.5, 12 * sigma), h = 2 * half / intervals, sum = 0;
        for (int i = 0; i <= intervals; i++)
        {
            double x = -half + i * h, s = Score(x, sigma);
            double w = i == 0 || i == intervals ? 1 : i % 2 == 1 ? 4 : 2;
            sum += w * Density(x, sigma) * s * s;
        }
        return sum * h / 3;
    }

    private static void CheckSigma(double sigma, string op)
    {
        if (!(sigma > 0) || double.IsInfinity(sigma))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"WrappedNormal.{op}: σ must be positive and finite");
    }
}
