using System.Runtime.CompilerServices;

namespace SciKernels.Kernels.Layout;

/// <summary>
/// A tensor shape of rank &lt;= 6, passed to kernels by value. Dimensions are right-aligned: a rank-r
/// shape occupies <c>D(6-r)..D5</c> and leading dimensions are 1. <see cref="D5"/> is the innermost.
/// </summary>
public readonly struct Shape6
{
    /// <summary>Maximum supported rank.</summary>
    public const int MaxRank = 6;
    /// <summary>Size of dimension 0 (outermost).</summary>
    public readonly int D0;
    /// <summary>Size of dimension 1.</summary>
    public readonly int D1;
    /// <summary>Size of dimension 2.</summary>
    public readonly int D2;
    /// <summary>Size of dimension 3.</summary>
    public readonly int D3;
    /// <summary>Size of dimension 4.</summary>
    public readonly int D4;
    /// <summary>Size of dimension 5 (innermost).</summary>
    public readonly int D5;

    /// <summary>Creates a shape from six right-aligned sizes.</summary>
    /// <param name="d0">Dim 0.</param><param name="d1">Dim 1.</param><param name="d2">Dim 2.</param>
    /// <param name="d3">Dim 3.</param><param name="d4">Dim 4.</param><param name="d5">Dim 5 (innermost).</param>
    public Shape6(int d0, int d1, int d2, int d3, int d4, int d5)
    {
        D0 = d0; D1 = d1; D2 = d2; D3 = d3; D4 = d4; D5 = d5;
    }

    /// <summary>Builds a right-aligned shape from a span of rank &lt;= 6 (rank 0 = scalar).</summary>
    /// <param name="dims">Sizes, outermost first.</param>
    public static Shape6 From(ReadOnlySpan<int> dims)
    {
        if (dims.Length > MaxRank)
            throw new ArgumentException($"Rank {dims.Length} exceeds {MaxRank}.", nameof(dims));
        Span<int> d = stackalloc int[MaxRank];
        d.Fill(1);
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0) throw new ArgumentOutOfRangeException(nameof(dims));
            d[MaxRank - dims.Length + i] = dims[i];
        }
        return new Shape6(d[0], d[1], d[2], d[3], d[4], d[5]);
    }

    /// <summary>Total number of elements (checked to fit in an <see cref="int"/>).</summary>
    public int Length => checked(D0 * D1 * D2 * D3 * D4 * D5);

    /// <summary>Row-major contiguous strides for this shape.</summary>
    public Strides6 ContiguousStrides()
    {
        int s5 = 1, s4 = D5, s3 = s4 * D4, s2 = s3 * D3, s1 = s2 * D2, s0 = s1 * D1;
        return new Strides6(s0, s1, s2, s3, s4, s5, 0);
    }

    /// <summary>Maps a linear row-major index over this shape to an element offset under
    /// <paramref name="s"/> (device and host).</summary>
    /// <param name="linear">Linear index in [0, Length).</param>
    /// <param name="s">Strides and base offset.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int OffsetOf(int linear, in Strides6 s)
    {
        int r = linear;
        int c5 = r % D5; r /= D5;
        int c4 = r % D4; r /= D4;
        int c3 = r % D3; r /= D3;
        int c2 = r % D2; r /= D2;
        int c1 = r % D1; r /= D1;
        return s.Offset + r * s.S0 + c1 * s.S1 + c2 * s.S2 + c3 * s.S3 + c4 * s.S4 + c5 * s.S5;
    }

    /// <summary>Like <see cref="OffsetOf"/> but for two operands sharing the index decomposition.</summary>
    /// <param name="linear">Linear index.</param>
    /// <param name="a">Strides of operand A.</param>
    /// <param name="b">Strides of operand B.</param>
    /// <param name="offA">Offset in A.</param>
    /// <param name="offB">Offset in B.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OffsetsOf(int linear, in Strides6 a, in Strides6 b, out int offA, out int offB)
    {
        int r = linear;
        int c5 = r % D5; r /= D5;
        int c4 = r % D4; r /= D4;
        int c3 = r % D3; r /= D3;
        int c2 = r % D2; r /= D2;
        int c1 = r % D1; r /= D1;
        offA = a.Offset + r * a.S0 + c1 * a.S1 + c2 * a.S2 + c3 * a.S3 + c4 * a.S4 + c5 * a.S5;
        offB = b.Offset + r * b.S0 + c1 * b.S1 + c2 * b.S2 + c3 * b.S3 + c4 * b.S4 + c5 * b.S5;
    }

    /// <inheritdoc/>
    public override string ToString() => $"[{D0},{D1},{D2},{D3},{D4},{D5}]";
}

/// <summary>
/// Element strides (right-aligned like <see cref="Shape6"/>) plus a base element offset. A stride of
/// 0 broadcasts that dimension; negative strides are allowed (flip views).
/// </summary>
public readonly struct Strides6
{
    /// <summary>Stride of dim 0.</summary>
    public readonly int S0;
    /// <summary>Stride of dim 1.</summary>
    public readonly int S1;
    /// <summary>Stride of dim 2.</summary>
    public readonly int S2;
    /// <summary>Stride of dim 3.</summary>
    public readonly int S3;
    /// <summary>Stride of dim 4.</summary>
    public readonly int S4;
    /// <summary>Stride of dim 5 (innermost).</summary>
    public readonly int S5;
    /// <summary>Base element offset into the buffer.</summary>
    public readonly int Offset;

    /// <summary>Creates strides from six right-aligned values and a base offset.</summary>
    /// <param name="s0">Stride 0.</param><param name="s1">Stride 1.</param><param name="s2">Stride 2.</param>
    /// <param name="s3">Stride 3.</param><param name="s4">Stride 4.</param><param name="s5">Stride 5.</param>
    /// <param name="offset">Base element offset.</param>
    public Strides6(int s0, int s1, int s2, int s3, int s4, int s5, int offset)
    {
        S0 = s0; S1 = s1; S2 = s2; S3 = s3; S4 = s4; S5 = s5; Offset = offset;
    }

    /// <summary>Builds right-aligned strides from a span of rank &lt;= 6 (missing leading strides are 0).</summary>
    /// <param name="strides">Strides, outermost first.</param>
    /// <param name="offset">Base element offset.</param>
    public static Strides6 From(ReadOnlySpan<int> strides, int offset = 0)
    {
        if (strides.Length > Shape6.MaxRank)
            throw new ArgumentException($"Rank {strides.Length} exceeds {Shape6.MaxRank}.", nameof(strides));
        Span<int> s = stackalloc int[Shape6.MaxRank];
        s.Clear();
        for (int i = 0; i < strides.Length; i++)
            s[Shape6.MaxRank - strides.Length + i] = strides[i];
        return new Strides6(s[0], s[1], s[2], s[3], s[4], s[5], offset);
    }

    /// <summary>
    /// Strides that broadcast an operand of shape <paramref name="inShape"/> (with strides
    /// <paramref name="inStrides"/>, both outermost first, rank &lt;= output rank) against an output of
    /// the output rank (right-aligned): size-1 and missing dimensions get stride 0 (NumPy rules;
    /// shape compatibility is the caller's responsibility).
    /// </summary>
    /// <param name="inShape">Operand shape.</param>
    /// <param name="inStrides">Operand strides.</param>
    /// <param name="offset">Operand base offset.</param>
    public static Strides6 Broadcast(ReadOnlySpan<int> inShape, ReadOnlySpan<int> inStrides, int offset = 0)
    {
        if (inShape.Length != inStrides.Length)
            throw new ArgumentException("Shape and strides must have the same rank.");
        Span<int> s = stackalloc int[inStrides.Length];
        for (int i = 0; i < s.Length; i++)
            s[i] = inShape[i] == 1 ? 0 : inStrides[i];
        return From(s, offset);
    }

    /// <inheritdoc/>
    public override string ToString() => $"[{S0},{S1},{S2},{S3},{S4},{S5}]+{Offset}";
}
