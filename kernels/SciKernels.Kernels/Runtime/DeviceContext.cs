using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace SciKernels.Kernels.Runtime;

/// <summary>Kind of ILGPU accelerator.</summary>
public enum AcceleratorKind
{
    /// <summary>ILGPU's CPU accelerator: a multi-threaded GPU simulator (slow; for tests/debugging).</summary>
    CpuSimulator,
    /// <summary>An OpenCL device (ILGPU CLBackend, OpenCL C 2.0+).</summary>
    OpenCL,
    /// <summary>An NVIDIA CUDA device (ILGPU PTXBackend).</summary>
    Cuda,
}

/// <summary>Options for creating a <see cref="DeviceContext"/>.</summary>
public sealed class DeviceOptions
{
    /// <summary>Environment variable that, when set to <c>1</c>/<c>true</c>, enables
    /// <see cref="ForceOpenCLGenericAddressSpace"/>.</summary>
    public const string ForceGenericEnvVar = "SCIKERNELS_OPENCL_FORCE_GENERIC";

    /// <summary>
    /// Opt-in for OpenCL devices that do not report generic address space support (e.g. PoCL 3.x CPU
    /// devices, which report OpenCL 3.0 with CL_DEVICE_GENERIC_ADDRESS_SPACE_SUPPORT = false). ILGPU
    /// refuses such devices; this flag overrides the device's capability so ILGPU accepts it.
    /// SciKernels kernels use no atomics and were validated on PoCL this way; other ILGPU features
    /// (float atomics, compare-exchange) do NOT build on such devices. Default: off, unless the
    /// <see cref="ForceGenericEnvVar"/> environment variable is set.
    /// </summary>
    public bool ForceOpenCLGenericAddressSpace { get; init; } = EnvFlag(ForceGenericEnvVar);

    /// <summary>ILGPU optimization level (default O2: O2 runs ILGPU's address-space inference, without which the OpenCL backend emits __generic pointers that PoCL rejects in OpenCL C 2.0 mode).</summary>
    public OptimizationLevel OptimizationLevel { get; init; } = OptimizationLevel.O2;

    /// <summary>Threads per warp of the CPU simulator (default 16).</summary>
    public int CpuThreadsPerWarp { get; init; } = 16;

    /// <summary>Warps per multiprocessor of the CPU simulator (default 16, i.e. 256 threads per group,
    /// which the 16x16 matmul kernel requires).</summary>
    public int CpuWarpsPerMultiprocessor { get; init; } = 16;

    /// <summary>Multiprocessors (concurrent groups) of the CPU simulator (default 1).</summary>
    public int CpuMultiprocessors { get; init; } = 1;

    /// <summary>Enables ILGPU debug assertions in kernels (slower).</summary>
    public bool EnableAssertions { get; init; }

    /// <summary>Default options (environment-aware).</summary>
    public static DeviceOptions Default => new();

    internal static bool EnvFlag(string name)
    {
        var v = Environment.GetEnvironmentVariable(name);
        return v is not null && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("yes", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Description of a device that can back a <see cref="DeviceContext"/>.</summary>
/// <param name="Kind">Accelerator kind.</param>
/// <param name="Index">Index among devices of that kind (pass to <see cref="DeviceContext.Create"/>).</param>
/// <param name="Name">Device name.</param>
/// <param name="GenericAddressSpace">Whether the device itself reports generic address space support
/// (always true for CPU/CUDA).</param>
/// <param name="Usable">Whether it can be created with the given options.</param>
/// <param name="Note">Why not usable, or how it is made usable.</param>
public sealed record DeviceInfo(AcceleratorKind Kind, int Index, string Name, bool GenericAddressSpace, bool Usable, string Note)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Kind}[{Index}] {Name}{(Usable ? "" : " (unusable)")}{(Note.Length > 0 ? ": " + Note : "")}";
}

/// <summary>
/// Owns an ILGPU <see cref="ILGPU.Context"/> and one <see cref="Accelerator"/>, plus the per-accelerator
/// kernel cache (<see cref="Kernels"/>), buffer pool (<see cref="Pool"/>) and launch API
/// (<see cref="Ops"/>). Not thread-safe for concurrent launches on the default stream.
/// </summary>
public sealed class DeviceContext : IDisposable
{
    private static readonly PropertyInfo? GenericAddressSpaceProperty =
        typeof(CLCapabilityContext).GetProperty("GenericAddressSpace", BindingFlags.Public | BindingFlags.Instance);

    // ILGPU imports the CUDA driver as "cuda", which .NET probes as libcuda.so; driver installs (and GPU
    // containers) often ship only the versioned libcuda.so.1, the unversioned name being a developer
    // symlink. When the default probing fails, fall back to the versioned name.
    static DeviceContext() => AssemblyLoadContext.Default.ResolvingUnmanagedDll += ResolveCudaDriver;

    private static IntPtr ResolveCudaDriver(Assembly assembly, string name) =>
        name == "cuda" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcuda.so.1", out var handle) ? handle : IntPtr.Zero;

    private DeviceContext(Context context, Accelerator accelerator, AcceleratorKind kind, string note)
    {
        Context = context;
        Accelerator = accelerator;
        Kind = kind;
        Note = note;
        Kernels = new KernelCache(accelerator);
        Pool = new DeviceBufferPool(accelerator);
        Launch = new LaunchPlanner(accelerator);
        Ops = new KernelOps(this);
    }

    /// <summary>The ILGPU context.</summary>
    public Context Context { get; }

    /// <summary>The accelerator.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>Accelerator kind.</summary>
    public AcceleratorKind Kind { get; }

    /// <summary>Creation notes (e.g. that generic address space support was forced).</summary>
    public string Note { get; }

    /// <summary>Kernels loaded on this accelerator (each specialization once).</summary>
    public KernelCache Kernels { get; }

    /// <summary>Reusable device buffers.</summary>
    public DeviceBufferPool Pool { get; }

    /// <summary>Grid/group sizing for this accelerator.</summary>
    public LaunchPlanner Launch { get; }

    /// <summary>Typed kernel launchers.</summary>
    public KernelOps Ops { get; }

    /// <summary>Device name.</summary>
    public string Name => Accelerator.Name;

    /// <summary>Waits for all queued work on the default stream.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    /// <summary>Lists CPU-simulator, OpenCL and CUDA devices visible to ILGPU.</summary>
    /// <param name="options">Options (the OpenCL force flag decides usability of devices without generic address space).</param>
    public static IReadOnlyList<DeviceInfo> ListDevices(DeviceOptions? options = null)
    {
        options ??= DeviceOptions.Default;
        var list = new List<DeviceInfo> { new(AcceleratorKind.CpuSimulator, 0, "ILGPU CPU simulator", true, true, "") };
        using var context = Context.Create(b => b.OpenCL(AnyCL).Cuda());
        int i = 0;
        foreach (var d in context.GetCLDevices())
        {
            bool generic = d.Capabilities.GenericAddressSpace;
            bool versionOk = d.CLStdVersion >= ILGPU.Backends.OpenCL.CLBackend.MinimumVersion;
            bool usable = versionOk && (generic || options.ForceOpenCLGenericAddressSpace);
            string note = !versionOk ? $"OpenCL C {d.CLStdVersion} < {ILGPU.Backends.OpenCL.CLBackend.MinimumVersion}"
                : generic ? ""
                : options.ForceOpenCLGenericAddressSpace ? "no generic address space; forced (opt-in)"
                : $"no generic address space; set {DeviceOptions.ForceGenericEnvVar}=1 or DeviceOptions.ForceOpenCLGenericAddressSpace to opt in";
            list.Add(new DeviceInfo(AcceleratorKind.OpenCL, i++, $"{d.Name} ({d.PlatformName})", generic, usable, note));
        }
        i = 0;
        foreach (var d in context.GetCudaDevices())
            list.Add(new DeviceInfo(AcceleratorKind.Cuda, i++, d.Name, true, true, $"sm_{d.Architecture?.Major}{d.Architecture?.Minor}"));
        return list;
    }

    /// <summary>Creates a context on the given device.</summary>
    /// <param name="kind">Device kind.</param>
    /// <param name="index">Index among devices of that kind (ignored for the CPU simulator).</param>
    /// <param name="options">Options.</param>
    /// <exception cref="InvalidOperationException">No such (usable) device.</exception>
    public static DeviceContext Create(AcceleratorKind kind, int index = 0, DeviceOptions? options = null) => kind switch
    {
        AcceleratorKind.CpuSimulator => CreateCpuSimulator(options),
        AcceleratorKind.OpenCL => CreateOpenCL(index, options),
        AcceleratorKind.Cuda => CreateCuda(index, options),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Creates ILGPU's CPU simulator accelerator.</summary>
    /// <param name="options">Options (simulated warp/group geometry).</param>
    public static DeviceContext CreateCpuSimulator(DeviceOptions? options = null)
    {
        options ??= DeviceOptions.Default;
        var device = new CPUDevice(options.CpuThreadsPerWarp, options.CpuWarpsPerMultiprocessor, options.CpuMultiprocessors);
        var context = Build(options, b => b.CPU(device));
        try
        {
            var acc = context.GetDevice<CPUDevice>(0).CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel);
            return new DeviceContext(context, acc, AcceleratorKind.CpuSimulator, "");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Creates an OpenCL accelerator (see <see cref="DeviceOptions.ForceOpenCLGenericAddressSpace"/>).</summary>
    /// <param name="index">Index among all OpenCL devices with OpenCL C &gt;= 2.0 (as in <see cref="ListDevices"/>).</param>
    /// <param name="options">Options.</param>
    public static DeviceContext CreateOpenCL(int index = 0, DeviceOptions? options = null)
    {
        options ??= DeviceOptions.Default;
        var context = Build(options, b => b.OpenCL(AnyCL));
        try
        {
            var devices = context.GetCLDevices();
            if (index < 0 || index >= devices.Count)
                throw new InvalidOperationException($"No OpenCL device #{index} (found {devices.Count}). Install an OpenCL ICD (e.g. pocl-opencl-icd).");
            var device = devices[index];
            string note = "";
            if (!device.Capabilities.GenericAddressSpace)
            {
                if (!options.ForceOpenCLGenericAddressSpace)
                    throw new InvalidOperationException(
                        $"OpenCL device '{device.Name}' reports no generic address space support, which ILGPU requires. " +
                        $"SciKernels' kernels do not need it: opt in with {DeviceOptions.ForceGenericEnvVar}=1 or DeviceOptions.ForceOpenCLGenericAddressSpace.");
                ForceGenericAddressSpace(device);
                note = "generic address space forced (opt-in)";
            }
            var acc = device.CreateCLAccelerator(context);
            return new DeviceContext(context, acc, AcceleratorKind.OpenCL, note);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Creates a CUDA accelerator.</summary>
    /// <param name="index">CUDA device index.</param>
    /// <param name="options">Options.</param>
    public static DeviceContext CreateCuda(int index = 0, DeviceOptions? options = null)
    {
        options ??= DeviceOptions.Default;
        var context = Build(options, b => b.Cuda());
        try
        {
            var devices = context.GetCudaDevices();
            if (index < 0 || index >= devices.Count)
                throw new InvalidOperationException($"No CUDA device #{index} (found {devices.Count}).");
            return new DeviceContext(context, devices[index].CreateCudaAccelerator(context), AcceleratorKind.Cuda, "");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Creates the first usable device in the order CUDA, OpenCL, CPU simulator.</summary>
    /// <param name="options">Options.</param>
    public static DeviceContext CreateBest(DeviceOptions? options = null)
    {
        options ??= DeviceOptions.Default;
        var devices = ListDevices(options);
        var best = devices.FirstOrDefault(d => d.Kind == AcceleratorKind.Cuda && d.Usable)
            ?? devices.FirstOrDefault(d => d.Kind == AcceleratorKind.OpenCL && d.Usable)
            ?? devices[0];
        return Create(best.Kind, best.Index, options);
    }

    internal static Context Build(DeviceOptions options, Func<Context.Builder, Context.Builder> devices) =>
        Context.Create(b =>
        {
            devices(b).EnableAlgorithms().Optimize(options.OptimizationLevel).Math(MathMode.Default);
            if (options.EnableAssertions)
                b.Assertions();
        });

    private static bool AnyCL(CLDevice d) => d.CLStdVersion >= ILGPU.Backends.OpenCL.CLBackend.MinimumVersion;

    private static void ForceGenericAddressSpace(CLDevice device)
    {
        var setter = GenericAddressSpaceProperty?.GetSetMethod(nonPublic: true)
            ?? throw new InvalidOperationException("This ILGPU version has no settable CLCapabilityContext.GenericAddressSpace; cannot force it.");
        setter.Invoke(device.Capabilities, new object[] { true });
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}: {Name}{(Note.Length > 0 ? " [" + Note + "]" : "")}";

    /// <inheritdoc/>
    public void Dispose()
    {
        Pool.Dispose();
        Accelerator.Dispose();
        Context.Dispose();
    }
}
