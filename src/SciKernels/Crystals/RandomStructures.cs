using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Crystals;

/// <summary>
/// Random starting cells in the manner of AIRSS (Pickard and Needs): a random cell shape scaled to a volume
/// near the sum of the atomic volumes, then atoms at uniform random fractional positions, each rejected and
/// redrawn while it comes closer than <see cref="MinDistanceFactor"/> × the mean of the two elements'
/// nearest-neighbour distances to an atom already placed (periodic images included).
/// </summary>
public sealed record RandomStructures
{
    /// <summary>Range of the volume relative to the sum of the elements' FCC atomic volumes.</summary>
    public (double Low, double High) VolumeFactor { get; init; } = (0.9, 1.3);

    /// <summary>Range of the lattice lengths before scaling (relative; the volume fixes the scale).</summary>
    public (double Low, double High) LengthRange { get; init; } = (0.6, 1.4);

    /// <summary>Range of the cell angles (degrees).</summary>
    public (double Low, double High) AngleRange { get; init; } = (60, 120);

    /// <summary>Cells flatter than this, V / (a b c), are redrawn.</summary>
    public double MinShape { get; init; } = 0.5;

    /// <summary>Smallest distance between two atoms as a fraction of the mean nearest-neighbour distance of their elements in FCC.</summary>
    public double MinDistanceFactor { get; init; } = 0.75;

    /// <summary>Redraws of one atom before the whole structure is started again.</summary>
    public int TriesPerAtom { get; init; } = 200;

    /// <summary>A random periodic structure with the given atoms, deterministic in the generator's state.</summary>
    /// <param name="numbers">Atomic numbers of the atoms in the cell (EMT elements).</param>
    /// <param name="gen">Random source.</param>
    /// <exception cref="InvalidOperationException">No placement was found in 100 fresh cells (the distance rule cannot be met).</exception>
    public AtomicStructure Create(int[] numbers, Generator gen)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentNullException.ThrowIfNull(gen);
        if (numbers.Length == 0) throw new ArgumentException("RandomStructures.Create: no atoms", nameof(numbers));
        double volume0 = numbers.Sum(Prototypes.AtomicVolume);
        var dnn = numbers.Select(z => Prototypes.FccLatticeConstant(z) / Math.Sqrt(2)).ToArray();
        for (int attempt = 0; attempt < 100; attempt++)
        {
            double[] cell = RandomCell(gen, volume0 * Uniform(gen, VolumeFactor));
            var frac = new double[3 * numbers.Length];
            bool ok = true;
            for (int i = 0; i < numbers.Length && ok; i++)
            {
                ok = false;
                for (int t = 0; t < TriesPerAtom && !ok; t++)
                {
                    for (int c = 0; c < 3; c++) frac[3 * i + c] = gen.NextDouble();
                    ok = FarEnough(frac, i, cell, dnn);
                }
            }
            if (ok) return new AtomicStructure((int[])numbers.Clone(), CellMath.RowsTimes(frac, cell), cell);
        }
        throw new InvalidOperationException($"RandomStructures.Create: no placement of {Composition.Full(numbers)} met the distance rule in 100 cells");
    }

    private double[] RandomCell(Generator gen, double volume)
    {
        while (true)
        {
            double a = Uniform(gen, LengthRange), b = Uniform(gen, LengthRange), c = Uniform(gen, LengthRange);
            double al = Uniform(gen, AngleRange), be = Uniform(gen, AngleRange), ga = Uniform(gen, AngleRange);
            double[] cell;
            try { cell = CellMath.FromParameters(a, b, c, al, be, ga); }
            catch (ArgumentException) { continue; } // angles that close no cell: draw again
            double v = Math.Abs(CellMath.Det(cell));
            if (v / (a * b * c) < MinShape) continue;
            double s = Math.Cbrt(volume / v);
            for (int k = 0; k < 9; k++) cell[k] *= s;
            return cell;
        }
    }

    private bool FarEnough(double[] frac, int i, double[] cell, double[] dnn)
    {
        var d = new double[3];
        for (int j = 0; j <= i; j++)
        {
            double min = MinDistanceFactor * 0.5 * (dnn[i] + dnn[j]);
            for (int a = -1; a <= 1; a++)
                for (int b = -1; b <= 1; b++)
                    for (int c = -1; c <= 1; c++)
                    {
                        if (j == i && a == 0 && b == 0 && c == 0) continue;
                        double fx = frac[3 * i] - frac[3 * j] + a, fy = frac[3 * i + 1] - frac[3 * j + 1] + b, fz = frac[3 * i + 2] - frac[3 * j + 2] + c;
                        for (int k = 0; k < 3; k++) d[k] = fx * cell[k] + fy * cell[3 + k] + fz * cell[6 + k];
                        if (CellMath.Norm(d) < min) return false;
                    }
        }
        return true;
    }

    private static double Uniform(Generator gen, (double Low, double High) r) => r.Low + (r.High - r.Low) * gen.NextDouble();
}
