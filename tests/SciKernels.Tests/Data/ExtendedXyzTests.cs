using SciKernels.Data;
using Xunit;

namespace SciKernels.Tests.Data;

/// <summary>Extended XYZ: ASE's header conventions, multi-frame files, round trips and strict errors.</summary>
public sealed class ExtendedXyzTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "scikernels-xyz-" + Guid.NewGuid().ToString("N"));

    public ExtendedXyzTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // best effort
    }

    private string WriteText(string text, string name = "in.extxyz")
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string AseFrame =
        "3\n" +
        "Lattice=\"3.0 0.0 0.0 0.5 3.0 0.0 0.0 0.2 3.0\" Properties=species:S:1:pos:R:3:forces:R:3 energy=-1.5 comment=\"two words\" flag pbc=\"T F T\"\n" +
        "H        0.10000000       0.20000000       0.30000000  1 2 3\n" +
        "H        1.10000000       0.20000000       0.30000000  4 5 6\n" +
        "O        0.60000000       0.90000000      -0.30000000  7 8 9\n";

    [Fact]
    public void ReadsAseHeader()
    {
        var f = ExtendedXyz.ReadFrame(WriteText(AseFrame), 0);
        Assert.Equal(3, f.NumAtoms);
        Assert.Equal(new[] { "H", "H", "O" }, f.Species);
        Assert.Equal(new[] { 3.0, 0, 0, 0.5, 3, 0, 0, 0.2, 3 }, f.Cell);
        Assert.Equal(new[] { true, false, true }, f.Pbc);
        Assert.Equal(-0.3, f.Positions[8]);
        Assert.Equal(new[] { "energy", "comment", "flag" }, f.Info.Select(kv => kv.Key));
        Assert.Equal("two words", f.Info[1].Value);
        Assert.Equal("T", f.Info[2].Value);
        var forces = Assert.Single(f.Properties);
        Assert.Equal(("forces", XyzPropertyType.Real, 3), (forces.Name, forces.Type, forces.Columns));
        Assert.Equal(9.0, forces.ToDoubles()[8]);
    }

    [Fact]
    public void LatticeWithoutPbcIsPeriodicAndNoLatticeIsOpen()
    {
        var periodic = ExtendedXyz.ReadFrame(WriteText("1\nLattice=\"2 0 0 0 2 0 0 0 2\" Properties=species:S:1:pos:R:3\nAr 0 0 0\n"), 0);
        Assert.Equal(new[] { true, true, true }, periodic.Pbc);
        var open = ExtendedXyz.ReadFrame(WriteText("1\n\nAr 0 0 0\n", "b.extxyz"), 0);
        Assert.Null(open.Cell);
        Assert.Equal(new[] { false, false, false }, open.Pbc);
    }

    [Fact]
    public void MultiFrameRoundTripIsExact()
    {
        var rng = new System.Random(1);
        var frames = Enumerable.Range(0, 3).Select(k =>
        {
            int n = k + 1;
            var pos = Enumerable.Range(0, 3 * n).Select(_ => rng.NextDouble() * 10 - 5).ToArray();
            double[]? cell = k == 1 ? null : [3.1, 0, 0, 0.1 * k, 2.9, 0, 1e-17, 0.3, 3.3];
            var props = new[] { new XyzProperty("tag", XyzPropertyType.Integer, 1, Enumerable.Range(0, n).Select(i => i.ToString()).ToArray()) };
            return new XyzFrame(Enumerable.Repeat("Ar", n).ToArray(), pos, cell, cell is null ? null : [true, k == 0, true],
                [new("energy", (k * 0.1).ToString("R")), new("note", "a \"quoted\" word")], props);
        }).ToList();
        var path = Path.Combine(dir, "out.extxyz");
        ExtendedXyz.Write(path, frames);
        var back = ExtendedXyz.Read(path);
        Assert.Equal(3, back.Count);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(frames[k].Positions, back[k].Positions);
            Assert.Equal(frames[k].Cell, back[k].Cell);
            Assert.Equal(frames[k].Pbc, back[k].Pbc);
            Assert.Equal(frames[k].Info, back[k].Info);
            Assert.Equal(frames[k].Properties[0].Values, back[k].Properties[0].Values);
        }
        Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));
        Assert.Contains("frame 5", Assert.Throws<ExtendedXyzFormatException>(() => ExtendedXyz.ReadFrame(path, 5)).Message);
    }

    [Theory]
    [InlineData("", 0, "empty")]
    [InlineData("x\n\n", 1, "atom count")]
    [InlineData("-1\n\n", 1, "atom count")]
    [InlineData("2\n\nAr 0 0 0\n", 4, "end of file")]
    [InlineData("1\n\nAr 0 0\n", 3, "columns")]
    [InlineData("1\n\nAr 0 0 0 7\n", 3, "columns")]
    [InlineData("1\n\nAr 0 zero 0\n", 3, "not a valid real")]
    [InlineData("1\n\nAr 0 NaN 0\n", 3, "not finite")]
    [InlineData("1\nLattice=\"1 0 0 0 1 0 0 0\"\nAr 0 0 0\n", 2, "Lattice needs 9")]
    [InlineData("1\nLattice=\"1 0 0 0 1 0 0 0 1\nAr 0 0 0\n", 2, "closing quote")]
    [InlineData("1\npbc=\"T T\"\nAr 0 0 0\n", 2, "pbc needs 3")]
    [InlineData("1\npbc=\"T F F\"\nAr 0 0 0\n", 2, "no Lattice")]
    [InlineData("1\nProperties=pos:R:3:species:S:1\n0 0 0 Ar\n", 2, "must start with species")]
    [InlineData("1\nProperties=species:S:1:pos:R:3:q:X:1\nAr 0 0 0 1\n", 2, "unknown type")]
    [InlineData("1\nProperties=species:S:1:pos:R:3:q:I:1\nAr 0 0 0 1.5\n", 3, "not a valid integer")]
    [InlineData("1\na=1 a=2\nAr 0 0 0\n", 2, "twice")]
    [InlineData("2000000000\n\nAr 0 0 0\n", 1, "truncated")]
    public void CorruptInputNamesFileAndLine(string text, int line, string message)
    {
        var path = WriteText(text);
        var e = Assert.Throws<ExtendedXyzFormatException>(() => ExtendedXyz.Read(path));
        Assert.Equal(line, e.Line);
        Assert.Contains(message, e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void NeighborCsvHasOneRowPerDirectedPairAtFullPrecision()
    {
        // Two atoms 0.1 + 0.2 apart in an open system: both directions, shifts zero, d in round-trip form.
        var pairs = SciKernels.Graphs.NeighborList.Search([0, 0, 0, 0.1 + 0.2, 0, 0], default, default, 1);
        var path = Path.Combine(dir, "pairs.csv");
        NeighborListCsv.Write(path, pairs);
        Assert.Equal(new[] { "i,j,sx,sy,sz,d", "0,1,0,0,0,0.30000000000000004", "1,0,0,0,0,0.30000000000000004" }, File.ReadAllLines(path));
    }

    [Fact]
    public void RandomCorruptionNeverCrashesOrHangs()
    {
        var good = AseFrame + AseFrame;
        var rng = new System.Random(7);
        const string alphabet = "0123456789 .-eE\"=TFx\n\r\t:";
        for (int round = 0; round < 300; round++)
        {
            var chars = good.ToCharArray().ToList();
            int edits = 1 + rng.Next(4);
            for (int k = 0; k < edits && chars.Count > 0; k++)
            {
                int at = rng.Next(chars.Count);
                switch (rng.Next(3))
                {
                    case 0: chars[at] = alphabet[rng.Next(alphabet.Length)]; break;
                    case 1: chars.RemoveAt(at); break;
                    default: chars.RemoveRange(at, chars.Count - at); break; // truncate
                }
            }
            var path = WriteText(new string(chars.ToArray()), $"r{round}.extxyz");
            try
            {
                ExtendedXyz.Read(path);
            }
            catch (ExtendedXyzFormatException)
            {
                // the expected outcome for most edits
            }
        }
    }
}
