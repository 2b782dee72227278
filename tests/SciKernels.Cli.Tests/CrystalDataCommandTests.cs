using SciKernels.Crystals;
using SciKernels.Data;
using Xunit;

namespace SciKernels.Cli.Tests;

/// <summary><c>scikernels generate crystal-data</c>: the library's data, deterministic, CIF beside, bad input.</summary>
public sealed class CrystalDataCommandTests() : CliTestFolder("crystal")
{
    [Fact]
    public void GeneratedDataIsTheLibrarysAndDeterministic()
    {
        string a = Path.Combine(root, "a.xyz"), b = Path.Combine(root, "b.xyz"), cif = Path.Combine(root, "a.cif");
        string[] args = ["generate", "crystal-data", "--system", "cu-ag", "--count", "6", "--max-atoms", "5", "--seed", "3"];
        var (code, stdout, stderr) = Run([.. args, "--out", a, "--cif", cif]);
        Assert.True(code == 0, stderr);
        Assert.Contains("from 16 relaxations", stdout);
        Assert.Contains("above hull", stdout);
        Assert.Equal(0, Run([.. args, "--out", b]).Code);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        var expected = CrystalSearch.Run("cu-ag", new CrystalSearchOptions { Count = 6, MaxAtoms = 5, Seed = 3 });
        string c = Path.Combine(root, "c.xyz");
        CrystalDataFiles.Write(c, expected);
        Assert.Equal(File.ReadAllBytes(c), File.ReadAllBytes(a));
        Assert.Equal(expected.Entries.Count, File.ReadAllLines(cif).Count(l => l.StartsWith("data_", StringComparison.Ordinal)));
    }

    [Fact]
    public void BadInputIsAOneLineError()
    {
        string a = Path.Combine(root, "a.xyz");
        var (code, _, stderr) = Run("generate", "crystal-data", "--system", "cu-fe", "--out", a);
        Assert.Equal(2, code);
        Assert.Contains("--system must be", stderr);
        (code, _, stderr) = Run("generate", "crystal-data", "--count", "0", "--out", a);
        Assert.Equal(2, code);
        Assert.Contains("--count", stderr);
        (code, _, stderr) = Run("generate", "crystal-data", "--count", "3");
        Assert.Equal(2, code);
        Assert.Contains("--out", stderr);
        Assert.False(File.Exists(a));
    }
}
