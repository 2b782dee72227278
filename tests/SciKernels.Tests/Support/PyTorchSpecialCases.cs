using SciKernels.Backends;
using Xunit;

namespace SciKernels.Tests.Support;

/// <summary>
/// What PyTorch returns on special inputs, one row per case (docs/semantics.md has the same table).
/// Each row runs as its own test case on the CPU backend and on every device, in float32 and float64.
/// The one deliberate difference: sign(NaN) is NaN here (PyTorch returns 0, its open issue #41245).
/// </summary>
public static class PyTorchSpecialCases
{
    private const double NaN = double.NaN, Inf = double.PositiveInfinity;

    private sealed record Row(double Expected, double[] Args, Func<Tensor[], Tensor> F);

    private static Func<Tensor[], Tensor> U(UnaryOp op, double alpha = 0, double beta = 0) => xs =>
    {
        var y = Tensor.Empty(xs[0].Shape, xs[0].DType, xs[0].Device);
        xs[0].Device.Backend.Unary(op, xs[0], y, alpha, beta);
        return y;
    };

    private static Func<Tensor[], Tensor> B(BinaryOp op) => xs =>
    {
        var y = Tensor.Empty(xs[0].Shape, xs[0].DType, xs[0].Device);
        xs[0].Device.Backend.Binary(op, xs[0], xs[1], y);
        return y;
    };

    /// <summary>g·F′(x) through the backend's one-pass derivative of an element-wise function (args [x, g]).</summary>
    private static Func<Tensor[], Tensor> D(UnaryOp op) => xs =>
    {
        var y = Tensor.Empty(xs[0].Shape, xs[0].DType, xs[0].Device);
        xs[0].Device.Backend.Unary(op, xs[0], y, 0, 0);
        var r = Tensor.Empty(xs[0].Shape, xs[0].DType, xs[0].Device);
        xs[0].Device.Backend.UnaryBackward(op, xs[0], y, xs[1], r);
        return r;
    };

    /// <summary>The reverse-mode gradient of clamp(x, lo, hi) (its mask [lo ≤ x ≤ hi]).</summary>
    private static Func<Tensor[], Tensor> ClampGrad(double lo, double hi) => xs =>
    {
        var x = xs[0].Detach().RequiresGrad_();
        x.Clamp(lo, hi).Sum().Backward();
        return x.Grad!;
    };

    private static readonly Dictionary<string, Row> Rows = new()
    {
        ["neg(+0) = -0"] = new(-0.0, [0.0], U(UnaryOp.Neg)),
        ["neg(-0) = +0"] = new(0.0, [-0.0], U(UnaryOp.Neg)),
        ["neg(NaN) = NaN"] = new(NaN, [NaN], U(UnaryOp.Neg)),
        ["exp(-inf) = +0"] = new(0.0, [-Inf], U(UnaryOp.Exp)),
        ["exp(+inf) = +inf"] = new(Inf, [Inf], U(UnaryOp.Exp)),
        ["exp(NaN) = NaN"] = new(NaN, [NaN], U(UnaryOp.Exp)),
        ["log(+0) = -inf"] = new(-Inf, [0.0], U(UnaryOp.Log)),
        ["log(-0) = -inf"] = new(-Inf, [-0.0], U(UnaryOp.Log)),
        ["log(-1) = NaN"] = new(NaN, [-1.0], U(UnaryOp.Log)),
        ["log(+inf) = +inf"] = new(Inf, [Inf], U(UnaryOp.Log)),
        ["sqrt(-0) = -0"] = new(-0.0, [-0.0], U(UnaryOp.Sqrt)),
        ["sqrt(-1) = NaN"] = new(NaN, [-1.0], U(UnaryOp.Sqrt)),
        ["sqrt(+inf) = +inf"] = new(Inf, [Inf], U(UnaryOp.Sqrt)),
        ["abs(-0) = +0"] = new(0.0, [-0.0], U(UnaryOp.Abs)),
        ["abs(-inf) = +inf"] = new(Inf, [-Inf], U(UnaryOp.Abs)),
        ["sin(+inf) = NaN"] = new(NaN, [Inf], U(UnaryOp.Sin)),
        ["sin(-0) = -0"] = new(-0.0, [-0.0], U(UnaryOp.Sin)),
        ["cos(-inf) = NaN"] = new(NaN, [-Inf], U(UnaryOp.Cos)),
        ["tanh(+inf) = 1"] = new(1.0, [Inf], U(UnaryOp.Tanh)),
        ["tanh(-inf) = -1"] = new(-1.0, [-Inf], U(UnaryOp.Tanh)),
        ["tanh(-0) = -0"] = new(-0.0, [-0.0], U(UnaryOp.Tanh)),
        ["tanh(+0) = +0"] = new(0.0, [0.0], U(UnaryOp.Tanh)),
        ["tanh(NaN) = NaN"] = new(NaN, [NaN], U(UnaryOp.Tanh)),
        ["sigmoid(-inf) = +0"] = new(0.0, [-Inf], U(UnaryOp.Sigmoid)),
        ["sigmoid(+inf) = 1"] = new(1.0, [Inf], U(UnaryOp.Sigmoid)),
        ["sigmoid(NaN) = NaN"] = new(NaN, [NaN], U(UnaryOp.Sigmoid)),
        ["relu(NaN) = NaN"] = new(NaN, [NaN], U(UnaryOp.Relu)),
        ["relu(-0) = -0"] = new(-0.0, [-0.0], U(UnaryOp.Relu)),
        ["relu(-1) = +0"] = new(0.0, [-1.0], U(UnaryOp.Relu)),
        ["relu(-inf) = +0"] = new(0.0, [-Inf], U(UnaryOp.Relu)),
        ["relu(+inf) = +inf"] = new(Inf, [Inf], U(UnaryOp.Relu)),
        ["softplus(-inf) = +0"] = new(0.0, [-Inf], U(UnaryOp.Softplus)),
        ["softplus(+inf) = +inf"] = new(Inf, [Inf], U(UnaryOp.Softplus)),
        ["softplus(NaN) = NaN"] = new(NaN, [NaN], U(UnaryOp.Softplus)),
        ["erf(+inf) = 1"] = new(1.0, [Inf], U(UnaryOp.Erf)),
        ["erf(-inf) = -1"] = new(-1.0, [-Inf], U(UnaryOp.Erf)),
        ["erf(-0) = -0"] = new(-0.0, [-0.0], U(UnaryOp.Erf)),
        ["erf(NaN) = NaN"] = new(NaN, [NaN], U(UnaryOp.Erf)),
        ["gelu(+inf) = +inf"] = new(Inf, [Inf], U(UnaryOp.Gelu)),
        ["gelu(-0) = -0"] = new(-0.0, [-0.0], U(UnaryOp.Gelu)),
        ["gelu(NaN) = NaN"] = new(NaN, [NaN], U(UnaryOp.Gelu)),
        ["sign(NaN) = NaN (torch: 0)"] = new(NaN, [NaN], U(UnaryOp.Sign)),
        ["sign(-0) = +0"] = new(0.0, [-0.0], U(UnaryOp.Sign)),
        ["sign(-inf) = -1"] = new(-1.0, [-Inf], U(UnaryOp.Sign)),
        ["step(NaN) = 0"] = new(0.0, [NaN], xs => xs[0].Step()),
        ["step(-0) = 0"] = new(0.0, [-0.0], xs => xs[0].Step()),
        ["pow(-8, 1/3) = NaN"] = new(NaN, [-8.0], U(UnaryOp.PowScalar, 1.0 / 3)),
        ["pow(-2, 3) = -8"] = new(-8.0, [-2.0], U(UnaryOp.PowScalar, 3)),
        ["pow(NaN, 0) = 1"] = new(1.0, [NaN], U(UnaryOp.PowScalar, 0)),
        ["pow(-0, 3) = -0"] = new(-0.0, [-0.0], U(UnaryOp.PowScalar, 3)),
        ["pow(-0, -1) = -inf"] = new(-Inf, [-0.0], U(UnaryOp.PowScalar, -1)),
        ["pow(-inf, 3) = -inf"] = new(-Inf, [-Inf], U(UnaryOp.PowScalar, 3)),
        ["clamp(NaN, 0, 1) = NaN"] = new(NaN, [NaN], U(UnaryOp.Clamp, 0, 1)),
        ["clamp(-0, 0, 1) = -0"] = new(-0.0, [-0.0], U(UnaryOp.Clamp, 0, 1)),
        ["clamp(+inf, 0, 1) = 1"] = new(1.0, [Inf], U(UnaryOp.Clamp, 0, 1)),
        ["clamp(-inf, 0, 1) = 0"] = new(0.0, [-Inf], U(UnaryOp.Clamp, 0, 1)),
        ["square(-0) = +0"] = new(0.0, [-0.0], U(UnaryOp.Square)),
        ["reciprocal(-0) = -inf"] = new(-Inf, [-0.0], U(UnaryOp.Reciprocal)),
        ["reciprocal(-inf) = -0"] = new(-0.0, [-Inf], U(UnaryOp.Reciprocal)),
        ["affine(+inf, 0, 1) = NaN"] = new(NaN, [Inf], U(UnaryOp.Affine, 0, 1)),
        ["clamp_grad(NaN, 0, 1) = 0"] = new(0.0, [NaN], ClampGrad(0, 1)),
        ["clamp_grad(-0, 0, 1) = 1"] = new(1.0, [-0.0], ClampGrad(0, 1)),

        ["maximum(NaN, 1) = NaN"] = new(NaN, [NaN, 1.0], B(BinaryOp.Maximum)),
        ["maximum(1, NaN) = NaN"] = new(NaN, [1.0, NaN], B(BinaryOp.Maximum)),
        ["maximum(-0, +0) = +0"] = new(0.0, [-0.0, 0.0], B(BinaryOp.Maximum)),
        ["maximum(+0, -0) = +0"] = new(0.0, [0.0, -0.0], B(BinaryOp.Maximum)),
        ["maximum(-inf, 1) = 1"] = new(1.0, [-Inf, 1.0], B(BinaryOp.Maximum)),
        ["minimum(1, NaN) = NaN"] = new(NaN, [1.0, NaN], B(BinaryOp.Minimum)),
        ["minimum(+0, -0) = -0"] = new(-0.0, [0.0, -0.0], B(BinaryOp.Minimum)),
        ["minimum(-0, +0) = -0"] = new(-0.0, [-0.0, 0.0], B(BinaryOp.Minimum)),
        ["add(+inf, -inf) = NaN"] = new(NaN, [Inf, -Inf], B(BinaryOp.Add)),
        ["add(-0, -0) = -0"] = new(-0.0, [-0.0, -0.0], B(BinaryOp.Add)),
        ["add(-0, +0) = +0"] = new(0.0, [-0.0, 0.0], B(BinaryOp.Add)),
        ["mul(0, inf) = NaN"] = new(NaN, [0.0, Inf], B(BinaryOp.Mul)),
        ["mul(-0, 1) = -0"] = new(-0.0, [-0.0, 1.0], B(BinaryOp.Mul)),
        ["div(1, -0) = -inf"] = new(-Inf, [1.0, -0.0], B(BinaryOp.Div)),
        ["div(0, 0) = NaN"] = new(NaN, [0.0, 0.0], B(BinaryOp.Div)),
        ["div(-1, inf) = -0"] = new(-0.0, [-1.0, Inf], B(BinaryOp.Div)),
        ["pow(1, NaN) = 1"] = new(1.0, [1.0, NaN], B(BinaryOp.Pow)),
        ["pow(NaN, 0) = 1 (binary)"] = new(1.0, [NaN, 0.0], B(BinaryOp.Pow)),
        ["pow(-2, 3) = -8 (binary)"] = new(-8.0, [-2.0, 3.0], B(BinaryOp.Pow)),
        ["pow(-8, 1/3) = NaN (binary)"] = new(NaN, [-8.0, 1.0 / 3], B(BinaryOp.Pow)),
        ["pow(0, -1) = +inf"] = new(Inf, [0.0, -1.0], B(BinaryOp.Pow)),
        ["pow(-1, inf) = 1"] = new(1.0, [-1.0, Inf], B(BinaryOp.Pow)),
        ["eq(NaN, NaN) = 0"] = new(0.0, [NaN, NaN], B(BinaryOp.Eq)),
        ["ne(NaN, NaN) = 1"] = new(1.0, [NaN, NaN], B(BinaryOp.Ne)),
        ["eq(-0, +0) = 1"] = new(1.0, [-0.0, 0.0], B(BinaryOp.Eq)),
        ["lt(NaN, 1) = 0"] = new(0.0, [NaN, 1.0], B(BinaryOp.Lt)),
        ["ge(NaN, 1) = 0"] = new(0.0, [NaN, 1.0], B(BinaryOp.Ge)),
        ["tanh_grad(+inf, 1) = 0"] = new(0.0, [Inf, 1.0], D(UnaryOp.Tanh)),
        ["tanh_grad(NaN, 1) = NaN"] = new(NaN, [NaN, 1.0], D(UnaryOp.Tanh)),
        ["sigmoid_grad(-inf, 1) = 0"] = new(0.0, [-Inf, 1.0], D(UnaryOp.Sigmoid)),
        ["relu_grad(NaN, 1) = 0"] = new(0.0, [NaN, 1.0], D(UnaryOp.Relu)),
        ["relu_grad(-0, 1) = 0"] = new(0.0, [-0.0, 1.0], D(UnaryOp.Relu)),
        ["exp_grad(-inf, 1) = 0"] = new(0.0, [-Inf, 1.0], D(UnaryOp.Exp)),

        ["sum([1, NaN]) = NaN"] = new(NaN, [1.0, NaN], xs => xs[0].Sum()),
        ["sum([inf, -inf]) = NaN"] = new(NaN, [Inf, -Inf], xs => xs[0].Sum()),
        ["sum([-0, -0]) = +0"] = new(0.0, [-0.0, -0.0], xs => xs[0].Sum()),
        ["mean([inf, 1]) = inf"] = new(Inf, [Inf, 1.0], xs => xs[0].Mean()),
        ["amax([1, NaN, 2]) = NaN"] = new(NaN, [1.0, NaN, 2.0], xs => xs[0].Max()),
        ["amax([NaN, 1, 2]) = NaN"] = new(NaN, [NaN, 1.0, 2.0], xs => xs[0].Max()),
        ["amax([-0, +0]) = +0"] = new(0.0, [-0.0, 0.0], xs => xs[0].Max()),
        ["amin([+0, -0]) = -0"] = new(-0.0, [0.0, -0.0], xs => xs[0].Min()),
        ["amin([2, 1, NaN]) = NaN"] = new(NaN, [2.0, 1.0, NaN], xs => xs[0].Min()),
        ["amax([-inf, -inf]) = -inf"] = new(-Inf, [-Inf, -Inf], xs => xs[0].Max()),
    };

    /// <summary>Every row × float32/float64.</summary>
    public static TheoryData<string, DType> Cases()
    {
        var d = new TheoryData<string, DType>();
        foreach (var name in Rows.Keys)
            foreach (var t in new[] { DType.Float32, DType.Float64 })
                d.Add(name, t);
        return d;
    }

    /// <summary>Runs row <paramref name="name"/> on <paramref name="device"/> and checks the value bit for bit (any NaN for NaN).</summary>
    public static void Check(string name, DType dtype, Device device)
    {
        var row = Rows[name];
        using var scope = TensorScope.Begin();
        // Reduction rows take their arguments as one vector; element-wise rows take one scalar tensor each.
        bool reduce = name.StartsWith("sum", StringComparison.Ordinal) || name.StartsWith("mean", StringComparison.Ordinal) || name.StartsWith("am", StringComparison.Ordinal);
        var inputs = reduce
            ? new[] { Tensor.FromDoubles(row.Args, [row.Args.Length], dtype, device) }
            : row.Args.Select(v => Tensor.FromDoubles([v], [1], dtype, device)).ToArray();
        double got = row.F(inputs).ToArray<double>()[0];
        string want = SpecialValues.Class(row.Expected), have = SpecialValues.Class(got);
        // Every expected value is exactly representable (±1, -8, 0.5...) and exactly what torch returns.
        Assert.True(want == have && (want != "finite" || got == row.Expected),
            $"{name} [{dtype.Name()} on {device}]: got {got:R} ({have})");
    }
}
