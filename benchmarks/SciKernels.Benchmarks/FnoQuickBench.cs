using System.Globalization;
using System.Text;

namespace SciKernels.Benchmarks;

/// <summary>
/// The quick (Stopwatch, bench.py protocol) runner of the operator-learning cases, printing the same
/// JSON line format as <see cref="QuickBench"/> so benchmarks/compare_fno.sh and compare.py can put
/// them beside benchmarks/pytorch/fno_bench.py. Rates are "units of work per second" as listed.
/// </summary>
public static class FnoQuickBench
{
    /// <summary>Case table shared (by value) with fno_bench.py: name, warm-up, repeats, inner calls, work, unit.</summary>
    public static readonly (string Name, int Warmup, int Repeats, int Inner, double Work, string Unit)[] Cases =
    {
        ("spectral1d_fb", 5, 11, 3, 20.0 * 64 * 1024, "Mpt/s"),
        ("spectral2d_fb", 5, 11, 3, 20.0 * 32 * 64 * 64, "Mpt/s"),
        ("fno1d_step", 3, 9, 2, 20.0 * 1024, "Mpt/s"),
        ("fno2d_step", 3, 9, 2, 20.0 * 64 * 64, "Mpt/s"),
        ("adam_1M", 10, 15, 5, 1 << 20, "Mpar/s"),
        ("mlp_epoch", 2, 7, 1, MlpEpochWorkload.Samples, "Msmp/s"),
    };

    /// <summary>Runs the cases (all, or those whose name contains the <c>--case</c> argument).</summary>
    public static int Run(string[] args)
    {
        bool json = args.Contains("--fno-quick-json");
        int fi = Array.IndexOf(args, "--case");
        string? only = fi >= 0 && fi + 1 < args.Length ? args[fi + 1] : null;
        var results = new List<(string Name, double Ms, double Rate, string Unit)>();
        foreach (var c in Cases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            using var w = FnoWorkloads.Create(c.Name);
            double ms = Timing.MedianMs(w.Run, c.Warmup, c.Repeats, c.Inner);
            double rate = c.Work / (ms * 1e-3) / 1e6;
            results.Add((c.Name, ms, rate, c.Unit));
            if (!json) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Name,-14} {ms,10:F3} ms  {rate,8:F2} {c.Unit}"));
        }
        if (json)
        {
            var sb = new StringBuilder();
            sb.Append("{\"impl\": \"scikernels\", \"threads\": ").Append(Environment.ProcessorCount).Append(", \"cases\": {");
            sb.AppendJoin(", ", results.Select(r => string.Create(CultureInfo.InvariantCulture, $"\"{r.Name}\": {{\"ms\": {r.Ms:R}, \"rate\": {r.Rate:R}, \"unit\": \"{r.Unit}\"}}")));
            sb.Append("}}");
            Console.WriteLine(sb.ToString());
        }
        return 0;
    }
}
