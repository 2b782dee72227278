using SciKernels.Backends;
using SciKernels.Kernels.Runtime;
using SciKernels.Kernels.Stencil;

namespace SciKernels.Devices;

public sealed unsafe partial class IlgpuBackend : IStencilKernels
{
    private int stencilTiled, stencilGeneral;

    /// <summary>Stencil launches that used the shared-memory tiled kernel (for tests of the dispatcher).</summary>
    internal int StencilTiledLaunches => Volatile.Read(ref stencilTiled);

    /// <summary>Stencil launches that used the general (interpreting) kernel.</summary>
    internal int StencilGeneralLaunches => Volatile.Read(ref stencilGeneral);

    /// <summary>False forces every stencil onto the general kernel (tests compare the two paths).</summary>
    internal bool StencilTilingEnabled { get; set; } = true;

    /// <inheritdoc/>
    public void Stencil(StencilSpec spec, Tensor[] xs, Tensor y) => Stencil(StencilProgramFactory.Build(spec), xs, y);

    /// <summary>Runs the compiled <paramref name="program"/> (see <see cref="Stencil(StencilSpec, Tensor[], Tensor)"/>).</summary>
    internal StencilPath Stencil(StencilProgram program, Tensor[] xs, Tensor y)
    {
        int batch = y.Size(0);
        StencilPath path;
        lock (gate)
        {
            path = y.DType == DType.Float32
                ? Ops.Stencil(program, Array.ConvertAll(xs, Dense<float>), Dense<float>(y), batch, StencilTilingEnabled)
                : Ops.Stencil(program, Array.ConvertAll(xs, Dense<double>), Dense<double>(y), batch, StencilTilingEnabled);
        }
        Interlocked.Increment(ref path == StencilPath.Tiled ? ref stencilTiled : ref stencilGeneral);
        return path;
    }
}
