using System.Globalization;

namespace SciKernels.Equivariant;

/// <summary>One block of an irreps layout: <see cref="Mul"/> channels of the irrep (l, parity).</summary>
/// <param name="Mul">Number of channels C ≥ 1.</param>
/// <param name="L">Degree l ≥ 0.</param>
/// <param name="Parity">+1 (even, "e") or −1 (odd, "o").</param>
public readonly record struct IrrepsBlock(int Mul, int L, int Parity)
{
    /// <summary>Components of one channel: 2l + 1.</summary>
    public int Degree => 2 * L + 1;

    /// <summary>Components of the block: Mul·(2l + 1).</summary>
    public int Dim => Mul * Degree;

    /// <summary>e3nn's notation, e.g. "32x1o".</summary>
    public override string ToString() => $"{Mul.ToString(CultureInfo.InvariantCulture)}x{L.ToString(CultureInfo.InvariantCulture)}{(Parity > 0 ? 'e' : 'o')}";
}

/// <summary>
/// The irreps of a feature vector — e3nn's <c>Irreps</c>, e.g. "32x0e+32x1o+16x2e" — and the memory
/// layout the equivariant kernels use: node features [N, Σ_b C_b (2l_b + 1)], blocks in the order
/// given, each block <b>m-major with channels contiguous</b> ([2l + 1, C]): component m of channel c of
/// block b sits at <c>Offset(b) + m·C + c</c>.
/// </summary>
/// <remarks>
/// Why m-major: every channel-wise operation (the tensor-product convolution, gates, per-channel
/// weights) then runs over C contiguous values for each (m, …) and vectorises over channels, and the
/// equivariant linear map of a block is one GEMM on its [N·(2l + 1), C] view. e3nn stores each block
/// channel-major ([C, 2l + 1], <c>Offset(b) + c·(2l + 1) + m</c>); <see cref="ToE3nn"/> and
/// <see cref="FromE3nn"/> convert. For C = 1 (e.g. spherical harmonics "1x0e+1x1o+1x2e") the two
/// layouts coincide. Immutable.
/// </remarks>
public sealed class IrrepsLayout : IEquatable<IrrepsLayout>
{
    private readonly IrrepsBlock[] blocks;
    private readonly int[] offsets;

    /// <summary>A layout of the given blocks, in order.</summary>
    /// <param name="blocks">The blocks; Mul ≥ 1, l ≥ 0, parity ±1.</param>
    public IrrepsLayout(IEnumerable<IrrepsBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        this.blocks = blocks.ToArray();
        offsets = new int[this.blocks.Length + 1];
        for (int b = 0; b < this.blocks.Length; b++)
        {
            var k = this.blocks[b];
            if (k.Mul < 1 || k.L < 0 || k.Parity is not (1 or -1))
                throw new ArgumentException($"IrrepsLayout: block {b} ({k.Mul}x l={k.L} parity {k.Parity}) needs multiplicity ≥ 1, l ≥ 0 and parity ±1", nameof(blocks));
            offsets[b + 1] = checked(offsets[b] + k.Dim);
        }
    }

    /// <summary>Parses e3nn's notation: blocks "MULxLP" (or "LP" for one channel) joined by '+', P ∈ {e, o}; spaces ignored.</summary>
    /// <param name="text">E.g. "32x0e + 32x1o + 16x2e" or "0e+1o".</param>
    /// <exception cref="FormatException">A block is not of that form.</exception>
    public static IrrepsLayout Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var compact = text.Replace(" ", "", StringComparison.Ordinal);
        if (compact.Length == 0) return new IrrepsLayout([]);
        var list = new List<IrrepsBlock>();
        foreach (var part in compact.Split('+'))
        {
            int x = part.IndexOf('x', StringComparison.Ordinal);
            string mulText = x < 0 ? "1" : part[..x], irrep = x < 0 ? part : part[(x + 1)..];
            if (irrep.Length < 2 || irrep[^1] is not ('e' or 'o')
                || !int.TryParse(mulText, NumberStyles.None, CultureInfo.InvariantCulture, out int mul) || mul < 1
                || !int.TryParse(irrep[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int l))
                throw new FormatException($"IrrepsLayout.Parse: \"{part}\" in \"{text}\" is not a block MULxLP (e.g. 32x1o) with MUL ≥ 1, L ≥ 0 and P = e or o");
            list.Add(new IrrepsBlock(mul, l, irrep[^1] == 'e' ? 1 : -1));
        }
        return new IrrepsLayout(list);
    }

    /// <summary>The spherical harmonics' irreps "1x0e+1x1o+…+1xLP" (parity (−1)^l).</summary>
    /// <param name="lmax">Highest degree.</param>
    public static IrrepsLayout SphericalHarmonics(int lmax) =>
        new(Enumerable.Range(0, lmax + 1).Select(l => new IrrepsBlock(1, l, l % 2 == 0 ? 1 : -1)));

    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<IrrepsBlock> Blocks => blocks;

    /// <summary>Number of blocks.</summary>
    public int Count => blocks.Length;

    /// <summary>Block <paramref name="index"/>.</summary>
    /// <param name="index">Block index.</param>
    public IrrepsBlock this[int index] => blocks[index];

    /// <summary>Total components Σ_b C_b (2l_b + 1): the feature width.</summary>
    public int Dim => offsets[^1];

    /// <summary>Total channels Σ_b C_b.</summary>
    public int NumChannels => blocks.Sum(b => b.Mul);

    /// <summary>Highest degree (−1 when empty).</summary>
    public int LMax => blocks.Length == 0 ? -1 : blocks.Max(b => b.L);

    /// <summary>First component of block <paramref name="index"/>.</summary>
    /// <param name="index">Block index, 0 … Count (Count gives <see cref="Dim"/>).</param>
    public int Offset(int index) => offsets[index];

    /// <summary>Index in the feature vector of component <paramref name="m"/> (0 … 2l) of channel <paramref name="c"/> of block <paramref name="block"/>.</summary>
    /// <param name="block">Block index.</param>
    /// <param name="m">Component, 0 … 2l (m = −l … l).</param>
    /// <param name="c">Channel, 0 … Mul − 1.</param>
    public int Index(int block, int m, int c) => offsets[block] + m * blocks[block].Mul + c;

    /// <summary>Index of the same component in e3nn's channel-major layout.</summary>
    /// <param name="block">Block index.</param>
    /// <param name="m">Component.</param>
    /// <param name="c">Channel.</param>
    public int E3nnIndex(int block, int m, int c) => offsets[block] + c * blocks[block].Degree + m;

    /// <summary>The layout with the same blocks in e3nn's notation, e.g. "32x0e+32x1o".</summary>
    public override string ToString() => string.Join("+", blocks.Select(b => b.ToString()));

    /// <summary>Features [rows, Dim] in this (m-major) layout → e3nn's channel-major layout. Differentiable.</summary>
    /// <param name="x">Features [rows, Dim].</param>
    public Tensor ToE3nn(Tensor x) => Convert(x, toE3nn: true);

    /// <summary>Features [rows, Dim] in e3nn's channel-major layout → this (m-major) layout. Differentiable.</summary>
    /// <param name="x">Features [rows, Dim] as e3nn stores them.</param>
    public Tensor FromE3nn(Tensor x) => Convert(x, toE3nn: false);

    private Tensor Convert(Tensor x, bool toE3nn)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckFeatures(toE3nn ? "IrrepsLayout.ToE3nn" : "IrrepsLayout.FromE3nn", x);
        int rows = x.Shape[0];
        var parts = new Tensor[blocks.Length];
        for (int b = 0; b < blocks.Length; b++)
        {
            var k = blocks[b];
            var block = x.Narrow(1, offsets[b], k.Dim);
            // m-major [rows, 2l+1, C] ⇄ channel-major [rows, C, 2l+1]: a transpose of the two inner axes
            var shaped = toE3nn ? block.Reshape(rows, k.Degree, k.Mul) : block.Reshape(rows, k.Mul, k.Degree);
            parts[b] = shaped.Transpose(1, 2).Contiguous().Reshape(rows, k.Dim);
        }
        return parts.Length switch
        {
            0 => x,
            1 => parts[0],
            _ => Tensor.Concat(parts, 1),
        };
    }

    /// <summary>
    /// The representation of an orthogonal matrix R on features of this layout, [Dim, Dim]: block b of
    /// irrep (l, p) transforms as D^l(R) on its m index (each channel alike), times p when det R &lt; 0.
    /// Features [rows, Dim] transform as x·Dᵀ.
    /// </summary>
    /// <param name="orthogonal">A 3×3 orthogonal matrix (rotation or reflection).</param>
    public double[,] Representation(double[,] orthogonal)
    {
        ArgumentNullException.ThrowIfNull(orthogonal);
        var d1 = Irreps.WignerD.Matrix(1, orthogonal);
        double det = d1[0, 0] * (d1[1, 1] * d1[2, 2] - d1[1, 2] * d1[2, 1]) - d1[0, 1] * (d1[1, 0] * d1[2, 2] - d1[1, 2] * d1[2, 0]) + d1[0, 2] * (d1[1, 0] * d1[2, 1] - d1[1, 1] * d1[2, 0]);
        var result = new double[Dim, Dim];
        for (int b = 0; b < blocks.Length; b++)
        {
            var k = blocks[b];
            var d = Irreps.WignerD.Matrix(k.L, orthogonal);
            // D^l already carries (−1)^l for an improper R; the irrep's own parity p multiplies in
            double sign = det < 0 ? k.Parity * (k.L % 2 == 0 ? 1 : -1) : 1;
            for (int m = 0; m < k.Degree; m++)
                for (int m2 = 0; m2 < k.Degree; m2++)
                    for (int c = 0; c < k.Mul; c++) result[Index(b, m, c), Index(b, m2, c)] = sign * d[m, m2];
        }
        return result;
    }

    /// <summary>Throws unless <paramref name="x"/> is floating point [rows, Dim].</summary>
    /// <param name="op">The operation, for the message.</param>
    /// <param name="x">Features.</param>
    internal void CheckFeatures(string op, Tensor x)
    {
        if (x.Rank != 2 || x.Shape[1] != Dim)
            throw new TensorException(op, $"features must be [rows, {Dim}] for irreps {this}, got {Tensor.ShapeString(x.Shape)}");
        if (!x.DType.IsFloatingPoint())
            throw new TensorException(op, $"features must be floating point, got {x.DType.Name()}");
    }

    /// <inheritdoc/>
    public bool Equals(IrrepsLayout? other) => other is not null && blocks.AsSpan().SequenceEqual(other.blocks);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as IrrepsLayout);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var b in blocks) h.Add(b);
        return h.ToHashCode();
    }
}
