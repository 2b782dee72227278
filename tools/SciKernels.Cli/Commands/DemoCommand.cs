namespace SciKernels.Cli;

/// <summary><c>scikernels demo</c>: the main job, a small SciML training run on the CPU.</summary>
internal sealed class DemoCommand : ICommand
{
    public string[] Path => ["demo"];

    public string Summary => "run the main demo on the CPU";

    public string Usage => "usage: scikernels demo";

    public int Run(Options options, TextWriter stdout, TextWriter stderr)
    {
        stdout.WriteLine("demo: not wired yet");
        return 0;
    }
}
