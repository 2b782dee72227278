using ILGPU;
using ILGPU.Runtime;

namespace SciKernels.Kernels.Stencil;

/// <summary>
/// Device copies of <see cref="StencilProgram"/>s on one accelerator, keyed by content, so a training
/// loop that rebuilds the same stencil description every step uploads it once. Bounded: past
/// <see cref="Capacity"/> programs the cache waits for the device and starts over.
/// </summary>
public sealed class StencilProgramCache : IDisposable
{
    /// <summary>Programs kept before the cache is cleared.</summary>
    public const int Capacity = 256;

    private readonly Accelerator accelerator;
    private readonly Dictionary<StencilProgram, Entry> entries = new();
    private readonly object gate = new();
    private int uploads;

    private sealed class Entry
    {
        public required MemoryBuffer1D<int, Stride1D.Dense> Ints;
        public MemoryBuffer1D<float, Stride1D.Dense>? F32;
        public MemoryBuffer1D<double, Stride1D.Dense>? F64;

        public void Dispose()
        {
            Ints.Dispose();
            F32?.Dispose();
            F64?.Dispose();
        }
    }

    internal StencilProgramCache(Accelerator accelerator) => this.accelerator = accelerator;

    /// <summary>Number of program uploads so far (cache misses, per element type).</summary>
    public int Uploads => Volatile.Read(ref uploads);

    /// <summary>Number of cached programs.</summary>
    public int Count { get { lock (gate) return entries.Count; } }

    /// <summary>The device copy of the program with float32 coefficients.</summary>
    /// <param name="program">Program.</param>
    public (ArrayView<int> Ints, ArrayView<float> Coefs) Float32(StencilProgram program)
    {
        lock (gate)
        {
            var e = Get(program);
            if (e.F32 is null)
            {
                e.F32 = accelerator.Allocate1D(Array.ConvertAll(NonEmpty(program.Coefs), c => (float)c));
                Interlocked.Increment(ref uploads);
            }
            return (e.Ints.View, e.F32.View);
        }
    }

    /// <summary>The device copy of the program with float64 coefficients.</summary>
    /// <param name="program">Program.</param>
    public (ArrayView<int> Ints, ArrayView<double> Coefs) Float64(StencilProgram program)
    {
        lock (gate)
        {
            var e = Get(program);
            if (e.F64 is null)
            {
                e.F64 = accelerator.Allocate1D(NonEmpty(program.Coefs));
                Interlocked.Increment(ref uploads);
            }
            return (e.Ints.View, e.F64.View);
        }
    }

    private static double[] NonEmpty(double[] coefs) => coefs.Length > 0 ? coefs : new double[1];

    private Entry Get(StencilProgram program)
    {
        if (entries.TryGetValue(program, out var e)) return e;
        if (entries.Count >= Capacity)
        {
            // Queued launches may still read the old programs.
            accelerator.Synchronize();
            foreach (var old in entries.Values) old.Dispose();
            entries.Clear();
        }
        e = new Entry { Ints = accelerator.Allocate1D(program.Ints) };
        entries.Add(program, e);
        return e;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var e in entries.Values) e.Dispose();
            entries.Clear();
        }
    }
}
