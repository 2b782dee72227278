using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SciKernels.Potentials;

namespace SciKernels.Benchmarks;

/// <summary>
/// MD throughput in atom-steps per second: EMT + velocity Verlet, 1 fs, on
/// <c>bulk('Cu', 'fcc', a=3.61, cubic=True).repeat((n, n, n))</c> started at 300 K — the case table of
/// benchmarks/ase/md_bench.py (ASE's EMT + ase.md.verlet.VelocityVerlet); benchmarks/compare_md.sh runs both.
/// </summary>
public static class MdBench
{
    private const double A = 3.61;

    /// <summary>Name, repeat n (4 n³ atoms), warm-up steps, timed steps.</summary>
    public static readonly (string Name, int N, int Warmup, int Steps)[] Cases =
    {
        ("cu_864", 6, 20, 300),
        ("cu_10976", 14, 5, 40),
    };

    /// <summary>Runs the cases (those whose name contains the <c>--case</c> argument) and prints one JSON line.</summary>
    /// <param name="args">Command-line arguments.</param>
    public static int Run(string[] args)
    {
        int fi = Array.IndexOf(args, "--case");
        string? only = fi >= 0 && fi + 1 < args.Length ? args[fi + 1] : null;
        var cases = new Dictionary<string, object>();
        foreach (var c in Cases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            var (pos0, _) = NeighborListBench.Argon(c.N);
            var pos = pos0.Select(x => x * A / 5.26).ToArray();
            double l = c.N * A;
            var numbers = Enumerable.Repeat(29, pos.Length / 3).ToArray();
            var md = new VelocityVerlet(new Emt(), numbers, pos, MolecularDynamics.MaxwellBoltzmann(numbers, 300, 1), [l, 0, 0, 0, l, 0, 0, 0, l], [true, true, true], 1);
            md.Run(c.Warmup);
            double e0 = md.TotalEnergy;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            md.Run(c.Steps);
            double s = sw.Elapsed.TotalSeconds;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            cases[c.Name] = new Dictionary<string, double>
            {
                ["atoms"] = numbers.Length, ["steps"] = c.Steps, ["seconds"] = s, ["cpu_seconds"] = cpu,
                ["atom_steps_per_s"] = numbers.Length * c.Steps / s,
                ["drift_mev_per_atom"] = (md.TotalEnergy - e0) / numbers.Length * 1e3,
            };
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Name,-10} {numbers.Length,7} atoms {c.Steps} steps {s,8:F2} s {numbers.Length * c.Steps / s,10:F0} atom-steps/s  T {md.Temperature:F0} K"));
        }
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["impl"] = "scikernels", ["threads"] = Environment.ProcessorCount, ["cases"] = cases }));
        return 0;
    }
}
