using System.Globalization;
using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Data;

/// <summary>The kinds of configurations <see cref="PotentialDatasets"/> generates.</summary>
public enum PotentialSystem
{
    /// <summary>Bulk FCC Cu, a cubic n×n×n supercell (4n³ atoms).</summary>
    Copper,
    /// <summary>Bulk FCC Cu with vacancies (random sites removed).</summary>
    CopperVacancy,
    /// <summary>A Cu(001) slab of n×n×n cubic cells with vacuum along z: trajectories alternate between z open (pbc T T F) and periodic with vacuum (T T T).</summary>
    CopperSurface,
    /// <summary>A random Cu–Au FCC alloy (each site Au with the given fraction, Vegard's lattice constant).</summary>
    CopperGold,
}

/// <summary>How <see cref="PotentialDatasets.Generate"/> makes a data set; every field has a usable default.</summary>
public sealed record PotentialDataOptions
{
    /// <summary>The configurations.</summary>
    public PotentialSystem System { get; init; } = PotentialSystem.Copper;

    /// <summary>Number of frames in all.</summary>
    public int Frames { get; init; } = 100;

    /// <summary>Langevin temperatures (K); trajectory t runs at <c>TemperaturesK[t % Length]</c>.</summary>
    public IReadOnlyList<double> TemperaturesK { get; init; } = [300, 600, 900, 1200];

    /// <summary>The seed: same seed and options, same frames bit for bit.</summary>
    public ulong Seed { get; init; }

    /// <summary>Supercell size n: n×n×n cubic FCC cells (4n³ sites).</summary>
    public int Repeat { get; init; } = 3;

    /// <summary>Frames taken from one trajectory (each trajectory has a fresh structure, strain and velocities).</summary>
    public int FramesPerTrajectory { get; init; } = 10;

    /// <summary>MD steps between two frames of a trajectory (decorrelation).</summary>
    public int Every { get; init; } = 25;

    /// <summary>MD steps before a trajectory's first frame.</summary>
    public int EquilibrationSteps { get; init; } = 200;

    /// <summary>Time step (fs).</summary>
    public double TimestepFs { get; init; } = 2;

    /// <summary>Langevin friction (1/fs).</summary>
    public double FrictionPerFs { get; init; } = 0.02;

    /// <summary>Largest random strain component: a symmetric ε with entries uniform in [−s, s] (slabs: in-plane only).</summary>
    public double MaxStrain { get; init; } = 0.02;

    /// <summary>Vacancies per structure (<see cref="PotentialSystem.CopperVacancy"/>).</summary>
    public int Vacancies { get; init; } = 1;

    /// <summary>Vacuum (Å) added along z for slabs (<see cref="PotentialSystem.CopperSurface"/>).</summary>
    public double Vacuum { get; init; } = 10;

    /// <summary>Fraction of Au sites (<see cref="PotentialSystem.CopperGold"/>).</summary>
    public double GoldFraction { get; init; } = 0.25;
}

/// <summary>
/// Reference data for interatomic potentials: configurations sampled by Langevin MD with a reference
/// calculator (EMT by default) and labelled with its energy, forces and stress, as extended-XYZ frames that
/// ASE reads (<see cref="PotentialFrames"/>). Deterministic per seed.
/// </summary>
/// <remarks>
/// Each trajectory draws from its own generator (seeded from the seed and the trajectory index): the structure
/// (vacancy sites, alloy occupation), a random strain of cell and positions, Maxwell–Boltzmann velocities at
/// its temperature, then <see cref="PotentialDataOptions.EquilibrationSteps"/> Langevin steps and one frame
/// every <see cref="PotentialDataOptions.Every"/> steps. Frames carry <c>config_type</c>, <c>temperature</c>
/// (the thermostat's, K), <c>trajectory</c> and <c>step</c> in their comment line.
/// </remarks>
public static class PotentialDatasets
{
    /// <summary>Cu lattice constant (Å), ASE's <c>bulk('Cu')</c>.</summary>
    public const double CopperLattice = 3.61;

    /// <summary>Au lattice constant (Å), ASE's <c>bulk('Au')</c>.</summary>
    public const double GoldLattice = 4.08;

    /// <summary>Bulk Cu frames at the given temperatures (defaults otherwise).</summary>
    /// <param name="frames">Number of frames.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="temperaturesK">Temperatures (K); none: 300, 600, 900, 1200.</param>
    public static List<XyzFrame> Copper(int frames, ulong seed, params double[] temperaturesK) =>
        Generate(With(PotentialSystem.Copper, frames, seed, temperaturesK));

    /// <summary>Cu with a vacancy per structure.</summary>
    /// <inheritdoc cref="Copper" path="/param"/>
    public static List<XyzFrame> CopperVacancy(int frames, ulong seed, params double[] temperaturesK) =>
        Generate(With(PotentialSystem.CopperVacancy, frames, seed, temperaturesK));

    /// <summary>Cu(001) slabs with vacuum (open and periodic along z, alternately).</summary>
    /// <inheritdoc cref="Copper" path="/param"/>
    public static List<XyzFrame> CopperSurface(int frames, ulong seed, params double[] temperaturesK) =>
        Generate(With(PotentialSystem.CopperSurface, frames, seed, temperaturesK));

    /// <summary>Random Cu–Au alloys.</summary>
    /// <inheritdoc cref="Copper" path="/param"/>
    public static List<XyzFrame> CopperGold(int frames, ulong seed, params double[] temperaturesK) =>
        Generate(With(PotentialSystem.CopperGold, frames, seed, temperaturesK));

    private static PotentialDataOptions With(PotentialSystem system, int frames, ulong seed, double[] temperaturesK) =>
        temperaturesK is { Length: > 0 }
            ? new PotentialDataOptions { System = system, Frames = frames, Seed = seed, TemperaturesK = temperaturesK }
            : new PotentialDataOptions { System = system, Frames = frames, Seed = seed };

    /// <summary>Generates the frames.</summary>
    /// <param name="options">What to generate.</param>
    /// <param name="calculator">The reference potential; null: <see cref="Emt"/>.</param>
    /// <param name="progress">Called with the number of frames done after each frame, or null.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it and its value).</exception>
    /// <exception cref="InvalidOperationException">A trajectory exploded (see <see cref="MolecularDynamics"/>).</exception>
    public static List<XyzFrame> Generate(PotentialDataOptions options, IAtomsCalculator? calculator = null, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        calculator ??= new Emt();
        var frames = new List<XyzFrame>(options.Frames);
        for (int t = 0; frames.Count < options.Frames; t++)
        {
            var gen = new Generator(TrajectorySeed(options.Seed, t));
            double temperature = options.TemperaturesK[t % options.TemperaturesK.Count];
            var s = Build(options, t, gen);
            var v = MolecularDynamics.MaxwellBoltzmann(s.Numbers, temperature, gen);
            var md = new Langevin(calculator, s.Numbers, s.Positions, v, s.Cell, s.Pbc, options.TimestepFs, temperature, options.FrictionPerFs, gen);
            md.Run(options.EquilibrationSteps);
            for (int f = 0; f < options.FramesPerTrajectory && frames.Count < options.Frames; f++)
            {
                md.Run(options.Every);
                KeyValuePair<string, string>[] info =
                [
                    new("config_type", s.ConfigType),
                    new("temperature", temperature.ToString("R", CultureInfo.InvariantCulture)),
                    new("trajectory", t.ToString(CultureInfo.InvariantCulture)),
                    new("step", md.StepCount.ToString(CultureInfo.InvariantCulture)),
                ];
                frames.Add(PotentialFrames.FromResult(s.Numbers, md.Positions, s.Cell, s.Pbc, md.Current, info));
                progress?.Invoke(frames.Count);
            }
        }
        return frames;
    }

    /// <summary>A starting configuration: atomic numbers, positions, cell, periodicity and its <c>config_type</c>.</summary>
    /// <param name="Numbers">Atomic numbers.</param>
    /// <param name="Positions">Positions (Å), N·3.</param>
    /// <param name="Cell">Cell rows (Å), 9 values.</param>
    /// <param name="Pbc">Periodicity per axis.</param>
    /// <param name="ConfigType">A label for the frames.</param>
    public sealed record Structure(int[] Numbers, double[] Positions, double[] Cell, bool[] Pbc, string ConfigType);

    /// <summary>The (strained) starting structure of trajectory <paramref name="trajectory"/>, drawn from <paramref name="generator"/>.</summary>
    /// <param name="options">The options (system, size, strain, vacancies, vacuum, gold fraction).</param>
    /// <param name="trajectory">Trajectory index (slabs alternate open and periodic z with it).</param>
    /// <param name="generator">The random source.</param>
    public static Structure Build(PotentialDataOptions options, int trajectory, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        Check(options);
        int n = options.Repeat;
        double a = options.System == PotentialSystem.CopperGold
            ? CopperLattice + (GoldLattice - CopperLattice) * options.GoldFraction
            : CopperLattice;
        var pos = Fcc(n, a);
        int sites = pos.Length / 3;
        var numbers = Enumerable.Repeat(29, sites).ToArray();
        double l = n * a;
        double[] cell = [l, 0, 0, 0, l, 0, 0, 0, l];
        bool[] pbc = [true, true, true];
        string type = "cu-bulk";
        bool slab = false;
        switch (options.System)
        {
            case PotentialSystem.CopperVacancy:
            {
                var drop = generator.Permutation(sites).Take(options.Vacancies).ToHashSet();
                var kept = Enumerable.Range(0, sites).Where(i => !drop.Contains(i)).ToArray();
                pos = kept.SelectMany(i => new[] { pos[3 * i], pos[3 * i + 1], pos[3 * i + 2] }).ToArray();
                numbers = kept.Select(_ => 29).ToArray();
                type = "cu-vacancy";
                break;
            }
            case PotentialSystem.CopperSurface:
                slab = true;
                cell[8] = l + options.Vacuum;
                for (int i = 0; i < sites; i++) pos[3 * i + 2] += options.Vacuum / 2;
                bool open = trajectory % 2 == 0;
                if (open) pbc[2] = false;
                type = open ? "cu-surface-open" : "cu-surface-periodic";
                break;
            case PotentialSystem.CopperGold:
            {
                int gold = (int)Math.Round(options.GoldFraction * sites);
                foreach (int i in generator.Permutation(sites).Take(gold)) numbers[i] = 79;
                type = "cuau-alloy";
                break;
            }
        }
        Strain(pos, cell, RandomStrain(options.MaxStrain, slab, generator));
        return new Structure(numbers, pos, cell, pbc, type);
    }

    /// <summary>Cubic FCC supercell positions, n³ cells of 4 atoms.</summary>
    private static double[] Fcc(int n, double a)
    {
        double[][] basis = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
        var pos = new double[12 * n * n * n];
        int k = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int m = 0; m < n; m++)
                    foreach (var b in basis)
                    {
                        pos[k++] = (i + b[0]) * a;
                        pos[k++] = (j + b[1]) * a;
                        pos[k++] = (m + b[2]) * a;
                    }
        return pos;
    }

    /// <summary>I + ε with ε symmetric, entries uniform in [−s, s]; slabs keep z untouched (the vacuum axis).</summary>
    private static double[] RandomStrain(double s, bool slab, Generator g)
    {
        double xx = g.NextDouble(), yy = g.NextDouble(), zz = g.NextDouble(), yz = g.NextDouble(), xz = g.NextDouble(), xy = g.NextDouble();
        double U(double u) => s * (2 * u - 1);
        if (slab) { zz = 0.5; yz = 0.5; xz = 0.5; } // U(0.5) = 0
        return [1 + U(xx), U(xy), U(xz), U(xy), 1 + U(yy), U(yz), U(xz), U(yz), 1 + U(zz)];
    }

    /// <summary>Row vectors r ← r (I + ε) for the positions and the cell rows.</summary>
    private static void Strain(double[] pos, double[] cell, double[] f)
    {
        void Apply(double[] x, int at)
        {
            double a = x[at], b = x[at + 1], c = x[at + 2];
            x[at] = a * f[0] + b * f[3] + c * f[6];
            x[at + 1] = a * f[1] + b * f[4] + c * f[7];
            x[at + 2] = a * f[2] + b * f[5] + c * f[8];
        }
        for (int i = 0; i < pos.Length; i += 3) Apply(pos, i);
        for (int i = 0; i < 9; i += 3) Apply(cell, i);
    }

    /// <summary>The seed of trajectory t: SplitMix64 of the seed and t, so trajectories are independent streams.</summary>
    private static ulong TrajectorySeed(ulong seed, int t)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL * (ulong)(t + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static void Check(PotentialDataOptions o)
    {
        static void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"PotentialDatasets: {what}.", "options"); }
        Require(o.Frames >= 1, $"Frames must be ≥ 1, got {o.Frames}");
        Require(o.TemperaturesK is { Count: > 0 } && o.TemperaturesK.All(t => t >= 0 && double.IsFinite(t)),
            $"TemperaturesK must be one or more finite values ≥ 0, got [{string.Join(", ", o.TemperaturesK ?? [])}]");
        Require(o.Repeat is >= 1 and <= 40, $"Repeat must be in [1, 40], got {o.Repeat}");
        Require(o.FramesPerTrajectory >= 1, $"FramesPerTrajectory must be ≥ 1, got {o.FramesPerTrajectory}");
        Require(o.Every >= 1, $"Every must be ≥ 1, got {o.Every}");
        Require(o.EquilibrationSteps >= 0, $"EquilibrationSteps must be ≥ 0, got {o.EquilibrationSteps}");
        Require(o.TimestepFs > 0 && double.IsFinite(o.TimestepFs), $"TimestepFs must be positive and finite, got {o.TimestepFs:R}");
        Require(o.FrictionPerFs >= 0 && double.IsFinite(o.FrictionPerFs), $"FrictionPerFs must be finite and ≥ 0, got {o.FrictionPerFs:R}");
        Require(o.MaxStrain is >= 0 and < 0.5, $"MaxStrain must be in [0, 0.5), got {o.MaxStrain:R}");
        Require(o.Vacancies >= 0 && o.Vacancies < 4 * o.Repeat * o.Repeat * o.Repeat, $"Vacancies must be in [0, {4 * o.Repeat * o.Repeat * o.Repeat}), got {o.Vacancies}");
        Require(o.Vacuum >= 0 && double.IsFinite(o.Vacuum), $"Vacuum must be finite and ≥ 0, got {o.Vacuum:R}");
        Require(o.GoldFraction is >= 0 and <= 1, $"GoldFraction must be in [0, 1], got {o.GoldFraction:R}");
    }
}
