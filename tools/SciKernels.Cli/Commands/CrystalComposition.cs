using System.Globalization;
using System.Text.RegularExpressions;
using SciKernels.Potentials;

namespace SciKernels.Cli;

/// <summary>Compositions as text: "Cu3Au1" (counts optional: "CuAu" is Cu1Au1), elements in order of atomic number when written.</summary>
internal static partial class CrystalComposition
{
    [GeneratedRegex(@"\G([A-Z][a-z]?)(\d*)")]
    private static partial Regex Part();

    /// <summary>The atomic numbers of "Cu3Au1" (Cu, Cu, Cu, Au); a user error names a bad formula.</summary>
    public static int[] Parse(string text, string option = "--composition")
    {
        if (string.IsNullOrWhiteSpace(text)) throw new OptionException($"{option}: empty composition");
        var numbers = new List<int>();
        int consumed = 0;
        foreach (Match m in Part().Matches(text))
        {
            consumed += m.Length;
            int z = Elements.TryNumber(m.Groups[1].Value);
            if (z == 0) throw new OptionException($"{option} {text}: '{m.Groups[1].Value}' is not a chemical symbol");
            int count = m.Groups[2].Value.Length == 0 ? 1 : int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (count < 1 || count > 1000) throw new OptionException($"{option} {text}: count {count} of {m.Groups[1].Value} must be in [1, 1000]");
            numbers.AddRange(Enumerable.Repeat(z, count));
        }
        if (consumed != text.Length || numbers.Count == 0)
            throw new OptionException($"{option} {text}: not a formula like Cu3Au1 (symbols each followed by a count)");
        return numbers.ToArray();
    }

    /// <summary>"Cu3Au1" for the atomic numbers (elements sorted by Z, every count written).</summary>
    public static string Key(IEnumerable<int> numbers) =>
        string.Concat(numbers.GroupBy(z => z).OrderBy(g => g.Key).Select(g => $"{Elements.Symbol(g.Key)}{g.Count()}"));
}
