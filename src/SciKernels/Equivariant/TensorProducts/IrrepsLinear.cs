using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Equivariant;

/// <summary>
/// The equivariant linear map between two irreps layouts: each output block is Σ over the input
/// blocks of the same irrep (l, parity) of a channel-mixing matrix — y_b[m, ·] = Σ_a x_a[m, ·] W_ab /
/// √(fan-in) — plus a learned bias on even scalar (0e) outputs only (a bias on any other irrep would
/// break equivariance). e3nn's <c>o3.Linear</c> with its normalization, in the m-major layout.
/// </summary>
/// <remarks>
/// In the m-major layout a block's map is one GEMM on its [N·(2l + 1), C] view, so the layer is a
/// composition of existing ops (Narrow, Reshape, MatMul, Concat) and needs no backward of its own.
/// Weights ~ N(0, 1), scaled in the forward by 1/√(Σ C_in of the block's irrep) so outputs keep unit
/// variance; biases start at 0. Output blocks whose irrep no input has are zero.
/// </remarks>
public sealed class IrrepsLinear : Module
{
    private readonly (int In, int Out, string Name)[] pairs;
    private readonly double[] fanIn;
    private readonly bool[] hasBias;

    /// <summary>Creates the layer.</summary>
    /// <param name="input">Irreps of the input.</param>
    /// <param name="output">Irreps of the output.</param>
    /// <param name="generator">Source of the initial weights.</param>
    /// <param name="bias">Learn a bias for the 0e output blocks.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device.</param>
    public IrrepsLinear(IrrepsLayout input, IrrepsLayout output, Generator generator, bool bias = true, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(generator);
        Input = input;
        Output = output;
        var list = new List<(int, int, string)>();
        fanIn = new double[output.Count];
        hasBias = new bool[output.Count];
        for (int b = 0; b < output.Count; b++)
        {
            var o = output[b];
            for (int a = 0; a < input.Count; a++)
            {
                var i = input[a];
                if (i.L != o.L || i.Parity != o.Parity) continue;
                string name = $"weight_{a}_{b}";
                RegisterParameter(name, Tensor.Randn([i.Mul, o.Mul], generator, dtype, device));
                list.Add((a, b, name));
                fanIn[b] += i.Mul;
            }
            if (bias && o.L == 0 && o.Parity == 1)
            {
                RegisterParameter($"bias_{b}", Tensor.Zeros([o.Mul], dtype, device));
                hasBias[b] = true;
            }
        }
        pairs = list.ToArray();
    }

    /// <summary>Irreps of the input.</summary>
    public IrrepsLayout Input { get; }

    /// <summary>Irreps of the output.</summary>
    public IrrepsLayout Output { get; }

    /// <summary>Maps features [N, Input.Dim] to [N, Output.Dim].</summary>
    /// <param name="input">Features in the m-major layout of <see cref="Input"/>.</param>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Input.CheckFeatures("IrrepsLinear", input);
        int n = input.Shape[0];
        var parts = new Tensor[Output.Count];
        for (int b = 0; b < Output.Count; b++)
        {
            var o = Output[b];
            Tensor? acc = null;
            foreach (var (a, ob, name) in pairs)
            {
                if (ob != b) continue;
                var x = input.Narrow(1, Input.Offset(a), Input[a].Dim).Reshape(n * o.Degree, Input[a].Mul);
                var term = x.MatMul(GetParameter(name));
                acc = acc is null ? term : acc.Add(term);
            }
            acc = acc is null ? Tensor.Zeros([n, o.Dim], input.DType, input.Device) : acc.Mul(1 / Math.Sqrt(fanIn[b])).Reshape(n, o.Dim);
            if (hasBias[b]) acc = acc.Add(GetParameter($"bias_{b}"));
            parts[b] = acc;
        }
        return parts.Length == 1 ? parts[0] : Tensor.Concat(parts, 1);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{Input} -> {Output}";
}
