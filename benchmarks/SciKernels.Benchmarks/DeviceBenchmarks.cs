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
        nameof(MlpStep) => MlpStepBenchmarks.MatMulFlops,
        _ => 0,
    };

    [GlobalSetup]
    public void Setup()
    {
        IlgpuDevices.Options = new DeviceOptions { ForceOpenCLGenericAddressSpace = true };
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

    /// <summary>The benchmark MLP (<see cref="Mlp"/>: 2→64→64→1 tanh, MSE, SGD, batch 4096) with its parameters and data on <paramref name="device"/>.</summary>
    private sealed class DeviceMlp : IDisposable
    {
        private readonly Tensor[] p;
        private readonly Tensor x, y;

        public DeviceMlp(Device device)
        {
            using var cpu = new Mlp();
            x = cpu.X.To(device).Contiguous(forceCopy: true);
            y = cpu.Y.To(device).Contiguous(forceCopy: true);
            p = Array.ConvertAll(cpu.Parameters, t => t.Detach().To(device).Contiguous(forceCopy: true).RequiresGrad_());
        }

        public void Step()
        {
            using var scope = TensorScope.Begin();
            var h1 = Tensor.Linear(x, p[0], p[1]).Tanh();
            var h2 = Tensor.Linear(h1, p[2], p[3]).Tanh();
            var loss = Tensor.Linear(h2, p[4], p[5]).Sub(y).Square().Mean();
            loss.Backward();
            using (GradMode.NoGrad())
            {
                foreach (var t in p)
                {
                    t.AddInPlace(t.Grad!, -Mlp.LearningRate);
                    t.ZeroGrad();
                }
            }
        }

        public void Dispose()
        {
            foreach (var t in p) { t.ZeroGrad(); t.Dispose(); }
            x.Dispose();
            y.Dispose();
        }
    }
}
