namespace SciKernels.Crystals;

/// <summary>
/// The primitive cell of a periodic structure: the pure translations that map it onto itself (found from
/// the atoms of its least common species) generate a finer lattice; a basis of that lattice with volume
/// V / (number of translations) becomes the cell and duplicate atoms are dropped.
/// </summary>
public static class PrimitiveCell
{
    /// <summary>Reduces a structure to its primitive cell; returns it unchanged when it is primitive already (or the search is inconsistent).</summary>
    /// <param name="numbers">Atomic numbers, N.</param>
    /// <param name="cell">The cell, rows = lattice vectors.</param>
    /// <param name="fractional">Fractional coordinates, N·3.</param>
    /// <param name="tolerance">Largest mismatch (Å) of a translated atom.</param>
    /// <returns>Numbers, cell and fractional coordinates (in [0, 1)) of the primitive cell.</returns>
    public static (int[] Numbers, double[] Cell, double[] Fractional) Find(int[] numbers, double[] cell, double[] fractional, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(fractional);
        int n = numbers.Length;
        if (n <= 1) return (numbers, cell, fractional);
        int anchor = StructureMatcher.LeastCommon(numbers);
        int i0 = Array.IndexOf(numbers, anchor);
        var translations = new List<double[]> { new double[3] };
        for (int j = 0; j < n; j++)
        {
            if (j == i0 || numbers[j] != anchor) continue;
            double[] t = [Wrap(fractional[3 * j] - fractional[3 * i0]), Wrap(fractional[3 * j + 1] - fractional[3 * i0 + 1]), Wrap(fractional[3 * j + 2] - fractional[3 * i0 + 2])];
            if (IsSymmetry(numbers, cell, fractional, t, tolerance)) translations.Add(t);
        }
        int k = translations.Count;
        if (k == 1 || n % k != 0) return (numbers, cell, fractional);
        double target = Math.Abs(CellMath.Det(cell)) / k;

        // Short vectors of the finer lattice: each translation plus small cell vectors.
        var vectors = new List<double[]>();
        foreach (var t in translations)
            for (int a = -1; a <= 1; a++)
                for (int b = -1; b <= 1; b++)
                    for (int c = -1; c <= 1; c++)
                    {
                        double[] f = [t[0] + a, t[1] + b, t[2] + c];
                        var r = CellMath.RowsTimes(f, cell);
                        if (CellMath.Norm(r) > 1e-8) vectors.Add(r);
                    }
        vectors.Sort((u, v) => CellMath.Norm(u).CompareTo(CellMath.Norm(v)));
        int m = Math.Min(vectors.Count, 60);
        double[]? basis = null;
        for (int a = 0; a < m && basis is null; a++)
            for (int b = a + 1; b < m && basis is null; b++)
                for (int c = b + 1; c < m; c++)
                {
                    double[] candidate = [.. vectors[a], .. vectors[b], .. vectors[c]];
                    // Lattice vectors spanning the right volume generate the whole lattice (index 1); the volumes of
                    // sublattices are integer multiples of it, so a loose tolerance absorbs the noise of relaxed positions.
                    if (Math.Abs(Math.Abs(CellMath.Det(candidate)) - target) < 0.05 * target) { basis = candidate; break; }
                }
        if (basis is null) return (numbers, cell, fractional);

        var inv = CellMath.Inverse(basis);
        var cart = CellMath.RowsTimes(fractional, cell);
        var f2 = CellMath.RowsTimes(cart, inv);
        var keptZ = new List<int>();
        var keptF = new List<double>();
        for (int i = 0; i < n; i++)
        {
            double[] fi = [f2[3 * i] - Math.Floor(f2[3 * i]), f2[3 * i + 1] - Math.Floor(f2[3 * i + 1]), f2[3 * i + 2] - Math.Floor(f2[3 * i + 2])];
            bool duplicate = false;
            for (int j = 0; j < keptZ.Count && !duplicate; j++)
            {
                double[] d = [Wrap(fi[0] - keptF[3 * j]), Wrap(fi[1] - keptF[3 * j + 1]), Wrap(fi[2] - keptF[3 * j + 2])];
                duplicate = keptZ[j] == numbers[i] && CellMath.Norm(CellMath.RowsTimes(d, basis)) < tolerance;
            }
            if (!duplicate) { keptZ.Add(numbers[i]); keptF.AddRange(fi); }
        }
        if (keptZ.Count * k != n) return (numbers, cell, fractional);
        return (keptZ.ToArray(), basis, keptF.ToArray());
    }

    private static bool IsSymmetry(int[] numbers, double[] cell, double[] f, double[] t, double tolerance)
    {
        int n = numbers.Length;
        var d = new double[3];
        for (int i = 0; i < n; i++)
        {
            bool found = false;
            for (int j = 0; j < n && !found; j++)
            {
                if (numbers[j] != numbers[i]) continue;
                for (int c = 0; c < 3; c++) d[c] = Wrap(f[3 * i + c] + t[c] - f[3 * j + c]);
                found = CellMath.Norm(CellMath.RowsTimes(d, cell)) < tolerance;
            }
            if (!found) return false;
        }
        return true;
    }

    private static double Wrap(double x) => x - Math.Round(x);
}
