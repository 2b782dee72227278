using System.CommandLine;
using SciKernels.Devices;
using SciKernels.Kernels.Runtime;

namespace SciKernels.Cli;

/// <summary><c>scikernels devices</c>: lists the devices tensors can live on.</summary>
internal sealed class DevicesCommand : ICommand
{
    public string[] Path => ["devices"];

    public string Summary => "list compute devices (CPU, OpenCL, CUDA, ILGPU simulator)";

    public string Notes => "Lists the CPU and every ILGPU device (simulator, OpenCL, CUDA) with the name to pass to\n" +
        "--device / Device.Parse / SCIKERNELS_DEVICE and whether it is usable. PoCL-style OpenCL devices need\n" +
        $"{DeviceOptions.ForceGenericEnvVar}=1 (or Device.RegisterProvider(IlgpuDevices.Provider(options))) to opt in.";

    public IEnumerable<Symbol> Symbols => [];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr) => new(() => Run(stdout, stderr));

    private static int Run(TextWriter stdout, TextWriter stderr)
    {
        stdout.WriteLine($"{"cpu",-12} managed CPU backend: {Environment.ProcessorCount} threads, " +
            $"{(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "SSE")} (default)");
        IReadOnlyList<DeviceInfo> devices;
        try
        {
            devices = IlgpuDevices.List();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"ILGPU device discovery failed: {e.Message}");
            return 1;
        }
        foreach (var d in devices)
        {
            var name = IlgpuDevices.ToDevice(d).ToString();
            var what = d.Kind switch
            {
                AcceleratorKind.CpuSimulator => "ILGPU CPU simulator (slow; for testing kernels on small inputs)",
                AcceleratorKind.OpenCL => $"OpenCL: {d.Name}",
                _ => $"CUDA: {d.Name}",
            };
            var status = d.Usable ? "usable" : "NOT usable";
            stdout.WriteLine($"{name,-12} {what} [{status}{(d.Note.Length > 0 ? "; " + d.Note : "")}]");
        }
        if (!devices.Any(d => d.Kind == AcceleratorKind.OpenCL))
            stdout.WriteLine($"{"",-12} (no OpenCL device: install an ICD, e.g. pocl-opencl-icd)");
        if (!devices.Any(d => d.Kind == AcceleratorKind.Cuda))
            stdout.WriteLine($"{"",-12} (no CUDA device)");
        return 0;
    }
}
