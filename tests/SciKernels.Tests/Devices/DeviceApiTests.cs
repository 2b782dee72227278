using SciKernels.Devices;
using SciKernels.Kernels.Runtime;
using Xunit;

namespace SciKernels.Tests.Devices;

/// <summary>Device names and creation errors (no kernels run).</summary>
public sealed class DeviceApiTests
{
    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("opencl:0", "opencl:0")]
    [InlineData("OpenCL:1", "opencl:1")]
    [InlineData("opencl", "opencl:0")]
    [InlineData("cuda:2", "cuda:2")]
    [InlineData("simulator", "simulator")]
    [InlineData(" ilgpu-cpu ", "simulator")]
    public void Parse_RoundTrips(string text, string expected) => Assert.Equal(expected, Device.Parse(text).ToString());

    [Theory]
    [InlineData("gpu")]
    [InlineData("opencl:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:0:1")]
    public void Parse_RejectsNonDevices(string text) => Assert.Throws<FormatException>(() => Device.Parse(text));

    [Fact]
    public void Parse_ReturnsTheSameDeviceObject() => Assert.Same(Device.OpenCL(0), Device.Parse("opencl:0"));

    [SkippableFact]
    public void OpenCLWithoutGenericAddressSpace_NamesTheOptIn()
    {
        IReadOnlyList<DeviceInfo> devices;
        try { devices = DeviceContext.ListDevices(new DeviceOptions { ForceOpenCLGenericAddressSpace = false }); }
        catch (Exception ex) when (ex is not OutOfMemoryException) { devices = Array.Empty<DeviceInfo>(); }
        var needy = devices.FirstOrDefault(d => d.Kind == AcceleratorKind.OpenCL && !d.GenericAddressSpace);
        Skip.If(needy is null, "no OpenCL device lacking generic address space support (PoCL) is installed");
        // The options travel with the provider, not through a global setting.
        var provider = IlgpuDevices.Provider(new DeviceOptions { ForceOpenCLGenericAddressSpace = false });
        var e = Assert.Throws<InvalidOperationException>(() => provider(DeviceKind.OpenCL, needy!.Index));
        Assert.Contains($"opencl:{needy.Index}", e.Message);
        Assert.Contains(DeviceOptions.ForceGenericEnvVar, e.Message);
        Assert.Contains("SCIKERNELS_OPENCL_FORCE_GENERIC", DeviceOptions.ForceGenericEnvVar);
    }

    [Fact]
    public void TheCpuIsNotAnIlgpuDeviceKind() =>
        Assert.Throws<ArgumentException>(() => IlgpuDevices.Create(DeviceKind.Cpu, 0));

    [Fact]
    public void MissingCudaDevice_IsAClearError()
    {
        var e = Assert.Throws<InvalidOperationException>(() => IlgpuDevices.Create(Device.Cuda(7)));
        Assert.Contains("cuda:7", e.Message);
    }
}
