using Xunit;

namespace SciKernels.Tests.Core;

/// <summary>Rejected operands produce exceptions that name the operation and the operands involved.</summary>
public class ErrorMessageTests
{
    private static Tensor Z(params int[] shape) => Tensor.Zeros(shape, DType.Float64);

    private static void Names(TensorException e, string op, params string[] parts)
    {
        Assert.Equal(op, e.Op);
        Assert.StartsWith(op + ":", e.Message);
        foreach (var p in parts) Assert.Contains(p, e.Message);
    }

    // ---- shape mismatches ----

    [Fact]
    public void AddShapeMismatchNamesOpAndShapes()
    {
        using var s = TensorScope.Begin();
        Names(Assert.Throws<TensorException>(() => Z(2, 3).Add(Z(4))), "Add", "[2, 3]", "[4]");
        Names(Assert.Throws<TensorException>(() => Z(2, 3).Mul(Z(3, 2))), "Mul", "[2, 3]", "[3, 2]");
    }

    [Fact]
    public void MatMulInnerDimensionMismatchNamesOpAndShapes() =>
        Names(Assert.Throws<TensorException>(() => Z(2, 3).MatMul(Z(4, 5))), "MatMul", "[2, 3]", "[4, 5]");

    [Fact]
    public void MatMulBatchMismatchNamesOpAndFullShapes() =>
        Names(Assert.Throws<TensorException>(() => Z(2, 3, 4).MatMul(Z(3, 4, 5))), "MatMul", "[2, 3, 4]", "[3, 4, 5]");

    [Fact]
    public void MatMulOfScalarNamesOp() =>
        Names(Assert.Throws<TensorException>(() => Z().MatMul(Z(2))), "MatMul", "[]", "[2]");

    [Fact]
    public void BatchedMatMulMismatchNamesOpAndShapes() =>
        Names(Assert.Throws<TensorException>(() => Tensor.BatchedMatMul(Z(2, 3, 4), Z(2, 5, 6))), "BatchedMatMul", "[2, 3, 4]", "[2, 5, 6]");

    [Fact]
    public void ConcatShapeMismatchNamesOpAndShapes() =>
        Names(Assert.Throws<TensorException>(() => Tensor.Concat(new[] { Z(2, 3), Z(2, 4) }, 0)), "Concat", "[2, 3]", "[2, 4]");

    [Fact]
    public void StackShapeMismatchNamesOpAndShapes() =>
        Names(Assert.Throws<TensorException>(() => Tensor.Stack(new[] { Z(2, 3), Z(3, 2) })), "Stack", "[2, 3]", "[3, 2]");

    [Fact]
    public void ReshapeMismatchNamesOpAndShapes() =>
        Names(Assert.Throws<TensorException>(() => Z(2, 3).Reshape(4)), "Reshape", "[2, 3]", "[4]");

    [Fact]
    public void ExpandMismatchNamesOpAndShapes() =>
        Names(Assert.Throws<TensorException>(() => Z(2, 3).Expand(4, 3)), "Expand", "[2, 3]", "[4, 3]");

    [Fact]
    public void WhereShapeMismatchNamesOp() =>
        Names(Assert.Throws<TensorException>(() => Tensor.Where(Z(2), Z(3), Z(3))), "Where", "[2]", "[3]");

    [Fact]
    public void SumToLargerShapeNamesOp() =>
        Names(Assert.Throws<TensorException>(() => Z(3).SumTo(new[] { 2, 3 })), "SumTo", "[3]", "[2, 3]");

    // ---- dtype mismatches ----

    [Fact]
    public void DtypeMismatchNamesDtypes()
    {
        var f = Tensor.Zeros(new[] { 2 }, DType.Float32);
        var d = Tensor.Zeros(new[] { 2 }, DType.Float64);
        Names(Assert.Throws<TensorException>(() => f.Add(d)), "Add", "float32", "float64");
        Names(Assert.Throws<TensorException>(() => f.Reshape(1, 2).MatMul(d.Reshape(2, 1))), "MatMul", "float32", "float64");
        Names(Assert.Throws<TensorException>(() => Tensor.Concat(new[] { f, d })), "Concat", "float32", "float64");
    }

    [Fact]
    public void IntegerOperandOfFloatOpNamesOpAndDtype()
    {
        var i = Tensor.FromArray(new long[] { 1, 2 }, 2);
        Names(Assert.Throws<TensorException>(() => i.Exp()), "Exp", "int64", "[2]");
        Names(Assert.Throws<TensorException>(() => i.Sum()), "Sum", "int64");
    }

    [Fact]
    public void IndexOfWrongDtypeNamesOp()
    {
        var idx = Tensor.FromArray(new double[] { 0 }, 1);
        Names(Assert.Throws<TensorException>(() => Z(3).IndexSelect(0, idx)), "IndexSelect", "int64", "float64");
    }

    // ---- index out of range ----

    private static Tensor Idx(params long[] v) => Tensor.FromArray(v, v.Length);

    [Fact] public void IndexSelectOutOfRangeNamesOp() => Names(Assert.Throws<TensorException>(() => Z(3, 2).IndexSelect(0, Idx(0, 3))), "IndexSelect", "3");
    [Fact] public void IndexSelectNegativeIndexNamesOp() => Names(Assert.Throws<TensorException>(() => Z(3, 2).IndexSelect(1, Idx(-1))), "IndexSelect", "-1");
    [Fact] public void IndexAddOutOfRangeNamesOp() => Names(Assert.Throws<TensorException>(() => Z(3).IndexAdd(0, Idx(5), Z(1))), "IndexAdd", "5");
    [Fact] public void GatherOutOfRangeNamesOp() => Names(Assert.Throws<TensorException>(() => Z(2, 3).Gather(1, Tensor.FromArray(new long[] { 0, 3 }, 1, 2))), "Gather", "3");
    [Fact] public void ScatterAddOutOfRangeNamesOp() => Names(Assert.Throws<TensorException>(() => Z(2, 3).ScatterAdd(0, Tensor.FromArray(new long[] { 2 }, 1, 1), Z(1, 1))), "ScatterAdd", "2");
    [Fact] public void SegmentSumOutOfRangeNamesOp() => Names(Assert.Throws<TensorException>(() => Z(3).SegmentSum(Idx(0, 1, 2), 2)), "SegmentSum", "2");
    [Fact] public void SegmentSumUnsortedNamesOp() => Names(Assert.Throws<TensorException>(() => Z(3).SegmentSum(Idx(1, 0, 1), 2)), "SegmentSum", "sorted");
    [Fact] public void NarrowOutOfRangeNamesOp() => Names(Assert.Throws<TensorException>(() => Z(3, 2).Narrow(0, 2, 2)), "Narrow", "[3, 2]");
    [Fact] public void DimensionOutOfRangeNamesOp() => Names(Assert.Throws<TensorException>(() => Z(3, 2).Sum(2)), "Sum", "2");
    [Fact] public void PermuteRepeatedDimNamesOp() => Names(Assert.Throws<TensorException>(() => Z(3, 2).Permute(0, 0)), "Permute");

    [Fact]
    public void SelectOutOfRangeNamesSelect() =>
        Names(Assert.Throws<TensorException>(() => Z(3, 2).Select(0, 3)), "Select", "3", "[3, 2]");

    // ---- disposed tensors ----

    public static IEnumerable<object[]> UsesOfADisposedTensor() => new (string Op, Action<Tensor> Use)[]
    {
        ("Exp", t => t.Exp()),
        ("Add", t => t.Add(Z(2, 3))),
        ("MatMul", t => t.MatMul(Z(3, 2))),
        ("Sum", t => t.Sum()),
        ("Reshape", t => t.Reshape(6)),
        ("Permute", t => t.Permute(1, 0)),
        ("Narrow", t => t.Narrow(0, 0, 1)),
        ("Expand", t => t.Expand(4, 2, 3)),
        ("Squeeze", t => t.Squeeze()),
        ("Unsqueeze", t => t.Unsqueeze(0)),
        ("Detach", t => t.Detach()),
        ("Contiguous", t => t.Contiguous()),
        ("ToArray", t => t.ToArray<double>()),
        ("IndexSelect", t => t.IndexSelect(0, Idx(0))),
        ("Where", t => Tensor.Where(t, Z(2, 3), Z(2, 3))),
        ("Backward", t => t.Backward()),
    }.Select(c => new object[] { c.Op, c.Use });

    [Theory]
    [MemberData(nameof(UsesOfADisposedTensor))]
    public void DisposedTensorUseNamesTheOp(string op, Action<Tensor> use)
    {
        var t = Z(2, 3);
        t.Dispose();
        Assert.True(t.IsDisposed);
        var e = Assert.Throws<ObjectDisposedException>(() => use(t));
        Assert.Contains(op, e.Message);
    }

    [Fact]
    public void TensorsOfAnEndedScopeAreDisposed()
    {
        Tensor inner;
        using (TensorScope.Begin()) inner = Z(2).Exp();
        Assert.True(inner.IsDisposed);
        var e = Assert.Throws<ObjectDisposedException>(() => inner.Sin());
        Assert.Contains("Sin", e.Message);
        Assert.Contains("TensorScope", e.Message);
    }
}
