namespace SciKernels;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with <c>torch.matmul</c> semantics: 1-D operands are promoted (and the added
    /// dimension removed), leading batch dimensions broadcast.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        CheckFloatOperands("MatMul", this, other);
        if (Rank == 0 || other.Rank == 0)
            throw new TensorException("MatMul", $"both operands need at least one dimension, got {ShapeString(shape)} and {ShapeString(other.shape)}");
        var a = Rank == 1 ? Unsqueeze(0) : this;
        var b = other.Rank == 1 ? other.Unsqueeze(1) : other;
        int m = a.shape[^2], k = a.shape[^1], k2 = b.shape[^2], n = b.shape[^1];
        if (k != k2)
            throw new TensorException("MatMul", $"inner dimensions differ: {ShapeString(shape)} @ {ShapeString(other.shape)} ({k} vs {k2})");
        int[] batch;
        try
        {
            batch = BroadcastShapes(a.shape.AsSpan(0, a.Rank - 2), b.shape.AsSpan(0, b.Rank - 2), "MatMul");
        }
        catch (TensorException)
        {
            throw new TensorException("MatMul", $"batch dimensions of {ShapeString(shape)} and {ShapeString(other.shape)} cannot be broadcast together");
        }
        int bsz = 1;
        foreach (var d in batch) bsz *= d;
        var a3 = a.Expand([.. batch, m, k]).Reshape(bsz, m, k);
        var b3 = b.Expand([.. batch, k, n]).Reshape(bsz, k, n);
        var c = BatchedMatMul(a3, b3);
        var outShape = new List<int>(batch);
        if (Rank > 1) outShape.Add(m);
        if (other.Rank > 1) outShape.Add(n);
        return c.Reshape(outShape.ToArray());
    }

    /// <summary>The batched product [B, M, K] · [B, K, N] → [B, M, N]: the differentiable primitive.</summary>
    public static Tensor BatchedMatMul(Tensor a, Tensor b)
    {
        CheckFloatOperands("BatchedMatMul", a, b);
        if (a.Rank != 3 || b.Rank != 3 || a.shape[0] != b.shape[0] || a.shape[2] != b.shape[1])
            throw new TensorException("BatchedMatMul", $"expected [B, M, K] and [B, K, N], got {ShapeString(a.shape)} and {ShapeString(b.shape)}");
        var c = Empty(new[] { a.shape[0], a.shape[1], b.shape[2] }, a.DType, a.Device);
        a.Backend.MatMul(a, b, c, accumulate: false);
        // dA = dC · Bᵀ, dB = Aᵀ · dC (the transposes are free views; packing absorbs the strides)
        // d(AB) = dA·B + A·dB
        return Record(c, "MatMul", new[] { a, b }, g => new[]
        {
            a.requiresGrad ? BatchedMatMul(g, b.Transpose(1, 2)) : null,
            b.requiresGrad ? BatchedMatMul(a.Transpose(1, 2), g) : null,
        }, t => SumTangents(c, t[0] is { } ta ? BatchedMatMul(ta, b) : null, t[1] is { } tb ? BatchedMatMul(a, tb) : null));
    }

    /// <summary>x · Wᵀ + b, the affine map of a linear layer (W is [out, in]).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        var y = x.MatMul(weight.T);
        return bias is null ? y : y.Add(bias);
    }
}
