using SciKernels.Random;

namespace SciKernels.NN;

/// <summary>
/// A multilayer perceptron built from a list of widths: Linear(w0→w1), activation, …, Linear(wₙ₋₁→wₙ),
/// output activation. The stack is registered as <c>layers</c>, so parameters are named
/// <c>layers.0.weight</c>, <c>layers.0.bias</c>, <c>layers.2.weight</c>, …
/// </summary>
public sealed class Mlp : Module
{
    /// <summary>Builds the network.</summary>
    /// <param name="widths">Input width, hidden widths, output width (at least two entries).</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="activation">Activation between hidden layers.</param>
    /// <param name="outputActivation">Activation after the last layer (identity by default).</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device.</param>
    /// <param name="initializer">Optional re-initialization of each Linear (e.g. Xavier for tanh networks); default is PyTorch's.</param>
    public Mlp(
        IReadOnlyList<int> widths,
        Generator generator,
        Activation activation = Activation.Tanh,
        Activation outputActivation = Activation.Identity,
        DType dtype = DType.Float32,
        Device? device = null,
        Action<Linear, Generator>? initializer = null)
        : this(widths, generator, () => Activations.Create(activation), outputActivation == Activation.Identity ? null : () => Activations.Create(outputActivation), dtype, device, initializer)
    {
    }

    /// <summary>Builds the network with custom activation modules (a new one per position).</summary>
    /// <param name="widths">Input width, hidden widths, output width (at least two entries).</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="activation">Creates the activation between hidden layers.</param>
    /// <param name="outputActivation">Creates the activation after the last layer; none when null.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device.</param>
    /// <param name="initializer">Optional re-initialization of each Linear; default is PyTorch's.</param>
    public Mlp(
        IReadOnlyList<int> widths,
        Generator generator,
        Func<Module> activation,
        Func<Module>? outputActivation = null,
        DType dtype = DType.Float32,
        Device? device = null,
        Action<Linear, Generator>? initializer = null)
    {
        ArgumentNullException.ThrowIfNull(widths);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(activation);
        if (widths.Count < 2) throw new ArgumentException($"Mlp: need at least an input and an output width, got {widths.Count}", nameof(widths));
        Widths = widths.ToArray();
        var layers = new Sequential();
        for (int i = 0; i + 1 < widths.Count; i++)
        {
            var lin = new Linear(widths[i], widths[i + 1], generator, bias: true, dtype, device);
            initializer?.Invoke(lin, generator);
            layers.Add(lin);
            bool last = i + 2 == widths.Count;
            if (!last) layers.Add(activation());
            else if (outputActivation is not null) layers.Add(outputActivation());
        }
        Layers = RegisterModule("layers", layers);
    }

    /// <summary>The widths this network was built from.</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>The layer stack.</summary>
    public Sequential Layers { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Layers.Forward(input);

    /// <summary>An initializer for the <c>initializer</c> argument: Xavier-uniform weights with <paramref name="gain"/>, zero biases.</summary>
    public static Action<Linear, Generator> XavierInit(double gain = 1) => (lin, gen) =>
    {
        Init.XavierUniform(lin.Weight, gen, gain);
        if (lin.Bias is { } b) Init.Zeros(b);
    };
}
