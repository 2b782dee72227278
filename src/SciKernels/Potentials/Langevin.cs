using SciKernels.Random;

namespace SciKernels.Potentials;

/// <summary>
/// NVT molecular dynamics with a Langevin thermostat, the conventions of ASE's <c>ase.md.langevin.Langevin</c>
/// (version 4): the quasi-symplectic splitting of Vanden-Eijnden and Ciccotti (Chem. Phys. Lett. 429, 310
/// (2006), eq. 23), two standard normal vectors ξ, η per step, and the centre of mass held fixed (ASE's
/// <c>fixcm=True</c>).
/// </summary>
/// <remarks>
/// <para>With γ the friction and σ = √(2 k_B T γ / m), a step of length h is
/// v ← v + c1 F/m − c2 v + c3 ξ − c4 η;  x ← x + h v + c5 η (then the centre of mass moved back);
/// v ← (x_new − x_old − c5 η)/h; new forces; v ← v + c1 F/m − c2 v + c3 ξ − c4 η (then the centre-of-mass
/// velocity removed), with c1 = h/2 − h²γ/8, c2 = hγ/2 − h²γ²/8, c3 = √h σ/2 − h^1.5 γ σ/8,
/// c5 = h^1.5 σ/(2√3), c4 = γ c5/2.</para>
/// <para>Friction is given per femtosecond (0.01/fs: velocities forget themselves in about 100 fs); ASE's
/// <c>friction</c> argument is in inverse ASE time units, so ASE's <c>friction=f/units.fs</c> is this class's
/// <c>f</c>. The noise comes from one <see cref="Generator"/> (ξ for all atoms, then η, every step): same
/// seed, same trajectory, bit for bit.</para>
/// <para>A run stops with an <see cref="InvalidOperationException"/> when, besides the checks of every
/// integrator, the potential energy per atom moves more than <see cref="MaxPotentialEnergyChangePerAtom"/>
/// from its start (the thermostat exchanges energy, so the total energy is no test here).</para>
/// </remarks>
public sealed class Langevin : MolecularDynamics
{
    private readonly Generator generator;
    private readonly double[] c3, c4, c5;
    private readonly double c1, c2;
    private readonly double[] xi, eta, old;
    private readonly double totalMass;

    /// <summary>Starts a run at <paramref name="temperatureK"/>: computes the forces at the initial positions.</summary>
    /// <param name="calculator">The potential (e.g. <see cref="Emt"/>).</param>
    /// <param name="numbers">Atomic numbers, N values.</param>
    /// <param name="positions">Initial positions (Å), N·3 values; copied.</param>
    /// <param name="velocities">Initial velocities (Å per ASE time unit), N·3 values; copied.</param>
    /// <param name="cell">The cell (rows = lattice vectors), 9 values, or empty.</param>
    /// <param name="pbc">Periodicity per axis, or empty.</param>
    /// <param name="timestepFs">Time step (fs), positive and finite.</param>
    /// <param name="temperatureK">Target temperature (K), finite and ≥ 0.</param>
    /// <param name="frictionPerFs">Friction γ (1/fs), finite and ≥ 0; 0 gives velocity Verlet.</param>
    /// <param name="generator">The random source of the noise; advanced by 6N normal draws per step.</param>
    public Langevin(IAtomsCalculator calculator, int[] numbers, double[] positions, double[] velocities, double[] cell, bool[] pbc,
        double timestepFs, double temperatureK, double frictionPerFs, Generator generator)
        : base(calculator, numbers, positions, velocities, cell, pbc, timestepFs)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (!(temperatureK >= 0) || !double.IsFinite(temperatureK))
            throw new ArgumentException($"Langevin: the temperature must be finite and ≥ 0; got {temperatureK:R} K.", nameof(temperatureK));
        if (!(frictionPerFs >= 0) || !double.IsFinite(frictionPerFs))
            throw new ArgumentException($"Langevin: the friction must be finite and ≥ 0; got {frictionPerFs:R} 1/fs.", nameof(frictionPerFs));
        this.generator = generator;
        TargetTemperature = temperatureK;
        FrictionPerFs = frictionPerFs;
        double h = Dt, fr = frictionPerFs / Femtosecond, kt = Boltzmann * temperatureK;
        c1 = h / 2 - h * h * fr / 8;
        c2 = h * fr / 2 - h * h * fr * fr / 8;
        int n = NumAtoms;
        c3 = new double[n];
        c4 = new double[n];
        c5 = new double[n];
        for (int a = 0; a < n; a++)
        {
            double sigma = Math.Sqrt(2 * kt * fr / MassOf[a]);
            c3[a] = Math.Sqrt(h) * sigma / 2 - Math.Pow(h, 1.5) * fr * sigma / 8;
            c5[a] = Math.Pow(h, 1.5) * sigma / (2 * Math.Sqrt(3));
            c4[a] = fr / 2 * c5[a];
            totalMass += MassOf[a];
        }
        xi = new double[3 * n];
        eta = new double[3 * n];
        old = new double[3 * n];
    }

    /// <summary>The target temperature (K).</summary>
    public double TargetTemperature { get; }

    /// <summary>The friction (1/fs).</summary>
    public double FrictionPerFs { get; }

    /// <summary>Largest allowed |E_pot − E_pot(0)| per atom (eV) before the run is stopped as exploded.</summary>
    public double MaxPotentialEnergyChangePerAtom { get; init; } = 2.0;

    /// <inheritdoc/>
    protected override void Step()
    {
        int n3 = Positions.Length;
        generator.FillNormal(xi);
        generator.FillNormal(eta);
        double h = Dt;
        var f = Current.Forces;
        Kick(f);
        Array.Copy(Positions, old, n3);
        var com0 = CentreOfMass(Positions);
        for (int k = 0; k < n3; k++) Positions[k] += h * Velocities[k] + c5[k / 3] * eta[k];
        var com1 = CentreOfMass(Positions);
        for (int k = 0; k < n3; k++) Positions[k] += com0[k % 3] - com1[k % 3];
        // The velocity the position update implies, after the centre-of-mass correction (ASE recomputes it the same way).
        for (int k = 0; k < n3; k++) Velocities[k] = (Positions[k] - old[k] - c5[k / 3] * eta[k]) / h;
        Recompute();
        Kick(Current.Forces);
        var vcm = CentreOfMass(Velocities);
        for (int k = 0; k < n3; k++) Velocities[k] -= vcm[k % 3];
    }

    /// <summary>The half step in the velocities: deterministic force, friction and the two noise terms.</summary>
    private void Kick(double[] f)
    {
        for (int k = 0; k < Velocities.Length; k++)
        {
            int a = k / 3;
            Velocities[k] += c1 * f[k] / MassOf[a] - c2 * Velocities[k] + c3[a] * xi[k] - c4[a] * eta[k];
        }
    }

    /// <summary>Mass-weighted mean of a per-atom vector field.</summary>
    private double[] CentreOfMass(double[] x)
    {
        double[] c = new double[3];
        for (int a = 0; a < MassOf.Length; a++)
            for (int d = 0; d < 3; d++) c[d] += MassOf[a] * x[3 * a + d];
        for (int d = 0; d < 3; d++) c[d] /= totalMass;
        return c;
    }

    /// <inheritdoc/>
    protected override string? CheckStep()
    {
        double e = Current.Energy;
        return Math.Abs(e - InitialPotentialEnergy) > MaxPotentialEnergyChangePerAtom * NumAtoms
            ? $"potential energy {e:R} eV from {InitialPotentialEnergy:R} eV, more than the limit of {MaxPotentialEnergyChangePerAtom:R} eV/atom"
            : null;
    }
}
