using System.Globalization;

namespace SciKernels.Training;

/// <summary>
/// Saves a <see cref="Checkpoint"/> every <c>everyEpochs</c> epochs (and after the last one) to a path
/// pattern in which <c>{epoch}</c> is replaced by the epoch number.
/// </summary>
public sealed class CheckpointCallback : TrainingCallback
{
    private readonly string pathPattern;
    private readonly int everyEpochs;
    private readonly bool includeOptimizer;
    private readonly List<string> written = new();
    private readonly IReadOnlyDictionary<string, string>? metadata;

    /// <summary>Creates the callback.</summary>
    /// <param name="pathPattern">File path, e.g. <c>runs/model_{epoch}.safetensors</c>; without <c>{epoch}</c> the file is overwritten.</param>
    /// <param name="everyEpochs">Interval in epochs.</param>
    /// <param name="includeOptimizer">Also save the optimizer's state (so training can resume).</param>
    /// <param name="metadata">Extra metadata written into every file (e.g. the run's settings), besides epoch and loss.</param>
    public CheckpointCallback(string pathPattern, int everyEpochs = 1, bool includeOptimizer = true, IReadOnlyDictionary<string, string>? metadata = null)
    {
        this.metadata = metadata;
        ArgumentException.ThrowIfNullOrEmpty(pathPattern);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(everyEpochs);
        this.pathPattern = pathPattern;
        this.everyEpochs = everyEpochs;
        this.includeOptimizer = includeOptimizer;
    }

    /// <summary>Paths written so far.</summary>
    public IReadOnlyList<string> Written => written;

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        if (!context.WritesFiles || (metrics.Epoch % everyEpochs != 0 && metrics.Epoch != context.Epochs)) return;
        var c = CultureInfo.InvariantCulture;
        string path = pathPattern.Replace("{epoch}", metrics.Epoch.ToString(c), StringComparison.Ordinal);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            ["epoch"] = metrics.Epoch.ToString(c),
            ["loss"] = metrics.TrainLoss.ToString("R", c),
        };
        if (metrics.ValidationLoss is { } vl) meta["val_loss"] = vl.ToString("R", c);
        Checkpoint.Save(path, context.Model, includeOptimizer ? context.Optimizer : null, meta);
        written.Add(path);
    }
}
