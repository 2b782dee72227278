using SciKernels.Storage;

namespace SciKernels.Backends;

/// <summary>
/// The narrow interface every device implements. The tensor layer does shape logic, broadcasting
/// and autodiff; a backend only moves and computes elements.
/// </summary>
/// <remarks>
/// Conventions: output tensors are freshly allocated and contiguous unless stated; inputs may be
/// arbitrary strided views (a stride of 0 marks a broadcast dimension) and have already been
/// validated for shape, dtype and device. Only float32 and float64 reach the arithmetic methods.
/// The CPU backend is the specification: every other backend is tested against it.
/// </remarks>
public interface IBackend
{
    /// <summary>The device this backend runs on.</summary>
    Device Device { get; }

    /// <summary>Allocates uninitialised storage (pooled where possible).</summary>
    TensorStorage Allocate(DType dtype, long length);

    /// <summary>Copies raw bytes from the host into <paramref name="dst"/> at a byte offset.</summary>
    void CopyFromHost(ReadOnlySpan<byte> src, TensorStorage dst, long dstByteOffset);

    /// <summary>Copies raw bytes from <paramref name="src"/> at a byte offset to the host.</summary>
    void CopyToHost(TensorStorage src, long srcByteOffset, Span<byte> dst);

    /// <summary>dst[i] = src[i] for every index of their common shape; both may be strided (any dtype).</summary>
    void Copy(Tensor src, Tensor dst);

    /// <summary>Sets every element of the contiguous <paramref name="dst"/> to <paramref name="value"/>.</summary>
    void Fill(Tensor dst, double value);

    /// <summary>y = op(x; alpha, beta) element-wise; y contiguous with x's shape.</summary>
    void Unary(UnaryOp op, Tensor x, Tensor y, double alpha, double beta);

    /// <summary>
    /// r = g·F′(x) for the element-wise function F behind <paramref name="op"/> (a registered
    /// <see cref="Functions.IUnaryFunction"/>), given y = F(x): the backward and forward rule in one
    /// pass. x, y, g and r are contiguous with r's shape; r may alias g.
    /// </summary>
    void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor g, Tensor r);

    /// <summary>y = op(a, b) element-wise; a and b are already expanded to y's shape.</summary>
    void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y);

    /// <summary>y = cond ≠ 0 ? a : b; all three expanded to y's shape.</summary>
    void Where(Tensor cond, Tensor a, Tensor b, Tensor y);

    /// <summary>
    /// Reduces the contiguous x viewed as [outer, n, inner] along n into contiguous y [outer, inner].
    /// </summary>
    void Reduce(ReduceOp op, Tensor x, int outer, int n, int inner, Tensor y);

    /// <summary>
    /// Batched matrix product c[b] (+)= a[b] · b[b]; a is [B, M, K], b is [B, K, N] with any strides
    /// (transposed views allowed), c is contiguous [B, M, N].
    /// </summary>
    void MatMul(Tensor a, Tensor b, Tensor c, bool accumulate);

    /// <summary>y = x.index_select(dim, index): x contiguous, index int64 1-D, y contiguous.</summary>
    void IndexSelect(Tensor x, int dim, Tensor index, Tensor y);

    /// <summary>y.index_add_(dim, index, src) in place, deterministically: y and src contiguous.</summary>
    void IndexAdd(Tensor y, int dim, Tensor index, Tensor src);

    /// <summary>y = x.gather(dim, index) (PyTorch semantics): x, index contiguous, y contiguous.</summary>
    void Gather(Tensor x, int dim, Tensor index, Tensor y);

    /// <summary>y.scatter_add_(dim, index, src) in place, deterministically: all contiguous.</summary>
    void ScatterAdd(Tensor y, int dim, Tensor index, Tensor src);

    /// <summary>
    /// y[s] = Σ x[i] over rows i with sortedIds[i] = s, along dim 0; ids int64, sorted ascending;
    /// x and y contiguous, y has numSegments rows.
    /// </summary>
    void SegmentSum(Tensor x, Tensor sortedIds, Tensor y);

    /// <summary>Waits for queued work (a no-op on the CPU).</summary>
    void Synchronize();
}
