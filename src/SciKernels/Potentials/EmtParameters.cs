namespace SciKernels.Potentials;

/// <summary>
/// EMT parameters of one element (Jacobsen, Stoltze and Nørskov, Surf. Sci. 366, 394 (1996)), in Å and eV,
/// with the shell sums γ1, γ2 that normalise σ1 and the pair term to the ideal FCC crystal.
/// </summary>
internal sealed class EmtElement
{
    public required int Z { get; init; }
    public required string Symbol { get; init; }
    /// <summary>Cohesive energy E0 (eV).</summary>
    public required double E0 { get; init; }
    /// <summary>Neutral-sphere radius s0 (Å).</summary>
    public required double S0 { get; init; }
    /// <summary>Pair-potential strength V0 (eV).</summary>
    public required double V0 { get; init; }
    /// <summary>Density decay η2 (1/Å).</summary>
    public required double Eta2 { get; init; }
    /// <summary>Pair decay κ (1/Å).</summary>
    public required double Kappa { get; init; }
    /// <summary>Cohesive-function decay λ (1/Å).</summary>
    public required double Lambda { get; init; }
    /// <summary>Reference density n0 (1/Å³).</summary>
    public required double N0 { get; init; }
    public required double Gamma1 { get; init; }
    public required double Gamma2 { get; init; }
    /// <summary>Atomic mass (amu), ASE's value.</summary>
    public required double Mass { get; init; }
}

/// <summary>
/// The parameter table and the global cutoff, following ASE's <c>ase.calculators.emt</c> conventions
/// (its default <c>asap_cutoff=False</c>: the cutoff comes from the largest s0 in the whole table, so it
/// does not depend on which elements are present).
/// </summary>
internal static class EmtParameters
{
    /// <summary>ASE's Bohr radius in Å (CODATA 2014, ase.units in 3.22), so our Å values match its bits.</summary>
    public const double Bohr = 0.5291772105638411;

    /// <summary>β = (16π/3)^(1/3)/√2 with ASE's historical rounding: the ratio of nearest-neighbour distance to s0 in FCC.</summary>
    public const double Beta = 1.809;

    /// <summary>Centre of the Fermi-like cutoff function θ(r) = 1/(1 + exp(acut (r − rc))): halfway between the 3rd and 4th FCC shells of the largest atom.</summary>
    public static readonly double Rc;

    /// <summary>Steepness of θ: it falls to 1e-4 at the 4th shell (θ(rr) = 1/(1 + 9999)).</summary>
    public static readonly double Acut;

    /// <summary>Pairs with r strictly below this are summed (ASE: rc + 0.5 Å); θ there is ~1e-5, not zero.</summary>
    public static readonly double ListCutoff;

    private static readonly EmtElement?[] ByZ = new EmtElement?[9];

    // Raw table in ASE's units: E0 eV, s0 bohr, V0 eV, η2 1/bohr, κ 1/bohr, λ 1/bohr, n0 1/bohr³; mass in amu (ase.data.atomic_masses, IUPAC 2016).
    private static readonly (string Symbol, int Z, double E0, double S0, double V0, double Eta2, double Kappa, double Lambda, double N0, double Mass)[] Raw =
    [
        ("Al", 13, -3.28, 3.00, 1.493, 1.240, 2.000, 1.169, 0.00700, 26.9815385),
        ("Cu", 29, -3.51, 2.67, 2.476, 1.652, 2.740, 1.906, 0.00910, 63.546),
        ("Ag", 47, -2.96, 3.01, 2.132, 1.652, 2.790, 1.892, 0.00547, 107.8682),
        ("Au", 79, -3.80, 3.00, 2.321, 1.674, 2.873, 2.182, 0.00703, 196.966569),
        ("Ni", 28, -4.44, 2.60, 3.673, 1.669, 2.757, 1.948, 0.01030, 58.6934),
        ("Pd", 46, -3.90, 2.87, 2.773, 1.818, 3.107, 2.155, 0.00688, 106.42),
        ("Pt", 78, -5.85, 2.90, 4.067, 1.812, 3.145, 2.192, 0.00802, 195.084),
        // ASE's "just for fun" light elements: not a serious description, kept for parity with ASE.
        ("H", 1, -3.21, 1.31, 0.132, 2.652, 2.790, 3.892, 0.00547, 1.008),
        ("C", 6, -3.50, 1.81, 0.332, 1.652, 2.790, 1.892, 0.01322, 12.011),
        ("N", 7, -5.10, 1.88, 0.132, 1.652, 2.790, 1.892, 0.01222, 14.007),
        ("O", 8, -4.60, 1.95, 0.332, 1.652, 2.790, 1.892, 0.00850, 15.999),
    ];

    static EmtParameters()
    {
        double maxS0 = Raw.Max(r => r.S0) * Bohr;
        Rc = Beta * maxS0 * 0.5 * (Math.Sqrt(3) + Math.Sqrt(4));
        double rr = Rc * 2 * Math.Sqrt(4) / (Math.Sqrt(3) + Math.Sqrt(4));
        Acut = Math.Log(9999.0) / (rr - Rc);
        ListCutoff = Rc + 0.5;
        ByZ = new EmtElement?[Raw.Max(r => r.Z) + 1];
        foreach (var r in Raw)
        {
            double s0 = r.S0 * Bohr, eta2 = r.Eta2 / Bohr, kappa = r.Kappa / Bohr;
            // γ1, γ2: the first three FCC shells (12, 6, 24 neighbours at β s0 √k), cut off smoothly, per 12 nearest.
            double gamma1 = 0, gamma2 = 0;
            ReadOnlySpan<int> shell = [12, 6, 24];
            for (int k = 0; k < 3; k++)
            {
                double dist = s0 * Beta * Math.Sqrt(k + 1);
                double w = shell[k] / (12 * (1.0 + Math.Exp(Acut * (dist - Rc))));
                gamma1 += w * Math.Exp(-eta2 * (dist - Beta * s0));
                gamma2 += w * Math.Exp(-kappa / Beta * (dist - Beta * s0));
            }
            ByZ[r.Z] = new EmtElement
            {
                Z = r.Z, Symbol = r.Symbol, E0 = r.E0, S0 = s0, V0 = r.V0, Eta2 = eta2, Kappa = kappa,
                Lambda = r.Lambda / Bohr, N0 = r.N0 / Math.Pow(Bohr, 3), Gamma1 = gamma1, Gamma2 = gamma2, Mass = r.Mass,
            };
        }
    }

    /// <summary>Symbols with parameters, in the table's order.</summary>
    public static IEnumerable<string> Symbols => Raw.Select(r => r.Symbol);

    /// <summary>The element with atomic number <paramref name="z"/>, or null when EMT has no parameters for it.</summary>
    public static EmtElement? Find(int z) => z >= 0 && z < ByZ.Length ? ByZ[z] : null;

    /// <summary>Atomic number of a symbol with EMT parameters, or 0.</summary>
    public static int AtomicNumber(string symbol)
    {
        foreach (var r in Raw)
            if (r.Symbol == symbol) return r.Z;
        return 0;
    }
}
