namespace SciKernels;

// Differentiable copies to another device or dtype.
public sealed partial class Tensor
{
    /// <summary>Copies this tensor to <paramref name="device"/> (returns this tensor if already there). Differentiable.</summary>
    public Tensor To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        ThrowIfDisposed("To");
        if (device == Device) return this;
        var raw = HostBytes();
        var t = Empty(shape, DType, device);
        t.Backend.CopyFromHost(raw, t.Storage, 0);
        var from = Device;
        return Record(t, "To", new[] { this }, g => new[] { g.To(from) }, tt => tt[0]?.To(device));
    }

    /// <summary>Converts to another floating dtype. Differentiable.</summary>
    public Tensor To(DType dtype)
    {
        ThrowIfDisposed("To");
        if (dtype == DType) return this;
        var values = ToArray<double>();
        var t = FromDoubles(values, shape, dtype, Device);
        var from = DType;
        return DType.IsFloatingPoint() && dtype.IsFloatingPoint()
            ? Record(t, "ToDType", new[] { this }, g => new[] { g.To(from) }, tt => tt[0]?.To(dtype))
            : t;
    }
}
