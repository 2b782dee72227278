using Microsoft.Extensions.Logging;

namespace SciKernels.Training;

/// <summary>The training layer's log messages, defined once (source-generated: no formatting cost when the level is off).</summary>
internal static partial class TrainingLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "training: {Epochs} epochs of {Batches} batches ({Samples} samples)")]
    public static partial void TrainingStarted(ILogger logger, int epochs, int batches, int samples);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Metrics}")]
    public static partial void EpochDone(ILogger logger, EpochMetrics metrics);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "training stopped: {Reason}")]
    public static partial void NonFiniteLoss(ILogger logger, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "stopped early: {Reason}")]
    public static partial void StoppedEarly(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Metrics}")]
    public static partial void EpochSummary(ILogger logger, EpochMetrics metrics);
}
