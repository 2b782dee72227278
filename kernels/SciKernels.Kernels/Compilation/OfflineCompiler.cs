using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace SciKernels.Kernels.Compilation;

/// <summary>A CUDA target for offline PTX generation.</summary>
/// <param name="Name">e.g. <c>sm_80</c>.</param>
/// <param name="Architecture">ILGPU architecture.</param>
/// <param name="InstructionSet">PTX ISA emitted (must be known to the ptxas used).</param>
public sealed record PtxTarget(string Name, CudaArchitecture Architecture, CudaInstructionSet InstructionSet)
{
    /// <summary>
    /// Parses <c>sm_80</c> / <c>sm_90</c> (also <c>sm_75</c>, <c>sm_86</c>, <c>sm_89</c>). The PTX ISA
    /// defaults to the lowest version ILGPU pairs with that architecture that CUDA 11.8's ptxas accepts:
    /// 7.1 for sm_8x (ILGPU's minimum for sm_80 is 7.0; 7.1 is kept as measured), 7.8 for sm_89/sm_90.
    /// A real CUDA driver may JIT a newer ISA; these defaults only target the offline checks.
    /// </summary>
    /// <param name="name">Architecture name.</param>
    public static PtxTarget Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sm_75" => new("sm_75", CudaArchitecture.SM_75, CudaInstructionSet.ISA_71),
        "sm_80" => new("sm_80", CudaArchitecture.SM_80, CudaInstructionSet.ISA_71),
        "sm_86" => new("sm_86", CudaArchitecture.SM_86, CudaInstructionSet.ISA_71),
        "sm_89" => new("sm_89", CudaArchitecture.SM_89, CudaInstructionSet.ISA_78),
        "sm_90" => new("sm_90", CudaArchitecture.SM_90, CudaInstructionSet.ISA_78),
        _ => throw new ArgumentException($"Unsupported architecture '{name}' (supported: sm_75, sm_80, sm_86, sm_89, sm_90)."),
    };
}

/// <summary>
/// Compiles kernels without any GPU: PTX through ILGPU's <see cref="PTXBackend"/> (no NVVM), and
/// OpenCL C through ILGPU's <see cref="CLBackend"/>. One instance owns one ILGPU context and caches a
/// backend per target; not thread-safe.
/// </summary>
public sealed class OfflineCompiler : IDisposable
{
    private readonly Context context;
    private readonly Dictionary<string, PTXBackend> ptxBackends = new();
    private CLBackend? clBackend;

    /// <summary>Creates a compiler (optimization level O2, ILGPU.Algorithms enabled, as at run time).</summary>
    /// <param name="optimizationLevel">ILGPU optimization level.</param>
    public OfflineCompiler(OptimizationLevel optimizationLevel = OptimizationLevel.O2)
    {
        context = Context.Create(b => b.EnableAlgorithms().Optimize(optimizationLevel).Math(MathMode.Default));
    }

    /// <summary>Generates PTX for one kernel and target.</summary>
    /// <param name="kernel">Kernel specialization.</param>
    /// <param name="target">CUDA target.</param>
    public string CompilePtx(KernelSpec kernel, PtxTarget target)
    {
        if (!ptxBackends.TryGetValue(target.Name, out var backend))
        {
            backend = new PTXBackend(context, new CudaCapabilityContext(target.Architecture), target.Architecture, target.InstructionSet, nvvmAPI: null);
            ptxBackends[target.Name] = backend;
        }
        var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method), KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    /// <summary>
    /// Generates OpenCL C for one kernel (OpenCL C 2.0, fp64 enabled, generic address space assumed as
    /// ILGPU requires; vendor "Other").
    /// </summary>
    /// <param name="kernel">Kernel specialization.</param>
    public string CompileOpenCL(KernelSpec kernel)
    {
        clBackend ??= new CLBackend(context,
            new CLCapabilityContext(float16: false, float64: true, genericAddressSpace: true, int64_Atomics: false, subGroups: false),
            CLDeviceVendor.Other, CLCVersion.CL20);
        var compiled = (CLCompiledKernel)clBackend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method), KernelSpecialization.Empty);
        return compiled.Source;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var b in ptxBackends.Values) b.Dispose();
        clBackend?.Dispose();
        context.Dispose();
    }
}
