using SciKernels.Backends;
using SciKernels.Cpu;
using SciKernels.Tests.Support;
using Xunit;

namespace SciKernels.Tests.Core;

/// <summary>
/// The CPU backend (the specification) on NaN, ±∞, ±0 and denormals: PyTorch's values, and the SIMD
/// body (Vector512/Vector256) agreeing with the scalar tail. Devices are held to the same table in
/// DeviceTests.
/// </summary>
public class SpecialValueTests
{
    public static TheoryData<UnaryOp, DType> UnaryCases()
    {
        var d = new TheoryData<UnaryOp, DType>();
        foreach (var op in Enum.GetValues<UnaryOp>())
            foreach (var t in new[] { DType.Float32, DType.Float64 })
                d.Add(op, t);
        return d;
    }

    public static TheoryData<BinaryOp, DType> BinaryCases()
    {
        var d = new TheoryData<BinaryOp, DType>();
        foreach (var op in Enum.GetValues<BinaryOp>())
            foreach (var t in new[] { DType.Float32, DType.Float64 })
                d.Add(op, t);
        return d;
    }

    [Theory]
    [MemberData(nameof(PyTorchSpecialCases.Cases), MemberType = typeof(PyTorchSpecialCases))]
    public void PyTorchSpecialCase_Cpu(string name, DType dtype) => PyTorchSpecialCases.Check(name, dtype, Device.Cpu);

    private static (double Alpha, double Beta) Params(UnaryOp op) => op switch
    {
        UnaryOp.PowScalar => (3, 0),
        UnaryOp.Clamp => (-0.5, 0.7),
        UnaryOp.Affine => (1.5, -0.25),
        _ => (0, 0),
    };

    /// <summary>Element i of the op on a long vector (SIMD body) against the op on x[i] alone (scalar tail).</summary>
    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void SimdBodyAndScalarTail_Agree_Unary(UnaryOp op, DType dtype)
    {
        using var scope = TensorScope.Begin();
        var (alpha, beta) = Params(op);
        // 67 = 4·16 + 3: the float32 Vector512 body and a 3-element tail (8·8 + 3 in float64).
        var x = SpecialValues.Mixed(new[] { 67 }, dtype, 900 + (ulong)op);
        var body = Tensor.Empty(x.Shape, dtype);
        CpuBackend.Instance.Unary(op, x, body, alpha, beta);
        var xs = x.ToArray<double>();
        var tail = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            var one = Tensor.Empty(new[] { 1 }, dtype);
            CpuBackend.Instance.Unary(op, Tensor.FromDoubles(new[] { xs[i] }, new[] { 1 }, dtype), one, alpha, beta);
            tail[i] = one.ToArray<double>()[0];
        }
        SpecialValues.AssertMatch(Tensor.FromDoubles(tail, x.Shape, dtype), body, dtype, $"{op} scalar tail vs SIMD body",
            exact: SpecialValues.IsExact(op) || op == UnaryOp.Affine);
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void SimdBodyAndScalarTail_Agree_Binary(BinaryOp op, DType dtype)
    {
        using var scope = TensorScope.Begin();
        var a = SpecialValues.Mixed(new[] { 67 }, dtype, 1000 + (ulong)op);
        var b = SpecialValues.Mixed(new[] { 67 }, dtype, 1101 + (ulong)op);
        var av = a.ToArray<double>();
        var bv = b.ToArray<double>();
        bool exact = SpecialValues.IsExact(op);
        // Dense operands, then a broadcast scalar on either side (the SIMD loop's other two branches).
        foreach (var (mode, sa, sb) in new[] { ("dense", a, b), ("scalar b", a, Tensor.FromDoubles(new[] { bv[1] }, new[] { 1 }, dtype).Expand(67)),
                     ("scalar a", Tensor.FromDoubles(new[] { av[2] }, new[] { 1 }, dtype).Expand(67), b) })
        {
            var body = Tensor.Empty(new[] { 67 }, dtype);
            CpuBackend.Instance.Binary(op, sa, sb, body);
            var sav = sa.ToArray<double>();
            var sbv = sb.ToArray<double>();
            var tail = new double[67];
            for (int i = 0; i < 67; i++)
            {
                var one = Tensor.Empty(new[] { 1 }, dtype);
                CpuBackend.Instance.Binary(op, Tensor.FromDoubles(new[] { sav[i] }, new[] { 1 }, dtype), Tensor.FromDoubles(new[] { sbv[i] }, new[] { 1 }, dtype), one);
                tail[i] = one.ToArray<double>()[0];
            }
            SpecialValues.AssertMatch(Tensor.FromDoubles(tail, new[] { 67 }, dtype), body, dtype, $"{op} ({mode}) scalar tail vs SIMD body", exact: exact);
        }
    }

    [Theory]
    [InlineData(DType.Float32, 6e-7)]
    [InlineData(DType.Float64, 3e-15)]
    public void Tanh_NearZero_IsAccurateAndKeepsTheSign(DType dtype, double rtol)
    {
        using var scope = TensorScope.Begin();
        // TensorPrimitives.Tanh alone is 1e-4 off at 2^-12 in float32 and flips the sign of ±0.
        var xs = Enumerable.Range(0, 70).Select(i => (i % 2 == 0 ? 1 : -1) * Math.Pow(2, -i / 2.0) * 1.37).ToArray();
        var x = Tensor.FromDoubles(xs, new[] { xs.Length }, dtype);
        var got = x.Tanh().ToArray<double>();
        var xr = x.ToArray<double>();
        for (int i = 0; i < xs.Length; i++)
        {
            double want = Math.Tanh(xr[i]);
            Assert.True(Math.Abs(got[i] - want) <= rtol * Math.Abs(want) + double.Epsilon, $"tanh({xr[i]:R}) = {got[i]:R}, want {want:R}");
        }
    }

    [Fact]
    public void Maximum_GradientAtNaN_GoesToBothOperands_LikeTorch()
    {
        using var scope = TensorScope.Begin();
        var a = Tensor.FromArray(new[] { double.NaN, 1.0, 2.0, 3.0 }, 4).RequiresGrad_();
        var b = Tensor.FromArray(new[] { 1.0, double.NaN, 2.0, 1.0 }, 4).RequiresGrad_();
        a.Maximum(b).Sum().Backward();
        Assert.Equal(new[] { 1.0, 1.0, 0.5, 1.0 }, a.Grad!.ToArray<double>());
        Assert.Equal(new[] { 1.0, 1.0, 0.5, 0.0 }, b.Grad!.ToArray<double>());
    }
}
