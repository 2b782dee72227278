using FsCheck;
using FsCheck.Xunit;
using Interval = SciKernels.Pinn.Interval;
using SciKernels.Pinn;
using Xunit;

namespace SciKernels.Tests.Pinn;

public class SamplerTests
{
    private static readonly Geometry[] Shapes =
    [
        new Interval(-1, 2),
        new Rectangle(0, -1, 2, 1),
        new Box([0, 0, 0], [1, 2, 3]),
        new Disk(0.5, -0.5, 2),
        new SpaceTimeDomain(new Interval(-1, 1), 0, 1),
        new SpaceTimeDomain(new Disk(0, 0, 1), 0, 2),
        new Rectangle(0, 0, 2, 2).Union(new Disk(2, 1, 0.75)),
        new Rectangle(-1, -1, 1, 1).Difference(new Disk(0, 0, 0.5)),
    ];

    [Property(MaxTest = 60)]
    public void Interior_and_boundary_samples_lie_in_the_domain(byte shape, byte method, ulong seed)
    {
        var g = Shapes[shape % Shapes.Length];
        var m = (SamplingMethod)(method % 4);
        var inside = g.SampleInterior(64, m, seed);
        var boundary = g.SampleBoundary(32, m, seed);
        Assert.Equal(64, inside.Count);
        for (int i = 0; i < inside.Count; i++) Assert.True(g.Contains(inside[i], 1e-12), $"{g.GetType().Name}: interior point {i} outside");
        for (int i = 0; i < boundary.Count; i++) Assert.True(g.OnBoundary(boundary[i], 1e-9), $"{g.GetType().Name}: boundary point {i} off the boundary");
    }

    [Property(MaxTest = 30)]
    public void Latin_hypercube_puts_exactly_one_point_in_each_stratum(PositiveInt count, ulong seed)
    {
        int n = 1 + count.Get % 200;
        var p = UnitCubeSampler.Sample(SamplingMethod.LatinHypercube, n, 3, seed);
        for (int k = 0; k < 3; k++)
        {
            var strata = Enumerable.Range(0, n).Select(i => (int)Math.Floor(p[i][k] * n)).OrderBy(s => s);
            Assert.Equal(Enumerable.Range(0, n), strata);
        }
    }

    [Fact]
    public void Sobol_starts_with_the_published_points()
    {
        // Unscrambled 2-D Sobol' in Gray-code order (as scipy.stats.qmc.Sobol(scramble=False)).
        double[,] expected = { { 0, 0 }, { 0.5, 0.5 }, { 0.75, 0.25 }, { 0.25, 0.75 }, { 0.375, 0.375 }, { 0.875, 0.875 }, { 0.625, 0.125 }, { 0.125, 0.625 } };
        var p = UnitCubeSampler.Sample(SamplingMethod.Sobol, 8, 2, seed: 0);
        for (int i = 0; i < 8; i++)
            for (int k = 0; k < 2; k++) Assert.Equal(expected[i, k], p[i][k]);
        // Dimension 3 (s = 2, a = 1, m = 1, 3): 0, 1/2, 1/4, 3/4, 5/8, 1/8, 7/8, 3/8.
        var q = UnitCubeSampler.Sample(SamplingMethod.Sobol, 8, 3, seed: 0);
        Assert.Equal([0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375], Enumerable.Range(0, 8).Select(i => q[i][2]));
    }

    [Fact]
    public void Halton_starts_with_the_radical_inverses()
    {
        var p = UnitCubeSampler.Sample(SamplingMethod.Halton, 6, 2, seed: 0);
        Assert.Equal([0, 0.5, 0.25, 0.75, 0.125, 0.625], Enumerable.Range(0, 6).Select(i => p[i][0]));
        var third = 1.0 / 3;
        double[] base3 = [0, third, 2 * third, third / 3, third + third / 3, 2 * third + third / 3];
        for (int i = 0; i < 6; i++) Assert.Equal(base3[i], p[i][1], 1e-15);
    }

    /// <summary>Warnock's closed form of the L2 star discrepancy.</summary>
    private static double L2Star(PointSet p)
    {
        int n = p.Count, d = p.Dimension;
        double a = Math.Pow(3, -d), b = 0, c = 0;
        for (int i = 0; i < n; i++)
        {
            double prod = 1;
            for (int k = 0; k < d; k++) prod *= (1 - p[i][k] * p[i][k]) / 2;
            b += prod;
            for (int j = 0; j < n; j++)
            {
                double q = 1;
                for (int k = 0; k < d; k++) q *= 1 - Math.Max(p[i][k], p[j][k]);
                c += q;
            }
        }
        return Math.Sqrt(a - 2.0 / n * b + c / ((double)n * n));
    }

    [Theory]
    [InlineData(SamplingMethod.Sobol)]
    [InlineData(SamplingMethod.Halton)]
    [InlineData(SamplingMethod.LatinHypercube)]
    public void Stratified_and_quasi_random_points_have_lower_discrepancy_than_uniform(SamplingMethod method)
    {
        double uniform = Enumerable.Range(1, 5).Select(s => L2Star(UnitCubeSampler.Sample(SamplingMethod.Uniform, 256, 2, (ulong)s))).Average();
        double other = Enumerable.Range(1, 5).Select(s => L2Star(UnitCubeSampler.Sample(method, 256, 2, (ulong)s))).Average();
        Assert.True(other < 0.6 * uniform, $"{method}: L2* {other:E3} vs uniform {uniform:E3}");
    }

    [Theory]
    [InlineData(SamplingMethod.Uniform)]
    [InlineData(SamplingMethod.LatinHypercube)]
    [InlineData(SamplingMethod.Sobol)]
    [InlineData(SamplingMethod.Halton)]
    public void Same_seed_same_points_other_seed_other_points(SamplingMethod method)
    {
        var g = new Rectangle(0, 0, 1, 2).Difference(new Disk(0.5, 1, 0.3));
        Assert.Equal(g.SampleInterior(100, method, 5).Data, g.SampleInterior(100, method, 5).Data);
        Assert.NotEqual(g.SampleInterior(100, method, 5).Data, g.SampleInterior(100, method, 6).Data);
    }

    [Fact]
    public void Normals_point_outwards()
    {
        var n = new double[2];
        new Disk(1, 1, 2).Normal([1, 3], n);
        Assert.Equal(0, n[0], 1e-12);
        Assert.Equal(1, n[1], 1e-12);
        new Rectangle(0, 0, 2, 1).Normal([0, 0.5], n);
        Assert.Equal([-1.0, 0.0], n);
        new Rectangle(-1, -1, 1, 1).Difference(new Disk(0, 0, 0.5)).Normal([0.5, 0], n);
        Assert.Equal(-1, n[0], 1e-12); // on the hole: out of the domain = towards the hole's centre
        var st = new SpaceTimeDomain(new Interval(-1, 1), 0, 1);
        var b = st.SampleBoundary(10, SamplingMethod.Sobol, 1);
        var normals = st.Normals(b);
        for (int i = 0; i < b.Count; i++)
        {
            Assert.Equal(Math.Sign(b[i][0]), normals[i][0]);
            Assert.Equal(0, normals[i][1]);
        }
        var init = st.SampleInitial(16, SamplingMethod.Halton, 0);
        for (int i = 0; i < 16; i++) Assert.Equal(0, init[i][1]);
    }
}
