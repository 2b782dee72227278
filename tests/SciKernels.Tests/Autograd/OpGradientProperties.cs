using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SciKernels.Tests.Support;
using Xunit;
using static SciKernels.Tests.Support.TensorGen;

namespace SciKernels.Tests.Autograd;

/// <summary>
/// First- and second-order gradient checks of every differentiable op at random shapes
/// (ranks 0–3, size-1 and empty dimensions, broadcasting) and values kept away from the points
/// where the op is not differentiable. One property per op; each is a declaration for
/// <see cref="GradProperty"/>.
/// </summary>
public class OpGradientProperties
{
    private const int N = GradProperty.Runs;

    private static Gen<TensorValue[]> OneOf(Gen<int[]> shapes, Domain d = Domain.Any) => shapes.SelectMany(s => Of(s, d)).Select(t => new[] { t });

    // ---- binary arithmetic with broadcasting ----

    [Property(MaxTest = N)] public Property Add() => GradProperty.For("Add", Broadcasting(), x => x[0].Add(x[1]));
    [Property(MaxTest = N)] public Property Sub() => GradProperty.For("Sub", Broadcasting(), x => x[0].Sub(x[1]));
    [Property(MaxTest = N)] public Property Mul() => GradProperty.For("Mul", Broadcasting(), x => x[0].Mul(x[1]));
    [Property(MaxTest = N)] public Property Div() => GradProperty.For("Div", Broadcasting(Domain.Any, Domain.AwayFromZero), x => x[0].Div(x[1]));
    [Property(MaxTest = N)] public Property PowTensor() => GradProperty.For("Pow", Broadcasting(Domain.Positive, Domain.Any), x => x[0].Pow(x[1]));
    [Property(MaxTest = N)] public Property Maximum() => GradProperty.For("Maximum", Broadcasting(Domain.OddGrid, Domain.EvenGrid), x => x[0].Maximum(x[1]));
    [Property(MaxTest = N)] public Property Minimum() => GradProperty.For("Minimum", Broadcasting(Domain.OddGrid, Domain.EvenGrid), x => x[0].Minimum(x[1]));

    [Property(MaxTest = N)]
    public Property PowScalar() => GradProperty.For("Pow(scalar)",
        One(Domain.Positive).With(_ => Gen.Elements(-1.5, -1.0, 0.5, 1.0, 2.0, 2.5, 3.0)), (x, p) => x[0].Pow(p));

    // ---- unary ----

    [Property(MaxTest = N)] public Property Neg() => GradProperty.For("Neg", One(), x => x[0].Neg());
    [Property(MaxTest = N)] public Property Exp() => GradProperty.For("Exp", One(), x => x[0].Exp());
    [Property(MaxTest = N)] public Property Log() => GradProperty.For("Log", One(Domain.Positive), x => x[0].Log());
    [Property(MaxTest = N)] public Property Sqrt() => GradProperty.For("Sqrt", One(Domain.Positive), x => x[0].Sqrt());
    [Property(MaxTest = N)] public Property Abs() => GradProperty.For("Abs", One(Domain.AwayFromZero), x => x[0].Abs());
    [Property(MaxTest = N)] public Property Sin() => GradProperty.For("Sin", One(), x => x[0].Sin());
    [Property(MaxTest = N)] public Property Cos() => GradProperty.For("Cos", One(), x => x[0].Cos());
    [Property(MaxTest = N)] public Property Tanh() => GradProperty.For("Tanh", One(), x => x[0].Tanh());
    [Property(MaxTest = N)] public Property Sigmoid() => GradProperty.For("Sigmoid", One(), x => x[0].Sigmoid());
    [Property(MaxTest = N)] public Property Relu() => GradProperty.For("Relu", One(Domain.AwayFromZero), x => x[0].Relu());
    [Property(MaxTest = N)] public Property Gelu() => GradProperty.For("Gelu", One(), x => x[0].Gelu());
    [Property(MaxTest = N)] public Property Silu() => GradProperty.For("Silu", One(), x => x[0].Silu());
    [Property(MaxTest = N)] public Property Softplus() => GradProperty.For("Softplus", One(), x => x[0].Softplus());
    [Property(MaxTest = N)] public Property Erf() => GradProperty.For("Erf", One(), x => x[0].Erf());
    [Property(MaxTest = N)] public Property Square() => GradProperty.For("Square", One(), x => x[0].Square());
    [Property(MaxTest = N)] public Property Reciprocal() => GradProperty.For("Reciprocal", One(Domain.AwayFromZero), x => x[0].Reciprocal());

    // values are odd multiples of 0.1 and the bounds even ones: never on a kink
    [Property(MaxTest = N)] public Property Clamp() => GradProperty.For("Clamp", One(Domain.OddGrid), x => x[0].Clamp(-0.6, 0.8));

    // ---- scalar forms and operators ----

    [Property(MaxTest = N)] public Property Affine() => GradProperty.For("Affine", One(), x => x[0].Affine(-1.7, 0.3));
    [Property(MaxTest = N)] public Property AddScalarOperators() => GradProperty.For("+ scalar", One(), x => (x[0] + 1.5) + (2.0 + x[0]));
    [Property(MaxTest = N)] public Property SubScalarOperators() => GradProperty.For("- scalar", One(), x => (x[0] - 1.5).Mul(3.0 - x[0]));
    [Property(MaxTest = N)] public Property MulScalarOperators() => GradProperty.For("* scalar", One(), x => (x[0] * 1.5).Mul(-2.0 * x[0]));
    [Property(MaxTest = N)] public Property DivScalarOperators() => GradProperty.For("/ scalar", One(Domain.AwayFromZero), x => (x[0] / 4.0).Add(3.0 / x[0]));
    [Property(MaxTest = N)] public Property TensorOperators() => GradProperty.For("tensor operators", Broadcasting(Domain.Any, Domain.AwayFromZero), x => (x[0] + x[1]) * x[0] - x[0] / x[1] + (-x[1]));

    // ---- where ----

    [Property(MaxTest = N)]
    public Property Where() => GradProperty.For("Where",
        Broadcasting().With(x => Gen.Elements(Ref.Broadcast(x[0].Shape, x[1].Shape), x[0].Shape, x[1].Shape, Array.Empty<int>())
            .SelectMany(cs => Gen.ArrayOf(Gen.Elements(0.0, 1.0), TensorValue.Count(cs)).Select(c => new TensorValue(cs, c)))),
        (x, cond) => Tensor.Where(cond.ToTensor(), x[0], x[1].Sin()));

    // ---- reductions ----

    private static Gen<(TensorValue[] Inputs, (int[]? Axes, bool KeepDim) Arg)> Reducing(Domain d = Domain.Any, bool allowEmpty = true) =>
        One(d, allowEmpty).With(x => from axes in Axes(x[0].Shape.Length) from keep in Gen.Elements(false, true) select (axes, keep));

    [Property(MaxTest = N)] public Property Sum() => GradProperty.For("Sum", Reducing(), (x, a) => x[0].Sum(a.Axes, a.KeepDim));
    [Property(MaxTest = N)] public Property SumWhole() => GradProperty.For("Sum(all)", One(), x => x[0].Sum());
    [Property(MaxTest = N)] public Property Mean() => GradProperty.For("Mean", Reducing(), (x, a) => x[0].Mean(a.Axes, a.KeepDim));
    [Property(MaxTest = N)] public Property Max() => GradProperty.For("Max", Reducing(Domain.Distinct, allowEmpty: false), (x, a) => x[0].Max(a.Axes, a.KeepDim));
    [Property(MaxTest = N)] public Property Min() => GradProperty.For("Min", Reducing(Domain.Distinct, allowEmpty: false), (x, a) => x[0].Min(a.Axes, a.KeepDim));
    [Property(MaxTest = N)] public Property MaxWhole() => GradProperty.For("Max(all)", One(Domain.Distinct, allowEmpty: false), x => x[0].Max());
    [Property(MaxTest = N)] public Property MinAxis() => GradProperty.For("Min(axis)", One(Domain.Distinct, allowEmpty: false, minRank: 1).With(x => Gen.Choose(-x[0].Shape.Length, x[0].Shape.Length - 1)), (x, d) => x[0].Min(d));

    [Property(MaxTest = N)]
    public Property Norm() => GradProperty.For("Norm",
        One(Domain.Distinct, allowEmpty: false).Select(x => new[] { new TensorValue(x[0].Shape, x[0].Values.Select(v => v >= 0 ? v + 0.2 : v).ToArray()) })
            .With(x => from p in Gen.Elements(1.0, 2.0, 3.0, double.PositiveInfinity) from axes in Axes(x[0].Shape.Length) select (p, axes)),
        (x, a) => x[0].Norm(a.p, a.axes));

    [Property(MaxTest = N)]
    public Property SumTo() => GradProperty.For("SumTo",
        Unbroadcast().SelectMany(p => Of(p.Full).Select(t => (new[] { t }, p.Small))),
        (x, target) => x[0].SumTo(target));

    // ---- linear algebra ----

    private static Gen<int> Small(bool allowEmpty = true) => Dim(allowEmpty, 3);

    [Property(MaxTest = N)]
    public Property MatMulVectorVector() => GradProperty.For("MatMul 1-D·1-D",
        Small().SelectMany(k => Gen.Two(Of(new[] { k }))).Select(p => new[] { p.Item1, p.Item2 }), x => x[0].MatMul(x[1]));

    [Property(MaxTest = N)]
    public Property MatMulMatrixVector() => GradProperty.For("MatMul 2-D·1-D and 1-D·2-D",
        (from m in Small() from k in Small() from a in Of(new[] { m, k }) from v in Of(new[] { k }) from w in Of(new[] { m }) select new[] { a, v, w }),
        x => x[0].MatMul(x[1]).Add(x[2].MatMul(x[0]).Sum()));

    [Property(MaxTest = N)]
    public Property MatMul2D() => GradProperty.For("MatMul 2-D",
        (from m in Small() from k in Small() from n in Small() from a in Of(new[] { m, k }) from b in Of(new[] { k, n }) select new[] { a, b }),
        x => x[0].MatMul(x[1]));

    [Property(MaxTest = N)]
    public Property MatMulTransposedOperands() => GradProperty.For("MatMul Aᵀ·Bᵀ",
        (from m in Small() from k in Small() from n in Small() from a in Of(new[] { k, m }) from b in Of(new[] { n, k }) select new[] { a, b }),
        x => x[0].T.MatMul(x[1].T));

    [Property(MaxTest = N)]
    public Property MatMulBatchedBroadcast() => GradProperty.For("MatMul batched, broadcast batch",
        (from b1 in Dim(true, 2) from b2 in Dim(false, 2) from m in Small(false) from k in Small() from n in Small(false)
         from lead in Gen.Elements(false, true)
         from a in Of(new[] { b1, 1, m, k })
         from b in Of(lead ? new[] { b2, k, n } : new[] { 1, b2, k, n })
         select new[] { a, b }),
        x => x[0].MatMul(x[1]));

    [Property(MaxTest = N)]
    public Property BatchedMatMul() => GradProperty.For("BatchedMatMul",
        (from bs in Small() from m in Small() from k in Small() from n in Small()
         from a in Of(new[] { bs, m, k }) from b in Of(new[] { bs, k, n }) select new[] { a, b }),
        x => Tensor.BatchedMatMul(x[0], x[1]));

    [Property(MaxTest = N)]
    public Property Linear() => GradProperty.For("Linear",
        (from rows in Small() from fin in Small() from fout in Small() from bias in Gen.Elements(false, true)
         from x in Of(new[] { rows, fin }) from w in Of(new[] { fout, fin }) from b in Of(new[] { fout })
         select bias ? new[] { x, w, b } : new[] { x, w }),
        x => Tensor.Linear(x[0], x[1], x.Length > 2 ? x[2] : null).Tanh());

    // ---- indexing (duplicate indices included) ----

    private static Gen<long[]> Indices(int count, int size) => size == 0
        ? Gen.Constant(Array.Empty<long>())
        : Gen.ArrayOf(Gen.Choose(0, size - 1).Select(i => (long)i), count);

    private static Tensor Index(long[] idx) => Tensor.FromArray(idx, idx.Length);

    [Property(MaxTest = N)]
    public Property IndexSelect() => GradProperty.For("IndexSelect",
        One(minRank: 1).With(x => from d in Gen.Choose(0, x[0].Shape.Length - 1) from m in Gen.Choose(0, 5) from idx in Indices(x[0].Shape[d] == 0 ? 0 : m, x[0].Shape[d]) select (d, idx)),
        (x, a) => x[0].IndexSelect(a.d, Index(a.idx)));

    [Property(MaxTest = N)]
    public Property IndexAdd() => GradProperty.For("IndexAdd",
        (from self in Any(minRank: 1)
         from d in Gen.Choose(0, self.Shape.Length - 1)
         from m in Gen.Choose(0, 4)
         let cnt = self.Shape[d] == 0 ? 0 : m
         from idx in Indices(cnt, self.Shape[d])
         from src in Of(self.Shape.Select((s, i) => i == d ? cnt : s).ToArray())
         select (new[] { self, src }, (d, idx))),
        (x, a) => x[0].IndexAdd(a.d, Index(a.idx), x[1].Square()));

    private static Gen<(int[] Shape, long[] Values)> IndexTensorFor(int[] shape, int d) =>
        from ishape in Gen.CollectToArray(shape.Select((s, i) => i == d ? Gen.Choose(0, 3) : Gen.Choose(0, s)))
        let fixedShape = shape[d] == 0 ? ishape.Select((s, i) => i == d ? 0 : s).ToArray() : ishape
        from v in Indices(TensorValue.Count(fixedShape), shape[d])
        select (fixedShape, v);

    [Property(MaxTest = N)]
    public Property Gather() => GradProperty.For("Gather",
        One(minRank: 1).With(x => Gen.Choose(0, x[0].Shape.Length - 1).SelectMany(d => IndexTensorFor(x[0].Shape, d).Select(i => (d, i)))),
        (x, a) => x[0].Gather(a.d, Tensor.FromSpan<long>(a.i.Values, a.i.Shape)));

    [Property(MaxTest = N)]
    public Property ScatterAdd() => GradProperty.For("ScatterAdd",
        (from self in Any(minRank: 1)
         from d in Gen.Choose(0, self.Shape.Length - 1)
         from idx in IndexTensorFor(self.Shape, d)
         from src in Of(idx.Shape)
         select (new[] { self, src }, (d, idx))),
        (x, a) => x[0].Mul(x[0]).ScatterAdd(a.d, Tensor.FromSpan<long>(a.idx.Values, a.idx.Shape), x[1].Sin()));

    [Property(MaxTest = N)]
    public Property SegmentSum() => GradProperty.For("SegmentSum",
        One(minRank: 1).With(x => from segs in Gen.Choose(x[0].Shape[0] == 0 ? 0 : 1, 4)
                                  from ids in Indices(x[0].Shape[0], segs)
                                  select (segs, ids.OrderBy(i => i).ToArray())),
        (x, a) => x[0].SegmentSum(Index(a.Item2), a.segs).Square());

    // ---- joining ----

    [Property(MaxTest = N)]
    public Property Concat() => GradProperty.For("Concat",
        (from s in Shape(1, 3, maxElements: 8)
         from d in Gen.Choose(0, s.Length - 1)
         from sizes in Gen.ArrayOf(Gen.Choose(0, 3), 3).SelectMany(sz => Gen.Choose(1, 3).Select(k => sz.Take(k).ToArray()))
         from parts in Gen.CollectToArray(sizes.Select(z => Of(s.Select((x, i) => i == d ? z : x).ToArray())))
         select (parts, d)),
        (x, d) => Tensor.Concat(x, d).Square());

    [Property(MaxTest = N)]
    public Property Stack() => GradProperty.For("Stack",
        (from s in Shape(0, 2, maxElements: 8)
         from k in Gen.Choose(1, 3)
         from parts in Gen.ArrayOf(Of(s), k)
         from d in Gen.Choose(-s.Length - 1, s.Length)
         select (parts, d)),
        (x, d) => Tensor.Stack(x, d).Square());

    // ---- views ----

    private static int[] Reversed(int[] s) => s.Reverse().ToArray();

    [Property(MaxTest = N)]
    public Property Reshape() => GradProperty.For("Reshape",
        One().With(x => from transposed in Gen.Elements(false, true)
                         let n = x[0].Values.Length
                         from target in Gen.Elements(new[] { n }, new[] { -1 }, new[] { 1, n, 1 }, Reversed(x[0].Shape), x[0].Shape.Append(1).ToArray())
                         select (transposed, target)),
        (x, a) => (a.transposed ? x[0].Permute(Enumerable.Range(0, x[0].Rank).Reverse().ToArray()) : x[0]).Reshape(a.target).Square());

    [Property(MaxTest = N)]
    public Property Flatten() => GradProperty.For("Flatten",
        One(minRank: 1).With(x => from s in Gen.Choose(0, x[0].Shape.Length - 1) from e in Gen.Choose(s, x[0].Shape.Length - 1) select (s, e)),
        (x, a) => x[0].T.Flatten(a.s, a.e).Square());

    [Property(MaxTest = N)]
    public Property Permute() => GradProperty.For("Permute",
        One().With(x => Gen.Shuffle(Enumerable.Range(0, x[0].Shape.Length).ToArray())),
        (x, p) => x[0].Permute(p).Sin());

    [Property(MaxTest = N)]
    public Property Transpose() => GradProperty.For("Transpose",
        One(minRank: 1).With(x => Gen.Two(Gen.Choose(-x[0].Shape.Length, x[0].Shape.Length - 1))),
        (x, d) => x[0].Transpose(d.Item1, d.Item2).Sin());

    [Property(MaxTest = N)]
    public Property Narrow() => GradProperty.For("Narrow",
        One(minRank: 1).With(x => from d in Gen.Choose(0, x[0].Shape.Length - 1)
                                  from start in Gen.Choose(0, x[0].Shape[d])
                                  from len in Gen.Choose(0, x[0].Shape[d] - start)
                                  select (d, start, len)),
        (x, a) => x[0].Narrow(a.d, a.start, a.len).Square());

    [Property(MaxTest = N)]
    public Property Select() => GradProperty.For("Select",
        One(allowEmpty: false, minRank: 1).With(x => from d in Gen.Choose(0, x[0].Shape.Length - 1) from i in Gen.Choose(-x[0].Shape[d], x[0].Shape[d] - 1) select (d, i)),
        (x, a) => x[0].Select(a.d, a.i).Square());

    [Property(MaxTest = N)]
    public Property Squeeze() => GradProperty.For("Squeeze",
        One().With(x => Gen.Frequency((1, Gen.Constant<int?>(null)), (3, x[0].Shape.Length == 0 ? Gen.Constant<int?>(null) : Gen.Choose(0, x[0].Shape.Length - 1).Select(i => (int?)i)))),
        (x, d) => x[0].Squeeze(d).Square());

    [Property(MaxTest = N)]
    public Property Unsqueeze() => GradProperty.For("Unsqueeze",
        One().With(x => Gen.Choose(-x[0].Shape.Length - 1, x[0].Shape.Length)),
        (x, d) => x[0].T.Unsqueeze(d).Square());

    [Property(MaxTest = N)]
    public Property Expand() => GradProperty.For("Expand",
        Unbroadcast().SelectMany(p => Of(p.Small).Select(t => (new[] { t }, p.Full))),
        (x, target) => x[0].Expand(target).Square());

    [Property(MaxTest = N)]
    public Property Contiguous() => GradProperty.For("Contiguous", One(), x => x[0].T.Contiguous().Square().T.Add(x[0].Contiguous(forceCopy: true)));

    [Property(MaxTest = N)]
    public Property ToDType() => GradProperty.For("To(dtype)", One(), x => x[0].To(DType.Float32).Mul(3.0).To(DType.Float64).Square(),
        tol: new Tolerance(1e-2, 1e-3, 1e-3));

    /// <summary>Detach cuts the graph: only the attached path contributes.</summary>
    [Property(MaxTest = N)]
    public Property Detach() => Prop.ForAll(Arb.From(Any()), v =>
    {
        using var scope = TensorScope.Begin();
        var x = v.ToTensor().RequiresGrad_();
        var d = x.Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        var y = d.Sin().Mul(x).Sum();
        var g = Autodiff.Grad(y, x);
        Ref.Close(v.Values.Select(Math.Sin).ToArray(), g.ToArray<double>(), 1e-12, "d/dx sin(detach(x))·x");
    });
}
