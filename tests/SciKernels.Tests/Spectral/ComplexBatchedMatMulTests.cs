using SciKernels.Diagnostics;
using SciKernels.Random;
using SciKernels.Spectral;
using Xunit;
using static SciKernels.Tests.Spectral.SpectralTestUtil;

namespace SciKernels.Tests.Spectral;

/// <summary>The fused complex mode-mixing product: values against real batched products, and its gradients.</summary>
public sealed class ComplexBatchedMatMulTests
{
    public static TheoryData<bool, bool> Adjoints => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    private static Tensor[] Operands(Generator gen, bool adjA, bool adjB, int p = 3, int m = 4, int k = 5, int n = 6, DType dtype = DType.Float64)
    {
        int[] a = adjA ? new[] { p, k, m } : new[] { p, m, k };
        int[] b = adjB ? new[] { p, n, k } : new[] { p, k, n };
        return new[] { Randn(gen, dtype, a), Randn(gen, dtype, a), Randn(gen, dtype, b), Randn(gen, dtype, b) };
    }

    [Theory]
    [MemberData(nameof(Adjoints))]
    public void MatchesRealBatchedProducts(bool adjA, bool adjB)
    {
        using var scope = TensorScope.Begin();
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var v = Operands(new Generator(3), adjA, adjB, dtype: dtype);
            // op(X) = Xᴴ: transpose both planes and negate the imaginary one
            var (ar, ai) = adjA ? (v[0].Transpose(1, 2), v[1].Transpose(1, 2).Neg()) : (v[0], v[1]);
            var (br, bi) = adjB ? (v[2].Transpose(1, 2), v[3].Transpose(1, 2).Neg()) : (v[2], v[3]);
            var re = Tensor.BatchedMatMul(ar, br).Sub(Tensor.BatchedMatMul(ai, bi));
            var im = Tensor.BatchedMatMul(ar, bi).Add(Tensor.BatchedMatMul(ai, br));
            var expected = Tensor.Stack(new[] { re, im }, 0).ToArray<double>();
            var actual = Fourier.ComplexBatchedMatMul(v[0], v[1], v[2], v[3], adjA, adjB).ToArray<double>();
            double tol = dtype == DType.Float32 ? 1e-5 : 1e-13;
            Assert.True(MaxAbsDiff(expected, actual) <= tol * (1 + MaxAbs(expected)), $"{dtype.Name()} adjA={adjA} adjB={adjB}: {MaxAbsDiff(expected, actual):E3}");
        }
    }

    [Fact]
    public void AcceptsStridedPlanesOfOneTensor()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(8);
        var a = Randn(gen, DType.Float64, 2, 3, 5, 4);            // [2 (re, im), P, K, M]
        var b = Randn(gen, DType.Float64, 3, 5, 6, 2);            // planes innermost
        var ar = a.Select(0, 0).Transpose(1, 2); var ai = a.Select(0, 1).Transpose(1, 2);
        var br = b.Select(3, 0); var bi = b.Select(3, 1);
        var got = Fourier.ComplexBatchedMatMul(ar, ai, br, bi).ToArray<double>();
        var want = Fourier.ComplexBatchedMatMul(ar.Contiguous(), ai.Contiguous(), br.Contiguous(), bi.Contiguous()).ToArray<double>();
        Assert.Equal(want, got);
    }

    [Theory]
    [MemberData(nameof(Adjoints))]
    public void GradCheckFirstOrder(bool adjA, bool adjB)
        => GradCheck.Check(v => Fourier.ComplexBatchedMatMul(v[0], v[1], v[2], v[3], adjA, adjB), Operands(new Generator(5), adjA, adjB, 2, 3, 2, 2)).ThrowIfFailed();

    [Theory]
    [MemberData(nameof(Adjoints))]
    public void GradCheckSecondOrder(bool adjA, bool adjB)
        // bilinear: a tanh makes the second derivatives in every operand pair non-trivial
        => GradCheck.CheckSecondOrder(v => Fourier.ComplexBatchedMatMul(v[0], v[1], v[2], v[3], adjA, adjB).Tanh(), Operands(new Generator(6), adjA, adjB, 2, 2, 2, 2)).ThrowIfFailed();

    [Fact]
    public void RejectsMismatchedShapes()
    {
        var gen = new Generator(1);
        var a = Randn(gen, DType.Float64, 2, 3, 4);
        var b = Randn(gen, DType.Float64, 2, 5, 2);
        var e = Assert.Throws<TensorException>(() => Fourier.ComplexBatchedMatMul(a, a, b, b));
        Assert.Contains("ComplexBatchedMatMul", e.Message);
        Assert.Contains("[2, 5, 2]", e.Message);
    }
}
