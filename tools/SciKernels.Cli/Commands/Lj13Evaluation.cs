using System.Diagnostics;
using System.Globalization;
using SciKernels.Data;
using SciKernels.Generative;

namespace SciKernels.Cli;

/// <summary>
/// The LJ13 metrics of generated structures: each sample relaxed with FIRE (f_max 1e-3 ε/σ), the fraction
/// that reach the icosahedron, and the Wasserstein-1 distance between the energies of the raw samples and
/// of the reference data; writes the samples as extended XYZ and the PNGs.
/// </summary>
internal static class Lj13Evaluation
{
    /// <summary>The relaxation outcome of a set of structures.</summary>
    public sealed record Relaxed(double[] Energies, double[] RelaxedEnergies, bool[] Icosahedron, int Failed)
    {
        /// <summary>Fraction that relaxed to the icosahedron.</summary>
        public double IcosahedronFraction => Icosahedron.Count(b => b) / (double)Icosahedron.Length;
    }

    /// <summary>Energies before and after FIRE for <paramref name="count"/> structures [count·13·3] (a non-finite or clashing structure counts as failed).</summary>
    public static Relaxed Relax(double[] positions, int count)
    {
        var e = new double[count];
        var er = new double[count];
        var ico = new bool[count];
        int failed = 0;
        Parallel.For(0, count, k =>
        {
            var p = positions.AsSpan(k * 39, 39).ToArray();
            try
            {
                if (p.Any(v => !double.IsFinite(v))) throw new ArgumentException("non-finite position");
                e[k] = LennardJones.Energy(p);
                var (relax, isIco) = Lj13.RelaxAndClassify(p);
                er[k] = relax.Energy;
                ico[k] = isIco;
            }
            catch (ArgumentException)
            {
                e[k] = er[k] = double.NaN;
                Interlocked.Increment(ref failed);
            }
        });
        return new Relaxed(e, er, ico, failed);
    }

    /// <summary>The Wasserstein-1 distance of two empirical distributions: ∫ |F_a − F_b| dx (NaNs left out).</summary>
    public static double Wasserstein1(IEnumerable<double> a, IEnumerable<double> b)
    {
        var x = a.Where(double.IsFinite).Order().ToArray();
        var y = b.Where(double.IsFinite).Order().ToArray();
        if (x.Length == 0 || y.Length == 0) return double.NaN;
        var all = x.Concat(y).Order().ToArray();
        double w = 0;
        int i = 0, j = 0;
        for (int k = 0; k + 1 < all.Length; k++)
        {
            while (i < x.Length && x[i] <= all[k]) i++;
            while (j < y.Length && y[j] <= all[k]) j++;
            w += Math.Abs(i / (double)x.Length - j / (double)y.Length) * (all[k + 1] - all[k]);
        }
        return w;
    }

    /// <summary>
    /// Relaxes the samples and the reference data, writes DIR/samples.xyz (raw samples with their energy,
    /// relaxed energy and icosahedron flag), DIR/energy_histogram.png and DIR/samples.png, and returns the metrics.
    /// </summary>
    public static Dictionary<string, object> Evaluate(string outDir, double[] samples, int count, Lj13Dataset reference, string species, Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        var s = Relax(samples, count);
        int nref = Math.Min(reference.Count, 1000);
        var r = Relax(reference.Positions[..(nref * 39)], nref);
        double relaxSeconds = clock.Elapsed.TotalSeconds;
        double w1 = Wasserstein1(s.Energies, reference.Energies);
        // A clash gives energies of 1e10 and more, which dominate the raw W1; clipped at 0 ε (an unbound cluster) it measures the bulk.
        double w1Clipped = Wasserstein1(s.Energies.Select(e => Math.Min(e, 0)), reference.Energies.Select(e => Math.Min(e, 0)));
        log(string.Create(CultureInfo.InvariantCulture,
            $"evaluation: {s.IcosahedronFraction:P1} of {count} samples relax to the icosahedron (reference data: {r.IcosahedronFraction:P1} of {nref}); W1(energies) = {w1:G4} ε, clipped at 0 ε {w1Clipped:F3} ε; {relaxSeconds:F1} s"));

        string xyz = Path.Combine(outDir, "samples.xyz");
        var frames = new List<XyzFrame>();
        for (int k = 0; k < count; k++)
        {
            var p = samples.AsSpan(k * 39, 39).ToArray();
            if (p.Any(v => !double.IsFinite(v))) continue; // extended XYZ cannot hold them; counted as failed above
            frames.Add(new XyzFrame(Enumerable.Repeat(species, 13).ToArray(), p, info:
            [
                new("sample", k.ToString(CultureInfo.InvariantCulture)),
                new("energy", s.Energies[k].ToString("R", CultureInfo.InvariantCulture)),
                new("relaxed_energy", s.RelaxedEnergies[k].ToString("R", CultureInfo.InvariantCulture)),
                new("icosahedron", s.Icosahedron[k] ? "T" : "F"),
            ]));
        }
        ExtendedXyz.Write(xyz, frames);
        string hist = Path.Combine(outDir, "energy_histogram.png");
        DiffusionPlots.EnergyHistogram(hist, s.Energies, reference.Energies, s.RelaxedEnergies, r.RelaxedEnergies, $"LJ13: {s.IcosahedronFraction:P0} of samples relax to the icosahedron; W1 (clipped at 0) {w1Clipped:F2} ε");
        string pics = Path.Combine(outDir, "samples.png");
        int shown = Math.Min(4, count);
        DiffusionPlots.Structures(pics, Enumerable.Range(0, shown).Select(k => (samples.AsSpan(k * 39, 39).ToArray(), $"sample {k}: E = {s.Energies[k]:F2}, relaxed {s.RelaxedEnergies[k]:F2}")).ToList());
        var finite = s.Energies.Where(double.IsFinite).Order().ToArray();
        return new Dictionary<string, object>
        {
            ["samples"] = count,
            ["icosahedron_fraction"] = s.IcosahedronFraction,
            ["failed_samples"] = s.Failed,
            ["energy_w1"] = w1,
            ["energy_w1_clipped_at_0"] = w1Clipped,
            ["unbound_fraction"] = s.Energies.Count(e => !(e < 0)) / (double)count,
            ["sample_energy_median"] = finite.Length == 0 ? double.NaN : finite[finite.Length / 2],
            ["reference_energy_median"] = reference.Energies.Order().ElementAt(reference.Count / 2),
            ["reference_icosahedron_fraction"] = r.IcosahedronFraction,
            ["reference_structures_relaxed"] = nref,
            ["relax_seconds"] = relaxSeconds,
            ["samples_file"] = xyz,
            ["plots"] = new[] { hist, pics },
        };
    }
}
