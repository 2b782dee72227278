using SciKernels.Devices;
using SciKernels.Kernels.Runtime;
using SciKernels.Tests.Devices;
using Xunit;

namespace SciKernels.GpuCheck;

/// <summary>
/// The first CUDA device for the op-level device test cases. It lives here rather than in the test
/// assembly so that CI (which never has a GPU) does not list a skipped copy of every device case.
/// </summary>
public sealed class CudaFixture : DeviceFixture
{
    /// <inheritdoc/>
    public override string Name => "cuda";

    /// <inheritdoc/>
    protected override (Device?, string) Create()
    {
        IReadOnlyList<DeviceInfo> devices;
        try
        {
            devices = DeviceContext.ListDevices(DeviceOptions.Default);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, "listing CUDA devices failed: " + e.Message);
        }
        var cuda = devices.FirstOrDefault(d => d.Kind == AcceleratorKind.Cuda && d.Usable);
        return cuda is null ? (null, "no CUDA device found (is the NVIDIA driver's libcuda.so loadable?)") : Touch(Device.Cuda(cuda.Index));
    }
}

/// <summary>Every op-level device case (element-wise, reductions, matmul, indexing, autograd on the device) on CUDA.</summary>
[Collection("device-cuda")]
public sealed class CudaDeviceTests(CudaFixture fixture) : DeviceTests(fixture);

/// <summary>Every stencil device case on CUDA.</summary>
[Collection("device-cuda")]
public sealed class CudaStencilTests(CudaFixture fixture) : DeviceStencilTests(fixture);

/// <summary>Every spectral device case on CUDA.</summary>
[Collection("device-cuda")]
public sealed class CudaSpectralTests(CudaFixture fixture) : SpectralDeviceTests(fixture);

/// <summary>Every tensor-product convolution device case (all four targets, double backward) on CUDA.</summary>
[Collection("device-cuda")]
public sealed class CudaTensorProductDeviceTests(CudaFixture fixture) : TensorProductDeviceTests(fixture);
