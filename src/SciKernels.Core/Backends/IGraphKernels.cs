namespace SciKernels.Backends;

/// <summary>
/// Device kernels of the message-passing fused ops (<c>Graphs.MessagePassing</c>) over a CSR edge
/// index: edges sorted by receiver with int64 row offsets [N + 1], and the permutation of the edges
/// grouped by sender with its own offsets. Every tensor is contiguous, features are viewed as
/// [rows, C], integer tensors are int64, and all live on this backend. Implementations must not use
/// atomics and must sum each segment in CSR order, so results are deterministic and equal to the CPU
/// kernels'. Backends without it run the ops' composite forms; host-memory backends the CPU kernels.
/// </summary>
public interface IGraphKernels
{
    /// <summary>
    /// y[n] = Σ x[src(k)] over k ∈ [offsets[n], offsets[n+1]), src(k) = perm[k], or k when
    /// <paramref name="perm"/> is null; empty segments give 0.
    /// </summary>
    /// <param name="x">Edge rows [E, C].</param>
    /// <param name="offsets">Segment offsets [N + 1].</param>
    /// <param name="perm">Edge of each CSR slot [E], or null.</param>
    /// <param name="y">Node rows [N, C] (overwritten).</param>
    void SegmentSum(Tensor x, Tensor offsets, Tensor? perm, Tensor y);

    /// <summary>
    /// y[n, c] = max of x[k, c] over the segment of n, argmax[n, c] = the first k attaining it in CSR
    /// order (the first NaN when there is one); an empty segment gives y = 0 and argmax = −1.
    /// </summary>
    /// <param name="x">Edge rows [E, C].</param>
    /// <param name="offsets">Segment offsets [N + 1].</param>
    /// <param name="y">Node rows [N, C].</param>
    /// <param name="argmax">int64 [N, C].</param>
    void SegmentMax(Tensor x, Tensor offsets, Tensor y, Tensor argmax);

    /// <summary>y[k, c] = g[receivers[k], c] where argmax[receivers[k], c] = k, else 0.</summary>
    /// <param name="g">Node rows [N, C].</param>
    /// <param name="argmax">int64 [N, C].</param>
    /// <param name="receivers">Receiver of each edge [E].</param>
    /// <param name="y">Edge rows [E, C].</param>
    void ScatterArgMax(Tensor g, Tensor argmax, Tensor receivers, Tensor y);

    /// <summary>y[n, c] = u[argmax[n, c], c], or 0 where argmax is −1.</summary>
    /// <param name="u">Edge rows [E, C].</param>
    /// <param name="argmax">int64 [N, C].</param>
    /// <param name="y">Node rows [N, C].</param>
    void GatherArgMax(Tensor u, Tensor argmax, Tensor y);

    /// <summary>
    /// y[k] = ((a[receivers[k]] + b[senders[k]]) + e[k]) + bias, each optional term skipped when null,
    /// summed in that order.
    /// </summary>
    /// <param name="a">Receiver-side node rows [N, C].</param>
    /// <param name="b">Sender-side node rows [N, C].</param>
    /// <param name="e">Edge rows [E, C], or null.</param>
    /// <param name="bias">[C], or null.</param>
    /// <param name="receivers">Receiver of each edge [E].</param>
    /// <param name="senders">Sender of each edge [E].</param>
    /// <param name="y">Edge rows [E, C].</param>
    void EdgeCombine(Tensor a, Tensor b, Tensor? e, Tensor? bias, Tensor receivers, Tensor senders, Tensor y);
}
