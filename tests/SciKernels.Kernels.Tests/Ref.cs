using SciKernels.Kernels.Layout;

namespace SciKernels.Kernels.Tests;

/// <summary>Straightforward host references and random helpers.</summary>
public static class Ref
{
    public static double[] Rand(System.Random rng, int n, double lo = -2, double hi = 2) =>
        Enumerable.Range(0, n).Select(_ => Math.Round(lo + (hi - lo) * rng.NextDouble(), 3)).ToArray();

    public static int[] RandShape(System.Random rng, int rank, int maxDim = 5) =>
        Enumerable.Range(0, rank).Select(_ => rng.Next(1, maxDim + 1)).ToArray();

    public static int[] Contiguous(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    public static int Prod(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    /// <summary>Offset of multi-index of linear row-major index <paramref name="l"/> under strides.</summary>
    public static int Offset(int[] shape, int[] strides, int offset, int l)
    {
        int off = offset;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            int c = l % shape[d];
            l /= shape[d];
            off += c * strides[d];
        }
        return off;
    }

    public static float[] F(double[] x) => x.Select(v => (float)v).ToArray();
}
