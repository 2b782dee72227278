using SciKernels.Kernels.Compilation;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace SciKernels.Kernels.Tests;

public class RuntimeTests(ITestOutputHelper output)
{
    [Fact]
    public void KernelsAreLoadedOncePerSpecialization()
    {
        using var d = DeviceContext.CreateCpuSimulator();
        using var x = d.Up(new float[] { 1, 2, 3 });
        using var y = d.Alloc<float>(3);
        d.Ops.Unary<float, Neg>(x.View, y.View);
        d.Ops.Unary<float, Neg>(x.View, y.View);
        Assert.Equal(1, d.Kernels.LoadCount);
        d.Ops.Unary<float, UnaryOf<SciKernels.Functions.Exp>>(x.View, y.View);     // other functor
        using var xd = d.Up(new double[] { 1, 2, 3 });
        using var yd = d.Alloc<double>(3);
        d.Ops.Unary<double, Neg>(xd.View, yd.View);  // other type
        d.Ops.Unary<double, Neg>(xd.View, yd.View);
        Assert.Equal(3, d.Kernels.LoadCount);
        Assert.Equal(new double[] { -1, -2, -3 }, d.Down(yd.View));
    }

    [Fact]
    public void BufferPoolReusesBuffers()
    {
        using var d = DeviceContext.CreateCpuSimulator();
        using (var a = d.Pool.Rent<float>(100)) Assert.Equal(100, a.View.Length);
        using (var b = d.Pool.Rent<float>(200)) Assert.Equal(200, b.View.Length); // same 256 bucket
        Assert.Equal(1, d.Pool.Allocations);
        using (var c = d.Pool.Rent<double>(200)) { }
        Assert.Equal(2, d.Pool.Allocations);
        Assert.True(d.Pool.CachedBytes > 0);
        d.Pool.Trim();
        Assert.Equal(0, d.Pool.CachedBytes);
    }

    [Fact]
    public void DevicesAreListedAndOpenCLOptInIsExplicit()
    {
        var devices = DeviceContext.ListDevices(new DeviceOptions { ForceOpenCLGenericAddressSpace = false });
        foreach (var dev in devices) output.WriteLine(dev.ToString());
        Assert.Contains(devices, d => d.Kind == AcceleratorKind.CpuSimulator);
        foreach (var cl in devices.Where(d => d.Kind == AcceleratorKind.OpenCL && !d.GenericAddressSpace))
        {
            Assert.False(cl.Usable);
            Assert.Contains(DeviceOptions.ForceGenericEnvVar, cl.Note);
        }
    }

    [Fact]
    public void OpenCLSourceIsGeneratedForEveryKernel()
    {
        using var c = new OfflineCompiler();
        long total = 0;
        foreach (var k in KernelCatalog.All)
        {
            var src = c.CompileOpenCL(k);
            Assert.Contains("kernel void", src);
            Assert.DoesNotContain("__generic", src); // O2 address-space inference must resolve all pointers
            total += src.Length;
        }
        output.WriteLine($"{KernelCatalog.All.Count} kernels, {total} bytes of OpenCL C");
    }
}
