using SciKernels.Autograd;
using SciKernels.Random;

namespace SciKernels.NN;

/// <summary>Which fan the Kaiming initializers preserve the variance of.</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass.</summary>
    FanIn,
    /// <summary>Preserve the variance of gradients in the backward pass.</summary>
    FanOut,
}

/// <summary>
/// Weight initializers (like <c>torch.nn.init</c>). Each fills a tensor in place from a seeded
/// <see cref="Generator"/>, so the same seed gives the same weights on every machine.
/// </summary>
/// <remarks>
/// Values are drawn in double precision on the host in row-major order and then rounded to the
/// tensor's dtype, so float32 and float64 models built from one seed start from the same point.
/// </remarks>
public static class Init
{
    /// <summary>
    /// Fan-in and fan-out of a weight: dimension 1 and dimension 0, times the receptive-field size
    /// (the product of the remaining dimensions) for convolution kernels.
    /// </summary>
    public static (int FanIn, int FanOut) CalculateFans(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
            throw new ArgumentException($"Init: fan-in and fan-out need at least 2 dimensions, got shape [{string.Join(", ", tensor.Shape.ToArray())}]", nameof(tensor));
        int receptive = 1;
        for (int i = 2; i < tensor.Rank; i++) receptive *= tensor.Size(i);
        return (tensor.Size(1) * receptive, tensor.Size(0) * receptive);
    }

    /// <summary>
    /// The recommended gain for a nonlinearity (<c>torch.nn.init.calculate_gain</c>): linear/sigmoid 1,
    /// tanh 5/3, relu √2, leaky_relu √(2/(1+a²)), selu 3/4.
    /// </summary>
    public static double CalculateGain(string nonlinearity, double param = 0.01)
    {
        ArgumentNullException.ThrowIfNull(nonlinearity);
        return nonlinearity.ToLowerInvariant() switch
        {
            "linear" or "identity" or "sigmoid" or "conv1d" or "conv2d" or "conv3d" => 1.0,
            "tanh" => 5.0 / 3.0,
            "relu" => Math.Sqrt(2.0),
            "leaky_relu" => Math.Sqrt(2.0 / (1 + param * param)),
            "selu" => 0.75,
            _ => throw new ArgumentException($"Init: unknown nonlinearity '{nonlinearity}'", nameof(nonlinearity)),
        };
    }

    /// <summary>Fills with U(low, high).</summary>
    public static Tensor Uniform(Tensor tensor, Generator generator, double low = 0, double high = 1)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var v = new double[checked((int)tensor.NumElements)];
        generator.FillUniform(v, low, high);
        return Fill(tensor, v);
    }

    /// <summary>Fills with N(mean, std²).</summary>
    public static Tensor Normal(Tensor tensor, Generator generator, double mean = 0, double std = 1)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var v = new double[checked((int)tensor.NumElements)];
        generator.FillNormal(v, mean, std);
        return Fill(tensor, v);
    }

    /// <summary>Fills with a constant.</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var _ = GradMode.NoGrad();
        return tensor.FillInPlace(value);
    }

    /// <summary>Fills with zeros.</summary>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>Glorot/Xavier uniform: U(−a, a) with a = gain·√(6/(fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor tensor, Generator generator, double gain = 1)
    {
        var (fanIn, fanOut) = CalculateFans(tensor);
        double a = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(tensor, generator, -a, a);
    }

    /// <summary>Glorot/Xavier normal: N(0, std²) with std = gain·√(2/(fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor tensor, Generator generator, double gain = 1)
    {
        var (fanIn, fanOut) = CalculateFans(tensor);
        return Normal(tensor, generator, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
    }

    /// <summary>
    /// He/Kaiming uniform: U(−b, b) with b = gain·√(3/fan), gain = <see cref="CalculateGain"/>(nonlinearity, a).
    /// </summary>
    public static Tensor KaimingUniform(Tensor tensor, Generator generator, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu")
    {
        double std = KaimingStd(tensor, a, mode, nonlinearity);
        double bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, generator, -bound, bound);
    }

    /// <summary>He/Kaiming normal: N(0, std²) with std = gain/√fan.</summary>
    public static Tensor KaimingNormal(Tensor tensor, Generator generator, double a = 0, FanMode mode = FanMode.FanIn, string nonlinearity = "leaky_relu")
        => Normal(tensor, generator, 0, KaimingStd(tensor, a, mode, nonlinearity));

    private static double KaimingStd(Tensor tensor, double a, FanMode mode, string nonlinearity)
    {
        var (fanIn, fanOut) = CalculateFans(tensor);
        int fan = mode == FanMode.FanIn ? fanIn : fanOut;
        if (fan == 0) throw new ArgumentException("Init: cannot initialize a tensor with a zero fan", nameof(tensor));
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    private static Tensor Fill(Tensor tensor, double[] values)
    {
        using var _ = GradMode.NoGrad();
        using var src = Tensor.FromDoubles(values, tensor.Shape, tensor.DType, tensor.Device);
        tensor.CopyFrom(src);
        return tensor;
    }
}
