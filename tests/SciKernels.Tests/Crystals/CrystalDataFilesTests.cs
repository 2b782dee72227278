using SciKernels.Crystals;
using SciKernels.Data;
using Xunit;

namespace SciKernels.Tests.Crystals;

public sealed class CrystalDataFilesTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "scikernels-crystal-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // best effort
    }

    [Fact]
    public void LoadCachesTheSearchAndReadsItBack()
    {
        var options = new CrystalSearchOptions { Count = 3, MaxAtoms = 4, Seed = 5 };
        var first = CrystalDataFiles.Load("cu-au", options, dir);
        Assert.NotNull(first.Statistics);
        string file = Path.Combine(dir, CrystalDataFiles.CacheName("cu-au", options));
        Assert.True(File.Exists(file));
        var stamp = File.GetLastWriteTimeUtc(file);
        var second = CrystalDataFiles.Load("cu-au", options, dir);
        Assert.Null(second.Statistics); // read from the file, not searched again
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(file));
        Assert.Equal("cu-au", second.System);
        Assert.Equal(first.Entries.Count, second.Entries.Count);
        for (int i = 0; i < first.Entries.Count; i++)
        {
            var (a, b) = (first.Entries[i], second.Entries[i]);
            Assert.Equal((a.Source, a.Formula, a.Split, a.EnergyPerAtom, a.AboveReference), (b.Source, b.Formula, b.Split, b.EnergyPerAtom, b.AboveReference));
            Assert.Equal(a.Structure.Positions, b.Structure.Positions);
            Assert.Equal(a.Structure.Cell, b.Structure.Cell);
            Assert.Equal(a.Structure.Forces, b.Structure.Forces);
        }
        Assert.NotEqual(CrystalDataFiles.CacheName("cu-au", options), CrystalDataFiles.CacheName("cu-au", options with { Seed = 6 }));
    }

    [Fact]
    public void AFileWithoutTheCrystalKeysIsAFormatError()
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "plain.xyz");
        var s = Prototypes.Fcc(29);
        var r = new SciKernels.Potentials.Emt().Calculate(s.Positions, s.Numbers, s.Cell, []);
        ExtendedXyz.Write(path, [PotentialFrames.FromResult(s.Numbers, s.Positions, s.Cell!, [], r)]);
        var e = Assert.Throws<FormatException>(() => CrystalDataFiles.Read(path));
        Assert.Contains("frame 0", e.Message);
        Assert.Contains("system=", e.Message);
    }
}
