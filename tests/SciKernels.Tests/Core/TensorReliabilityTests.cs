using System.Runtime.CompilerServices;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SciKernels.Autograd;
using Xunit;

namespace SciKernels.Tests.Core;

/// <summary>
/// Regression tests of issue 15's tensor defects: shape/offset arithmetic that overflowed, in-place
/// updates whose source overlaps the destination, invalid expand sizes, huge shapes, and scopes
/// disposed out of order.
/// </summary>
public class TensorReliabilityTests
{
    private static Tensor Vec(params double[] v) => Tensor.FromArray(v, v.Length);

    private static void Names(TensorException e, string op, params string[] parts)
    {
        Assert.Equal(op, e.Op);
        foreach (var p in parts) Assert.Contains(p, e.Message);
    }

    // ---- defect 1: 32-bit overflow in bounds checks ----

    [Fact]
    public void NarrowWithALengthThatOverflowsIsRejected()
    {
        using var s = TensorScope.Begin();
        var x = Tensor.Arange(6).Reshape(2, 3);
        Names(Assert.Throws<TensorException>(() => x.Narrow(0, 1, int.MaxValue)), "Narrow", "[2, 3]", int.MaxValue.ToString());
        Names(Assert.Throws<TensorException>(() => x.Narrow(1, int.MaxValue, 2)), "Narrow", "[2, 3]");
        Names(Assert.Throws<TensorException>(() => x.Narrow(1, int.MinValue, 1)), "Narrow", "[2, 3]");
        // the legal extremes still work
        Assert.Equal(new[] { 3.0f, 4, 5 }, x.Narrow(0, 1, 1).ToArray<float>());
        Assert.Equal(new[] { 2, 0 }, x.Narrow(1, 3, 0).Shape.ToArray());
        Assert.Equal(new[] { 2.0f, 5 }, x.Narrow(1, -1, 1).ToArray<float>());
    }

    [Fact]
    public void SelectWithAnExtremeIndexIsRejected()
    {
        using var s = TensorScope.Begin();
        var x = Tensor.Arange(6).Reshape(2, 3);
        Names(Assert.Throws<TensorException>(() => x.Select(1, int.MinValue)), "Select", "[2, 3]");
        Names(Assert.Throws<TensorException>(() => x.Select(1, int.MaxValue)), "Select", "[2, 3]");
    }

    [Fact]
    public void ShapesWhoseElementCountOverflowsAreRejectedWithTheOpAndShape()
    {
        using var s = TensorScope.Begin();
        int big = int.MaxValue;
        Names(Assert.Throws<TensorException>(() => Tensor.Empty([big, big, big])), "Empty", $"[{big}, {big}, {big}]");
        Names(Assert.Throws<TensorException>(() => Tensor.Zeros([big, big, big])), "Zeros", $"[{big}, {big}, {big}]");
        var one = Tensor.Ones([1, 1, 1]);
        Names(Assert.Throws<TensorException>(() => one.Expand(big, big, big)), "Expand", $"[{big}, {big}, {big}]");
        var square = Tensor.Ones([1, 1]).Expand(big, big);
        Names(Assert.Throws<TensorException>(() => square.Flatten()), "Flatten", $"[{big}, {big}]");
        Names(Assert.Throws<TensorException>(() => square.Reshape(-1)), "Reshape", $"[{big}, {big}]");
    }

    [Fact]
    public void CreationFunctionsNameTheOpForShapesTooLargeForTheHost()
    {
        using var s = TensorScope.Begin();
        int big = int.MaxValue;
        var gen = new SciKernels.Random.Generator(1);
        Names(Assert.Throws<TensorException>(() => Tensor.Randn([big, big], gen)), "Randn", $"[{big}, {big}]");
        Names(Assert.Throws<TensorException>(() => Tensor.Rand([big, 4], gen)), "Rand", $"[{big}, 4]");
        Names(Assert.Throws<TensorException>(() => Tensor.Eye(1 << 20)), "Eye", $"[{1 << 20}, {1 << 20}]");
        Names(Assert.Throws<TensorException>(() => Tensor.Eye(-3)), "Eye", "[-3, -3]");
        Names(Assert.Throws<TensorException>(() => Tensor.Arange(0, 1e12)), "Arange", "1000000000000");
        Assert.Equal(new[] { 0, 5 }, Tensor.Randn([0, 5], gen).Shape.ToArray());
    }

    [Fact]
    public void AnAllocationThatCannotBeSatisfiedNamesTheOpAndShape()
    {
        using var s = TensorScope.Begin();
        // 2^51 float64 elements (16 PiB) fit a long but no machine: a clear error, not a bare OOM.
        var e = Assert.Throws<OutOfMemoryException>(() => Tensor.Zeros([int.MaxValue, 1 << 20], DType.Float64));
        Assert.StartsWith("Zeros:", e.Message);
        Assert.Contains($"[{int.MaxValue}, {1 << 20}]", e.Message);
    }

    [Fact]
    public void ConcatWhoseTotalLengthOverflowsIsRejected()
    {
        using var s = TensorScope.Begin();
        var wide = Tensor.Ones([1, 1]).Expand(1, int.MaxValue / 2 + 1);
        Names(Assert.Throws<TensorException>(() => Tensor.Concat([wide, wide], 1)), "Concat");
    }

    // ---- defect 10: Expand sizes, overlapping in-place sources ----

    [Theory]
    [InlineData(-5)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void ExpandToANegativeSizeIsRejected(int size)
    {
        using var s = TensorScope.Begin();
        var x = Tensor.Ones([1, 3]);
        Names(Assert.Throws<TensorException>(() => x.Expand(size, 3)), "Expand", "[1, 3]", size.ToString());
        Names(Assert.Throws<TensorException>(() => x.Expand(2, size, 3)), "Expand", "[1, 3]", size.ToString());
    }

    [Fact]
    public void InPlaceAddFromAnOverlappingViewUsesTheOriginalValues()
    {
        using var s = TensorScope.Begin();
        var x = Vec(0, 1, 2, 3, 4);
        var dst = x.Narrow(0, 1, 4);
        var src = x.Narrow(0, 0, 4);
        dst.AddInPlace(src);
        Assert.Equal(new[] { 0.0, 1, 3, 5, 7 }, x.ToArray<double>());

        var y = Vec(0, 1, 2, 3, 4);
        y.Narrow(0, 0, 4).AddInPlace(y.Narrow(0, 1, 4), alpha: 2);
        Assert.Equal(new[] { 2.0, 5, 8, 11, 4 }, y.ToArray<double>());
    }

    [Fact]
    public void CopyFromAnOverlappingViewUsesTheOriginalValues()
    {
        using var s = TensorScope.Begin();
        var x = Vec(0, 1, 2, 3, 4);
        x.Narrow(0, 1, 4).CopyFrom(x.Narrow(0, 0, 4));
        Assert.Equal(new[] { 0.0, 0, 1, 2, 3 }, x.ToArray<double>());
        var m = Tensor.FromArray(new[] { 1.0, 2, 3, 4 }, 2, 2);
        m.CopyFrom(m.T);
        Assert.Equal(new[] { 1.0, 3, 2, 4 }, m.ToArray<double>());
    }

    /// <summary>
    /// Any two windows of one buffer: dst += src (alpha 1 and 2) and dst.CopyFrom(src) equal the same
    /// update computed from a snapshot of the buffer taken before it, whatever the overlap.
    /// </summary>
    [Property(MaxTest = 60)]
    public Property InPlaceUpdatesFromAnyWindowOfTheSameBufferReadTheOldValues() => Prop.ForAll(
        Arb.From(from n in Gen.Choose(1, 12)
                 from len in Gen.Choose(1, n)
                 from dst in Gen.Choose(0, n - len)
                 from src in Gen.Choose(0, n - len)
                 from op in Gen.Elements("add", "add2", "copy")
                 select (n, len, dst, src, op)),
        c =>
        {
            using var scope = TensorScope.Begin();
            var init = Enumerable.Range(0, c.n).Select(i => (double)(i * i + 1)).ToArray();
            var buf = Tensor.FromArray((double[])init.Clone(), c.n);
            var d = buf.Narrow(0, c.dst, c.len);
            var s = buf.Narrow(0, c.src, c.len);
            var expected = (double[])init.Clone();
            for (int i = 0; i < c.len; i++)
            {
                double v = init[c.src + i];
                expected[c.dst + i] = c.op switch { "add" => init[c.dst + i] + v, "add2" => init[c.dst + i] + 2 * v, _ => v };
            }
            if (c.op == "copy") d.CopyFrom(s);
            else d.AddInPlace(s, c.op == "add" ? 1 : 2);
            Assert.Equal(expected, buf.ToArray<double>());
        });

    [Fact]
    public void InPlaceAddOfTheSameViewIsStillAllowed()
    {
        using var s = TensorScope.Begin();
        var x = Vec(1, 2, 3);
        x.AddInPlace(x);
        Assert.Equal(new[] { 2.0, 4, 6 }, x.ToArray<double>());
    }

    // ---- defect 8: scopes disposed out of order ----

    [Fact]
    public void DisposingAnOuterScopeFirstEndsTheInnerOneAndLeavesNoDeadScope()
    {
        var outer = TensorScope.Begin();
        var a = Tensor.Zeros([2]);
        var inner = TensorScope.Begin();
        var b = Tensor.Zeros([2]);
        outer.Dispose();
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
        inner.Dispose(); // already ended with its parent: a no-op
        Assert.Null(TensorScope.Current);

        // Later scopes still release their tensors...
        Tensor c;
        using (TensorScope.Begin()) c = Tensor.Zeros([2]);
        Assert.True(c.IsDisposed);
        // ...and tensors made outside any scope are not held by a dead one.
        var weak = MakeUnscopedTensor();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(weak.TryGetTarget(out _));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<Tensor> MakeUnscopedTensor() => new(Tensor.Zeros([3]));

    [Fact]
    public void DisposingAScopeFromAnotherThreadThrowsAndLeavesItUsable()
    {
        var scope = TensorScope.Begin();
        var a = Tensor.Zeros([2]);
        Exception? error = null;
        var other = new Thread(() =>
        {
            try { scope.Dispose(); }
            catch (Exception ex) { error = ex; }
        });
        other.Start();
        other.Join();
        Assert.Contains("thread", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.False(a.IsDisposed);
        Assert.Same(scope, TensorScope.Current);
        scope.Dispose();
        Assert.True(a.IsDisposed);
        Assert.Null(TensorScope.Current);
    }

    [Fact]
    public void InPlaceUpdatesBumpTheVersion()
    {
        using var s = TensorScope.Begin();
        var x = Vec(1, 2, 3);
        var view = x.Narrow(0, 1, 2);
        int v0 = x.Version;
        using (GradMode.NoGrad())
        {
            view.AddInPlace(Vec(1, 1));
            x.AffineInPlace(2, 0);
            x.FillInPlace(0);
            x.CopyFrom(Vec(4, 5, 6));
        }
        Assert.Equal(v0 + 4, x.Version);
        Assert.Equal(x.Version, view.Version);
    }
}
