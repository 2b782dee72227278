namespace SciKernels.Potentials;

/// <summary>Chemical symbols of the elements 1…118, for reading and writing structures by symbol.</summary>
public static class Elements
{
    private static readonly string[] Symbols =
    [
        "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar",
        "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr",
        "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe",
        "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu",
        "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn",
        "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr",
        "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
    ];

    private static readonly Dictionary<string, int> Numbers = Symbols.Select((s, i) => (s, i + 1)).ToDictionary(p => p.s, p => p.Item2, StringComparer.Ordinal);

    /// <summary>The symbol of atomic number <paramref name="z"/> ("Cu" for 29).</summary>
    /// <param name="z">Atomic number, 1…118.</param>
    /// <exception cref="ArgumentOutOfRangeException">z is outside 1…118.</exception>
    public static string Symbol(int z) => z is >= 1 and <= 118 ? Symbols[z - 1]
        : throw new ArgumentOutOfRangeException(nameof(z), $"Elements: atomic number {z} is not 1…118");

    /// <summary>The atomic number of a chemical symbol (case-sensitive, "Cu"), or 0 when it is not one.</summary>
    /// <param name="symbol">Chemical symbol.</param>
    public static int TryNumber(string symbol) => symbol is not null && Numbers.TryGetValue(symbol, out int z) ? z : 0;

    /// <summary>The atomic number of a chemical symbol (case-sensitive, "Cu").</summary>
    /// <param name="symbol">Chemical symbol.</param>
    /// <exception cref="ArgumentException">Not a chemical symbol.</exception>
    public static int Number(string symbol)
    {
        int z = TryNumber(symbol);
        return z > 0 ? z : throw new ArgumentException($"Elements: '{symbol}' is not a chemical symbol", nameof(symbol));
    }
}
