using SciKernels.Random;

namespace SciKernels.Pinn;

/// <summary>How collocation points are drawn in the unit cube [0, 1)ᵈ before a geometry maps them.</summary>
public enum SamplingMethod
{
    /// <summary>Independent uniform pseudo-random points.</summary>
    Uniform,
    /// <summary>Latin hypercube: every axis is cut into n strata and each stratum holds exactly one point.</summary>
    LatinHypercube,
    /// <summary>Sobol' low-discrepancy sequence (Joe–Kuo direction numbers, up to 21 dimensions), digitally shifted by the seed.</summary>
    Sobol,
    /// <summary>Halton low-discrepancy sequence (first primes as bases), rotated by the seed.</summary>
    Halton,
}

/// <summary>
/// Seeded, deterministic point sets in the unit cube. The same (method, n, dimension, seed) gives the
/// same points on every machine. Quasi-random sequences are unscrambled when <c>seed</c> is 0, so their
/// first points can be checked against published values; other seeds apply a random digital shift
/// (Sobol') or a Cranley–Patterson rotation (Halton), which keep the low discrepancy.
/// </summary>
public static class UnitCubeSampler
{
    /// <summary>Largest dimension the Sobol' generator supports.</summary>
    public const int MaxSobolDimension = 21;

    /// <summary>Draws <paramref name="n"/> points in [0, 1)^<paramref name="dimension"/>, row-major.</summary>
    public static PointSet Sample(SamplingMethod method, int n, int dimension, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        return method switch
        {
            SamplingMethod.Uniform => UniformPoints(n, dimension, seed),
            SamplingMethod.LatinHypercube => LatinHypercube(n, dimension, seed),
            SamplingMethod.Sobol => Sobol(n, dimension, seed),
            SamplingMethod.Halton => Halton(n, dimension, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
    }

    private static PointSet UniformPoints(int n, int dim, ulong seed)
    {
        var v = HostArrays.Doubles("UnitCubeSampler.Sample", n, dim, "points × dimensions");
        new Generator(seed).FillUniform(v);
        return new PointSet(v, dim);
    }

    /// <summary>Latin hypercube: per axis a random permutation of the strata, jittered inside each stratum.</summary>
    private static PointSet LatinHypercube(int n, int dim, ulong seed)
    {
        var gen = new Generator(seed);
        var v = HostArrays.Doubles("UnitCubeSampler.Sample", n, dim, "points × dimensions");
        for (int k = 0; k < dim; k++)
        {
            var perm = gen.Permutation(n);
            for (int i = 0; i < n; i++) v[i * dim + k] = (perm[i] + gen.NextDouble()) / n;
        }
        return new PointSet(v, dim);
    }

    // Joe & Kuo (2008) primitive polynomials (degree s, coefficients a) and initial direction numbers m
    // for dimensions 2..21; dimension 1 is the van der Corput sequence in base 2.
    private static readonly (int S, int A, int[] M)[] SobolTable =
    [
        (1, 0, [1]), (2, 1, [1, 3]), (3, 1, [1, 3, 1]), (3, 2, [1, 1, 1]), (4, 1, [1, 1, 3, 3]),
        (4, 4, [1, 3, 5, 13]), (5, 2, [1, 1, 5, 5, 17]), (5, 4, [1, 1, 5, 5, 5]), (5, 7, [1, 1, 7, 11, 19]),
        (5, 11, [1, 1, 5, 1, 1]), (5, 13, [1, 1, 1, 3, 11]), (5, 14, [1, 3, 5, 5, 31]),
        (6, 1, [1, 3, 3, 9, 7, 49]), (6, 13, [1, 1, 1, 15, 21, 21]), (6, 16, [1, 3, 1, 13, 27, 49]),
        (6, 19, [1, 1, 1, 15, 7, 5]), (6, 22, [1, 3, 1, 15, 13, 25]), (6, 25, [1, 1, 5, 5, 19, 61]),
        (7, 1, [1, 3, 7, 11, 23, 15, 103]), (7, 4, [1, 3, 7, 13, 13, 15, 69]),
    ];

    private const int SobolBits = 52;

    private static ulong[] DirectionNumbers(int k)
    {
        var v = new ulong[SobolBits];
        if (k == 0)
        {
            for (int i = 0; i < SobolBits; i++) v[i] = 1UL << (SobolBits - 1 - i);
            return v;
        }
        var (s, a, m) = SobolTable[k - 1];
        var mm = new ulong[SobolBits];
        for (int i = 0; i < s; i++) mm[i] = (ulong)m[i];
        for (int i = s; i < SobolBits; i++)
        {
            ulong x = mm[i - s] ^ (mm[i - s] << s);
            for (int j = 1; j < s; j++)
                if (((a >> (s - 1 - j)) & 1) != 0) x ^= mm[i - j] << j;
            mm[i] = x;
        }
        for (int i = 0; i < SobolBits; i++) v[i] = mm[i] << (SobolBits - 1 - i);
        return v;
    }

    /// <summary>Sobol' points in Gray-code order (Antonov–Saleev), starting at the origin.</summary>
    private static PointSet Sobol(int n, int dim, ulong seed)
    {
        if (dim > MaxSobolDimension) throw new ArgumentOutOfRangeException(nameof(dim), $"Sobol: at most {MaxSobolDimension} dimensions, got {dim}");
        var dirs = new ulong[dim][];
        for (int k = 0; k < dim; k++) dirs[k] = DirectionNumbers(k);
        var shift = new ulong[dim];
        if (seed != 0)
        {
            var gen = new Generator(seed);
            for (int k = 0; k < dim; k++) shift[k] = gen.NextUInt64() >> (64 - SobolBits);
        }
        var state = new ulong[dim];
        var v = HostArrays.Doubles("UnitCubeSampler.Sample", n, dim, "points × dimensions");
        const double scale = 1.0 / (1UL << SobolBits);
        for (int i = 0; i < n; i++)
        {
            if (i > 0)
            {
                int c = System.Numerics.BitOperations.TrailingZeroCount(~(uint)(i - 1)); // lowest zero bit of i − 1
                for (int k = 0; k < dim; k++) state[k] ^= dirs[k][c];
            }
            for (int k = 0; k < dim; k++) v[i * dim + k] = (state[k] ^ shift[k]) * scale;
        }
        return new PointSet(v, dim);
    }

    private static readonly int[] Primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];

    /// <summary>Halton points: coordinate k is the radical inverse of the index i (from 0) in the k-th prime base.</summary>
    private static PointSet Halton(int n, int dim, ulong seed)
    {
        if (dim > Primes.Length) throw new ArgumentOutOfRangeException(nameof(dim), $"Halton: at most {Primes.Length} dimensions, got {dim}");
        var rot = new double[dim];
        if (seed != 0) new Generator(seed).FillUniform(rot);
        var v = HostArrays.Doubles("UnitCubeSampler.Sample", n, dim, "points × dimensions");
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dim; k++)
            {
                double r = RadicalInverse(i, Primes[k]) + rot[k];
                v[i * dim + k] = r >= 1 ? r - 1 : r;
            }
        return new PointSet(v, dim);
    }

    /// <summary>The digits of <paramref name="i"/> in base <paramref name="b"/> mirrored about the radix point.</summary>
    public static double RadicalInverse(long i, int b)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfLessThan(b, 2);
        double f = 1, r = 0;
        while (i > 0)
        {
            f /= b;
            r += f * (i % b);
            i /= b;
        }
        return r;
    }
}
