namespace SciKernels.Random;

/// <summary>
/// Seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64). Same seed, same
/// sequence, on every machine and thread count: tensors are filled sequentially on the host.
/// </summary>
public sealed class Generator
{
    private ulong s0, s1, s2, s3;
    private double spareNormal;
    private bool hasSpare;

    /// <summary>Creates a generator from a seed.</summary>
    public Generator(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>The seed this generator started from.</summary>
    public ulong Seed { get; }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public long NextInt64(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        // Rejection sampling keeps the distribution exactly uniform.
        ulong un = (ulong)n;
        ulong limit = ulong.MaxValue - ulong.MaxValue % un;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (long)(r % un);
    }

    /// <summary>Standard normal sample (Box–Muller, polar form).</summary>
    public double NextNormal()
    {
        if (hasSpare)
        {
            hasSpare = false;
            return spareNormal;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        double m = Math.Sqrt(-2 * Math.Log(s) / s);
        spareNormal = v * m;
        hasSpare = true;
        return u * m;
    }

    /// <summary>Fills <paramref name="dst"/> with uniform values in [low, high).</summary>
    public void FillUniform(Span<double> dst, double low = 0, double high = 1)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = low + (high - low) * NextDouble();
    }

    /// <summary>Fills <paramref name="dst"/> with normal values of the given mean and standard deviation.</summary>
    public void FillNormal(Span<double> dst, double mean = 0, double std = 1)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = mean + std * NextNormal();
    }

    /// <summary>A random permutation of 0..n-1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)NextInt64(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
