using ScottPlot;

namespace SciKernels.Cli;

/// <summary>PNG figures of the diffusion commands: energy histograms and generated structures.</summary>
internal static class DiffusionPlots
{
    /// <summary>
    /// Normalised histograms (as step lines) of sample and reference energies over the reference's range
    /// widened by half of it; samples outside are counted in the legend.
    /// </summary>
    public static void EnergyHistogram(string path, double[] samples, double[] reference, string title)
    {
        double lo = reference.Min(), hi = reference.Max(), pad = 0.5 * (hi - lo) + 1e-9;
        lo -= pad;
        hi += pad;
        const int bins = 40;
        double width = (hi - lo) / bins;
        var plt = new Plot();
        int outside = samples.Count(e => !(e >= lo && e < hi));
        foreach (var (name, values) in new[] { ("reference data", reference), ($"samples ({outside} outside the axis)", samples) })
        {
            var counts = new double[bins];
            foreach (var e in values)
                if (e >= lo && e < hi) counts[(int)((e - lo) / width)]++;
            var xs = new List<double>();
            var ys = new List<double>();
            for (int b = 0; b < bins; b++)
            {
                double density = counts[b] / (values.Length * width);
                xs.Add(lo + b * width); ys.Add(density);
                xs.Add(lo + (b + 1) * width); ys.Add(density);
            }
            var line = plt.Add.Scatter(xs.ToArray(), ys.ToArray());
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = name;
        }
        plt.Title(title);
        plt.XLabel("LJ energy (ε)");
        plt.YLabel("density");
        plt.ShowLegend(Edge.Right);
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
