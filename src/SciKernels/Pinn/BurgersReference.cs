namespace SciKernels.Pinn;

/// <summary>
/// Exact solution of the viscous Burgers equation u_t + u u_x = ν u_xx on x ∈ [−1, 1] with
/// u(x, 0) = −sin(πx) and u(±1, t) = 0 (the benchmark of Raissi et al. 2019, ν = 0.01/π), from the
/// Cole–Hopf transform evaluated with Gauss–Hermite quadrature (Basdevant et al. 1986):
/// <code>
/// u(x, t) = −∫ sin(π(x−η)) f(x−η) e^{−η²/4νt} dη / ∫ f(x−η) e^{−η²/4νt} dη,   f(y) = exp(−cos(πy) / (2πν))
/// </code>
/// With η = 2√(νt)·z both integrals become Gauss–Hermite integrals in z.
/// </summary>
public sealed class BurgersReference
{
    private readonly double[] nodes, weights;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="viscosity">ν (0.01/π in the paper).</param>
    /// <param name="order">Gauss–Hermite order; 120 agrees with 150 to ~1e-14 on the paper grid (see the tests).</param>
    public BurgersReference(double viscosity = PaperViscosity, int order = 120)
    {
        if (!(viscosity > 0)) throw new ArgumentOutOfRangeException(nameof(viscosity));
        Viscosity = viscosity;
        Order = order;
        (nodes, weights) = GaussHermite.Rule(order);
    }

    /// <summary>ν = 0.01/π.</summary>
    public const double PaperViscosity = 0.01 / Math.PI;

    /// <summary>ν.</summary>
    public double Viscosity { get; }

    /// <summary>Quadrature order.</summary>
    public int Order { get; }

    /// <summary>u(x, t).</summary>
    public double Evaluate(double x, double t)
    {
        if (t < 0) throw new ArgumentOutOfRangeException(nameof(t));
        if (t == 0) return -Math.Sin(Math.PI * x);
        double h = 2 * Math.Sqrt(Viscosity * t);
        double c = 1 / (2 * Math.PI * Viscosity);
        // log f(y) = −c cos(πy) ≤ c: subtract the bound so that no term overflows for tiny ν.
        double num = 0, den = 0;
        for (int i = 0; i < nodes.Length; i++)
        {
            double y = x - h * nodes[i];
            double e = weights[i] * Math.Exp(-c * Math.Cos(Math.PI * y) - c);
            num -= Math.Sin(Math.PI * y) * e;
            den += e;
        }
        return num / den;
    }

    /// <summary>u on the tensor grid, indexed [time, space] (row-major, t-major).</summary>
    public double[] EvaluateGrid(IReadOnlyList<double> x, IReadOnlyList<double> t)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(t);
        var u = HostArrays.Doubles("BurgersReference.EvaluateGrid", x.Count, t.Count, "the grid of space × time points");
        Parallel.For(0, t.Count, j =>
        {
            for (int i = 0; i < x.Count; i++) u[j * x.Count + i] = Evaluate(x[i], t[j]);
        });
        return u;
    }

    /// <summary>The paper's evaluation grid: 256 points in x ∈ [−1, 1] and 100 times t = 0, 0.01, …, 0.99.</summary>
    public static (double[] X, double[] T) PaperGrid()
    {
        var x = Enumerable.Range(0, 256).Select(i => -1 + 2.0 * i / 255).ToArray();
        var t = Enumerable.Range(0, 100).Select(j => j / 100.0).ToArray();
        return (x, t);
    }

    /// <summary>Relative L2 error ‖p − r‖ / ‖r‖.</summary>
    public static double RelativeL2(ReadOnlySpan<double> prediction, ReadOnlySpan<double> reference)
    {
        if (prediction.Length != reference.Length) throw new ArgumentException("RelativeL2: lengths differ");
        double num = 0, den = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = prediction[i] - reference[i];
            num += d * d;
            den += reference[i] * reference[i];
        }
        return Math.Sqrt(num / den);
    }
}
