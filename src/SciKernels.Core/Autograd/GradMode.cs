namespace SciKernels.Autograd;

/// <summary>Thread-local switches of the autodiff engine.</summary>
public static class GradMode
{
    [ThreadStatic] private static int disabledDepth;
    [ThreadStatic] private static int anomalyDepth;

    /// <summary>True when operations record the graph (the default).</summary>
    public static bool IsEnabled => disabledDepth == 0;

    /// <summary>True inside an <see cref="DetectAnomaly"/> scope.</summary>
    public static bool IsAnomalyDetectionEnabled => anomalyDepth > 0;

    /// <summary>Disables graph recording until the returned scope is disposed (like <c>torch.no_grad()</c>).</summary>
    public static IDisposable NoGrad()
    {
        disabledDepth++;
        return new Restore(() => disabledDepth--);
    }

    /// <summary>Re-enables recording inside a no-grad region until disposed.</summary>
    public static IDisposable EnableGrad()
    {
        int saved = disabledDepth;
        disabledDepth = 0;
        return new Restore(() => disabledDepth = saved);
    }

    /// <summary>
    /// Checks every forward and backward result for NaN/Inf and throws naming the operation that
    /// first produced one, until disposed. Slow: for debugging.
    /// </summary>
    public static IDisposable DetectAnomaly()
    {
        anomalyDepth++;
        return new Restore(() => anomalyDepth--);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        private Action? undo = undo;

        public void Dispose()
        {
            undo?.Invoke();
            undo = null;
        }
    }
}
