using SciKernels.Random;

namespace SciKernels.Generative;

/// <summary>
/// The zero-centre-of-mass subspace of positions in open space (EDM): translation invariance of the
/// density is obtained by keeping data, noise and predictions at zero mean position per structure.
/// </summary>
public static class ZeroCentre
{
    /// <summary>x − mean over atoms, per structure: [B, n, 3] → [B, n, 3].</summary>
    public static Tensor Project(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3) throw new TensorException("ZeroCentre.Project", $"positions must be [B, n, 3], got {Tensor.ShapeString(x.Shape)}");
        return x.Sub(x.Mean(1, keepDim: true));
    }

    /// <summary>Standard normal noise [B, n, 3] projected to zero centre of mass.</summary>
    public static Tensor Noise(int structures, int atoms, Generator generator, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return Project(Tensor.Randn([structures, atoms, 3], generator, dtype));
    }

    /// <summary>The largest |mean position| component over structures and axes of [B, n, 3] (a test of the projection).</summary>
    public static double MaxCentreOffset(ReadOnlySpan<double> positions, int atoms)
    {
        double worst = 0;
        int b = positions.Length / (3 * atoms);
        for (int s = 0; s < b; s++)
            for (int c = 0; c < 3; c++)
            {
                double m = 0;
                for (int i = 0; i < atoms; i++) m += positions[(s * atoms + i) * 3 + c];
                worst = Math.Max(worst, Math.Abs(m / atoms));
            }
        return worst;
    }
}
