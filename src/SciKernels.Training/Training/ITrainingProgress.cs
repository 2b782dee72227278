namespace SciKernels.Training;

/// <summary>
/// Receives progress events from <see cref="Trainer.Fit"/> (e.g. to draw a progress bar). The
/// library renders nothing itself: without a sink (<see cref="TrainerOptions.Progress"/> null)
/// training is silent.
/// </summary>
/// <remarks>Events arrive on the thread that called <see cref="Trainer.Fit"/>, in order.</remarks>
public interface ITrainingProgress
{
    /// <summary>Before the first epoch.</summary>
    /// <param name="epochs">Epochs planned.</param>
    /// <param name="batchesPerEpoch">Training batches in each epoch.</param>
    void TrainingStarted(int epochs, int batchesPerEpoch);

    /// <summary>After each training step.</summary>
    /// <param name="epoch">1-based epoch.</param>
    /// <param name="batch">0-based batch within the epoch.</param>
    /// <param name="loss">The batch loss (before the step's update).</param>
    void BatchCompleted(int epoch, int batch, double loss);

    /// <summary>After each epoch's validation, before the callbacks' <see cref="TrainingCallback.OnEpochEnd"/>.</summary>
    /// <param name="metrics">What the epoch measured.</param>
    void EpochCompleted(EpochMetrics metrics);

    /// <summary>After the last epoch (also after an early stop).</summary>
    /// <param name="history">The finished run.</param>
    void TrainingEnded(TrainingHistory history);
}

/// <summary>A progress sink that ignores every event (the default).</summary>
public sealed class NullTrainingProgress : ITrainingProgress
{
    private NullTrainingProgress()
    {
    }

    /// <summary>The single instance.</summary>
    public static NullTrainingProgress Instance { get; } = new();

    /// <inheritdoc/>
    public void TrainingStarted(int epochs, int batchesPerEpoch)
    {
    }

    /// <inheritdoc/>
    public void BatchCompleted(int epoch, int batch, double loss)
    {
    }

    /// <inheritdoc/>
    public void EpochCompleted(EpochMetrics metrics)
    {
    }

    /// <inheritdoc/>
    public void TrainingEnded(TrainingHistory history)
    {
    }
}
