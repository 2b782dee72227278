using SciKernels.Autograd;
using SciKernels.Diagnostics;
using SciKernels.Graphs;
using SciKernels.Random;
using SciKernels.Tests.Graphs;
using Xunit;
using static SciKernels.Graphs.MessagePassing;

namespace SciKernels.Tests.Devices;

/// <summary>
/// The message-passing primitives on ILGPU devices against the CPU kernels (the specification):
/// forward values and gradients of every primitive in float32 and float64, NaN and ±Inf rows
/// included, bit for bit (both sum each segment in CSR order without FMA); the device's composite
/// path; determinism; a gradient check on the device. Tiny graphs: the simulator is slow.
/// </summary>
public abstract class GraphDeviceTests(DeviceFixture fixture)
{
    protected Device Dev => fixture.Get();

    // node 4 is isolated, node 0 has a self-loop and a double edge from 1, node 3 only sends
    private static readonly long[] Senders = { 1, 1, 0, 3, 2, 3, 0, 2, 3 };
    private static readonly long[] Receivers = { 0, 0, 0, 1, 1, 2, 2, 2, 1 };
    private const int Nodes = 5;

    private static Tensor[] Inputs(DType dtype, bool specials)
    {
        var gen = new Generator(17);
        var h = Tensor.Randn(new[] { Nodes, 3 }, gen, DType.Float64);
        var e = Tensor.Randn(new[] { Senders.Length, 2 }, gen, DType.Float64);
        if (specials)
        {
            var v = e.ToArray<double>();
            v[1] = double.NaN;             // edge 0, receiver 0
            v[4] = double.PositiveInfinity; // edge 2
            v[7] = double.NegativeInfinity; // edge 3
            e = Tensor.FromArray(v, Senders.Length, 2);
        }
        var wa = Tensor.Randn(new[] { 3, 4 }, gen, DType.Float64);
        var wb = Tensor.Randn(new[] { 3, 4 }, gen, DType.Float64);
        var wc = Tensor.Randn(new[] { 2, 4 }, gen, DType.Float64);
        var b = Tensor.Randn(new[] { 4 }, gen, DType.Float64);
        return new[] { h, e, wa, wb, wc, b }.Select(t => t.To(dtype)).ToArray();
    }

    /// <summary>
    /// Outputs that reach every kernel and all input gradients. Without the edge-linear layer (no GEMM)
    /// device and CPU must agree bit for bit; with it the GEMMs may round differently.
    /// </summary>
    private static Tensor[] Run(Tensor[] values, EdgeIndex ix, Device on, bool withGemms)
    {
        var x = values.Select(t => t.To(on).RequiresGrad_()).ToArray();
        var m = withGemms ? EdgeLinear(x[0], x[1], ix, x[2], x[3], x[4], x[5]) : x[1];
        var outs = new[]
        {
            m,
            MessagePassing.SegmentSum(m, ix),
            MessagePassing.SegmentSum(m, ix, EdgeEnd.Sender),
            SegmentMean(m, ix),
            SegmentMax(m, ix),
            GatherRows(x[0], ix, EdgeEnd.Receiver),
            GatherRows(x[0], ix, EdgeEnd.Sender),
        };
        var cot = outs.Select((o, i) => Tensor.Randn(o.Shape, new Generator((ulong)i + 3), DType.Float64).To(o.DType).To(on)).ToArray();
        var grads = Autodiff.Grad(outs, withGemms ? x : x[..2], cot);
        return outs.Concat(grads).Select(t => t.Detach().To(Device.Cpu)).ToArray();
    }

    private static void AssertClose(Tensor expected, Tensor actual, DType dtype, string what)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var a = expected.ToArray<double>();
        var b = actual.ToArray<double>();
        double tol = dtype == DType.Float32 ? 1e-5 : 1e-12;
        for (int i = 0; i < a.Length; i++)
            Assert.True(a[i].Equals(b[i]) || Math.Abs(a[i] - b[i]) <= tol * (1 + Math.Abs(a[i])), $"{what}: element {i} of {Tensor.ShapeString(expected.Shape)}: cpu {a[i]:R}, device {b[i]:R}");
    }

    [SkippableTheory]
    [InlineData(DType.Float32, true)]
    [InlineData(DType.Float64, true)]
    public void Primitives_MatchCpu(DType dtype, bool specials)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        using var ix = EdgeIndex.FromPairs(Senders, Receivers, Nodes);
        var values = Inputs(dtype, specials);
        string what = $"{dtype.Name()}{(specials ? " with NaN/Inf" : "")} on {dev}";
        var cpu = Run(values, ix, Device.Cpu, withGemms: false);
        var device = Run(values, ix, dev, withGemms: false);
        for (int i = 0; i < cpu.Length; i++) MessagePassingTests.AssertBits(cpu[i], device[i], $"{what}, result {i}");
        var again = Run(values, ix, dev, withGemms: false);
        for (int i = 0; i < cpu.Length; i++) MessagePassingTests.AssertBits(device[i], again[i], $"{what}, rerun {i}");
        cpu = Run(values, ix, Device.Cpu, withGemms: true);
        device = Run(values, ix, dev, withGemms: true);
        for (int i = 0; i < cpu.Length; i++) AssertClose(cpu[i], device[i], dtype, $"{what}, edge-linear result {i}");
    }

    [SkippableFact]
    public void CompositePath_MatchesKernels()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        using var ix = EdgeIndex.FromPairs(Senders, Receivers, Nodes);
        using var composite = EdgeIndex.FromPairs(Senders, Receivers, Nodes);
        composite.UseFusedKernels = false;
        var values = Inputs(DType.Float64, specials: true);
        var fused = Run(values, ix, dev, withGemms: true);
        var slow = Run(values, composite, dev, withGemms: true);
        for (int i = 0; i < fused.Length; i++)
            MessagePassingTests.AssertBits(fused[i], slow[i], $"composite result {i} on {dev}");
    }

    [SkippableFact]
    public void GradCheck_OnDevice()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        using var ix = EdgeIndex.FromPairs(new long[] { 1, 0, 2, 2 }, new long[] { 0, 0, 1, 2 }, 3);
        // tiny and GEMM-free on purpose: every finite difference is a round of launches (second order
        // and the edge-linear layer are checked on the CPU; the parity test ties the device to it)
        var h = Tensor.Randn(new[] { 3, 2 }, new Generator(29), DType.Float64).To(dev);
        GradCheck.Check(v =>
        {
            var m = GatherRows(v[0], ix, EdgeEnd.Sender).Tanh();
            return SegmentMean(m, ix).Add(SegmentMax(m, ix)).Add(MessagePassing.SegmentSum(m, ix, EdgeEnd.Sender));
        }, new[] { h }).ThrowIfFailed();
    }
}

/// <summary>The message-passing device tests on ILGPU's CPU simulator.</summary>
[Collection("device-simulator")]
public sealed class SimulatorGraphDeviceTests(SimulatorFixture fixture) : GraphDeviceTests(fixture);

/// <summary>The message-passing device tests on the OpenCL device (PoCL in CI).</summary>
[Collection("device-opencl")]
public sealed class OpenCLGraphDeviceTests(OpenCLFixture fixture) : GraphDeviceTests(fixture);
