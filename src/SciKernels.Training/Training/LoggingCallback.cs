namespace SciKernels.Training;

/// <summary>Writes one plain line per epoch (every <c>everyEpochs</c> epochs) to a <see cref="TextWriter"/>.</summary>
public sealed class LoggingCallback : TrainingCallback
{
    private readonly TextWriter writer;
    private readonly int everyEpochs;

    /// <summary>Logs to <paramref name="writer"/> (standard output when null).</summary>
    public LoggingCallback(TextWriter? writer = null, int everyEpochs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(everyEpochs);
        this.writer = writer ?? Console.Out;
        this.everyEpochs = everyEpochs;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        if (metrics.Epoch % everyEpochs == 0 || metrics.Epoch == context.Epochs) writer.WriteLine(metrics.ToString());
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingContext context)
    {
        if (context.History.StopReason is { } reason) writer.WriteLine($"stopped early: {reason}");
        writer.Flush();
    }
}
