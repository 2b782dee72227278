using System.Reflection;
using Xunit;

namespace SciKernels.Tests.Architecture;

/// <summary>
/// The layers reference only what is below them: a user of tensors loads no ILGPU, HDF5 or console
/// library, and no layer references one above it. Checked on the compiled metadata, which lists only
/// references the code actually uses.
/// </summary>
public class AssemblyLayeringTests
{
    private static readonly Assembly Core = typeof(Tensor).Assembly;
    private static readonly Assembly SciML = typeof(SciKernels.NN.Linear).Assembly;
    private static readonly Assembly Training = typeof(SciKernels.Training.Trainer).Assembly;
    private static readonly Assembly Data = typeof(SciKernels.Data.DatasetCache).Assembly;
    private static readonly Assembly Devices = typeof(SciKernels.Devices.IlgpuDevices).Assembly;

    private static string[] References(Assembly a) => a.GetReferencedAssemblies().Select(n => n.Name ?? "").ToArray();

    private static void AssertNone(Assembly a, params string[] prefixes)
    {
        // "Name*" matches a package family (ILGPU, ILGPU.Algorithms); other names match exactly.
        var bad = References(a).Where(r => prefixes.Any(p => p.EndsWith('*') ? r.StartsWith(p.TrimEnd('*'), StringComparison.Ordinal) : r == p)).ToArray();
        Assert.True(bad.Length == 0, $"{a.GetName().Name} references {string.Join(", ", bad)}");
    }

    [Fact]
    public void Layers_are_separate_assemblies()
    {
        Assert.Equal("SciKernels.Core", Core.GetName().Name);
        Assert.Equal("SciKernels", SciML.GetName().Name);
        Assert.Equal("SciKernels.Training", Training.GetName().Name);
        Assert.Equal("SciKernels.Data", Data.GetName().Name);
        Assert.Equal("SciKernels.Devices", Devices.GetName().Name);
    }

    [Fact]
    public void Core_references_no_device_file_format_or_console_library()
    {
        AssertNone(Core, "ILGPU*", "PureHDF*", "Spectre*", "SciKernels", "SciKernels.Kernels", "SciKernels.Devices",
            "SciKernels.Training", "SciKernels.Data", "Microsoft.Extensions.Logging.Abstractions");
    }

    [Fact]
    public void SciML_layer_references_neither_devices_training_data_nor_console()
    {
        AssertNone(SciML, "ILGPU*", "SciKernels.Kernels", "SciKernels.Devices", "PureHDF*", "Spectre*", "SciKernels.Training", "SciKernels.Data");
    }

    [Fact]
    public void Device_backend_builds_on_the_core_alone()
    {
        AssertNone(Devices, "SciKernels", "SciKernels.Training", "SciKernels.Data", "PureHDF*", "Spectre*");
        Assert.Contains("SciKernels.Core", References(Devices));
    }

    [Fact]
    public void Data_and_training_do_not_reference_each_other()
    {
        AssertNone(Data, "SciKernels.Training", "Spectre*");
        AssertNone(Training, "SciKernels.Data", "PureHDF*", "Spectre*");
    }

    [Fact]
    public void Device_backends_are_found_without_a_reference_from_the_core()
    {
        // The core loads the device assembly by name on first device use; the simulator always exists.
        var simulator = Device.Simulator();
        using var t = Tensor.FromArray([1.0, 2.0], 2).To(simulator);
        Assert.Equal(new[] { 1.0, 2.0 }, t.To(Device.Cpu).ToArray<double>());
    }
}
