using SciKernels.Diagnostics;
using SciKernels.Irreps;
using SciKernels.Random;
using SciKernels.Tests.Equivariant.TensorProducts;
using Xunit;

namespace SciKernels.Tests.Irreps;

/// <summary>Spherical harmonics, Wigner D and Clebsch–Gordan coefficients: their defining properties in float64.</summary>
public class IrrepsAlgebraTests
{
    private static double[] Apply(double[,] m, ReadOnlySpan<double> v)
    {
        var r = new double[m.GetLength(0)];
        for (int i = 0; i < r.Length; i++)
            for (int j = 0; j < v.Length; j++) r[i] += m[i, j] * v[j];
        return r;
    }

    private static double[,] MatMul(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var c = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                for (int p = 0; p < k; p++) c[i, j] += a[i, p] * b[p, j];
        return c;
    }

    private static double[] Sh(double x, double y, double z, int lmax)
    {
        var r = new double[SphericalHarmonics.Dimension(lmax)];
        SphericalHarmonics.Evaluate(x, y, z, lmax, r);
        return r;
    }

    [Fact]
    public void LowDegreesAreE3nnsPolynomials()
    {
        double x = 0.3, y = -0.7, z = 0.5;
        var s = Sh(x, y, z, 2);
        Assert.Equal(1, s[0], 14);
        Assert.Equal(Math.Sqrt(3) * x, s[1], 14);
        Assert.Equal(Math.Sqrt(3) * y, s[2], 14);
        Assert.Equal(Math.Sqrt(3) * z, s[3], 14);
        Assert.Equal(Math.Sqrt(15) * x * z, s[4], 14);
        Assert.Equal(Math.Sqrt(15) * x * y, s[5], 14);
        Assert.Equal(Math.Sqrt(5) * (y * y - 0.5 * (x * x + z * z)), s[6], 14);
        Assert.Equal(Math.Sqrt(15) * y * z, s[7], 14);
        Assert.Equal(0.5 * Math.Sqrt(15) * (z * z - x * x), s[8], 14);
    }

    [Fact]
    public void HarmonicsAreOrthogonalWithComponentNormalization()
    {
        // Gauss–Legendre in the polar cosine × uniform azimuth is exact for these degree ≤ 16 products.
        const int lmax = 8, nt = 12, np = 24;
        var (nodes, weights) = GaussLegendre(nt);
        int d = SphericalHarmonics.Dimension(lmax);
        var gram = new double[d, d];
        var y = new double[d];
        for (int a = 0; a < nt; a++)
            for (int b = 0; b < np; b++)
            {
                double c = nodes[a], s = Math.Sqrt(1 - c * c), phi = 2 * Math.PI * b / np, w = weights[a] / 2 / np;
                SphericalHarmonics.Evaluate(s * Math.Cos(phi), c, s * Math.Sin(phi), lmax, y);
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) gram[i, j] += w * y[i] * y[j];
            }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                Assert.True(Math.Abs(gram[i, j] - (i == j ? 1 : 0)) < 1e-12, $"mean of Y{i}·Y{j} = {gram[i, j]}");
    }

    private static (double[] Nodes, double[] Weights) GaussLegendre(int n)
    {
        var x = new double[n];
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            double t = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5)), dp = 0;
            for (int it = 0; it < 100; it++)
            {
                double p0 = 1, p1 = t;
                for (int k = 2; k <= n; k++) (p0, p1) = (p1, ((2 * k - 1) * t * p1 - (k - 1) * p0) / k);
                dp = n * (t * p1 - p0) / (t * t - 1);
                double dt = p1 / dp;
                t -= dt;
                if (Math.Abs(dt) < 1e-16) break;
            }
            x[i] = t;
            w[i] = 2 / ((1 - t * t) * dp * dp);
        }
        return (x, w);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HarmonicsAreEquivariantUnderRotationsAndReflections(bool reflection)
    {
        var rng = new System.Random(5);
        const int lmax = 8;
        for (int trial = 0; trial < 5; trial++)
        {
            var r = IrrepsTestSupport.RandomOrthogonal(rng, reflection);
            var d = WignerD.BlockDiagonal(lmax, r);
            for (int p = 0; p < 5; p++)
            {
                double[] v = [IrrepsTestSupport.Gaussian(rng), IrrepsTestSupport.Gaussian(rng), IrrepsTestSupport.Gaussian(rng)];
                var rv = Apply(r, v);
                var left = Sh(rv[0], rv[1], rv[2], lmax);
                var right = Apply(d, Sh(v[0], v[1], v[2], lmax));
                double scale = 1 + left.Max(Math.Abs);
                for (int i = 0; i < left.Length; i++) Assert.True(Math.Abs(left[i] - right[i]) < 1e-12 * scale, $"component {i}: {left[i]} vs {right[i]}");
            }
        }
    }

    [Fact]
    public void WignerDIsAnOrthogonalRepresentationWithDegreeOneEqualToR()
    {
        var rng = new System.Random(6);
        var r1 = IrrepsTestSupport.RandomOrthogonal(rng, false);
        var r2 = IrrepsTestSupport.RandomOrthogonal(rng, true);
        var d1 = WignerD.Matrix(1, r1);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) Assert.Equal(r1[i, j], d1[i, j], 13);
        for (int l = 0; l <= SphericalHarmonics.MaxDegree; l++)
        {
            var product = WignerD.Matrix(l, MatMul(r1, r2));
            var composed = MatMul(WignerD.Matrix(l, r1), WignerD.Matrix(l, r2));
            var inversion = WignerD.Matrix(l, new double[,] { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, -1 } });
            var a = WignerD.Matrix(l, r2);
            for (int i = 0; i < 2 * l + 1; i++)
                for (int j = 0; j < 2 * l + 1; j++)
                {
                    Assert.True(Math.Abs(product[i, j] - composed[i, j]) < 1e-12, $"l={l}: D(R1R2) ≠ D(R1)D(R2) at {i},{j}");
                    Assert.True(Math.Abs(inversion[i, j] - (i == j ? (l % 2 == 0 ? 1 : -1) : 0)) < 1e-12, $"l={l}: parity");
                    double dot = 0;
                    for (int k = 0; k < 2 * l + 1; k++) dot += a[k, i] * a[k, j];
                    Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-12, $"l={l}: DᵀD ≠ I");
                }
        }
    }

    public static TheoryData<int, int, int> Couplings()
    {
        var data = new TheoryData<int, int, int>();
        for (int a = 0; a <= 3; a++)
            for (int b = 0; b <= 3; b++)
                for (int c = Math.Abs(a - b); c <= Math.Min(3, a + b); c++) data.Add(a, b, c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Couplings))]
    public void ClebschGordanCouplingIsEquivariantAndNormalized(int l1, int l2, int l3)
    {
        var c = ClebschGordan.Real(l1, l2, l3);
        int d1 = 2 * l1 + 1, d2 = 2 * l2 + 1, d3 = 2 * l3 + 1;
        double norm = 0;
        foreach (var t in c) norm += t * t;
        Assert.Equal(1, norm, 12);
        var rng = new System.Random(100 * l1 + 10 * l2 + l3);
        foreach (bool reflection in new[] { false, true })
        {
            var r = IrrepsTestSupport.RandomOrthogonal(rng, reflection);
            var u = Enumerable.Range(0, d1).Select(_ => IrrepsTestSupport.Gaussian(rng)).ToArray();
            var v = Enumerable.Range(0, d2).Select(_ => IrrepsTestSupport.Gaussian(rng)).ToArray();
            var ru = Apply(WignerD.Matrix(l1, r), u);
            var rv = Apply(WignerD.Matrix(l2, r), v);
            var left = Couple(c, ru, rv);
            var right = Apply(WignerD.Matrix(l3, r), Couple(c, u, v));
            // Under a reflection the coupling of odd l1 + l2 + l3 flips sign (it is a pseudo-tensor).
            double parity = reflection && (l1 + l2 + l3) % 2 == 1 ? -1 : 1;
            for (int k = 0; k < d3; k++) Assert.True(Math.Abs(left[k] - parity * right[k]) < 1e-12, $"k={k}: {left[k]} vs {parity * right[k]}");
        }
    }

    private static double[] Couple(double[,,] c, double[] u, double[] v)
    {
        var w = new double[c.GetLength(2)];
        for (int i = 0; i < u.Length; i++)
            for (int j = 0; j < v.Length; j++)
                for (int k = 0; k < w.Length; k++) w[k] += c[i, j, k] * u[i] * v[j];
        return w;
    }

    [Fact]
    public void KnownCouplingsAreTheDotAndCrossProducts()
    {
        var dot = ClebschGordan.Real(1, 1, 0);
        var cross = ClebschGordan.Real(1, 1, 1);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(i == j ? 1 / Math.Sqrt(3) : 0, dot[i, j, 0], 13);
                for (int k = 0; k < 3; k++)
                {
                    // Levi-Civita / √6, the sign fixed by the first non-zero entry C[0,1,2] > 0
                    int eps = (i - j) * (j - k) * (k - i) / 2;
                    Assert.Equal(eps / Math.Sqrt(6), cross[i, j, k], 13);
                }
            }
    }

    [Fact]
    public void NextDegreeIsTheCouplingOfTheLastWithTheVector()
    {
        // Y^{l+1}(r) ∝ Σ C(l, 1, l+1) Y^l(r) r: the harmonics and the couplings agree.
        double[] r = [0.4, -0.2, 0.9];
        for (int l = 1; l <= 3; l++)
        {
            var c = ClebschGordan.Real(l, 1, l + 1);
            var s = Sh(r[0], r[1], r[2], l + 1);
            var coupled = Couple(c, s.AsSpan(SphericalHarmonics.Offset(l), 2 * l + 1).ToArray(), r);
            var next = s.AsSpan(SphericalHarmonics.Offset(l + 1), 2 * l + 3).ToArray();
            double ratio = next.Zip(coupled).Where(p => Math.Abs(p.Second) > 1e-6).Select(p => p.First / p.Second).First();
            for (int k = 0; k < next.Length; k++) Assert.True(Math.Abs(next[k] - ratio * coupled[k]) < 1e-12, $"l={l}, k={k}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TensorFormMatchesScalarFormAndGradientsCheckFirstAndSecondOrder(bool normalize)
    {
        var gen = new Generator(9);
        var v = Tensor.Randn([6, 3], gen, DType.Float64);
        const int lmax = 4;
        var sh = SphericalHarmonics.Compute(v, lmax, normalize).ToArray<double>();
        var rows = v.ToArray<double>();
        int d = SphericalHarmonics.Dimension(lmax);
        for (int n = 0; n < 6; n++)
        {
            double x = rows[3 * n], y = rows[3 * n + 1], z = rows[3 * n + 2], len = normalize ? Math.Sqrt(x * x + y * y + z * z) : 1;
            var expected = Sh(x / len, y / len, z / len, lmax);
            for (int i = 0; i < d; i++) Assert.True(Math.Abs(sh[n * d + i] - expected[i]) < 1e-12 * (1 + Math.Abs(expected[i])), $"row {n}, component {i}");
        }
        Tensor F(Tensor[] xs) => SphericalHarmonics.Compute(xs[0], 3, normalize);
        var small = Tensor.Randn([3, 3], gen, DType.Float64);
        var first = GradCheck.Check(F, [small]);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, [small]);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void BadInputIsRejectedWithTheProblemNamed()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SphericalHarmonics.Compute(Tensor.Zeros([2, 3]), 9));
        var shape = Assert.Throws<TensorException>(() => SphericalHarmonics.Compute(Tensor.Zeros([2, 2]), 2));
        Assert.Contains("[N, 3]", shape.Message);
        var triangle = Assert.Throws<ArgumentException>(() => ClebschGordan.Real(1, 1, 3));
        Assert.Contains("triangle", triangle.Message);
        Assert.Throws<ArgumentException>(() => WignerD.Matrix(1, new double[,] { { 1, 0, 0 }, { 0, 2, 0 }, { 0, 0, 1 } }));
        // a zero vector gives Y^0 = 1 and zeros, not NaN
        var zero = SphericalHarmonics.Compute(Tensor.Zeros([1, 3], DType.Float64), 2).ToArray<double>();
        Assert.Equal(new double[] { 1, 0, 0, 0, 0, 0, 0, 0, 0 }, zero);
    }
}
