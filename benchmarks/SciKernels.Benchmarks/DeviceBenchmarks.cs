using BenchmarkDotNet.Attributes;
using SciKernels.Autograd;
using SciKernels.Devices;
using SciKernels.Kernels.Runtime;

namespace SciKernels.Benchmarks;

/// <summary>
/// The core op benchmarks on every device in one run: the CPU backend beside the ILGPU OpenCL backend
/// (PoCL on a GPU-less machine, opted in with DeviceOptions.ForceOpenCLGenericAddressSpace). Every
/// invocation ends with a device synchronisation, so asynchronous work is fully counted.
/// Run: <c>dotnet run -c Release --project benchmarks/SciKernels.Benchmarks -- --filter '*DeviceBenchmarks*'</c>.
/// </summary>
[Config(typeof(SharedVmConfig))]
[ThroughputUnit("GFLOP/s", 1e9)]
public class DeviceBenchmarks
{
    private const int N = 16 << 20, M = 512;
    private Device device = Device.Cpu;
    private Tensor a = null!, b = null!, ma = null!, mb = null!;
    private DeviceMlp mlp = null!;

    /// <summary>Device name (see <see cref="Device.Parse"/>).</summary>
    [Params("cpu", "opencl:0")]
    public string DeviceName { get; set; } = "cpu";

    /// <summary>Flops per invocation (1 per element for add/sum, 2·512³ for the matmul, the MLP step's matmuls).</summary>
    public static double Work(string method, int _) => method switch
    {
        nameof(Add16M) or nameof(Sum16M) => N,
        nameof(MatMul512) => 2.0 * M * M * M,
        nameof(MlpStep) => Mlp.StepMatMulFlops,
        _ => 0,
    };

    [GlobalSetup]
    public void Setup()
    {
        Device.RegisterProvider(IlgpuDevices.Provider(new DeviceOptions { ForceOpenCLGenericAddressSpace = true }));
        device = Device.Parse(DeviceName);
        var g = new Random.Generator(1);
        a = Tensor.Rand(new[] { N }, g, device: device);
        b = Tensor.Rand(new[] { N }, g, device: device);
        ma = Tensor.Rand(new[] { M, M }, g, device: device);
        mb = Tensor.Rand(new[] { M, M }, g, device: device);
        mlp = new DeviceMlp(device);
        // Compile every kernel before measuring.
        Add16M();
        Sum16M();
        MatMul512();
        MlpStep();
    }

    [Benchmark]
    public void Add16M()
    {
        using var y = a.Add(b);
        device.Backend.Synchronize();
    }

    [Benchmark]
    public double Sum16M()
    {
        using var s = a.Sum();
        return s.Item();
    }

    [Benchmark]
    public void MatMul512()
    {
        using var c = ma.MatMul(mb);
        device.Backend.Synchronize();
    }

    [Benchmark]
    public void MlpStep()
    {
        mlp.Step();
        device.Backend.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { a, b, ma, mb }) t.Dispose();
        mlp.Dispose();
    }
}
