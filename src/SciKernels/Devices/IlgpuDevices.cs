using SciKernels.Kernels.Runtime;

namespace SciKernels.Devices;

/// <summary>
/// How SciKernels creates its ILGPU device backends (<see cref="Device.Simulator"/>,
/// <see cref="Device.OpenCL"/>, <see cref="Device.Cuda"/>).
/// </summary>
/// <remarks>
/// The first operation on a device creates one <see cref="DeviceContext"/> (ILGPU context,
/// accelerator, kernel cache, buffer pool) for it, which then lives for the rest of the process.
/// <para>OpenCL devices that report no generic address space support — Debian's PoCL CPU device among
/// them — are refused by ILGPU unless you opt in, either with the environment variable
/// <c>SCIKERNELS_OPENCL_FORCE_GENERIC=1</c> or by setting <see cref="Options"/> to options with
/// <see cref="DeviceOptions.ForceOpenCLGenericAddressSpace"/> before first use. SciKernels' kernels use
/// no atomics and are validated on PoCL this way.</para>
/// </remarks>
public static class IlgpuDevices
{
    private static DeviceOptions? options;

    /// <summary>
    /// Options used when a device backend is created (null, the default, reads the environment at
    /// creation time). Devices already created keep their options.
    /// </summary>
    public static DeviceOptions? Options
    {
        get => Volatile.Read(ref options);
        set => Volatile.Write(ref options, value);
    }

    /// <summary>ILGPU devices visible to this process (simulator, OpenCL, CUDA) with usability notes.</summary>
    public static IReadOnlyList<DeviceInfo> List() => DeviceContext.ListDevices(Options ?? DeviceOptions.Default);

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

    /// <summary>Creates the backend of a non-CPU device (called once per device by <see cref="Device"/>).</summary>
    internal static IlgpuBackend Create(Device device, DeviceOptions? options = null)
    {
        var opts = options ?? Options ?? DeviceOptions.Default;
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
