using ScottPlot;

namespace SciKernels.Cli;

/// <summary>PNG figures of the diffusion commands: energy histograms and generated structures.</summary>
internal static class DiffusionPlots
{
    /// <summary>
    /// Two panels of normalised histograms (step lines), samples against reference data: the raw energies,
    /// with every energy ≥ 0 ε (a clash or an unbound atom) counted in the last bin, and the energies after
    /// the FIRE relaxation (the icosahedron at −44.33 ε, defect minima above it).
    /// </summary>
    public static void EnergyHistogram(string path, double[] samples, double[] reference, double[] relaxedSamples, double[] relaxedReference, string title)
    {
        var multi = new Multiplot();
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 1, columns: 2);
        multi.AddPlots(2);
        double lo = Math.Min(reference.Min(), -45);
        int positive = samples.Count(e => !(e < 0));
        Panel(multi.GetPlot(0), lo, 0, 45, [("reference data", reference), ($"samples ({positive} at ≥ 0 ε, in the last bin)", samples)],
            "raw energy (ε)", title);
        Panel(multi.GetPlot(1), -44.6, -38, 52, [("reference data", relaxedReference), ("samples", relaxedSamples)],
            "energy after FIRE (ε)", "after relaxation (−44.33: icosahedron)");
        RunFiles.SavePng(multi, path, 1500, 480);
    }

    private static void Panel(Plot plt, double lo, double hi, int bins, (string Name, double[] Values)[] series, string xLabel, string title)
    {
        double width = (hi - lo) / bins;
        foreach (var (name, raw) in series)
        {
            var values = raw.Where(double.IsFinite).ToArray();
            var counts = new double[bins];
            // Out-of-range values go to the end bins, so every structure is counted.
            foreach (var e in values) counts[Math.Clamp((int)((e - lo) / width), 0, bins - 1)]++;
            var xs = new List<double>();
            var ys = new List<double>();
            for (int b = 0; b < bins; b++)
            {
                double density = counts[b] / (Math.Max(1, values.Length) * width);
                xs.Add(lo + b * width); ys.Add(density);
                xs.Add(lo + (b + 1) * width); ys.Add(density);
            }
            var line = plt.Add.Scatter(xs.ToArray(), ys.ToArray());
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = name;
        }
        plt.Title(title, 12);
        plt.XLabel(xLabel);
        plt.YLabel("density");
        plt.ShowLegend(Alignment.UpperCenter);
    }

    /// <summary>The training loss against the step, on a log axis.</summary>
    public static void LossCurve(string path, double[] steps, double[] loss, string title)
    {
        var plt = new Plot();
        var line = plt.Add.Scatter(steps, loss.Select(Math.Log10).ToArray());
        line.LegendText = "ε-prediction MSE (mean over 250 steps)";
        line.MarkerSize = 3;
        plt.Title(title);
        plt.XLabel("training step");
        plt.YLabel("log10 MSE");
        plt.ShowLegend(Alignment.UpperRight);
        RunFiles.SavePng(plt, path, 1000, 450);
    }

    /// <summary>
    /// A few structures [n·3], one panel each, projected on a fixed oblique plane: atoms as circles shaded by
    /// depth, bonds between atoms closer than 1.35 σ.
    /// </summary>
    public static void Structures(string path, IReadOnlyList<(double[] Positions, string Title)> structures)
    {
        // An oblique view: rotate by 30° about z, then 25° about x, and drop the depth axis.
        double a = Math.PI / 6, b = 25 * Math.PI / 180;
        (double X, double Y, double Depth) Project(double x, double y, double z)
        {
            double x1 = Math.Cos(a) * x - Math.Sin(a) * y, y1 = Math.Sin(a) * x + Math.Cos(a) * y;
            return (x1, Math.Cos(b) * z - Math.Sin(b) * y1, Math.Sin(b) * z + Math.Cos(b) * y1);
        }
        var multi = new Multiplot();
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 1, columns: structures.Count);
        multi.AddPlots(structures.Count);
        for (int k = 0; k < structures.Count; k++)
        {
            var (p, title) = structures[k];
            var plt = multi.GetPlot(k);
            int n = p.Length / 3;
            var q = Enumerable.Range(0, n).Select(i => Project(p[3 * i], p[3 * i + 1], p[3 * i + 2])).ToArray();
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                {
                    double dx = p[3 * i] - p[3 * j], dy = p[3 * i + 1] - p[3 * j + 1], dz = p[3 * i + 2] - p[3 * j + 2];
                    if (dx * dx + dy * dy + dz * dz > 1.35 * 1.35) continue;
                    var bond = plt.Add.Line(q[i].X, q[i].Y, q[j].X, q[j].Y);
                    bond.Color = Colors.Gray.WithAlpha(0.7);
                    bond.LineWidth = 1.5f;
                }
            // Far atoms first, so near ones are drawn over them.
            double dmin = q.Min(v => v.Depth), dmax = q.Max(v => v.Depth) + 1e-9;
            foreach (var v in q.OrderBy(v => v.Depth))
            {
                double f = (v.Depth - dmin) / (dmax - dmin);
                var color = Colors.Navy.MixedWith(Colors.LightSkyBlue, f);
                plt.Add.Marker(v.X, v.Y, MarkerShape.FilledCircle, (float)(14 + 10 * f), color);
            }
            plt.Title(title, 11);
            plt.Axes.SquareUnits();
            plt.HideGrid();
        }
        RunFiles.SavePng(multi, path, 360 * structures.Count, 380);
    }
}
