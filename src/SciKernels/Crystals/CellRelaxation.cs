using SciKernels.Generative;
using SciKernels.Potentials;

namespace SciKernels.Crystals;

/// <summary>The outcome of a <see cref="CellRelaxation"/>.</summary>
/// <param name="Structure">The relaxed structure (positions wrapped into the cell) labelled with its energy, forces and stress.</param>
/// <param name="Energy">Final energy (eV).</param>
/// <param name="MaxForce">Largest per-atom force norm at the end (eV/Å).</param>
/// <param name="MaxStress">Largest absolute Voigt stress component at the end (eV/Å³).</param>
/// <param name="Steps">Energy evaluations taken (FIRE steps).</param>
/// <param name="Converged">Whether both thresholds were met.</param>
public sealed record CellRelaxationResult(AtomicStructure Structure, double Energy, double MaxForce, double MaxStress, int Steps, bool Converged)
{
    /// <summary>Energy per atom (eV).</summary>
    public double EnergyPerAtom => Energy / Structure.NumAtoms;
}

/// <summary>
/// Relaxes positions and cell together with <see cref="Fire"/>, the idea of ASE's <c>UnitCellFilter</c>:
/// the deformation gradient F of the cell (C = C₀ Fᵀ, positions r = x Fᵀ) joins the atoms as extra
/// degrees of freedom, scaled by a cell factor (ASE's default: the number of atoms), with the generalised
/// forces −∂E/∂x = f F on the atoms and −∂E/∂F = −V σ F⁻ᵀ on the cell (σ the stress, ASE's sign).
/// Converged when every atom's force is below <see cref="Fmax"/> and every stress component below
/// <see cref="StressMax"/> — the real forces and stress, not the generalised ones.
/// </summary>
public sealed record CellRelaxation
{
    /// <summary>Force threshold (eV/Å).</summary>
    public double Fmax { get; init; } = 0.02;

    /// <summary>Stress threshold on each Voigt component (eV/Å³; 0.002 eV/Å³ ≈ 0.32 GPa).</summary>
    public double StressMax { get; init; } = 0.002;

    /// <summary>Step budget (energy evaluations).</summary>
    public int MaxSteps { get; init; } = 500;

    /// <summary>The optimiser (ASE's FIRE parameters by default).</summary>
    public Fire Optimizer { get; init; } = new();

    /// <summary>Volume per atom (Å³) outside [<see cref="MinVolumePerAtom"/>, <see cref="MaxVolumePerAtom"/>] aborts the relaxation as failed (an exploding or collapsing cell).</summary>
    public double MinVolumePerAtom { get; init; } = 3;

    /// <summary>See <see cref="MinVolumePerAtom"/>.</summary>
    public double MaxVolumePerAtom { get; init; } = 80;

    /// <summary>Relaxes a periodic structure with a calculator.</summary>
    /// <param name="start">The start: a cell with periodic boundaries on all three axes.</param>
    /// <param name="calculator">The energy model (e.g. <see cref="Emt"/>); it must return a stress.</param>
    /// <param name="onStep">Called after every evaluation with (step, energy, max force, max stress), or null.</param>
    /// <exception cref="ArgumentException">The structure has no cell or is not periodic on every axis, or a threshold is not positive.</exception>
    /// <exception cref="CellRelaxationException">The cell left the allowed volume range, or the calculator failed (e.g. coincident atoms).</exception>
    public CellRelaxationResult Relax(AtomicStructure start, IAtomsCalculator calculator, Action<int, double, double, double>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(calculator);
        if (start.Cell is null || !start.Pbc.All(p => p))
            throw new ArgumentException("CellRelaxation.Relax: the structure needs a cell with periodic boundaries on all three axes", nameof(start));
        if (!(Fmax > 0) || !(StressMax > 0)) throw new ArgumentException($"CellRelaxation.Relax: thresholds must be > 0 (Fmax {Fmax}, StressMax {StressMax})");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSteps);

        int n = start.NumAtoms;
        double cf = n;
        double[] c0 = start.Cell;
        var x = new double[3 * n + 9];
        start.Positions.CopyTo(x, 0);
        double[] identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        for (int k = 0; k < 9; k++) x[3 * n + k] = cf * identity[k];
        int[] numbers = start.Numbers;
        CalculatorResult? last = null;
        double[] lastPositions = [], lastCell = [];
        double lastFmax = double.NaN, lastSmax = double.NaN;
        int step = 0;

        double Evaluate(ReadOnlySpan<double> q, Span<double> g)
        {
            var f = new double[9];
            for (int k = 0; k < 9; k++) f[k] = q[3 * n + k] / cf;
            double[] ft = CellMath.Transpose(f);
            double[] cell = CellMath.Multiply(c0, ft);
            double perAtom = Math.Abs(CellMath.Det(cell)) / n;
            if (!(perAtom >= MinVolumePerAtom && perAtom <= MaxVolumePerAtom))
                throw new CellRelaxationException($"CellRelaxation: the volume per atom left [{MinVolumePerAtom}, {MaxVolumePerAtom}] Å³ ({perAtom:G4} Å³ at step {step})");
            double[] r = CellMath.RowsTimes(q[..(3 * n)], ft);
            CalculatorResult res;
            try
            {
                res = calculator.Calculate(r, numbers, cell, [true, true, true]);
            }
            catch (ArgumentException e)
            {
                throw new CellRelaxationException($"CellRelaxation: the calculator failed at step {step}: {e.Message}", e);
            }
            double[] s = res.Stress ?? throw new ArgumentException($"CellRelaxation: calculator {calculator.Name} returned no stress");
            if (!double.IsFinite(res.Energy)) throw new CellRelaxationException($"CellRelaxation: energy {res.Energy} at step {step}");
            double fm = Fire.MaxAtomForce(res.Forces), sm = s.Max(Math.Abs);
            last = res; lastPositions = r; lastCell = cell; lastFmax = fm; lastSmax = sm;
            onStep?.Invoke(step, res.Energy, fm, sm);
            step++;
            if (fm < Fmax && sm < StressMax)
            {
                // Zero generalised forces make FIRE stop here: convergence is judged on the real forces and stress.
                g.Clear();
                return res.Energy;
            }
            var fx = CellMath.RowsTimes(res.Forces, f); // atoms: −∂E/∂x = f · F (rows)
            fx.CopyTo(g);
            double vol = Math.Abs(CellMath.Det(cell));
            double[] sigma = [s[0], s[5], s[4], s[5], s[1], s[3], s[4], s[3], s[2]];
            double[] virial = CellMath.Multiply(sigma, CellMath.Transpose(CellMath.Inverse(f))); // σ F⁻ᵀ
            for (int k = 0; k < 9; k++) g[3 * n + k] = -vol * virial[k] / cf;
            return res.Energy;
        }

        var fire = Optimizer.Relax(x, Evaluate, fmax: double.Epsilon, maxSteps: MaxSteps);
        var final = last!;
        var frac = CellMath.ToFractional(lastPositions, lastCell);
        for (int k = 0; k < frac.Length; k++) frac[k] -= Math.Floor(frac[k]);
        var wrapped = CellMath.RowsTimes(frac, lastCell);
        var structure = new AtomicStructure((int[])numbers.Clone(), wrapped, lastCell, null, final.Energy, final.Forces, final.Stress);
        return new CellRelaxationResult(structure, final.Energy, lastFmax, lastSmax, fire.Steps, lastFmax < Fmax && lastSmax < StressMax);
    }
}

/// <summary>A cell relaxation that could not go on (the cell exploded or collapsed, atoms coincided).</summary>
public sealed class CellRelaxationException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, with the step.</param>
    /// <param name="inner">The calculator's exception, if any.</param>
    public CellRelaxationException(string message, Exception? inner = null) : base(message, inner) { }
}
