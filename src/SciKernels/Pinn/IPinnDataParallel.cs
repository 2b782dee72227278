namespace SciKernels.Pinn;

/// <summary>
/// The collectives <see cref="PinnTrainer"/> needs to train data-parallel across processes: each rank evaluates its
/// shard of every term's points, and the ranks sum their term losses and gradients (an MPI communicator implements it;
/// see SciKernels.Training.Distributed). Every method is collective: all ranks call it in the same order.
/// </summary>
public interface IPinnDataParallel
{
    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1.</summary>
    int Rank { get; }

    /// <summary>Number of ranks.</summary>
    int Size { get; }

    /// <summary>Sums <paramref name="values"/> over the ranks, in place.</summary>
    /// <param name="values">This rank's values in, the sums out.</param>
    void Sum(Span<double> values);

    /// <summary>Replaces every parameter's gradient by its sum over the ranks (in a fixed order: reproducible).</summary>
    /// <param name="parameters">The parameters, in the same order on every rank.</param>
    void SumGradients(IReadOnlyList<Tensor> parameters);

    /// <summary>True when any rank passes true.</summary>
    /// <param name="flag">This rank's vote.</param>
    bool Any(bool flag);
}
