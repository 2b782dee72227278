using SciKernels.Autograd;
using SciKernels.NN;
using SciKernels.Stencils;

namespace SciKernels.Operators;

/// <summary>
/// Physics-informed neural-operator (PINO) loss for the Darcy benchmark: the relative-L2 data loss
/// over the labelled samples of a batch plus λ·mean(r²)/mean(f²) over all samples, r the
/// <see cref="PdeResidual.Darcy"/> residual of the (physical, de-normalised) prediction.
/// </summary>
/// <remarks>
/// <para>The loss needs more than the target u per sample, so the targets are packed channels-last as
/// <c>[n, s, s, 4]</c> = (u, a, f, labelled) by <see cref="PackTargets"/>: u is zero where a sample has no
/// label, a and f are physical node values, and the last channel is 1 on labelled samples, 0 elsewhere.
/// Packed targets pass through <c>SciKernels.Training.Trainer</c>'s shuffling unchanged; the prediction is
/// <c>[n, s, s, 1]</c> on the same grid (an FNO with padding crops before its output).</para>
/// <para>Data term: mean over the labelled samples in the batch of ‖û − u‖/‖u‖ (0 when there are none);
/// with every sample labelled it is bit-for-bit <see cref="Losses.RelativeL2"/>, and with λ = 0 the
/// physics term is not added, so the supervised path is reproduced exactly. Physics term:
/// mean(r²)/mean(f²) over the batch, r including the scaled Dirichlet rows of the boundary nodes.</para>
/// </remarks>
public sealed class DarcyPhysicsLoss
{
    private const string Op = "DarcyPhysicsLoss";

    /// <summary>Channels of the packed targets: u, a, f, labelled.</summary>
    public const int Channels = 4;

    /// <summary>Creates the loss.</summary>
    /// <param name="physicsWeight">λ ≥ 0.</param>
    /// <param name="averaging">Face average of a used by the residual (that of the data's solver).</param>
    public DarcyPhysicsLoss(double physicsWeight, FaceAveraging averaging = FaceAveraging.Harmonic)
    {
        if (!(physicsWeight >= 0) || !double.IsFinite(physicsWeight))
            throw new ArgumentOutOfRangeException(nameof(physicsWeight), physicsWeight, "DarcyPhysicsLoss: the physics weight must be finite and ≥ 0");
        PhysicsWeight = physicsWeight;
        Averaging = averaging;
    }

    /// <summary>λ.</summary>
    public double PhysicsWeight { get; }

    /// <summary>Face average of a in the residual.</summary>
    public FaceAveraging Averaging { get; }

    /// <summary>The data and physics terms as <c>TrainerOptions.Metrics</c> (SciKernels.Training) (reported per epoch, train and validation).</summary>
    public IReadOnlyDictionary<string, Func<Tensor, Tensor, Tensor>> Metrics => new Dictionary<string, Func<Tensor, Tensor, Tensor>>
    {
        ["data"] = DataLoss,
        ["physics"] = PhysicsLoss,
    };

    /// <summary>
    /// Packs (u, a, f, labelled) channels-last; the first <paramref name="labelled"/> samples keep their
    /// u, the others get u = 0 and flag 0 (their labels never enter the tensor).
    /// </summary>
    /// <param name="u">Solutions <c>[n, s, s]</c> or <c>[n, s, s, 1]</c>.</param>
    /// <param name="a">Permeabilities, physical values, same shape.</param>
    /// <param name="f">Sources, same shape.</param>
    /// <param name="labelled">Number of labelled samples (0 … n), counted from the first.</param>
    /// <returns><c>[n, s, s, 4]</c>, no gradient.</returns>
    public static Tensor PackTargets(Tensor u, Tensor a, Tensor f, int labelled)
    {
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(f);
        if (u.Rank is not (3 or 4) || (u.Rank == 4 && u.Size(3) != 1))
            throw new TensorException(Op, $"u has shape {Tensor.ShapeString(u.Shape)}; expected [n, s, s] or [n, s, s, 1]");
        StencilFields.SameShape(Op, u, a, nameof(u), nameof(a));
        StencilFields.SameShape(Op, u, f, nameof(u), nameof(f));
        int n = u.Size(0);
        if (labelled < 0 || labelled > n) throw new TensorException(Op, $"labelled = {labelled} is outside [0, {n}]");
        using var _ = GradMode.NoGrad();
        var shape = new[] { n, u.Size(1), u.Size(2), 1 };
        var flags = new double[n];
        Array.Fill(flags, 1.0, 0, labelled);
        var flag = Tensor.FromDoubles(flags, new[] { n, 1, 1, 1 }, u.DType, u.Device).Expand(shape);
        return Tensor.Concat(new[] { u.Reshape(shape).Mul(flag), a.Reshape(shape), f.Reshape(shape), flag.Contiguous() }, 3);
    }

    /// <summary>Data loss + λ·physics loss.</summary>
    /// <param name="prediction">Physical prediction <c>[B, s, s, 1]</c>.</param>
    /// <param name="targets">Packed targets <c>[B, s, s, 4]</c>.</param>
    public Tensor Loss(Tensor prediction, Tensor targets)
    {
        var data = DataLoss(prediction, targets);
        return PhysicsWeight == 0 ? data : data.Add(PhysicsLoss(prediction, targets).Mul(PhysicsWeight));
    }

    /// <summary>Mean relative L2 error over the labelled samples of the batch (0, still attached to the graph, without any).</summary>
    /// <param name="prediction">Physical prediction <c>[B, s, s, 1]</c>.</param>
    /// <param name="targets">Packed targets <c>[B, s, s, 4]</c>.</param>
    public Tensor DataLoss(Tensor prediction, Tensor targets)
    {
        Check(prediction, targets);
        int batch = prediction.Size(0);
        var flags = targets.Narrow(3, 3, 1).Narrow(1, 0, 1).Narrow(2, 0, 1).ToArray<double>();
        var rows = new List<long>(batch);
        for (int i = 0; i < batch; i++)
            if (flags[i] > 0.5) rows.Add(i);
        var u = targets.Narrow(3, 0, 1).Contiguous();
        if (rows.Count == batch) return Losses.RelativeL2(prediction, u);
        if (rows.Count == 0) return prediction.Sum().Mul(0.0);
        var index = Tensor.FromSpan<long>(rows.ToArray(), [rows.Count], prediction.Device);
        return Losses.RelativeL2(prediction.IndexSelect(0, index), u.IndexSelect(0, index));
    }

    /// <summary>mean(r²)/mean(f²) of the Darcy residual of the prediction over the batch.</summary>
    /// <param name="prediction">Physical prediction <c>[B, s, s, 1]</c>.</param>
    /// <param name="targets">Packed targets <c>[B, s, s, 4]</c> (a and f are used).</param>
    public Tensor PhysicsLoss(Tensor prediction, Tensor targets)
    {
        Check(prediction, targets);
        int batch = prediction.Size(0), nx = prediction.Size(1), ny = prediction.Size(2);
        var a = targets.Narrow(3, 1, 1).Contiguous().Reshape(batch, nx, ny);
        var f = targets.Narrow(3, 2, 1).Contiguous().Reshape(batch, nx, ny);
        var r = PdeResidual.Darcy(prediction.Reshape(batch, nx, ny), a, f, Averaging);
        Tensor scale;
        using (GradMode.NoGrad()) scale = f.Square().Mean();
        return r.Square().Mean().Div(scale);
    }

    private static void Check(Tensor prediction, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(targets);
        if (prediction.Rank != 4 || prediction.Size(3) != 1)
            throw new TensorException(Op, $"prediction has shape {Tensor.ShapeString(prediction.Shape)}; expected channels-last [batch, s, s, 1]");
        if (targets.Rank != 4 || targets.Size(3) != Channels || targets.Size(0) != prediction.Size(0) || targets.Size(1) != prediction.Size(1) || targets.Size(2) != prediction.Size(2))
            throw new TensorException(Op, $"targets have shape {Tensor.ShapeString(targets.Shape)}; expected the packed [batch, s, s, {Channels}] = (u, a, f, labelled) of prediction {Tensor.ShapeString(prediction.Shape)} (see PackTargets)");
        if (prediction.DType != targets.DType)
            throw new TensorException(Op, $"prediction is {prediction.DType.Name()} but targets are {targets.DType.Name()}");
    }
}
