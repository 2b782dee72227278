using SciKernels.Potentials;

namespace SciKernels.Training;

/// <summary>Errors of a potential's predictions against reference labels (ASE units).</summary>
/// <param name="Structures">Number of structures compared.</param>
/// <param name="EnergyMaePerAtom">Mean absolute error of E/N (eV/atom).</param>
/// <param name="EnergyRmsePerAtom">Root-mean-square error of E/N (eV/atom).</param>
/// <param name="ForceMae">Mean absolute error over force components (eV/Å); NaN without reference forces.</param>
/// <param name="ForceRmse">Root-mean-square error over force components (eV/Å); NaN without reference forces.</param>
/// <param name="ForceStd">Standard deviation of the reference force components (eV/Å) — the yardstick of the force MAE.</param>
/// <param name="StressMae">Mean absolute error over Voigt stress components (eV/Å³); NaN without reference stresses.</param>
/// <param name="StressRmse">Root-mean-square error over Voigt stress components (eV/Å³); NaN without reference stresses.</param>
public sealed record PotentialErrors(int Structures, double EnergyMaePerAtom, double EnergyRmsePerAtom, double ForceMae, double ForceRmse, double ForceStd,
    double StressMae, double StressRmse);

/// <summary>Statistics of labelled structures: the per-species energy reference and prediction errors.</summary>
public static class PotentialStatistics
{
    /// <summary>
    /// The mean number of neighbours within <paramref name="cutoff"/> per atom over <paramref name="data"/>
    /// (NequIP's avg_num_neighbors: the convolutions divide their sums by its square root).
    /// </summary>
    /// <param name="data">Structures (periodic or open).</param>
    /// <param name="cutoff">Cutoff radius (Å).</param>
    /// <returns>Directed pairs per atom; 1 when there are no pairs at all.</returns>
    public static double AverageNeighbors(IReadOnlyList<AtomicStructure> data, double cutoff)
    {
        ArgumentNullException.ThrowIfNull(data);
        long pairs = 0, atoms = 0;
        foreach (var x in data)
        {
            pairs += Graphs.NeighborList.Search(x.Positions, x.Cell ?? [], x.Pbc, cutoff).Count;
            atoms += x.NumAtoms;
        }
        return pairs == 0 || atoms == 0 ? 1.0 : (double)pairs / atoms;
    }

    /// <summary>
    /// The per-species energy shift, by least squares of the energies against the compositions
    /// (E_g ≈ Σ_s n_gs·μ_s), and the energy scale, the RMS of the reference force components (NequIP's
    /// choice; without forces, the RMS per-atom energy left after the shift, and 1 eV when that is 0).
    /// </summary>
    /// <param name="data">Structures with reference energies.</param>
    /// <param name="atomicNumbers">The species, in the model's order.</param>
    /// <returns>One shift per species (eV/atom) and the scale (eV).</returns>
    /// <exception cref="ArgumentException">No structures, a missing energy, or an element outside <paramref name="atomicNumbers"/>.</exception>
    public static (double[] Shift, double Scale) FitEnergyReference(IReadOnlyList<AtomicStructure> data, IReadOnlyList<int> atomicNumbers)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(atomicNumbers);
        const string op = "PotentialStatistics.FitEnergyReference";
        if (data.Count == 0) throw new ArgumentException($"{op}: no structures", nameof(data));
        int s = atomicNumbers.Count;
        var counts = new double[data.Count, s];
        for (int g = 0; g < data.Count; g++)
        {
            if (data[g].Energy is null) throw new ArgumentException($"{op}: structure {g} has no reference energy", nameof(data));
            foreach (int z in data[g].Numbers)
            {
                int k = IndexOf(atomicNumbers, z);
                if (k < 0) throw new ArgumentException($"{op}: structure {g} holds {Elements.Symbol(z)}, not one of {string.Join(", ", atomicNumbers.Select(Elements.Symbol))}", nameof(data));
                counts[g, k]++;
            }
        }
        // Normal equations (NᵀN) μ = Nᵀ E, with a tiny ridge so that compositions that never vary
        // independently (e.g. always 1:1) still give a finite, minimum-norm-like answer.
        var a = new double[s, s];
        var b = new double[s];
        for (int g = 0; g < data.Count; g++)
            for (int i = 0; i < s; i++)
            {
                b[i] += counts[g, i] * data[g].Energy!.Value;
                for (int j = 0; j < s; j++) a[i, j] += counts[g, i] * counts[g, j];
            }
        double trace = 0;
        for (int i = 0; i < s; i++) trace += a[i, i];
        for (int i = 0; i < s; i++) a[i, i] += 1e-12 * Math.Max(trace, 1) + (a[i, i] == 0 ? 1 : 0);
        var shift = Solve(a, b);

        double sum = 0;
        long n = 0;
        foreach (var st in data)
            if (st.Forces is { } f)
                foreach (var v in f)
                {
                    sum += v * v;
                    n++;
                }
        double scale;
        if (n > 0) scale = Math.Sqrt(sum / n);
        else
        {
            double r2 = 0;
            for (int g = 0; g < data.Count; g++)
            {
                double e = data[g].Energy!.Value;
                for (int i = 0; i < s; i++) e -= counts[g, i] * shift[i];
                r2 += Math.Pow(e / data[g].NumAtoms, 2);
            }
            scale = Math.Sqrt(r2 / data.Count);
        }
        if (!(scale > 1e-12) || !double.IsFinite(scale)) scale = 1;
        return (shift, scale);
    }

    /// <summary>Errors of <paramref name="predicted"/> against the labels of <paramref name="reference"/>.</summary>
    /// <param name="predicted">One result per structure.</param>
    /// <param name="reference">The labelled structures, in the same order.</param>
    public static PotentialErrors Errors(IReadOnlyList<PotentialResult> predicted, IReadOnlyList<AtomicStructure> reference)
    {
        var sums = ErrorSums(predicted, reference); // checks the arguments
        return ErrorsFromSums(reference.Count, sums);
    }

    /// <summary>Number of values <see cref="ErrorSums"/> returns.</summary>
    public const int ErrorSumCount = 11;

    /// <summary>
    /// The sums behind <see cref="Errors"/> (absolute and squared errors, reference force sums and the counts), which add
    /// over disjoint sets of structures: each rank of a data-parallel run sums its share, the sums are added over the
    /// ranks and <see cref="ErrorsFromSums"/> turns them into the errors of the whole set.
    /// </summary>
    /// <param name="predicted">One result per structure.</param>
    /// <param name="reference">The labelled structures, in the same order.</param>
    /// <returns><see cref="ErrorSumCount"/> values.</returns>
    public static double[] ErrorSums(IReadOnlyList<PotentialResult> predicted, IReadOnlyList<AtomicStructure> reference)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(reference);
        if (predicted.Count != reference.Count)
            throw new ArgumentException($"PotentialStatistics.Errors: {predicted.Count} predictions for {reference.Count} structures");
        double eAbs = 0, eSq = 0, fAbs = 0, fSq = 0, fSum = 0, fSum2 = 0, sAbs = 0, sSq = 0;
        long ne = 0, nf = 0, ns = 0;
        for (int g = 0; g < reference.Count; g++)
        {
            var r = reference[g];
            var p = predicted[g];
            if (r.Energy is { } e)
            {
                double d = (p.Energy - e) / r.NumAtoms;
                eAbs += Math.Abs(d);
                eSq += d * d;
                ne++;
            }
            if (r.Forces is { } f)
                for (int k = 0; k < f.Length; k++)
                {
                    double d = p.Forces[k] - f[k];
                    fAbs += Math.Abs(d);
                    fSq += d * d;
                    fSum += f[k];
                    fSum2 += f[k] * f[k];
                    nf++;
                }
            if (r.Stress is { } s && p.Stress is { } ps)
                for (int k = 0; k < 6; k++)
                {
                    sAbs += Math.Abs(ps[k] - s[k]);
                    sSq += (ps[k] - s[k]) * (ps[k] - s[k]);
                    ns++;
                }
        }
        return [eAbs, eSq, ne, fAbs, fSq, fSum, fSum2, nf, sAbs, sSq, ns];
    }

    /// <summary>The errors of <paramref name="structures"/> structures from their <see cref="ErrorSums"/> (added over disjoint sets).</summary>
    /// <param name="structures">Number of structures the sums cover.</param>
    /// <param name="sums">The <see cref="ErrorSumCount"/> sums.</param>
    public static PotentialErrors ErrorsFromSums(int structures, ReadOnlySpan<double> sums)
    {
        if (sums.Length != ErrorSumCount) throw new ArgumentException($"PotentialStatistics.ErrorsFromSums: {sums.Length} sums, expected {ErrorSumCount}", nameof(sums));
        double eAbs = sums[0], eSq = sums[1], ne = sums[2], fAbs = sums[3], fSq = sums[4], fSum = sums[5], fSum2 = sums[6], nf = sums[7];
        double sAbs = sums[8], sSq = sums[9], ns = sums[10];
        double mean = fSum / nf;
        return new PotentialErrors(structures, eAbs / ne, Math.Sqrt(eSq / ne), nf > 0 ? fAbs / nf : double.NaN, nf > 0 ? Math.Sqrt(fSq / nf) : double.NaN,
            nf > 0 ? Math.Sqrt(Math.Max(0, fSum2 / nf - mean * mean)) : double.NaN,
            ns > 0 ? sAbs / ns : double.NaN, ns > 0 ? Math.Sqrt(sSq / ns) : double.NaN);
    }

    private static int IndexOf(IReadOnlyList<int> list, int z)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i] == z) return i;
        return -1;
    }

    /// <summary>Gaussian elimination with partial pivoting on a small dense system.</summary>
    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++)
                if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            if (pivot != c)
            {
                for (int k = 0; k < n; k++) (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
                (b[c], b[pivot]) = (b[pivot], b[c]);
            }
            for (int r = c + 1; r < n; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int k = c; k < n; k++) a[r, k] -= f * a[c, k];
                b[r] -= f * b[c];
            }
        }
        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double v = b[r];
            for (int k = r + 1; k < n; k++) v -= a[r, k] * x[k];
            x[r] = v / a[r, r];
        }
        return x;
    }
}
