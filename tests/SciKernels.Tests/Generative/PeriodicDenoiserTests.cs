using FsCheck.Xunit;
using SciKernels.Generative.Crystals;
using SciKernels.Random;
using Xunit;

using SciKernels.Tests.Crystals;

namespace SciKernels.Tests.Generative;

/// <summary>
/// Symmetries of the periodic denoiser in float64: atom permutations permute the fractional output and leave
/// the lattice output unchanged; translating (and wrapping) fractional coordinates changes nothing; rotating
/// or reflecting the Cartesian frame (lattice rows L → L Qᵀ) leaves the fractional output unchanged and
/// rotates the lattice output.
/// </summary>
public sealed class PeriodicDenoiserTests
{
    private const int K = 2;
    private static readonly int[] Counts = [3, 5];

    private sealed record Input(double[] Frac, int[] Types, double[] Lattice, double[] Time);

    private static Input Draw(System.Random rng)
    {
        int n = Counts.Sum();
        var frac = Enumerable.Range(0, 3 * n).Select(_ => rng.NextDouble()).ToArray();
        var types = Enumerable.Range(0, n).Select(_ => rng.Next(K)).ToArray();
        var lattice = Enumerable.Range(0, 9 * Counts.Length).Select(i => (i % 9 % 4 == 0 ? 1.0 : 0) + 0.4 * (rng.NextDouble() - 0.5)).ToArray();
        var time = Counts.Select(_ => rng.NextDouble()).ToArray();
        return new Input(frac, types, lattice, time);
    }

    private static (double[] Score, double[] Lattice) Run(PeriodicDenoiser model, Input x)
    {
        int n = x.Types.Length;
        var onehot = new double[n * K];
        for (int i = 0; i < n; i++) onehot[i * K + x.Types[i]] = 1;
        var graph = new CrystalGraph(Counts);
        var (s, l) = model.Forward(Tensor.FromDoubles(x.Frac, [n, 3], DType.Float64), Tensor.FromDoubles(onehot, [n, K], DType.Float64),
            Tensor.FromDoubles(x.Lattice, [Counts.Length, 3, 3], DType.Float64), Tensor.FromDoubles(x.Time, [Counts.Length], DType.Float64), graph);
        return (s.ToArray<double>(), l.ToArray<double>());
    }

    private static PeriodicDenoiser Model(int seed) => new(K, 16, 2, new Generator((ulong)(uint)seed), frequencies: 4, timeFrequencies: 4, dtype: DType.Float64);

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 1e-3, $"{what}: outputs too small ({scale}) for the test to see anything");
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-10 * scale, $"{what}: [{k}] {expected[k]:R} vs {actual[k]:R}");
    }

    [Property(MaxTest = 10)]
    public void PermutingAtomsPermutesTheScore(int seed)
    {
        var rng = new System.Random(seed);
        var model = Model(seed);
        var x = Draw(rng);
        // A permutation within each crystal (atoms stay in their crystal).
        var perm = new int[x.Types.Length];
        int o = 0;
        foreach (int c in Counts)
        {
            var p = Enumerable.Range(o, c).OrderBy(_ => rng.Next()).ToArray();
            Array.Copy(p, 0, perm, o, c);
            o += c;
        }
        var y = new Input(perm.SelectMany(i => x.Frac.Skip(3 * i).Take(3)).ToArray(), perm.Select(i => x.Types[i]).ToArray(), x.Lattice, x.Time);
        var (s0, l0) = Run(model, x);
        var (s1, l1) = Run(model, y);
        AssertClose(perm.SelectMany(i => s0.Skip(3 * i).Take(3)).ToArray(), s1, "score");
        AssertClose(l0, l1, "lattice");
    }

    [Property(MaxTest = 10)]
    public void TranslatingFractionalCoordinatesChangesNothing(int seed)
    {
        var rng = new System.Random(seed);
        var model = Model(seed);
        var x = Draw(rng);
        // One shift per crystal, plus whole periods per coordinate (wrapping).
        var frac = (double[])x.Frac.Clone();
        int o = 0;
        foreach (int c in Counts)
        {
            double[] shift = [rng.NextDouble(), rng.NextDouble(), rng.NextDouble()];
            for (int i = o; i < o + c; i++)
                for (int d = 0; d < 3; d++) frac[3 * i + d] += shift[d] + rng.Next(-2, 3);
            o += c;
        }
        var (s0, l0) = Run(model, x);
        var (s1, l1) = Run(model, x with { Frac = frac });
        AssertClose(s0, s1, "score");
        AssertClose(l0, l1, "lattice");
    }

    [Property(MaxTest = 10)]
    public void RotatingTheFrameRotatesOnlyTheLatticeOutput(int seed, bool reflect)
    {
        var rng = new System.Random(seed);
        var model = Model(seed);
        var x = Draw(rng);
        var q = CrystalTestSupport.Orthogonal(rng, reflect);
        var (s0, l0) = Run(model, x);
        var (s1, l1) = Run(model, x with { Lattice = RotateRows(x.Lattice, q) });
        AssertClose(s0, s1, "score");
        AssertClose(RotateRows(l0, q), l1, "lattice");
    }

    [Fact]
    public void OutputsDependOnTheLatticeAndTheTypes()
    {
        // Guards the symmetry tests against a model that ignores its inputs.
        var rng = new System.Random(3);
        var model = Model(3);
        var x = Draw(rng);
        var (s0, l0) = Run(model, x);
        var stretched = x.Lattice.Select((v, i) => i % 9 < 3 ? 1.3 * v : v).ToArray();
        var (s1, l1) = Run(model, x with { Lattice = stretched });
        Assert.True(s0.Zip(s1).Max(p => Math.Abs(p.First - p.Second)) > 1e-6);
        Assert.True(l0.Zip(l1).Max(p => Math.Abs(p.First - p.Second)) > 1e-6);
        var (s2, _) = Run(model, x with { Types = x.Types.Select(t => 1 - t).ToArray() });
        Assert.True(s0.Zip(s2).Max(p => Math.Abs(p.First - p.Second)) > 1e-6);
    }

    [Fact]
    public void BadShapesAreErrors()
    {
        var model = Model(1);
        var graph = new CrystalGraph(Counts);
        var e = Assert.Throws<TensorException>(() => model.Forward(Tensor.Zeros([7, 3], DType.Float64), Tensor.Zeros([8, K], DType.Float64),
            Tensor.Zeros([2, 3, 3], DType.Float64), Tensor.Zeros([2], DType.Float64), graph));
        Assert.Contains("[8, 3]", e.Message);
        Assert.Throws<ArgumentException>(() => new CrystalGraph([3, 0]));
    }

    /// <summary>Rows of each 3×3 block times Qᵀ.</summary>
    private static double[] RotateRows(double[] l, double[] q)
    {
        var y = new double[l.Length];
        for (int b = 0; b < l.Length / 9; b++)
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    y[9 * b + 3 * r + c] = l[9 * b + 3 * r] * q[3 * c] + l[9 * b + 3 * r + 1] * q[3 * c + 1] + l[9 * b + 3 * r + 2] * q[3 * c + 2];
        return y;
    }
}
