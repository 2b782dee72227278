namespace SciKernels.Generative;

/// <summary>
/// A variance-preserving noise schedule over integer times t = 0…T: q(z_t | x) = N(α_t x, σ_t² I) with
/// α_t² + σ_t² = 1, α_t² decreasing from ≈ 1 to ≈ 0. Held as the table of ᾱ_t = α_t².
/// </summary>
/// <remarks>
/// Two families, as in EDM (Hoogeboom et al. 2022): <see cref="Cosine"/> (Nichol and Dhariwal 2021) and
/// <see cref="Polynomial"/> (EDM's <c>polynomial_2</c> for power 2), whose per-step ratios
/// ᾱ_t / ᾱ_{t−1} are clipped from below before the precision clip keeps ᾱ inside [s, 1 − s].
/// </remarks>
public sealed class NoiseSchedule
{
    private readonly double[] alphaBar;

    private NoiseSchedule(string name, double[] alphaBar)
    {
        Name = name;
        this.alphaBar = alphaBar;
        for (int t = 0; t < alphaBar.Length; t++)
            if (!(alphaBar[t] > 0 && alphaBar[t] < 1 || t == 0 && alphaBar[t] == 1))
                throw new InvalidOperationException($"NoiseSchedule {name}: ᾱ_{t} = {alphaBar[t]} is outside (0, 1)");
    }

    /// <summary>Name, e.g. "cosine" or "polynomial_2".</summary>
    public string Name { get; }

    /// <summary>Number of noising steps T (times run 0…T).</summary>
    public int Steps => alphaBar.Length - 1;

    /// <summary>ᾱ_t = α_t², the signal variance at time t.</summary>
    public double AlphaBar(int t) => alphaBar[CheckTime(t)];

    /// <summary>α_t, the signal scale at time t.</summary>
    public double Alpha(int t) => Math.Sqrt(alphaBar[CheckTime(t)]);

    /// <summary>σ_t = √(1 − ᾱ_t), the noise scale at time t.</summary>
    public double Sigma(int t) => Math.Sqrt(1 - alphaBar[CheckTime(t)]);

    /// <summary>
    /// The cosine schedule with offset <paramref name="offset"/>: ᾱ(u) ∝ cos²((u + s)/(1 + s)·π/2) on a grid
    /// of T + 2 points, turned into per-step β clipped to ≤ 0.999 and multiplied back up (as EDM's
    /// <c>cosine_beta_schedule</c>).
    /// </summary>
    /// <param name="steps">T ≥ 1.</param>
    /// <param name="offset">s, keeping β small near t = 0.</param>
    public static NoiseSchedule Cosine(int steps, double offset = 0.008)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (!(offset > 0)) throw new ArgumentOutOfRangeException(nameof(offset), offset, "NoiseSchedule.Cosine: offset must be > 0");
        int n = steps + 2;
        var f = new double[n];
        for (int k = 0; k < n; k++)
        {
            double c = Math.Cos((k / (double)(n - 1) + offset) / (1 + offset) * Math.PI / 2);
            f[k] = c * c;
        }
        var ab = new double[steps + 1];
        double prod = 1;
        for (int t = 0; t <= steps; t++)
        {
            double beta = Math.Clamp(1 - f[t + 1] / f[t], 0, 0.999);
            prod *= 1 - beta;
            ab[t] = prod;
        }
        return new NoiseSchedule("cosine", ab);
    }

    /// <summary>
    /// The polynomial schedule: ᾱ_t = (1 − (t/T)^p)², with each step's ratio clipped to
    /// ≥ <paramref name="clip"/> and the result mapped to (1 − 2s)·ᾱ + s (EDM's <c>polynomial_2</c> with p = 2,
    /// s = 1e-5 and clip 0.001).
    /// </summary>
    /// <param name="steps">T ≥ 1.</param>
    /// <param name="power">p &gt; 0.</param>
    /// <param name="precision">s in (0, 0.5): the floor of ᾱ and of 1 − ᾱ.</param>
    /// <param name="clip">Smallest allowed ratio ᾱ_t / ᾱ_{t−1}.</param>
    public static NoiseSchedule Polynomial(int steps, double power = 2, double precision = 1e-5, double clip = 0.001)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (!(power > 0)) throw new ArgumentOutOfRangeException(nameof(power), power, "NoiseSchedule.Polynomial: power must be > 0");
        if (!(precision > 0 && precision < 0.5)) throw new ArgumentOutOfRangeException(nameof(precision), precision, "NoiseSchedule.Polynomial: precision must be in (0, 0.5)");
        if (!(clip > 0 && clip <= 1)) throw new ArgumentOutOfRangeException(nameof(clip), clip, "NoiseSchedule.Polynomial: clip must be in (0, 1]");
        int n = steps + 1;
        var ab = new double[n];
        double previous = 1, prod = 1;
        for (int t = 0; t < n; t++)
        {
            double u = t / (double)steps, a = 1 - Math.Pow(u, power);
            double raw = a * a;
            // The ratio to the previous raw value, clipped so no single step destroys almost all the signal.
            prod *= Math.Clamp(raw / previous, clip, 1);
            previous = raw;
            ab[t] = (1 - 2 * precision) * prod + precision;
        }
        return new NoiseSchedule($"polynomial_{power:G}", ab);
    }

    /// <summary>A schedule by name: "cosine" or "polynomial_P" (e.g. polynomial_2).</summary>
    /// <param name="name">The schedule's name.</param>
    /// <param name="steps">T ≥ 1.</param>
    public static NoiseSchedule FromName(string name, int steps)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == "cosine") return Cosine(steps);
        if (name.StartsWith("polynomial_", StringComparison.Ordinal)
            && double.TryParse(name["polynomial_".Length..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double p) && p > 0)
            return Polynomial(steps, p);
        throw new ArgumentException($"NoiseSchedule: unknown schedule '{name}' (cosine or polynomial_P, e.g. polynomial_2)", nameof(name));
    }

    private int CheckTime(int t)
    {
        if ((uint)t >= (uint)alphaBar.Length) throw new ArgumentOutOfRangeException(nameof(t), t, $"NoiseSchedule {Name}: time must be in [0, {Steps}]");
        return t;
    }
}
