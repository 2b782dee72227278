using SciKernels.Potentials;

namespace SciKernels.Crystals;

/// <summary>Settings of <see cref="CrystalEvaluation"/>.</summary>
public sealed record CrystalEvaluationOptions
{
    /// <summary>The short relaxation each sample gets before it is judged (positions and cell).</summary>
    public CellRelaxation Relaxation { get; init; } = new() { Fmax = 0.05, StressMax = 0.005, MaxSteps = 200 };

    /// <summary>Stable: energy per atom at most this (eV) above the lowest known one of its composition (MatterGen's 0.1 eV/atom).</summary>
    public double StabilityWindow { get; init; } = 0.1;

    /// <summary>The matcher for "unique" and "new".</summary>
    public StructureMatcher Matcher { get; init; } = new();

    /// <summary>Largest number of threads for the relaxations (results do not depend on it). Default: all cores.</summary>
    public int MaxThreads { get; init; } = -1;
}

/// <summary>What became of one sample.</summary>
/// <param name="Relaxed">The structure after the short relaxation (null when it failed).</param>
/// <param name="Formula">Reduced formula.</param>
/// <param name="EnergyPerAtom">EMT energy per atom after relaxation (eV; NaN when it failed).</param>
/// <param name="AboveReference">Energy per atom above the lowest known one of its composition (eV; NaN without a reference or when it failed).</param>
/// <param name="Stable">Within the stability window.</param>
/// <param name="Unique">Stable and the first of its kind among the samples (a duplicate of an earlier stable sample is not).</param>
/// <param name="New">Stable, unique and unlike every training structure.</param>
public sealed record CrystalSampleOutcome(AtomicStructure? Relaxed, string Formula, double EnergyPerAtom, double AboveReference, bool Stable, bool Unique, bool New);

/// <summary>Stable, unique and new (MatterGen's SUN) counts and fractions.</summary>
/// <param name="Count">Samples judged.</param>
/// <param name="Failed">Samples whose relaxation failed (counted as not stable).</param>
/// <param name="NoReference">Samples of a composition without a reference energy (not stable).</param>
/// <param name="Stable">Stable samples.</param>
/// <param name="Unique">Distinct structures among the stable samples (duplicates counted once).</param>
/// <param name="New">Of those, the ones that match no training structure.</param>
/// <param name="Samples">Per-sample outcomes, in input order.</param>
public sealed record CrystalEvaluationResult(int Count, int Failed, int NoReference, int Stable, int Unique, int New, IReadOnlyList<CrystalSampleOutcome> Samples)
{
    /// <summary>Stable / Count.</summary>
    public double StableFraction => Count == 0 ? 0 : (double)Stable / Count;

    /// <summary>Unique / Stable: the fraction of stable samples distinct from each other.</summary>
    public double UniqueFraction => Stable == 0 ? 0 : (double)Unique / Stable;

    /// <summary>New / Unique: the fraction of distinct stable samples unlike the training set.</summary>
    public double NewFraction => Unique == 0 ? 0 : (double)New / Unique;

    /// <summary>Stable, unique and new samples per sample: New / Count (MatterGen's SUN rate).</summary>
    public double SunFraction => Count == 0 ? 0 : (double)New / Count;
}

/// <summary>
/// The stable / unique / new evaluation of generated crystals on the EMT energy model: each sample is
/// relaxed briefly (positions and cell); stable when its energy per atom is within
/// <see cref="CrystalEvaluationOptions.StabilityWindow"/> of the lowest known energy of its reduced
/// composition; unique when no earlier stable sample matches it; new when no training structure matches it.
/// </summary>
public static class CrystalEvaluation
{
    /// <summary>Judges samples against the training set and the reference energies.</summary>
    /// <param name="samples">Generated periodic structures (EMT elements).</param>
    /// <param name="training">The training structures (for "new").</param>
    /// <param name="references">Lowest known energy per atom (eV) per reduced formula (e.g. <see cref="CrystalDataSet.References"/>).</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    /// <exception cref="ArgumentException">A sample or training structure is not periodic, or has an element EMT lacks.</exception>
    public static CrystalEvaluationResult Evaluate(IReadOnlyList<AtomicStructure> samples, IReadOnlyList<AtomicStructure> training,
        IReadOnlyDictionary<string, double> references, CrystalEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(references);
        options ??= new CrystalEvaluationOptions();
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            if (s.Cell is null || !s.Pbc.All(p => p)) throw new ArgumentException($"CrystalEvaluation.Evaluate: sample {i} is not periodic on all three axes", nameof(samples));
            int bad = Array.FindIndex(s.Numbers, z => EmtParameters.Find(z) is null);
            if (bad >= 0) throw new ArgumentException($"CrystalEvaluation.Evaluate: sample {i}, atom {bad} has atomic number {s.Numbers[bad]}, which EMT lacks ({string.Join(", ", Emt.Elements)})", nameof(samples));
        }
        var relaxed = new CellRelaxationResult?[samples.Count];
        var emt = new Emt();
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads }, i =>
        {
            // A short budget: an unconverged sample is judged where it stopped; only a failure drops it.
            try { relaxed[i] = options.Relaxation.Relax(samples[i], emt); }
            catch (CellRelaxationException) { }
        });
        var train = training.Select(options.Matcher.Prepare).ToArray();
        var trainByFormula = Enumerable.Range(0, train.Length).ToLookup(t => Composition.Reduced(train[t].Numbers));
        var outcomes = new CrystalSampleOutcome[samples.Count];
        var uniqueSoFar = new List<(string Formula, PreparedCrystal P)>();
        int failed = 0, noRef = 0, stable = 0, unique = 0, isNew = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            string formula = Composition.Reduced(samples[i].Numbers);
            if (relaxed[i] is not { } r)
            {
                failed++;
                outcomes[i] = new CrystalSampleOutcome(null, formula, double.NaN, double.NaN, false, false, false);
                continue;
            }
            double above = double.NaN;
            if (references.TryGetValue(formula, out double eRef)) above = r.EnergyPerAtom - eRef;
            else noRef++;
            bool st = above <= options.StabilityWindow;
            bool un = false, nw = false;
            if (st)
            {
                stable++;
                var p = options.Matcher.Prepare(r.Structure);
                un = !uniqueSoFar.Any(u => u.Formula == formula && options.Matcher.Matches(u.P, p));
                if (un)
                {
                    unique++;
                    uniqueSoFar.Add((formula, p));
                    nw = !trainByFormula[formula].Any(t => options.Matcher.Matches(train[t], p));
                    if (nw) isNew++;
                }
            }
            outcomes[i] = new CrystalSampleOutcome(r.Structure, formula, r.EnergyPerAtom, above, st, un, nw);
        }
        return new CrystalEvaluationResult(samples.Count, failed, noRef, stable, unique, isNew, outcomes);
    }
}
