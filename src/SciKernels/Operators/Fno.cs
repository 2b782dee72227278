using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Operators;

/// <summary>Settings of a Fourier Neural Operator.</summary>
/// <param name="Modes">Kept Fourier modes per spatial dimension (its length sets 1-D, 2-D or 3-D).</param>
/// <param name="Width">Channels of the Fourier layers.</param>
/// <param name="InChannels">Input channels per grid point (the grid coordinates are appended to them).</param>
/// <param name="OutChannels">Output channels per grid point.</param>
/// <param name="Layers">Number of Fourier layers (4 in the paper).</param>
/// <param name="ProjectionWidth">Hidden width of the projection MLP (128 in the paper).</param>
/// <param name="Padding">Zero padding appended to each spatial dimension for non-periodic problems (0: none).</param>
public sealed record FnoOptions(int[] Modes, int Width, int InChannels = 1, int OutChannels = 1, int Layers = 4, int ProjectionWidth = 128, int Padding = 0);

/// <summary>
/// The Fourier Neural Operator of Li et al. 2021 in 1, 2 or 3 dimensions: lift each grid point
/// (input channels + coordinates) to <c>width</c> channels, apply Fourier layers
/// v ↦ GELU(K v + W v) (K spectral, W pointwise; no activation after the last), project back with a
/// two-layer MLP.
/// </summary>
/// <remarks>Input [batch, spatial…, in_channels] → output [batch, spatial…, out_channels], channels last as in the paper's code.</remarks>
public sealed class Fno : Module
{
    private readonly FnoOptions options;

    /// <summary>Builds the network.</summary>
    public Fno(FnoOptions options, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        if (options.Modes.Length is < 1 or > 3) throw new ArgumentException($"Fno: 1 to 3 spatial dimensions, got {options.Modes.Length}");
        if (options.Layers < 1 || options.Width < 1 || options.Padding < 0) throw new ArgumentException($"Fno: invalid options {options}");
        this.options = options;
        int d = options.Modes.Length;
        RegisterModule("lift", new Linear(options.InChannels + d, options.Width, generator, true, dtype, device));
        for (int i = 0; i < options.Layers; i++)
        {
            RegisterModule($"spectral{i}", new SpectralConv(options.Width, options.Width, options.Modes, generator, dtype, device));
            RegisterModule($"pointwise{i}", new PointwiseConv(options.Width, options.Width, generator, dtype, device));
        }
        RegisterModule("proj1", new Linear(options.Width, options.ProjectionWidth, generator, true, dtype, device));
        RegisterModule("proj2", new Linear(options.ProjectionWidth, options.OutChannels, generator, true, dtype, device));
    }

    /// <summary>The settings the network was built with.</summary>
    public FnoOptions Options => options;

    private T Child<T>(string name) where T : Module => (T)NamedChildren().First(c => c.Name == name).Module;

    /// <summary>[batch, spatial…, in_channels] → [batch, spatial…, out_channels].</summary>
    public override Tensor Forward(Tensor input)
    {
        int d = options.Modes.Length;
        if (input.Rank != d + 2 || input.Shape[^1] != options.InChannels)
            throw new TensorException("Fno", $"expected input [batch, {string.Join(", ", Enumerable.Repeat("n", d))}, {options.InChannels}], got {Tensor.ShapeString(input.Shape)}");
        var spatial = input.Shape.Slice(1, d).ToArray();
        var x = Tensor.Concat(new[] { input, Grid(input.Shape[0], spatial, input.DType, input.Device) }, -1);
        x = Child<Linear>("lift").Forward(x);
        // channels first for the Fourier layers: [batch, width, spatial…]
        var toFirst = new int[d + 2];
        toFirst[0] = 0;
        toFirst[1] = d + 1;
        for (int i = 0; i < d; i++) toFirst[i + 2] = i + 1;
        x = x.Permute(toFirst).Contiguous();
        if (options.Padding > 0) x = Pad(x, d, options.Padding);
        for (int i = 0; i < options.Layers; i++)
        {
            var k = Child<SpectralConv>($"spectral{i}").Forward(x);
            var w = Child<PointwiseConv>($"pointwise{i}").Forward(x);
            x = k.Add(w);
            if (i < options.Layers - 1) x = x.Gelu();
        }
        if (options.Padding > 0)
            for (int i = 0; i < d; i++) x = x.Narrow(i + 2, 0, spatial[i]);
        var toLast = new int[d + 2];
        toLast[0] = 0;
        for (int i = 0; i < d; i++) toLast[i + 1] = i + 2;
        toLast[d + 1] = 1;
        x = x.Permute(toLast);
        x = Child<Linear>("proj1").Forward(x).Gelu();
        return Child<Linear>("proj2").Forward(x);
    }

    /// <summary>Uniform coordinates in [0, 1] for each spatial dimension, [batch, spatial…, d].</summary>
    private static Tensor Grid(int batch, int[] spatial, DType dtype, Device device)
    {
        int d = spatial.Length;
        var parts = new Tensor[d];
        for (int i = 0; i < d; i++)
        {
            var shape = Enumerable.Repeat(1, d + 2).ToArray();
            shape[i + 1] = spatial[i];
            var line = Tensor.Linspace(0, 1, spatial[i], dtype, device).Reshape(shape);
            var full = new[] { batch }.Concat(spatial).Append(1).ToArray();
            parts[i] = line.Expand(full);
        }
        return d == 1 ? parts[0] : Tensor.Concat(parts, -1);
    }

    /// <summary>Appends <paramref name="padding"/> zeros to each spatial dimension of [batch, channels, spatial…].</summary>
    private static Tensor Pad(Tensor x, int d, int padding)
    {
        for (int i = 0; i < d; i++)
        {
            var zshape = x.Shape.ToArray();
            zshape[i + 2] = padding;
            x = Tensor.Concat(new[] { x, Tensor.Zeros(zshape, x.DType, x.Device) }, i + 2);
        }
        return x;
    }
}
