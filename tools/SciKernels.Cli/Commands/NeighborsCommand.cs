using System.CommandLine;
using System.Diagnostics;
using SciKernels.Data;
using SciKernels.Graphs;

namespace SciKernels.Cli;

/// <summary><c>scikernels neighbors</c>: the neighbour list of an extended-XYZ frame as CSV, for comparison with ASE.</summary>
internal sealed class NeighborsCommand : ICommand
{
    private readonly Argument<string> input = new("FILE.extxyz") { Description = "extended-XYZ input file" };
    private readonly Option<double?> cutoff = Opt.OptionalDouble("--cutoff", "cutoff radius R (required)", Opt.Positive);
    private readonly Option<string?> output = Opt.Text("--out", "output CSV file (required)");
    private readonly Option<int> frame = Opt.Int("--frame", 0, "frame index", 0);
    private readonly Option<int> maxNeighbors = Opt.Int("--max-neighbors", 0, "keep the K nearest per atom (0: all)", 0);

    public string[] Path => ["neighbors"];

    public string Summary => "neighbour list of an extended-XYZ frame as CSV (like ASE's neighbor_list)";

    public string Notes => """
        Reads frame N (default 0) of an extended-XYZ file (ASE's Lattice="…" pbc="…" header) and writes
        one row per directed pair, sorted by i, then j, then shift: i,j,sx,sy,sz,d — 0-based indices,
        the integer image shift S and the distance |pos[j] − pos[i] + S·cell| < R at full precision.
        Same pairs as ASE's neighbor_list('ijSd', atoms, R). --max-neighbors keeps the K nearest per i.
        """;

    public IEnumerable<Symbol> Symbols => [input, cutoff, output, frame, maxNeighbors];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string file = p.GetValue(input)!;
        if (!File.Exists(file)) throw new OptionException($"input file {file} does not exist");
        double radius = p.GetValue(cutoff) ?? throw new OptionException("--cutoff R is required");
        string csv = p.GetValue(output) ?? throw new OptionException("--out PAIRS.csv is required");
        if (Directory.Exists(csv)) throw new OptionException($"--out {csv} is a folder, not a file");
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(csv));
        if (folder is not null && !Directory.Exists(folder)) throw new OptionException($"--out {csv}: folder {folder} does not exist");
        int frameIndex = p.GetValue(frame);
        int k = p.GetValue(maxNeighbors);
        return new Job(() =>
        {
            try
            {
                var f = ExtendedXyz.ReadFrame(file, frameIndex);
                var clock = Stopwatch.StartNew();
                var pairs = NeighborList.Search(f.Positions, f.Cell, f.Pbc, radius, k); // no cell: an empty span
                var seconds = clock.Elapsed.TotalSeconds;
                NeighborListCsv.Write(csv, pairs);
                stdout.WriteLine($"{f.NumAtoms} atoms, {pairs.Count} directed pairs within {radius:R} ({seconds * 1e3:F1} ms) -> {csv}");
                return 0;
            }
            catch (FormatException e)
            {
                throw new OptionException($"{file}: {e.Message}"); // a malformed input file is a user error (exit 2)
            }
            catch (Exception e) when (e is TensorException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"scikernels neighbors: {e.Message}");
                return 1;
            }
        });
    }
}
