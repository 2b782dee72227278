using System.Globalization;
using System.Text;

namespace SciKernels.Training;

/// <summary>What one epoch measured. Losses and metrics are sample-weighted means over the epoch.</summary>
public sealed class EpochMetrics
{
    internal EpochMetrics(int epoch, int epochs, double trainLoss, double? validationLoss,
        IReadOnlyDictionary<string, double> trainMetrics, IReadOnlyDictionary<string, double> validationMetrics,
        double learningRate, TimeSpan elapsed)
    {
        Epoch = epoch;
        Epochs = epochs;
        TrainLoss = trainLoss;
        ValidationLoss = validationLoss;
        TrainMetrics = trainMetrics;
        ValidationMetrics = validationMetrics;
        LearningRate = learningRate;
        Elapsed = elapsed;
    }

    /// <summary>1-based epoch number.</summary>
    public int Epoch { get; }

    /// <summary>Total epochs planned.</summary>
    public int Epochs { get; }

    /// <summary>Mean training loss (during the epoch, before each step's update).</summary>
    public double TrainLoss { get; }

    /// <summary>Validation loss at the end of the epoch, or null without validation data.</summary>
    public double? ValidationLoss { get; }

    /// <summary>Training metrics by name.</summary>
    public IReadOnlyDictionary<string, double> TrainMetrics { get; }

    /// <summary>Validation metrics by name (empty without validation data).</summary>
    public IReadOnlyDictionary<string, double> ValidationMetrics { get; }

    /// <summary>Learning rate used during the epoch.</summary>
    public double LearningRate { get; }

    /// <summary>Wall time of the epoch, validation included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>
    /// Looks up a monitored value: <c>loss</c>, <c>val_loss</c>, a metric name, or <c>val_</c> + a metric name.
    /// </summary>
    public bool TryGet(string name, out double value)
    {
        ArgumentNullException.ThrowIfNull(name);
        value = double.NaN;
        if (name == "loss") { value = TrainLoss; return true; }
        if (name == "val_loss") { value = ValidationLoss ?? double.NaN; return ValidationLoss.HasValue; }
        if (name.StartsWith("val_", StringComparison.Ordinal) && ValidationMetrics.TryGetValue(name[4..], out value)) return true;
        return TrainMetrics.TryGetValue(name, out value);
    }

    /// <summary>One log line, e.g. <c>epoch 3/10  loss 1.234e-02  val_loss 2.100e-02  lr 1.0e-03  0.41s</c>.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"epoch {Epoch}/{Epochs}  loss {TrainLoss:0.000e+00}");
        foreach (var (k, v) in TrainMetrics) sb.Append(c, $"  {k} {v:0.000e+00}");
        if (ValidationLoss is { } vl) sb.Append(c, $"  val_loss {vl:0.000e+00}");
        foreach (var (k, v) in ValidationMetrics) sb.Append(c, $"  val_{k} {v:0.000e+00}");
        sb.Append(c, $"  lr {LearningRate:0.0e+00}  {Elapsed.TotalSeconds:0.00}s");
        return sb.ToString();
    }
}

/// <summary>The record of a <see cref="Trainer.Fit"/> run.</summary>
public sealed class TrainingHistory
{
    internal List<EpochMetrics> EpochList { get; } = new();
    internal List<double> BatchLossList { get; } = new();

    /// <summary>Per-epoch results in order.</summary>
    public IReadOnlyList<EpochMetrics> Epochs => EpochList;

    /// <summary>Every training batch's loss in order (for reproducibility checks and plots).</summary>
    public IReadOnlyList<double> BatchLosses => BatchLossList;

    /// <summary>True when a callback or a non-finite loss ended training before the last epoch.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>Why training stopped early, or null.</summary>
    public string? StopReason { get; internal set; }

    /// <summary>The last epoch's results, or null when no epoch finished.</summary>
    public EpochMetrics? Last => EpochList.Count == 0 ? null : EpochList[^1];
}
