using SciKernels.Autograd;
using SciKernels.Devices;
using SciKernels.Diagnostics;
using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.Irreps;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Graph;
using SciKernels.Random;
using Xunit;
using Operand = SciKernels.Equivariant.ChannelwiseTensorProduct.Operand;

namespace SciKernels.Tests.Devices;

/// <summary>
/// The tensor-product convolution's device kernels (ITensorProductKernels) against the CPU kernels
/// (the specification): every target in float32 and float64 with NaN and ±Inf operands, a rerun
/// giving the same bits, the device's composite path, the first and second derivatives of a
/// forces-style loss through the device equal to the CPU's, and a second-order gradient check on the
/// device. Tiny graphs: the simulator is slow.
/// </summary>
public abstract class TensorProductDeviceTests(DeviceFixture fixture)
{
    protected Device Dev => fixture.Get();

    // node 5 is isolated, node 0 has a self-loop and a double edge from 1, node 4 only sends
    private static readonly long[] Senders = { 1, 1, 0, 3, 2, 4, 0, 2, 4, 3, 1 };
    private static readonly long[] Receivers = { 0, 0, 0, 1, 1, 2, 2, 2, 1, 3, 3 };
    private const int Nodes = 6;

    private static ChannelwiseTensorProduct Tp() => new(IrrepsLayout.Parse("3x0e+2x1o+1x2e"), 2);

    private static Tensor[] Operands(ChannelwiseTensorProduct tp, DType dtype, bool specials)
    {
        var gen = new Generator(41);
        int e = Senders.Length;
        var g = Tensor.Randn([Nodes, tp.Output.Dim], gen, DType.Float64);
        var w = Tensor.Randn([e, tp.WeightWidth], gen, DType.Float64);
        var y = Tensor.Randn([e, tp.ShDim], gen, DType.Float64);
        var h = Tensor.Randn([Nodes, tp.Input.Dim], gen, DType.Float64);
        if (specials)
        {
            var hv = h.ToArray<double>();
            hv[3 * tp.Input.Dim + 4] = double.NaN;          // node 3 sends into 1
            h = Tensor.FromArray(hv, Nodes, tp.Input.Dim);
            var wv = w.ToArray<double>();
            wv[6 * tp.WeightWidth + 1] = double.PositiveInfinity; // edge 6 (0 → 2)
            w = Tensor.FromArray(wv, e, tp.WeightWidth);
            var yv = y.ToArray<double>();
            yv[9 * tp.ShDim + 2] = double.NegativeInfinity;       // edge 9 (3 → 3)
            y = Tensor.FromArray(yv, e, tp.ShDim);
        }
        return [.. new[] { g, w, y, h }.Select(t => t.To(dtype))];
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var a = expected.ToArray<double>();
        var b = actual.ToArray<double>();
        double scale = 1 + a.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int i = 0; i < a.Length; i++)
            Assert.True(a[i].Equals(b[i]) || Math.Abs(a[i] - b[i]) <= tol * scale, $"{what}: element {i} of {Tensor.ShapeString(expected.Shape)}: cpu {a[i]:R}, device {b[i]:R}");
    }

    private static Tensor Target(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex ix, Operand t, Tensor[] operands, Device on)
    {
        var args = operands.Select(o => (Tensor?)o.To(on)).ToArray();
        args[(int)t] = null;
        return TensorProductContraction.Contract(tp, ix, t, args[0], args[1], args[2], args[3]);
    }

    [SkippableTheory]
    [InlineData(DType.Float32, false)]
    [InlineData(DType.Float64, false)]
    [InlineData(DType.Float32, true)]
    [InlineData(DType.Float64, true)]
    public void EveryTarget_MatchesCpu(DType dtype, bool specials)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        using var ix = MessagePassing.EdgeIndex.FromPairs(Senders, Receivers, Nodes);
        var tp = Tp();
        var operands = Operands(tp, dtype, specials);
        double tol = dtype == DType.Float32 ? 1e-5 : 1e-12;
        for (int t = 0; t < 4; t++)
        {
            string what = $"target {(Operand)t} {dtype.Name()}{(specials ? " with NaN/Inf" : "")} on {dev}";
            var cpu = Target(tp, ix, (Operand)t, operands, Device.Cpu);
            var device = Target(tp, ix, (Operand)t, operands, dev);
            Assert.Equal(dev, device.Device);
            var onHost = device.To(Device.Cpu);
            AssertClose(cpu, onHost, tol, what);
            if (specials) Assert.Contains(onHost.ToArray<double>(), x => !double.IsFinite(x)); // propagated, not dropped
            // deterministic: no atomics, one owner per output element
            Assert.Equal(onHost.ToArray<double>(), Target(tp, ix, (Operand)t, operands, dev).To(Device.Cpu).ToArray<double>());
        }
    }

    [SkippableFact]
    public void DeviceTensorsRunTheFusedKernelsNotTheComposite()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        using var ix = MessagePassing.EdgeIndex.FromPairs(Senders, Receivers, Nodes);
        using var composite = MessagePassing.EdgeIndex.FromPairs(Senders, Receivers, Nodes);
        composite.UseFusedKernels = false;
        var tp = Tp();
        var operands = Operands(tp, DType.Float64, specials: false);
        var kernels = ((IlgpuBackend)dev.Backend).Context.Kernels;
        for (int t = 0; t < 4; t++)
        {
            var fused = Target(tp, ix, (Operand)t, operands, dev);
            var slow = Target(tp, composite, (Operand)t, operands, dev);
            AssertClose(slow.To(Device.Cpu), fused.To(Device.Cpu), 1e-12, $"target {(Operand)t}: kernels vs composite on {dev}");
            string name = ((Operand)t switch { Operand.Out => "Out", Operand.Weights => "Weights", Operand.Sh => "Sh", _ => "Nodes" });
            var method = typeof(TensorProductKernels).GetMethod(name)!.MakeGenericMethod(typeof(double), typeof(F64));
            Assert.True(kernels.Contains(method), $"{name} kernel was not launched on {dev}");
        }
    }

    /// <summary>Forces-style: first gradients with a graph, then the gradient of a scalar of them, all on <paramref name="on"/>.</summary>
    private static double[][] FirstAndSecond(ChannelwiseTensorProduct tp, MessagePassing.EdgeIndex ix, Tensor[] values, Device on)
    {
        var w = values[0].To(on).RequiresGrad_();
        var vec = values[1].To(on).RequiresGrad_();
        var h = values[2].To(on).RequiresGrad_();
        var v = values[3].To(on);
        var y = SphericalHarmonics.Compute(vec, tp.ShLmax);
        var s = tp.Convolve(w, y, h, ix).Mul(v).Sum();
        var first = Autodiff.Grad([s], [w, vec, h], createGraph: true);
        var t = first[0].Square().Sum().Add(first[1].Square().Sum()).Add(first[2].Mul(h).Sum());
        var second = Autodiff.Grad([t], [w, vec, h]);
        return [.. first.Concat(second).Select(x => x.Detach().To(Device.Cpu).ToArray<double>())];
    }

    [SkippableFact]
    public void DoubleBackwardThroughTheDevice_MatchesCpu()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        using var ix = MessagePassing.EdgeIndex.FromPairs(Senders, Receivers, Nodes);
        var tp = Tp();
        var gen = new Generator(43);
        int e = Senders.Length;
        // edge vectors away from zero (the harmonics' derivative is singular there)
        var vec = Tensor.Randn([e, 3], gen, DType.Float64).Add(Tensor.FromArray(new[] { 0.5, -0.3, 0.8 }, 1, 3));
        Tensor[] values = [Tensor.Randn([e, tp.WeightWidth], gen, DType.Float64), vec, Tensor.Randn([Nodes, tp.Input.Dim], gen, DType.Float64), Tensor.Randn([Nodes, tp.Output.Dim], gen, DType.Float64)];
        var cpu = FirstAndSecond(tp, ix, values, Device.Cpu);
        var device = FirstAndSecond(tp, ix, values, dev);
        for (int i = 0; i < cpu.Length; i++)
        {
            double scale = 1 + cpu[i].Max(Math.Abs);
            for (int k = 0; k < cpu[i].Length; k++)
                Assert.True(Math.Abs(cpu[i][k] - device[i][k]) <= 1e-11 * scale, $"{(i < 3 ? "first" : "second")} gradient {i % 3}, element {k} on {dev}: cpu {cpu[i][k]:R}, device {device[i][k]:R}");
        }
    }

    [SkippableFact]
    public void GradCheckSecondOrder_OnDevice()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        // tiny: every finite difference is a round of launches
        using var ix = MessagePassing.EdgeIndex.FromPairs(new long[] { 1, 0, 2, 2 }, new long[] { 0, 0, 1, 2 }, 3);
        var tp = new ChannelwiseTensorProduct(IrrepsLayout.Parse("1x0e+1x1o"), 1);
        var gen = new Generator(47);
        var w = Tensor.Randn([4, tp.WeightWidth], gen, DType.Float64).To(dev);
        var y = Tensor.Randn([4, tp.ShDim], gen, DType.Float64).To(dev);
        var h = Tensor.Randn([3, tp.Input.Dim], gen, DType.Float64).To(dev);
        Tensor F(Tensor[] xs) => tp.Convolve(xs[0], xs[1], xs[2], ix);
        var first = GradCheck.Check(F, [w, y, h]);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, [w, y, h]);
        Assert.True(second.Passed, second.ToString());
    }
}

/// <summary>The tensor-product device tests on ILGPU's CPU simulator.</summary>
[Collection("device-simulator")]
public sealed class SimulatorTensorProductDeviceTests(SimulatorFixture fixture) : TensorProductDeviceTests(fixture);

/// <summary>The tensor-product device tests on the OpenCL device (PoCL in CI).</summary>
[Collection("device-opencl")]
public sealed class OpenCLTensorProductDeviceTests(OpenCLFixture fixture) : TensorProductDeviceTests(fixture);
