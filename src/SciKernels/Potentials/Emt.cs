using SciKernels.Cpu;
using SciKernels.Graphs;

namespace SciKernels.Potentials;

/// <summary>
/// Effective-medium theory (EMT), the many-body potential ASE ships as <c>ase.calculators.emt.EMT</c>,
/// with analytic forces and stress, on open or periodic (possibly triclinic, possibly small) cells.
/// </summary>
/// <remarks>
/// <para>Energy (ASE's form and parameters, see <see cref="EmtParameters"/>): with θ(r) the smooth cutoff and
/// χ_ij = n0_j / n0_i,</para>
/// <para>σ_i = Σ_j χ_ij exp(−η2_j (r_ij − β s0_j)) θ(r_ij) / γ1_i,
/// s_i = −ln(σ_i / 12) / (β η2_i),</para>
/// <para>E_i = E0_i ((1 + λ_i s_i) e^(−λ_i s_i) − 1) + 6 V0_i e^(−κ_i s_i)
/// − ½ Σ_j ½ [V0_i χ_ij e^(−κ_j (r/β − s0_j)) / γ2_i + V0_j e^(−κ_i (r/β − s0_i)) / (χ_ij γ2_j)] θ(r).</para>
/// <para>Sums run over the full directed neighbour list (r &lt; rc + 0.5 Å), so each atom gathers its own
/// energy, density, force and virial: threads never write to the same atom, and the result does not
/// depend on the thread count. An atom with no neighbours (σ = 0) gets −E0, as in ASE.</para>
/// </remarks>
public sealed class Emt : IAtomsCalculator
{
    /// <summary>Atoms per parallel chunk; fixed, so sums do not depend on the thread count.</summary>
    private const long Grain = 256;

    /// <summary>Interaction range: pairs closer than this (Å) enter the sums.</summary>
    public static double Cutoff => EmtParameters.ListCutoff;

    /// <summary>Element symbols EMT has parameters for.</summary>
    public static IReadOnlyList<string> Elements { get; } = EmtParameters.Symbols.ToArray();

    /// <summary>Atomic number of an element symbol EMT supports.</summary>
    /// <param name="symbol">Chemical symbol, case-sensitive ("Cu").</param>
    /// <exception cref="ArgumentException">The element has no EMT parameters.</exception>
    public static int AtomicNumber(string symbol)
    {
        int z = EmtParameters.AtomicNumber(symbol);
        if (z == 0)
            throw new ArgumentException($"Emt: no EMT parameters for element '{symbol}'; supported: {string.Join(", ", Elements)}.", nameof(symbol));
        return z;
    }

    /// <inheritdoc/>
    public string Name => "EMT";

    /// <inheritdoc/>
    CalculatorResult IAtomsCalculator.Calculate(ReadOnlySpan<double> positions, ReadOnlySpan<int> numbers, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc) =>
        Calculate(positions, numbers, cell, pbc);

    /// <summary>Energy, per-atom energies, forces and (with a cell) stress.</summary>
    /// <param name="positions">Cartesian positions (Å), N·3 values, all finite; need not be wrapped into the cell.</param>
    /// <param name="numbers">Atomic numbers, N values, each one of <see cref="Elements"/>.</param>
    /// <param name="cell">The cell (Å), 9 values with rows = lattice vectors, or empty for an open system without a cell.</param>
    /// <param name="pbc">Periodicity per axis (3 values), or empty for "periodic on all axes iff a cell is given".</param>
    /// <exception cref="ArgumentException">Mismatched lengths, an unknown element, a non-finite position, a singular or non-finite cell, or coincident atoms.</exception>
    public EmtResult Calculate(ReadOnlySpan<double> positions, ReadOnlySpan<int> numbers, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc)
    {
        int n = Validate(positions, numbers, cell, pbc, out double volume);
        var pars = new EmtElement[n];
        for (int a = 0; a < n; a++) pars[a] = EmtParameters.Find(numbers[a])!;

        // The neighbour search wants a right-handed cell; −a1 generates the same lattice, so the periodic
        // system and every result are unchanged (the volume is |det|).
        double[] searchCell = cell.ToArray();
        if (searchCell.Length == 9 && Det(searchCell) < 0)
            for (int c = 0; c < 3; c++) searchCell[c] = -searchCell[c];
        var pairs = NeighborList.Search(positions, searchCell, pbc, EmtParameters.ListCutoff);
        var start = new int[n + 1];
        for (int p = 0; p < pairs.Count; p++) start[pairs.First[p] + 1]++;
        for (int a = 0; a < n; a++) start[a + 1] += start[a];
        double[] vec = pairs.Vectors, dist = pairs.Distances;
        long[] second = pairs.Second;
        for (int p = 0; p < pairs.Count; p++)
            if (!(dist[p] > 1e-8))
                throw new ArgumentException($"Emt: atoms {pairs.First[p]} and {second[p]} (image shift [{pairs.Shifts[3 * p]}, {pairs.Shifts[3 * p + 1]}, {pairs.Shifts[3 * p + 2]}]) coincide (distance {dist[p]:R} Å).", nameof(positions));

        double rc = EmtParameters.Rc, acut = EmtParameters.Acut, beta = EmtParameters.Beta;
        var energies = new double[n];
        var sigma = new double[n];
        var deds = new double[n];
        // Per pair, from pass 1 for pass 2 (so each exponential is taken once): −θ'/θ, the pair's −dV/dr, and
        // the two density tails (a's σ through b's tail, b's σ through a's), still to be weighted by dE/dσ.
        var cutOf = new double[pairs.Count];
        var pairForce = new double[pairs.Count];
        var tail1 = new double[pairs.Count];
        var tail2 = new double[pairs.Count];

        // Pass 1: density σ_i, the pair energy and the embedding energy, each atom from its own list.
        CpuParallel.For(n, Grain, (a0, len) =>
        {
            for (long a = a0; a < a0 + len; a++)
            {
                var pi = pars[a];
                double s = 0, pair = 0;
                for (int p = start[a]; p < start[a + 1]; p++)
                {
                    var pj = pars[second[p]];
                    double r = dist[p], ex = Math.Exp(acut * (r - rc)), theta = 1.0 / (1.0 + ex), chi = pj.N0 / pi.N0;
                    double cut = acut * theta * ex;
                    double e1 = Math.Exp(-pj.Eta2 * (r - beta * pj.S0));
                    s += e1 * chi * theta / pi.Gamma1;
                    double v = PairEnergy(pi, pj, r, chi, theta, out double y1, out double y2);
                    pair += v;
                    cutOf[p] = cut;
                    // −dV/dr for the pair V = y1 + y2 (which enters E once per unordered pair).
                    pairForce[p] = (y1 * pj.Kappa + y2 * pi.Kappa) / beta + v * cut;
                    tail1[p] = e1 * chi / pi.Gamma1 * theta;
                    tail2[p] = Math.Exp(-pi.Eta2 * (r - beta * pi.S0)) / chi / pj.Gamma1 * theta;
                }
                sigma[a] = s;
                double e = -0.5 * pair;
                if (s > 0)
                {
                    double ds = -Math.Log(s / 12) / (beta * pi.Eta2), x = pi.Lambda * ds, y = Math.Exp(-x);
                    double z = 6 * pi.V0 * Math.Exp(-pi.Kappa * ds);
                    deds[a] = (x * y * pi.E0 * pi.Lambda + pi.Kappa * z) / (s * beta * pi.Eta2);
                    e += pi.E0 * ((1 + x) * y - 1) + z;
                }
                else
                {
                    e -= pi.E0; // s → ∞: the cohesive function's limit; dE/dσ stays 0
                }
                energies[a] = e;
            }
        });

        // Pass 2: force on each atom from its pairs, both directions of each term (the list holds i→j and j→i),
        // and the per-atom virial Σ_j f_ij ⊗ d_ij / 2 (each pair is seen from both ends).
        var forces = new double[3L * n];
        var virial = new double[6L * n];
        CpuParallel.For(n, Grain, (a0, len) =>
        {
            for (long a = a0; a < a0 + len; a++)
            {
                var pi = pars[a];
                double fx = 0, fy = 0, fz = 0, wxx = 0, wyy = 0, wzz = 0, wyz = 0, wxz = 0, wxy = 0;
                for (int p = start[a]; p < start[a + 1]; p++)
                {
                    long b = second[p];
                    var pj = pars[b];
                    double cut = cutOf[p], t1 = tail1[p] * deds[a], t2 = tail2[p] * deds[b];
                    double c = pairForce[p] - (t1 * pj.Eta2 + t2 * pi.Eta2 + (t1 + t2) * cut);
                    double dx = vec[3 * p], dy = vec[3 * p + 1], dz = vec[3 * p + 2], g = c / dist[p];
                    fx += g * dx; fy += g * dy; fz += g * dz;
                    double h = 0.5 * g;
                    wxx += h * dx * dx; wyy += h * dy * dy; wzz += h * dz * dz;
                    wyz += h * dy * dz; wxz += h * dx * dz; wxy += h * dx * dy;
                }
                forces[3 * a] = fx; forces[3 * a + 1] = fy; forces[3 * a + 2] = fz;
                virial[6 * a] = wxx; virial[6 * a + 1] = wyy; virial[6 * a + 2] = wzz;
                virial[6 * a + 3] = wyz; virial[6 * a + 4] = wxz; virial[6 * a + 5] = wxy;
            }
        });

        double energy = 0;
        for (int a = 0; a < n; a++) energy += energies[a];
        double[]? stress = null;
        if (volume > 0)
        {
            stress = new double[6];
            for (int a = 0; a < n; a++)
                for (int k = 0; k < 6; k++) stress[k] += virial[6 * a + k];
            for (int k = 0; k < 6; k++) stress[k] /= volume;
        }
        return new EmtResult(energy, energies, forces, stress);
    }

    /// <summary>The symmetric pair energy y1 + y2 of atoms i, j at distance r (ASE's split into the i-side and j-side terms).</summary>
    private static double PairEnergy(EmtElement pi, EmtElement pj, double r, double chi, double theta, out double y1, out double y2)
    {
        double beta = EmtParameters.Beta;
        y1 = 0.5 * pi.V0 * Math.Exp(-pj.Kappa * (r / beta - pj.S0)) * chi / pi.Gamma2 * theta;
        y2 = 0.5 * pj.V0 * Math.Exp(-pi.Kappa * (r / beta - pi.S0)) / chi / pj.Gamma2 * theta;
        return y1 + y2;
    }

    /// <summary>Checks the input; returns N and the cell volume (0 without a cell).</summary>
    private static int Validate(ReadOnlySpan<double> positions, ReadOnlySpan<int> numbers, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc, out double volume)
    {
        if (positions.Length % 3 != 0)
            throw new ArgumentException($"Emt: positions must hold N·3 values; got {positions.Length}.", nameof(positions));
        int n = positions.Length / 3;
        if (numbers.Length != n)
            throw new ArgumentException($"Emt: {n} positions but {numbers.Length} atomic numbers.", nameof(numbers));
        for (int a = 0; a < n; a++)
        {
            if (EmtParameters.Find(numbers[a]) is null)
                throw new ArgumentException($"Emt: no EMT parameters for atomic number {numbers[a]} (atom {a}); supported: {string.Join(", ", Elements)}.", nameof(numbers));
            for (int c = 0; c < 3; c++)
                if (!double.IsFinite(positions[3 * a + c]))
                    throw new ArgumentException($"Emt: position of atom {a} is not finite: [{positions[3 * a]:R}, {positions[3 * a + 1]:R}, {positions[3 * a + 2]:R}].", nameof(positions));
        }
        if (pbc.Length != 0 && pbc.Length != 3)
            throw new ArgumentException($"Emt: pbc must hold 3 values or none; got {pbc.Length}.", nameof(pbc));
        volume = 0;
        if (cell.Length == 0)
        {
            if (pbc.Length == 3 && (pbc[0] || pbc[1] || pbc[2]))
                throw new ArgumentException($"Emt: pbc [{pbc[0]}, {pbc[1]}, {pbc[2]}] is periodic but no cell was given.", nameof(cell));
            return n;
        }
        if (cell.Length != 9)
            throw new ArgumentException($"Emt: cell must hold 9 values (rows = lattice vectors) or none; got {cell.Length}.", nameof(cell));
        foreach (double v in cell)
            if (!double.IsFinite(v))
                throw new ArgumentException($"Emt: cell is not finite: [{string.Join(", ", cell.ToArray().Select(x => x.ToString("R")))}].", nameof(cell));
        double det = Det(cell);
        double scale = Norm(cell[..3]) * Norm(cell.Slice(3, 3)) * Norm(cell.Slice(6, 3));
        if (!(Math.Abs(det) > 1e-10 * scale))
            throw new ArgumentException($"Emt: cell is singular (det {det:R}, lattice vectors [{string.Join(", ", cell.ToArray().Select(x => x.ToString("R")))}]); the stress and periodic images need a volume.", nameof(cell));
        volume = Math.Abs(det);
        return n;
    }

    private static double Det(ReadOnlySpan<double> m) =>
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);

    private static double Norm(ReadOnlySpan<double> v) => Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}
