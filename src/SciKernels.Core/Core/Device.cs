using System.Reflection;
using System.Runtime.CompilerServices;
using SciKernels.Backends;

namespace SciKernels;

/// <summary>Kind of compute device.</summary>
public enum DeviceKind
{
    /// <summary>The managed CPU backend (SIMD + threads): the embedded default and the reference.</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
    /// <summary>An OpenCL device through ILGPU's OpenCL backend.</summary>
    OpenCL,
    /// <summary>ILGPU's CPU accelerator: a thread simulator for debugging kernels on small inputs.</summary>
    Simulator,
}

/// <summary>A device on which tensors live and operations run.</summary>
/// <remarks>
/// Every tensor operation runs on the device of its operands; operands on different devices are an
/// error (move them with <see cref="Tensor.To(Device)"/>). The first use of a simulator, OpenCL or CUDA
/// device creates its backend through the device assembly that registered itself (the ILGPU backend in
/// <c>SciKernels.Devices</c>, loaded on demand when it is deployed beside the core);
/// <see cref="RegisterProvider"/> replaces that factory, e.g. with a test double.
/// </remarks>
public sealed class Device : IEquatable<Device>
{
    private static readonly object Gate = new();
    private static Func<DeviceKind, int, IBackend>? provider;
    private static Func<Device, IBackend>? builtInProvider;

    /// <summary>Assemblies that may hold a device backend; the core does not reference them, it loads them on first device use.</summary>
    private static readonly string[] BackendAssemblies = ["SciKernels.Devices"];
    private static readonly Dictionary<(DeviceKind, int), Device> Cache = new();
    private IBackend? backend;

    private Device(DeviceKind kind, int index, IBackend? backend)
    {
        Kind = kind;
        Index = index;
        this.backend = backend;
    }

    /// <summary>The managed CPU device (default).</summary>
    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0, SciKernels.Cpu.CpuBackend.Instance);

    /// <summary>The kind of device.</summary>
    public DeviceKind Kind { get; }

    /// <summary>Index among devices of the same kind.</summary>
    public int Index { get; }

    /// <summary>The CUDA device with the given index.</summary>
    public static Device Cuda(int index = 0) => Get(DeviceKind.Cuda, index);

    /// <summary>The OpenCL device with the given index.</summary>
    public static Device OpenCL(int index = 0) => Get(DeviceKind.OpenCL, index);

    /// <summary>ILGPU's CPU simulator (for testing kernels on small inputs).</summary>
    public static Device Simulator() => Get(DeviceKind.Simulator, 0);

    /// <summary>
    /// Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>, <c>opencl:0</c> or <c>simulator</c>.
    /// </summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        int index = 0;
        if (parts.Length > 2 || (parts.Length == 2 && !int.TryParse(parts[1], out index)) || index < 0)
            throw new FormatException($"Device.Parse: '{text}' is not a device (expected cpu, cuda[:i], opencl[:i] or simulator)");
        return parts[0] switch
        {
            "cpu" => Cpu,
            "cuda" => Cuda(index),
            "opencl" => OpenCL(index),
            "simulator" or "ilgpu-cpu" => Simulator(),
            _ => throw new FormatException($"Device.Parse: '{text}' is not a device (expected cpu, cuda[:i], opencl[:i] or simulator)"),
        };
    }

    /// <summary>The environment variable that names <see cref="Default"/>.</summary>
    public const string DefaultDeviceVariable = "SCIKERNELS_DEVICE";

    private static readonly Lazy<Device> DefaultDevice = new(() => ResolveDefault(Environment.GetEnvironmentVariable(DefaultDeviceVariable)));

    /// <summary>
    /// The default device of an application: the one named by the environment variable <c>SCIKERNELS_DEVICE</c>
    /// (any <see cref="Parse"/> form: <c>cpu</c>, <c>cuda:1</c>, <c>opencl:0</c>, <c>simulator</c>), or the CPU when it
    /// is unset or blank. The variable is read once, on first use; later changes to it have no effect. Tensor
    /// factories given no device still use the CPU: pass <c>Device.Default</c> to follow the variable.
    /// </summary>
    /// <exception cref="FormatException">The variable holds something that is not a device name (the message names the variable and its value).</exception>
    public static Device Default => DefaultDevice.Value;

    /// <summary>The device that the value <paramref name="value"/> of <c>SCIKERNELS_DEVICE</c> names (CPU when null or blank).</summary>
    internal static Device ResolveDefault(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Cpu;
        try
        {
            return Parse(value);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{DefaultDeviceVariable}='{value}' is not a device: expected cpu, cuda[:i], opencl[:i] or simulator", e);
        }
    }

    /// <summary>
    /// Installs a factory that creates backends for non-CPU devices instead of the built-in ILGPU
    /// backend; it applies to devices not yet created.
    /// </summary>
    public static void RegisterProvider(Func<DeviceKind, int, IBackend> factory)
    {
        lock (Gate) provider = factory;
    }

    /// <summary>
    /// Waits until every operation queued on this device has finished (device work is asynchronous;
    /// time a device only up to a call of this, as <c>torch.cuda.synchronize()</c>). A no-op on the CPU.
    /// </summary>
    public void Synchronize() => Backend.Synchronize();

    internal IBackend Backend
    {
        get
        {
            if (backend is not null) return backend;
            lock (Gate)
            {
                if (backend is not null) return backend;
                backend = provider is not null ? provider(Kind, Index) : BuiltInProvider(this)(this);
                return backend;
            }
        }
    }

    /// <summary>
    /// Called once by a device assembly's module initializer: the factory used for non-CPU devices when
    /// no <see cref="RegisterProvider"/> factory is installed. The first registration wins.
    /// </summary>
    internal static void RegisterBuiltInProvider(Func<Device, IBackend> factory)
    {
        lock (Gate) builtInProvider ??= factory;
    }

    private static Func<Device, IBackend> BuiltInProvider(Device device)
    {
        // Called under Gate; a module initializer calling RegisterBuiltInProvider re-enters it on this thread.
        if (builtInProvider is null)
        {
            foreach (var name in BackendAssemblies)
            {
                Assembly asm;
                try { asm = Assembly.Load(new AssemblyName(name)); }
                catch (FileNotFoundException) { continue; }
                RuntimeHelpers.RunModuleConstructor(asm.ManifestModule.ModuleHandle);
                if (builtInProvider is not null) break;
            }
        }
        return builtInProvider ?? throw new InvalidOperationException(
            $"device {device}: no device backend is loaded; reference the SciKernels.Devices package (ILGPU: CUDA, OpenCL, simulator) or install one with Device.RegisterProvider");
    }

    private static Device Get(DeviceKind kind, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        lock (Gate)
        {
            if (!Cache.TryGetValue((kind, index), out var d))
            {
                d = new Device(kind, index, null);
                Cache[(kind, index)] = d;
            }
            return d;
        }
    }

    /// <inheritdoc/>
    public bool Equals(Device? other) => other is not null && other.Kind == Kind && other.Index == Index;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Device);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Index);

    /// <summary>PyTorch-style name, e.g. <c>cpu</c> or <c>opencl:0</c>.</summary>
    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.Simulator => "simulator",
        _ => $"{Kind.ToString().ToLowerInvariant()}:{Index}",
    };

    /// <summary>Compares two devices by kind and index.</summary>
    public static bool operator ==(Device? a, Device? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Compares two devices by kind and index.</summary>
    public static bool operator !=(Device? a, Device? b) => !(a == b);
}
