namespace SciKernels.Autograd;

/// <summary>
/// A callback run during <see cref="Tensor.Backward(Tensor?, bool?, bool)"/> as soon as a leaf's gradient is final, i.e.
/// when the pass has added the last contribution to <see cref="Tensor.Grad"/>; leaves come in reverse order of their
/// use in the forward pass. Data-parallel training starts reducing a bucket of gradients while the rest of the
/// backward pass still runs.
/// </summary>
/// <remarks>Per thread and scoped: the callback applies to the backward passes this thread runs until the returned
/// scope is disposed. Not applied to <c>Autodiff.Grad</c>, which does not touch <see cref="Tensor.Grad"/>.
/// Without a callback the engine pays one thread-local read per pass.</remarks>
public static class GradientHooks
{
    [ThreadStatic] private static Action<Tensor>? leafReady;

    internal static Action<Tensor>? LeafReady => leafReady;

    /// <summary>Calls <paramref name="callback"/> with each leaf whose gradient this thread's backward passes have finished.</summary>
    /// <param name="callback">Receives the leaf (its <see cref="Tensor.Grad"/> holds the gradient); must not start another backward pass.</param>
    /// <returns>A scope that restores the previous callback when disposed.</returns>
    public static IDisposable OnLeafGradientReady(Action<Tensor> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var previous = leafReady;
        leafReady = callback;
        return new Restore(previous);
    }

    private sealed class Restore(Action<Tensor>? previous) : IDisposable
    {
        private bool done;

        public void Dispose()
        {
            if (done) return;
            done = true;
            leafReady = previous;
        }
    }
}
