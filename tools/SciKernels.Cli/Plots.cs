using ScottPlot;

namespace SciKernels.Cli;

/// <summary>PNG figures of training runs (ScottPlot).</summary>
internal static class Plots
{
    /// <summary>Training and validation loss per epoch on a log axis.</summary>
    public static void LossCurves(string path, IReadOnlyList<double> train, IReadOnlyList<double> validation, string title)
    {
        var plt = new Plot();
        var epochs = Enumerable.Range(1, train.Count).Select(i => (double)i).ToArray();
        var t = plt.Add.Scatter(epochs, train.Select(Log10).ToArray());
        t.LegendText = "train";
        if (validation.Count == train.Count)
        {
            var v = plt.Add.Scatter(epochs, validation.Select(Log10).ToArray());
            v.LegendText = "test";
        }
        plt.Title(title);
        plt.XLabel("epoch");
        plt.YLabel("log10 relative L2");
        plt.ShowLegend();
        Save(plt, path, 800, 500);
    }

    /// <summary>
    /// For a few test samples: the input on the left, truth and prediction on the right (separate
    /// axes: with ν = 0.1 the solution at t = 1 is much smaller than the initial condition).
    /// </summary>
    public static void Predictions1d(string path, IReadOnlyList<(double[] Input, double[] Truth, double[] Prediction)> samples, string title)
    {
        var multi = new Multiplot();
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: samples.Count, columns: 2);
        multi.AddPlots(2 * samples.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            var (input, truth, prediction) = samples[i];
            var x = Enumerable.Range(0, truth.Length).Select(j => (double)j / truth.Length).ToArray();
            var left = multi.GetPlot(2 * i);
            var a = left.Add.Scatter(x, input);
            a.MarkerSize = 0;
            left.Title($"test sample {i}: input u0");
            var right = multi.GetPlot(2 * i + 1);
            var t = right.Add.Scatter(x, truth);
            t.LegendText = "solver";
            t.MarkerSize = 0;
            t.LineWidth = 3;
            var p = right.Add.Scatter(x, prediction);
            p.LegendText = "FNO";
            p.MarkerSize = 0;
            p.LinePattern = LinePattern.Dashed;
            p.LineWidth = 2;
            right.Title(i == 0 ? title : $"test sample {i}: u(·, 1)");
            right.ShowLegend();
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        multi.SavePng(path, 1200, 300 * samples.Count);
    }

    private static double Log10(double v) => Math.Log10(Math.Max(v, 1e-12));

    private static void Save(Plot plt, string path, int w, int h)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plt.SavePng(path, w, h);
    }
}
