namespace SciKernels.Generative;

/// <summary>The outcome of a <see cref="Fire"/> relaxation.</summary>
/// <param name="Energy">Energy of the final positions.</param>
/// <param name="MaxForce">Largest per-atom force norm at the end.</param>
/// <param name="Steps">Force evaluations taken.</param>
/// <param name="Converged">Whether <see cref="MaxForce"/> fell below the requested threshold.</param>
public readonly record struct FireResult(double Energy, double MaxForce, int Steps, bool Converged);

/// <summary>
/// The Fast Inertial Relaxation Engine of Bitzek, Bitzek, Gumbsch, Moseley and Gumbsch (2006), with the
/// parameters and step rules ASE's <c>FIRE</c> uses: dt 0.1, dt_max 1.0, N_min 5, f_inc 1.1, f_dec 0.5,
/// α_start 0.1, f_α 0.99, and the whole step's length capped at max_step 0.2. Converged when every
/// atom's force norm is below f_max.
/// </summary>
public sealed record Fire
{
    /// <summary>Initial time step.</summary>
    public double Dt { get; init; } = 0.1;

    /// <summary>Largest time step.</summary>
    public double DtMax { get; init; } = 1.0;

    /// <summary>Downhill steps before dt may grow.</summary>
    public int NMin { get; init; } = 5;

    /// <summary>Time-step growth factor.</summary>
    public double FInc { get; init; } = 1.1;

    /// <summary>Time-step shrink factor after an uphill step.</summary>
    public double FDec { get; init; } = 0.5;

    /// <summary>Initial (and reset) mixing α.</summary>
    public double AlphaStart { get; init; } = 0.1;

    /// <summary>Decay of α on downhill steps.</summary>
    public double FAlpha { get; init; } = 0.99;

    /// <summary>Cap on the Euclidean length of one step's displacement of all atoms together.</summary>
    public double MaxStep { get; init; } = 0.2;

    /// <summary>
    /// Relaxes <paramref name="positions"/> in place until the largest per-atom force norm is below
    /// <paramref name="fmax"/> or <paramref name="maxSteps"/> force evaluations are spent.
    /// </summary>
    /// <param name="positions">Row-major positions [N·3], updated in place.</param>
    /// <param name="energyAndForces">Writes −∇E into its second argument and returns E.</param>
    /// <param name="fmax">Force threshold (> 0).</param>
    /// <param name="maxSteps">Step budget (≥ 1).</param>
    public FireResult Relax(Span<double> positions, EnergyAndForces energyAndForces, double fmax = 0.05, int maxSteps = 1000)
    {
        ArgumentNullException.ThrowIfNull(energyAndForces);
        if (!(fmax > 0)) throw new ArgumentOutOfRangeException(nameof(fmax), fmax, "Fire.Relax: fmax must be > 0");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSteps);
        if (positions.Length % 3 != 0) throw new ArgumentException($"Fire.Relax: positions must hold 3 values per atom, got {positions.Length}", nameof(positions));
        var f = new double[positions.Length];
        var v = new double[positions.Length];
        double dt = Dt, a = AlphaStart;
        int downhill = 0;
        bool first = true;
        for (int step = 0; ; step++)
        {
            double e = energyAndForces(positions, f);
            double worst = MaxAtomForce(f);
            if (worst < fmax) return new FireResult(e, worst, step, true);
            if (step == maxSteps) return new FireResult(e, worst, step, false);
            if (!first)
            {
                double vf = Dot(v, f);
                if (vf > 0)
                {
                    // Mix the velocity toward the force direction, keeping its length.
                    double scale = a * Math.Sqrt(Dot(v, v) / Dot(f, f));
                    for (int k = 0; k < v.Length; k++) v[k] = (1 - a) * v[k] + scale * f[k];
                    if (downhill > NMin)
                    {
                        dt = Math.Min(dt * FInc, DtMax);
                        a *= FAlpha;
                    }
                    downhill++;
                }
                else
                {
                    Array.Clear(v);
                    a = AlphaStart;
                    dt *= FDec;
                    downhill = 0;
                }
            }
            first = false;
            for (int k = 0; k < v.Length; k++) v[k] += dt * f[k];
            double norm = dt * Math.Sqrt(Dot(v, v));
            double shrink = norm > MaxStep ? MaxStep / norm : 1;
            for (int k = 0; k < v.Length; k++) positions[k] += shrink * dt * v[k];
        }
    }

    /// <summary>The largest per-atom force norm of row-major forces [N·3].</summary>
    public static double MaxAtomForce(ReadOnlySpan<double> forces)
    {
        double worst = 0;
        for (int i = 0; i + 2 < forces.Length; i += 3)
            worst = Math.Max(worst, Math.Sqrt(forces[i] * forces[i] + forces[i + 1] * forces[i + 1] + forces[i + 2] * forces[i + 2]));
        return worst;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++) s += a[k] * b[k];
        return s;
    }
}

/// <summary>An energy model for <see cref="Fire"/>: writes the forces −∇E into <paramref name="forces"/> and returns E.</summary>
/// <param name="positions">Row-major positions [N·3].</param>
/// <param name="forces">Destination of the forces [N·3].</param>
public delegate double EnergyAndForces(ReadOnlySpan<double> positions, Span<double> forces);
