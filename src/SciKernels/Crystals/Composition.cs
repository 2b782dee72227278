using SciKernels.Potentials;

namespace SciKernels.Crystals;

/// <summary>Chemical formulas of periodic structures: the reduced formula names a composition (Cu₃Au for Cu₆Au₂).</summary>
public static class Composition
{
    /// <summary>
    /// The reduced formula, elements in order of atomic number, counts divided by their greatest common
    /// divisor, a count of 1 omitted: "Cu3Au", "CuAu", "Cu".
    /// </summary>
    /// <param name="numbers">Atomic numbers of the atoms in the cell (at least one).</param>
    public static string Reduced(ReadOnlySpan<int> numbers)
    {
        if (numbers.IsEmpty) throw new ArgumentException("Composition.Reduced: no atoms", nameof(numbers));
        var counts = Counts(numbers);
        int g = counts.Values.Aggregate(0, Gcd);
        return string.Concat(counts.Select(kv => Elements.Symbol(kv.Key) + (kv.Value / g == 1 ? "" : (kv.Value / g).ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    /// <summary>The formula of the cell itself (not reduced): "Cu6Au2".</summary>
    /// <param name="numbers">Atomic numbers of the atoms in the cell.</param>
    public static string Full(ReadOnlySpan<int> numbers) =>
        string.Concat(Counts(numbers).Select(kv => Elements.Symbol(kv.Key) + (kv.Value == 1 ? "" : kv.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    /// <summary>Atoms per element, ordered by atomic number.</summary>
    /// <param name="numbers">Atomic numbers.</param>
    public static SortedDictionary<int, int> Counts(ReadOnlySpan<int> numbers)
    {
        var counts = new SortedDictionary<int, int>();
        foreach (int z in numbers) counts[z] = counts.TryGetValue(z, out int c) ? c + 1 : 1;
        return counts;
    }

    /// <summary>The atom fraction of element <paramref name="z"/>.</summary>
    /// <param name="numbers">Atomic numbers.</param>
    /// <param name="z">The element.</param>
    public static double Fraction(ReadOnlySpan<int> numbers, int z)
    {
        int c = 0;
        foreach (int x in numbers) if (x == z) c++;
        return (double)c / numbers.Length;
    }

    internal static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
