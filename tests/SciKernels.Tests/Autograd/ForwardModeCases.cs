using SciKernels.Autograd;
using SciKernels.Operators;
using SciKernels.Pinn;
using SciKernels.Random;
using SciKernels.Spectral;
using SciKernels.Stencils;
using SciKernels.Tests.Support;
using Xunit;

namespace SciKernels.Tests.Autograd;

/// <summary>
/// One function checked by the forward-mode tests: inputs drawn from a domain where it is smooth,
/// and whether every op in it has an explicit forward rule (else some use the generic fallback).
/// </summary>
public sealed record JvpCase(string Name, int[][] Shapes, Domain[] Domains, Func<Tensor[], Tensor> F, bool Explicit)
{
    /// <summary>The function rounds through float32: looser tolerances and a larger difference step.</summary>
    public bool Float32Path { get; init; }

    /// <summary>Random float64 inputs for this case.</summary>
    public Tensor[] Inputs(Generator gen) => Shapes.Select((s, i) => JvpCases.Sample(gen, s, Domains[Math.Min(i, Domains.Length - 1)])).ToArray();

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>The table of forward-mode cases and the helpers the tests share.</summary>
public static class JvpCases
{
    private static readonly Domain[] Any = { Domain.Any };

    private static JvpCase C(string name, int[][] shapes, Func<Tensor[], Tensor> f, bool isExplicit = true, params Domain[] domains) =>
        new(name, shapes, domains.Length == 0 ? Any : domains, f, isExplicit);

    private static int[][] S(params int[][] shapes) => shapes;

    /// <summary>uᵀ·∂f/∂x as a differentiable function of x and u (the backward of f's ops as a forward computation).</summary>
    private static Tensor VjpOf(Func<Tensor, Tensor> f, Tensor x, Tensor u) =>
        Autodiff.Vjp(a => new[] { f(a[0]) }, new[] { x }, new[] { u }, createGraph: true).Cotangents[0];

    private static Tensor Index(params long[] i) => Tensor.FromArray(i, i.Length);

    /// <summary>Every case, by name.</summary>
    public static IReadOnlyList<JvpCase> All { get; } = Build();

    /// <summary>Case names for <c>MemberData</c>.</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var d = new TheoryData<string>();
            foreach (var c in All) d.Add(c.Name);
            return d;
        }
    }

    /// <summary>The case called <paramref name="name"/>.</summary>
    public static JvpCase Get(string name) => All.Single(c => c.Name == name);

    private static List<JvpCase> Build()
    {
        var grid = StencilGrid.Periodic(0.25);
        var grid2 = new StencilGrid(Boundary.Dirichlet(0), 0.5, 0.25);
        var l = new List<JvpCase>
        {
            // binary arithmetic with broadcasting
            C("Add", S([3, 1], [4]), x => x[0].Add(x[1])),
            C("Sub", S([2, 3], [3]), x => x[0].Sub(x[1])),
            C("Mul", S([3, 1], [1, 4]), x => x[0].Mul(x[1])),
            C("Div", S([2, 3], [2, 1]), x => x[0].Div(x[1]), true, Domain.Any, Domain.AwayFromZero),
            C("PowTensor", S([2, 3], [3]), x => x[0].Pow(x[1]), true, Domain.Positive, Domain.Any),
            C("Maximum", S([2, 3], [3]), x => x[0].Maximum(x[1])),
            C("Minimum", S([3, 1], [3, 2]), x => x[0].Minimum(x[1])),
            // scalar forms and unary
            C("Affine", S([5]), x => x[0].Affine(-1.7, 0.3)),
            C("ScalarOperators", S([2, 3]), x => (x[0] + 1.5) * 2.0 - 3.0 / (x[0].Square() + 1.0)),
            C("PowScalar", S([2, 3]), x => x[0].Pow(2.5), true, Domain.Positive),
            C("Neg", S([4]), x => x[0].Neg()),
            C("Exp", S([2, 3]), x => x[0].Exp()),
            C("Log", S([2, 3]), x => x[0].Log(), true, Domain.Positive),
            C("Sqrt", S([2, 3]), x => x[0].Sqrt(), true, Domain.Positive),
            C("Abs", S([2, 3]), x => x[0].Abs(), true, Domain.AwayFromZero),
            C("Sin", S([2, 3]), x => x[0].Sin()),
            C("Cos", S([2, 3]), x => x[0].Cos()),
            C("Tanh", S([2, 3]), x => x[0].Tanh()),
            C("Sigmoid", S([2, 3]), x => x[0].Sigmoid()),
            C("Relu", S([2, 3]), x => x[0].Relu(), true, Domain.AwayFromZero),
            C("Softplus", S([2, 3]), x => x[0].Softplus()),
            C("Erf", S([2, 3]), x => x[0].Erf()),
            C("Gelu", S([2, 3]), x => x[0].Gelu()),
            C("Silu", S([2, 3]), x => x[0].Silu()),
            C("Square", S([2, 3]), x => x[0].Square()),
            C("Reciprocal", S([2, 3]), x => x[0].Reciprocal(), true, Domain.AwayFromZero),
            C("Clamp", S([3, 4]), x => x[0].Clamp(-0.75, 0.85)),
            // the fused derivative ops, reached through a gradient taken with createGraph
            C("TanhGrad", S([2, 3], [2, 3]), x => VjpOf(a => a.Tanh(), x[0], x[1])),
            C("SigmoidGrad", S([2, 3], [2, 3]), x => VjpOf(a => a.Sigmoid(), x[0], x[1])),
            C("GeluGrad", S([2, 3], [2, 3]), x => VjpOf(a => a.Gelu(), x[0], x[1])),
            C("NarrowBackward", S([4, 3], [4, 2]), x => VjpOf(a => a.Narrow(1, 1, 2), x[0], x[1]).Mul(x[0])),
            C("Where", S([3, 4], [4]), x => Tensor.Where(Tensor.FromDoubles(new double[] { 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1 }, [3, 4], DType.Float64), x[0], x[1].Sin())),
            // reductions
            C("SumAxes", S([2, 3, 4]), x => x[0].Sum([0, 2])),
            C("SumKeepDim", S([2, 3, 4]), x => x[0].Sum(1, keepDim: true)),
            C("SumAll", S([2, 3]), x => x[0].Sum()),
            C("Mean", S([2, 3, 4]), x => x[0].Mean([1])),
            C("MaxAxis", S([3, 4]), x => x[0].Max(1)),
            C("MinAll", S([3, 4]), x => x[0].Min()),
            C("Norm2", S([3, 4]), x => x[0].Norm(2, [1])),
            C("SumTo", S([2, 3, 4]), x => x[0].SumTo([3, 1])),
            // linear algebra
            C("MatMul2D", S([3, 4], [4, 2]), x => x[0].MatMul(x[1])),
            C("MatMulVector", S([3, 4], [4]), x => x[0].MatMul(x[1])),
            C("MatMulBatchedBroadcast", S([2, 1, 3, 4], [3, 4, 2]), x => x[0].MatMul(x[1])),
            C("BatchedMatMul", S([2, 3, 4], [2, 4, 2]), x => Tensor.BatchedMatMul(x[0], x[1])),
            C("Linear", S([5, 3], [4, 3], [4]), x => Tensor.Linear(x[0], x[1], x[2])),
            // views
            C("Reshape", S([2, 6]), x => x[0].Reshape(3, -1, 2)),
            C("ReshapeCopy", S([3, 4]), x => x[0].T.Reshape(12)),
            C("Permute", S([2, 3, 4]), x => x[0].Permute(2, 0, 1).Mul(x[0].Permute(2, 0, 1))),
            C("Transpose", S([3, 4]), x => x[0].Transpose(0, 1)),
            C("Narrow", S([4, 5]), x => x[0].Narrow(1, 1, 3)),
            C("Select", S([4, 5]), x => x[0].Select(0, 2)),
            C("Unsqueeze", S([4, 5]), x => x[0].Unsqueeze(1)),
            C("Squeeze", S([4, 1, 5]), x => x[0].Squeeze()),
            C("Expand", S([4, 1]), x => x[0].Expand(2, 4, 3)),
            C("Contiguous", S([3, 4]), x => x[0].T.Contiguous()),
            C("Clone", S([3, 4]), x => x[0].Clone()),
            C("Flatten", S([2, 3, 2]), x => x[0].Flatten(1)),
            C("ToDType", S([3, 4]), x => x[0].To(DType.Float32).To(DType.Float64)) with { Float32Path = true },
            // indexing
            C("IndexSelect", S([3, 4]), x => x[0].IndexSelect(1, Index(0, 2, 2, 3, 1))),
            C("Gather", S([3, 4]), x => x[0].Gather(1, Tensor.FromArray(new long[] { 0, 3, 3, 1, 2, 2 }, 3, 2))),
            C("IndexAdd", S([4, 3], [3, 3]), x => x[0].IndexAdd(0, Index(1, 3, 1), x[1])),
            C("ScatterAdd", S([3, 4], [3, 2]), x => x[0].ScatterAdd(1, Tensor.FromArray(new long[] { 0, 3, 3, 3, 2, 1 }, 3, 2), x[1])),
            C("SegmentSum", S([5, 2]), x => x[0].SegmentSum(Index(0, 0, 1, 3, 3), 4)),
            C("Concat", S([2, 3], [1, 3], [4, 3]), x => Tensor.Concat([x[0], x[1].Exp(), x[2]], 0)),
            C("Stack", S([2, 3], [2, 3]), x => Tensor.Stack([x[0], x[1]], 1)),
            // composites
            C("Mlp", S([5, 3], [4, 3], [4], [2, 4], [2]), x => Tensor.Linear(Tensor.Linear(x[0], x[1], x[2]).Tanh(), x[3], x[4]).Sigmoid()),
            C("MlpLoss", S([5, 3], [4, 3], [4], [1, 4]), x => Tensor.Linear(Tensor.Linear(x[0], x[1], x[2]).Gelu(), x[3]).Sub(0.5).Square().Mean()),
            C("BroadcastChain", S([3, 1], [4], [1]), x => x[0].Mul(x[1]).Add(x[2]).Exp().Div(x[1].Square().Add(1.0)).Sum(0)),
            C("ViewsAndReductions", S([2, 3, 4]), x => x[0].Permute(1, 2, 0).Narrow(1, 1, 2).Reshape(3, 4).Softplus().Max(1).Add(x[0].Mean([0, 2]))),
            C("Softmax", S([3, 4]), x =>
            {
                var e = x[0].Sub(x[0].Max(1, keepDim: true)).Exp();
                return e.Div(e.Sum(1, keepDim: true));
            }),
            // ops without an explicit rule: the generic fallback
            C("Rfft", S([3, 8]), x => Fourier.Rfft(x[0]), false),
            C("Irfft", S([2, 5, 2]), x => Fourier.Irfft(x[0], 8), false),
            C("Rfft2", S([2, 4, 6]), x => Fourier.Rfft2(x[0], FftNorm.Ortho), false),
            C("SpectralConv1d", S([2, 3, 16]), x =>
            {
                var conv = new SpectralConv(3, 2, [5], new Generator(11), DType.Float64);
                return conv.Forward(x[0]);
            }, false),
            C("ComplexBatchedMatMul", S([2, 3, 4], [2, 3, 4], [2, 4, 2], [2, 4, 2]), x => Fourier.ComplexBatchedMatMul(x[0], x[1], x[2], x[3]), false),
            C("Laplacian", S([2, 16]), x => Stencil.Laplacian(x[0], grid), false),
            C("Laplacian2dDirichlet", S([2, 6, 7]), x => Stencil.Laplacian(x[0].Tanh(), grid2, order: 4), false),
            C("TaylorLinear", S([5, 3], [4, 3]), x => TaylorLinear.Apply(x[0], x[1]), false),
        };
        return l;
    }

    /// <summary>A float64 tensor of <paramref name="shape"/> with values in <paramref name="domain"/>.</summary>
    public static Tensor Sample(Generator gen, int[] shape, Domain domain)
    {
        int n = TensorValue.Count(shape);
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u = gen.NextDouble();
            v[i] = domain switch
            {
                Domain.Positive => 0.3 + 2.2 * u,
                Domain.AwayFromZero => (gen.NextDouble() < 0.5 ? -1 : 1) * (0.2 + 1.8 * u),
                _ => 4 * u - 2,
            };
        }
        return Tensor.FromDoubles(v, shape, DType.Float64);
    }

    /// <summary>Random directions shaped like <paramref name="xs"/>.</summary>
    public static Tensor[] Directions(Generator gen, Tensor[] xs) => xs.Select(x => Tensor.Randn(x.Shape, gen, DType.Float64)).ToArray();

    /// <summary>⟨a, b⟩ in float64 on the host.</summary>
    public static double Dot(Tensor a, Tensor b)
    {
        var x = a.ToArray<double>();
        var y = b.ToArray<double>();
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>f(x + ε·v), evaluated without recording.</summary>
    public static double[] At(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] v, double eps)
    {
        using var _ = GradMode.NoGrad();
        return f(xs.Zip(v, (x, d) => x.Add(d.Mul(eps))).ToArray()).ToArray<double>();
    }

    /// <summary>Central difference (f(x + εv) − f(x − εv)) / 2ε.</summary>
    public static double[] CentralDifference(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] v, double eps = 1e-6)
    {
        var p = At(f, xs, v, eps);
        var m = At(f, xs, v, -eps);
        return p.Zip(m, (a, b) => (a - b) / (2 * eps)).ToArray();
    }

    /// <summary>Asserts |expected − actual| ≤ atol + rtol·|expected| element-wise.</summary>
    public static void Close(double[] expected, double[] actual, double atol, double rtol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            Assert.True(err <= atol + rtol * Math.Abs(expected[i]),
                $"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {err:E2})");
        }
    }
}
