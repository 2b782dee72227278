using SciKernels.Backends;
using SciKernels.Kernels.Runtime;

namespace SciKernels.Devices;

/// <summary>
/// How SciKernels creates its ILGPU device backends (<see cref="Device.Simulator"/>,
/// <see cref="Device.OpenCL"/>, <see cref="Device.Cuda"/>).
/// </summary>
/// <remarks>
/// The first operation on a device creates one <see cref="DeviceContext"/> (ILGPU context,
/// accelerator, kernel cache, buffer pool) for it, which then lives for the rest of the process.
/// Options are given when a backend is created, never through a global setting: by default
/// <see cref="DeviceOptions.Default"/> (which reads the environment), or the options of a provider
/// installed with <c>Device.RegisterProvider(IlgpuDevices.Provider(options))</c>.
/// <para>OpenCL devices that report no generic address space support — Debian's PoCL CPU device among
/// them — are refused by ILGPU unless you opt in, either with the environment variable
/// <c>SCIKERNELS_OPENCL_FORCE_GENERIC=1</c> or with options that set
/// <see cref="DeviceOptions.ForceOpenCLGenericAddressSpace"/>. SciKernels' kernels use
/// no atomics and are validated on PoCL this way.</para>
/// </remarks>
public static class IlgpuDevices
{
    /// <summary>ILGPU devices visible to this process (simulator, OpenCL, CUDA) with usability notes.</summary>
    /// <param name="options">Options that decide usability (e.g. the OpenCL opt-in); <see cref="DeviceOptions.Default"/> when null.</param>
    public static IReadOnlyList<DeviceInfo> List(DeviceOptions? options = null) => DeviceContext.ListDevices(options ?? DeviceOptions.Default);

    /// <summary>The SciKernels device for an ILGPU device entry.</summary>
    /// <param name="info">An entry of <see cref="List"/>.</param>
    public static Device ToDevice(DeviceInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.Kind switch
        {
            AcceleratorKind.CpuSimulator => Device.Simulator(),
            AcceleratorKind.OpenCL => Device.OpenCL(info.Index),
            _ => Device.Cuda(info.Index),
        };
    }

    /// <summary>
    /// The ILGPU context behind a device (creating it on first use), e.g. to launch your own kernels on
    /// tensor memory (<see cref="IlgpuStorage"/>) or inspect its kernel cache and buffer pool.
    /// </summary>
    /// <param name="device">A simulator, OpenCL or CUDA device.</param>
    public static DeviceContext Context(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.Backend is IlgpuBackend b
            ? b.Context
            : throw new InvalidOperationException($"device {device} is not an ILGPU device");
    }

    /// <summary>
    /// A backend factory for <see cref="Device.RegisterProvider"/> that creates every ILGPU device
    /// (simulator, OpenCL, CUDA) with <paramref name="options"/>; it applies to devices not yet created.
    /// </summary>
    /// <param name="options">Options of the devices the factory creates.</param>
    public static Func<DeviceKind, int, IBackend> Provider(DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (kind, index) => Create(kind, index, options);
    }

    /// <summary>Creates the backend of a simulator, OpenCL or CUDA device with <paramref name="options"/>.</summary>
    /// <remarks>Each call creates a new ILGPU context; a <see cref="Device"/> asks its provider once and keeps the backend.</remarks>
    /// <param name="kind">The device kind (not <see cref="DeviceKind.Cpu"/>).</param>
    /// <param name="index">Index among devices of that kind.</param>
    /// <param name="options">Device options (<see cref="DeviceOptions.Default"/> when null).</param>
    public static IBackend Create(DeviceKind kind, int index, DeviceOptions? options = null)
    {
        var device = kind switch
        {
            DeviceKind.Simulator => Device.Simulator(),
            DeviceKind.OpenCL => Device.OpenCL(index),
            DeviceKind.Cuda => Device.Cuda(index),
            _ => throw new ArgumentException($"{kind} is not an ILGPU device kind", nameof(kind)),
        };
        return Create(device, options);
    }

    /// <summary>Creates the backend of a non-CPU device (called once per device by <see cref="Device"/>).</summary>
    internal static IlgpuBackend Create(Device device, DeviceOptions? options = null)
    {
        var opts = options ?? DeviceOptions.Default;
        DeviceContext ctx;
        try
        {
            ctx = device.Kind switch
            {
                DeviceKind.Simulator => DeviceContext.CreateCpuSimulator(opts),
                DeviceKind.OpenCL => DeviceContext.CreateOpenCL(device.Index, opts),
                DeviceKind.Cuda => DeviceContext.CreateCuda(device.Index, opts),
                _ => throw new InvalidOperationException($"{device.Kind} is not an ILGPU device kind"),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"device {device} is not available: {e.Message}", e);
        }
        return new IlgpuBackend(device, ctx);
    }
}
