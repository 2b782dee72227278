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
        plt.YLabel("relative L2 (log scale)");
        LogAxis(plt);
        plt.ShowLegend(Edge.Right); // outside the data area: the legend never hides a curve
        Save(plt, path, 900, 500);
    }

    /// <summary>Several named per-epoch curves on a log10 axis.</summary>
    public static void LossCurves(string path, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, string title, string yLabel)
    {
        var plt = new Plot();
        foreach (var (name, values) in series)
        {
            var epochs = Enumerable.Range(1, values.Count).Select(i => (double)i).ToArray();
            var line = plt.Add.Scatter(epochs, values.Select(Log10).ToArray());
            line.LegendText = name;
        }
        plt.Title(title);
        plt.XLabel("epoch");
        plt.YLabel(LogLabel(yLabel));
        LogAxis(plt);
        plt.ShowLegend(Edge.Right);
        Save(plt, path, 1000, 500);
    }

    /// <summary>Named curves with their own x values (e.g. a validation every few epochs) on a log10 axis.</summary>
    public static void LossCurves(string path, IReadOnlyList<(string Name, double[] Epochs, double[] Values)> series, string title, string yLabel)
    {
        var plt = new Plot();
        foreach (var (name, epochs, values) in series)
        {
            var line = plt.Add.Scatter(epochs, values.Select(Log10).ToArray());
            line.LegendText = name;
            line.MarkerSize = epochs.Length > 200 ? 0 : 4;
        }
        plt.Title(title);
        plt.XLabel("epoch");
        plt.YLabel(LogLabel(yLabel));
        LogAxis(plt);
        plt.ShowLegend(Edge.Right);
        Save(plt, path, 1000, 500);
    }

    /// <summary>One N-body system: positions at the input frame, true and predicted later positions, [5·3] each, and the charges [5].</summary>
    public sealed record NBodySystem(double[] Start, double[] Truth, double[] Prediction, double[] Charges);

    /// <summary>
    /// A few N-body systems projected on the x–y plane, one panel each: every particle's input position
    /// (circle; red +1, blue −1), a line to its true later position (filled square) and a dashed line
    /// to the predicted one (cross).
    /// </summary>
    public static void NBodyPredictions(string path, IReadOnlyList<NBodySystem> systems, string model)
    {
        var multi = new Multiplot();
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 1, columns: systems.Count);
        multi.AddPlots(systems.Count);
        for (int k = 0; k < systems.Count; k++)
        {
            var sys = systems[k];
            var plt = multi.GetPlot(k);
            for (int i = 0; i < sys.Charges.Length; i++)
            {
                var color = sys.Charges[i] > 0 ? Colors.Red : Colors.Blue;
                Coordinates start = new(sys.Start[3 * i], sys.Start[3 * i + 1]);
                Coordinates truth = new(sys.Truth[3 * i], sys.Truth[3 * i + 1]);
                Coordinates pred = new(sys.Prediction[3 * i], sys.Prediction[3 * i + 1]);
                var t = plt.Add.Line(start, truth);
                t.Color = color;
                t.LineWidth = 2;
                var p = plt.Add.Line(start, pred);
                p.Color = color.WithAlpha(0.6);
                p.LinePattern = LinePattern.Dashed;
                var m0 = plt.Add.Marker(start, MarkerShape.OpenCircle, 9, color);
                var m1 = plt.Add.Marker(truth, MarkerShape.FilledSquare, 8, color);
                var m2 = plt.Add.Marker(pred, MarkerShape.Cross, 12, Colors.Black);
                if (k == systems.Count - 1 && i == 0)
                {
                    m0.LegendText = "input position";
                    m1.LegendText = "true, 1000 steps later";
                    m2.LegendText = $"{model} prediction";
                }
            }
            plt.Title($"test system {k} (x–y)");
            plt.XLabel("x");
            plt.YLabel("y");
            plt.Axes.SquareUnits();
            if (k == systems.Count - 1) plt.ShowLegend(Edge.Right);
        }
        RunFiles.SavePng(multi, path, 450 * systems.Count + 200, 480);
    }

    /// <summary>
    /// For a few test samples: the input on the left, truth and prediction in the middle (separate
    /// axes: with ν = 0.1 the solution at t = 1 is much smaller than the initial condition), and the
    /// pointwise error prediction − truth on the right.
    /// </summary>
    public static void Predictions1d(string path, IReadOnlyList<(double[] Input, double[] Truth, double[] Prediction)> samples, string title)
    {
        var multi = new Multiplot();
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: samples.Count, columns: 3);
        multi.AddPlots(3 * samples.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            var (input, truth, prediction) = samples[i];
            var x = Enumerable.Range(0, truth.Length).Select(j => (double)j / truth.Length).ToArray();
            var left = multi.GetPlot(3 * i);
            var a = left.Add.Scatter(x, input);
            a.MarkerSize = 0;
            left.Title($"test sample {i}: input u0");
            left.XLabel("x");
            left.YLabel("u0(x)");
            var middle = multi.GetPlot(3 * i + 1);
            var t = middle.Add.Scatter(x, truth);
            t.LegendText = "solver";
            t.MarkerSize = 0;
            t.LineWidth = 3;
            var p = middle.Add.Scatter(x, prediction);
            p.LegendText = "FNO";
            p.MarkerSize = 0;
            p.LinePattern = LinePattern.Dashed;
            p.LineWidth = 2;
            middle.Title(i == 0 ? title : $"test sample {i}: u(·, 1)");
            middle.XLabel("x");
            middle.YLabel("u(x, 1)");
            middle.ShowLegend(Edge.Right);
            var right = multi.GetPlot(3 * i + 2);
            var e = right.Add.Scatter(x, prediction.Select((v, j) => v - truth[j]).ToArray());
            e.MarkerSize = 0;
            e.Color = Colors.Red;
            right.Add.HorizontalLine(0, 1, Colors.Gray);
            right.Title($"error FNO − solver (max {prediction.Select((v, j) => Math.Abs(v - truth[j])).Max():E1})");
            right.XLabel("x");
            right.YLabel("error");
        }
        RunFiles.SavePng(multi, path, 1700, 300 * samples.Count);
    }

    /// <summary>
    /// One 2-D test sample as four heatmaps side by side: the input, the solver's solution, the
    /// prediction and the absolute error |prediction − truth|, each with its own colour bar.
    /// </summary>
    /// <param name="path">PNG file.</param>
    /// <param name="input">Input field [n, n] row-major (row = y).</param>
    /// <param name="truth">Reference solution [n, n].</param>
    /// <param name="prediction">Predicted solution [n, n].</param>
    /// <param name="n">Points per side.</param>
    /// <param name="title">Title of the prediction panel.</param>
    public static void Predictions2d(string path, double[] input, double[] truth, double[] prediction, int n, string title)
    {
        var error = truth.Select((t, i) => Math.Abs(prediction[i] - t)).ToArray();
        var panels = new (double[] Field, string Title)[]
        {
            (input, "input a"), (truth, "solver u"), (prediction, title), (error, "|prediction − solver|"),
        };
        var multi = new Multiplot();
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 1, columns: panels.Length);
        multi.AddPlots(panels.Length);
        for (int k = 0; k < panels.Length; k++)
        {
            var grid = new double[n, n];
            // heatmap row 0 is drawn at the top: put y = 1 there
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) grid[n - 1 - i, j] = panels[k].Field[i * n + j];
            var plt = multi.GetPlot(k);
            var hm = plt.Add.Heatmap(grid);
            hm.Colormap = new ScottPlot.Colormaps.Viridis();
            hm.Extent = new CoordinateRect(0, 1, 0, 1);
            plt.Add.ColorBar(hm);
            plt.Title(panels[k].Title, size: k == 2 ? 11 : 14);
            plt.XLabel("x");
            plt.YLabel("y");
            plt.Axes.Margins(0, 0);
            plt.Axes.SquareUnits();
        }
        RunFiles.SavePng(multi, path, 1800, 450);
    }

    /// <summary>
    /// A field on a tensor grid as a heatmap with a colour bar. <paramref name="values"/> is indexed
    /// [row, column] with row 0 at the top (largest vertical coordinate).
    /// </summary>
    public static void Heatmap(string path, double[,] values, (double Left, double Right, double Bottom, double Top) extent,
        string title, string xLabel, string yLabel, bool symmetric = false)
    {
        var plt = new Plot();
        var hm = plt.Add.Heatmap(values);
        hm.Rectangle = new CoordinateRect(extent.Left, extent.Right, extent.Bottom, extent.Top);
        hm.Colormap = symmetric ? new ScottPlot.Colormaps.Balance() : new ScottPlot.Colormaps.Turbo();
        if (symmetric)
        {
            double m = 0;
            foreach (var v in values) m = Math.Max(m, Math.Abs(v));
            hm.ManualRange = new ScottPlot.Range(-m, m);
        }
        plt.Add.ColorBar(hm);
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        plt.Axes.SetLimits(extent.Left, extent.Right, extent.Bottom, extent.Top);
        bool square = Math.Abs((extent.Right - extent.Left) - (extent.Top - extent.Bottom)) < 1e-12 * Math.Abs(extent.Right - extent.Left);
        if (square) plt.Axes.SquareUnits(); // a square domain (Poisson on [0,1]²) drawn square
        Save(plt, path, square ? 600 : 900, 450);
    }

    /// <summary>Loss curves of a PINN run (total and per term) against evaluation count, log scale.</summary>
    public static void PinnLossCurves(string path, IReadOnlyList<double> step, IReadOnlyDictionary<string, double[]> series, double? phaseBoundary, string title)
    {
        var plt = new Plot();
        var xs = step.ToArray();
        foreach (var (name, ys) in series)
        {
            var sc = plt.Add.Scatter(xs, ys.Select(Log10).ToArray());
            sc.LegendText = name;
            sc.MarkerSize = 0;
            sc.LineWidth = 2;
        }
        if (phaseBoundary is { } b)
        {
            var line = plt.Add.VerticalLine(b);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "Adam → L-BFGS";
        }
        plt.Title(title);
        plt.XLabel("step (Adam steps, then L-BFGS iterations)");
        plt.YLabel("loss (log scale)");
        LogAxis(plt);
        plt.ShowLegend(Edge.Right);
        Save(plt, path, 1000, 500);
    }

    private static double Log10(double v) => Math.Log10(Math.Max(v, 1e-12));

    /// <summary>"log10 loss" → "loss (log scale)": the axis itself shows the decades.</summary>
    private static string LogLabel(string label) =>
        (label.StartsWith("log10 ", StringComparison.Ordinal) ? label["log10 ".Length..] : label) + " (log scale)";

    /// <summary>
    /// A log axis for values plotted as log10: over a decade or more, ticks at whole decades labelled 10^k (as
    /// 1e-3) with minor ticks at 2…9 × 10^k; over less than a decade, automatic ticks labelled with the values
    /// they stand for. Either way the labels are values, not exponents.
    /// </summary>
    private static void LogAxis(Plot plt)
    {
        var limits = plt.Axes.GetDataLimits();
        bool decades = limits.Top - limits.Bottom >= 1;
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = decades,
            LabelFormatter = decades ? y => $"1e{Math.Round(y):0}" : y => Math.Pow(10, y).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (decades) ticks.MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator();
        plt.Axes.Left.TickGenerator = ticks;
    }

    /// <summary>
    /// A parity plot: predicted against reference values, one marker each, with the line y = x and the
    /// mean absolute error in the title.
    /// </summary>
    public static void Parity(string path, double[] reference, double[] predicted, string title, string unit)
    {
        var plt = new Plot();
        double lo = Math.Min(reference.DefaultIfEmpty(0).Min(), predicted.DefaultIfEmpty(0).Min());
        double hi = Math.Max(reference.DefaultIfEmpty(1).Max(), predicted.DefaultIfEmpty(1).Max());
        if (!(hi > lo)) hi = lo + 1;
        var diagonal = plt.Add.Line(lo, lo, hi, hi);
        diagonal.LineColor = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dashed;
        var points = plt.Add.Scatter(reference, predicted);
        points.LineWidth = 0;
        points.MarkerSize = reference.Length > 2000 ? 2 : 4;
        plt.Title(title);
        plt.XLabel($"reference ({unit})");
        plt.YLabel($"predicted ({unit})");
        Save(plt, path, 700, 650);
    }

    private static void Save(Plot plt, string path, int w, int h)
    {
        RunFiles.SavePng(plt, path, w, h);
    }
}
