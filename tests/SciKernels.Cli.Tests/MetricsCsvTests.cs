using System.Globalization;
using System.Text.Json;
using Xunit;

namespace SciKernels.Cli.Tests;

/// <summary>Every train command writes metrics.csv next to results.json, one row per epoch (or PINN log point).</summary>
public sealed class MetricsCsvTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "scikernels-metrics-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static void Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLine.Run(args, stdout, stderr);
        Assert.True(code == 0, $"exit {code}: {stderr}");
    }

    private static (string[] Header, List<Dictionary<string, string>> Rows) ReadCsv(string dir)
    {
        var lines = File.ReadAllLines(Path.Combine(dir, "metrics.csv"));
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l =>
        {
            var fields = l.Split(',');
            Assert.Equal(header.Length, fields.Length);
            return header.Zip(fields).ToDictionary(p => p.First, p => p.Second);
        }).ToList();
        return (header, rows);
    }

    private static JsonElement Results(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json"))).RootElement;

    private static double Number(string field) => double.Parse(field, CultureInfo.InvariantCulture);

    [Fact]
    public void EgnnWritesOneRowPerEpochWithTheValidationMse()
    {
        string dir = Path.Combine(root, "egnn");
        Run("train", "egnn", "--problem", "nbody", "--ntrain", "20", "--nval", "10", "--ntest", "10", "--epochs", "3", "--hidden", "8",
            "--layers", "2", "--batch", "10", "--val-every", "2", "--out", dir, "--data-dir", Path.Combine(root, "data"), "--json");
        var (header, rows) = ReadCsv(dir);
        Assert.Equal(["epoch", "train_loss", "val_loss", "lr", "seconds"], header.Take(5));
        Assert.Equal("val_mse", header[^1]);
        var r = Results(dir);
        Assert.Equal(Path.Combine(dir, "metrics.csv"), r.GetProperty("metrics").GetString());
        var curve = r.GetProperty("train_mse_curve").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(curve, rows.Select(row => Number(row["train_loss"])).ToArray()); // round-trip formatting: bit for bit
        Assert.Equal(["1", "2", "3"], rows.Select(row => row["epoch"]));
        // Validation every 2 epochs and at the last: epochs 2 and 3 have a val_mse, epoch 1 an empty field.
        var val = r.GetProperty("val_curve").EnumerateArray().ToDictionary(e => e[0].GetDouble().ToString(CultureInfo.InvariantCulture), e => e[1].GetDouble());
        Assert.Equal("", rows[0]["val_mse"]);
        Assert.Equal(val["2"], Number(rows[1]["val_mse"]));
        Assert.Equal(val["3"], Number(rows[2]["val_mse"]));
    }

    [Fact]
    public void FnoWritesOneRowPerEpochWithTheTestLoss()
    {
        string dir = Path.Combine(root, "fno");
        Run("train", "fno", "--problem", "burgers", "--resolution", "16", "--ntrain", "4", "--ntest", "2", "--epochs", "2", "--width", "4",
            "--modes", "4", "--batch", "2", "--out", dir, "--data-dir", Path.Combine(root, "data"), "--json");
        var (_, rows) = ReadCsv(dir);
        Assert.Equal(2, rows.Count);
        Assert.Equal(Results(dir).GetProperty("final_train_loss").GetDouble(), Number(rows[^1]["train_loss"]));
        Assert.All(rows, row => Assert.True(Number(row["val_loss"]) > 0 && Number(row["lr"]) > 0));
    }

    [Fact]
    public void PinnWritesOneRowPerLogPointWithTheTermLosses()
    {
        string dir = Path.Combine(root, "pinn");
        Run("train", "pinn", "--problem", "burgers-inverse", "--adam-steps", "20", "--lbfgs-steps", "0", "--data-points", "30",
            "--log-every", "10", "--out", dir, "--json");
        var (header, rows) = ReadCsv(dir);
        Assert.Equal(["phase", "step", "loss", "seconds"], header.Take(4));
        Assert.Contains(header, h => h.StartsWith("loss_", StringComparison.Ordinal));
        Assert.Contains(header, h => h.StartsWith("coef_", StringComparison.Ordinal));
        var history = Results(dir).GetProperty("history").EnumerateArray().ToArray();
        Assert.Equal(history.Length, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(history[i].GetProperty("Loss").GetDouble(), Number(rows[i]["loss"]));
            Assert.Equal(history[i].GetProperty("Step").GetInt64(), long.Parse(rows[i]["step"], CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(0.1, "0.1")]
    [InlineData(null, "")]
    public void FieldsRoundTrip(double? value, string expected)
    {
        Assert.Equal(expected, MetricsLog.Format(value));
        if (value is double v && double.IsFinite(v)) Assert.Equal(v, double.Parse(MetricsLog.Format(v), CultureInfo.InvariantCulture));
    }
}
