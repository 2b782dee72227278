using System.Globalization;
using Spectre.Console;

namespace SciKernels.Training;

/// <summary>How <see cref="Trainer.Fit"/> shows progress on the console.</summary>
public enum ProgressDisplay
{
    /// <summary>A live Spectre.Console bar on a terminal; plain lines when output is redirected.</summary>
    Auto,
    /// <summary>Always the live Spectre.Console bar.</summary>
    Rich,
    /// <summary>One plain line per epoch on standard output.</summary>
    Plain,
    /// <summary>Nothing (use callbacks to log).</summary>
    None,
}

/// <summary>Receives progress events from the training loop.</summary>
internal interface IProgressSink
{
    void BatchDone(int epoch, int batch, double loss);

    void EpochDone(EpochMetrics metrics);
}

/// <summary>Runs the training loop under the chosen display.</summary>
internal static class ProgressRunner
{
    public static void Run(ProgressDisplay display, int epochs, int batchesPerEpoch, Action<IProgressSink> body)
    {
        if (display == ProgressDisplay.Auto) display = Console.IsOutputRedirected ? ProgressDisplay.Plain : ProgressDisplay.Rich;
        switch (display)
        {
            case ProgressDisplay.None:
                body(NullSink.Instance);
                break;
            case ProgressDisplay.Plain:
                body(new PlainSink(Console.Out));
                break;
            default:
                RunRich(epochs, batchesPerEpoch, body);
                break;
        }
    }

    private static void RunRich(int epochs, int batchesPerEpoch, Action<IProgressSink> body)
    {
        EpochMetrics? last = null;
        // Spectre runs a synchronous action on the calling thread, so thread-local tensor scopes and
        // grad mode behave as without the display.
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"epoch 1/{epochs}", maxValue: Math.Max(1, (double)epochs * batchesPerEpoch));
                var sink = new RichSink(task, epochs);
                body(sink);
                task.Value = task.MaxValue;
                last = sink.Last;
            });
        if (last is not null) AnsiConsole.MarkupLine("[green]done[/] " + Markup.Escape(last.ToString()));
    }

    private sealed class NullSink : IProgressSink
    {
        public static readonly NullSink Instance = new();

        public void BatchDone(int epoch, int batch, double loss)
        {
        }

        public void EpochDone(EpochMetrics metrics)
        {
        }
    }

    private sealed class PlainSink(TextWriter writer) : IProgressSink
    {
        public void BatchDone(int epoch, int batch, double loss)
        {
        }

        public void EpochDone(EpochMetrics metrics)
        {
            writer.WriteLine(metrics.ToString());
            writer.Flush();
        }
    }

    private sealed class RichSink(ProgressTask task, int epochs) : IProgressSink
    {
        public EpochMetrics? Last { get; private set; }

        public void BatchDone(int epoch, int batch, double loss)
        {
            task.Increment(1);
            if (batch == 0 || batch % 16 == 0)
                task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}  loss {loss:0.000e+00}"));
        }

        public void EpochDone(EpochMetrics metrics)
        {
            Last = metrics;
            var c = CultureInfo.InvariantCulture;
            string text = string.Create(c, $"epoch {Math.Min(metrics.Epoch + 1, epochs)}/{epochs}  loss {metrics.TrainLoss:0.000e+00}");
            if (metrics.ValidationLoss is { } vl) text += string.Create(c, $"  val {vl:0.000e+00}");
            task.Description = Markup.Escape(text);
        }
    }
}
