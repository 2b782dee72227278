namespace SciKernels.Pinn;

/// <summary>
/// Which input derivatives of a network <see cref="TaylorMlp"/> propagates: first derivatives
/// ∂u/∂xᵢ and second derivatives ∂²u/∂xᵢ∂xⱼ (indices are input columns, e.g. 0 = x, 1 = t).
/// </summary>
/// <remarks>
/// Every index that appears in a second-order pair is also propagated (and returned) as a first
/// derivative, because the chain rule for second derivatives needs it. The work grows with the
/// number of streams, 1 + (first derivatives) + (pairs): u, u_x, u_t, u_xx is four streams.
/// </remarks>
public sealed class TaylorRequest
{
    private readonly int[] first;
    private readonly (int I, int J)[] pairs;
    private readonly (int A, int B)[] pairStreams;

    /// <summary>Creates a request.</summary>
    /// <param name="firstOrder">Input indices i of the wanted ∂u/∂xᵢ.</param>
    /// <param name="secondOrder">Index pairs (i, j) of the wanted ∂²u/∂xᵢ∂xⱼ (order within a pair does not matter).</param>
    public TaylorRequest(IEnumerable<int> firstOrder, IEnumerable<(int I, int J)>? secondOrder = null)
    {
        ArgumentNullException.ThrowIfNull(firstOrder);
        var firstSet = new SortedSet<int>();
        foreach (var i in firstOrder)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(i, nameof(firstOrder));
            firstSet.Add(i);
        }
        var pairList = new List<(int, int)>();
        foreach (var (a, b) in secondOrder ?? Array.Empty<(int, int)>())
        {
            ArgumentOutOfRangeException.ThrowIfNegative(a, nameof(secondOrder));
            ArgumentOutOfRangeException.ThrowIfNegative(b, nameof(secondOrder));
            var p = a <= b ? (a, b) : (b, a);
            if (pairList.Contains(p)) continue;
            pairList.Add(p);
            firstSet.Add(p.Item1);
            firstSet.Add(p.Item2);
        }
        first = firstSet.ToArray();
        pairs = pairList.ToArray();
        pairStreams = Array.ConvertAll(pairs, p => (Array.IndexOf(first, p.I), Array.IndexOf(first, p.J)));
    }

    /// <summary>
    /// The request of a 1-D time-dependent PDE with inputs (x, t): u_x, u_t and u_xx
    /// (Burgers, heat, Allen–Cahn, …).
    /// </summary>
    public static TaylorRequest SpaceTime1D { get; } = new(new[] { 0, 1 }, new[] { (0, 0) });

    /// <summary>The propagated first-derivative input indices, ascending (requested ones plus components of pairs).</summary>
    public IReadOnlyList<int> FirstOrder => first;

    /// <summary>The propagated second-derivative pairs (i ≤ j), in request order.</summary>
    public IReadOnlyList<(int I, int J)> SecondOrder => pairs;

    /// <summary>Number of propagated streams: the value, the first derivatives and the second derivatives.</summary>
    public int StreamCount => 1 + first.Length + pairs.Length;

    /// <summary>Largest input index used (−1 when only the value is requested).</summary>
    internal int MaxIndex => first.Length == 0 ? -1 : first[^1];

    /// <summary>For each pair, the positions (in <see cref="FirstOrder"/>) of its two first-derivative streams.</summary>
    internal ReadOnlySpan<(int A, int B)> PairStreams => pairStreams;

    /// <summary>Stream index of ∂/∂xᵢ, or −1 when it is not propagated.</summary>
    internal int FirstStream(int i)
    {
        int k = Array.IndexOf(first, i);
        return k < 0 ? -1 : 1 + k;
    }

    /// <summary>Stream index of ∂²/∂xᵢ∂xⱼ, or −1 when it is not propagated.</summary>
    internal int PairStream(int i, int j)
    {
        var p = i <= j ? (i, j) : (j, i);
        int k = Array.IndexOf(pairs, p);
        return k < 0 ? -1 : 1 + first.Length + k;
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"TaylorRequest(first: [{string.Join(", ", first)}], second: [{string.Join(", ", pairs.Select(p => $"({p.I},{p.J})"))}])";
}
