using SciKernels.Random;

namespace SciKernels.NN;

/// <summary>
/// Zeroes each element with probability p during training and scales the survivors by 1/(1 − p);
/// the identity in evaluation mode. Masks come from the layer's own seeded generator.
/// </summary>
public sealed class Dropout : Module
{
    private readonly Generator generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Drop probability in [0, 1).</param>
    /// <param name="generator">Source of the masks (explicit, so a seed reproduces the training run).</param>
    public Dropout(double p, Generator generator)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1)");
        ArgumentNullException.ThrowIfNull(generator);
        P = p;
        this.generator = generator;
    }

    /// <summary>Drop probability.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsTraining || P == 0) return input;
        // The mask is built on the host so it is identical on every device for one seed.
        var mask = new double[checked((int)input.NumElements)];
        double keepScale = 1 / (1 - P);
        for (int i = 0; i < mask.Length; i++) mask[i] = generator.NextDouble() < P ? 0 : keepScale;
        return input.Mul(Tensor.FromDoubles(mask, input.Shape, input.DType, input.Device));
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={P}";
}
