using SciKernels.Random;

namespace SciKernels.Potentials;

/// <summary>
/// The state and bookkeeping shared by the integrators (<see cref="VelocityVerlet"/>, <see cref="Langevin"/>):
/// positions, velocities, the calculator's results at the current positions, kinetic energy and temperature,
/// in ASE's units (Å, eV, amu; time in Å·√(amu/eV), so one femtosecond is <see cref="Femtosecond"/>;
/// velocities as ASE's <c>atoms.get_velocities()</c>).
/// </summary>
/// <remarks>
/// A step whose energy or positions stop being finite, whose calculator rejects the configuration (atoms on
/// top of each other) or whose integrator-specific bound fails (<see cref="CheckStep"/>) stops the run with an
/// <see cref="InvalidOperationException"/> naming the step, rather than writing a trajectory of NaNs.
/// </remarks>
public abstract class MolecularDynamics
{
    /// <summary>One femtosecond in ASE's time unit Å·√(amu/eV) (ase.units.fs).</summary>
    public const double Femtosecond = 0.09822694788464063;

    /// <summary>Boltzmann's constant in eV/K (ase.units.kB).</summary>
    public const double Boltzmann = 8.617330337217213e-05;

    private readonly int[] numbers;
    private readonly double[] cell;
    private readonly bool[] pbc;

    /// <summary>Starts a run: checks the input and computes the forces at the initial positions.</summary>
    /// <param name="calculator">The potential.</param>
    /// <param name="numbers">Atomic numbers, N values (elements with a known mass, see <see cref="Masses"/>).</param>
    /// <param name="positions">Initial positions (Å), N·3 values; copied.</param>
    /// <param name="velocities">Initial velocities (Å per ASE time unit), N·3 values; copied.</param>
    /// <param name="cell">The cell (rows = lattice vectors), 9 values, or empty.</param>
    /// <param name="pbc">Periodicity per axis, or empty.</param>
    /// <param name="timestepFs">Time step in femtoseconds, positive and finite.</param>
    protected MolecularDynamics(IAtomsCalculator calculator, int[] numbers, double[] positions, double[] velocities, double[] cell, bool[] pbc, double timestepFs)
    {
        ArgumentNullException.ThrowIfNull(calculator);
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(velocities);
        string who = GetType().Name;
        if (!(timestepFs > 0) || !double.IsFinite(timestepFs))
            throw new ArgumentException($"{who}: the time step must be positive and finite; got {timestepFs:R} fs.", nameof(timestepFs));
        if (positions.Length != 3L * numbers.Length)
            throw new ArgumentException($"{who}: {numbers.Length} atomic numbers but {positions.Length} position values.", nameof(positions));
        if (velocities.Length != positions.Length)
            throw new ArgumentException($"{who}: {positions.Length / 3} positions but {velocities.Length} velocity values.", nameof(velocities));
        for (int k = 0; k < velocities.Length; k++)
            if (!double.IsFinite(velocities[k])) throw new ArgumentException($"{who}: the velocity of atom {k / 3} is not finite.", nameof(velocities));
        Calculator = calculator;
        this.numbers = (int[])numbers.Clone();
        this.cell = (double[])(cell ?? []).Clone();
        this.pbc = (bool[])(pbc ?? []).Clone();
        Positions = (double[])positions.Clone();
        Velocities = (double[])velocities.Clone();
        TimestepFs = timestepFs;
        Dt = timestepFs * Femtosecond;
        MassOf = Masses(numbers);
        Current = calculator.Calculate(Positions, this.numbers, this.cell, this.pbc);
        if (!double.IsFinite(Current.Energy))
            throw new ArgumentException($"{who}: the initial energy from {calculator.Name} is not finite ({Current.Energy:R} eV).", nameof(positions));
        InitialEnergy = TotalEnergy;
        InitialPotentialEnergy = Current.Energy;
    }

    /// <summary>The potential.</summary>
    public IAtomsCalculator Calculator { get; }

    /// <summary>Number of atoms.</summary>
    public int NumAtoms => numbers.Length;

    /// <summary>The atomic numbers (a copy).</summary>
    public int[] Numbers => (int[])numbers.Clone();

    /// <summary>The cell (a copy; empty without one).</summary>
    public double[] Cell => (double[])cell.Clone();

    /// <summary>Periodicity per axis (a copy; empty when not given).</summary>
    public bool[] Pbc => (bool[])pbc.Clone();

    /// <summary>The time step (fs).</summary>
    public double TimestepFs { get; }

    /// <summary>The time step in ASE time units.</summary>
    protected double Dt { get; }

    /// <summary>Per-atom masses (amu), [N].</summary>
    protected double[] MassOf { get; }

    /// <summary>Total energy at the start (eV).</summary>
    public double InitialEnergy { get; }

    /// <summary>Potential energy at the start (eV).</summary>
    public double InitialPotentialEnergy { get; }

    /// <summary>Current positions (Å), N·3.</summary>
    public double[] Positions { get; }

    /// <summary>Current velocities (Å per ASE time unit), N·3.</summary>
    public double[] Velocities { get; }

    /// <summary>Energy, forces and stress at the current positions.</summary>
    public CalculatorResult Current { get; private set; }

    /// <summary>Steps taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>Simulated time (fs).</summary>
    public double TimeFs => StepCount * TimestepFs;

    /// <summary>Kinetic energy Σ ½ m v² (eV).</summary>
    public double KineticEnergy
    {
        get
        {
            double k = 0;
            for (int a = 0; a < MassOf.Length; a++)
                k += 0.5 * MassOf[a] * (Velocities[3 * a] * Velocities[3 * a] + Velocities[3 * a + 1] * Velocities[3 * a + 1] + Velocities[3 * a + 2] * Velocities[3 * a + 2]);
            return k;
        }
    }

    /// <summary>Potential plus kinetic energy (eV).</summary>
    public double TotalEnergy => Current.Energy + KineticEnergy;

    /// <summary>Instantaneous temperature 2 K / (3 N k_B) (K), as ASE's <c>atoms.get_temperature()</c> (3N degrees of freedom).</summary>
    public double Temperature => 2 * KineticEnergy / (3 * MassOf.Length * Boltzmann);

    /// <summary>Advances <paramref name="steps"/> steps.</summary>
    /// <param name="steps">Number of steps (≥ 0).</param>
    /// <exception cref="InvalidOperationException">The run exploded (non-finite energy or positions, atoms on top of each other, or the integrator's bound).</exception>
    public void Run(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        for (int s = 0; s < steps; s++)
        {
            Step();
            StepCount++;
            double e = TotalEnergy;
            if (!double.IsFinite(e))
                throw Exploded(StepCount, $"the total energy is {e:R} eV");
            if (CheckStep() is { } why)
                throw Exploded(StepCount, why);
        }
    }

    /// <summary>One step: moves <see cref="Positions"/> and <see cref="Velocities"/>, calling <see cref="Recompute"/> for the new forces.</summary>
    protected abstract void Step();

    /// <summary>Null when the state after a step is plausible, else why the run is considered exploded.</summary>
    protected abstract string? CheckStep();

    /// <summary>Evaluates the potential at the current positions; a configuration it rejects (non-finite or coincident atoms) ends the run.</summary>
    protected void Recompute()
    {
        for (int k = 0; k < Positions.Length; k++)
            if (!double.IsFinite(Positions[k]))
                throw Exploded(StepCount + 1, $"the position of atom {k / 3} is not finite");
        try
        {
            Current = Calculator.Calculate(Positions, numbers, cell, pbc);
        }
        catch (ArgumentException e)
        {
            throw Exploded(StepCount + 1, e.Message, e);
        }
    }

    private InvalidOperationException Exploded(long step, string why, Exception? inner = null) =>
        new($"{GetType().Name}: the run exploded at step {step} ({NumAtoms} atoms, {Calculator.Name}, {TimestepFs:R} fs): {why}; reduce the time step or check the structure.", inner);

    /// <summary>ASE's atomic masses (amu) of the atoms.</summary>
    /// <param name="numbers">Atomic numbers (the elements of <see cref="Emt.Elements"/>).</param>
    public static double[] Masses(ReadOnlySpan<int> numbers)
    {
        var m = new double[numbers.Length];
        for (int a = 0; a < numbers.Length; a++)
            m[a] = (EmtParameters.Find(numbers[a]) ?? throw new ArgumentException($"MolecularDynamics: no mass for atomic number {numbers[a]} (atom {a}); known: {string.Join(", ", Emt.Elements)}.", nameof(numbers))).Mass;
        return m;
    }

    /// <summary>
    /// Maxwell–Boltzmann velocities at <paramref name="temperatureK"/>, with the centre-of-mass motion removed
    /// (so the instantaneous temperature is somewhat below the target for few atoms, as with ASE's
    /// MaxwellBoltzmannDistribution + Stationary). Same seed, same velocities.
    /// </summary>
    /// <param name="numbers">Atomic numbers (elements with a known mass).</param>
    /// <param name="temperatureK">Temperature (K), ≥ 0.</param>
    /// <param name="seed">Random seed.</param>
    public static double[] MaxwellBoltzmann(ReadOnlySpan<int> numbers, double temperatureK, ulong seed) =>
        MaxwellBoltzmann(numbers, temperatureK, new Generator(seed));

    /// <summary>Maxwell–Boltzmann velocities drawn from <paramref name="generator"/>, zero total momentum.</summary>
    /// <param name="numbers">Atomic numbers (elements with a known mass).</param>
    /// <param name="temperatureK">Temperature (K), ≥ 0.</param>
    /// <param name="generator">The random source (3N normal draws, atom by atom).</param>
    public static double[] MaxwellBoltzmann(ReadOnlySpan<int> numbers, double temperatureK, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (!(temperatureK >= 0) || !double.IsFinite(temperatureK))
            throw new ArgumentException($"MaxwellBoltzmann: temperature must be finite and ≥ 0; got {temperatureK:R} K.", nameof(temperatureK));
        var m = Masses(numbers);
        var v = new double[3 * m.Length];
        double[] p = new double[3];
        double total = 0;
        for (int a = 0; a < m.Length; a++)
        {
            double sd = Math.Sqrt(temperatureK * Boltzmann / m[a]);
            for (int c = 0; c < 3; c++)
            {
                v[3 * a + c] = sd * generator.NextNormal();
                p[c] += m[a] * v[3 * a + c];
            }
            total += m[a];
        }
        for (int a = 0; a < m.Length; a++)
            for (int c = 0; c < 3; c++) v[3 * a + c] -= p[c] / total;
        return v;
    }
}
