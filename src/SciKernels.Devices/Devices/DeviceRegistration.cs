using System.Runtime.CompilerServices;

namespace SciKernels.Devices;

/// <summary>Registers the ILGPU backend with the core when this assembly loads.</summary>
internal static class DeviceRegistration
{
#pragma warning disable CA2255 // the core loads this assembly on first device use and needs the factory then, without referencing it
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => Device.RegisterBuiltInProvider(device => IlgpuDevices.Create(device));
}
