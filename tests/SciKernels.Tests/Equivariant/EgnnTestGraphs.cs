using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Equivariant;

/// <summary>Small random graphs, point sets and orthogonal matrices for the EGNN property tests.</summary>
internal static class EgnnTestGraphs
{
    /// <summary>A random directed graph on <paramref name="n"/> nodes: every ordered pair with probability p, in shuffled order; node n−1 gets no incoming edge.</summary>
    public static (long[] Senders, long[] Receivers) RandomEdges(int n, Generator gen, double p = 0.6)
    {
        var pairs = new List<(long S, long R)>();
        for (int r = 0; r < n - 1; r++)
            for (int s = 0; s < n; s++)
                if (s != r && gen.NextDouble() < p) pairs.Add((s, r));
        // Make sure every node but the last has at least one incoming edge.
        for (int r = 0; r < n - 1; r++)
            if (!pairs.Exists(e => e.R == r)) pairs.Add(((r + 1) % n, r));
        var order = gen.Permutation(pairs.Count);
        return (order.Select(i => pairs[i].S).ToArray(), order.Select(i => pairs[i].R).ToArray());
    }

    /// <summary>Values N(0, 1) as a float64 tensor of the given shape.</summary>
    public static Tensor Randn(Generator gen, params int[] shape) => Tensor.Randn(shape, gen, DType.Float64);

    /// <summary>
    /// A random orthogonal d×d matrix from the QR decomposition of a Gaussian matrix (Gram–Schmidt),
    /// with the sign of the first column chosen so that det Q = <paramref name="determinant"/> (±1).
    /// </summary>
    public static double[,] RandomOrthogonal(int d, Generator gen, int determinant)
    {
        var q = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                q[i, j] = gen.NextNormal();
        for (int j = 0; j < d; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < d; i++) dot += q[i, j] * q[i, k];
                for (int i = 0; i < d; i++) q[i, j] -= dot * q[i, k];
            }
            double norm = 0;
            for (int i = 0; i < d; i++) norm += q[i, j] * q[i, j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < d; i++) q[i, j] /= norm;
        }
        if (Math.Sign(Determinant(q)) != determinant)
            for (int i = 0; i < d; i++) q[i, 0] = -q[i, 0];
        return q;
    }

    /// <summary>Determinant by Gaussian elimination with partial pivoting.</summary>
    public static double Determinant(double[,] m)
    {
        int d = m.GetLength(0);
        var a = (double[,])m.Clone();
        double det = 1;
        for (int c = 0; c < d; c++)
        {
            int p = c;
            for (int r = c + 1; r < d; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[p, c])) p = r;
            if (p != c)
            {
                for (int k = 0; k < d; k++) (a[c, k], a[p, k]) = (a[p, k], a[c, k]);
                det = -det;
            }
            det *= a[c, c];
            for (int r = c + 1; r < d; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int k = c; k < d; k++) a[r, k] -= f * a[c, k];
            }
        }
        return det;
    }

    /// <summary>Rows of <paramref name="x"/> [N, D] mapped by x ↦ Q x + t.</summary>
    public static Tensor Transform(Tensor x, double[,] q, double[]? t = null)
    {
        int n = x.Shape[0], d = x.Shape[1];
        var v = x.ToArray<double>();
        var y = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
            {
                double s = t?[a] ?? 0;
                for (int b = 0; b < d; b++) s += q[a, b] * v[i * d + b];
                y[i * d + a] = s;
            }
        return Tensor.FromDoubles(y, [n, d], DType.Float64);
    }

    /// <summary>‖a − b‖ / max(‖b‖, 1e-300) over all elements.</summary>
    public static double RelativeError(Tensor a, Tensor b)
    {
        var x = a.ToArray<double>();
        var y = b.ToArray<double>();
        Assert.Equal(y.Length, x.Length);
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++)
        {
            num += (x[i] - y[i]) * (x[i] - y[i]);
            den += y[i] * y[i];
        }
        return Math.Sqrt(num) / Math.Max(Math.Sqrt(den), 1e-300);
    }

    /// <summary>An int64 index tensor.</summary>
    public static Tensor Index(long[] values) => Tensor.FromArray(values, values.Length);
}
