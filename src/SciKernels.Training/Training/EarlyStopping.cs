using SciKernels.Autograd;

namespace SciKernels.Training;

/// <summary>
/// Stops training when a monitored value has not improved by more than <c>minDelta</c> for
/// <c>patience</c> epochs; optionally restores the best weights at the end.
/// </summary>
public sealed class EarlyStopping : TrainingCallback
{
    private Tensor[]? bestWeights;
    private int badEpochs;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor"><c>val_loss</c> (default), <c>loss</c>, a metric name or <c>val_</c> + metric name.</param>
    /// <param name="patience">Epochs without improvement before stopping.</param>
    /// <param name="minDelta">Smallest decrease that counts as an improvement.</param>
    /// <param name="restoreBestWeights">Copy the best epoch's parameters back when training ends.</param>
    /// <param name="maximize">Monitor a value that should increase instead of decrease.</param>
    public EarlyStopping(string monitor = "val_loss", int patience = 10, double minDelta = 0, bool restoreBestWeights = false, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        Monitor = monitor;
        Patience = patience;
        MinDelta = minDelta;
        RestoreBestWeights = restoreBestWeights;
        Maximize = maximize;
    }

    /// <summary>The monitored value's name.</summary>
    public string Monitor { get; }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Smallest improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Whether the best weights are restored.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>Whether larger is better.</summary>
    public bool Maximize { get; }

    /// <summary>Best value seen.</summary>
    public double Best { get; private set; }

    /// <summary>Epoch of the best value (0 before any).</summary>
    public int BestEpoch { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin(TrainingContext context)
    {
        Best = Maximize ? double.NegativeInfinity : double.PositiveInfinity;
        BestEpoch = 0;
        badEpochs = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        if (!metrics.TryGet(Monitor, out double value))
            throw new InvalidOperationException($"EarlyStopping: epoch {metrics.Epoch} has no value '{Monitor}' (use loss, val_loss, a metric name or val_<metric>)");
        bool improved = double.IsFinite(value) && (Maximize ? value > Best + MinDelta : value < Best - MinDelta);
        if (improved)
        {
            Best = value;
            BestEpoch = metrics.Epoch;
            badEpochs = 0;
            if (RestoreBestWeights) Snapshot(context);
            return;
        }
        if (++badEpochs > Patience)
            context.RequestStop($"{Monitor} did not improve for {badEpochs} epochs (best {Best:G6} at epoch {BestEpoch})");
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingContext context)
    {
        if (bestWeights is null) return;
        using (GradMode.NoGrad())
        {
            int i = 0;
            foreach (var p in context.Model.Parameters()) p.CopyFrom(bestWeights[i++]);
        }
        foreach (var w in bestWeights) w.Dispose();
        bestWeights = null;
    }

    private void Snapshot(TrainingContext context)
    {
        using var _ = GradMode.NoGrad();
        var ps = context.Model.Parameters().ToArray();
        if (bestWeights is null)
        {
            bestWeights = new Tensor[ps.Length];
            for (int i = 0; i < ps.Length; i++) bestWeights[i] = TensorScope.Keep(ps[i].Detach().Clone());
        }
        else
        {
            for (int i = 0; i < ps.Length; i++) bestWeights[i].CopyFrom(ps[i]);
        }
    }
}
