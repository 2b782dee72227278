using System.Diagnostics;
using SciKernels.Data;
using SciKernels.Graphs;

namespace SciKernels.Cli;

/// <summary><c>scikernels neighbors</c>: the neighbour list of an extended-XYZ frame as CSV, for comparison with ASE.</summary>
internal sealed class NeighborsCommand : ICommand
{
    public string[] Path => ["neighbors"];

    public string Summary => "neighbour list of an extended-XYZ frame as CSV (like ASE's neighbor_list)";

    public string Usage => """
        usage: scikernels neighbors FILE.extxyz --cutoff R --out PAIRS.csv [--frame 0] [--max-neighbors K]
          Reads frame N (default 0) of an extended-XYZ file (ASE's Lattice="…" pbc="…" header) and writes
          one row per directed pair, sorted by i, then j, then shift: i,j,sx,sy,sz,d — 0-based indices,
          the integer image shift S and the distance |pos[j] − pos[i] + S·cell| < R at full precision.
          Same pairs as ASE's neighbor_list('ijSd', atoms, R). --max-neighbors keeps the K nearest per i.
        """;

    public int Run(Options o, TextWriter stdout, TextWriter stderr)
    {
        if (o.Positional.Count != 1) throw new OptionException($"expected one input file, got {o.Positional.Count}");
        var input = o.Positional[0];
        var cutoffText = o.String("cutoff") ?? throw new OptionException("--cutoff R is required");
        if (!double.TryParse(cutoffText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var cutoff)
            || !double.IsFinite(cutoff) || cutoff <= 0)
            throw new OptionException($"--cutoff must be a positive number, got '{cutoffText}'");
        var output = o.String("out") ?? throw new OptionException("--out PAIRS.csv is required");
        int frameIndex = o.Int("frame", 0, 0);
        int maxNeighbors = o.Int("max-neighbors", 0, 0);
        try
        {
            var frame = ExtendedXyz.ReadFrame(input, frameIndex);
            var clock = Stopwatch.StartNew();
            var pairs = NeighborList.Search(frame.Positions, frame.Cell, frame.Pbc, cutoff, maxNeighbors); // no cell: an empty span
            var seconds = clock.Elapsed.TotalSeconds;
            NeighborListCsv.Write(output, pairs);
            stdout.WriteLine($"{frame.NumAtoms} atoms, {pairs.Count} directed pairs within {cutoff:R} ({seconds * 1e3:F1} ms) -> {output}");
            return 0;
        }
        catch (Exception e) when (e is FormatException or TensorException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"scikernels neighbors: {e.Message}");
            return 1;
        }
    }
}
