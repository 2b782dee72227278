using SciKernels.Devices;
using SciKernels.Kernels.Runtime;
using Xunit;

namespace SciKernels.Tests.Devices;

/// <summary>
/// One ILGPU device per backend for the whole test run (a collection fixture): the accelerator, its
/// compiled kernels and buffer pool are created once and shared by every test of the collection —
/// PoCL compiles each kernel once per process. When the device is missing the tests fail with a
/// clear message under CI=true (CI installs PoCL) and are skipped visibly otherwise.
/// </summary>
public abstract class DeviceFixture
{
    private readonly Lazy<(Device? Device, string Why)> device;

    protected DeviceFixture() => device = new Lazy<(Device?, string)>(Create);

    /// <summary>Short backend name used in messages.</summary>
    public abstract string Name { get; }

    /// <summary>Creates the device (and its backend), or explains why it is unavailable.</summary>
    protected abstract (Device? Device, string Why) Create();

    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The device, or a skip (locally) / failure (CI) naming why it is missing.</summary>
    public Device Get()
    {
        var (d, why) = device.Value;
        if (d is not null) return d;
        if (IsCI) throw new InvalidOperationException($"[{Name}] device unavailable under CI=true: {why}");
        Skip.If(true, $"[{Name}] device unavailable (skipped; fails under CI=true): {why}");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Forces backend creation so failures surface as a message.</summary>
    protected static (Device?, string) Touch(Device d)
    {
        try
        {
            _ = d.Backend;
            return (d, "");
        }
        catch (InvalidOperationException e)
        {
            return (null, e.Message);
        }
    }
}

/// <summary>ILGPU's CPU simulator (always available).</summary>
public sealed class SimulatorFixture : DeviceFixture
{
    public override string Name => "simulator";

    protected override (Device?, string) Create() => Touch(Device.Simulator());
}

/// <summary>The first usable OpenCL device, opting in to PoCL's missing generic address space.</summary>
public sealed class OpenCLFixture : DeviceFixture
{
    public override string Name => "opencl";

    protected override (Device?, string) Create()
    {
        IReadOnlyList<DeviceInfo> devices;
        try
        {
            devices = DeviceContext.ListDevices(new DeviceOptions { ForceOpenCLGenericAddressSpace = true });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, "listing OpenCL devices failed: " + e.Message);
        }
        var cl = devices.FirstOrDefault(d => d.Kind == AcceleratorKind.OpenCL && d.Usable);
        if (cl is null)
            return (null, "no OpenCL device with OpenCL C >= 2.0 found (install PoCL: tools/ci/install-deps.sh)");
        // The tests know SciKernels' kernels need no generic address space: opt in explicitly, for
        // the devices this provider creates (no global option).
        Device.RegisterProvider(IlgpuDevices.Provider(new DeviceOptions { ForceOpenCLGenericAddressSpace = true }));
        return Touch(Device.OpenCL(cl.Index));
    }
}

[CollectionDefinition("device-simulator")]
public sealed class SimulatorCollection : ICollectionFixture<SimulatorFixture>;

[CollectionDefinition("device-opencl")]
public sealed class OpenCLCollection : ICollectionFixture<OpenCLFixture>;

/// <summary>Every device test on ILGPU's CPU simulator.</summary>
[Collection("device-simulator")]
public sealed class SimulatorDeviceTests(SimulatorFixture fixture) : DeviceTests(fixture);

/// <summary>Every device test on the OpenCL device (PoCL in CI).</summary>
[Collection("device-opencl")]
public sealed class OpenCLDeviceTests(OpenCLFixture fixture) : DeviceTests(fixture);
