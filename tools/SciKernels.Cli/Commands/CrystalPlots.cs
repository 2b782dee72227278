using ScottPlot;

namespace SciKernels.Cli;

/// <summary>Generated crystals drawn as projected 3-D scatter plots with their cell.</summary>
internal static class CrystalPlots
{
    /// <summary>
    /// One panel per crystal: the 12 cell edges and the atoms (Cartesian, wrapped into the cell) projected on an
    /// oblique plane, coloured by element (the palette's order of the model's species), far atoms first.
    /// </summary>
    public static void Structures(string path, IReadOnlyList<(double[] Positions, int[] Numbers, double[] Cell, string Title)> crystals)
    {
        double a = Math.PI / 6, b = 25 * Math.PI / 180;
        (double X, double Y, double Depth) Project(double x, double y, double z)
        {
            double x1 = Math.Cos(a) * x - Math.Sin(a) * y, y1 = Math.Sin(a) * x + Math.Cos(a) * y;
            return (x1, Math.Cos(b) * z - Math.Sin(b) * y1, Math.Sin(b) * z + Math.Cos(b) * y1);
        }
        var species = crystals.SelectMany(c => c.Numbers).Distinct().Order().ToList();
        Color[] palette = [Colors.Chocolate, Colors.Gold, Colors.Silver, Colors.SteelBlue, Colors.SeaGreen];
        var multi = new Multiplot();
        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 1, columns: crystals.Count);
        multi.AddPlots(crystals.Count);
        for (int k = 0; k < crystals.Count; k++)
        {
            var (p, z, cell, title) = crystals[k];
            var plt = multi.GetPlot(k);
            (double, double, double) Corner(int i, int j, int l) =>
                (i * cell[0] + j * cell[3] + l * cell[6], i * cell[1] + j * cell[4] + l * cell[7], i * cell[2] + j * cell[5] + l * cell[8]);
            for (int c = 0; c < 8; c++)
                for (int axis = 0; axis < 3; axis++)
                {
                    if ((c >> axis & 1) == 1) continue;
                    int d = c | 1 << axis;
                    var (x0, y0, z0) = Corner(c & 1, c >> 1 & 1, c >> 2 & 1);
                    var (x1, y1, z1) = Corner(d & 1, d >> 1 & 1, d >> 2 & 1);
                    var p0 = Project(x0, y0, z0);
                    var p1 = Project(x1, y1, z1);
                    var edge = plt.Add.Line(p0.X, p0.Y, p1.X, p1.Y);
                    edge.Color = Colors.Gray.WithAlpha(0.8);
                    edge.LineWidth = 1;
                }
            var q = Enumerable.Range(0, z.Length).Select(i => (P: Project(p[3 * i], p[3 * i + 1], p[3 * i + 2]), Z: z[i])).OrderBy(v => v.P.Depth).ToArray();
            double dmin = q.Length > 0 ? q.Min(v => v.P.Depth) : 0, dmax = (q.Length > 0 ? q.Max(v => v.P.Depth) : 0) + 1e-9;
            foreach (var (v, zz) in q)
            {
                double f = (v.Depth - dmin) / (dmax - dmin);
                var color = palette[species.IndexOf(zz) % palette.Length].MixedWith(Colors.White, 0.35 * f);
                plt.Add.Marker(v.X, v.Y, MarkerShape.FilledCircle, (float)(12 + 8 * f), color);
            }
            plt.Title(title, 11);
            plt.Axes.SquareUnits();
            plt.HideGrid();
        }
        RunFiles.SavePng(multi, path, 360 * crystals.Count, 380);
    }
}
