using Microsoft.Extensions.Logging;
using SciKernels.Optim;
using SciKernels.Training.Distributed;

namespace SciKernels.Training;

/// <summary>Settings of <see cref="Trainer.Fit"/>.</summary>
public sealed class TrainerOptions
{
    /// <summary>Number of passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>
    /// Epochs already trained, when resuming from a checkpoint saved after that epoch (model and optimizer loaded
    /// by the caller): <see cref="Trainer.Fit"/> replays those epochs' shuffles, sets <see cref="Scheduler"/> to
    /// the step it had reached and trains epochs <c>StartEpoch + 1</c> … <see cref="Epochs"/>, so the run
    /// continues the uninterrupted one's trajectory. 0 (the default) starts afresh.
    /// </summary>
    public int StartEpoch { get; init; }

    /// <summary>Samples per mini-batch; 0 means the whole set (full batch).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Shuffle the samples each epoch with a generator seeded by <see cref="Seed"/>.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffle: the same seed gives the same batches.</summary>
    public ulong Seed { get; init; }

    /// <summary>Drop the last batch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>Samples per validation batch; 0 means <see cref="BatchSize"/> (or all).</summary>
    public int ValidationBatchSize { get; init; }

    /// <summary>Clip the gradients' global 2-norm to this before each step; null disables clipping.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Schedule stepped after every epoch (or batch, see <see cref="StepSchedulerPerBatch"/>).</summary>
    public LRScheduler? Scheduler { get; init; }

    /// <summary>Step <see cref="Scheduler"/> after every batch instead of every epoch.</summary>
    public bool StepSchedulerPerBatch { get; init; }

    /// <summary>Extra metrics (prediction, target) → scalar, averaged over samples like the loss.</summary>
    public IReadOnlyDictionary<string, Func<Tensor, Tensor, Tensor>> Metrics { get; init; } = new Dictionary<string, Func<Tensor, Tensor, Tensor>>();

    /// <summary>Callbacks, run in order.</summary>
    public IReadOnlyList<TrainingCallback> Callbacks { get; init; } = Array.Empty<TrainingCallback>();

    /// <summary>Receives progress events (e.g. a console progress bar, which the CLI provides); none when null.</summary>
    public ITrainingProgress? Progress { get; init; }

    /// <summary>Receives the trainer's diagnostics (start, per-epoch metrics at Debug, stop reasons); none when null.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Stop (without applying the step) when a batch loss is NaN or infinite.</summary>
    public bool StopOnNonFiniteLoss { get; init; } = true;

    /// <summary>
    /// Train data-parallel over MPI ranks (each rank a shard of every batch, gradients summed); null, or a
    /// communicator of one rank, trains in this process alone exactly as without it.
    /// </summary>
    public DataParallel? DataParallel { get; init; }
}
