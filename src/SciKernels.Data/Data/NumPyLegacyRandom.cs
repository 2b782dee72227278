namespace SciKernels.Data;

/// <summary>
/// The draw stream of NumPy's legacy global generator (<c>np.random.seed(s)</c> followed by
/// <c>random_sample</c> and <c>randn</c>): Mersenne Twister MT19937 seeded by <c>init_genrand</c>, 53-bit doubles
/// from two 32-bit outputs, and standard normals by the polar Box–Muller method that keeps the second value of
/// each pair for the next call. Exists so that data sets published as "generated with seed s" by NumPy scripts
/// (such as the EGNN paper's N-body set) can be regenerated here draw for draw.
/// </summary>
/// <remarks>Not a general-purpose generator: use <see cref="SciKernels.Random.Generator"/> for everything else.</remarks>
public sealed class NumPyLegacyRandom
{
    private const int N = 624, M = 397;
    private readonly uint[] mt = new uint[N];
    private int index;
    private bool hasGauss;
    private double gauss;

    /// <summary>The state of <c>np.random.seed(seed)</c> for an integer seed in [0, 2³²).</summary>
    /// <param name="seed">The NumPy seed.</param>
    public NumPyLegacyRandom(uint seed)
    {
        mt[0] = seed;
        for (int i = 1; i < N; i++)
            mt[i] = unchecked(1812433253u * (mt[i - 1] ^ (mt[i - 1] >> 30)) + (uint)i);
        index = N;
    }

    /// <summary>The next 32-bit output of MT19937 (<c>genrand_int32</c>).</summary>
    public uint NextUInt32()
    {
        if (index >= N) Twist();
        uint y = mt[index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680u;
        y ^= (y << 15) & 0xEFC60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits, as <c>np.random.random_sample()</c>.</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>A standard normal, as one element of <c>np.random.randn(…)</c> (the polar method with a cached spare).</summary>
    public double NextNormal()
    {
        if (hasGauss)
        {
            hasGauss = false;
            return gauss;
        }
        double x1, x2, r2;
        do
        {
            x1 = 2.0 * NextDouble() - 1.0;
            x2 = 2.0 * NextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        }
        while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /// <summary>Draws and discards <paramref name="count"/> normals (e.g. the zero-variance noise the reference still draws).</summary>
    public void SkipNormals(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (int i = 0; i < count; i++) NextNormal();
    }

    private void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (mt[i] & 0x80000000u) | (mt[(i + 1) % N] & 0x7FFFFFFFu);
            uint next = mt[(i + M) % N] ^ (y >> 1);
            mt[i] = (y & 1u) != 0 ? next ^ 0x9908B0DFu : next;
        }
        index = 0;
    }
}
