using SciKernels.Backends;
using SciKernels.Graphs;
using SciKernels.Tests.Graphs;
using Xunit;
using static SciKernels.Tests.Graphs.NeighborTestKit;

namespace SciKernels.Tests.Devices;

/// <summary>
/// The neighbour-list search on ILGPU devices (count → scan → fill kernels) against the CPU search,
/// the specification: the same pairs in the same order with the same shifts, and the same distances
/// bit for bit, on random triclinic cells (tiny with cutoff ≫ cell, skewed, ordinary; open/periodic
/// mixes), open systems, several scan chunks, empty results; errors as on the CPU; the k-nearest cap
/// (searched on the host); gradients of the edge vectors through the device pairs.
/// </summary>
public abstract class NeighborDeviceTests(DeviceFixture fixture)
{
    protected Device Dev => fixture.Get();

    public static IEnumerable<object[]> Seeds => Enumerable.Range(0, 24).Select(s => new object[] { s });

    private static NeighborPairTensors OnDevice(AtomsCase c, Device dev, int maxNeighbors = 0, bool withCell = true)
    {
        var pos = Tensor.FromSpan<double>(c.Positions, [c.N, 3], dev);
        var cell = withCell ? Tensor.FromSpan<double>(c.Cell, [3, 3], dev) : null;
        return NeighborList.SearchTensors(pos, c.Cutoff, cell, c.Pbc, maxNeighbors);
    }

    private static void AssertSame(NeighborPairs cpu, NeighborPairTensors dev, string what)
    {
        Assert.Equal(cpu.Count, dev.First.Size(0));
        Assert.True(cpu.First.AsSpan().SequenceEqual(dev.First.ToArray<long>()), $"{what}: receivers differ");
        Assert.True(cpu.Second.AsSpan().SequenceEqual(dev.Second.ToArray<long>()), $"{what}: senders differ");
        Assert.True(cpu.Shifts.AsSpan().SequenceEqual(dev.Shifts.ToArray<long>()), $"{what}: shifts differ");
        var d = dev.Distances.ToArray<double>();
        for (int k = 0; k < d.Length; k++)
            Assert.True(BitConverter.DoubleToInt64Bits(cpu.Distances[k]) == BitConverter.DoubleToInt64Bits(d[k]),
                $"{what}: pair {k} ({cpu.First[k]}, {cpu.Second[k]}): cpu d = {cpu.Distances[k]:R}, device {d[k]:R}");
    }

    [SkippableTheory]
    [MemberData(nameof(Seeds))]
    public void RandomCells_MatchCpu(int seed)
    {
        var dev = Dev;
        var c = RandomCase(seed, maxAtoms: 40);
        var cpu = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff);
        AssertSame(cpu, OnDevice(c, dev), $"{c} on {dev}");
    }

    [SkippableFact]
    public void OpenSystemWithoutCell_MatchesCpu()
    {
        var dev = Dev;
        var c = RandomCase(7, maxAtoms: 40) with { Pbc = [false, false, false] };
        var cpu = NeighborList.Search(c.Positions, default, c.Pbc, c.Cutoff);
        AssertSame(cpu, OnDevice(c, dev, withCell: false), $"open {c} on {dev}");
    }

    [SkippableFact]
    public void ManyAtomsOverSeveralScanChunks_MatchCpu()
    {
        var dev = Dev;
        var rng = new System.Random(5);
        int n = 700;
        double[] cell = [10, 0, 0, 2, 9, 0, -1.5, 1, 9];
        var pos = new double[3 * n];
        for (int i = 0; i < n; i++)
        {
            double f0 = rng.NextDouble(), f1 = rng.NextDouble(), f2 = rng.NextDouble();
            for (int k = 0; k < 3; k++) pos[3 * i + k] = f0 * cell[k] + f1 * cell[3 + k] + f2 * cell[6 + k];
        }
        var c = new AtomsCase(pos, cell, [true, false, true], 2.0, "dense");
        AssertSame(NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff), OnDevice(c, dev), $"{c} on {dev}");
    }

    [SkippableFact]
    public void EmptyResults()
    {
        var dev = Dev;
        var none = new AtomsCase([], [4, 0, 0, 0, 4, 0, 0, 0, 4], [true, true, true], 1.0, "no atoms");
        var r = OnDevice(none, dev);
        Assert.Equal([0], r.First.Shape.ToArray());
        Assert.Equal([0, 3], r.Shifts.Shape.ToArray());
        var lone = new AtomsCase([1, 1, 1, 9, 9, 9], [20, 0, 0, 0, 20, 0, 0, 0, 20], [false, false, false], 1.0, "far apart");
        Assert.Equal(0, OnDevice(lone, dev).Distances.Size(0));
        Assert.Equal(0, NeighborList.Compute(Tensor.FromSpan<double>(lone.Positions, [2, 3], dev), 1.0).Distances.Size(0));
    }

    [SkippableFact]
    public void BadInput_ThrowsAsOnCpu()
    {
        var dev = Dev;
        var pos = Tensor.FromArray(new double[] { 0, 0, 0, double.NaN, 1, 1 }, 2, 3).To(dev);
        var cell = Tensor.FromArray(new double[] { 3, 0, 0, 0, 3, 0, 0, 0, 3 }, 3, 3).To(dev);
        Assert.Contains("not finite", Assert.Throws<TensorException>(() => NeighborList.Compute(pos, 1.0, cell)).Message);
        var ok = Tensor.FromArray(new double[] { 0, 0, 0, 1, 1, 1 }, 2, 3).To(dev);
        Assert.Contains("cutoff", Assert.Throws<TensorException>(() => NeighborList.Compute(ok, -1.0, cell)).Message);
        var flat = Tensor.FromArray(new double[] { 3, 0, 0, 0, 3, 0, 3, 3, 0 }, 3, 3).To(dev);
        Assert.Contains("singular", Assert.Throws<TensorException>(() => NeighborList.Compute(ok, 1.0, flat)).Message);
        Assert.Throws<TensorException>(() => NeighborList.Compute(ok.Reshape(3, 2), 1.0));
    }

    [SkippableFact]
    public void NearestCap_SearchesOnHostAndMatchesCpu()
    {
        var dev = Dev;
        var c = RandomCase(2, maxAtoms: 30);
        var cpu = NeighborList.Search(c.Positions, c.Cell, c.Pbc, c.Cutoff, maxNeighbors: 3);
        var r = OnDevice(c, dev, maxNeighbors: 3);
        Assert.Equal(dev, r.First.Device);
        AssertSame(cpu, r, $"k-nearest {c} on {dev}");
    }

    [SkippableFact]
    public void Float32Positions_GiveTheCpuPairs()
    {
        var dev = Dev;
        var c = RandomCase(5, maxAtoms: 30);
        var pos32 = Tensor.FromSpan<double>(c.Positions, [c.N, 3]).To(DType.Float32);
        var cell32 = Tensor.FromSpan<double>(c.Cell, [3, 3]).To(DType.Float32);
        var cpu = NeighborList.SearchTensors(pos32, c.Cutoff, cell32, c.Pbc, 0);
        var d = NeighborList.SearchTensors(pos32.To(dev), c.Cutoff, cell32.To(dev), c.Pbc, 0);
        Assert.Equal(cpu.First.ToArray<long>(), d.First.ToArray<long>());
        Assert.Equal(cpu.Second.ToArray<long>(), d.Second.ToArray<long>());
        Assert.Equal(cpu.Shifts.ToArray<long>(), d.Shifts.ToArray<long>());
        Assert.Equal(cpu.Distances.ToArray<double>(), d.Distances.ToArray<double>());
    }

    [SkippableFact]
    public void EdgeVectorGradients_MatchCpu()
    {
        var dev = Dev;
        var c = RandomCase(9, maxAtoms: 12);
        Tensor[] Grads(Device on)
        {
            var pos = Tensor.FromSpan<double>(c.Positions, [c.N, 3], on).RequiresGrad_();
            var cell = Tensor.FromSpan<double>(c.Cell, [3, 3], on).RequiresGrad_();
            var r = NeighborList.Compute(pos, c.Cutoff, cell, c.Pbc);
            r.Distances.Square().Sum().Add(r.Vectors.Sum()).Backward();
            return [pos.Grad!.To(Device.Cpu), cell.Grad!.To(Device.Cpu)];
        }
        var cpu = Grads(Device.Cpu);
        var device = Grads(dev);
        for (int t = 0; t < 2; t++)
        {
            var a = cpu[t].ToArray<double>();
            var b = device[t].ToArray<double>();
            for (int k = 0; k < a.Length; k++)
                Assert.True(Math.Abs(a[k] - b[k]) <= 1e-10 * (1 + Math.Abs(a[k])), $"{c} on {dev}: gradient {t}[{k}]: cpu {a[k]:R}, device {b[k]:R}");
        }
    }

    [SkippableFact]
    public void RadiusGraph_OnDevice_HasTheCpuEdges()
    {
        var dev = Dev;
        var c = RandomCase(3, maxAtoms: 20);
        var pos = Tensor.FromSpan<double>(c.Positions, [c.N, 3]);
        var cell = Tensor.FromSpan<double>(c.Cell, [3, 3]);
        var onCpu = NeighborList.RadiusGraph(pos, c.Cutoff, cell, c.Pbc);
        var onDev = NeighborList.RadiusGraph(pos.To(dev), c.Cutoff, cell.To(dev), c.Pbc);
        Assert.Equal(onCpu.NumEdges, onDev.NumEdges);
        var a = onCpu.EdgeVectors().ToArray<double>();
        var b = onDev.EdgeVectors().To(Device.Cpu).ToArray<double>();
        Assert.Equal(a.Length, b.Length);
        for (int k = 0; k < a.Length; k++) Assert.True(Math.Abs(a[k] - b[k]) <= 1e-12 * (1 + Math.Abs(a[k])), $"edge vector {k}: cpu {a[k]:R}, device {b[k]:R}");
    }
}

/// <summary>The neighbour-list device tests on ILGPU's CPU simulator.</summary>
[Collection("device-simulator")]
public sealed class SimulatorNeighborDeviceTests(SimulatorFixture fixture) : NeighborDeviceTests(fixture);

/// <summary>The neighbour-list device tests on the OpenCL device (PoCL in CI).</summary>
[Collection("device-opencl")]
public sealed class OpenCLNeighborDeviceTests(OpenCLFixture fixture) : NeighborDeviceTests(fixture);
