using System.Reflection;
using SciKernels.Functions;
using Xunit;

namespace SciKernels.Tests.Core;

/// <summary>
/// Every element-wise function of the registry (<see cref="UnaryFunctions"/>) against itself: the
/// scalar derivative forms against float64 central differences, the tensor forms and the autodiff
/// rules (reverse and forward first order, second to fourth order by repeated backward) against the
/// scalar forms, and the CPU vector paths against the scalar forms the device kernels compile.
/// </summary>
public class UnaryFunctionTests
{
    /// <summary>One row per function: the interval its points are drawn from (inside its domain).</summary>
    public static TheoryData<Type, double, double> Rows => new()
    {
        { typeof(Functions.Exp), -3, 3 },
        { typeof(Functions.Log), 0.2, 4 },
        { typeof(Functions.Sqrt), 0.2, 4 },
        { typeof(Functions.Sin), -3, 3 },
        { typeof(Functions.Cos), -3, 3 },
        { typeof(Functions.Tanh), -3, 3 },
        { typeof(Functions.Sigmoid), -5, 5 },
        { typeof(Functions.Softplus), -5, 5 },
        { typeof(Functions.Erf), -2.5, 2.5 },
        { typeof(Functions.Gelu), -4, 4 },
        { typeof(Functions.Relu), -3, 3 },
    };

    [Fact]
    public void EveryRegisteredFunction_HasATestRow()
    {
        var rows = Rows.Select(r => (Type)r[0]).ToHashSet();
        Assert.All(UnaryFunctions.All, f => Assert.True(rows.Contains(f), $"{f.Name} has no row in {nameof(UnaryFunctionTests)}.{nameof(Rows)}"));
        Assert.Equal(UnaryFunctions.All.Count, UnaryFunctions.All.Select(Op).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void ScalarDerivatives_MatchCentralDifferences(Type f, double lo, double hi) => Run(nameof(CentralDifferences), f, lo, hi);

    [Theory]
    [MemberData(nameof(Rows))]
    public void AutodiffRules_MatchScalarDerivatives(Type f, double lo, double hi) => Run(nameof(Autodiff), f, lo, hi);

    [Theory]
    [MemberData(nameof(Rows))]
    public void CpuVectorPaths_MatchScalarForms(Type f, double lo, double hi) => Run(nameof(CpuPaths), f, lo, hi);

    internal static Backends.UnaryOp Op(Type f) => (Backends.UnaryOp)f.GetProperty(nameof(IUnaryFunction.Op), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    private static void Run(string check, Type f, double lo, double hi) =>
        typeof(UnaryFunctionTests).GetMethod(check, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(f).Invoke(null, new object[] { lo, hi });

    /// <summary>Nine points spread over [lo, hi], none on a grid point (relu's kink at 0 stays clear of them).</summary>
    private static double[] Points(double lo, double hi) => Enumerable.Range(0, 9).Select(i => lo + (i + 0.37) * (hi - lo) / 9).ToArray();

    private static void Close(double expected, double actual, double tol, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    private static void CentralDifferences<F>(double lo, double hi) where F : struct, IUnaryFunction
    {
        const double h = 1e-5;
        double D1(double x) => F.D1(x, F.Value(x));
        double D2(double x) => F.D2(x, F.Value(x));
        foreach (double x in Points(lo, hi))
        {
            double y = F.Value(x);
            Close((F.Value(x + h) - F.Value(x - h)) / (2 * h), F.D1(x, y), 1e-7, $"{typeof(F).Name}′({x})");
            Close((D1(x + h) - D1(x - h)) / (2 * h), F.D2(x, y), 1e-7, $"{typeof(F).Name}″({x})");
            Close((D2(x + h) - D2(x - h)) / (2 * h), F.D3(x, y), 1e-7, $"{typeof(F).Name}‴({x})");
            // the single-precision forms the float kernels use
            Close(F.D1(x, y), F.D1((float)x, (float)y), 2e-5, $"{typeof(F).Name}′({x}) in float");
            Close(y, F.Value((float)x), 2e-6, $"{typeof(F).Name}({x}) in float");
        }
    }

    private static void Autodiff<F>(double lo, double hi) where F : struct, IUnaryFunction
    {
        using var scope = TensorScope.Begin();
        var pts = Points(lo, hi);
        var x = Tensor.FromDoubles(pts, new[] { pts.Length }, DType.Float64).RequiresGrad_();
        var y = x.Apply<F>();
        var g1 = SciKernels.Autodiff.Grad(y.Sum(), x, createGraph: true);
        var g2 = SciKernels.Autodiff.Grad(g1.Sum(), x, createGraph: true);
        var g3 = SciKernels.Autodiff.Grad(g2.Sum(), x, createGraph: true);
        var g4 = SciKernels.Autodiff.Grad(g3.Sum(), x);
        var (_, jvp) = SciKernels.Autodiff.Jvp(t => t.Apply<F>(), x.Detach(), Tensor.OnesLike(x));
        Tensor xd = x.Detach(), yd = y.Detach();
        var (t1, t2, t3) = (F.D1(xd, yd).Expand(pts.Length).ToArray<double>(), F.D2(xd, yd).Expand(pts.Length).ToArray<double>(), F.D3(xd, yd).Expand(pts.Length).ToArray<double>());
        var (r1, r2, r3, f1) = (g1.ToArray<double>(), g2.ToArray<double>(), g3.ToArray<double>(), jvp.ToArray<double>());
        var r4 = g4.ToArray<double>();
        const double h = 1e-5;
        for (int i = 0; i < pts.Length; i++)
        {
            double xi = pts[i], yi = F.Value(xi);
            string at = $"{typeof(F).Name} at {xi}";
            Close(F.D1(xi, yi), r1[i], 1e-12, $"reverse d1, {at}");
            Close(F.D1(xi, yi), f1[i], 1e-12, $"forward d1, {at}");
            Close(F.D2(xi, yi), r2[i], 1e-12, $"double backward d2, {at}");
            Close(F.D3(xi, yi), r3[i], 1e-11, $"triple backward d3, {at}");
            // fourth order: past the scalar forms, the forward-mode derivative of the tensor form of F‴
            Close((F.D3(xi + h, F.Value(xi + h)) - F.D3(xi - h, F.Value(xi - h))) / (2 * h), r4[i], 1e-6, $"quadruple backward d4, {at}");
            Close(F.D1(xi, yi), t1[i], 1e-12, $"tensor d1, {at}");
            Close(F.D2(xi, yi), t2[i], 1e-12, $"tensor d2, {at}");
            Close(F.D3(xi, yi), t3[i], 1e-11, $"tensor d3, {at}");
        }
    }

    private static void CpuPaths<F>(double lo, double hi) where F : struct, IUnaryFunction
    {
        // 67 points: the SIMD bodies and a scalar tail
        var rng = new System.Random(7);
        var x = Enumerable.Range(0, 67).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray();
        var g = Enumerable.Range(0, 67).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        var y = new double[67];
        var r = new double[67];
        UnaryLoops.Apply<F, double>(x, y);
        UnaryLoops.Backward<F, double>(x, y, g, r);
        for (int i = 0; i < x.Length; i++)
        {
            Close(F.Value(x[i]), y[i], 1e-13, $"{typeof(F).Name} double vector path at {x[i]}");
            Close(g[i] * F.D1(x[i], y[i]), r[i], 1e-13, $"{typeof(F).Name} double backward path at {x[i]}");
        }
        var xf = x.Select(v => (float)v).ToArray();
        var gf = g.Select(v => (float)v).ToArray();
        var yf = new float[67];
        var rf = new float[67];
        UnaryLoops.Apply<F, float>(xf, yf);
        UnaryLoops.Backward<F, float>(xf, yf, gf, rf);
        for (int i = 0; i < x.Length; i++)
        {
            Close(F.Value(xf[i]), yf[i], 2e-6, $"{typeof(F).Name} float vector path at {xf[i]}");
            Close(gf[i] * F.D1(xf[i], yf[i]), rf[i], 2e-6, $"{typeof(F).Name} float backward path at {xf[i]}");
        }
    }
}
