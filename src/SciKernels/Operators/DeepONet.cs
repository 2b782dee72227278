using SciKernels.NN;
using SciKernels.Random;

namespace SciKernels.Operators;

/// <summary>Settings of a <see cref="DeepONet"/>.</summary>
/// <param name="Sensors">m: number of points at which the input function is sampled (the branch input width).</param>
/// <param name="CoordinateDims">d: dimension of a query coordinate y (the trunk input width).</param>
/// <param name="BranchHidden">Hidden widths of the branch MLP.</param>
/// <param name="TrunkHidden">Hidden widths of the trunk MLP.</param>
/// <param name="Basis">p: number of basis functions (output width of both nets).</param>
/// <param name="Activation">Activation of both nets (tanh by default; also applied to the trunk's last layer, as in Lu et al.).</param>
public sealed record DeepONetOptions(int Sensors, int CoordinateDims, int[] BranchHidden, int[] TrunkHidden, int Basis, Activation Activation = Activation.Tanh);

/// <summary>
/// The unstacked Deep Operator Network of Lu et al. 2021 ("Learning nonlinear operators via
/// DeepONet"): G(u)(y) ≈ Σ_k b_k(u(x₁), …, u(x_m))·t_k(y) + b₀, with a branch MLP b on the input
/// function sampled at m fixed sensors, a trunk MLP t on the query coordinate y, and a scalar bias b₀.
/// </summary>
/// <remarks>
/// Three call forms: <see cref="Forward(Tensor, Tensor)"/> with queries shared by the batch ([Q, d] →
/// [B, Q]: one GEMM of branch by trunk outputs) or per sample ([B, Q, d] → [B, Q]); and
/// <see cref="Forward(Tensor)"/> on the paper's triplet format, one row [u(x₁…x_m), y] per example
/// ([N, m + d] → [N, 1]), which works with <c>SciKernels.Training.Trainer</c>.
/// </remarks>
public sealed class DeepONet : Module
{
    private readonly Mlp branch, trunk;

    /// <summary>Builds the network (PyTorch's default Linear initialisation).</summary>
    public DeepONet(DeepONetOptions options, Generator generator, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        if (options.Sensors < 1 || options.CoordinateDims < 1 || options.Basis < 1)
            throw new ArgumentException($"DeepONet: sensors, coordinate dims and basis must be positive, got {options}");
        Options = options;
        branch = RegisterModule("branch", new Mlp(new[] { options.Sensors }.Concat(options.BranchHidden).Append(options.Basis).ToArray(),
            generator, options.Activation, Activation.Identity, dtype, device));
        trunk = RegisterModule("trunk", new Mlp(new[] { options.CoordinateDims }.Concat(options.TrunkHidden).Append(options.Basis).ToArray(),
            generator, options.Activation, options.Activation, dtype, device));
        RegisterParameter("bias", Tensor.Zeros(new[] { 1 }, dtype, device));
    }

    /// <summary>The settings the network was built with.</summary>
    public DeepONetOptions Options { get; }

    /// <summary>
    /// G(u)(y) for a batch of input functions <paramref name="functions"/> [B, m] at
    /// <paramref name="queries"/>: [Q, d] shared by every function, or [B, Q, d] per function. Returns [B, Q].
    /// </summary>
    public Tensor Forward(Tensor functions, Tensor queries)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(queries);
        int m = Options.Sensors, d = Options.CoordinateDims;
        if (functions.Rank != 2 || functions.Shape[1] != m)
            throw new TensorException("DeepONet", $"expected input functions [batch, {m}] (values at the {m} sensors), got {Tensor.ShapeString(functions.Shape)}");
        var b = branch.Forward(functions);                                   // [B, p]
        var bias = GetParameter("bias");
        if (queries.Rank == 2 && queries.Shape[1] == d)
            return b.MatMul(trunk.Forward(queries).T).Add(bias);             // [B, p]·[p, Q]
        if (queries.Rank == 3 && queries.Shape[0] == functions.Shape[0] && queries.Shape[2] == d)
        {
            var t = trunk.Forward(queries);                                  // [B, Q, p]
            return Tensor.BatchedMatMul(t, b.Unsqueeze(2)).Squeeze(2).Add(bias);
        }
        throw new TensorException("DeepONet", $"expected queries [Q, {d}] or [{functions.Shape[0]}, Q, {d}], got {Tensor.ShapeString(queries.Shape)}");
    }

    /// <summary>Triplet form: rows [u(x₁), …, u(x_m), y₁, …, y_d] ([N, m + d]) → G(u)(y) as [N, 1].</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int m = Options.Sensors, d = Options.CoordinateDims;
        if (input.Rank != 2 || input.Shape[1] != m + d)
            throw new TensorException("DeepONet", $"expected rows [u at {m} sensors, y of {d} coordinates] = [N, {m + d}], got {Tensor.ShapeString(input.Shape)}");
        var b = branch.Forward(input.Narrow(1, 0, m));
        var t = trunk.Forward(input.Narrow(1, m, d));
        return b.Mul(t).Sum(1, keepDim: true).Add(GetParameter("bias"));
    }
}
