namespace SciKernels.Potentials;

/// <summary>Sizes of a <see cref="NequipModel"/> (defaults: NequIP's small configuration).</summary>
public sealed record NequipOptions
{
    /// <summary>Radius (Å) of the graph; the radial weights vanish smoothly there.</summary>
    public double Cutoff { get; init; } = 5.0;

    /// <summary>Channels C of every irrep of the hidden features.</summary>
    public int Channels { get; init; } = 32;

    /// <summary>Highest degree of the hidden features and of the edge harmonics.</summary>
    public int LMax { get; init; } = 2;

    /// <summary>Interaction blocks.</summary>
    public int Layers { get; init; } = 3;

    /// <summary>Bessel functions of the radial basis.</summary>
    public int NumBasis { get; init; } = 8;

    /// <summary>Hidden widths of each block's radial MLP.</summary>
    public IReadOnlyList<int> RadialHidden { get; init; } = [64];

    /// <summary>Exponent of the polynomial cutoff.</summary>
    public int PolynomialDegree { get; init; } = 6;

    /// <summary>Typical number of neighbours: each convolution's sum is divided by its square root (NequIP's avg_num_neighbors).</summary>
    public double AverageNeighbors { get; init; } = 32;

    /// <summary>Checks the sizes.</summary>
    /// <exception cref="ArgumentException">A size is out of range.</exception>
    public void Validate()
    {
        if (!(Cutoff > 0) || double.IsInfinity(Cutoff)) throw new ArgumentException($"NequipOptions: Cutoff must be positive and finite, got {Cutoff}");
        if (Channels < 1 || Layers < 1 || NumBasis < 1) throw new ArgumentException($"NequipOptions: Channels ({Channels}), Layers ({Layers}) and NumBasis ({NumBasis}) must be ≥ 1");
        if (LMax < 0 || LMax > 4) throw new ArgumentException($"NequipOptions: LMax must be 0 … 4, got {LMax}");
        if (!(AverageNeighbors > 0)) throw new ArgumentException($"NequipOptions: AverageNeighbors must be positive, got {AverageNeighbors}");
    }
}
