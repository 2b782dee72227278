namespace SciKernels.Training;

/// <summary>
/// A model whose output is its batch's loss, when that loss is not a plain mean over the batch's samples — a force MSE
/// over all atoms of a batch of structures of different sizes, say, where a shard's mean weighted by its share of the
/// structures would not give the batch's loss. Under data-parallel training (<see cref="TrainerOptions.DataParallel"/>
/// with several ranks) the <see cref="Trainer"/> announces each step's whole global batch before the forward pass of this
/// rank's shard; the model then returns its shard's part of the global batch's loss (the parts sum over the ranks to the
/// loss one process computes), and the trainer sums the parts and their gradients unweighted.
/// </summary>
public interface IGlobalBatchLoss
{
    /// <summary>
    /// Called on every rank with a non-empty shard, before that shard's <see cref="NN.Module.Forward(Tensor)"/>, with the
    /// inputs of the whole global batch (every rank's shard, in order). It applies to the next forward pass only.
    /// </summary>
    /// <param name="inputs">The global batch's inputs [B, …]; valid until the step ends.</param>
    void AnnounceGlobalBatch(Tensor inputs);
}
