using System.Diagnostics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace SciKernels.Cli.Tests;

/// <summary>
/// <c>train fno</c> data-parallel on 2 MPI ranks of this machine (mpirun --oversubscribe): the same trajectory as one
/// process, bitwise-reproducible runs, rank 0 alone writing, and a failing or mismatched rank ending the job
/// with a message instead of a hang. Skipped where OpenMPI's mpirun is not installed (tools/ci/install-deps.sh).
/// </summary>
public sealed class DistributedTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "SciKernels.Cli.dll");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string root = Directory.CreateTempSubdirectory("scikernels-mpi-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); }
        catch (IOException) { }
    }

    // Batches of 5 over 12 samples: shards of 2 and 3, and a last batch of 2 split 1 + 1.
    private static string[] Fno(string outDir, string dataDir = "data", int epochs = 2, int modes = 4) =>
    [
        Cli, "train", "fno", "--resolution", "32", "--ntrain", "12", "--ntest", "2", "--epochs", epochs.ToString(),
        "--width", "6", "--modes", modes.ToString(), "--batch", "5", "--seed", "3", "--out", outDir, "--data-dir", dataDir, "--json",
    ];

    [SkippableFact]
    public void TwoRanksFollowTheSingleProcessTrajectoryAndOnlyRankZeroWrites()
    {
        string mpirun = RequireMpirun();
        var single = Run("dotnet", Fno("single"));
        Assert.True(single.Code == 0, single.Err);
        // MPMD launch: rank 1 is told another output folder, which must stay absent.
        var two = Run(mpirun, Mpi(["-np", "1", "dotnet", .. Fno("two")], [":", "-np", "1", "dotnet", .. Fno("two-rank1")]));
        Assert.True(two.Code == 0, two.Err);
        var a = Results("single");
        var b = Results("two");
        Assert.Equal(1, a.GetProperty("ranks").GetInt32());
        Assert.Equal(2, b.GetProperty("ranks").GetInt32());
        var la = Losses(a);
        var lb = Losses(b);
        Assert.Equal(6, la.Length); // 2 epochs × 3 batches
        Assert.Equal(la.Length, lb.Length);
        for (int i = 0; i < la.Length; i++)
            Assert.True(Math.Abs(la[i] - lb[i]) <= 1e-5 * Math.Abs(la[i]), $"batch {i}: one process {la[i]:R}, two ranks {lb[i]:R}");
        Assert.True(File.Exists(Path.Combine(root, "two", "model.safetensors")));
        Assert.False(Directory.Exists(Path.Combine(root, "two-rank1")), "rank 1 created its output folder");
    }

    [SkippableFact]
    public void TwoRankEgnnFollowsTheSingleProcessTrajectory()
    {
        string mpirun = RequireMpirun();
        // 40 systems in batches of 10 on 2 ranks: 5 systems (25 nodes) per rank and step.
        string[] Egnn(string outDir) =>
        [
            Cli, "train", "egnn", "--problem", "nbody", "--data", "scikernels", "--ntrain", "40", "--nval", "10", "--ntest", "10", "--epochs", "3",
            "--hidden", "16", "--layers", "2", "--batch", "10", "--val-every", "1", "--out", outDir, "--data-dir", "edata", "--json",
        ];
        var single = Run("dotnet", Egnn("e1"));
        Assert.True(single.Code == 0, single.Err);
        var two = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Egnn("e2")]));
        Assert.True(two.Code == 0, two.Err);
        double[] Curve(string dir) => Results(dir).GetProperty("train_mse_curve").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var (a, b) = (Curve("e1"), Curve("e2"));
        Assert.Equal(3, a.Length);
        Assert.Equal(2, Results("e2").GetProperty("ranks").GetInt32());
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5 * Math.Abs(a[i]), $"epoch {i + 1}: one process {a[i]:R}, two ranks {b[i]:R}");
    }

    [SkippableFact]
    public void TwoRankRunsAreBitIdentical()
    {
        string mpirun = RequireMpirun();
        var first = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Fno("r1")]));
        Assert.True(first.Code == 0, first.Err);
        var second = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Fno("r2")]));
        Assert.True(second.Code == 0, second.Err);
        Assert.Equal(Losses(Results("r1")), Losses(Results("r2")));
        Assert.Equal(Results("r1").GetProperty("test_relative_l2").GetDouble(), Results("r2").GetProperty("test_relative_l2").GetDouble());
    }

    [SkippableFact]
    public void ARankThatFailsEndsTheJobWithAMessage()
    {
        string mpirun = RequireMpirun();
        // Rank 1 rejects its options (modes that do not fit the grid) while rank 0 goes on to wait in a collective.
        var run = Run(mpirun, Mpi(["-np", "1", "dotnet", .. Fno("ok")], [":", "-np", "1", "dotnet", .. Fno("bad", modes: 40)]));
        Assert.NotEqual(0, run.Code);
        Assert.Contains("--modes 40 do not fit", run.Err);
    }

    [SkippableFact]
    public void RanksWithDifferentSettingsStopAtTheStart()
    {
        string mpirun = RequireMpirun();
        var run = Run(mpirun, Mpi(["-np", "1", "dotnet", .. Fno("m", epochs: 2)], [":", "-np", "1", "dotnet", .. Fno("m", epochs: 3)]));
        Assert.NotEqual(0, run.Code);
        Assert.Contains("ranks disagree on the settings or data recipe", run.Err);
        Assert.DoesNotContain("disagree on the training data", run.Err);
    }

    private static string[] Mpi(params string[][] apps) => ["--allow-run-as-root", "--oversubscribe", .. apps.SelectMany(a => a)];

    private static string RequireMpirun()
    {
        string? path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);
        Skip.If(path is null, "mpirun not found: install OpenMPI (tools/ci/install-deps.sh: openmpi-bin, libopenmpi-dev)");
        return path!;
    }

    private JsonElement Results(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(root, dir, "results.json"))).RootElement;

    private static double[] Losses(JsonElement results) => results.GetProperty("batch_losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();

    // Runs with a hard timeout: a hang is a failure, not a stuck CI job.
    private ProcessStartInfo StartInfo(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_PROCESSOR_COUNT"] = "1"; // two ranks share this machine's cores
        return psi;
    }

    private (int Code, string Out, string Err) Run(string file, string[] args)
    {
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(StartInfo(file, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(file)} {string.Join(' ', args)} did not end within {Timeout.TotalSeconds} s (a rank hangs)");
        }
        p.WaitForExit();
        output.WriteLine($"{Path.GetFileName(file)} {string.Join(' ', args)}: exit {p.ExitCode} in {clock.Elapsed.TotalSeconds:F1} s\n{stderr.Result}");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
