namespace SciKernels.Stencils;

/// <summary>How the coefficient a is averaged onto the faces between two grid nodes.</summary>
public enum FaceAveraging
{
    /// <summary>2·a_p·a_q / (a_p + a_q): flux-continuous across jumps of a (the default).</summary>
    Harmonic,

    /// <summary>(a_p + a_q) / 2.</summary>
    Arithmetic,
}
