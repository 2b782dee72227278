using System.Collections;
using SciKernels.Pinn;
using Interval = SciKernels.Pinn.Interval;
using Xunit;

namespace SciKernels.Tests.Pinn;

/// <summary>
/// Host arrays sized by points × dimensions (or a grid's nx × nt) are checked in 64 bits: a product past 2^31 is a
/// clear error naming the operation and the counts, refused before allocating — it used to wrap in 32-bit
/// arithmetic (1 431 655 766 × 3 = 2 mod 2^32: an array of 2 values) or throw a bare OverflowException.
/// </summary>
public sealed class HostArraySizeTests
{
    /// <summary>A list of <paramref name="count"/> copies of one value, without storing them.</summary>
    private sealed class Repeated<T>(int count, T value) : IReadOnlyList<T>
    {
        public T this[int index] => (uint)index < (uint)count ? value : throw new ArgumentOutOfRangeException(nameof(index));
        public int Count => count;
        public IEnumerator<T> GetEnumerator() { for (int i = 0; i < count; i++) yield return value; }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static ArgumentOutOfRangeException Refused(Action call, params string[] mentions)
    {
        var (thrown, allocated) = AllocationProbe.Run(call);
        var e = Assert.IsType<ArgumentOutOfRangeException>(thrown);
        foreach (var m in mentions) Assert.Contains(m, e.Message);
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes before refusing: {e.Message}");
        return e;
    }

    [Theory]
    [InlineData(SamplingMethod.Uniform, 1_431_655_766, 3)] // wrapped to 2
    [InlineData(SamplingMethod.LatinHypercube, 1_000_000_000, 3)] // wrapped negative
    [InlineData(SamplingMethod.Sobol, 1 << 30, 2)] // exactly 2^31
    public void UnitCubeSamplesPastOneArrayAreRefused(SamplingMethod method, int n, int dim) =>
        Refused(() => UnitCubeSampler.Sample(method, n, dim, 1), "points × dimensions", $"{n} × {dim}");

    [Fact]
    public void GeometrySamplesPastOneArrayAreRefused()
    {
        Refused(() => new Rectangle(0, 0, 1, 1).SampleInterior(1 << 30), "Geometry.Sample", $"{1 << 30} × 2");
        Refused(() => new SpaceTimeDomain(new Interval(0, 1), 0, 1).SampleInitial(1 << 30), "SampleInitial", $"{1 << 30} × 2");
    }

    [Fact]
    public void ReferenceGridPastOneArrayIsRefused() =>
        Refused(() => new BurgersReference(order: 8).EvaluateGrid(new Repeated<double>(65536, 0.5), new Repeated<double>(65537, 0.5)),
            "BurgersReference.EvaluateGrid", "65536 × 65537");

    [Fact]
    public void SelectingPastOneArrayIsRefused()
    {
        var points = new PointSet([0.1, 0.2, 0.3, 0.4], 2);
        Refused(() => points.Select(new Repeated<int>(1 << 30, 1)), "PointSet.Select", $"{1 << 30} × 2");
        Assert.Equal([0.3, 0.4, 0.1, 0.2], points.Select([1, 0]).Data.ToArray());
    }
}
