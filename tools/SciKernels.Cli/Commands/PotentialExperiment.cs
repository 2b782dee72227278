using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using SciKernels.Data;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Potentials;
using SciKernels.Random;
using SciKernels.Training;
using SciKernels.Training.Distributed;

namespace SciKernels.Cli;

/// <summary>Settings of a potential training run (the <c>train potential</c> options).</summary>
internal sealed record PotentialRunSettings(
    string? DataFile, string? Generate, int Structures, int Supercell, ulong DataSeed, string Model, double Cutoff, int Basis, int Hidden,
    int Epochs, double TimeLimitMinutes, int Batch, double LearningRate, PotentialLossWeights Weights, double ValFraction, double TestFraction,
    int ValEvery, ulong Seed, string OutDir, bool Json, int Channels = 32, int LMax = 2, int Layers = 3);

/// <summary>
/// Validates every few epochs on held-out structures (energy and force errors), keeps the best
/// validation epoch's model file, and stops on the wall-clock budget. Data-parallel: each rank evaluates its
/// contiguous share (<paramref name="valShard"/>, null when empty) of the <paramref name="valCount"/> structures and the error
/// sums are reduced, so every rank sees the errors of the whole set; rank 0 alone writes the model file.
/// </summary>
internal sealed class PotentialValidation(PotentialRunSettings s, PotentialEvaluator? validation, IReadOnlyList<AtomicStructure> valShard, int valCount,
    Action<string> log, Action<int, PotentialErrors> save, DataParallel? dataParallel = null)
    : BudgetedValidation(s.TimeLimitMinutes, s.Epochs, s.ValEvery, dataParallel)
{
    /// <summary>(epoch, errors, weighted validation loss) of every validation.</summary>
    public List<(int Epoch, PotentialErrors Errors, double Loss)> Curve { get; } = new();

    /// <inheritdoc/>
    protected override void Validate(TrainingContext context, EpochMetrics metrics)
    {
        var sums = validation is null ? new double[PotentialStatistics.ErrorSumCount] : PotentialStatistics.ErrorSums(validation.EvaluateAll(), valShard);
        if (Ranks is { Comm.Size: > 1 } ranks) ranks.SumScalars(sums);
        var e = PotentialStatistics.ErrorsFromSums(valCount, sums);
        double loss = s.Weights.Energy * e.EnergyRmsePerAtom * e.EnergyRmsePerAtom
            + (double.IsNaN(e.ForceRmse) ? 0 : s.Weights.Forces * e.ForceRmse * e.ForceRmse)
            + (double.IsNaN(e.StressRmse) ? 0 : s.Weights.Stress * e.StressRmse * e.StressRmse);
        Curve.Add((metrics.Epoch, e, loss));
        if (Improved(metrics.Epoch, loss) && context.WritesFiles) save(BestEpoch, e);
        log(string.Create(CultureInfo.InvariantCulture,
            $"epoch {metrics.Epoch}: train loss {metrics.TrainLoss:0.000e+00}  val E MAE {e.EnergyMaePerAtom * 1e3:F2} meV/atom  F MAE {e.ForceMae * 1e3:F1} meV/Å  loss {loss:0.000e+00}  best @ {BestEpoch}  {Clock.Elapsed.TotalMinutes:F1} min"));
    }
}

/// <summary>
/// Trains a learned potential (<see cref="PotentialModels"/>) on energies, forces and stresses with
/// <see cref="PotentialObjective"/> and <see cref="Trainer"/>; writes the model, parity plots and results.json.
/// </summary>
internal static class PotentialExperiment
{
    /// <summary>Where the structures come from: a file or a generator (MD-based generators plug in here).</summary>
    private static List<AtomicStructure> LoadData(PotentialRunSettings s, Action<string> log)
    {
        if (s.DataFile is { } file)
        {
            var frames = ExtendedXyz.Read(file);
            var list = new List<AtomicStructure>(frames.Count);
            for (int i = 0; i < frames.Count; i++) list.Add(PotentialFrames.ToStructure(frames[i], i));
            log($"data: {list.Count} structures from {file}");
            return list;
        }
        return s.Generate switch
        {
            "cu" => Logged(EmtCrystals.CopperFcc(s.Structures, s.DataSeed, new EmtCrystalOptions([s.Supercell])),
                $"data: {s.Structures} Cu FCC {s.Supercell}×{s.Supercell}×{s.Supercell} supercells labelled by EMT (seed {s.DataSeed})"),
            _ => throw new OptionException($"--generate must be cu, got '{s.Generate}'"),
        };

        List<AtomicStructure> Logged(List<AtomicStructure> d, string message)
        {
            log(message);
            return d;
        }
    }

    /// <summary>Runs the training; returns the exit code.</summary>
    public static int Run(PotentialRunSettings s, TextWriter stdout, TextWriter stderr)
    {
        // Under mpirun: data-parallel over the ranks (structures of each batch sharded); rank 0 alone prints and writes files.
        var comm = MpiComm.World;
        if (!comm.IsRoot) stdout = TextWriter.Null;
        if (comm.IsRoot) Directory.CreateDirectory(s.OutDir);
        var log = s.Json ? (Action<string>)(m => stderr.WriteLine(m)) : m => stdout.WriteLine(m);
        if (!comm.IsRoot) log = _ => { };
        var total = Stopwatch.StartNew();
        List<AtomicStructure> all;
        try
        {
            all = LoadData(s, log);
        }
        catch (FormatException e)
        {
            throw new OptionException($"{s.DataFile}: {e.Message}"); // a malformed or unlabelled file is a user error
        }
        for (int k = 0; k < all.Count; k++)
        {
            if (all[k].Energy is null) throw new OptionException($"{s.DataFile}: frame {k} has no energy= label");
            if (s.Weights.Forces > 0 && all[k].Forces is null) throw new OptionException($"{s.DataFile}: frame {k} has no forces column (or pass --force-weight 0)");
        }
        int nTest = Math.Max(1, (int)Math.Round(s.TestFraction * all.Count));
        int nVal = Math.Max(1, (int)Math.Round(s.ValFraction * all.Count));
        if (all.Count - nTest - nVal < 1) throw new OptionException($"{all.Count} structures are too few to split into training, validation and test sets");
        var order = new Generator(s.Seed ^ 0x5b1d5eedUL).Permutation(all.Count);
        var test = order.Take(nTest).Select(i => all[i]).ToList();
        var val = order.Skip(nTest).Take(nVal).Select(i => all[i]).ToList();
        var train = order.Skip(nTest + nVal).Select(i => all[i]).ToList();

        int[] species = all.SelectMany(x => x.Numbers).Distinct().Order().ToArray();
        var config = s.Model == "nequip"
            ? new PotentialConfig(s.Model, s.Cutoff, species, "float64", s.Basis, [s.Hidden], Options: new()
            {
                ["channels"] = s.Channels.ToString(CultureInfo.InvariantCulture),
                ["lmax"] = s.LMax.ToString(CultureInfo.InvariantCulture),
                ["layers"] = s.Layers.ToString(CultureInfo.InvariantCulture),
                // the convolutions' normalisation, from the training structures (NequIP's avg_num_neighbors)
                ["avg-neighbors"] = PotentialStatistics.AverageNeighbors(train, s.Cutoff).ToString("R", CultureInfo.InvariantCulture),
            })
            : new PotentialConfig(s.Model, s.Cutoff, species, "float64", s.Basis, [s.Hidden, s.Hidden]);
        var model = PotentialModels.Create(config, new Generator(s.Seed + 1));
        var module = (Module)model;
        var (shift, scale) = PotentialStatistics.FitEnergyReference(train, species);
        model.SetEnergyReference(shift, scale);

        var objective = new PotentialObjective(model, train, s.Weights);
        double minDistance = Enumerable.Range(0, train.Count).Min(objective.Evaluator.MinDistance);
        config = config with { MinTrainingDistance = double.IsFinite(minDistance) ? minDistance : 0 };
        // Data-parallel: this rank validates its contiguous share of the validation structures.
        var (valFirst, valCount) = DataParallel.Shard(0, val.Count, comm.Rank, comm.Size);
        var valShard = val.GetRange(valFirst, valCount);
        using var valEvaluator = valCount > 0 ? new PotentialEvaluator(model, valShard) : null;
        string modelPath = Path.Combine(s.OutDir, "model.safetensors");
        Dictionary<string, string> Metadata(int epoch, PotentialErrors e) => new()
        {
            ["best_epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["val_energy_mae_mev_per_atom"] = (e.EnergyMaePerAtom * 1e3).ToString("R", CultureInfo.InvariantCulture),
            ["val_force_mae_mev_per_a"] = (e.ForceMae * 1e3).ToString("R", CultureInfo.InvariantCulture),
        };
        // The recipe the ranks must agree on: every setting but where files go, and a hash of the structures (the
        // trainer's own data check sees only their indices).
        var dataParallel = comm.Size > 1
            ? new DataParallel(comm, JsonSerializer.Serialize(s with { DataFile = s.DataFile is null ? null : "(hashed)", OutDir = "", Json = false }) + ";structures=" + StructuresHash(all).ToString("x16", CultureInfo.InvariantCulture))
            : null;
        var validation = new PotentialValidation(s, valEvaluator, valShard, val.Count, log, (epoch, e) => PotentialModels.Save(modelPath, model, config, Metadata(epoch, e)), dataParallel);
        int batch = Math.Min(s.Batch, train.Count);
        var inv = CultureInfo.InvariantCulture;
        log(string.Create(inv, $"potential: {s.Model}, {string.Join(" ", species.Select(Elements.Symbol))}, cutoff {s.Cutoff:G} Å, {module.ParameterCount} parameters; ")
            + string.Create(inv, $"{train.Count} train / {val.Count} val / {test.Count} test structures; ")
            + string.Create(inv, $"shift [{string.Join(", ", shift.Select(x => x.ToString("F4", inv)))}] eV/atom, scale {scale:F4} eV; ")
            + string.Create(inv, $"weights E {s.Weights.Energy:G} F {s.Weights.Forces:G} S {s.Weights.Stress:G}; Adam lr {s.LearningRate:G3}, batch {batch}, ≤ {s.Epochs} epochs")
            + (s.TimeLimitMinutes > 0 ? string.Create(inv, $", time limit {s.TimeLimitMinutes:G} min") : "")
            + string.Create(inv, $"; closest training pair {minDistance:F3} Å"));

        var ids = PotentialObjective.Indices(train.Count);
        var optimizer = new Adam(module.Parameters(), s.LearningRate);
        if (comm.Size > 1) log($"potential: data-parallel over {comm.Size} MPI ranks, {batch} structures per global batch");
        var progress = new ConsoleTrainingProgress(s.Json || !comm.IsRoot ? ProgressDisplay.None : ProgressDisplay.Auto, stdout);
        using var metricsCsv = new EpochMetricsCsv(Path.Combine(s.OutDir, MetricsLog.FileName),
            ("val_energy_mae", m => Last(m)?.EnergyMaePerAtom), ("val_force_mae", m => Last(m)?.ForceMae));
        var trainer = new Trainer(objective, optimizer, PotentialObjective.LossOf, new TrainerOptions
        {
            Epochs = s.Epochs,
            BatchSize = batch,
            Seed = s.Seed,
            Callbacks = [objective.Releaser, validation, metricsCsv],
            Progress = progress,
            DataParallel = dataParallel,
        });
        var trainClock = Stopwatch.StartNew();
        var history = progress.Run(() => trainer.Fit(ids, ids));
        double trainSeconds = trainClock.Elapsed.TotalSeconds;
        objective.Evaluator.Dispose();
        if (!comm.IsRoot) return 0; // the model is the same on every rank: rank 0 tests and writes
        if (validation.BestEpoch == 0)
            throw new InvalidOperationException($"train potential: no finite validation loss ({history.StopReason ?? "no validation ran"})");
        // The best validation epoch's weights are in the file: test with them.
        Checkpoint.Load(modelPath, module);

        PotentialResult[] predicted;
        using (var testEvaluator = new PotentialEvaluator(model, test)) predicted = testEvaluator.EvaluateAll();
        var errors = PotentialStatistics.Errors(predicted, test);
        var meta = Metadata(validation.BestEpoch, validation.Curve.First(c => c.Epoch == validation.BestEpoch).Errors);
        meta["test_energy_mae_mev_per_atom"] = (errors.EnergyMaePerAtom * 1e3).ToString("R", CultureInfo.InvariantCulture);
        meta["test_force_mae_mev_per_a"] = (errors.ForceMae * 1e3).ToString("R", CultureInfo.InvariantCulture);
        PotentialModels.Save(modelPath, model, config, meta);

        string energyPng = Path.Combine(s.OutDir, "parity_energy.png");
        string forcesPng = Path.Combine(s.OutDir, "parity_forces.png");
        Plots.Parity(energyPng, test.Select(t => t.Energy!.Value / t.NumAtoms).ToArray(), predicted.Select((p, k) => p.Energy / test[k].NumAtoms).ToArray(),
            string.Create(CultureInfo.InvariantCulture, $"{s.Model}: energy per atom, test MAE {errors.EnergyMaePerAtom * 1e3:F2} meV/atom"), "eV/atom");
        var refF = test.Where(t => t.Forces is not null).SelectMany(t => t.Forces!).ToArray();
        var predF = predicted.Where((_, k) => test[k].Forces is not null).SelectMany(p => p.Forces).ToArray();
        Plots.Parity(forcesPng, refF, predF,
            string.Create(CultureInfo.InvariantCulture, $"{s.Model}: force components, test MAE {errors.ForceMae * 1e3:F1} meV/Å (std {errors.ForceStd * 1e3:F0})"), "eV/Å");

        var results = new Dictionary<string, object?>
        {
            ["model"] = s.Model,
            ["species"] = species.Select(Elements.Symbol).ToArray(),
            ["parameters"] = module.ParameterCount,
            ["train_structures"] = train.Count,
            ["val_structures"] = val.Count,
            ["test_structures"] = test.Count,
            ["test_energy_mae_mev_per_atom"] = errors.EnergyMaePerAtom * 1e3,
            ["test_energy_rmse_mev_per_atom"] = errors.EnergyRmsePerAtom * 1e3,
            ["test_force_mae_mev_per_a"] = errors.ForceMae * 1e3,
            ["test_force_rmse_mev_per_a"] = errors.ForceRmse * 1e3,
            ["test_force_std_mev_per_a"] = errors.ForceStd * 1e3,
            ["test_force_mae_over_std"] = errors.ForceMae / errors.ForceStd,
            ["test_stress_mae_mev_per_a3"] = double.IsNaN(errors.StressMae) ? null : errors.StressMae * 1e3,
            ["best_epoch"] = validation.BestEpoch,
            ["epochs_run"] = history.Epochs.Count,
            ["stop_reason"] = validation.StopReason ?? history.StopReason ?? "epochs done",
            ["final_train_loss"] = history.Last?.TrainLoss ?? double.NaN,
            ["energy_shift_ev"] = shift,
            ["energy_scale_ev"] = scale,
            ["min_training_distance_a"] = config.MinTrainingDistance,
            ["train_seconds"] = trainSeconds,
            ["total_seconds"] = total.Elapsed.TotalSeconds,
            // Process CPU time: on a shared machine wall time overstates the cost.
            ["cpu_seconds"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            ["train_loss_curve"] = history.Epochs.Select(e => e.TrainLoss).ToArray(),
            ["val_curve"] = validation.Curve.Select(c => new[] { c.Epoch, c.Errors.EnergyMaePerAtom * 1e3, c.Errors.ForceMae * 1e3 }).ToArray(),
            ["model_file"] = modelPath,
            ["plots"] = new[] { energyPng, forcesPng },
            ["metrics"] = metricsCsv.Path,
            ["settings"] = s,
            ["ranks"] = comm.Size,
            ["batch_losses"] = history.BatchLosses.ToArray(),
            ["allreduce_seconds"] = dataParallel?.AllreduceTime.TotalSeconds ?? 0.0,
        };
        string text = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true });
        RunFiles.WriteAllText(Path.Combine(s.OutDir, "results.json"), text);
        if (s.Json) stdout.WriteLine(text);
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test: energy MAE {errors.EnergyMaePerAtom * 1e3:F2} meV/atom, force MAE {errors.ForceMae * 1e3:F1} meV/Å ({100 * errors.ForceMae / errors.ForceStd:F1}% of the force std {errors.ForceStd * 1e3:F0} meV/Å) at the best validation epoch {validation.BestEpoch}; {history.Epochs.Count} epochs in {trainSeconds:F1} s"));
            if (validation.StopReason is { } why) stdout.WriteLine($"stopped: {why}");
            stdout.WriteLine($"model: {modelPath}");
            stdout.WriteLine($"plots: {energyPng}, {forcesPng}");
        }
        return 0;

        PotentialErrors? Last(EpochMetrics m) => validation.Curve.Count > 0 && validation.Curve[^1].Epoch == m.Epoch ? validation.Curve[^1].Errors : null;
    }

    /// <summary>A 64-bit SHA-256 prefix of the structures (species, positions, cell, periodicity, labels), for the ranks' start-up check.</summary>
    private static ulong StructuresHash(IReadOnlyList<AtomicStructure> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add<T>(ReadOnlySpan<T> values) where T : unmanaged
        {
            Span<byte> length = stackalloc byte[sizeof(int)];
            BitConverter.TryWriteBytes(length, values.Length);
            sha.AppendData(length); // framing: absent and empty arrays differ from their neighbours' values
            sha.AppendData(MemoryMarshal.AsBytes(values));
        }
        foreach (var x in data)
        {
            Add<int>(x.Numbers);
            Add<double>(x.Positions);
            Add<double>(x.Cell ?? []);
            Add<bool>(x.Pbc);
            Add<double>(x.Energy is { } e ? [e] : []);
            Add<double>(x.Forces ?? []);
            Add<double>(x.Stress ?? []);
        }
        return BitConverter.ToUInt64(sha.GetHashAndReset(), 0);
    }
}
