using SciKernels.Autograd;
using SciKernels.Backends;

namespace SciKernels.Optim;

/// <summary>Gradient clipping (like <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so their global p-norm is at most <paramref name="maxNorm"/>
    /// (by maxNorm/(norm + 1e-6), only when that is below 1). Parameters without gradients are skipped.
    /// </summary>
    /// <param name="parameters">Parameters whose gradients to clip.</param>
    /// <param name="maxNorm">Largest allowed norm.</param>
    /// <param name="normType">p of the norm (2 by default; ∞ for the max-abs norm).</param>
    /// <param name="errorIfNonFinite">Throw when the total norm is NaN or ∞ instead of returning it.</param>
    /// <returns>The total norm of the gradients before clipping.</returns>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2, bool errorIfNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "ClipGradNorm: maxNorm must be non-negative");
        if (!(normType > 0)) throw new ArgumentOutOfRangeException(nameof(normType), normType, "ClipGradNorm: the norm type must be positive");
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        double total = TotalNorm(grads, normType);
        if (!double.IsFinite(total))
        {
            if (errorIfNonFinite)
                throw new ArithmeticException($"ClipGradNorm: the total {normType}-norm of the gradients is {total}; pass errorIfNonFinite: false to clip anyway");
            return total;
        }
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1)
        {
            using var _ = GradMode.NoGrad();
            foreach (var g in grads)
            {
                if (IsDense(g))
                {
                    if (g.DType == DType.Float32) FusedKernels.Scale(g.AsSpan<float>(), (float)coef);
                    else FusedKernels.Scale(g.AsSpan<double>(), coef);
                }
                else g.AffineInPlace(coef, 0);
            }
        }
        return total;
    }

    /// <summary>Clamps every gradient element to [−clipValue, clipValue] in place.</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "ClipGradValue: clipValue must be non-negative");
        using var _ = GradMode.NoGrad();
        foreach (var p in parameters)
        {
            if (p.Grad is not { } g) continue;
            using var clamped = g.Clamp(-clipValue, clipValue);
            g.CopyFrom(clamped);
        }
    }

    /// <summary>The global p-norm of <paramref name="tensors"/> taken together, accumulated in double.</summary>
    public static double TotalNorm(IReadOnlyList<Tensor> tensors, double normType = 2)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        double acc = 0;
        bool inf = double.IsPositiveInfinity(normType);
        foreach (var t in tensors)
        {
            if (inf)
            {
                foreach (var x in Values(t)) acc = double.IsNaN(x) ? double.NaN : Math.Max(acc, Math.Abs(x));
            }
            else if (normType == 2 && IsDense(t))
            {
                acc += t.DType == DType.Float32 ? FusedKernels.SumOfSquares<float>(t.AsSpan<float>()) : FusedKernels.SumOfSquares<double>(t.AsSpan<double>());
            }
            else
            {
                foreach (var x in Values(t)) acc += Math.Pow(Math.Abs(x), normType);
            }
        }
        return inf ? acc : normType == 2 ? Math.Sqrt(acc) : Math.Pow(acc, 1 / normType);
    }

    private static double[] Values(Tensor t) => t.ToArray<double>();

    /// <summary>True when the span kernels of <see cref="FusedKernels"/> apply (host memory); other tensors take tensor ops.</summary>
    private static bool IsDense(Tensor t) => HostMemory.IsDenseFloat(t);
}
