namespace SciKernels.Cli;

/// <summary><c>scikernels devices</c>: lists the devices tensors can live on.</summary>
internal sealed class DevicesCommand : ICommand
{
    public string[] Path => ["devices"];

    public string Summary => "list compute devices (CPU, OpenCL, CUDA, ILGPU simulator)";

    public string Usage => "usage: scikernels devices";

    public int Run(Options options, TextWriter stdout, TextWriter stderr)
    {
        stdout.WriteLine($"cpu        managed CPU backend: {Environment.ProcessorCount} threads, " +
            $"{(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "SSE")} (default)");
        return 0;
    }
}
