namespace SciKernels.Pinn;

/// <summary>
/// The network output and its input derivatives from <see cref="TaylorMlp.Forward(NN.Mlp, Tensor, TaylorRequest)"/>.
/// Every tensor is [N, out] and differentiable with respect to the network's parameters (and the input).
/// </summary>
/// <remarks>
/// The tensors are row blocks (views) of one stacked [streams·N, out] result, <see cref="Stacked"/>:
/// block 0 is u, then the first derivatives in <see cref="TaylorRequest.FirstOrder"/> order, then the
/// second derivatives in <see cref="TaylorRequest.SecondOrder"/> order.
/// </remarks>
public sealed class TaylorResult
{
    private readonly Tensor[] blocks;

    internal TaylorResult(Tensor stacked, TaylorRequest request, int points)
    {
        Stacked = stacked;
        Request = request;
        Points = points;
        blocks = new Tensor[request.StreamCount];
        for (int s = 0; s < blocks.Length; s++) blocks[s] = stacked.Narrow(0, s * points, points);
        Dx = new TaylorFirstDerivatives(this);
        Dxx = new TaylorSecondDerivatives(this);
    }

    /// <summary>The request these derivatives answer.</summary>
    public TaylorRequest Request { get; }

    /// <summary>Number of points N.</summary>
    public int Points { get; }

    /// <summary>All streams stacked along dimension 0: [streams·N, out].</summary>
    public Tensor Stacked { get; }

    /// <summary>The network output u, [N, out].</summary>
    public Tensor U => blocks[0];

    /// <summary>First derivatives: <c>Dx[i]</c> is ∂u/∂xᵢ, [N, out].</summary>
    public TaylorFirstDerivatives Dx { get; }

    /// <summary>Second derivatives: <c>Dxx[i, j]</c> is ∂²u/∂xᵢ∂xⱼ, [N, out].</summary>
    public TaylorSecondDerivatives Dxx { get; }

    internal Tensor Block(int stream) => blocks[stream];
}

/// <summary>Indexer over the first derivatives of a <see cref="TaylorResult"/>.</summary>
public sealed class TaylorFirstDerivatives
{
    private readonly TaylorResult owner;

    internal TaylorFirstDerivatives(TaylorResult owner) => this.owner = owner;

    /// <summary>∂u/∂xᵢ, [N, out].</summary>
    /// <exception cref="KeyNotFoundException">The derivative was not requested.</exception>
    public Tensor this[int i]
    {
        get
        {
            int s = owner.Request.FirstStream(i);
            if (s < 0) throw new KeyNotFoundException($"TaylorResult: ∂u/∂x{i} was not requested ({owner.Request})");
            return owner.Block(s);
        }
    }
}

/// <summary>Indexer over the second derivatives of a <see cref="TaylorResult"/>.</summary>
public sealed class TaylorSecondDerivatives
{
    private readonly TaylorResult owner;

    internal TaylorSecondDerivatives(TaylorResult owner) => this.owner = owner;

    /// <summary>∂²u/∂xᵢ∂xⱼ, [N, out] (symmetric in i, j).</summary>
    /// <exception cref="KeyNotFoundException">The derivative was not requested.</exception>
    public Tensor this[int i, int j]
    {
        get
        {
            int s = owner.Request.PairStream(i, j);
            if (s < 0) throw new KeyNotFoundException($"TaylorResult: ∂²u/∂x{i}∂x{j} was not requested ({owner.Request})");
            return owner.Block(s);
        }
    }
}
