namespace SciKernels.NN;

/// <summary>
/// Normalizes over the trailing <c>normalizedShape</c> dimensions: (x − mean)/√(var + ε)·γ + β,
/// with the biased variance (like <c>torch.nn.LayerNorm</c>).
/// </summary>
public sealed class LayerNorm : Module
{
    private readonly int[] normalizedShape;
    private readonly int[] axes;

    /// <summary>Creates the layer; γ starts at 1 and β at 0.</summary>
    /// <param name="normalizedShape">Sizes of the trailing dimensions to normalize over.</param>
    /// <param name="eps">Added to the variance for stability.</param>
    /// <param name="elementwiseAffine">Learn γ (<c>weight</c>) and β (<c>bias</c>).</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device.</param>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0) throw new ArgumentException("LayerNorm: normalizedShape is empty", nameof(normalizedShape));
        this.normalizedShape = (int[])normalizedShape.Clone();
        axes = Enumerable.Range(1, normalizedShape.Length).Select(i => -i).ToArray();
        Eps = eps;
        RegisterParameter("weight", elementwiseAffine ? Tensor.Ones(normalizedShape, dtype, device) : null);
        RegisterParameter("bias", elementwiseAffine ? Tensor.Zeros(normalizedShape, dtype, device) : null);
    }

    /// <summary>Creates a layer normalizing over the last dimension of size <paramref name="features"/>.</summary>
    public LayerNorm(int features, double eps = 1e-5, bool elementwiseAffine = true, DType dtype = DType.Float32, Device? device = null)
        : this(new[] { features }, eps, elementwiseAffine, dtype, device)
    {
    }

    /// <summary>Variance offset ε.</summary>
    public double Eps { get; }

    /// <summary>γ, or null without affine parameters.</summary>
    public Tensor? Weight => GetOptionalParameter("weight");

    /// <summary>β, or null without affine parameters.</summary>
    public Tensor? Bias => GetOptionalParameter("bias");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < normalizedShape.Length || !input.Shape[^normalizedShape.Length..].SequenceEqual(normalizedShape))
            throw new ArgumentException($"LayerNorm: input shape [{string.Join(", ", input.Shape.ToArray())}] does not end with normalized shape [{string.Join(", ", normalizedShape)}]", nameof(input));
        var centered = input.Sub(input.Mean(axes, keepDim: true));
        var variance = centered.Square().Mean(axes, keepDim: true);
        var y = centered.Div(variance.Add(Eps).Sqrt());
        if (Weight is { } w) y = y.Mul(w);
        if (Bias is { } b) y = y.Add(b);
        return y;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"[{string.Join(", ", normalizedShape)}], eps={Eps}, elementwise_affine={Weight is not null}";
}
