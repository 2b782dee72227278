using Xunit;

namespace SciKernels.Cli.Tests;

/// <summary>A run's output files are complete or absent: a write that fails part-way leaves the previous file (or none).</summary>
public sealed class RunFilesTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "scikernels-runfiles-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private static void FailHalfway(Stream s)
    {
        s.Write("{\"final_train_loss\": 0."u8);
        s.Flush();
        throw new IOException("disk full (simulated)");
    }

    [Fact]
    public void AnExistingResultsFileSurvivesAFailedWrite()
    {
        string path = Path.Combine(dir, "results.json");
        RunFiles.WriteAllText(path, "{\"final_train_loss\": 1.5}\n");
        Assert.Throws<IOException>(() => RunFiles.Write(path, FailHalfway));
        Assert.Equal("{\"final_train_loss\": 1.5}\n", File.ReadAllText(path));
        Assert.Equal(["results.json"], Directory.GetFiles(dir).Select(Path.GetFileName)); // no temp file left
        RunFiles.WriteAllText(path, "{}");
        Assert.Equal("{}", File.ReadAllText(path));
    }

    [Fact]
    public void AFailedFirstWriteLeavesNoFile()
    {
        string path = Path.Combine(dir, "sub", "results.json");
        Assert.Throws<IOException>(() => RunFiles.Write(path, FailHalfway));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void MetricsHoldWholeRowsAfterARowFails()
    {
        string path = Path.Combine(dir, MetricsLog.FileName);
        Directory.CreateDirectory(dir);
        File.WriteAllText(path, "old run\n");
        using (var log = new MetricsLog(path, ["epoch", "loss"]))
        {
            Assert.Equal("epoch,loss\n", File.ReadAllText(path));
            log.Append([1, 0.5]);
            log.Append([2, 0.25]);
            Assert.Throws<ArgumentException>(() => log.Append([3, "not,a word"]));
            Assert.Equal("epoch,loss\n1,0.5\n2,0.25\n", File.ReadAllText(path));
            log.Append([3, null]);
        }
        Assert.Equal("epoch,loss\n1,0.5\n2,0.25\n3,\n", File.ReadAllText(path));
        Assert.Equal([MetricsLog.FileName], Directory.GetFiles(dir).Select(Path.GetFileName));
    }
}
