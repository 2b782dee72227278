using SciKernels.Random;

namespace SciKernels.Potentials;

/// <summary>
/// NVE molecular dynamics with EMT: velocity Verlet in ASE's units (Å, eV, amu; time in Å·√(amu/eV), so one
/// femtosecond is <see cref="Femtosecond"/>, ASE's <c>ase.units.fs</c>; velocities as ASE's <c>atoms.get_velocities()</c>).
/// </summary>
/// <remarks>
/// Stops with an <see cref="InvalidOperationException"/> when the energy or a position stops being finite, or
/// the total energy moves more than <see cref="MaxEnergyDriftPerAtom"/> per atom from its start, rather than
/// writing a trajectory of NaNs.
/// </remarks>
public sealed class VelocityVerlet
{
    /// <summary>One femtosecond in ASE's time unit Å·√(amu/eV) (ase.units.fs).</summary>
    public const double Femtosecond = 0.09822694788464063;

    /// <summary>Boltzmann's constant in eV/K (ase.units.kB).</summary>
    public const double Boltzmann = 8.617330337217213e-05;

    private readonly Emt emt;
    private readonly int[] numbers;
    private readonly double[] cell;
    private readonly bool[] pbc;
    private readonly double[] masses;
    private readonly double dt;
    private readonly double initialEnergy;

    /// <summary>Starts a run: computes the forces at the initial positions.</summary>
    /// <param name="emt">The potential.</param>
    /// <param name="numbers">Atomic numbers, N values (EMT elements).</param>
    /// <param name="positions">Initial positions (Å), N·3 values; copied.</param>
    /// <param name="velocities">Initial velocities (Å per ASE time unit), N·3 values; copied.</param>
    /// <param name="cell">The cell (rows = lattice vectors), 9 values, or empty.</param>
    /// <param name="pbc">Periodicity per axis, or empty.</param>
    /// <param name="timestepFs">Time step in femtoseconds, positive and finite.</param>
    public VelocityVerlet(Emt emt, int[] numbers, double[] positions, double[] velocities, double[] cell, bool[] pbc, double timestepFs)
    {
        if (!(timestepFs > 0) || !double.IsFinite(timestepFs))
            throw new ArgumentException($"VelocityVerlet: the time step must be positive and finite; got {timestepFs:R} fs.", nameof(timestepFs));
        if (velocities.Length != positions.Length)
            throw new ArgumentException($"VelocityVerlet: {positions.Length / 3} positions but {velocities.Length} velocity values.", nameof(velocities));
        foreach (double v in velocities)
            if (!double.IsFinite(v)) throw new ArgumentException("VelocityVerlet: a velocity is not finite.", nameof(velocities));
        this.emt = emt;
        this.numbers = (int[])numbers.Clone();
        this.cell = (double[])cell.Clone();
        this.pbc = (bool[])pbc.Clone();
        Positions = (double[])positions.Clone();
        Velocities = (double[])velocities.Clone();
        dt = timestepFs * Femtosecond;
        Current = emt.Calculate(Positions, this.numbers, this.cell, this.pbc);
        masses = Masses(numbers);
        initialEnergy = TotalEnergy;
    }

    /// <summary>Largest allowed |E_total − E_total(0)| per atom (eV) before the run is stopped as exploded.</summary>
    public double MaxEnergyDriftPerAtom { get; init; } = 1.0;

    /// <summary>Current positions (Å), N·3.</summary>
    public double[] Positions { get; }

    /// <summary>Current velocities (Å per ASE time unit), N·3.</summary>
    public double[] Velocities { get; }

    /// <summary>Energy, forces and stress at the current positions.</summary>
    public EmtResult Current { get; private set; }

    /// <summary>Steps taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>Kinetic energy Σ ½ m v² (eV).</summary>
    public double KineticEnergy
    {
        get
        {
            double k = 0;
            for (int a = 0; a < masses.Length; a++)
                k += 0.5 * masses[a] * (Velocities[3 * a] * Velocities[3 * a] + Velocities[3 * a + 1] * Velocities[3 * a + 1] + Velocities[3 * a + 2] * Velocities[3 * a + 2]);
            return k;
        }
    }

    /// <summary>Potential plus kinetic energy (eV).</summary>
    public double TotalEnergy => Current.Energy + KineticEnergy;

    /// <summary>Instantaneous temperature 2 K / (3 N k_B) (K), as ASE's <c>atoms.get_temperature()</c>.</summary>
    public double Temperature => 2 * KineticEnergy / (3 * masses.Length * Boltzmann);

    /// <summary>Advances <paramref name="steps"/> velocity-Verlet steps.</summary>
    /// <param name="steps">Number of steps (≥ 0).</param>
    /// <exception cref="InvalidOperationException">The run exploded (non-finite or drifting energy).</exception>
    public void Run(int steps)
    {
        for (int s = 0; s < steps; s++)
        {
            var f = Current.Forces;
            for (int k = 0; k < Positions.Length; k++)
            {
                Velocities[k] += 0.5 * dt * f[k] / masses[k / 3];
                Positions[k] += dt * Velocities[k];
            }
            Current = emt.Calculate(Positions, numbers, cell, pbc);
            f = Current.Forces;
            for (int k = 0; k < Positions.Length; k++) Velocities[k] += 0.5 * dt * f[k] / masses[k / 3];
            StepCount++;
            double e = TotalEnergy;
            if (!double.IsFinite(e) || Math.Abs(e - initialEnergy) > MaxEnergyDriftPerAtom * masses.Length)
                throw new InvalidOperationException(
                    $"VelocityVerlet: the run exploded at step {StepCount}: total energy {e:R} eV from {initialEnergy:R} eV " +
                    $"({masses.Length} atoms, limit {MaxEnergyDriftPerAtom:R} eV/atom); reduce the time step or check the structure.");
        }
    }

    /// <summary>ASE's atomic masses (amu) of the atoms.</summary>
    /// <param name="numbers">Atomic numbers (EMT elements).</param>
    public static double[] Masses(ReadOnlySpan<int> numbers)
    {
        var m = new double[numbers.Length];
        for (int a = 0; a < numbers.Length; a++)
            m[a] = (EmtParameters.Find(numbers[a]) ?? throw new ArgumentException($"VelocityVerlet: no EMT element with atomic number {numbers[a]} (atom {a}).", nameof(numbers))).Mass;
        return m;
    }

    /// <summary>
    /// Maxwell–Boltzmann velocities at <paramref name="temperatureK"/>, with the centre-of-mass motion removed
    /// (so the instantaneous temperature is somewhat below the target for few atoms, as with ASE's
    /// MaxwellBoltzmannDistribution + Stationary). Same seed, same velocities.
    /// </summary>
    /// <param name="numbers">Atomic numbers (EMT elements).</param>
    /// <param name="temperatureK">Temperature (K), ≥ 0.</param>
    /// <param name="seed">Random seed.</param>
    public static double[] MaxwellBoltzmann(ReadOnlySpan<int> numbers, double temperatureK, ulong seed)
    {
        if (!(temperatureK >= 0) || !double.IsFinite(temperatureK))
            throw new ArgumentException($"VelocityVerlet.MaxwellBoltzmann: temperature must be finite and ≥ 0; got {temperatureK:R} K.", nameof(temperatureK));
        var m = Masses(numbers);
        var gen = new Generator(seed);
        var v = new double[3 * m.Length];
        double[] p = new double[3];
        double total = 0;
        for (int a = 0; a < m.Length; a++)
        {
            double sd = Math.Sqrt(temperatureK * Boltzmann / m[a]);
            for (int c = 0; c < 3; c++)
            {
                v[3 * a + c] = sd * gen.NextNormal();
                p[c] += m[a] * v[3 * a + c];
            }
            total += m[a];
        }
        for (int a = 0; a < m.Length; a++)
            for (int c = 0; c < 3; c++) v[3 * a + c] -= p[c] / total;
        return v;
    }
}
