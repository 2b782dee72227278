using SciKernels.Random;

namespace SciKernels.Data;

/// <summary>A sampled trajectory of <see cref="ChargedParticlesSimulator"/>.</summary>
/// <param name="Charges">Charge of each particle, [particles].</param>
/// <param name="Positions">Positions at the sampled frames, row-major [frames, particles, dimensions].</param>
/// <param name="Velocities">Velocities at the sampled frames, row-major [frames, particles, dimensions].</param>
/// <param name="Frames">Number of sampled frames.</param>
public sealed record ChargedParticlesTrajectory(double[] Charges, double[] Positions, double[] Velocities, int Frames);

/// <summary>
/// The charged-particles system of Kipf et al.'s NRI simulator (<c>ChargedParticlesSim</c>) as modified
/// for the EGNN paper's N-body experiment (github.com/vgsatorras/egnn, n_body_system/dataset/synthetic_sim.py):
/// particles with charges ±1 (probability ½ each) in 3D, pairwise force
/// F_i = Σ_{j≠i} k q_i q_j (x_i − x_j)/‖x_i − x_j‖³ (like charges repel), unit masses, no box.
/// </summary>
/// <remarks>
/// <para>Conventions matched from the reference, in its order:</para>
/// <list type="number">
/// <item>Draws: charges first, then positions ~ N(0, loc_std²) with loc_std = 1, then velocities: Gaussian
/// directions rescaled to norm 0.5 per particle (EGNN's <c>vel_norm = 0.5</c>).</item>
/// <item>The initial state is reflected into the box [−5, 5]³ once (the reference's <c>_clamp</c> on the
/// initial state); during the run there are no walls (the reference comments that call out).</item>
/// <item>Integration: one kick v ← v + dt·F(x₀), then per step x ← x + dt·v, (sample), v ← v + dt·F(x),
/// with dt = 0.001 and each force component clamped to ±0.1/dt = ±100 — a kick-drift (symplectic Euler)
/// scheme; sampled velocities are those that produced the sampled positions.</item>
/// <item>Frame k (0-based) is the state after step (k + 1)·sampleEvery: the reference's frame counter
/// starts at 0 and overwrites the initial state with the first sample.</item>
/// </list>
/// <para>Differences, none of which changes the distribution: our own generator (xoshiro256**) instead of
/// NumPy's, and squared distances as Σ(x_i − x_j)² rather than ‖x_i‖² + ‖x_j‖² − 2x_i·x_j (more accurate).
/// Fed our initial states, the reference's <c>sample_trajectory(T=5000, sample_freq=100)</c> reproduces our
/// frames 30 and 40 to ~1e-14 (median over 30 systems; chaotic close encounters amplify the rounding
/// differences in a few).</para>
/// </remarks>
public sealed record ChargedParticlesSimulator
{
    /// <summary>Number of particles (5 in the paper).</summary>
    public int Particles { get; init; } = 5;

    /// <summary>Spatial dimensions (3 in the EGNN paper; NRI used 2).</summary>
    public int Dimensions { get; init; } = 3;

    /// <summary>Integrator time step (the reference's <c>_delta_T</c>).</summary>
    public double TimeStep { get; init; } = 0.001;

    /// <summary>Coupling constant k of the force.</summary>
    public double InteractionStrength { get; init; } = 1.0;

    /// <summary>Standard deviation of the initial positions (1, times (n/5)^⅓ in the reference, i.e. 1 for 5 particles).</summary>
    public double LocationStd { get; init; } = 1.0;

    /// <summary>Speed of every particle at the start (EGNN's <c>vel_norm</c>).</summary>
    public double VelocityNorm { get; init; } = 0.5;

    /// <summary>Half-width of the box the initial state is reflected into.</summary>
    public double BoxSize { get; init; } = 5.0;

    /// <summary>Bound on each force component; null means the reference's 0.1/<see cref="TimeStep"/>.</summary>
    public double? MaxForce { get; init; }

    private double ForceBound => MaxForce ?? 0.1 / TimeStep;

    /// <summary>
    /// Draws an initial state and integrates it, sampling every <paramref name="sampleEvery"/> steps.
    /// </summary>
    /// <param name="generator">Source of the charges, positions and velocities.</param>
    /// <param name="frames">Number of frames to keep; the run takes frames·sampleEvery steps.</param>
    /// <param name="sampleEvery">Steps between frames (100 in the reference).</param>
    public ChargedParticlesTrajectory Sample(Generator generator, int frames, int sampleEvery = 100)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleEvery);
        var (q, x, v) = InitialState(generator);
        return Integrate(q, x, v, frames, sampleEvery);
    }

    /// <summary>
    /// Integrates a given initial state (as <see cref="InitialState(Generator)"/> returns it), sampling every
    /// <paramref name="sampleEvery"/> steps. The arrays are not modified.
    /// </summary>
    /// <param name="charges">Charges, [particles].</param>
    /// <param name="initialPositions">Positions, [particles, dimensions].</param>
    /// <param name="initialVelocities">Velocities, [particles, dimensions].</param>
    /// <param name="frames">Number of frames to keep; the run takes frames·sampleEvery steps.</param>
    /// <param name="sampleEvery">Steps between frames (100 in the reference).</param>
    public ChargedParticlesTrajectory Integrate(double[] charges, double[] initialPositions, double[] initialVelocities, int frames, int sampleEvery = 100)
    {
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(initialPositions);
        ArgumentNullException.ThrowIfNull(initialVelocities);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleEvery);
        Validate();
        int n = Particles, d = Dimensions, size = n * d;
        if (charges.Length != n || initialPositions.Length != size || initialVelocities.Length != size)
            throw new ArgumentException(FormattableString.Invariant(
                $"ChargedParticlesSimulator.Integrate: expected charges [{n}] and positions/velocities [{n}, {d}], got {charges.Length}, {initialPositions.Length} and {initialVelocities.Length} values"));
        var q = (double[])charges.Clone();
        var x = (double[])initialPositions.Clone();
        var v = (double[])initialVelocities.Clone();
        var positions = new double[frames * size];
        var velocities = new double[frames * size];
        var f = new double[size];
        double dt = TimeStep;
        Forces(x, q, f);
        for (int k = 0; k < size; k++) v[k] += dt * f[k];
        int steps = frames * sampleEvery;
        for (int step = 1; step <= steps; step++)
        {
            for (int k = 0; k < size; k++) x[k] += dt * v[k];
            if (step % sampleEvery == 0)
            {
                int frame = step / sampleEvery - 1;
                x.CopyTo(positions, frame * size);
                v.CopyTo(velocities, frame * size);
                if (step == steps) break; // the last kick would not be sampled
            }
            Forces(x, q, f);
            for (int k = 0; k < size; k++) v[k] += dt * f[k];
        }
        return new ChargedParticlesTrajectory(q, positions, velocities, frames);
    }

    /// <summary>
    /// The initial charges [n], positions and velocities [n, d] drawn as the reference does (charges,
    /// then positions, then velocities, each coordinate-major), reflected into the box.
    /// </summary>
    public (double[] Charges, double[] Positions, double[] Velocities) InitialState(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return InitialState(generator.NextDouble, generator.NextNormal);
    }

    /// <summary>
    /// The initial state drawn from NumPy's legacy stream in the reference's order
    /// (<c>np.random.choice(…, p)</c> for the charges — one <c>random_sample</c> per particle, −1 below ½ — then
    /// <c>randn(3, n)</c> twice), so that <c>np.random.seed(s)</c> data sets are regenerated system for system.
    /// </summary>
    /// <param name="numpy">The NumPy legacy stream, positioned at this system's first draw.</param>
    public (double[] Charges, double[] Positions, double[] Velocities) InitialState(NumPyLegacyRandom numpy)
    {
        ArgumentNullException.ThrowIfNull(numpy);
        return InitialState(numpy.NextDouble, numpy.NextNormal);
    }

    private (double[] Charges, double[] Positions, double[] Velocities) InitialState(Func<double> uniform, Func<double> normal)
    {
        Validate();
        int n = Particles, d = Dimensions;
        var q = new double[n];
        for (int i = 0; i < n; i++) q[i] = uniform() < 0.5 ? -1.0 : 1.0;
        var x = new double[n * d];
        var v = new double[n * d];
        // NumPy draws randn(dim, n): coordinate-major; we store particle-major [n, d].
        for (int a = 0; a < d; a++)
            for (int i = 0; i < n; i++) x[i * d + a] = normal() * LocationStd;
        for (int a = 0; a < d; a++)
            for (int i = 0; i < n; i++) v[i * d + a] = normal();
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int a = 0; a < d; a++) s += v[i * d + a] * v[i * d + a];
            double scale = VelocityNorm / Math.Sqrt(s);
            for (int a = 0; a < d; a++) v[i * d + a] *= scale;
        }
        for (int k = 0; k < x.Length; k++)
        {
            // Elastic reflection off the walls, applied once to the initial state as in the reference.
            if (x[k] > BoxSize)
            {
                x[k] = 2 * BoxSize - x[k];
                v[k] = -Math.Abs(v[k]);
            }
            else if (x[k] < -BoxSize)
            {
                x[k] = -2 * BoxSize - x[k];
                v[k] = Math.Abs(v[k]);
            }
        }
        return (q, x, v);
    }

    /// <summary>
    /// F_i = Σ_{j≠i} k q_i q_j (x_i − x_j)/‖x_i − x_j‖³ into <paramref name="forces"/> [n, d], each component
    /// clamped to ±<see cref="MaxForce"/>.
    /// </summary>
    public void Forces(ReadOnlySpan<double> positions, ReadOnlySpan<double> charges, Span<double> forces)
    {
        int n = Particles, d = Dimensions;
        double bound = ForceBound;
        Span<double> diff = stackalloc double[d];
        for (int i = 0; i < n; i++)
        {
            var fi = forces.Slice(i * d, d);
            fi.Clear();
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double r2 = 0;
                for (int a = 0; a < d; a++)
                {
                    diff[a] = positions[i * d + a] - positions[j * d + a];
                    r2 += diff[a] * diff[a];
                }
                double size = InteractionStrength * charges[i] * charges[j] / (r2 * Math.Sqrt(r2));
                for (int a = 0; a < d; a++) fi[a] += size * diff[a];
            }
            for (int a = 0; a < d; a++) fi[a] = Math.Clamp(fi[a], -bound, bound);
        }
    }

    /// <summary>Total energy ½Σ‖v_i‖² + Σ_{i&lt;j} k q_i q_j/‖x_i − x_j‖ (the reference's <c>_energy</c>).</summary>
    public double Energy(ReadOnlySpan<double> positions, ReadOnlySpan<double> velocities, ReadOnlySpan<double> charges)
    {
        int n = Particles, d = Dimensions;
        double kinetic = 0, potential = 0;
        for (int k = 0; k < n * d; k++) kinetic += 0.5 * velocities[k] * velocities[k];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double r2 = 0;
                for (int a = 0; a < d; a++)
                {
                    double t = positions[i * d + a] - positions[j * d + a];
                    r2 += t * t;
                }
                potential += InteractionStrength * charges[i] * charges[j] / Math.Sqrt(r2);
            }
        return kinetic + potential;
    }

    private void Validate()
    {
        if (Particles < 2) throw new ArgumentOutOfRangeException(nameof(Particles), Particles, "ChargedParticlesSimulator: need at least 2 particles");
        if (Dimensions < 1) throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "ChargedParticlesSimulator: need at least 1 dimension");
        if (!(TimeStep > 0) || !double.IsFinite(TimeStep)) throw new ArgumentOutOfRangeException(nameof(TimeStep), TimeStep, "ChargedParticlesSimulator: time step must be positive and finite");
        if (!(LocationStd > 0) || !(VelocityNorm >= 0) || !(BoxSize > 0) || !(ForceBound > 0))
            throw new ArgumentOutOfRangeException(nameof(LocationStd), "ChargedParticlesSimulator: location std, box size and force bound must be positive, velocity norm non-negative");
    }
}
