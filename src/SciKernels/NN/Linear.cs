using SciKernels.Random;

namespace SciKernels.NN;

/// <summary>y = x·Wᵀ + b with W of shape [out, in] (like <c>torch.nn.Linear</c>).</summary>
/// <remarks>
/// The default initialization is PyTorch's: W ~ U(−1/√in, 1/√in) (Kaiming uniform with a = √5) and
/// b ~ U(−1/√in, 1/√in).
/// </remarks>
public sealed class Linear : Module
{
    /// <summary>Creates the layer, initializing it from <paramref name="generator"/>.</summary>
    /// <param name="inFeatures">Size of the last input dimension.</param>
    /// <param name="outFeatures">Size of the last output dimension.</param>
    /// <param name="generator">Source of the initial weights (explicit, so the same seed gives the same weights).</param>
    /// <param name="bias">Whether to add a learned bias.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device (CPU when null).</param>
    public Linear(int inFeatures, int outFeatures, Generator generator, bool bias = true, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentNullException.ThrowIfNull(generator);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var w = Tensor.Empty([outFeatures, inFeatures], dtype, device);
        Init.KaimingUniform(w, generator, a: Math.Sqrt(5));
        RegisterParameter("weight", w);
        Tensor? b = null;
        if (bias)
        {
            double bound = 1 / Math.Sqrt(inFeatures);
            b = Init.Uniform(Tensor.Empty([outFeatures], dtype, device), generator, -bound, bound);
        }
        RegisterParameter("bias", b);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>The [out, in] weight.</summary>
    public Tensor Weight => GetParameter("weight");

    /// <summary>The [out] bias, or null.</summary>
    public Tensor? Bias => GetOptionalParameter("bias");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.Linear(input, Weight, Bias);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Bias is not null}";
}
