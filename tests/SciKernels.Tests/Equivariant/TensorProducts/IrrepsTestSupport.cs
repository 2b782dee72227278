using SciKernels.Equivariant;
using SciKernels.Graphs;

namespace SciKernels.Tests.Equivariant.TensorProducts;

/// <summary>Random orthogonal matrices, random graphs and representations for the irreps-layer tests.</summary>
internal static class IrrepsTestSupport
{
    /// <summary>A random orthogonal matrix (QR of a Gaussian matrix); reflection forces det = −1.</summary>
    public static double[,] RandomOrthogonal(System.Random rng, bool reflection)
    {
        var q = new double[3, 3];
        for (int j = 0; j < 3; j++)
        {
            var v = new double[3];
            for (int i = 0; i < 3; i++) v[i] = Gaussian(rng);
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < 3; i++) dot += v[i] * q[i, k];
                for (int i = 0; i < 3; i++) v[i] -= dot * q[i, k];
            }
            double n = Math.Sqrt(v.Sum(t => t * t));
            for (int i = 0; i < 3; i++) q[i, j] = v[i] / n;
        }
        double det = q[0, 0] * (q[1, 1] * q[2, 2] - q[1, 2] * q[2, 1]) - q[0, 1] * (q[1, 0] * q[2, 2] - q[1, 2] * q[2, 0]) + q[0, 2] * (q[1, 0] * q[2, 1] - q[1, 1] * q[2, 0]);
        if ((det < 0) != reflection)
            for (int i = 0; i < 3; i++) q[i, 2] = -q[i, 2];
        return q;
    }

    public static double Gaussian(System.Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>x·Dᵀ for features x [rows, dim] and a representation D [dim, dim].</summary>
    public static Tensor Transform(Tensor x, double[,] d)
    {
        int n = d.GetLength(0);
        var flat = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) flat[i * n + j] = d[i, j];
        return x.MatMul(Tensor.FromDoubles(flat, [n, n], x.DType, x.Device).T);
    }

    /// <summary>
    /// A random directed multigraph on <paramref name="nodes"/> nodes: self-loops, repeated pairs and
    /// (when nodes ≥ 3) the last node with neither incoming nor outgoing edges.
    /// </summary>
    public static (long[] Senders, long[] Receivers) RandomPairs(System.Random rng, int nodes, int edges)
    {
        int live = nodes >= 3 ? nodes - 1 : nodes;
        var s = new long[edges];
        var r = new long[edges];
        for (int k = 0; k < edges; k++)
        {
            s[k] = rng.Next(live);
            r[k] = rng.Next(live);
        }
        if (edges > 2)
        {
            r[1] = s[1];            // a self-loop
            (s[2], r[2]) = (s[0], r[0]); // a repeated pair
        }
        return (s, r);
    }

    public static MessagePassing.EdgeIndex Index(long[] senders, long[] receivers, int nodes) => MessagePassing.EdgeIndex.FromPairs(senders, receivers, nodes);

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        var x = a.ToArray<double>();
        var y = b.ToArray<double>();
        Xunit.Assert.Equal(x.Length, y.Length);
        double m = 0;
        for (int i = 0; i < x.Length; i++) m = Math.Max(m, Math.Abs(x[i] - y[i]));
        return m;
    }

    public static double MaxAbs(Tensor a) => a.ToArray<double>().Select(Math.Abs).DefaultIfEmpty(0).Max();
}
