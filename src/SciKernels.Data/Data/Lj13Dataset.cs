using System.Globalization;
using SciKernels.Generative;
using SciKernels.Random;

namespace SciKernels.Data;

/// <summary>
/// LJ13 configurations (13 Lennard-Jones atoms, ε = σ = 1, open boundaries) sampled by Metropolis Monte
/// Carlo at a low temperature — the cluster benchmark of the E(n)-equivariant flows literature — each
/// centred at the origin. Deterministic per seed; cached as safetensors.
/// </summary>
/// <remarks>
/// <para>Recipe: <see cref="Chains"/> independent chains start from the optimal icosahedron; each
/// proposes single-atom moves uniform in a cube of half-width <see cref="StepSize"/>, accepts them with
/// probability min(1, e^(−ΔE/T)), and rejects any move that takes the atom farther than
/// <see cref="ContainerRadius"/> from the centroid (the usual spherical container of cluster Monte Carlo:
/// in open space an atom that evaporates never comes back). After <see cref="BurnInSweeps"/> sweeps of 13
/// moves a chain records a configuration every <see cref="ThinSweeps"/> sweeps. Chain c draws from
/// <c>new Generator(seed · 7919 + c)</c>, so the chains may run in parallel and the result is the same.</para>
/// <para>The flows papers quote "temperature 1" in a model with a harmonic trap; without one the cluster
/// melts near T ≈ 0.3 ε and evaporates far below 1, so the default here is T = 0.1 — a solid cluster
/// vibrating about the icosahedron.</para>
/// </remarks>
public sealed class Lj13Dataset
{
    /// <summary>Independent Markov chains (the configurations are split evenly among them).</summary>
    public const int Chains = 16;

    /// <summary>Half-width of the cubic single-atom move, σ.</summary>
    public const double StepSize = 0.12;

    /// <summary>Largest allowed distance of an atom from the centroid, σ.</summary>
    public const double ContainerRadius = 2.5;

    /// <summary>Sweeps (13 proposals each) before a chain's first record.</summary>
    public const int BurnInSweeps = 2000;

    /// <summary>Sweeps between records of one chain.</summary>
    public const int ThinSweeps = 50;

    /// <summary>The default sampling temperature, ε/k_B.</summary>
    public const double DefaultTemperature = 0.1;

    private Lj13Dataset(double[] positions, double[] energies, int count, double temperature, double acceptance)
    {
        Positions = positions;
        Energies = energies;
        Count = count;
        Temperature = temperature;
        Acceptance = acceptance;
    }

    /// <summary>Centred positions, row-major [Count, 13, 3].</summary>
    public double[] Positions { get; }

    /// <summary>LJ energy of each configuration, ε.</summary>
    public double[] Energies { get; }

    /// <summary>Number of configurations.</summary>
    public int Count { get; }

    /// <summary>Sampling temperature, ε/k_B.</summary>
    public double Temperature { get; }

    /// <summary>Fraction of accepted moves (NaN when read from the cache).</summary>
    public double Acceptance { get; }

    /// <summary>The configurations of one structure, [13·3].</summary>
    public ReadOnlySpan<double> Structure(int index) => Positions.AsSpan(index * 3 * Lj13.Atoms, 3 * Lj13.Atoms);

    /// <summary>Samples (or reads from the cache) <paramref name="count"/> configurations.</summary>
    /// <param name="count">Configurations (≥ 1).</param>
    /// <param name="seed">Seed of the chains.</param>
    /// <param name="temperature">Temperature, ε/k_B (&gt; 0).</param>
    /// <param name="cacheDirectory">Cache folder, or null for none.</param>
    /// <param name="log">Progress messages.</param>
    public static Lj13Dataset Load(int count, ulong seed, double temperature = DefaultTemperature, string? cacheDirectory = null, Action<string>? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Lj13Dataset.Load: temperature must be positive and finite");
        string t = temperature.ToString("R", CultureInfo.InvariantCulture);
        string recipe = $"lj13 metropolis v1 chains={Chains} step={StepSize} container={ContainerRadius} burnin={BurnInSweeps} thin={ThinSweeps} T={t}";
        var cache = cacheDirectory is null ? null : new DatasetCache(cacheDirectory, "lj13", $"lj13_n{count}_s{seed}", recipe,
            new Dictionary<string, string> { ["problem"] = "lj13", ["seed"] = seed.ToString(CultureInfo.InvariantCulture), ["temperature"] = t });
        CachedTensor[] shapes = [new("positions", [count, Lj13.Atoms, 3]), new("energies", [count])];
        if (cache?.TryRead(shapes, $"{count} LJ13 configurations", log) is { } cached)
            return new Lj13Dataset(cached[0], cached[1], count, temperature, double.NaN);

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var positions = new double[count * 3 * Lj13.Atoms];
        var energies = new double[count];
        var accepted = new long[Chains];
        var proposed = new long[Chains];
        Parallel.For(0, Chains, c =>
        {
            // Chain c records configurations c, c + Chains, c + 2·Chains, …
            var g = new Generator(seed * 7919 + (ulong)c);
            var x = Lj13.Icosahedron(Lj13.OptimalIcosahedronRadius());
            double e = LennardJones.Energy(x);
            for (int s = 0; s < BurnInSweeps; s++) e = Sweep(x, e, temperature, g, ref accepted[c], ref proposed[c]);
            for (int k = c; k < count; k += Chains)
            {
                for (int s = 0; s < ThinSweeps; s++) e = Sweep(x, e, temperature, g, ref accepted[c], ref proposed[c]);
                var dst = positions.AsSpan(k * 3 * Lj13.Atoms, 3 * Lj13.Atoms);
                x.CopyTo(dst);
                Centre(dst);
                energies[k] = LennardJones.Energy(dst);
            }
        });
        double acceptance = (double)accepted.Sum() / Math.Max(1, proposed.Sum());
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"lj13: sampled {count} configurations at T = {temperature:G4} in {sw.Elapsed.TotalSeconds:F1} s (acceptance {acceptance:P1}, mean energy {energies.Average():F3})"));
        cache?.Write([shapes[0] with { Values = positions }, shapes[1] with { Values = energies }], log);
        return new Lj13Dataset(positions, energies, count, temperature, acceptance);
    }

    /// <summary>Subtracts the centroid of row-major positions [N·3] in place.</summary>
    public static void Centre(Span<double> positions)
    {
        int n = positions.Length / 3;
        for (int c = 0; c < 3; c++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += positions[3 * i + c];
            mean /= n;
            for (int i = 0; i < n; i++) positions[3 * i + c] -= mean;
        }
    }

    /// <summary>One Metropolis sweep: 13 single-atom proposals; returns the new energy.</summary>
    private static double Sweep(double[] x, double energy, double temperature, Generator g, ref long accepted, ref long proposed)
    {
        const int n = Lj13.Atoms;
        for (int m = 0; m < n; m++)
        {
            int i = (int)g.NextInt64(n);
            double ox = x[3 * i], oy = x[3 * i + 1], oz = x[3 * i + 2];
            double nx = ox + StepSize * (2 * g.NextDouble() - 1);
            double ny = oy + StepSize * (2 * g.NextDouble() - 1);
            double nz = oz + StepSize * (2 * g.NextDouble() - 1);
            double u = g.NextDouble(); // drawn for every proposal, so the stream does not depend on rejections by the container
            proposed++;
            double cx = 0, cy = 0, cz = 0;
            for (int j = 0; j < n; j++) { cx += x[3 * j]; cy += x[3 * j + 1]; cz += x[3 * j + 2]; }
            cx = (cx - ox + nx) / n; cy = (cy - oy + ny) / n; cz = (cz - oz + nz) / n;
            if ((nx - cx) * (nx - cx) + (ny - cy) * (ny - cy) + (nz - cz) * (nz - cz) > ContainerRadius * ContainerRadius) continue;
            double delta = AtomEnergy(x, i, nx, ny, nz) - AtomEnergy(x, i, ox, oy, oz);
            if (delta <= 0 || u < Math.Exp(-delta / temperature))
            {
                x[3 * i] = nx; x[3 * i + 1] = ny; x[3 * i + 2] = nz;
                energy += delta;
                accepted++;
            }
        }
        return energy;
    }

    /// <summary>The energy of atom i at (px, py, pz) with every other atom.</summary>
    private static double AtomEnergy(double[] x, int i, double px, double py, double pz)
    {
        double e = 0;
        for (int j = 0; j < Lj13.Atoms; j++)
        {
            if (j == i) continue;
            double dx = px - x[3 * j], dy = py - x[3 * j + 1], dz = pz - x[3 * j + 2];
            double ir2 = 1 / (dx * dx + dy * dy + dz * dz), ir6 = ir2 * ir2 * ir2;
            e += 4 * (ir6 * ir6 - ir6);
        }
        return e;
    }
}
