using SciKernels.NN;
using SciKernels.Optim;

namespace SciKernels.Training;

/// <summary>What callbacks see and can change during <see cref="Trainer.Fit"/>.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Module model, Optimizer optimizer, int epochs, TrainingHistory history, bool writesFiles = true)
    {
        WritesFiles = writesFiles;
        Model = model;
        Optimizer = optimizer;
        Epochs = epochs;
        History = history;
    }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>Its optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Total epochs planned.</summary>
    public int Epochs { get; }

    /// <summary>
    /// False on every rank but 0 of a data-parallel run: callbacks that write files (checkpoints, logs, plots)
    /// skip them there, so that one rank alone writes.
    /// </summary>
    public bool WritesFiles { get; }

    /// <summary>The history so far.</summary>
    public TrainingHistory History { get; }

    /// <summary>True once a callback asked to stop.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Ends training after the current epoch.</summary>
    public void RequestStop(string reason)
    {
        StopRequested = true;
        History.StoppedEarly = true;
        History.StopReason ??= reason;
    }
}

/// <summary>Hooks into <see cref="Trainer.Fit"/>; every method has an empty default.</summary>
public abstract class TrainingCallback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(TrainingContext context)
    {
    }

    /// <summary>After each epoch's validation; may call <see cref="TrainingContext.RequestStop"/>.</summary>
    public virtual void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
    }

    /// <summary>After the last epoch (also after an early stop).</summary>
    public virtual void OnTrainEnd(TrainingContext context)
    {
    }
}
