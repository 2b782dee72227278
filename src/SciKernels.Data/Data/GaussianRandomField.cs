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
    /// <summary>
    /// Fills each [n, n] block of <paramref name="samples"/> ([count, n, n] row-major) with one 2-D field
    /// N(0, σ²(−Δ + τ²I)^(−α)) on the unit square.
    /// </summary>
    /// <remarks>
    /// <para><see cref="GrfBoundary.Periodic"/>: the torus [0, 1)², grid x_i = i/n, drawn as
    /// Σ_k Z_k e^{2πi k·x} with Hermitian complex coefficients, E|Z_k|² = λ_k = σ²(4π²|k|² + τ²)^(−α)
    /// for every |k₁|, |k₂| ≤ (n−1)/2 (strictly below Nyquist), k ≠ 0; the pointwise variance is Σ_k λ_k.</para>
    /// <para><see cref="GrfBoundary.Neumann"/>: the paper's Darcy generator (a Karhunen–Loève expansion in
    /// the cosine eigenfunctions of the Neumann Laplacian, <c>idct2</c> in Li et al.'s MATLAB code):
    /// Σ_k √λ_k ξ_k φ_k₁(x) φ_k₂(y), φ_0 = 1, φ_k = √2 cos(πkx), λ_k = σ²(π²|k|² + τ²)^(−α),
    /// 0 ≤ k₁, k₂ &lt; n−1, k ≠ 0, on the n nodes x_i = i/(n−1) including both edges. It is computed as the
    /// even extension to the period-2 torus with one 2(n−1)-point inverse real FFT per field.</para>
    /// <para>Both transforms are the 2-D inverse real FFT of <see cref="Spectral.Fourier"/>'s kernels. Sampling
    /// is sequential from the generator: same seed, same fields.</para>
    /// </remarks>
    /// <param name="samples">Destination, count × n × n values.</param>
    /// <param name="n">Grid points per side (≥ 3).</param>
    /// <param name="generator">Source of randomness.</param>
    /// <param name="sigma">σ (the Darcy recipe uses τ^(α−1) = 3).</param>
    /// <param name="tau">τ (3 in the Darcy recipe: τ² = 9).</param>
    /// <param name="alpha">α (2 in the Darcy recipe).</param>
    /// <param name="boundary">Periodic torus, or the cosine (Neumann) expansion on the closed square.</param>
    public static void Sample2d(Span<double> samples, int n, Generator generator, double sigma = 3, double tau = 3, double alpha = 2,
        GrfBoundary boundary = GrfBoundary.Periodic)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (n < 3 || samples.Length % ((long)n * n) != 0)
            throw new ArgumentException($"GaussianRandomField.Sample2d: {samples.Length} values do not form [count, n, n] blocks with n = {n} ≥ 3");
        int count = (int)(samples.Length / ((long)n * n));
        bool periodic = boundary == GrfBoundary.Periodic;
        int big = periodic ? n : 2 * (n - 1);        // side of the torus grid
        int h = big / 2 + 1;
        int kmax = periodic ? (n - 1) / 2 : n - 2;    // strictly below Nyquist
        double wave = periodic ? 2 * Math.PI : Math.PI;
        double Lambda(int k1, int k2) => sigma * sigma * Math.Pow(wave * wave * (k1 * (double)k1 + k2 * (double)k2) + tau * tau, -alpha);
        var spectrum = new double[(long)big * h * 2];
        var field = new double[(long)big * big];
        for (int c = 0; c < count; c++)
        {
            Array.Clear(spectrum);
            if (periodic)
            {
                // Z_k = √(λ_k/2)(ξ + iη); the k₂ = 0 column is made Hermitian in k₁ explicitly, columns
                // k₂ ≥ 1 get their conjugate partners from the real inverse transform.
                for (int k1 = -kmax; k1 <= kmax; k1++)
                {
                    for (int k2 = 0; k2 <= kmax; k2++)
                    {
                        if (k2 == 0 && k1 <= 0) continue;
                        double s = Math.Sqrt(Lambda(k1, k2) / 2);
                        double re = s * generator.NextNormal(), im = s * generator.NextNormal();
                        long at = ((long)((k1 + big) % big) * h + k2) * 2;
                        spectrum[at] = re;
                        spectrum[at + 1] = im;
                        if (k2 == 0)
                        {
                            long conj = ((long)((big - k1) % big) * h) * 2;
                            spectrum[conj] = re;
                            spectrum[conj + 1] = -im;
                        }
                    }
                }
            }
            else
            {
                // Real, even coefficients: a bin with k_i > 0 appears twice (±k_i) in the transform,
                // so c_k = √λ_k ξ_k b(k₁) b(k₂) (b(0) = 1, b(k) = √2) is divided by m(k₁) m(k₂), m(0) = 1, m(k) = 2.
                for (int k1 = 0; k1 <= kmax; k1++)
                {
                    for (int k2 = 0; k2 <= kmax; k2++)
                    {
                        if (k1 == 0 && k2 == 0) continue;
                        double b = (k1 == 0 ? 1 : Math.Sqrt(2) / 2) * (k2 == 0 ? 1 : Math.Sqrt(2) / 2);
                        double v = Math.Sqrt(Lambda(k1, k2)) * b * generator.NextNormal();
                        spectrum[((long)k1 * h + k2) * 2] = v;
                        if (k1 > 0) spectrum[((long)(big - k1) * h + k2) * 2] = v;
                    }
                }
            }
            unsafe
            {
                fixed (double* ps = spectrum, pf = field)
                {
                    Spectral.FftKernels.ComplexAlongAxis(ps, 1, big, h, inverse: true, 1.0);
                    Spectral.FftKernels.IrfftRows(ps, big, big, pf, 1.0);
                }
            }
            var dst = samples.Slice((int)((long)c * n * n), n * n);
            for (int i = 0; i < n; i++) field.AsSpan(i * big, n).CopyTo(dst.Slice(i * n, n));
        }
    }
}

/// <summary>Boundary behaviour of a 2-D Gaussian random field (<see cref="GaussianRandomField.Sample2d"/>).</summary>
public enum GrfBoundary
{
    /// <summary>Periodic on the torus [0, 1)² (Fourier basis).</summary>
    Periodic,

    /// <summary>Cosine (Neumann-Laplacian) eigenfunctions on the closed square [0, 1]², as the FNO paper's Darcy generator.</summary>
    Neumann,
}
