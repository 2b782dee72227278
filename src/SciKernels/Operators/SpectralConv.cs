using SciKernels.NN;
using SciKernels.Random;
using SciKernels.Spectral;

namespace SciKernels.Operators;

/// <summary>
/// A Fourier layer as a module: complex weights per kept mode (real and imaginary parts stored as
/// parameters <c>weight_re</c>/<c>weight_im</c>), applied by <see cref="Fourier.SpectralConv1d"/>,
/// <see cref="Fourier.SpectralConv2d"/> or <see cref="Fourier.SpectralConv3d"/>.
/// </summary>
public sealed class SpectralConv : Module
{
    /// <summary>Creates the layer with Li et al.'s initialisation: uniform [0, 1/(in·out)) real and imaginary parts.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="modes">Kept modes per spatial dimension (1 to 3 entries: the layer's dimensionality).</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device.</param>
    public SpectralConv(int inChannels, int outChannels, int[] modes, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(modes);
        ArgumentNullException.ThrowIfNull(generator);
        if (modes.Length is < 1 or > 3 || modes.Any(m => m < 1))
            throw new ArgumentException($"SpectralConv: modes must hold 1 to 3 positive counts, got [{string.Join(", ", modes)}]", nameof(modes));
        if (inChannels < 1 || outChannels < 1) throw new ArgumentException($"SpectralConv: channels must be positive, got {inChannels} → {outChannels}");
        Dimensions = modes.Length;
        Modes = (int[])modes.Clone();
        var shape = new List<int>();
        if (Dimensions > 1) shape.Add(1 << (Dimensions - 1));
        shape.Add(inChannels);
        shape.Add(outChannels);
        shape.AddRange(modes);
        double scale = 1.0 / (inChannels * outChannels);
        RegisterParameter("weight_re", Tensor.Rand(shape.ToArray(), generator, dtype, device, 0, scale));
        RegisterParameter("weight_im", Tensor.Rand(shape.ToArray(), generator, dtype, device, 0, scale));
    }

    /// <summary>Number of spatial dimensions (1, 2 or 3).</summary>
    public int Dimensions { get; }

    /// <summary>Kept modes per spatial dimension.</summary>
    public IReadOnlyList<int> Modes { get; }

    /// <summary>[batch, in, spatial…] → [batch, out, spatial…].</summary>
    public override Tensor Forward(Tensor input)
    {
        var re = GetParameter("weight_re");
        var im = GetParameter("weight_im");
        return Dimensions switch
        {
            1 => Fourier.SpectralConv1d(input, re, im),
            2 => Fourier.SpectralConv2d(input, re, im),
            _ => Fourier.SpectralConv3d(input, re, im),
        };
    }
}

/// <summary>
/// A 1×1 convolution (a per-point linear map over channels) for channel-first fields
/// [batch, channels, spatial…]: the local path W·v of an FNO layer.
/// </summary>
public sealed class PointwiseConv : Module
{
    /// <summary>Creates the map with PyTorch's Conv default initialisation (uniform ±1/√in).</summary>
    public PointwiseConv(int inChannels, int outChannels, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        double bound = 1 / Math.Sqrt(inChannels);
        RegisterParameter("weight", Tensor.Rand(new[] { outChannels, inChannels }, generator, dtype, device, -bound, bound));
        RegisterParameter("bias", Tensor.Rand(new[] { outChannels }, generator, dtype, device, -bound, bound));
    }

    /// <summary>[batch, in, spatial…] → [batch, out, spatial…].</summary>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 3) throw new TensorException("PointwiseConv", $"expected [batch, channels, spatial…], got {Tensor.ShapeString(input.Shape)}");
        var w = GetParameter("weight");
        var b = GetParameter("bias");
        var shape = input.Shape.ToArray();
        var flat = input.Reshape(shape[0], shape[1], -1);
        var y = w.MatMul(flat).Add(b.Reshape(1, -1, 1));
        shape[1] = w.Shape[0];
        return y.Reshape(shape);
    }
}
