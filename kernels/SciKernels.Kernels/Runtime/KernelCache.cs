using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace SciKernels.Kernels.Runtime;

/// <summary>
/// Loads each kernel specialization (kernel method + functor + element type, i.e. one constructed
/// generic <see cref="MethodInfo"/>) once per accelerator and caches the launcher delegate
/// (<c>Action&lt;AcceleratorStream, KernelConfig, ...&gt;</c>). Thread-safe.
/// </summary>
public sealed class KernelCache
{
    private readonly Accelerator accelerator;
    private readonly ConcurrentDictionary<MethodInfo, Lazy<Delegate>> cache = new();
    private int loads;

    internal KernelCache(Accelerator accelerator) => this.accelerator = accelerator;

    /// <summary>Number of kernels compiled and loaded so far (cache misses).</summary>
    public int LoadCount => Volatile.Read(ref loads);

    /// <summary>Number of cached specializations.</summary>
    public int Count => cache.Count;

    /// <summary>True if the specialization is already loaded.</summary>
    /// <param name="kernel">Constructed kernel method.</param>
    public bool Contains(MethodInfo kernel) => cache.ContainsKey(kernel);

    private TLauncher Get<TLauncher>(Delegate kernel, Func<TLauncher> load) where TLauncher : Delegate
    {
        var lazy = cache.GetOrAdd(kernel.Method, _ => new Lazy<Delegate>(() =>
        {
            Interlocked.Increment(ref loads);
            return load();
        }, LazyThreadSafetyMode.ExecutionAndPublication));
        return (TLauncher)lazy.Value;
    }

#pragma warning disable CS1591 // arity overloads share one description
    /// <summary>Gets (loading once) the stream launcher of an explicitly grouped kernel.</summary>
    public Action<AcceleratorStream, KernelConfig, T1, T2> Get<T1, T2>(Action<T1, T2> kernel)
        where T1 : struct where T2 : struct =>
        Get(kernel, () => accelerator.LoadKernel(kernel));

    /// <summary>Gets (loading once) the stream launcher of an explicitly grouped kernel.</summary>
    public Action<AcceleratorStream, KernelConfig, T1, T2, T3> Get<T1, T2, T3>(Action<T1, T2, T3> kernel)
        where T1 : struct where T2 : struct where T3 : struct =>
        Get(kernel, () => accelerator.LoadKernel(kernel));

    /// <summary>Gets (loading once) the stream launcher of an explicitly grouped kernel.</summary>
    public Action<AcceleratorStream, KernelConfig, T1, T2, T3, T4> Get<T1, T2, T3, T4>(Action<T1, T2, T3, T4> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct =>
        Get(kernel, () => accelerator.LoadKernel(kernel));

    /// <summary>Gets (loading once) the stream launcher of an explicitly grouped kernel.</summary>
    public Action<AcceleratorStream, KernelConfig, T1, T2, T3, T4, T5> Get<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct =>
        Get(kernel, () => accelerator.LoadKernel(kernel));

    /// <summary>Gets (loading once) the stream launcher of an explicitly grouped kernel.</summary>
    public Action<AcceleratorStream, KernelConfig, T1, T2, T3, T4, T5, T6> Get<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct =>
        Get(kernel, () => accelerator.LoadKernel(kernel));

    /// <summary>Gets (loading once) the stream launcher of an explicitly grouped kernel.</summary>
    public Action<AcceleratorStream, KernelConfig, T1, T2, T3, T4, T5, T6, T7> Get<T1, T2, T3, T4, T5, T6, T7>(Action<T1, T2, T3, T4, T5, T6, T7> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct =>
        Get(kernel, () => accelerator.LoadKernel(kernel));

    /// <summary>Gets (loading once) the stream launcher of an explicitly grouped kernel.</summary>
    public Action<AcceleratorStream, KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8> Get<T1, T2, T3, T4, T5, T6, T7, T8>(Action<T1, T2, T3, T4, T5, T6, T7, T8> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct =>
        Get(kernel, () => accelerator.LoadKernel(kernel));
    /// <summary>Gets (loading once) the stream launcher of an explicitly grouped kernel.</summary>
    public Action<AcceleratorStream, KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8, T9> Get<T1, T2, T3, T4, T5, T6, T7, T8, T9>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct =>
        Get(kernel, () => accelerator.LoadKernel(kernel));
#pragma warning restore CS1591
}
