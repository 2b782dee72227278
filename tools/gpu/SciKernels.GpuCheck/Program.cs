using System.Globalization;
using System.Text;
using System.Text.Json;
using SciKernels.Devices;

namespace SciKernels.GpuCheck;

/// <summary>
/// <c>SciKernels.GpuCheck parity --backend cuda [--filter TEXT] [--out DIR]</c>: the device test cases on a backend;
/// <c>SciKernels.GpuCheck bench --device cuda:0 [--case TEXT] [--json] [--budget SECONDS]</c>: the device benchmarks;
/// <c>SciKernels.GpuCheck devices</c>: what ILGPU sees;
/// <c>SciKernels.GpuCheck cli ARGS…</c>: the <c>scikernels</c> command (e.g. <c>cli train fno --device cuda:0</c>).
/// Exit code 0 when everything asked for passed, 1 when a case failed, 2 on a usage error.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        string verb = args.Length > 0 ? args[0] : "";
        var rest = args.Skip(1).ToArray();
        try
        {
            return verb switch
            {
                "parity" => Parity(rest),
                "bench" => SciKernels.Benchmarks.SuiteBench.Run(SciKernels.Device.Parse(Option(rest, "--device") ?? "cuda:0"), Option(rest, "--case"),
                    rest.Contains("--json"), double.Parse(Option(rest, "--budget") ?? "1e9", CultureInfo.InvariantCulture)),
                "devices" => Devices(),
                "cli" => SciKernels.Cli.CommandLine.Run(rest, Console.Out, Console.Error),
                _ => Usage(),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"SciKernels.GpuCheck {verb}: {e.Message}");
            return 2;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: SciKernels.GpuCheck parity --backend cuda|opencl|simulator [--filter TEXT] [--out DIR]");
        Console.Error.WriteLine("       SciKernels.GpuCheck bench --device cuda:0|cpu|opencl:0 [--case TEXT] [--json] [--budget SECONDS]");
        Console.Error.WriteLine("       SciKernels.GpuCheck devices");
        Console.Error.WriteLine("       SciKernels.GpuCheck cli <scikernels command and options>");
        return 2;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return null;
        if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value");
        return args[i + 1];
    }

    private static int Devices()
    {
        foreach (var d in IlgpuDevices.List()) Console.WriteLine(d);
        return 0;
    }

    private static int Parity(string[] args)
    {
        string backend = (Option(args, "--backend") ?? "cuda").ToLowerInvariant();
        if (backend is not ("cuda" or "opencl" or "simulator"))
            throw new ArgumentException($"--backend must be cuda, opencl or simulator, not '{backend}'");
        if (backend == "cuda") Environment.SetEnvironmentVariable("SCIKERNELS_TEST_CUDA", "1");
        string? outDir = Option(args, "--out");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var results = ParityRunner.Run(backend, Option(args, "--filter"), Console.WriteLine);
        int passed = results.Count(r => r.Outcome == "passed"), failed = results.Count(r => r.Outcome == "failed"), skipped = results.Count(r => r.Outcome == "skipped");
        string summary = $"parity on {backend}: {passed} passed, {failed} failed, {skipped} skipped ({clock.Elapsed.TotalSeconds:F0} s)";
        Console.WriteLine(summary);
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            // atomically, like every report file: a reader never sees half a report
            SciKernels.IO.AtomicFile.WriteAllText(Path.Combine(outDir, $"parity-{backend}.md"), Markdown(backend, results, summary));
            SciKernels.IO.AtomicFile.WriteAllText(Path.Combine(outDir, $"parity-{backend}.json"), JsonSerializer.Serialize(results));
        }
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    /// <summary>One row per test (its theory rows folded), then every failure's message.</summary>
    private static string Markdown(string backend, List<CaseResult> results, string summary)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### Kernel and op parity on {backend} (each case: device result vs the CPU backend)").AppendLine();
        sb.AppendLine("| suite | test | cases | passed | failed | skipped | ms |").AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var g in results.GroupBy(r => (r.Suite, r.Test)))
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {g.Key.Suite} | {g.Key.Test} | {g.Count()} | {g.Count(r => r.Outcome == "passed")} | {g.Count(r => r.Outcome == "failed")} | {g.Count(r => r.Outcome == "skipped")} | {g.Sum(r => r.Ms):F0} |");
        sb.AppendLine().AppendLine(summary).AppendLine();
        foreach (var r in results.Where(r => r.Outcome != "passed"))
            sb.AppendLine($"- **{r.Outcome}** `{r.Test}({r.Case})`: {r.Message.Replace("\n", " ").Replace("|", "\\|")}");
        return sb.ToString();
    }
}
