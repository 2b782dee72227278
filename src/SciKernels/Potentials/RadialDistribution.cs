using SciKernels.Graphs;

namespace SciKernels.Potentials;

/// <summary>
/// The radial distribution function g(r) of periodic configurations, averaged over the frames added:
/// g(r) = ⟨n(r, r + Δr)⟩ / (ρ · 4π/3 ((r + Δr)³ − r³)), with n the number of neighbours (images included)
/// of an atom in the shell, averaged over atoms and frames, and ρ = N / V the number density of the cell.
/// </summary>
/// <remarks>
/// g → 1 at large r for a homogeneous periodic system (up to the 1/N of using N rather than N − 1 partners).
/// For a slab with vacuum, V counts the vacuum, so g is scaled by V over the slab's volume: compare such runs
/// only with each other. Counts are integers summed in a fixed order, so the result does not depend on threads.
/// </remarks>
public sealed class RadialDistribution
{
    private readonly long[] counts;
    private double atomFrameDensity; // Σ over frames of N·ρ: the normaliser of every bin

    /// <summary>An empty histogram of <paramref name="bins"/> equal bins on [0, <paramref name="rMax"/>).</summary>
    /// <param name="rMax">Largest distance (Å), positive and finite.</param>
    /// <param name="bins">Number of bins, ≥ 1.</param>
    public RadialDistribution(double rMax, int bins)
    {
        if (!(rMax > 0) || !double.IsFinite(rMax))
            throw new ArgumentException($"RadialDistribution: rMax must be positive and finite; got {rMax:R} Å.", nameof(rMax));
        if (bins < 1)
            throw new ArgumentException($"RadialDistribution: bins must be ≥ 1; got {bins}.", nameof(bins));
        RMax = rMax;
        counts = new long[bins];
    }

    /// <summary>Largest distance (Å).</summary>
    public double RMax { get; }

    /// <summary>Number of bins.</summary>
    public int Bins => counts.Length;

    /// <summary>Frames added.</summary>
    public int Frames { get; private set; }

    /// <summary>Bin width (Å).</summary>
    public double BinWidth => RMax / counts.Length;

    /// <summary>The centre of every bin (Å).</summary>
    public double[] Radii => Enumerable.Range(0, counts.Length).Select(i => (i + 0.5) * BinWidth).ToArray();

    /// <summary>g(r) per bin (zeros before the first frame).</summary>
    public double[] G
    {
        get
        {
            var g = new double[counts.Length];
            if (atomFrameDensity == 0) return g;
            double w = BinWidth;
            for (int i = 0; i < g.Length; i++)
            {
                double r0 = i * w, r1 = (i + 1) * w;
                g[i] = counts[i] / (atomFrameDensity * 4.0 / 3.0 * Math.PI * (r1 * r1 * r1 - r0 * r0 * r0));
            }
            return g;
        }
    }

    /// <summary>Adds one configuration.</summary>
    /// <param name="positions">Cartesian positions (Å), N·3 values, finite.</param>
    /// <param name="cell">The cell, 9 values (rows = lattice vectors), non-singular: g needs a density.</param>
    /// <param name="pbc">Periodicity per axis (3 values), or empty for all periodic.</param>
    public void Add(ReadOnlySpan<double> positions, ReadOnlySpan<double> cell, ReadOnlySpan<bool> pbc)
    {
        if (cell.Length != 9)
            throw new ArgumentException($"RadialDistribution: g(r) needs a cell (9 values) for the density; got {cell.Length} values.", nameof(cell));
        if (positions.Length % 3 != 0 || positions.Length == 0)
            throw new ArgumentException($"RadialDistribution: positions must hold N·3 values, N ≥ 1; got {positions.Length}.", nameof(positions));
        double[] c = cell.ToArray();
        double det = c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]);
        if (!(Math.Abs(det) > 0) || !double.IsFinite(det))
            throw new ArgumentException($"RadialDistribution: the cell is singular or not finite (det {det:R}).", nameof(cell));
        // The neighbour search wants a right-handed cell; −a1 spans the same lattice.
        if (det < 0)
            for (int k = 0; k < 3; k++) c[k] = -c[k];
        bool[] periodic = pbc.Length == 3 ? pbc.ToArray() : [true, true, true];
        var pairs = NeighborList.Search(positions, c, periodic, RMax);
        double w = BinWidth;
        for (int p = 0; p < pairs.Count; p++)
        {
            int bin = (int)(pairs.Distances[p] / w);
            if (bin < counts.Length) counts[bin]++;
        }
        int n = positions.Length / 3;
        atomFrameDensity += n * (n / Math.Abs(det));
        Frames++;
    }
}
