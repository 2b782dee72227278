using SciKernels.Potentials;

namespace SciKernels.Crystals;

/// <summary>
/// The convex hull of formation energies of a binary A–B: ΔE(x) = E/atom − [(1 − x) E_A + x E_B] with x the
/// atom fraction of B and E_A, E_B the lowest energies per atom of the pure elements; the lower hull through
/// the points and (0, 0), (1, 0); a structure's distance above it (MatterGen's E_hull).
/// </summary>
public sealed class BinaryHull
{
    private readonly int a, b;
    private readonly double ea, eb;
    private readonly (double X, double E)[] hull;

    /// <summary>Builds the hull of structures of elements <paramref name="elementA"/> and <paramref name="elementB"/>.</summary>
    /// <param name="elementA">Element at x = 0.</param>
    /// <param name="elementB">Element at x = 1.</param>
    /// <param name="structures">Atomic numbers and energy per atom (eV) of each structure; both pure elements must be among them.</param>
    /// <exception cref="ArgumentException">A pure element is missing, or a structure holds a third element.</exception>
    public BinaryHull(int elementA, int elementB, IEnumerable<(int[] Numbers, double EnergyPerAtom)> structures)
    {
        ArgumentNullException.ThrowIfNull(structures);
        a = elementA;
        b = elementB;
        var list = structures.ToList();
        foreach (var (z, _) in list)
            if (z.Any(x => x != a && x != b))
                throw new ArgumentException($"BinaryHull: a structure {Composition.Full(z)} has an element other than {Elements.Symbol(a)} and {Elements.Symbol(b)}", nameof(structures));
        ea = list.Where(s => s.Numbers.All(x => x == a)).Select(s => s.EnergyPerAtom).DefaultIfEmpty(double.NaN).Min();
        eb = list.Where(s => s.Numbers.All(x => x == b)).Select(s => s.EnergyPerAtom).DefaultIfEmpty(double.NaN).Min();
        if (double.IsNaN(ea) || double.IsNaN(eb))
            throw new ArgumentException($"BinaryHull: the hull needs both pure {Elements.Symbol(a)} and pure {Elements.Symbol(b)} structures", nameof(structures));
        var points = list.Select(s => (X: Composition.Fraction(s.Numbers, b), E: FormationEnergy(s.Numbers, s.EnergyPerAtom)))
            .Append((X: 0.0, E: 0.0)).Append((X: 1.0, E: 0.0))
            .OrderBy(p => p.X).ThenBy(p => p.E).ToList();
        // Andrew's monotone chain, lower half.
        var h = new List<(double X, double E)>();
        foreach (var p in points)
        {
            if (h.Count > 0 && h[^1].X == p.X) continue; // the lowest point of each x came first
            while (h.Count >= 2 && Cross(h[^2], h[^1], p) <= 0) h.RemoveAt(h.Count - 1);
            h.Add(p);
        }
        hull = h.ToArray();
    }

    /// <summary>The hull's vertices (x, ΔE), x ascending: the compositions that are stable against decomposition.</summary>
    public IReadOnlyList<(double X, double FormationEnergy)> Vertices => hull;

    /// <summary>Formation energy per atom (eV) relative to the lowest pure-element energies.</summary>
    /// <param name="numbers">Atomic numbers of the structure.</param>
    /// <param name="energyPerAtom">Its energy per atom (eV).</param>
    public double FormationEnergy(ReadOnlySpan<int> numbers, double energyPerAtom)
    {
        double x = Composition.Fraction(numbers, b);
        return energyPerAtom - ((1 - x) * ea + x * eb);
    }

    /// <summary>Distance (eV/atom) above the hull; 0 for a vertex, negative for a structure below the hull it was not built with.</summary>
    /// <param name="numbers">Atomic numbers of the structure.</param>
    /// <param name="energyPerAtom">Its energy per atom (eV).</param>
    public double AboveHull(ReadOnlySpan<int> numbers, double energyPerAtom)
    {
        double x = Composition.Fraction(numbers, b);
        return FormationEnergy(numbers, energyPerAtom) - HullAt(x);
    }

    /// <summary>The hull's formation energy at atom fraction x of the second element.</summary>
    /// <param name="x">In [0, 1].</param>
    public double HullAt(double x)
    {
        if (!(x >= 0 && x <= 1)) throw new ArgumentOutOfRangeException(nameof(x), x, "BinaryHull.HullAt: x must be in [0, 1]");
        for (int i = 1; i < hull.Length; i++)
            if (x <= hull[i].X)
            {
                var (x0, e0) = hull[i - 1];
                var (x1, e1) = hull[i];
                return e0 + (e1 - e0) * (x - x0) / (x1 - x0);
            }
        return hull[^1].E;
    }

    private static double Cross((double X, double E) o, (double X, double E) p, (double X, double E) q) =>
        (p.X - o.X) * (q.E - o.E) - (p.E - o.E) * (q.X - o.X);
}
