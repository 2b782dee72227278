using SciKernels.NN;

namespace SciKernels.Equivariant;

/// <summary>
/// The gated nonlinearity of NequIP/e3nn. Input irreps: <see cref="Scalars"/> + G×0e gates +
/// <see cref="Gated"/> (G = channels of the gated blocks); output: <see cref="Scalars"/> + <see cref="Gated"/>.
/// Even scalars go through SiLU, odd scalars through tanh (an odd function keeps their parity),
/// and each channel of a gated block (any l) is multiplied by the sigmoid of its gate — a scalar, so
/// equivariance holds. Composed of existing ops (no backward of its own): in the m-major layout a
/// block is [N, 2l + 1, C] and its gates broadcast as [N, 1, C].
/// </summary>
public sealed class Gate : Module
{
    /// <summary>Creates the gate.</summary>
    /// <param name="scalars">l = 0 blocks activated directly.</param>
    /// <param name="gated">Blocks multiplied by the gates (their channels in order get one gate each).</param>
    public Gate(IrrepsLayout scalars, IrrepsLayout gated)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        ArgumentNullException.ThrowIfNull(gated);
        if (scalars.Blocks.Any(b => b.L != 0))
            throw new ArgumentException($"Gate: the scalars {scalars} must all have l = 0", nameof(scalars));
        Scalars = scalars;
        Gated = gated;
        int gates = gated.NumChannels;
        Input = new IrrepsLayout(scalars.Blocks.Concat(gates > 0 ? [new IrrepsBlock(gates, 0, 1)] : []).Concat(gated.Blocks));
        Output = new IrrepsLayout(scalars.Blocks.Concat(gated.Blocks));
    }

    /// <summary>The scalars activated directly.</summary>
    public IrrepsLayout Scalars { get; }

    /// <summary>The gated blocks.</summary>
    public IrrepsLayout Gated { get; }

    /// <summary>Irreps of the input: scalars + gates + gated.</summary>
    public IrrepsLayout Input { get; }

    /// <summary>Irreps of the output: scalars + gated.</summary>
    public IrrepsLayout Output { get; }

    /// <summary>Applies the gate to features [N, Input.Dim].</summary>
    /// <param name="input">Features in the m-major layout of <see cref="Input"/>.</param>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Input.CheckFeatures("Gate", input);
        int n = input.Shape[0];
        var parts = new List<Tensor>();
        for (int b = 0; b < Scalars.Count; b++)
        {
            var x = input.Narrow(1, Scalars.Offset(b), Scalars[b].Dim);
            parts.Add(Scalars[b].Parity > 0 ? x.Silu() : x.Tanh());
        }
        if (Gated.Count > 0)
        {
            var gates = input.Narrow(1, Scalars.Dim, Gated.NumChannels).Sigmoid();
            int offset = Scalars.Dim + Gated.NumChannels, channel = 0;
            for (int b = 0; b < Gated.Count; b++)
            {
                var k = Gated[b];
                var x = input.Narrow(1, offset + Gated.Offset(b), k.Dim).Reshape(n, k.Degree, k.Mul);
                var gate = gates.Narrow(1, channel, k.Mul).Reshape(n, 1, k.Mul);
                parts.Add(x.Mul(gate).Reshape(n, k.Dim));
                channel += k.Mul;
            }
        }
        return parts.Count switch
        {
            0 => input.Narrow(1, 0, 0),
            1 => parts[0],
            _ => Tensor.Concat(parts, 1),
        };
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{Input} -> {Output}";
}
