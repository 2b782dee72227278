using ScottPlot;
using SciKernels.IO;

namespace SciKernels.Cli;

/// <summary>
/// Files of a training run's output folder (results.json, metrics.csv, plots), each written through
/// <see cref="AtomicFile"/>: a temporary file next to it, flushed, then renamed over it. A reader, a crash or a
/// write that fails part-way sees the complete previous file or the complete new one, never a torn one.
/// </summary>
internal static class RunFiles
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="text"/> (UTF-8), creating its folder.</summary>
    public static void WriteAllText(string path, string text) => Write(path, s => s.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));

    /// <summary>Replaces <paramref name="path"/> with what <paramref name="writeContent"/> writes, creating its folder; if it throws, the old file stays.</summary>
    public static void Write(string path, Action<Stream> writeContent)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, writeContent);
    }

    /// <summary>Renders <paramref name="plot"/> as a PNG into <paramref name="path"/>.</summary>
    public static void SavePng(Plot plot, string path, int width, int height)
    {
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        Write(path, s => s.Write(png));
    }

    /// <summary>Renders <paramref name="multiplot"/> as a PNG into <paramref name="path"/>.</summary>
    public static void SavePng(Multiplot multiplot, string path, int width, int height)
    {
        // ScottPlot renders a multiplot only to a file: render to a private temp file, then replace the target atomically.
        string scratch = Path.Combine(Path.GetTempPath(), $"scikernels-plot-{Guid.NewGuid():N}.png");
        try
        {
            multiplot.SavePng(scratch, width, height);
            byte[] png = File.ReadAllBytes(scratch);
            Write(path, s => s.Write(png));
        }
        finally
        {
            File.Delete(scratch);
        }
    }
}
