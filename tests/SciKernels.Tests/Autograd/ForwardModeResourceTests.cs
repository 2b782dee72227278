using SciKernels.Cpu;
using SciKernels.Random;
using SciKernels.Stencils;
using SciKernels.Tests.Core;
using SciKernels.Tests.Devices;
using Xunit;
using static SciKernels.Tests.Autograd.JvpCases;

namespace SciKernels.Tests.Autograd;

/// <summary>Jvp and Hvp in scoped loops keep the pool's live bytes flat.</summary>
[Collection(PoolCounterCollection.Name)]
public class ForwardModeMemoryTests
{
    [Fact]
    public void ScopedJvpAndHvpLoopKeepsLiveBytesFlat()
    {
        var gen = new Generator(41);
        var w = Tensor.Randn([6, 3], gen, DType.Float64).RequiresGrad_();
        var x = Tensor.Randn([4, 6], gen, DType.Float64);
        var v = Tensor.Randn([4, 6], gen, DType.Float64);
        var grid = StencilGrid.Periodic(0.5);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var live = new List<long>();
        for (int step = 0; step < 30; step++)
        {
            using (TensorScope.Begin())
            {
                var (_, t) = Autodiff.Jvp(a => Stencil.Laplacian(a, grid).MatMul(w).Tanh().Sum(0), x, v);
                var hv = Autodiff.Hvp(a => a.MatMul(w).Sigmoid().Square().Sum(), x, v);
                Assert.True(double.IsFinite(t.Sum().Item() + hv.Sum().Item()));
            }
            live.Add(CpuBackend.Instance.Pool.LiveBytes);
        }
        Assert.True(live.Skip(4).Max() - live.Skip(4).Min() == 0, $"live bytes not flat over scoped Jvp/Hvp steps: {string.Join(", ", live)}");
    }
}

/// <summary>Jvp on a device (ILGPU's CPU simulator) equals the CPU Jvp.</summary>
[Collection("device-simulator")]
public sealed class SimulatorForwardModeTests(SimulatorFixture fixture)
{
    public static TheoryData<string> Cases => new() { "Mlp", "BroadcastChain", "ViewsAndReductions", "Softmax", "Laplacian" };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void DeviceJvpEqualsCpuJvp(string name)
    {
        var dev = fixture.Get();
        var c = Get(name);
        using var scope = TensorScope.Begin();
        var gen = new Generator(51);
        var xs = c.Inputs(gen);
        var v = Directions(gen, xs);
        var cpu = Autodiff.Jvp(a => new[] { c.F(a) }, xs, v);
        var dr = Autodiff.Jvp(a => new[] { c.F(a) }, xs.Select(x => x.To(dev)).ToArray(), v.Select(x => x.To(dev)).ToArray());
        Assert.Equal(dev, dr.Tangents[0].Device);
        Close(cpu.Outputs[0].ToArray<double>(), dr.Outputs[0].ToArray<double>(), 1e-12, 1e-12, $"{name}: device output");
        Close(cpu.Tangents[0].ToArray<double>(), dr.Tangents[0].ToArray<double>(), 1e-12, 1e-12, $"{name}: device tangent");
    }

    [SkippableFact]
    public void TangentOnAnotherDeviceIsAClearError()
    {
        var dev = fixture.Get();
        using var scope = TensorScope.Begin();
        var x = Tensor.Zeros([2, 2], DType.Float64);
        var e = Assert.Throws<TensorException>(() => Autodiff.Jvp(a => a.Sin(), x, x.To(dev)));
        Assert.Contains("Jvp", e.Message);
        Assert.Contains(dev.ToString(), e.Message);
    }
}
