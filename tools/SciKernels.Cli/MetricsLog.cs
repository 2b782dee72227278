using System.Globalization;
using SciKernels.Training;

namespace SciKernels.Cli;

/// <summary>
/// A run's metrics as CSV (<c>metrics.csv</c> next to <c>results.json</c>): a header, then one row per epoch or
/// log point. The file is replaced atomically (<see cref="RunFiles"/>) after every row, so it always holds whole
/// rows, a stopped or crashed run keeps what it measured, and a long run can be followed (<c>tail -F</c>, which
/// reopens the replaced file). Rewriting the whole file costs little: a row per epoch or log point, a few KB.
/// Numbers are written round-trip in the invariant culture; a missing value is an empty field.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    /// <summary>The file name inside the output folder.</summary>
    public const string FileName = "metrics.csv";

    private readonly System.Text.StringBuilder text = new();

    /// <summary>Creates (or replaces) <paramref name="path"/> with the header <paramref name="columns"/>.</summary>
    public MetricsLog(string path, IReadOnlyList<string> columns)
    {
        Path = path;
        Columns = columns;
        text.Append(string.Join(',', columns)).Append('\n');
        RunFiles.WriteAllText(path, text.ToString());
    }

    /// <summary>Where the rows go.</summary>
    public string Path { get; }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Appends one row; <paramref name="values"/> has one entry per column (a number, a word, or null: empty field).</summary>
    public void Append(IReadOnlyList<object?> values)
    {
        if (values.Count != Columns.Count)
            throw new ArgumentException($"metrics row has {values.Count} values for {Columns.Count} columns ({string.Join(',', Columns)})", nameof(values));
        // format first: a bad field throws before the file (or the rows kept for it) changes
        string row = string.Join(',', values.Select(Format));
        int before = text.Length;
        text.Append(row).Append('\n');
        try
        {
            RunFiles.WriteAllText(Path, text.ToString());
        }
        catch
        {
            text.Length = before; // the file still holds the rows before this one
            throw;
        }
    }

    /// <summary>One field: round-trip number, NaN/inf spelt out, a word as is, empty when missing.</summary>
    public static string Format(object? v) => v switch
    {
        null => "",
        double d when double.IsNaN(d) => "nan",
        double d when double.IsPositiveInfinity(d) => "inf",
        double d when double.IsNegativeInfinity(d) => "-inf",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string w when w.IndexOfAny([',', '"', '\n']) < 0 => w,
        _ => throw new ArgumentException($"metrics field '{v}' is not a number or a plain word"),
    };

    /// <inheritdoc/>
    public void Dispose() { } // every row is already on disk
}

/// <summary>
/// Writes a <see cref="Trainer"/>'s epochs to <c>metrics.csv</c>: epoch, train_loss, val_loss, lr, seconds, then
/// every train_/val_ metric the first epoch reports, then the <paramref name="extra"/> columns (e.g. a validation
/// computed by another callback, which must run before this one).
/// </summary>
internal sealed class EpochMetricsCsv(string path, params (string Name, Func<EpochMetrics, double?> Value)[] extra) : TrainingCallback, IDisposable
{
    private MetricsLog? log;
    private string[] trainNames = [];
    private string[] valNames = [];

    /// <summary>The CSV file.</summary>
    public string Path => path;

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        if (!context.WritesFiles) return; // data-parallel: rank 0 alone writes
        if (log is null)
        {
            trainNames = metrics.TrainMetrics.Keys.Order(StringComparer.Ordinal).ToArray();
            valNames = metrics.ValidationMetrics.Keys.Order(StringComparer.Ordinal).ToArray();
            var columns = new List<string> { "epoch", "train_loss", "val_loss", "lr", "seconds" };
            columns.AddRange(trainNames.Select(n => "train_" + n));
            columns.AddRange(valNames.Select(n => "val_" + n));
            columns.AddRange(extra.Select(e => e.Name));
            log = new MetricsLog(path, columns);
        }
        var row = new List<object?> { metrics.Epoch, metrics.TrainLoss, metrics.ValidationLoss, metrics.LearningRate, metrics.Elapsed.TotalSeconds };
        row.AddRange(trainNames.Select(n => metrics.TrainMetrics.TryGetValue(n, out var v) ? (object?)v : null));
        row.AddRange(valNames.Select(n => metrics.ValidationMetrics.TryGetValue(n, out var v) ? (object?)v : null));
        row.AddRange(extra.Select(e => (object?)e.Value(metrics)));
        log.Append(row);
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(TrainingContext context) => Dispose();

    /// <inheritdoc/>
    public void Dispose()
    {
        log?.Dispose();
    }
}
