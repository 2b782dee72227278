using SciKernels.Storage;

namespace SciKernels.Backends;

/// <summary>
/// Capability of a backend whose buffers are host memory the CPU addresses directly. A fused op runs
/// its CPU kernel — the specification of the op — over raw pointers when every operand's backend has
/// this capability (see docs/architecture.md, "How to add a fused op").
/// </summary>
public interface IHostMemory
{
    /// <summary>Address of element 0 of <paramref name="storage"/>, a buffer of this backend.</summary>
    nint Address(TensorStorage storage);
}

/// <summary>
/// Raw host views of tensors on <see cref="IHostMemory"/> backends: the one place where fused CPU
/// kernels obtain pointers (one interface check per operand per call, never per element).
/// </summary>
internal static unsafe class HostMemory
{
    /// <summary>True when <paramref name="t"/> lives in host memory.</summary>
    public static bool Holds(Tensor t) => t.Backend is IHostMemory;

    /// <summary>True when <paramref name="t"/> is null or lives in host memory.</summary>
    public static bool HoldsOrNull(Tensor? t) => t is null || t.Backend is IHostMemory;

    /// <summary>True when <paramref name="t"/> is a contiguous floating-point tensor in host memory (a span kernel applies).</summary>
    public static bool IsDenseFloat(Tensor t) => t.IsContiguous && t.DType.IsFloatingPoint() && t.Backend is IHostMemory;

    /// <summary>Address of the first element of the view <paramref name="t"/> (host memory only; keep t alive while using it).</summary>
    public static T* Ptr<T>(Tensor t) where T : unmanaged => (T*)Host(t).Address(t.Storage) + t.Offset;

    /// <summary>Byte address of the first element of the view <paramref name="t"/>.</summary>
    public static byte* Ptr(Tensor t) => (byte*)Host(t).Address(t.Storage) + t.Offset * t.DType.ElementSize();

    private static IHostMemory Host(Tensor t) => t.Backend as IHostMemory
        ?? throw new TensorException("HostMemory", $"tensor is on {t.Device}, whose memory the CPU cannot address");
}
