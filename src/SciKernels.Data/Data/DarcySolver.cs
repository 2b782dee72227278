using SciKernels.Stencils;

namespace SciKernels.Data;

/// <summary>Outcome of one <see cref="DarcySolver.Solve"/>.</summary>
/// <param name="Iterations">Conjugate-gradient iterations taken.</param>
/// <param name="RelativeResidual">‖b − A u‖₂ / ‖b‖₂ of the returned solution (of the recursively updated residual).</param>
public readonly record struct DarcySolveInfo(int Iterations, double RelativeResidual);

/// <summary>
/// Steady Darcy flow −∇·(a∇u) = f on the unit square with u = 0 on the boundary, by the 5-point
/// finite-volume/finite-difference scheme on an s×s node grid (x_i = i·h, h = 1/(s−1), the boundary
/// nodes included) and incomplete-Cholesky (IC(0)) preconditioned conjugate gradients.
/// </summary>
/// <remarks>
/// <para>At an interior node p with neighbours q: Σ_q a_pq (u_p − u_q) / h² = f_p, where a_pq is the
/// coefficient averaged onto the face between p and q (<see cref="FaceAveraging.Harmonic"/> by default:
/// for the piecewise-constant permeabilities of the FNO benchmark it keeps the flux continuous across a
/// jump; for smooth a both averages are second-order accurate). The matrix is a symmetric M-matrix, so
/// IC(0) exists and the discrete solution obeys the maximum principle (f ≥ 0 ⇒ u ≥ 0).</para>
/// <para>Everything is sequential per sample and independent between samples, so the batched
/// <see cref="SolveBatch"/> is parallel over samples and still bit-for-bit deterministic.</para>
/// </remarks>
public static class DarcySolver
{
    /// <summary>
    /// Solves one problem. <paramref name="a"/> and <paramref name="f"/> are node values [s, s]
    /// row-major (row index y, column index x); <paramref name="u"/> receives the solution with zero
    /// boundary rows and columns.
    /// </summary>
    /// <param name="a">Coefficient, positive at every node.</param>
    /// <param name="f">Right-hand side (only interior nodes are used).</param>
    /// <param name="u">Solution [s, s], overwritten.</param>
    /// <param name="s">Nodes per side (≥ 3).</param>
    /// <param name="tolerance">Stop when ‖r‖₂ ≤ tolerance·‖b‖₂.</param>
    /// <param name="averaging">Face average of a.</param>
    /// <param name="maxIterations">Iteration cap (0: 10·s + 100).</param>
    /// <exception cref="InvalidOperationException">When the iteration does not converge within the cap.</exception>
    public static DarcySolveInfo Solve(ReadOnlySpan<double> a, ReadOnlySpan<double> f, Span<double> u, int s,
        double tolerance = 1e-10, FaceAveraging averaging = FaceAveraging.Harmonic, int maxIterations = 0)
    {
        if (s < 3) throw new ArgumentOutOfRangeException(nameof(s), s, "DarcySolver: need s ≥ 3 nodes per side");
        int nodes = s * s;
        if (a.Length != nodes || f.Length != nodes || u.Length != nodes)
            throw new ArgumentException($"DarcySolver: a, f and u must hold s² = {nodes} values (got {a.Length}, {f.Length}, {u.Length})");
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "DarcySolver: tolerance must be positive");
        foreach (var v in a)
            if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentException($"DarcySolver: the coefficient must be positive and finite everywhere (found {v})", nameof(a));
        int n = s - 2, m = n * n;
        double h2 = 1.0 / ((s - 1.0) * (s - 1.0));
        // Face coefficients of unknown p = i·n + j (node (i+1, j+1)): west, south (lower part) and east, north.
        var west = new double[m];
        var east = new double[m];
        var south = new double[m];
        var north = new double[m];
        var diag = new double[m];
        var b = new double[m];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int p = i * n + j, node = (i + 1) * s + j + 1;
                double ap = a[node];
                double w = Face(ap, a[node - 1], averaging), e = Face(ap, a[node + 1], averaging);
                double so = Face(ap, a[node - s], averaging), no = Face(ap, a[node + s], averaging);
                diag[p] = w + e + so + no;
                west[p] = j > 0 ? w : 0;
                east[p] = j < n - 1 ? e : 0;
                south[p] = i > 0 ? so : 0;
                north[p] = i < n - 1 ? no : 0;
                b[p] = h2 * f[node];
            }
        }
        // IC(0): M = (D̃ + L) D̃⁻¹ (D̃ + Lᵀ), d̃_p = d_p − w_p²/d̃_{p−1} − s_p²/d̃_{p−n}.
        var dt = new double[m];
        for (int p = 0; p < m; p++)
        {
            double v = diag[p];
            if (west[p] != 0) v -= west[p] * west[p] / dt[p - 1];
            if (south[p] != 0) v -= south[p] * south[p] / dt[p - n];
            dt[p] = v;
        }
        var x = new double[m];
        var r = (double[])b.Clone();
        var z = new double[m];
        var d = new double[m];
        var q = new double[m];
        double bnorm = Math.Sqrt(Dot(b, b));
        int cap = maxIterations > 0 ? maxIterations : 10 * s + 100;
        int it = 0;
        double rnorm = bnorm;
        if (bnorm > 0)
        {
            Precondition(r, z);
            z.CopyTo(d, 0);
            double rz = Dot(r, z);
            while (true)
            {
                rnorm = Math.Sqrt(Dot(r, r));
                if (rnorm <= tolerance * bnorm) break;
                if (it == cap)
                    throw new InvalidOperationException($"DarcySolver: PCG did not reach relative residual {tolerance:G3} in {cap} iterations (at {rnorm / bnorm:G3}); s = {s}");
                Apply(d, q);
                double alpha = rz / Dot(d, q);
                for (int p = 0; p < m; p++)
                {
                    x[p] += alpha * d[p];
                    r[p] -= alpha * q[p];
                }
                Precondition(r, z);
                double rzNew = Dot(r, z);
                double beta = rzNew / rz;
                rz = rzNew;
                for (int p = 0; p < m; p++) d[p] = z[p] + beta * d[p];
                it++;
            }
        }
        u.Clear();
        for (int i = 0; i < n; i++)
            x.AsSpan(i * n, n).CopyTo(u.Slice((i + 1) * s + 1, n));
        return new DarcySolveInfo(it, bnorm > 0 ? rnorm / bnorm : 0);

        void Apply(double[] v, double[] y)
        {
            for (int p = 0; p < m; p++)
            {
                double acc = diag[p] * v[p];
                if (west[p] != 0) acc -= west[p] * v[p - 1];
                if (east[p] != 0) acc -= east[p] * v[p + 1];
                if (south[p] != 0) acc -= south[p] * v[p - n];
                if (north[p] != 0) acc -= north[p] * v[p + n];
                y[p] = acc;
            }
        }

        void Precondition(double[] res, double[] y)
        {
            // forward: (D̃ + L) w = r, L holding −west/−south; backward: (D̃ + Lᵀ) y = D̃ w
            for (int p = 0; p < m; p++)
            {
                double v = res[p];
                if (west[p] != 0) v += west[p] * y[p - 1];
                if (south[p] != 0) v += south[p] * y[p - n];
                y[p] = v / dt[p];
            }
            for (int p = m - 1; p >= 0; p--)
            {
                double v = 0;
                if (east[p] != 0) v += east[p] * y[p + 1];
                if (north[p] != 0) v += north[p] * y[p + n];
                y[p] += v / dt[p];
            }
        }
    }

    /// <summary>
    /// Solves −∇·(a∇u) = <paramref name="f"/> (a constant) for every [s, s] block of
    /// <paramref name="a"/>, in parallel over samples; deterministic.
    /// </summary>
    /// <param name="a">Coefficients [count, s, s].</param>
    /// <param name="u">Solutions [count, s, s], overwritten.</param>
    /// <param name="s">Nodes per side.</param>
    /// <param name="f">Constant right-hand side (1 in the FNO benchmark).</param>
    /// <param name="tolerance">Relative residual of each solve.</param>
    /// <param name="averaging">Face average of a.</param>
    /// <returns>The largest iteration count over the samples.</returns>
    public static int SolveBatch(double[] a, double[] u, int s, double f = 1, double tolerance = 1e-10, FaceAveraging averaging = FaceAveraging.Harmonic)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(u);
        int nodes = s * s;
        if (s < 3 || a.Length % nodes != 0 || u.Length != a.Length)
            throw new ArgumentException($"DarcySolver.SolveBatch: a ({a.Length}) and u ({u.Length}) must hold [count, {s}, {s}] values");
        int count = a.Length / nodes;
        var rhs = new double[nodes];
        Array.Fill(rhs, f);
        var iterations = new int[count];
        Parallel.For(0, count, c =>
            iterations[c] = Solve(a.AsSpan(c * nodes, nodes), rhs, u.AsSpan(c * nodes, nodes), s, tolerance, averaging).Iterations);
        return count == 0 ? 0 : iterations.Max();
    }

    private static double Face(double p, double q, FaceAveraging averaging)
        => averaging == FaceAveraging.Harmonic ? 2 * p * q / (p + q) : 0.5 * (p + q);

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }
}
