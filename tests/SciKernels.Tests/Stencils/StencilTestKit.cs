using Xunit;
using SciKernels.Random;
using SciKernels.Stencils;

namespace SciKernels.Tests.Stencils;

/// <summary>Shared pieces of the stencil tests: the operator table, random grids and inner products.</summary>
internal static class StencilTestKit
{
    public static readonly string[] LinearOps = { "Gradient", "GradientUpwind", "Laplacian2", "Laplacian4", "Divergence" };

    public static readonly string[] BoundaryNames = { "periodic", "dirichlet", "neumann", "mixed" };

    public static Boundary[] Boundaries(string name, int d) => name switch
    {
        "periodic" => Enumerable.Repeat(Boundary.Periodic, d).ToArray(),
        "dirichlet" => Enumerable.Repeat(Boundary.Dirichlet(0.7), d).ToArray(),
        "neumann" => Enumerable.Repeat(Boundary.Neumann(-0.4), d).ToArray(),
        "mixed" => new[] { Boundary.Neumann(0.3), Boundary.Periodic, Boundary.Dirichlet(-1.1) }[..d],
        _ => throw new ArgumentException(name),
    };

    /// <summary>A random small grid: spacings in [0.5, 1.5), sizes in [2, 9].</summary>
    public static (StencilGrid Grid, int[] Spatial) RandomGrid(Generator gen, string boundary, int d, int minSize = 2)
    {
        var h = new double[d];
        var n = new int[d];
        for (int k = 0; k < d; k++)
        {
            h[k] = 0.5 + gen.NextDouble();
            n[k] = minSize + (int)gen.NextInt64(10 - minSize);
        }
        return (new StencilGrid(h, Boundaries(boundary, d)), n);
    }

    /// <summary>Input shape of a linear operator on a [2, (3,) spatial] batch.</summary>
    public static int[] InputShape(string op, int[] spatial, bool channels)
    {
        var lead = channels ? new[] { 2, 3 } : new[] { 2 };
        return op == "Divergence" ? lead.Append(spatial.Length).Concat(spatial).ToArray() : lead.Concat(spatial).ToArray();
    }

    /// <summary>The operator under test as a function of its (differentiable) input.</summary>
    public static Func<Tensor, Tensor> Operator(string op, StencilGrid grid, Tensor? velocity) => op switch
    {
        "Gradient" => x => Stencil.Gradient(x, grid),
        "GradientUpwind" => x => Stencil.GradientUpwind(x, velocity!, grid),
        "Laplacian2" => x => Stencil.Laplacian(x, grid, 2),
        "Laplacian4" => x => Stencil.Laplacian(x, grid, 4),
        "Divergence" => x => Stencil.Divergence(x, grid),
        _ => throw new ArgumentException(op),
    };

    public static double Dot(Tensor a, Tensor b)
    {
        var x = a.ToArray<double>();
        var y = b.ToArray<double>();
        Assert.Equal(x.Length, y.Length);
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    public static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (var v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    /// <summary>Samples f at the grid nodes x_k = origin_k + i_k·h_k into a [1, spatial] float64 tensor.</summary>
    public static Tensor Sample(int[] spatial, double[] origin, double[] h, Func<double[], double> f, DType dtype = DType.Float64)
    {
        int d = spatial.Length;
        long total = spatial.Aggregate(1L, (a, b) => a * b);
        var v = new double[total];
        var idx = new int[d];
        var x = new double[d];
        for (long p = 0; p < total; p++)
        {
            long r = p;
            for (int k = d - 1; k >= 0; k--) { idx[k] = (int)(r % spatial[k]); r /= spatial[k]; }
            for (int k = 0; k < d; k++) x[k] = origin[k] + idx[k] * h[k];
            v[p] = f(x);
        }
        return Tensor.FromDoubles(v, new[] { 1 }.Concat(spatial).ToArray(), dtype);
    }
}
