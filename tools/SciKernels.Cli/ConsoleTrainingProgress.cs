using System.Globalization;
using SciKernels.Training;
using Spectre.Console;

namespace SciKernels.Cli;

/// <summary>How the CLI shows a trainer's progress on the console.</summary>
internal enum ProgressDisplay
{
    /// <summary>A live Spectre.Console bar on a terminal; plain lines when output is redirected.</summary>
    Auto,
    /// <summary>Always the live Spectre.Console bar.</summary>
    Rich,
    /// <summary>One plain line per epoch on standard output.</summary>
    Plain,
    /// <summary>Nothing.</summary>
    None,
}

/// <summary>
/// The CLI's renderer of <see cref="ITrainingProgress"/>: a Spectre.Console bar or plain lines. The
/// library writes nothing to the console; this is where training output is drawn.
/// </summary>
/// <remarks>
/// Use it as the trainer's <see cref="TrainerOptions.Progress"/> and run the training inside
/// <see cref="Run{T}"/>, which opens the live display around it (Spectre runs the action on the
/// calling thread, so thread-local tensor scopes and grad mode behave as without the display).
/// </remarks>
internal sealed class ConsoleTrainingProgress : ITrainingProgress
{
    private readonly ProgressDisplay display;
    private readonly TextWriter plain;
    private ProgressContext? live;
    private ProgressTask? task;
    private int epochs;

    /// <summary>Creates the renderer; <see cref="ProgressDisplay.Auto"/> picks plain lines when standard output is redirected.</summary>
    public ConsoleTrainingProgress(ProgressDisplay display, TextWriter? plainWriter = null)
    {
        this.display = display == ProgressDisplay.Auto ? Console.IsOutputRedirected ? ProgressDisplay.Plain : ProgressDisplay.Rich : display;
        plain = plainWriter ?? Console.Out;
    }

    /// <summary>The last epoch's metrics, or null.</summary>
    public EpochMetrics? Last { get; private set; }

    /// <summary>Runs <paramref name="training"/> under the display and returns its result.</summary>
    public T Run<T>(Func<T> training)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (display != ProgressDisplay.Rich) return training();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                live = ctx;
                try
                {
                    result = training();
                    if (task is not null) task.Value = task.MaxValue;
                }
                finally
                {
                    live = null;
                }
            });
        if (Last is not null) AnsiConsole.MarkupLine("[green]done[/] " + Markup.Escape(Last.ToString()));
        return result;
    }

    /// <inheritdoc/>
    public void TrainingStarted(int epochs, int batchesPerEpoch)
    {
        this.epochs = epochs;
        if (display == ProgressDisplay.Rich && live is not null)
            task = live.AddTask($"epoch 1/{epochs}", maxValue: Math.Max(1, (double)epochs * batchesPerEpoch));
    }

    /// <inheritdoc/>
    public void BatchCompleted(int epoch, int batch, double loss)
    {
        if (task is null) return;
        task.Increment(1);
        if (batch == 0 || batch % 16 == 0)
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}  loss {loss:0.000e+00}"));
    }

    /// <inheritdoc/>
    public void EpochCompleted(EpochMetrics metrics)
    {
        Last = metrics;
        switch (display)
        {
            case ProgressDisplay.Plain:
                plain.WriteLine(metrics.ToString());
                plain.Flush();
                break;
            case ProgressDisplay.Rich when task is not null:
                var c = CultureInfo.InvariantCulture;
                string text = string.Create(c, $"epoch {Math.Min(metrics.Epoch + 1, epochs)}/{epochs}  loss {metrics.TrainLoss:0.000e+00}");
                if (metrics.ValidationLoss is { } vl) text += string.Create(c, $"  val {vl:0.000e+00}");
                task.Description = Markup.Escape(text);
                break;
        }
    }

    /// <inheritdoc/>
    public void TrainingEnded(TrainingHistory history)
    {
    }
}
