using Microsoft.Extensions.Logging;

namespace SciKernels.Training;

/// <summary>
/// Logs one line per epoch (every <c>everyEpochs</c> epochs, and the last) and the reason of an
/// early stop, to an <see cref="ILogger"/> (level Information) or a <see cref="TextWriter"/>.
/// </summary>
public sealed class LoggingCallback : TrainingCallback
{
    private readonly Action<EpochMetrics> epochLine;
    private readonly Action<string> stopLine;
    private readonly Action flush;
    private readonly int everyEpochs;

    /// <summary>Logs to <paramref name="logger"/>.</summary>
    /// <param name="logger">Receives the epoch lines and the stop reason.</param>
    /// <param name="everyEpochs">Log every this many epochs (and the last one).</param>
    public LoggingCallback(ILogger logger, int everyEpochs = 1)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(everyEpochs);
        epochLine = m => TrainingLog.EpochSummary(logger, m);
        stopLine = reason => TrainingLog.StoppedEarly(logger, reason);
        flush = () => { };
        this.everyEpochs = everyEpochs;
    }

    /// <summary>Writes plain lines to <paramref name="writer"/>.</summary>
    /// <param name="writer">Receives one line per logged epoch and the stop reason.</param>
    /// <param name="everyEpochs">Log every this many epochs (and the last one).</param>
    public LoggingCallback(TextWriter writer, int everyEpochs = 1)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(everyEpochs);
        epochLine = m => writer.WriteLine(m.ToString());
        stopLine = reason => writer.WriteLine($"stopped early: {reason}");
        flush = writer.Flush;
        this.everyEpochs = everyEpochs;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        if (metrics.Epoch % everyEpochs == 0 || metrics.Epoch == context.Epochs) epochLine(metrics);
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingContext context)
    {
        if (context.History.StopReason is { } reason) stopLine(reason);
        flush();
    }
}
