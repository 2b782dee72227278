namespace SciKernels.Kernels.Indexing;

/// <summary>
/// Host-side compressed-sparse-row plan for deterministic scatter sums: <see cref="Perm"/> lists the
/// source positions grouped by target (ascending source order inside each target, i.e. a stable
/// counting sort) and <see cref="Offsets"/> (numTargets + 1 entries) delimits each target's segment.
/// Build once per index tensor and reuse (e.g. a static graph's edge list).
/// </summary>
public sealed class CsrPlan
{
    private CsrPlan(int[] perm, int[] offsets)
    {
        Perm = perm;
        Offsets = offsets;
    }

    /// <summary>Source positions sorted by target.</summary>
    public int[] Perm { get; }

    /// <summary>Segment boundaries into <see cref="Perm"/>; length = number of targets + 1.</summary>
    public int[] Offsets { get; }

    /// <summary>Number of targets (segments).</summary>
    public int NumTargets => Offsets.Length - 1;

    /// <summary>Builds the plan for <c>targets[j]</c> = destination of source j.</summary>
    /// <param name="targets">Destination of each source position, each in [0, numTargets).</param>
    /// <param name="numTargets">Number of destinations.</param>
    /// <exception cref="ArgumentOutOfRangeException">A target is out of range.</exception>
    public static CsrPlan Build(ReadOnlySpan<int> targets, int numTargets)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numTargets);
        var offsets = new int[numTargets + 1];
        foreach (int t in targets)
        {
            if ((uint)t >= (uint)numTargets)
                throw new ArgumentOutOfRangeException(nameof(targets), $"Index {t} is outside [0, {numTargets}).");
            offsets[t + 1]++;
        }
        for (int t = 0; t < numTargets; t++)
            offsets[t + 1] += offsets[t];
        var cursor = offsets.AsSpan(0, numTargets).ToArray();
        var perm = new int[targets.Length];
        for (int j = 0; j < targets.Length; j++)
            perm[cursor[targets[j]]++] = j;
        return new CsrPlan(perm, offsets);
    }

    /// <summary>
    /// Plan for torch-style <c>scatter_add(dim, index, src)</c> on contiguous tensors viewed as
    /// [outer, dim, inner]: source element (o, j, i) goes to destination (o, index[o, j, i], i).
    /// Use with <see cref="IndexingKernels.CsrScatterSum{T,TArith}"/>.
    /// </summary>
    /// <param name="index">Contiguous index tensor [outer, srcDim, inner].</param>
    /// <param name="outer">Product of the dimensions before the scattered one.</param>
    /// <param name="srcDim">Size of the scattered dimension in index/src.</param>
    /// <param name="inner">Product of the dimensions after it.</param>
    /// <param name="dstDim">Size of the scattered dimension in the destination.</param>
    public static CsrPlan ForScatterAlongDim(ReadOnlySpan<int> index, int outer, int srcDim, int inner, int dstDim)
    {
        if (index.Length != checked(outer * srcDim * inner))
            throw new ArgumentException("index length does not match outer*srcDim*inner.", nameof(index));
        var dest = new int[index.Length];
        for (int l = 0; l < index.Length; l++)
        {
            int t = index[l];
            if ((uint)t >= (uint)dstDim)
                throw new ArgumentOutOfRangeException(nameof(index), $"Index {t} is outside [0, {dstDim}).");
            int i = l % inner;
            int o = l / inner / srcDim;
            dest[l] = (o * dstDim + t) * inner + i;
        }
        return Build(dest, checked(outer * dstDim * inner));
    }
}
