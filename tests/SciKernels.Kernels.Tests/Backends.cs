using ILGPU;
using ILGPU.Runtime;
using SciKernels.Kernels.Runtime;
using Xunit;

namespace SciKernels.Kernels.Tests;

/// <summary>
/// Shared device contexts for all tests (created lazily, once). OpenCL uses the first usable device;
/// a device lacking generic address space (PoCL) is opted in explicitly, as the tests know our kernels
/// need no atomics. When a backend is missing: fail under CI=true (CI installs it), else skip visibly.
/// </summary>
public sealed class Backends : IDisposable
{
    private static readonly Lazy<(DeviceContext? Ctx, string Why)> Cpu = new(() =>
        (DeviceContext.CreateCpuSimulator(), ""));

    private static readonly Lazy<(DeviceContext? Ctx, string Why)> OpenCL = new(CreateOpenCL);

    private static readonly Lazy<(DeviceContext? Ctx, string Why)> Cuda = new(CreateCuda);

    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static (DeviceContext?, string) CreateOpenCL()
    {
        try
        {
            var options = new DeviceOptions { ForceOpenCLGenericAddressSpace = true };
            var devices = DeviceContext.ListDevices(options).Where(d => d.Kind == AcceleratorKind.OpenCL && d.Usable).ToList();
            if (devices.Count == 0)
                return (null, "no OpenCL device with OpenCL C >= 2.0 found (install: tools/ci/install-deps.sh, i.e. pocl-opencl-icd + ocl-icd-opencl-dev)");
            var ctx = DeviceContext.CreateOpenCL(devices[0].Index, options);
            Console.WriteLine($"[kernels-tests] OpenCL device: {ctx}");
            return (ctx, "");
        }
        catch (Exception e)
        {
            return (null, "OpenCL device creation failed: " + e.Message);
        }
    }

    /// <summary>
    /// True when <c>SCIKERNELS_TEST_CUDA=1</c>: the cases also run on the first CUDA device, and a
    /// missing one fails. Off by default — CI has no GPU; tools/gpu's check turns it on.
    /// </summary>
    public static bool CudaRequested => Environment.GetEnvironmentVariable("SCIKERNELS_TEST_CUDA") == "1";

    private static (DeviceContext?, string) CreateCuda()
    {
        try
        {
            var ctx = DeviceContext.CreateCuda(0);
            Console.WriteLine($"[kernels-tests] CUDA device: {ctx}");
            return (ctx, "");
        }
        catch (Exception e)
        {
            return (null, "CUDA device creation failed: " + e.Message);
        }
    }

    /// <summary>The backend names every kernel case runs on: cpu (ILGPU's simulator), opencl, and cuda when requested.</summary>
    public static IEnumerable<object[]> All =>
        (CudaRequested ? new[] { "cpu", "opencl", "cuda" } : new[] { "cpu", "opencl" }).Select(b => new object[] { b });

    /// <summary>Gets the backend or skips (locally) / fails (CI) with a clear message.</summary>
    public static DeviceContext Get(string name)
    {
        var (ctx, why) = name switch
        {
            "cpu" => Cpu.Value,
            "opencl" => OpenCL.Value,
            "cuda" => Cuda.Value,
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        if (ctx is not null)
            return ctx;
        if (name == "cuda")
            throw new InvalidOperationException($"[cuda] backend requested (SCIKERNELS_TEST_CUDA=1) but unavailable: {why}");
        if (IsCI)
            throw new InvalidOperationException($"[{name}] backend unavailable under CI=true: {why}");
        Skip.If(true, $"[{name}] backend unavailable (skipped; would fail under CI=true): {why}");
        throw new InvalidOperationException("unreachable");
    }

    public void Dispose() { }
}

/// <summary>Host/device transfer helpers.</summary>
public static class Dev
{
    public static MemoryBuffer1D<T, Stride1D.Dense> Up<T>(this DeviceContext d, T[] data) where T : unmanaged
    {
        var buf = d.Accelerator.Allocate1D<T>(Math.Max(1, data.Length));
        if (data.Length > 0)
            buf.View.SubView(0, data.Length).CopyFromCPU(data);
        return buf;
    }

    public static MemoryBuffer1D<T, Stride1D.Dense> Alloc<T>(this DeviceContext d, long n) where T : unmanaged =>
        d.Accelerator.Allocate1D<T>(Math.Max(1, n));

    public static T[] Down<T>(this DeviceContext d, ArrayView1D<T, Stride1D.Dense> view) where T : unmanaged =>
        Down(d, (ArrayView<T>)view);

    public static T[] Down<T>(this DeviceContext d, ArrayView<T> view) where T : unmanaged
    {
        d.Synchronize();
        var r = new T[view.Length];
        if (r.Length > 0)
            view.CopyToCPU(r);
        return r;
    }
}
