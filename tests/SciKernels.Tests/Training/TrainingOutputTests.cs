using Microsoft.Extensions.Logging;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Random;
using SciKernels.Training;
using Xunit;

namespace SciKernels.Tests.Training;

/// <summary>Tests that redirect the process-wide console run alone.</summary>
[CollectionDefinition(nameof(ConsoleCapture), DisableParallelization = true)]
public sealed class ConsoleCapture
{
}

/// <summary>Progress goes to an <see cref="ITrainingProgress"/> and logs to an <see cref="ILogger"/>; the library never writes to the console.</summary>
[Collection(nameof(ConsoleCapture))]
public sealed class TrainingOutputTests
{
    private sealed class RecordingProgress : ITrainingProgress
    {
        public List<string> Events { get; } = new();

        public void TrainingStarted(int epochs, int batchesPerEpoch) => Events.Add($"start {epochs}x{batchesPerEpoch}");

        public void BatchCompleted(int epoch, int batch, double loss) => Events.Add($"batch {epoch}.{batch}");

        public void EpochCompleted(EpochMetrics metrics) => Events.Add($"epoch {metrics.Epoch}");

        public void TrainingEnded(TrainingHistory history) => Events.Add($"end {history.Epochs.Count}");
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Entries.Add((logLevel, formatter(state, exception)));
    }

    private static TrainingHistory Fit(TrainerOptions options, Func<Tensor, Tensor, Tensor>? loss = null)
    {
        var (x, y) = TrainerTests.Data(11, 16);
        using var model = new Mlp([2, 4, 1], new Generator(12));
        return new Trainer(model, new Sgd(model.Parameters(), 0.01), loss, options).Fit(x, y);
    }

    [Fact]
    public void ATrainerWithoutSinksWritesNothingToTheConsole()
    {
        var (originalOut, originalError) = (Console.Out, Console.Error);
        var output = new StringWriter();
        Console.SetOut(output);
        Console.SetError(output);
        try
        {
            var history = Fit(new TrainerOptions { Epochs = 2, BatchSize = 8 });
            Assert.Equal(2, history.Epochs.Count);
            var stopped = Fit(new TrainerOptions { Epochs = 2 }, (p, t) => Losses.Mse(p, t).Mul(double.NaN));
            Assert.True(stopped.StoppedEarly);
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public void ProgressReceivesEveryEventInOrder()
    {
        var progress = new RecordingProgress();
        Fit(new TrainerOptions { Epochs = 2, BatchSize = 8, Progress = progress });
        Assert.Equal(["start 2x2", "batch 1.0", "batch 1.1", "epoch 1", "batch 2.0", "batch 2.1", "epoch 2", "end 2"], progress.Events);
    }

    [Fact]
    public void TheTrainerLogsThroughILogger()
    {
        var logger = new ListLogger();
        Fit(new TrainerOptions { Epochs = 2, BatchSize = 8, Logger = logger });
        Assert.Equal(LogLevel.Debug, logger.Entries[0].Level);
        Assert.StartsWith("training: 2 epochs of 2 batches", logger.Entries[0].Message);
        Assert.StartsWith("epoch 2/2  loss ", logger.Entries[^1].Message);

        var nan = new ListLogger();
        Fit(new TrainerOptions { Epochs = 2, Logger = nan }, (p, t) => Losses.Mse(p, t).Mul(double.NaN));
        var warning = Assert.Single(nan.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("the loss became NaN", warning.Message);
    }

    [Fact]
    public void LoggingCallbackWritesToALogger()
    {
        var logger = new ListLogger();
        Fit(new TrainerOptions { Epochs = 5, BatchSize = 8, Callbacks = [new LoggingCallback(logger, everyEpochs: 2)] });
        Assert.All(logger.Entries, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Equal(["epoch 2/5", "epoch 4/5", "epoch 5/5"], logger.Entries.Select(e => e.Message[..9]));
    }
}
