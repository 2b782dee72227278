using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SciKernels.Autograd;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Random;
using SciKernels.Training.Distributed;

namespace SciKernels.Training;

/// <summary>
/// A supervised training loop: seeded mini-batch shuffling, loss and metrics on training and
/// validation data, gradient clipping, a learning-rate schedule and callbacks.
/// </summary>
/// <remarks>
/// Each training step runs inside its own <see cref="TensorScope"/>, so the step's temporaries go
/// back to the pool and memory stays flat over any number of epochs. With the same seeds (weights,
/// shuffle, dropout) two runs on the CPU produce bitwise-identical losses.
/// <para>With <see cref="TrainerOptions.DataParallel"/> over several MPI ranks, each rank trains on its shard of
/// every batch and the ranks sum their gradients before the (identical) optimizer step; losses and metrics are
/// those of the global batch on every rank (see <see cref="DataParallel"/>).</para>
/// <para>The trainer writes nothing to the console: progress goes to <see cref="TrainerOptions.Progress"/>
/// and diagnostics to <see cref="TrainerOptions.Logger"/>, both silent when unset.</para>
/// </remarks>
/// <example>
/// <code>
/// var model = new Mlp([1, 64, 64, 1], new Generator(0), Activation.Tanh);
/// var opt = new Adam(model.Parameters(), 1e-3);
/// var history = new Trainer(model, opt, (p, y) => Losses.Mse(p, y),
///     new TrainerOptions { Epochs = 200, BatchSize = 64, Seed = 1 }).Fit(x, y, xVal, yVal);
/// </code>
/// </example>
public sealed class Trainer
{
    private readonly Func<Tensor, Tensor, Tensor> loss;

    /// <summary>Creates the trainer.</summary>
    /// <param name="model">Model to train.</param>
    /// <param name="optimizer">Optimizer over the model's parameters (L-BFGS needs its own closure loop).</param>
    /// <param name="loss">(prediction, target) → scalar loss; MSE when null.</param>
    /// <param name="options">Settings; defaults when null.</param>
    public Trainer(Module model, Optimizer optimizer, Func<Tensor, Tensor, Tensor>? loss = null, TrainerOptions? options = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        if (optimizer is Lbfgs) throw new ArgumentException("Trainer: L-BFGS re-evaluates the loss inside its step; call Lbfgs.Step(closure) in your own loop", nameof(optimizer));
        this.loss = loss ?? ((p, y) => Losses.Mse(p, y));
        Options = options ?? new TrainerOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(Options.Epochs);
        ArgumentOutOfRangeException.ThrowIfNegative(Options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(Options.ValidationBatchSize);
        if (Options.StartEpoch < 0 || Options.StartEpoch > Options.Epochs)
            throw new ArgumentOutOfRangeException(nameof(options), Options.StartEpoch, $"Trainer: StartEpoch must be in [0, Epochs = {Options.Epochs}]");
    }

    /// <summary>The model.</summary>
    public Module Model { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Trains on (inputs, targets), whose first dimension indexes samples.</summary>
    /// <param name="inputs">Training inputs [N, …].</param>
    /// <param name="targets">Training targets [N, …].</param>
    /// <param name="validationInputs">Validation inputs, evaluated after each epoch in eval mode without gradients.</param>
    /// <param name="validationTargets">Validation targets.</param>
    /// <returns>Per-epoch metrics and every batch loss.</returns>
    public TrainingHistory Fit(Tensor inputs, Tensor targets, Tensor? validationInputs = null, Tensor? validationTargets = null)
    {
        int n = CheckData(inputs, targets, "training");
        if ((validationInputs is null) != (validationTargets is null))
            throw new ArgumentException("Trainer: pass both validation inputs and targets, or neither");
        if (validationInputs is not null) CheckData(validationInputs, validationTargets!, "validation");

        int batch = Options.BatchSize == 0 ? n : Math.Min(Options.BatchSize, n);
        int batches = Options.DropLast ? n / batch : (n + batch - 1) / batch;
        if (batches == 0) throw new ArgumentException($"Trainer: {n} samples make no batch of {batch} with DropLast");

        var dp = Options.DataParallel is { Comm.Size: > 1 } d ? d : null;
        var parameters = Model.Parameters().ToList();
        dp?.Begin(Model, parameters, inputs, targets, Options);
        var history = new TrainingHistory();
        var context = new TrainingContext(Model, Optimizer, Options.Epochs, history, dp?.Comm.IsRoot ?? true);
        var shuffle = new Generator(Options.Seed);
        // Resuming: the epochs already trained drew their shuffles from this generator, and the schedule had advanced.
        for (int done = 1; done <= Options.StartEpoch && Options.Shuffle; done++) shuffle.Permutation(n);
        if (Options.StartEpoch > 0) Options.Scheduler?.SetStep((long)Options.StartEpoch * (Options.StepSchedulerPerBatch ? batches : 1));
        var progress = Options.Progress ?? NullTrainingProgress.Instance;
        var logger = Options.Logger ?? NullLogger.Instance;
        TrainingLog.TrainingStarted(logger, Options.Epochs, batches, n);
        foreach (var cb in Options.Callbacks) cb.OnTrainBegin(context);
        progress.TrainingStarted(Options.Epochs, batches);
        bool nonFinite = false;
        for (int epoch = Options.StartEpoch + 1; epoch <= Options.Epochs && !context.StopRequested; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lr = Optimizer.LearningRate;
            var order = Options.Shuffle ? shuffle.Permutation(n) : null;
            var train = TrainEpoch(inputs, targets, order, batch, batches, epoch, history, context, progress, dp, parameters);
            if (train is null)
            {
                nonFinite = true; // the reason is already recorded
                TrainingLog.NonFiniteLoss(logger, history.StopReason!);
                break;
            }
            double? valLoss = null;
            var valMetrics = new Dictionary<string, double>();
            if (validationInputs is not null)
            {
                var (vl, vm) = Evaluate(validationInputs, validationTargets!, dp);
                valLoss = vl;
                valMetrics = vm;
            }
            if (!Options.StepSchedulerPerBatch) Options.Scheduler?.Step();
            var m = new EpochMetrics(epoch, Options.Epochs, train.Value.Loss, valLoss, train.Value.Metrics, valMetrics, lr, clock.Elapsed);
            history.EpochList.Add(m);
            TrainingLog.EpochDone(logger, m);
            progress.EpochCompleted(m);
            foreach (var cb in Options.Callbacks) cb.OnEpochEnd(context, m);
            // Callbacks see the same metrics on every rank, but one that looks at the clock may not agree: all stop together.
            if (dp is not null && dp.Any(context.StopRequested) && !context.StopRequested) context.RequestStop("another rank's callback asked to stop");
        }
        if (!nonFinite && history.StopReason is { } reason) TrainingLog.StoppedEarly(logger, reason);
        progress.TrainingEnded(history);
        foreach (var cb in Options.Callbacks) cb.OnTrainEnd(context);
        return history;
    }

    private (double Loss, Dictionary<string, double> Metrics)? TrainEpoch(Tensor inputs, Tensor targets, int[]? order, int batch, int batches,
        int epoch, TrainingHistory history, TrainingContext context, ITrainingProgress progress, DataParallel? dp, List<Tensor> parameters)
    {
        Model.Train();
        int n = inputs.Size(0);
        double lossSum = 0;
        long seen = 0;
        var metricSums = Options.Metrics.Keys.ToDictionary(k => k, _ => 0.0);
        // A model that returns its shard's part of the global batch's loss needs no weighting by the shard's share.
        var parts = dp is null ? null : Model as IGlobalBatchLoss;
        for (int b = 0; b < batches; b++)
        {
            int start = b * batch, len = Math.Min(batch, n - start);
            // Data-parallel: this rank's contiguous shard of the global batch, weighted by its share.
            var (shardStart, shardLen) = dp is null ? (start, len) : DataParallel.Shard(start, len, dp.Comm.Rank, dp.Comm.Size);
            double share = parts is null ? (double)shardLen / len : 1.0;
            double l;
            using (TensorScope.Begin())
            {
                Optimizer.ZeroGrad();
                Tensor? pred = null, yb = null, lossT = null;
                if (shardLen > 0)
                {
                    Tensor xb;
                    parts?.AnnounceGlobalBatch(Slice(inputs, targets, order, start, len).X);
                    (xb, yb) = Slice(inputs, targets, order, shardStart, shardLen);
                    pred = Model.Forward(xb);
                    lossT = loss(pred, yb);
                }
                if (dp is null) l = lossT!.Item();
                else
                {
                    Span<double> global = [lossT is null ? 0 : lossT.Item() * share];
                    dp.SumScalars(global);
                    l = global[0];
                }
                if (!double.IsFinite(l) && Options.StopOnNonFiniteLoss)
                {
                    history.StoppedEarly = true;
                    history.StopReason = $"the loss became {l} at epoch {epoch}, batch {b + 1}; the step was not applied";
                    history.BatchLossList.Add(l);
                    context.RequestStop(history.StopReason);
                    return null;
                }
                // Data-parallel: buckets of finished gradients are reduced while the pass goes on (or all after it).
                var overlapped = dp?.StartOverlap(parameters, share);
                using (overlapped) lossT?.Backward();
                if (overlapped is not null) dp!.FinishOverlap();
                else dp?.ReduceGradients(parameters, share);
                if (Options.ClipGradNorm is { } maxNorm) GradientClipping.ClipGradNorm(parameters, maxNorm);
                Optimizer.Step();
                if (Options.StepSchedulerPerBatch) Options.Scheduler?.Step();
                if (metricSums.Count > 0 && pred is not null)
                {
                    using var _ = GradMode.NoGrad();
                    foreach (var (name, metric) in Options.Metrics) metricSums[name] += metric(pred, yb!).Item() * shardLen;
                }
            }
            history.BatchLossList.Add(l);
            lossSum += l * len;
            seen += len;
            progress.BatchCompleted(epoch, b, l);
        }
        if (dp is not null && metricSums.Count > 0)
        {
            var names = metricSums.Keys.Order(StringComparer.Ordinal).ToArray(); // the same order on every rank
            var sums = names.Select(k => metricSums[k]).ToArray();
            dp.SumScalars(sums);
            for (int i = 0; i < names.Length; i++) metricSums[names[i]] = sums[i];
        }
        return (lossSum / seen, metricSums.ToDictionary(kv => kv.Key, kv => kv.Value / seen));
    }

    /// <summary>Loss and metrics of the model on (inputs, targets) in eval mode, batched, without gradients.</summary>
    /// <returns>Sample-weighted mean loss and metrics.</returns>
    public (double Loss, Dictionary<string, double> Metrics) Evaluate(Tensor inputs, Tensor targets) => Evaluate(inputs, targets, null);

    /// <summary>
    /// <see cref="Evaluate(Tensor, Tensor)"/> sharded over the ranks of <paramref name="dataParallel"/>: each rank evaluates its
    /// contiguous share of the samples and the loss and metric sums are reduced, so every rank returns the whole set's values
    /// (up to floating-point reassociation). Collective when there are several ranks: every rank must call it.
    /// </summary>
    /// <param name="inputs">Inputs [N, …], the same on every rank.</param>
    /// <param name="targets">Targets [N, …].</param>
    /// <param name="dataParallel">The ranks; null or a single rank evaluates everything here.</param>
    /// <returns>Sample-weighted mean loss and metrics.</returns>
    public (double Loss, Dictionary<string, double> Metrics) Evaluate(Tensor inputs, Tensor targets, DataParallel? dataParallel)
    {
        var dp = dataParallel is { Comm.Size: > 1 } ? dataParallel : null;
        int n = CheckData(inputs, targets, "evaluation");
        var (first, count) = dp is null ? (0, n) : DataParallel.Shard(0, n, dp.Comm.Rank, dp.Comm.Size);
        int batch = Options.ValidationBatchSize > 0 ? Options.ValidationBatchSize : Options.BatchSize > 0 ? Options.BatchSize : n;
        batch = Math.Min(batch, n);
        bool wasTraining = Model.IsTraining;
        Model.Eval();
        double lossSum = 0;
        var sums = Options.Metrics.Keys.ToDictionary(k => k, _ => 0.0);
        try
        {
            using var _ = GradMode.NoGrad();
            for (int start = first; start < first + count; start += batch)
            {
                int len = Math.Min(batch, first + count - start);
                using var scope = TensorScope.Begin();
                var (xb, yb) = Slice(inputs, targets, null, start, len);
                var pred = Model.Forward(xb);
                lossSum += loss(pred, yb).Item() * len;
                foreach (var (name, metric) in Options.Metrics) sums[name] += metric(pred, yb).Item() * len;
            }
        }
        finally
        {
            Model.Train(wasTraining);
        }
        if (dp is not null)
        {
            var names = sums.Keys.Order(StringComparer.Ordinal).ToArray(); // the same order on every rank
            var all = new double[names.Length + 1];
            all[0] = lossSum;
            for (int i = 0; i < names.Length; i++) all[i + 1] = sums[names[i]];
            dp.SumScalars(all);
            lossSum = all[0];
            for (int i = 0; i < names.Length; i++) sums[names[i]] = all[i + 1];
        }
        return (lossSum / n, sums.ToDictionary(kv => kv.Key, kv => kv.Value / n));
    }

    private static (Tensor X, Tensor Y) Slice(Tensor inputs, Tensor targets, int[]? order, int start, int len)
    {
        int n = inputs.Size(0);
        if (order is null)
            return start == 0 && len == n ? (inputs, targets) : (inputs.Narrow(0, start, len), targets.Narrow(0, start, len));
        var idx = new long[len];
        for (int i = 0; i < len; i++) idx[i] = order[start + i];
        var it = Tensor.FromSpan<long>(idx, [len], inputs.Device);
        var iy = targets.Device == inputs.Device ? it : Tensor.FromSpan<long>(idx, [len], targets.Device);
        return (inputs.IndexSelect(0, it), targets.IndexSelect(0, iy));
    }

    private static int CheckData(Tensor inputs, Tensor targets, string what)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Rank == 0 || targets.Rank == 0)
            throw new ArgumentException($"Trainer: {what} inputs and targets need a sample dimension first");
        if (inputs.Size(0) != targets.Size(0))
            throw new ArgumentException($"Trainer: {inputs.Size(0)} {what} inputs but {targets.Size(0)} targets");
        if (inputs.Size(0) == 0) throw new ArgumentException($"Trainer: no {what} samples");
        return inputs.Size(0);
    }
}
