using SciKernels.Storage;

namespace SciKernels.Optim;

/// <summary>Decides whether a parameter can take the fused host-span update.</summary>
internal static class FusedPath
{
    [ThreadStatic] private static bool disabled;

    /// <summary>Forces the generic tensor-op path on this thread (tests compare the two paths on the CPU).</summary>
    internal static bool Disabled
    {
        get => disabled;
        set => disabled = value;
    }

    /// <summary>True when p, g and the state tensors are dense same-dtype CPU tensors (no allocation: called per parameter per step).</summary>
    public static bool Applies(Tensor p, Tensor g, Tensor? state1 = null, Tensor? state2 = null)
    {
        if (Disabled) return false;
        if (!IsDense(p) || !IsDense(g) || g.DType != p.DType || !g.Shape.SequenceEqual(p.Shape)) return false;
        return (state1 is null || IsDense(state1)) && (state2 is null || IsDense(state2));
    }

    private static bool IsDense(Tensor t) => t.Storage is CpuStorage && t.IsContiguous && t.DType.IsFloatingPoint() && t.NumElements <= int.MaxValue;

    public static void CheckGrad(Tensor p, Tensor g, string optimizer)
    {
        if (!g.Shape.SequenceEqual(p.Shape) || g.DType != p.DType || g.Device != p.Device)
            throw new InvalidOperationException($"{optimizer}: a gradient of {g.DType.Name()} shape {StateIO.Shape(g)} on {g.Device} does not match its {p.DType.Name()} parameter of shape {StateIO.Shape(p)} on {p.Device}");
    }
}
