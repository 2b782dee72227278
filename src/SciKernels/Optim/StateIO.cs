using SciKernels.Autograd;

namespace SciKernels.Optim;

/// <summary>Shared checks and copies for loading saved state into live tensors.</summary>
internal static class StateIO
{
    public static void CheckCompatible(string name, Tensor live, Tensor saved, string what)
    {
        if (saved.DType != live.DType)
            throw new InvalidDataException($"{what} '{name}': the checkpoint holds {saved.DType.Name()}, the model expects {live.DType.Name()}");
        if (!saved.Shape.SequenceEqual(live.Shape))
            throw new InvalidDataException($"{what} '{name}': the checkpoint holds shape {Shape(saved)}, the model expects {Shape(live)}");
    }

    public static void CopyInto(Tensor live, Tensor saved)
    {
        using var _ = GradMode.NoGrad();
        if (saved.Device != live.Device)
        {
            using var moved = saved.To(live.Device);
            live.CopyFrom(moved);
        }
        else live.CopyFrom(saved);
    }

    public static string Shape(Tensor t) => "[" + string.Join(", ", t.Shape.ToArray()) + "]";

    public static Tensor StepTensor(long step) => TensorScope.Keep(Tensor.FromSpan<long>(new[] { step }, ReadOnlySpan<int>.Empty));
}
