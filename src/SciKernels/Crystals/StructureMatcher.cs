using SciKernels.Potentials;

namespace SciKernels.Crystals;

/// <summary>
/// Decides whether two periodic structures are the same crystal up to the choice of cell, a permutation
/// of like atoms, a translation, a rotation (or reflection) — the idea of pymatgen's <c>StructureMatcher</c>,
/// written here from its description.
/// </summary>
/// <remarks>
/// <para>Each structure is first reduced to its primitive cell (when <see cref="Primitive"/>: pure
/// translations that map every atom onto a like atom within <see cref="PrimitiveTolerance"/> are found from
/// the least common species, and the lattice they generate with the cell replaces it), so a supercell
/// matches its primitive cell; then its lattice is reduced (<see cref="CellMath.Reduce"/>: the successive
/// minima a ≤ b ≤ c, which are invariants of the lattice).</para>
/// <para>Two structures match when they have the same atoms per species, their reduced lengths agree within
/// <see cref="LengthTolerance"/>, and for some basis of the second lattice (integer combinations of its
/// reduced vectors with lengths within the tolerance of a, b, c and angles within <see cref="AngleTolerance"/>,
/// unimodular) and some translation (an atom of the least common species onto the first structure's), every
/// atom of the first lies within <see cref="SiteTolerance"/> · (V/N)^⅓ of a distinct like atom of the second,
/// in the first structure's metric, after the mean displacement is removed. No volume scaling: relaxed
/// structures of one energy model are compared as they are. Mirror images match (the lattice test sees
/// only lengths and angles).</para>
/// </remarks>
public sealed record StructureMatcher
{
    /// <summary>Relative tolerance on the reduced lattice lengths (pymatgen's ltol, 0.2).</summary>
    public double LengthTolerance { get; init; } = 0.2;

    /// <summary>Tolerance on the reduced lattice angles in degrees (pymatgen's angle_tol, 5°).</summary>
    public double AngleTolerance { get; init; } = 5;

    /// <summary>Largest displacement of a site, as a fraction of (V/N)^⅓ (pymatgen's stol, 0.3).</summary>
    public double SiteTolerance { get; init; } = 0.3;

    /// <summary>Whether structures are reduced to primitive cells first (then supercells match; pymatgen's default too).</summary>
    public bool Primitive { get; init; } = true;

    /// <summary>Largest mismatch (Å) of a pure translation accepted when finding the primitive cell (pymatgen's 0.25 Å).</summary>
    public double PrimitiveTolerance { get; init; } = 0.25;

    /// <summary>Whether two periodic structures are the same crystal.</summary>
    /// <param name="first">A structure with a cell.</param>
    /// <param name="second">Another.</param>
    public bool Matches(AtomicStructure first, AtomicStructure second) => Matches(Prepare(first), Prepare(second));

    /// <summary>Reduces a structure once (primitive cell, reduced lattice) for many comparisons.</summary>
    /// <param name="s">A structure with a cell, periodic on all axes.</param>
    /// <exception cref="ArgumentException">No cell, or not periodic on all three axes.</exception>
    public PreparedCrystal Prepare(AtomicStructure s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Cell is null || !s.Pbc.All(p => p))
            throw new ArgumentException("StructureMatcher: a structure needs a cell with periodic boundaries on all three axes", nameof(s));
        int[] z = s.Numbers;
        double[] cell = s.Cell, frac = CellMath.ToFractional(s.Positions, cell);
        if (Primitive) (z, cell, frac) = PrimitiveCell.Find(z, cell, frac, PrimitiveTolerance);
        double[] reduced = CellMath.Reduce(cell);
        // Positions in the reduced basis: r = f · cell = f' · reduced.
        double[] f2 = CellMath.RowsTimes(CellMath.RowsTimes(frac, cell), CellMath.Inverse(reduced));
        for (int k = 0; k < f2.Length; k++) f2[k] -= Math.Floor(f2[k]);
        // Atoms sorted by species, so equal compositions compare as equal arrays.
        var order = Enumerable.Range(0, z.Length).OrderBy(a => z[a]).ToArray();
        var zs = order.Select(a => z[a]).ToArray();
        var fs = new double[f2.Length];
        for (int i = 0; i < order.Length; i++)
            for (int c = 0; c < 3; c++) fs[3 * i + c] = f2[3 * order[i] + c];
        return new PreparedCrystal(zs, reduced, fs, CellMath.Parameters(reduced), Math.Abs(CellMath.Det(reduced)));
    }

    /// <summary>Whether two prepared structures are the same crystal.</summary>
    /// <param name="p">The first (its metric measures the displacements).</param>
    /// <param name="q">The second.</param>
    public bool Matches(PreparedCrystal p, PreparedCrystal q)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        int n = p.Numbers.Length;
        if (n != q.Numbers.Length || !p.Numbers.AsSpan().SequenceEqual(q.Numbers)) return false;
        double lo = 1 / (1 + LengthTolerance), hi = 1 + LengthTolerance;
        for (int i = 0; i < 3; i++)
        {
            double r = q.Parameters[i] / p.Parameters[i];
            if (r < lo || r > hi) return false;
        }
        double tol = SiteTolerance * Math.Cbrt(p.Volume / n);

        // Short vectors of q's lattice, by the target length they could stand for.
        var lists = new List<int[]>[3];
        for (int i = 0; i < 3; i++) lists[i] = [];
        var v = new double[3];
        for (int a = -2; a <= 2; a++)
            for (int b = -2; b <= 2; b++)
                for (int c = -2; c <= 2; c++)
                {
                    if (a == 0 && b == 0 && c == 0) continue;
                    for (int k = 0; k < 3; k++) v[k] = a * q.Cell[k] + b * q.Cell[3 + k] + c * q.Cell[6 + k];
                    double len = CellMath.Norm(v);
                    for (int i = 0; i < 3; i++)
                    {
                        double r = len / p.Parameters[i];
                        if (r >= lo && r <= hi) lists[i].Add([a, b, c]);
                    }
                }
        int anchorSpecies = LeastCommon(p.Numbers);
        int i0 = Array.IndexOf(p.Numbers, anchorSpecies);
        var basis = new double[9];
        foreach (var na in lists[0])
            foreach (var nb in lists[1])
            {
                Combine(q.Cell, na, basis, 0);
                Combine(q.Cell, nb, basis, 3);
                if (Math.Abs(CellMath.Angle(basis.AsSpan(0, 3), basis.AsSpan(3, 3)) - p.Parameters[5]) > AngleTolerance) continue;
                foreach (var nc in lists[2])
                {
                    int[] m = [na[0], na[1], na[2], nb[0], nb[1], nb[2], nc[0], nc[1], nc[2]];
                    int det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
                    if (det is not (1 or -1)) continue;
                    Combine(q.Cell, nc, basis, 6);
                    if (Math.Abs(CellMath.Angle(basis.AsSpan(3, 3), basis.AsSpan(6, 3)) - p.Parameters[3]) > AngleTolerance) continue;
                    if (Math.Abs(CellMath.Angle(basis.AsSpan(0, 3), basis.AsSpan(6, 3)) - p.Parameters[4]) > AngleTolerance) continue;
                    // q's fractional coordinates in the new basis M = m · L: f' = f · m⁻¹.
                    double[] fq = CellMath.RowsTimes(q.Fractional, CellMath.Inverse(m.Select(x => (double)x).ToArray()));
                    for (int j = 0; j < n; j++)
                    {
                        if (q.Numbers[j] != anchorSpecies) continue;
                        if (Fits(p, fq, i0, j, tol)) return true;
                    }
                }
            }
        return false;
    }

    /// <summary>
    /// Groups structures into classes of matching ones: entry i is the index of the first structure that
    /// <paramref name="structures"/>[i] matches (itself when it is the first of its kind).
    /// </summary>
    /// <param name="structures">Periodic structures.</param>
    public int[] Group(IReadOnlyList<AtomicStructure> structures)
    {
        ArgumentNullException.ThrowIfNull(structures);
        var prepared = structures.Select(Prepare).ToArray();
        return Group(prepared);
    }

    /// <summary>As <see cref="Group(IReadOnlyList{AtomicStructure})"/>, for prepared structures.</summary>
    /// <param name="prepared">Prepared structures.</param>
    public int[] Group(IReadOnlyList<PreparedCrystal> prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var owner = new int[prepared.Count];
        var representatives = new List<int>();
        for (int i = 0; i < prepared.Count; i++)
        {
            owner[i] = i;
            foreach (int r in representatives)
                if (Matches(prepared[r], prepared[i])) { owner[i] = r; break; }
            if (owner[i] == i) representatives.Add(i);
        }
        return owner;
    }

    private bool Fits(PreparedCrystal p, double[] fq, int i0, int j0, double tol)
    {
        int n = p.Numbers.Length;
        var shift = new double[3];
        for (int c = 0; c < 3; c++) shift[c] = p.Fractional[3 * i0 + c] - fq[3 * j0 + c];
        var delta = new double[3 * n];
        var used = new bool[n];
        var d = new double[3];
        var best = new double[3];
        for (int i = 0; i < n; i++)
        {
            double bestLen = double.PositiveInfinity;
            int bestJ = -1;
            for (int j = 0; j < n; j++)
            {
                if (p.Numbers[j] != p.Numbers[i]) continue; // q's species equal p's index by index (both sorted, same counts)
                for (int c = 0; c < 3; c++)
                {
                    double x = fq[3 * j + c] + shift[c] - p.Fractional[3 * i + c];
                    d[c] = x - Math.Round(x);
                }
                double len = Cartesian(p.Cell, d);
                if (len < bestLen) { bestLen = len; bestJ = j; d.CopyTo(best, 0); }
            }
            // The anchor's displacement bounds the mean shift, so a site beyond 2·tol can never fit.
            if (bestJ < 0 || bestLen > 2 * tol || used[bestJ]) return false;
            used[bestJ] = true;
            best.CopyTo(delta, 3 * i);
        }
        var mean = new double[3];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) mean[c] += delta[3 * i + c] / n;
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < 3; c++) d[c] = delta[3 * i + c] - mean[c];
            if (Cartesian(p.Cell, d) > tol) return false;
        }
        return true;
    }

    private static double Cartesian(double[] cell, double[] f)
    {
        double x = f[0] * cell[0] + f[1] * cell[3] + f[2] * cell[6];
        double y = f[0] * cell[1] + f[1] * cell[4] + f[2] * cell[7];
        double z = f[0] * cell[2] + f[1] * cell[5] + f[2] * cell[8];
        return Math.Sqrt(x * x + y * y + z * z);
    }

    private static void Combine(double[] cell, int[] n, double[] dst, int at)
    {
        for (int k = 0; k < 3; k++) dst[at + k] = n[0] * cell[k] + n[1] * cell[3 + k] + n[2] * cell[6 + k];
    }

    internal static int LeastCommon(int[] numbers) =>
        Composition.Counts(numbers).OrderBy(kv => kv.Value).ThenBy(kv => kv.Key).First().Key;
}

/// <summary>A structure reduced for <see cref="StructureMatcher"/>: primitive cell, reduced lattice, atoms sorted by species.</summary>
/// <param name="Numbers">Atomic numbers, ascending.</param>
/// <param name="Cell">The reduced cell, rows a ≤ b ≤ c, right-handed.</param>
/// <param name="Fractional">Fractional coordinates in that cell, in [0, 1), N·3.</param>
/// <param name="Parameters">a, b, c (Å), α, β, γ (degrees) of the reduced cell.</param>
/// <param name="Volume">Cell volume (Å³).</param>
public sealed record PreparedCrystal(int[] Numbers, double[] Cell, double[] Fractional, double[] Parameters, double Volume);
