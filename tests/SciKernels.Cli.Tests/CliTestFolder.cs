namespace SciKernels.Cli.Tests;

/// <summary>A scratch folder per test class instance (deleted on dispose) and an in-process run of the CLI.</summary>
public abstract class CliTestFolder : IDisposable
{
    /// <summary>The scratch folder.</summary>
    protected readonly string root;

    /// <summary>Creates the scratch folder, named after <paramref name="prefix"/>.</summary>
    protected CliTestFolder(string prefix)
    {
        root = Path.Combine(Path.GetTempPath(), $"scikernels-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
    }

    /// <summary>Deletes the scratch folder.</summary>
    public void Dispose()
    {
        Directory.Delete(root, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <c>scikernels ARGS</c> in process: exit code, stdout and stderr.</summary>
    protected static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLine.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
