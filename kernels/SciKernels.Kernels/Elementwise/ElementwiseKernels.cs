using ILGPU;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Layout;

namespace SciKernels.Kernels.Elementwise;

/// <summary>
/// Element-wise kernels. All are explicitly grouped, 1-D, grid-stride kernels: launch them with any
/// grid/group size (see <see cref="Runtime.LaunchPlanner"/>); each thread walks
/// <c>i = globalIndex; i &lt; n; i += gridSize</c>. Outputs are contiguous; inputs are either
/// contiguous (fast path) or described by <see cref="Shape6"/>/<see cref="Strides6"/>
/// (strided/broadcast path, stride 0 = broadcast). Indices are 32-bit (tensors &lt; 2^31 elements).
/// </summary>
public static class ElementwiseKernels
{
    /// <summary>y[i] = TOp(x[i], p0, p1) for contiguous x and y.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Unary functor.</typeparam>
    /// <param name="x">Input, at least <c>y.Length</c> elements.</param>
    /// <param name="y">Output (may alias x).</param>
    /// <param name="p0">Op parameter 0.</param>
    /// <param name="p1">Op parameter 1.</param>
    public static void Unary<T, TOp>(ArrayView<T> x, ArrayView<T> y, T p0, T p1)
        where T : unmanaged
        where TOp : struct, IUnaryOp<T>
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            y[i] = TOp.Apply(x[i], p0, p1);
    }

    /// <summary>y[i] = TOp(x[offset(i)], p0, p1): strided input, contiguous output.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Unary functor.</typeparam>
    /// <param name="x">Input buffer (addressed through <paramref name="sx"/>).</param>
    /// <param name="y">Contiguous output with <c>shape.Length</c> elements.</param>
    /// <param name="shape">Logical (output) shape.</param>
    /// <param name="sx">Input strides and base offset.</param>
    /// <param name="p0">Op parameter 0.</param>
    /// <param name="p1">Op parameter 1.</param>
    public static void UnaryStrided<T, TOp>(ArrayView<T> x, ArrayView<T> y, Shape6 shape, Strides6 sx, T p0, T p1)
        where T : unmanaged
        where TOp : struct, IUnaryOp<T>
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            y[i] = TOp.Apply(x[shape.OffsetOf(i, sx)], p0, p1);
    }

    /// <summary>r[i] = TOp(x[i], y[i], g[i]) for contiguous operands: the backward g·F′(x) of an element-wise function.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Gradient functor.</typeparam>
    /// <param name="x">Function input.</param>
    /// <param name="y">Function output F(x).</param>
    /// <param name="g">Output gradient.</param>
    /// <param name="r">Result (may alias g).</param>
    public static void UnaryGrad<T, TOp>(ArrayView<T> x, ArrayView<T> y, ArrayView<T> g, ArrayView<T> r)
        where T : unmanaged
        where TOp : struct, IUnaryGradOp<T>
    {
        int n = r.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            r[i] = TOp.Apply(x[i], y[i], g[i]);
    }

    /// <summary>c[i] = TOp(a[i], b[i]) for contiguous operands of equal length.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Binary functor.</typeparam>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    /// <param name="c">Output (may alias a or b).</param>
    public static void Binary<T, TOp>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c)
        where T : unmanaged
        where TOp : struct, IBinaryOp<T>
    {
        int n = c.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            c[i] = TOp.Apply(a[i], b[i]);
    }

    /// <summary>c[i] = TOp(a[offA(i)], b[offB(i)]): strided/broadcast operands, contiguous output.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TOp">Binary functor.</typeparam>
    /// <param name="a">Left operand buffer.</param>
    /// <param name="b">Right operand buffer.</param>
    /// <param name="c">Contiguous output with <c>shape.Length</c> elements.</param>
    /// <param name="shape">Broadcast output shape.</param>
    /// <param name="sa">Strides of a (0 on broadcast dims).</param>
    /// <param name="sb">Strides of b (0 on broadcast dims).</param>
    public static void BinaryStrided<T, TOp>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, Shape6 shape, Strides6 sa, Strides6 sb)
        where T : unmanaged
        where TOp : struct, IBinaryOp<T>
    {
        int n = c.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            shape.OffsetsOf(i, sa, sb, out int oa, out int ob);
            c[i] = TOp.Apply(a[oa], b[ob]);
        }
    }

    /// <summary>y[i] = cond[i] != 0 ? a[i] : b[i] (contiguous).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T (<see cref="F32"/> / <see cref="F64"/>).</typeparam>
    /// <param name="cond">Condition mask (nonzero = true), e.g. from a comparison op.</param>
    /// <param name="a">Values where true.</param>
    /// <param name="b">Values where false.</param>
    /// <param name="y">Output.</param>
    public static void Where<T, TArith>(ArrayView<T> cond, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            y[i] = TArith.IsNonZero(cond[i]) ? a[i] : b[i];
    }

    /// <summary>y[i] = cond[offC(i)] != 0 ? a[offA(i)] : b[offB(i)] with broadcast, contiguous output.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="cond">Condition buffer.</param>
    /// <param name="a">Values where true.</param>
    /// <param name="b">Values where false.</param>
    /// <param name="y">Contiguous output with <c>shape.Length</c> elements.</param>
    /// <param name="shape">Broadcast output shape.</param>
    /// <param name="sc">Strides of cond.</param>
    /// <param name="sa">Strides of a.</param>
    /// <param name="sb">Strides of b.</param>
    public static void WhereStrided<T, TArith>(ArrayView<T> cond, ArrayView<T> a, ArrayView<T> b, ArrayView<T> y,
        Shape6 shape, Strides6 sc, Strides6 sa, Strides6 sb)
        where T : unmanaged
        where TArith : struct, IArith<T>
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            shape.OffsetsOf(i, sa, sb, out int oa, out int ob);
            y[i] = TArith.IsNonZero(cond[shape.OffsetOf(i, sc)]) ? a[oa] : b[ob];
        }
    }

    /// <summary>y[i] = value.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="y">Output.</param>
    /// <param name="value">Fill value.</param>
    public static void Fill<T>(ArrayView<T> y, T value)
        where T : unmanaged
    {
        int n = y.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            y[i] = value;
    }

    /// <summary>
    /// dst[offDst(i)] = src[offSrc(i)] over <paramref name="shape"/>: make-contiguous (contiguous
    /// dst strides), transpose/permute (permuted src strides), broadcast-expand (stride 0), and
    /// strided slice assignment (strided dst). dst must not overlap src, and dst strides must not map two
    /// indices to one element.
    /// </summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="src">Source buffer.</param>
    /// <param name="dst">Destination buffer.</param>
    /// <param name="shape">Logical shape copied.</param>
    /// <param name="sSrc">Source strides and offset.</param>
    /// <param name="sDst">Destination strides and offset.</param>
    public static void CopyStrided<T>(ArrayView<T> src, ArrayView<T> dst, Shape6 shape, Strides6 sSrc, Strides6 sDst)
        where T : unmanaged
    {
        int n = shape.D0 * shape.D1 * shape.D2 * shape.D3 * shape.D4 * shape.D5;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            shape.OffsetsOf(i, sSrc, sDst, out int os, out int od);
            dst[od] = src[os];
        }
    }

    /// <summary>dst[i] = (double)src[i].</summary>
    /// <param name="src">float input.</param>
    /// <param name="dst">double output (length n).</param>
    public static void CastF32ToF64(ArrayView<float> src, ArrayView<double> dst)
    {
        int n = dst.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            dst[i] = src[i];
    }

    /// <summary>dst[i] = (float)src[i] (round to nearest).</summary>
    /// <param name="src">double input.</param>
    /// <param name="dst">float output (length n).</param>
    public static void CastF64ToF32(ArrayView<double> src, ArrayView<float> dst)
    {
        int n = dst.IntLength;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
            dst[i] = (float)src[i];
    }
}
