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
        // Validation (2 test samples) is sharded 1 + 1 and reduced: the same per-epoch loss as one process.
        var (va, vb) = (Column("single", "val_loss"), Column("two", "val_loss"));
        Assert.Equal(2, va.Length);
        for (int i = 0; i < va.Length; i++)
            Assert.True(Math.Abs(va[i] - vb[i]) <= 1e-5 * Math.Abs(va[i]), $"epoch {i + 1} validation: one process {va[i]:R}, two ranks {vb[i]:R}");
        Assert.True(File.Exists(Path.Combine(root, "two", "model.safetensors")));
        Assert.False(Directory.Exists(Path.Combine(root, "two-rank1")), "rank 1 created its output folder");
    }

    [SkippableFact]
    public void TwoRankEgnnFollowsTheSingleProcessTrajectory()
    {
        string mpirun = RequireMpirun();
        // 40 systems in batches of 10 on 2 ranks: 5 systems (25 nodes) per rank and step.
        string[] Egnn(string outDir, string timeLimit = "0") =>
        [
            Cli, "train", "egnn", "--problem", "nbody", "--data", "scikernels", "--ntrain", "40", "--nval", "10", "--ntest", "10", "--epochs", "3",
            "--hidden", "16", "--layers", "2", "--batch", "10", "--val-every", "1", "--out", outDir, "--data-dir", "edata", "--json", "--time-limit", timeLimit,
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
        // Validation (10 systems) is sharded 5 + 5 and the sums reduced: one process's values up to float32 reassociation.
        double[][] Val(string dir) => Results(dir).GetProperty("val_curve").EnumerateArray().Select(e => e.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var (va, vb) = (Val("e1"), Val("e2"));
        Assert.Equal(3, va.Length);
        Assert.Equal(va.Length, vb.Length);
        for (int i = 0; i < va.Length; i++)
        {
            Assert.Equal(va[i][0], vb[i][0]);
            Assert.True(Math.Abs(va[i][1] - vb[i][1]) <= 1e-5 * Math.Abs(va[i][1]), $"epoch {i + 1} validation: one process {va[i][1]:R}, two ranks {vb[i][1]:R}");
        }
        // A budget of 0.06 s is spent after the first epoch: the ranks agree on it (their clocks differ, and the sharded
        // validation is collective), validate once more together and stop, rather than one waiting for the other.
        var limited = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Egnn("e3", timeLimit: "0.001")]));
        Assert.True(limited.Code == 0, limited.Err);
        Assert.Equal(1, Results("e3").GetProperty("epochs_run").GetInt32());
        Assert.Contains("time limit", Results("e3").GetProperty("stop_reason").GetString());
    }

    [SkippableFact]
    public void TwoRankPinnFollowsTheSingleProcessTrajectory()
    {
        string mpirun = RequireMpirun();
        // 101 collocation and 21 boundary points: odd counts, unequal shards. float64, so that L-BFGS's line searches
        // (which amplify float32 reassociation to ~1e-4 within 20 iterations) see the same values to ~1e-13.
        string[] Pinn(string outDir, string weighting = "fixed") =>
        [
            Cli, "train", "pinn", "--problem", "poisson", "--adam-steps", "40", "--lbfgs-steps", "30", "--nf", "101", "--data-points", "21",
            "--log-every", "10", "--dtype", "float64", "--weighting", weighting, "--out", outDir, "--json",
        ];
        var single = Run("dotnet", Pinn("p1"));
        Assert.True(single.Code == 0, single.Err);
        var two = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Pinn("p2")]));
        Assert.True(two.Code == 0, two.Err);
        var (a, b) = (Results("p1"), Results("p2"));
        Assert.Equal(2, b.GetProperty("ranks").GetInt32());
        double[] Losses(JsonElement r) => r.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("Loss").GetDouble()).ToArray();
        var (la, lb) = (Losses(a), Losses(b));
        Assert.Equal(7, la.Length); // 4 Adam and 3 L-BFGS log points
        Assert.Equal(la.Length, lb.Length);
        for (int i = 0; i < la.Length; i++)
            Assert.True(Math.Abs(la[i] - lb[i]) <= 1e-9 * Math.Abs(la[i]), $"log point {i}: one process {la[i]:R}, two ranks {lb[i]:R}");
        Assert.Equal(a.GetProperty("loss_evaluations").GetInt64(), b.GetProperty("loss_evaluations").GetInt64());
        double ea = a.GetProperty("relative_l2").GetDouble(), eb = b.GetProperty("relative_l2").GetDouble();
        Assert.True(Math.Abs(ea - eb) <= 1e-9 * ea, $"relative L2: one process {ea:R}, two ranks {eb:R}");

        var annealing = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Pinn("p3", "annealing")]));
        Assert.NotEqual(0, annealing.Code);
        Assert.Contains("--weighting annealing needs per-term gradients", annealing.Err);
    }

    [SkippableFact]
    public void TwoRankPotentialFollowsTheSingleProcessTrajectoryAndIsBitReproducible()
    {
        string mpirun = RequireMpirun();
        // 12 Cu cells of 4 atoms, some with a vacancy (3 atoms): 10 train in batches of 4 (shards 2 + 2, last batch 1 + 1)
        // with force means over the global batch's atoms; 2 validation structures, 1 per rank.
        string[] Potential(string outDir) =>
        [
            Cli, "train", "potential", "--generate", "cu", "--structures", "12", "--supercell", "1", "--epochs", "3", "--val-every", "1",
            "--cutoff", "4.0", "--hidden", "8", "--basis", "4", "--batch", "4", "--val-fraction", "0.2", "--out", outDir, "--json",
        ];
        var single = Run("dotnet", Potential("q1"));
        Assert.True(single.Code == 0, single.Err);
        var two = Run(mpirun, Mpi(["-np", "1", "dotnet", .. Potential("q2")], [":", "-np", "1", "dotnet", .. Potential("q2-rank1")]));
        Assert.True(two.Code == 0, two.Err);
        var again = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Potential("q3")]));
        Assert.True(again.Code == 0, again.Err);
        var (a, b, c) = (Results("q1"), Results("q2"), Results("q3"));
        Assert.Equal(2, b.GetProperty("ranks").GetInt32());
        var (la, lb) = (Losses(a), Losses(b));
        Assert.Equal(9, la.Length); // 3 epochs × 3 batches
        Assert.Equal(la.Length, lb.Length);
        // float64 model: the two runs differ only in the order of the gradient sums (two shard sums added), ~1e-16
        // relative per step; measured ≤ 3e-16 after 9 Adam steps. 1e-12 leaves a wide margin and still fails on any
        // wrong normalisation (per-shard instead of per-batch atom counts moves the losses at 1e-3 or more).
        for (int i = 0; i < la.Length; i++)
            Assert.True(Math.Abs(la[i] - lb[i]) <= 1e-12 * Math.Abs(la[i]), $"batch {i}: one process {la[i]:R}, two ranks {lb[i]:R}");
        double[][] Val(JsonElement r) => r.GetProperty("val_curve").EnumerateArray().Select(e => e.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var (va, vb) = (Val(a), Val(b));
        Assert.Equal(3, va.Length);
        for (int i = 0; i < va.Length; i++)
            for (int k = 1; k < 3; k++) // validation sharded 1 + 1: energy and force MAE
                Assert.True(Math.Abs(va[i][k] - vb[i][k]) <= 1e-12 * Math.Abs(va[i][k]), $"epoch {i + 1} validation column {k}: one process {va[i][k]:R}, two ranks {vb[i][k]:R}");
        Assert.True(File.Exists(Path.Combine(root, "q2", "model.safetensors")));
        Assert.False(Directory.Exists(Path.Combine(root, "q2-rank1")), "rank 1 created its output folder");
        // Two 2-rank runs: bit for bit.
        Assert.Equal(lb, Losses(c));
        Assert.Equal(Val(b).SelectMany(v => v), Val(c).SelectMany(v => v));
        Assert.Equal(b.GetProperty("test_force_mae_mev_per_a").GetDouble(), c.GetProperty("test_force_mae_mev_per_a").GetDouble());
    }

    [SkippableFact]
    public void TwoRankDiffusionFollowsTheSingleProcessTrajectory()
    {
        string mpirun = RequireMpirun();
        // 15 LJ13 structures per step, sliced 7 + 8; t and ε are drawn for the whole batch on every rank. Raw weights
        // saved (--ema 0), so the file holds the trained weights themselves.
        string[] Diffusion(string outDir) =>
        [
            Cli, "train", "diffusion", "--problem", "lj13", "--ntrain", "64", "--hidden", "8", "--layers", "2", "--timesteps", "20", "--batch", "15",
            "--steps", "3", "--samples", "4", "--ema", "0", "--out", outDir, "--data-dir", "ddata", "--json",
        ];
        var single = Run("dotnet", Diffusion("d1"));
        Assert.True(single.Code == 0, single.Err);
        var two = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Diffusion("d2")]));
        Assert.True(two.Code == 0, two.Err);
        var (a, b) = (Results("d1"), Results("d2"));
        Assert.Equal(2, b.GetProperty("ranks").GetInt32());
        Assert.Equal(3, b.GetProperty("steps").GetInt32());
        // The mean loss of the 3 steps (steps 2 and 3 with the updated weights); float32, so reassociation only
        // (measured 2e-8 relative); draws that depended on the rank count would change it at 1e-2 or more.
        double la = a.GetProperty("final_loss").GetDouble(), lb = b.GetProperty("final_loss").GetDouble();
        Assert.True(Math.Abs(la - lb) <= 1e-5 * la, $"mean loss of 3 steps: one process {la:R}, two ranks {lb:R}");
        var (wa, wb) = (SciKernels.IO.SafeTensorsFile.Read(Path.Combine(root, "d1", "model.safetensors")), SciKernels.IO.SafeTensorsFile.Read(Path.Combine(root, "d2", "model.safetensors")));
        Assert.Equal(wa.Names, wb.Names);
        double worst = 0;
        foreach (var ea in wa.Tensors)
        {
            var (xa, xb) = (new float[ea.ElementCount], new float[ea.ElementCount]);
            ea.CopyTo<float>(xa);
            wb[ea.Name].CopyTo<float>(xb);
            for (int k = 0; k < xa.Length; k++) worst = Math.Max(worst, Math.Abs(xa[k] - xb[k]));
        }
        output.WriteLine($"largest weight difference after 3 steps: {worst:G3}");
        // Adam moves a weight by about lr = 5e-4 per step: the runs must agree far below that (measured 6e-8).
        Assert.True(worst <= 1e-5, $"weights differ by up to {worst:G3} after 3 steps");
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
    public void CheckpointsResumeUnderAnotherRankCountOnTheUninterruptedTrajectory()
    {
        string mpirun = RequireMpirun();
        string[] Run4(string outDir, string? resume = null) =>
            [.. Fno(outDir, epochs: 4), "--checkpoint-every", "2", .. resume is null ? Array.Empty<string>() : ["--resume", resume]];
        var two = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Run4("two")]));
        Assert.True(two.Code == 0, two.Err);
        var one = Run("dotnet", Run4("one"));
        Assert.True(one.Code == 0, one.Err);
        // 2 ranks → 1 process and 1 process → 2 ranks, each from the other's epoch-2 checkpoint.
        var oneFromTwo = Run("dotnet", Run4("one-from-two", Path.Combine(root, "two", "checkpoint-2.safetensors")));
        Assert.True(oneFromTwo.Code == 0, oneFromTwo.Err);
        var twoFromOne = Run(mpirun, Mpi(["-np", "2", "dotnet", .. Run4("two-from-one", Path.Combine(root, "one", "checkpoint-2.safetensors"))]));
        Assert.True(twoFromOne.Code == 0, twoFromOne.Err);
        var (l2, l1) = (Losses(Results("two")), Losses(Results("one")));
        Assert.Equal(12, l1.Length); // 4 epochs × 3 batches
        // The resumed runs train epochs 3 and 4 only; both uninterrupted runs are references (they differ by reassociation).
        foreach (var (resumed, name) in new[] { (Losses(Results("one-from-two")), "1 process from the 2-rank checkpoint"), (Losses(Results("two-from-one")), "2 ranks from the 1-process checkpoint") })
        {
            Assert.Equal(6, resumed.Length);
            for (int i = 0; i < 6; i++)
                foreach (var reference in new[] { l1, l2 })
                    Assert.True(Math.Abs(resumed[i] - reference[6 + i]) <= 1e-5 * Math.Abs(reference[6 + i]),
                        $"{name}, batch {7 + i}: {resumed[i]:R}, uninterrupted {reference[6 + i]:R}");
        }
        // A checkpoint of other settings is refused with a message naming the file.
        var wrong = Run("dotnet", [.. Fno("w", epochs: 4, modes: 3), "--resume", Path.Combine(root, "one", "checkpoint-2.safetensors")]);
        Assert.NotEqual(0, wrong.Code);
        Assert.Contains("checkpoint-2.safetensors: the checkpoint was trained with other settings", wrong.Err);
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
    public void ARankKilledMidTrainingEndsTheJobWithAMessage()
    {
        string mpirun = RequireMpirun();
        // Far more epochs than the test waits for: the job can only end early through the kill.
        using var job = Process.Start(StartInfo(mpirun, Mpi(["-np", "2", "dotnet", .. Fno("k", epochs: 100000)])))!;
        var stdout = job.StandardOutput.ReadToEndAsync();
        var stderr = job.StandardError.ReadToEndAsync();
        try
        {
            // Mid-training: rank 0 has logged two epochs, so both ranks are inside the step loop's collectives.
            string metrics = Path.Combine(root, "k", "metrics.csv");
            var wait = Stopwatch.StartNew();
            while (!(File.Exists(metrics) && File.ReadAllLines(metrics).Length >= 3))
            {
                if (job.HasExited) Assert.Fail($"the job ended before training got going: {stderr.Result}"); // the message waits for stderr's end
                Assert.True(wait.Elapsed < Timeout, "two epochs did not complete in time");
                Thread.Sleep(100);
            }
            int victim = RankPid(job.Id, 1);
            using (var rank1 = Process.GetProcessById(victim)) rank1.Kill(); // SIGKILL: no handler, no MPI_Abort
            var afterKill = Stopwatch.StartNew();
            // Generous bound (OpenMPI ends the job in ~1–3 s): a loaded machine must not make it flaky, a hang must fail.
            Assert.True(job.WaitForExit(TimeSpan.FromSeconds(60)), "rank 0 did not stop within 60 s of rank 1's death");
            job.WaitForExit();
            output.WriteLine($"job ended {afterKill.Elapsed.TotalSeconds:F1} s after the kill, exit {job.ExitCode}\n{stderr.Result}");
            Assert.NotEqual(0, job.ExitCode);
            Assert.Matches(@"process rank 1 .* exited on signal 9", stderr.Result.ReplaceLineEndings(" "));
            Assert.False(File.Exists(Path.Combine(root, "k", "results.json")), "rank 0 finished although rank 1 was killed");
        }
        finally
        {
            if (!job.HasExited) job.Kill(entireProcessTree: true);
            _ = stdout.Result;
        }
    }

    // The pid of rank `rank` among mpirun's children (on one node mpirun starts the ranks itself).
    private static int RankPid(int mpirunPid, int rank)
    {
        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                try
                {
                    // /proc/pid/stat: "pid (comm) state ppid …"; comm may hold spaces, so parse after the last ')'.
                    string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) != mpirunPid) continue;
                    if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
                }
                catch (IOException) { } // the process ended meanwhile
                catch (UnauthorizedAccessException) { }
            }
            Thread.Sleep(100);
        }
        Skip.If(true, $"rank {rank} is not a child of mpirun here (a different OpenMPI launch layout)");
        return -1;
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

    private double[] Column(string dir, string name)
    {
        var lines = File.ReadAllLines(Path.Combine(root, dir, "metrics.csv"));
        int k = Array.IndexOf(lines[0].Split(','), name);
        Assert.True(k >= 0, $"{dir}/metrics.csv has no column {name}");
        return lines.Skip(1).Select(l => double.Parse(l.Split(',')[k], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

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
