using SciKernels.Spectral;

namespace SciKernels.Data;

/// <summary>
/// Pseudo-spectral solver of the viscous Burgers equation u_t + (u²/2)_x = ν u_xx on the periodic
/// unit interval: Fourier in space with 2/3-rule dealiasing, and an integrating-factor fourth-order
/// Runge–Kutta scheme in time (the stiff viscous term is integrated exactly).
/// </summary>
/// <remarks>
/// A whole batch of initial conditions advances together so every FFT runs over many rows. The
/// step is fixed by the advective CFL limit of the batch: the maximum principle of Burgers bounds
/// |u| by its initial maximum, so one step size stays stable for the whole run.
/// </remarks>
public static unsafe class BurgersSolver
{
    /// <summary>
    /// Advances every row of <paramref name="u"/> ([batch, n], overwritten) from t = 0 to <paramref name="time"/>.
    /// </summary>
    /// <param name="u">Initial conditions on an n-point grid, one per row; holds u(·, time) on return.</param>
    /// <param name="n">Grid points (even).</param>
    /// <param name="nu">Viscosity ν.</param>
    /// <param name="time">Final time.</param>
    /// <param name="cfl">Courant number of the advective limit dt ≤ cfl·dx / max|u|.</param>
    /// <returns>The number of time steps taken.</returns>
    public static int Solve(Span<double> u, int n, double nu = 0.1, double time = 1.0, double cfl = 0.4)
    {
        if (n < 4 || n % 2 != 0 || u.Length % n != 0)
            throw new ArgumentException($"BurgersSolver.Solve: {u.Length} values do not form rows of an even n = {n} ≥ 4");
        if (!(nu > 0) || !(time >= 0) || !(cfl > 0)) throw new ArgumentException($"BurgersSolver.Solve: need ν > 0, time ≥ 0, cfl > 0 (got {nu}, {time}, {cfl})");
        int rows = u.Length / n, h = n / 2 + 1;
        double umax = 1e-12;
        foreach (var v in u)
        {
            if (!double.IsFinite(v)) throw new ArgumentException("BurgersSolver.Solve: the initial condition holds NaN or Inf");
            umax = Math.Max(umax, Math.Abs(v));
        }
        double dx = 1.0 / n;
        int steps = Math.Max(1, (int)Math.Ceiling(time / (cfl * dx / umax)));
        double dt = time / steps;

        // Per-mode factors: E = e^{-ν k² dt/2}; the nonlinear term's -i k/2 with the 2/3 rule.
        var e1 = new double[h];
        var e2 = new double[h];
        var nk = new double[h];
        int cutoff = n / 3;
        for (int m = 0; m < h; m++)
        {
            double k = 2 * Math.PI * m;
            e1[m] = Math.Exp(-nu * k * k * dt / 2);
            e2[m] = e1[m] * e1[m];
            nk[m] = m <= cutoff ? -0.5 * k : 0;
        }
        int spec = rows * h * 2;
        var uh = new double[spec];
        var a = new double[spec];
        var b = new double[spec];
        var c = new double[spec];
        var d = new double[spec];
        var stage = new double[spec];
        var phys = new double[rows * n];
        fixed (double* pu = u, puh = uh, pphys = phys)
        {
            FftKernels.RfftRows(pu, rows, n, puh, 1.0);
            double* ph = puh;
            double* pp = pphys;
            // dt·N(v) for a spectrum v: dt·(−i k/2)·F[(F⁻¹v)²], dealiased.
            void Nonlinear(double[] v, double[] result)
            {
                fixed (double* pv = v, pr = result)
                {
                    FftKernels.IrfftRows(pv, rows, n, pp, 1.0 / n);
                    for (int i = 0; i < rows * n; i++) pp[i] *= pp[i];
                    FftKernels.RfftRows(pp, rows, n, pr, 1.0);
                    for (int r = 0; r < rows; r++)
                    {
                        for (int m = 0; m < h; m++)
                        {
                            int at = (r * h + m) * 2;
                            double re = pr[at], im = pr[at + 1], f = nk[m] * dt;
                            // f·i·(re + i·im) with f = −k·dt/2
                            pr[at] = -f * im;
                            pr[at + 1] = f * re;
                        }
                    }
                }
            }
            int len = spec;
            for (int step = 0; step < steps; step++)
            {
                // Integrating-factor RK4 (the stiff viscous factor E = e^{−νk²dt/2} is exact).
                Nonlinear(uh, a);
                for (int i = 0; i < len; i++) stage[i] = e1[i % (2 * h) / 2] * (uh[i] + a[i] / 2);
                Nonlinear(stage, b);
                for (int i = 0; i < len; i++) stage[i] = e1[i % (2 * h) / 2] * uh[i] + b[i] / 2;
                Nonlinear(stage, c);
                for (int i = 0; i < len; i++)
                {
                    int m = i % (2 * h) / 2;
                    stage[i] = e2[m] * uh[i] + e1[m] * c[i];
                }
                Nonlinear(stage, d);
                for (int i = 0; i < len; i++)
                {
                    int m = i % (2 * h) / 2;
                    uh[i] = e2[m] * uh[i] + (e2[m] * a[i] + 2 * e1[m] * (b[i] + c[i]) + d[i]) / 6;
                }
            }
            FftKernels.IrfftRows(ph, rows, n, pu, 1.0 / n);
        }
        return steps;
    }
}
