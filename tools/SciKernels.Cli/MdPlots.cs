using ScottPlot;

namespace SciKernels.Cli;

/// <summary>PNG figures of molecular-dynamics runs (ScottPlot).</summary>
internal static class MdPlots
{
    /// <summary>g(r) curves, one per potential, on one axis.</summary>
    public static void RadialDistribution(string path, IReadOnlyList<(string Name, double[] R, double[] G)> series, string title)
    {
        var plt = new Plot();
        for (int k = 0; k < series.Count; k++)
        {
            var (name, r, g) = series[k];
            var line = plt.Add.Scatter(r, g);
            line.LegendText = name;
            line.MarkerSize = 0;
            line.LineWidth = 2;
            if (k > 0) line.LinePattern = LinePattern.Dashed; // identical curves stay visible on top of each other
        }
        plt.Title(title);
        plt.XLabel("r (Å)");
        plt.YLabel("g(r)");
        plt.ShowLegend(Edge.Right);
        RunFiles.SavePng(plt, path, 900, 500);
    }
}
