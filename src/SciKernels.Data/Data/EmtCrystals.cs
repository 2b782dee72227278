using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Data;

/// <summary>Settings of <see cref="EmtCrystals.CopperFcc"/>.</summary>
/// <param name="Supercells">Conventional-cell repeats n (n×n×n, 4n³ atoms) drawn from uniformly.</param>
/// <param name="MinTemperature">Lowest temperature (K) of the thermal displacements.</param>
/// <param name="MaxTemperature">Highest temperature (K).</param>
/// <param name="VacancyProbability">Chance that a structure has one atom removed.</param>
/// <param name="StrainStd">Standard deviation of each independent component of the random symmetric strain.</param>
/// <param name="LatticeConstant">Cubic lattice constant (Å) before the strain (EMT's Cu equilibrium is about 3.59).</param>
public sealed record EmtCrystalOptions(int[] Supercells, double MinTemperature = 300, double MaxTemperature = 1200,
    double VacancyProbability = 0.3, double StrainStd = 0.01, double LatticeConstant = 3.59);

/// <summary>
/// Labelled training data without molecular dynamics: FCC supercells, strained, with an occasional
/// vacancy and thermal displacements of independent Einstein oscillators, labelled by <see cref="Emt"/>.
/// </summary>
/// <remarks>
/// The displacement of each atom is Gaussian with the classical Einstein variance
/// ⟨u²⟩ per axis = k_B T / (m ω_E²) = ħ² T / (m k_B θ_E²) (θ_E = 240 K for Cu: σ ≈ 0.063 Å at 300 K,
/// 0.126 Å at 1200 K) — uncorrelated, unlike MD snapshots, but spanning the same distances. Deterministic
/// for a seed. Molecular-dynamics data sets are another source of <see cref="AtomicStructure"/>s.
/// </remarks>
public static class EmtCrystals
{
    private const double Boltzmann = 8.617333262e-5;     // eV/K
    private const double HBar = 6.582119569e-16;         // eV·s
    private const double AmuEvS2PerA2 = 1.0364269e-28;  // 1 amu in eV·s²/Å²
    private const double CopperMass = 63.546;           // amu
    private const double CopperEinstein = 240;          // K

    /// <summary>
    /// <paramref name="count"/> labelled Cu structures (energy, forces, stress from EMT).
    /// </summary>
    /// <param name="count">Number of structures.</param>
    /// <param name="seed">Seed of the random draws.</param>
    /// <param name="options">Settings; default: 2×2×2 supercells (32 atoms), 300–1200 K, 30% with a vacancy, 1% strain.</param>
    public static List<AtomicStructure> CopperFcc(int count, ulong seed, EmtCrystalOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var o = options ?? new EmtCrystalOptions([2]);
        if (o.Supercells is null || o.Supercells.Length == 0 || o.Supercells.Any(n => n < 1 || n > 20))
            throw new ArgumentException($"EmtCrystals: supercell repeats must be 1…20, got [{string.Join(", ", o.Supercells ?? [])}]", nameof(options));
        if (!(o.MinTemperature >= 0) || !(o.MaxTemperature >= o.MinTemperature) || !double.IsFinite(o.MaxTemperature))
            throw new ArgumentException($"EmtCrystals: temperatures must satisfy 0 ≤ min ≤ max, got {o.MinTemperature}…{o.MaxTemperature} K", nameof(options));
        if (!(o.VacancyProbability is >= 0 and <= 1)) throw new ArgumentException($"EmtCrystals: vacancy probability must be in [0, 1], got {o.VacancyProbability}", nameof(options));
        if (!(o.StrainStd is >= 0 and < 0.2)) throw new ArgumentException($"EmtCrystals: strain std must be in [0, 0.2), got {o.StrainStd}", nameof(options));
        if (!(o.LatticeConstant > 1) || !double.IsFinite(o.LatticeConstant)) throw new ArgumentException($"EmtCrystals: lattice constant must be > 1 Å, got {o.LatticeConstant}", nameof(options));

        var rng = new Generator(seed);
        var emt = new Emt();
        int cu = Emt.AtomicNumber("Cu");
        var result = new List<AtomicStructure>(count);
        (double, double, double)[] basis = [(0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)];
        for (int k = 0; k < count; k++)
        {
            int n = o.Supercells[(int)rng.NextInt64(o.Supercells.Length)];
            double t = o.MinTemperature + (o.MaxTemperature - o.MinTemperature) * rng.NextDouble();
            double sigma = Math.Sqrt(HBar * HBar * t / (CopperMass * AmuEvS2PerA2 * Boltzmann * CopperEinstein * CopperEinstein));
            // Symmetric strain: six independent components.
            var e = new double[9];
            for (int a = 0; a < 3; a++)
                for (int b = a; b < 3; b++) e[3 * a + b] = e[3 * b + a] = o.StrainStd * rng.NextNormal();
            var cell = new double[9];
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++) cell[3 * r + c] = n * o.LatticeConstant * ((r == c ? 1 : 0) + e[3 * r + c]);
            var pos = new List<double>(12 * n * n * n);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    for (int l = 0; l < n; l++)
                        foreach (var (u, v, w) in basis)
                        {
                            double f0 = (i + u) / n, f1 = (j + v) / n, f2 = (l + w) / n;
                            for (int c = 0; c < 3; c++) pos.Add(f0 * cell[c] + f1 * cell[3 + c] + f2 * cell[6 + c] + sigma * rng.NextNormal());
                        }
            bool vacancy = rng.NextDouble() < o.VacancyProbability && pos.Count > 3;
            if (vacancy) pos.RemoveRange(3 * (int)rng.NextInt64(pos.Count / 3), 3);
            var positions = pos.ToArray();
            var numbers = Enumerable.Repeat(cu, positions.Length / 3).ToArray();
            bool[] pbc = [true, true, true];
            var r0 = emt.Calculate(positions, numbers, cell, pbc);
            result.Add(new AtomicStructure(numbers, positions, cell, pbc, r0.Energy, r0.Forces, r0.Stress));
        }
        return result;
    }
}
