using SciKernels.Random;

namespace SciKernels.Data;

/// <summary>
/// Samples of the periodic Gaussian random field N(0, σ²(−Δ + τ²I)^(−α)) on [0, 1), the
/// input distribution of the FNO paper's Burgers and Darcy problems (Li et al. 2021).
/// </summary>
/// <remarks>
/// Drawn in the real Fourier basis {√2 cos 2πmx, √2 sin 2πmx} with independent standard normal
/// coefficients scaled by √λ_m, λ_m = σ²(4π²m² + τ²)^(−α); the mean mode is zero, as in the
/// paper's generator. Sampling is sequential from the generator: same seed, same field.
/// </remarks>
public static class GaussianRandomField
{
    /// <summary>Fills each row of <paramref name="samples"/> ([count, n] row-major) with one field on an n-point grid.</summary>
    /// <param name="samples">Destination, count × n values.</param>
    /// <param name="n">Grid points per sample.</param>
    /// <param name="generator">Source of randomness.</param>
    /// <param name="sigma">σ (25 in the Burgers recipe: σ² = 625).</param>
    /// <param name="tau">τ (5 in the Burgers recipe: τ² = 25).</param>
    /// <param name="alpha">α (2 in the Burgers recipe).</param>
    public static void Sample1d(Span<double> samples, int n, Generator generator, double sigma = 25, double tau = 5, double alpha = 2)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (n < 2 || samples.Length % n != 0) throw new ArgumentException($"GaussianRandomField.Sample1d: {samples.Length} values do not form rows of n = {n} ≥ 2");
        int modes = (n - 1) / 2; // strictly below Nyquist, so every mode is representable
        var amp = new double[modes + 1];
        for (int m = 1; m <= modes; m++)
            amp[m] = Math.Sqrt(2) * sigma * Math.Pow(4 * Math.PI * Math.PI * m * m + tau * tau, -alpha / 2);
        int rows = samples.Length / n, h = n / 2 + 1;
        // Half spectrum X_m = (C_m − i S_m)/2, so the Hermitian inverse FFT gives Σ C_m cos + S_m sin.
        var spectrum = new double[rows * h * 2];
        for (int row = 0; row < rows; row++)
        {
            for (int m = 1; m <= modes; m++)
            {
                spectrum[(row * h + m) * 2] = 0.5 * amp[m] * generator.NextNormal();
                spectrum[(row * h + m) * 2 + 1] = -0.5 * amp[m] * generator.NextNormal();
            }
        }
        unsafe
        {
            fixed (double* ps = spectrum, pu = samples)
                SciKernels.Spectral.FftKernels.IrfftRows(ps, rows, n, pu, 1.0);
        }
    }
}
