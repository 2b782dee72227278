using SciKernels.Pinn;
using Xunit;

namespace SciKernels.Tests.Pinn;

public class BurgersReferenceTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(40)]
    [InlineData(150)]
    public void Gauss_hermite_integrates_polynomials_exactly(int n)
    {
        var (x, w) = GaussHermite.Rule(n);
        Assert.Equal(Math.Sqrt(Math.PI), w.Sum(), 1e-13);
        // ∫ z^{2k} e^{−z²} dz = Γ(k + ½) for 2k < 2n.
        double gamma = Math.Sqrt(Math.PI);
        for (int k = 1; k < Math.Min(n, 8); k++)
        {
            gamma *= k - 0.5;
            double q = x.Zip(w, (a, b) => Math.Pow(a, 2 * k) * b).Sum();
            Assert.Equal(1, q / gamma, 1e-11);
        }
        for (int i = 0; i < n; i++) Assert.Equal(-x[i], x[n - 1 - i], 1e-13);
    }

    [Fact]
    public void Reference_converges_in_quadrature_order()
    {
        var (gx, gt) = BurgersReference.PaperGrid();
        var xs = gx.Where((_, i) => i % 8 == 0).ToArray();
        var ts = gt.Where((_, j) => j % 9 == 0).ToArray();
        double MaxDiff(int a, int b)
        {
            var ua = new BurgersReference(order: a).EvaluateGrid(xs, ts);
            var ub = new BurgersReference(order: b).EvaluateGrid(xs, ts);
            return ua.Zip(ub, (p, q) => Math.Abs(p - q)).Max();
        }
        double d40 = MaxDiff(40, 150), d80 = MaxDiff(80, 150), d120 = MaxDiff(120, 150);
        Assert.True(d40 > d80 && d80 > 1e3 * d120 || d80 < 1e-12, $"differences {d40:E2}, {d80:E2}, {d120:E2}");
        Assert.True(d120 < 1e-12, $"order 120 vs 150: {d120:E2}");
    }

    [Fact]
    public void Reference_agrees_with_a_fine_finite_difference_solve()
    {
        // Second-order central differences in conservative form, RK4 in time, on 2049 points.
        const int n = 2048;
        double nu = BurgersReference.PaperViscosity, dx = 2.0 / n, dt = 1e-4;
        var u = new double[n + 1];
        for (int i = 0; i <= n; i++) u[i] = -Math.Sin(Math.PI * (-1 + i * dx));
        u[0] = u[n] = 0;
        double[] Rhs(double[] v)
        {
            var r = new double[n + 1];
            for (int i = 1; i < n; i++)
                r[i] = -(v[i + 1] * v[i + 1] - v[i - 1] * v[i - 1]) / (4 * dx) + nu * (v[i + 1] - 2 * v[i] + v[i - 1]) / (dx * dx);
            return r;
        }
        double[] Axpy(double[] a, double[] b, double s) => a.Zip(b, (p, q) => p + s * q).ToArray();
        var reference = new BurgersReference();
        var checks = new (double T, double X)[] { (0.25, -0.5), (0.25, 0.3), (0.5, -0.5), (0.5, 0.25), (0.5, 0.8) };
        double t = 0;
        foreach (var (tc, xc) in checks.OrderBy(c => c.T))
        {
            while (t < tc - 1e-12)
            {
                var k1 = Rhs(u);
                var k2 = Rhs(Axpy(u, k1, dt / 2));
                var k3 = Rhs(Axpy(u, k2, dt / 2));
                var k4 = Rhs(Axpy(u, k3, dt));
                for (int i = 1; i < n; i++) u[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
                t += dt;
            }
            int idx = (int)Math.Round((xc + 1) / dx);
            Assert.Equal(reference.Evaluate(-1 + idx * dx, tc), u[idx], 2e-5);
        }
        Assert.Equal(0, reference.Evaluate(0, 0.7), 1e-12); // odd symmetry
        Assert.Equal(-Math.Sin(0.3 * Math.PI), reference.Evaluate(0.3, 0), 1e-15);
    }

    [Fact]
    public void Relative_l2_is_zero_for_identical_fields() => Assert.Equal(0, BurgersReference.RelativeL2([1, 2, 3], [1, 2, 3]));
}
