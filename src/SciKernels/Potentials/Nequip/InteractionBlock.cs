using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Potentials;

/// <summary>
/// One NequIP interaction block: linear → tensor-product convolution (weights from the radial
/// network) → linear, plus a linear self-connection of the input, then the gate; a residual
/// connection when input and output irreps agree.
/// </summary>
/// <remarks>
/// The self-connection is a species-independent <see cref="IrrepsLinear"/> (NequIP's is a tensor
/// product with the one-hot species; the species already enter through the embedding).
/// </remarks>
internal sealed class InteractionBlock : Module
{
    private readonly double norm;

    public InteractionBlock(IrrepsLayout input, IrrepsLayout hidden, NequipOptions o, Generator gen, DType dtype, Device? device)
    {
        Input = input;
        var scalars = new IrrepsLayout(hidden.Blocks.Where(b => b.L == 0));
        var gated = new IrrepsLayout(hidden.Blocks.Where(b => b.L > 0));
        Gate = RegisterModule("gate", new Gate(scalars, gated));
        Output = Gate.Output;
        Tp = new ChannelwiseTensorProduct(input, o.LMax, Gate.Input);
        Linear1 = RegisterModule("linear_1", new IrrepsLinear(input, input, gen, dtype: dtype, device: device));
        Radial = RegisterModule("radial", new RadialNetwork(o.Cutoff, o.NumBasis, o.RadialHidden, Tp.WeightWidth, gen, o.PolynomialDegree, dtype, device));
        Linear2 = RegisterModule("linear_2", new IrrepsLinear(Tp.Output, Gate.Input, gen, dtype: dtype, device: device));
        SelfConnection = RegisterModule("self_connection", new IrrepsLinear(input, Gate.Input, gen, bias: false, dtype: dtype, device: device));
        Residual = input.Equals(Output);
        norm = 1 / Math.Sqrt(o.AverageNeighbors);
    }

    public IrrepsLayout Input { get; }

    public IrrepsLayout Output { get; }

    public bool Residual { get; }

    public ChannelwiseTensorProduct Tp { get; }

    public Gate Gate { get; }

    public IrrepsLinear Linear1 { get; }

    public RadialNetwork Radial { get; }

    public IrrepsLinear Linear2 { get; }

    public IrrepsLinear SelfConnection { get; }

    public override Tensor Forward(Tensor input) => throw new NotSupportedException("InteractionBlock needs the edges: call Forward(h, sh, lengths, edges)");

    /// <summary>The block on node features h with the edge harmonics and lengths of the graph.</summary>
    /// <param name="h">Node features [N, Input.Dim].</param>
    /// <param name="sh">Edge harmonics [E, (l + 1)²].</param>
    /// <param name="lengths">Edge lengths [E, 1].</param>
    /// <param name="edges">The edge index.</param>
    /// <param name="chunkEdges">Above this many edges the convolution runs in receiver chunks with the radial weights recomputed in the backward (<see cref="RadialConvolution"/>); ≤ 0: never.</param>
    public Tensor Forward(Tensor h, Tensor sh, Tensor lengths, MessagePassing.EdgeIndex edges, int chunkEdges)
    {
        var m = RadialConvolution.Convolve(Radial, Tp, lengths, sh, Linear1.Forward(h), edges, chunkEdges).Mul(norm);
        var y = Gate.Forward(Linear2.Forward(m).Add(SelfConnection.Forward(h)));
        return Residual ? h.Add(y) : y;
    }
}
