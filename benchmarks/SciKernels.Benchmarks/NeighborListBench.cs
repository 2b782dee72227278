using System.Globalization;
using System.Text;
using SciKernels.Graphs;

namespace SciKernels.Benchmarks;

/// <summary>
/// Neighbour lists against ASE (benchmarks/compare_neighbors.sh): <see cref="NeighborList.Search"/>
/// on argon FCC supercells with the case table and timing protocol of benchmarks/ase/neighbors_bench.py —
/// ASE's <c>bulk('Ar', 'fcc', a=5.26, cubic=True).repeat((n, n, n))</c>, periodic, cutoff 5 Å, the
/// equivalent of <c>neighbor_list('ijSd', atoms, 5.0)</c> (pairs, shifts and distances). Each case is
/// timed twice: an MD loop's call (a reused <see cref="NeighborListWorkspace"/> and <see cref="NeighborPairBuffer"/>,
/// nothing allocated), and the plain call that allocates its scratch memory and output every time.
/// </summary>
public static class NeighborListBench
{
    private const double A = 5.26, Cutoff = 5.0;

    /// <summary>Name, repeat n (4 n³ atoms), warm-up calls, repeats, inner calls (as in neighbors_bench.py).</summary>
    public static readonly (string Name, int N, int Warmup, int Repeats, int Inner)[] Cases =
    {
        ("ar_864", 6, 3, 7, 3),
        ("ar_4000", 10, 2, 5, 1),
        ("ar_10976", 14, 1, 5, 1),
        ("ar_32000", 20, 1, 3, 1),
        ("ar_97556", 29, 1, 3, 1),
    };

    /// <summary>The supercell: positions [4n³·3] in ASE's order (cells outer, the 4-atom basis inner) and the cell.</summary>
    /// <param name="n">Repeats per axis.</param>
    public static (double[] Positions, double[] Cell) Argon(int n)
    {
        double[][] basis = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
        var pos = new double[3 * 4 * n * n * n];
        int k = 0;
        for (int i0 = 0; i0 < n; i0++)
            for (int i1 = 0; i1 < n; i1++)
                for (int i2 = 0; i2 < n; i2++)
                    foreach (var b in basis)
                    {
                        pos[k++] = (i0 + b[0]) * A;
                        pos[k++] = (i1 + b[1]) * A;
                        pos[k++] = (i2 + b[2]) * A;
                    }
        double l = n * A;
        return (pos, [l, 0, 0, 0, l, 0, 0, 0, l]);
    }

    /// <summary>Runs the cases (all, or those whose name contains the <c>--case</c> argument); <c>--neighbors-json</c> prints one JSON line.</summary>
    /// <param name="args">Command-line arguments.</param>
    public static int Run(string[] args)
    {
        bool json = args.Contains("--neighbors-json");
        int fi = Array.IndexOf(args, "--case");
        string? only = fi >= 0 && fi + 1 < args.Length ? args[fi + 1] : null;
        bool[] pbc = [true, true, true];
        var sb = new StringBuilder();
        sb.Append("{\"impl\": \"scikernels\", \"threads\": ").Append(Environment.ProcessorCount).Append(", \"cases\": {");
        bool firstCase = true;
        foreach (var c in Cases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            var (pos, cell) = Argon(c.N);
            int atoms = pos.Length / 3;
            int pairs = NeighborList.Search(pos, cell, pbc, Cutoff).Count;
            // The main figure is an MD loop's call: workspace and output buffer reused, nothing allocated.
            var ws = new NeighborListWorkspace();
            var buffer = new NeighborPairBuffer();
            Action reuse = () => NeighborList.Search(pos, cell, pbc, Cutoff, ws, buffer);
            double ms = Timing.MedianMs(reuse, c.Warmup, c.Repeats, c.Inner);
            double cpuMs = CpuMs(reuse, c.Repeats);
            // The plain call: allocates its scratch memory and exactly sized outputs every time.
            Action fresh = () => NeighborList.Search(pos, cell, pbc, Cutoff);
            double freshMs = Timing.MedianMs(fresh, c.Warmup, c.Repeats, c.Inner);
            double freshCpuMs = CpuMs(fresh, c.Repeats);
            double us = ms * 1e3 / atoms;
            if (json)
            {
                if (!firstCase) sb.Append(", ");
                sb.Append(string.Create(CultureInfo.InvariantCulture, $"\"{c.Name}\": {{\"ms\": {ms:R}, \"atoms\": {atoms}, \"pairs\": {pairs}, \"us_per_atom\": {us:R}, \"cpu_ms\": {cpuMs:R}, \"fresh_ms\": {freshMs:R}, \"fresh_cpu_ms\": {freshCpuMs:R}}}"));
                firstCase = false;
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Name,-10} {atoms,7} atoms {pairs,9} pairs  reused {ms,9:F3} ms {us,7:F4} us/atom cpu {cpuMs,9:F3} ms   fresh {freshMs,9:F3} ms cpu {freshCpuMs,9:F3} ms"));
            }
        }
        sb.Append("}}");
        if (json) Console.WriteLine(sb.ToString());
        return 0;
    }

    /// <summary>
    /// Processor time per call (all threads), over at least <paramref name="calls"/> calls and 0.3 s: the
    /// process clock ticks in 10 ms steps on Linux, too coarse for a few sub-millisecond calls.
    /// </summary>
    private static double CpuMs(Action call, int calls)
    {
        var process = System.Diagnostics.Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int done = 0;
        while (done < calls || clock.Elapsed.TotalSeconds < 0.3)
        {
            call();
            done++;
        }
        process.Refresh();
        return (process.TotalProcessorTime - cpu0).TotalMilliseconds / done;
    }
}
