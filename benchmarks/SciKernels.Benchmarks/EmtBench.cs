using System.Globalization;
using SciKernels.Potentials;

namespace SciKernels.Benchmarks;

/// <summary>
/// EMT energy + forces against ASE's EMT (benchmarks/ase/emt_bench.py, same case table and timing
/// protocol): <c>bulk('Cu', 'fcc', a=3.61, cubic=True).repeat((n, n, n))</c>, periodic, every call a
/// full evaluation (neighbour search included). <c>--md</c> adds an NVE run (throughput, energy drift).
/// </summary>
public static class EmtBench
{
    private const double A = 3.61;

    /// <summary>Name, repeat n (4 n³ atoms), warm-up calls, repeats, inner calls.</summary>
    public static readonly (string Name, int N, int Warmup, int Repeats, int Inner)[] Cases =
    {
        ("cu_864", 6, 3, 7, 3),
        ("cu_10976", 14, 2, 5, 1),
    };

    /// <summary>Runs the cases (all, or those whose name contains the <c>--case</c> argument).</summary>
    /// <param name="args">Command-line arguments.</param>
    public static int Run(string[] args)
    {
        int fi = Array.IndexOf(args, "--case");
        string? only = fi >= 0 && fi + 1 < args.Length ? args[fi + 1] : null;
        bool[] pbc = [true, true, true];
        var emt = new Emt();
        foreach (var c in Cases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            // The FCC layout of the argon case with Cu's lattice constant.
            var (pos0, _) = NeighborListBench.Argon(c.N);
            var pos = pos0.Select(x => x * A / 5.26).ToArray();
            double l = c.N * A;
            double[] cell = [l, 0, 0, 0, l, 0, 0, 0, l];
            var numbers = Enumerable.Repeat(29, pos.Length / 3).ToArray();
            int atoms = numbers.Length;
            double energy = emt.Calculate(pos, numbers, cell, pbc).Energy;
            double ms = Timing.MedianMs(() => emt.Calculate(pos, numbers, cell, pbc), c.Warmup, c.Repeats, c.Inner);
            // The neighbour search alone (part of every call): how much of the time is EMT's own.
            double searchMs = Timing.MedianMs(() => SciKernels.Graphs.NeighborList.Search(pos, cell, pbc, Emt.Cutoff), c.Warmup, c.Repeats, c.Inner);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Name,-10} {atoms,7} atoms {ms,10:F3} ms {ms * 1e3 / atoms,8:F4} us/atom (neighbour search {searchMs:F3} ms)  energy {energy:R} eV  threads {Environment.ProcessorCount}"));
        }
        if (args.Contains("--md")) RunMd();
        return 0;
    }

    /// <summary>NVE throughput and energy drift: Cu 864 atoms (6³ cubic cells), 300 K start (600 K in the velocities), 2 fs steps.</summary>
    private static void RunMd()
    {
        var (pos0, _) = NeighborListBench.Argon(6);
        var pos = pos0.Select(x => x * A / 5.26).ToArray();
        double l = 6 * A;
        var numbers = Enumerable.Repeat(29, pos.Length / 3).ToArray();
        var md = new VelocityVerlet(new Emt(), numbers, pos, VelocityVerlet.MaxwellBoltzmann(numbers, 600, 1), [l, 0, 0, 0, l, 0, 0, 0, l], [true, true, true], 2);
        md.Run(50); // warm-up
        double e0 = md.TotalEnergy, maxDev = 0;
        const int Steps = 1000;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int b = 0; b < Steps / 10; b++)
        {
            md.Run(10);
            maxDev = Math.Max(maxDev, Math.Abs(md.TotalEnergy - e0));
        }
        double s = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"md_cu_864  {Steps} steps of 2 fs: {numbers.Length * Steps / s:F0} atom-steps/s, T = {md.Temperature:F0} K, max |E - E0| = {maxDev / numbers.Length * 1e3:F4} meV/atom, final drift {(md.TotalEnergy - e0) / numbers.Length * 1e3:F4} meV/atom"));
    }
}
