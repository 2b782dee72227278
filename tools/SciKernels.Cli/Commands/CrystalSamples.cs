using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SciKernels.Crystals;
using SciKernels.Data;
using SciKernels.Generative.Crystals;
using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Cli;

/// <summary>
/// Draws crystals for the training compositions (or one given composition) and writes and measures them:
/// DIR/samples.xyz, DIR/samples.cif (P1), DIR/samples.png and the metrics of results.json.
/// </summary>
/// <remarks>
/// The model-free metrics (periodic minimum distance, volume per atom, unrelaxed EMT energy per atom, each
/// beside the training data's), then with training data the stable/unique/new (SUN) evaluation of
/// <see cref="CrystalEvaluation"/> — against the lowest training energy per reduced composition — for the
/// samples and, as the baseline a generator must beat, for as many random cells of the same compositions.
/// </remarks>
internal static class CrystalSamples
{
    /// <summary>JSON settings of results.json (NaN allowed as a named literal).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>
    /// Samples <paramref name="count"/> crystals: of <paramref name="numbers"/> when given, else compositions
    /// drawn with the training frequencies (fixed-lattice models: training crystals drawn uniformly, their
    /// composition and cell kept). Grouped by composition, each group one call of the sampler.
    /// </summary>
    public static (List<FractionalCrystal> Crystals, double Seconds) Draw(CrystalDiffusion model, CrystalModelInfo info, List<FractionalCrystal>? data,
        int[]? numbers, int count, Generator generator, CrystalSamplerOptions options, Action<string> log)
    {
        var jobs = new List<(int[] Numbers, List<double[]>? Cells, int Count)>();
        if (model.DiffuseLattice)
        {
            if (numbers is not null) jobs.Add((numbers, null, count));
            else
            {
                var keys = info.Compositions.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
                var tally = new int[keys.Length];
                int total = keys.Sum(k => info.Compositions[k]);
                for (int i = 0; i < count; i++)
                {
                    long r = generator.NextInt64(total);
                    int k = 0;
                    while (r >= info.Compositions[keys[k]]) r -= info.Compositions[keys[k++]];
                    tally[k]++;
                }
                for (int k = 0; k < keys.Length; k++)
                    if (tally[k] > 0) jobs.Add((CrystalComposition.Parse(keys[k], "training composition"), null, tally[k]));
            }
        }
        else
        {
            var candidates = data!.Where(c => numbers is null || CrystalComposition.Key(c.Numbers) == CrystalComposition.Key(numbers)).ToList();
            if (candidates.Count == 0)
                throw new OptionException($"--composition {CrystalComposition.Key(numbers!)}: a fixed-lattice model samples in training cells, and no training crystal has this composition");
            var picks = Enumerable.Range(0, count).Select(_ => candidates[(int)generator.NextInt64(candidates.Count)]).ToList();
            foreach (var g in picks.GroupBy(c => CrystalComposition.Key(c.Numbers)).OrderBy(g => g.Key, StringComparer.Ordinal))
                jobs.Add((CrystalComposition.Parse(g.Key, "training composition"), g.Select(c => c.Lattice).ToList(), g.Count()));
        }
        var clock = Stopwatch.StartNew();
        var result = new List<FractionalCrystal>(count);
        foreach (var (z, cells, n) in jobs)
        {
            var one = Stopwatch.StartNew();
            result.AddRange(model.Sample(n, z, generator, options, cells));
            log(string.Create(CultureInfo.InvariantCulture, $"sampled {n} × {CrystalComposition.Key(z)} in {one.Elapsed.TotalSeconds:F1} s"));
        }
        double seconds = clock.Elapsed.TotalSeconds;
        log(string.Create(CultureInfo.InvariantCulture, $"sampling: {count} crystals in {seconds:F1} s ({count / seconds:F2} per second)"));
        return (result, seconds);
    }

    /// <summary>Writes the samples and returns their metrics (beside the training data's when given).</summary>
    public static Dictionary<string, object> Evaluate(string dir, List<FractionalCrystal> samples, List<FractionalCrystal>? training, Action<string> log)
    {
        var s = Measure(samples);
        var metrics = new Dictionary<string, object>
        {
            ["count"] = samples.Count,
            ["compositions"] = samples.GroupBy(c => CrystalComposition.Key(c.Numbers)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            ["min_distance_median"] = Median(s.MinDistance),
            ["volume_per_atom_mean"] = s.Volume.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average(),
            ["emt_energy_per_atom_median"] = Median(s.Energy),
            ["emt_finite_fraction"] = s.Energy.Count(double.IsFinite) / (double)samples.Count,
        };
        if (training is not null)
        {
            var t = Measure(training);
            double closest = t.MinDistance.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();
            metrics["training_min_distance_min"] = closest;
            metrics["training_volume_per_atom_mean"] = t.Volume.Average();
            metrics["training_emt_energy_per_atom_median"] = Median(t.Energy);
            // A sample "without clashes" has no pair closer than 85% of the closest pair in the training data.
            metrics["no_clash_fraction"] = s.MinDistance.Count(d => d >= 0.85 * closest) / (double)samples.Count;
            // A stability proxy before any relaxation: the unrelaxed EMT energy within 0.1 eV/atom of the lowest training
            // energy of the same composition (samples of compositions absent from the training data count as not).
            var lowest = training.Select((c, k) => (Key: CrystalComposition.Key(c.Numbers), E: t.Energy[k])).Where(x => double.IsFinite(x.E))
                .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => g.Min(x => x.E));
            metrics["within_0.1_eV_of_training_minimum_fraction"] = samples.Select((c, k) => (c, k))
                .Count(x => lowest.TryGetValue(CrystalComposition.Key(x.c.Numbers), out double e0) && s.Energy[x.k] <= e0 + 0.1) / (double)samples.Count;
            metrics["sun"] = Sun(samples, training, t.Energy, log);
        }
        string xyz = Path.Combine(dir, "samples.xyz");
        var frames = samples.Select((c, k) => new XyzFrame(c.Numbers.Select(Elements.Symbol).ToArray(), c.CartesianPositions(), c.Lattice, [true, true, true],
        [
            new("composition", CrystalComposition.Key(c.Numbers)),
            new("emt_energy_per_atom", R(s.Energy[k])),
            new("min_distance", R(s.MinDistance[k])),
        ])).ToList();
        ExtendedXyz.Write(xyz, frames);
        string cif = Path.Combine(dir, "samples.cif");
        Cif.Write(cif, samples.Select(ToStructure).ToList(), samples.Select((c, k) => $"sample_{k}_{CrystalComposition.Key(c.Numbers)}").ToList());
        string png = Path.Combine(dir, "samples.png");
        CrystalPlots.Structures(png, samples.Take(4).Select((c, k) => (c.CartesianPositions(), c.Numbers, c.Lattice,
            string.Create(CultureInfo.InvariantCulture, $"{CrystalComposition.Key(c.Numbers)}: {s.Energy[k]:F3} eV/atom"))).ToList());
        metrics["samples_file"] = xyz;
        metrics["cif_file"] = cif;
        metrics["structures_plot"] = png;
        log($"wrote {xyz}, {cif}, {png}");
        return metrics;
    }

    /// <summary>One line of the main metrics.</summary>
    public static string Summary(Dictionary<string, object> m, int count)
    {
        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv, $"{count} crystals: median min distance {(double)m["min_distance_median"]:F2} Å") +
            (m.TryGetValue("no_clash_fraction", out var nc) ? string.Create(inv, $", {(double)nc:P0} without clashes") : "") +
            (m.TryGetValue("within_0.1_eV_of_training_minimum_fraction", out var st) ? string.Create(inv, $", {(double)st:P0} within 0.1 eV/atom of the training minimum (unrelaxed EMT)") : "") +
            string.Create(inv, $", median EMT energy {(double)m["emt_energy_per_atom_median"]:F3} eV/atom") +
            (m.TryGetValue("training_emt_energy_per_atom_median", out var te) ? string.Create(inv, $" (training data {(double)te:F3})") : "") +
            $"; samples: {m["samples_file"]}";
    }

    /// <summary>
    /// SUN of the samples and of a random baseline: as many AIRSS-style random cells of the same compositions
    /// (seeded, so the baseline is the same on every run), both relaxed briefly with EMT (positions and cell) and
    /// judged against the lowest training energy per atom of each reduced composition. On EMT's shallow
    /// formation energies (~10 meV/atom) random relaxed cells are often "stable", so the samples' figures mean
    /// something only beside the baseline's.
    /// </summary>
    private static Dictionary<string, object> Sun(List<FractionalCrystal> samples, List<FractionalCrystal> training, double[] trainingEnergy, Action<string> log)
    {
        var references = new Dictionary<string, double>();
        for (int k = 0; k < training.Count; k++)
        {
            if (!double.IsFinite(trainingEnergy[k])) continue;
            string f = Composition.Reduced(training[k].Numbers);
            references[f] = references.TryGetValue(f, out double e) ? Math.Min(e, trainingEnergy[k]) : trainingEnergy[k];
        }
        var train = training.Select(ToStructure).ToList();
        var clock = Stopwatch.StartNew();
        var model = CrystalEvaluation.Evaluate(samples.Select(ToStructure).ToList(), train, references);
        var gen = new Generator(20251206);
        var random = new RandomStructures();
        var baseline = CrystalEvaluation.Evaluate(samples.Select(c => random.Create(c.Numbers, gen)).ToList(), train, references);
        log(string.Create(CultureInfo.InvariantCulture,
            $"SUN (EMT, 0.1 eV/atom of the lowest training energy): samples {model.StableFraction:P1} stable, {model.UniqueFraction:P1} of those unique, SUN {model.SunFraction:P1}; random cells {baseline.StableFraction:P1} / {baseline.UniqueFraction:P1} / {baseline.SunFraction:P1} ({clock.Elapsed.TotalSeconds:F0} s)"));
        static Dictionary<string, object> Row(CrystalEvaluationResult r) => new()
        {
            ["count"] = r.Count,
            ["failed"] = r.Failed,
            ["no_reference"] = r.NoReference,
            ["stable"] = r.Stable,
            ["unique"] = r.Unique,
            ["new"] = r.New,
            ["stable_fraction"] = r.StableFraction,
            ["unique_fraction_of_stable"] = r.UniqueFraction,
            ["new_fraction_of_unique"] = r.NewFraction,
            ["sun_fraction"] = r.SunFraction,
            ["above_reference_median_eV_per_atom"] = Median(r.Samples.Select(o => o.AboveReference).ToArray()),
        };
        return new Dictionary<string, object>
        {
            ["stability_window_eV_per_atom"] = new CrystalEvaluationOptions().StabilityWindow,
            ["reference"] = "lowest EMT energy per atom of the training crystals of each reduced composition",
            ["samples"] = Row(model),
            ["random_baseline"] = Row(baseline),
        };
    }

    private static AtomicStructure ToStructure(FractionalCrystal c) => new(c.Numbers, c.CartesianPositions(), c.Lattice);

    private static (double[] MinDistance, double[] Volume, double[] Energy) Measure(List<FractionalCrystal> crystals)
    {
        var d = new double[crystals.Count];
        var v = new double[crystals.Count];
        var e = new double[crystals.Count];
        Parallel.For(0, crystals.Count, k =>
        {
            var c = crystals[k];
            d[k] = MinDistance(c);
            v[k] = Math.Abs(c.Determinant) / c.NumAtoms;
            try
            {
                e[k] = new Emt().Calculate(c.CartesianPositions(), c.Numbers, c.Lattice, [true, true, true]).Energy / c.NumAtoms;
            }
            catch (ArgumentException)
            {
                e[k] = double.NaN;
            }
        });
        return (d, v, e);
    }

    /// <summary>The smallest distance between two atoms (or an atom and its own image) over images within ±2 cells.</summary>
    private static double MinDistance(FractionalCrystal c)
    {
        var l = c.Lattice;
        var r = c.CartesianPositions();
        double best = double.PositiveInfinity;
        for (int i = 0; i < c.NumAtoms; i++)
            for (int j = i; j < c.NumAtoms; j++)
                for (int a = -2; a <= 2; a++)
                    for (int b = -2; b <= 2; b++)
                        for (int g = -2; g <= 2; g++)
                        {
                            if (i == j && a == 0 && b == 0 && g == 0) continue;
                            double dx = r[3 * j] - r[3 * i] + a * l[0] + b * l[3] + g * l[6];
                            double dy = r[3 * j + 1] - r[3 * i + 1] + a * l[1] + b * l[4] + g * l[7];
                            double dz = r[3 * j + 2] - r[3 * i + 2] + a * l[2] + b * l[5] + g * l[8];
                            best = Math.Min(best, dx * dx + dy * dy + dz * dz);
                        }
        return Math.Sqrt(best);
    }

    private static double Median(double[] x)
    {
        var f = x.Where(double.IsFinite).Order().ToArray();
        return f.Length == 0 ? double.NaN : f.Length % 2 == 1 ? f[f.Length / 2] : 0.5 * (f[f.Length / 2 - 1] + f[f.Length / 2]);
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
