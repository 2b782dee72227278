using SciKernels.Backends;

namespace SciKernels.Optim;

/// <summary>
/// Decides whether a parameter takes the fused span update of <see cref="FusedKernels"/> (the CPU kernel
/// of the optimizer step): its tensors must live in host memory (<see cref="IHostMemory"/>); elsewhere
/// the optimizer runs the same update as tensor operations.
/// </summary>
internal static class FusedPath
{
    /// <summary>True when p, g and the state tensors are dense same-dtype host tensors (no allocation: called per parameter per step).</summary>
    public static bool Applies(Tensor p, Tensor g, Tensor? state1 = null, Tensor? state2 = null)
    {
        if (!IsDense(p) || !IsDense(g) || g.DType != p.DType || !g.Shape.SequenceEqual(p.Shape)) return false;
        return (state1 is null || IsDense(state1)) && (state2 is null || IsDense(state2));
    }

    private static bool IsDense(Tensor t) => HostMemory.IsDenseFloat(t) && t.NumElements <= int.MaxValue;

    public static void CheckGrad(Tensor p, Tensor g, string optimizer)
    {
        if (!g.Shape.SequenceEqual(p.Shape) || g.DType != p.DType || g.Device != p.Device)
            throw new InvalidOperationException($"{optimizer}: a gradient of {g.DType.Name()} shape {StateIO.Shape(g)} on {g.Device} does not match its {p.DType.Name()} parameter of shape {StateIO.Shape(p)} on {p.Device}");
    }
}
