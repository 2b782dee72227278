using SciKernels.Spectral;

namespace SciKernels.Data;

/// <summary>Time discretisation of <see cref="NavierStokesSolver"/>: both are Crank–Nicolson for the viscous term.</summary>
public enum NavierStokesScheme
{
    /// <summary>
    /// The FNO paper's <c>ns_2d.py</c> step: advection and forcing explicit (forward Euler), diffusion
    /// Crank–Nicolson. First order in time; one nonlinear evaluation per step.
    /// </summary>
    CrankNicolsonEuler,

    /// <summary>
    /// Heun predictor–corrector for advection and forcing, Crank–Nicolson for diffusion. Second order in
    /// time; two nonlinear evaluations per step.
    /// </summary>
    CrankNicolsonHeun,
}

/// <summary>
/// Pseudo-spectral solver of the 2-D incompressible Navier–Stokes equations in vorticity form on the
/// periodic unit torus, as in the FNO paper (Li et al. 2021, §5.3):
/// w_t + u·∇w = ν Δw + f, u = ∇⊥ψ = (ψ_y, −ψ_x), −Δψ = w.
/// </summary>
/// <remarks>
/// <para>Space: Fourier on an n×n grid x_i = i/n (first array axis x, second y); the advection term is
/// evaluated in physical space and de-aliased by the 2/3 rule (|k_x|, |k_y| ≤ ⅔·n/2, the paper's mask).
/// Derivatives drop the Nyquist wavenumber so every field stays real. Unlike the paper's script the mean
/// mode is neither inverted nor diffused (its Laplacian is 0, not a stand-in 1) and the advection term's
/// mean (zero analytically) is dropped, so ∫w changes only by the forcing's mean (zero for the paper's f).</para>
/// <para>Time: Crank–Nicolson for νΔw with the advection and forcing explicit, by forward Euler (the paper,
/// first order) or Heun (second order); see <see cref="NavierStokesScheme"/>.</para>
/// <para>A whole batch advances together so every FFT runs over many rows (the transforms spread over the
/// thread pool when the batch is large). A sample's result does not depend on the rest of the batch: the
/// FFT kernels pair rows only within one field. Float64 throughout; same input, same bits.</para>
/// </remarks>
public static unsafe class NavierStokesSolver
{
    /// <summary>The paper's forcing f(x, y) = 0.1(sin 2π(x+y) + cos 2π(x+y)) on the n×n grid x_i = i/n, row-major [n, n].</summary>
    public static double[] PaperForcing(int n)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), n, "NavierStokesSolver.PaperForcing: need n ≥ 2");
        var f = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // (i + j) mod n keeps the angle exact for large grids.
                double a = 2 * Math.PI * ((i + j) % n) / n;
                f[i * n + j] = 0.1 * (Math.Sin(a) + Math.Cos(a));
            }
        }
        return f;
    }

    /// <summary>
    /// Advances every [n, n] field of <paramref name="w0"/> and records <c>T = snapshots.Length / w0.Length</c>
    /// snapshots, snapshot t (0-based) at time (t+1)·recordEvery·timeStep.
    /// </summary>
    /// <param name="w0">Initial vorticities [batch, n, n], row-major.</param>
    /// <param name="n">Grid points per side (even, ≥ 4).</param>
    /// <param name="snapshots">Destination [batch, T, n, n].</param>
    /// <param name="recordEvery">Time steps between snapshots.</param>
    /// <param name="viscosity">ν ≥ 0 (the paper: 1e-3, 1e-4, 1e-5).</param>
    /// <param name="timeStep">dt (the paper: 1e-4).</param>
    /// <param name="forcing">f on the grid [n, n], shared by the batch; empty for f = 0.</param>
    /// <param name="scheme">Time discretisation.</param>
    /// <returns>The number of time steps taken.</returns>
    /// <exception cref="ArgumentException">Inconsistent sizes or parameters, a non-finite input.</exception>
    /// <exception cref="ArithmeticException">The solution blew up (time step too large for the flow).</exception>
    public static int Solve(ReadOnlySpan<double> w0, int n, Span<double> snapshots, int recordEvery, double viscosity, double timeStep = 1e-4,
        ReadOnlySpan<double> forcing = default, NavierStokesScheme scheme = NavierStokesScheme.CrankNicolsonHeun)
    {
        if (n < 4 || n % 2 != 0) throw new ArgumentException($"NavierStokesSolver.Solve: n = {n} must be even and ≥ 4");
        long points = (long)n * n;
        if (w0.Length == 0 || w0.Length % points != 0)
            throw new ArgumentException($"NavierStokesSolver.Solve: {w0.Length} initial values do not form [batch, {n}, {n}] fields");
        if (snapshots.Length == 0 || snapshots.Length % w0.Length != 0)
            throw new ArgumentException($"NavierStokesSolver.Solve: {snapshots.Length} snapshot values are not a positive multiple of the {w0.Length} initial values");
        if (!forcing.IsEmpty && forcing.Length != points)
            throw new ArgumentException($"NavierStokesSolver.Solve: forcing has {forcing.Length} values, expected [{n}, {n}] = {points} (or none)");
        if (recordEvery < 1 || !(viscosity >= 0) || double.IsInfinity(viscosity) || !(timeStep > 0) || double.IsInfinity(timeStep))
            throw new ArgumentException($"NavierStokesSolver.Solve: need recordEvery ≥ 1, finite ν ≥ 0 and dt > 0 (got {recordEvery}, {viscosity}, {timeStep})");
        foreach (var v in w0)
            if (!double.IsFinite(v)) throw new ArgumentException("NavierStokesSolver.Solve: the initial vorticity holds NaN or Inf");
        foreach (var v in forcing)
            if (!double.IsFinite(v)) throw new ArgumentException("NavierStokesSolver.Solve: the forcing holds NaN or Inf");
        int batch = (int)(w0.Length / points);
        int frames = snapshots.Length / w0.Length;
        long totalSteps = (long)frames * recordEvery;
        if (totalSteps > int.MaxValue) throw new ArgumentException($"NavierStokesSolver.Solve: {frames} × {recordEvery} steps is too many");

        var solver = new State(n, batch, viscosity, timeStep, scheme);
        solver.Forward(w0, solver.W);
        if (!forcing.IsEmpty)
        {
            solver.F = new double[solver.Modes * 2];
            solver.Forward(forcing, solver.F);
        }
        var frame = new double[w0.Length];
        for (int t = 0; t < frames; t++)
        {
            for (int s = 0; s < recordEvery; s++) solver.Step();
            solver.Inverse(solver.W, frame);
            foreach (var v in frame)
                if (!double.IsFinite(v))
                    throw new ArithmeticException($"NavierStokesSolver.Solve: the solution blew up before t = {(t + 1) * recordEvery * timeStep} (dt = {timeStep} is too large for this flow)");
            for (int b = 0; b < batch; b++)
                frame.AsSpan((int)(b * points), (int)points).CopyTo(snapshots.Slice((int)((b * (long)frames + t) * points), (int)points));
        }
        return (int)totalSteps;
    }

    /// <summary>The spectral state and scratch of one batch.</summary>
    private sealed class State
    {
        private const long ParallelThreshold = 1 << 15;

        private readonly int n, h, batch;
        private readonly NavierStokesScheme scheme;
        private readonly double[] kx, ky;          // 2πk per row / column, 0 at Nyquist
        private readonly double[] invLap;          // 1/(4π²|k|²) per mode, 0 for the mean
        private readonly double[] keep;            // 2/3-rule mask per mode
        private readonly double[] cnA, cnB;        // (1 − dtνλ/2)/(1 + dtνλ/2), dt/(1 + dtνλ/2)
        private readonly double[] n1, n2, wStar;   // nonlinear terms and the Heun predictor
        private readonly double[] spec4, phys4, prod;

        public State(int n, int batch, double nu, double dt, NavierStokesScheme scheme)
        {
            this.n = n;
            this.batch = batch;
            this.scheme = scheme;
            h = n / 2 + 1;
            Modes = n * h;
            kx = new double[n];
            ky = new double[h];
            for (int r = 0; r < n; r++) kx[r] = r == n / 2 ? 0 : 2 * Math.PI * (r < n / 2 ? r : r - n);
            for (int c = 0; c < h; c++) ky[c] = c == n / 2 ? 0 : 2 * Math.PI * c;
            invLap = new double[Modes];
            keep = new double[Modes];
            cnA = new double[Modes];
            cnB = new double[Modes];
            double cut = 2.0 / 3.0 * (n / 2);
            for (int r = 0; r < n; r++)
            {
                int k1 = r <= n / 2 ? r : r - n;
                for (int c = 0; c < h; c++)
                {
                    int m = r * h + c;
                    double lap = 4 * Math.PI * Math.PI * ((double)k1 * k1 + (double)c * c);
                    invLap[m] = m == 0 ? 0 : 1 / lap;
                    // The mean of u·∇w = ∇·(uw) vanishes analytically; dropping its round-off keeps ∫w exact.
                    keep[m] = m != 0 && Math.Abs(k1) <= cut && c <= cut ? 1 : 0;
                    double half = 0.5 * dt * nu * lap;
                    cnA[m] = (1 - half) / (1 + half);
                    cnB[m] = dt / (1 + half);
                }
            }
            long spec = (long)batch * Modes * 2;
            W = new double[spec];
            n1 = new double[spec];
            n2 = scheme == NavierStokesScheme.CrankNicolsonHeun ? new double[spec] : Array.Empty<double>();
            wStar = scheme == NavierStokesScheme.CrankNicolsonHeun ? new double[spec] : Array.Empty<double>();
            spec4 = new double[4 * spec];
            phys4 = new double[4L * batch * n * n];
            prod = new double[(long)batch * n * n];
        }

        /// <summary>Complex modes per field (n × (n/2+1)).</summary>
        public int Modes { get; }

        /// <summary>ŵ, [batch, n, n/2+1, 2].</summary>
        public double[] W { get; }

        /// <summary>f̂ [n, n/2+1, 2], or null for f = 0.</summary>
        public double[]? F { get; set; }

        /// <summary>Unnormalised 2-D real FFT of [fields, n, n] into [fields, n, n/2+1, 2].</summary>
        public void Forward(ReadOnlySpan<double> x, Span<double> y)
        {
            long fields = x.Length / ((long)n * n);
            fixed (double* px = x, py = y)
            {
                FftKernels.RfftRows(px, fields * n, n, py, 1.0);
                FftKernels.ComplexAlongAxis(py, fields, n, h, inverse: false, 1.0);
            }
        }

        /// <summary>Inverse of <see cref="Forward"/> (normalised); <paramref name="spectrum"/> is copied first, not destroyed.</summary>
        public void Inverse(ReadOnlySpan<double> spectrum, Span<double> x)
        {
            var scratch = spec4.AsSpan(0, spectrum.Length);
            spectrum.CopyTo(scratch);
            InverseInPlace(scratch, x);
        }

        private void InverseInPlace(Span<double> spectrum, Span<double> x)
        {
            long fields = spectrum.Length / (2L * Modes);
            fixed (double* ps = spectrum, px = x)
            {
                FftKernels.ComplexAlongAxis(ps, fields, n, h, inverse: true, 1.0);
                FftKernels.IrfftRows(ps, fields * n, n, px, 1.0 / ((double)n * n));
            }
        }

        private void ForSamples(Action<int> body)
        {
            if (batch > 1 && (long)batch * n * n >= ParallelThreshold && Environment.ProcessorCount > 1) Parallel.For(0, batch, body);
            else for (int b = 0; b < batch; b++) body(b);
        }

        /// <summary>result = 2/3-dealiased F[u·∇w] for the spectrum <paramref name="w"/>.</summary>
        private void Nonlinear(double[] w, double[] result)
        {
            long field = 2L * Modes * batch;
            ForSamples(b =>
            {
                // û = i k_y ψ̂, v̂ = −i k_x ψ̂, (w_x)^ = i k_x ŵ, (w_y)^ = i k_y ŵ with ψ̂ = ŵ/λ.
                long o = 2L * Modes * b;
                for (int r = 0; r < n; r++)
                {
                    double ax = kx[r];
                    for (int c = 0; c < h; c++)
                    {
                        int m = r * h + c;
                        long at = o + 2L * m;
                        double wr = w[at], wi = w[at + 1], pr = wr * invLap[m], pi = wi * invLap[m], ay = ky[c];
                        spec4[at] = -ay * pi;
                        spec4[at + 1] = ay * pr;
                        spec4[field + at] = ax * pi;
                        spec4[field + at + 1] = -ax * pr;
                        spec4[2 * field + at] = -ax * wi;
                        spec4[2 * field + at + 1] = ax * wr;
                        spec4[3 * field + at] = -ay * wi;
                        spec4[3 * field + at + 1] = ay * wr;
                    }
                }
            });
            InverseInPlace(spec4, phys4);
            long pts = (long)batch * n * n;
            ForSamples(b =>
            {
                long o = (long)b * n * n, end = o + (long)n * n;
                for (long i = o; i < end; i++)
                    prod[i] = phys4[i] * phys4[2 * pts + i] + phys4[pts + i] * phys4[3 * pts + i];
            });
            Forward(prod, result);
            ForSamples(b =>
            {
                long o = 2L * Modes * b;
                for (int m = 0; m < Modes; m++)
                {
                    result[o + 2 * m] *= keep[m];
                    result[o + 2 * m + 1] *= keep[m];
                }
            });
        }

        /// <summary>One time step: ŵ ← A ŵ + B (f̂ − N̂), N̂ at ŵ (Euler) or averaged over ŵ and the predictor (Heun).</summary>
        public void Step()
        {
            Nonlinear(W, n1);
            if (scheme == NavierStokesScheme.CrankNicolsonEuler)
            {
                Update(W, n1, null);
                return;
            }
            Update(wStar, n1, null);
            Nonlinear(wStar, n2);
            Update(W, n1, n2);
        }

        /// <summary>target = A ŵ + B (f̂ − N̂) with N̂ = a or (a + b)/2; reads W before writing (target may be W).</summary>
        private void Update(double[] target, double[] a, double[]? b)
        {
            var f = F;
            ForSamples(s =>
            {
                long o = 2L * Modes * s;
                for (int m = 0; m < Modes; m++)
                {
                    long at = o + 2L * m;
                    double nr = b is null ? a[at] : 0.5 * (a[at] + b[at]);
                    double ni = b is null ? a[at + 1] : 0.5 * (a[at + 1] + b[at + 1]);
                    double fr = f is null ? 0 : f[2 * m], fi = f is null ? 0 : f[2 * m + 1];
                    target[at] = cnA[m] * W[at] + cnB[m] * (fr - nr);
                    target[at + 1] = cnA[m] * W[at + 1] + cnB[m] * (fi - ni);
                }
            });
        }
    }
}
