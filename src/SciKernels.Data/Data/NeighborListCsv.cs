using System.Globalization;
using System.Text;
using SciKernels.Graphs;
using SciKernels.IO;

namespace SciKernels.Data;

/// <summary>Writes a neighbour list as CSV for comparison with ASE: <c>i,j,sx,sy,sz,d</c>, one row per directed pair.</summary>
public static class NeighborListCsv
{
    /// <summary>The header row.</summary>
    public const string Header = "i,j,sx,sy,sz,d";

    /// <summary>
    /// Writes <paramref name="pairs"/> to <paramref name="path"/> atomically: 0-based indices, the
    /// integer image shift and the distance in round-trip ("R") precision, in the list's order.
    /// </summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="pairs">The neighbour list.</param>
    public static void Write(string path, NeighborPairs pairs)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(pairs);
        var inv = CultureInfo.InvariantCulture;
        SafeTensorsFile.WriteAtomic(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            w.WriteLine(Header);
            var s = pairs.Shifts;
            for (int k = 0; k < pairs.Count; k++)
            {
                w.Write(pairs.First[k].ToString(inv)); w.Write(',');
                w.Write(pairs.Second[k].ToString(inv)); w.Write(',');
                w.Write(s[3 * k].ToString(inv)); w.Write(',');
                w.Write(s[3 * k + 1].ToString(inv)); w.Write(',');
                w.Write(s[3 * k + 2].ToString(inv)); w.Write(',');
                w.WriteLine(pairs.Distances[k].ToString("R", inv));
            }
        });
    }
}
