using System.Globalization;
using SciKernels.Autograd;

namespace SciKernels.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba) with bias correction, like <c>torch.optim.Adam</c>: m ← β₁m + (1−β₁)g,
/// v ← β₂v + (1−β₂)g², p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε). Weight decay is an L2 term added
/// to the gradient; use <see cref="AdamW"/> for decoupled decay.
/// </summary>
/// <remarks>On the CPU each parameter is updated in one fused SIMD pass over p, g, m and v.</remarks>
public class Adam : Optimizer
{
    private readonly Tensor[] expAvg;
    private readonly Tensor[] expAvgSq;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="learningRate">Step size.</param>
    /// <param name="beta1">Decay of the first moment.</param>
    /// <param name="beta2">Decay of the second moment.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient.</param>
    public Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : this(parameters, learningRate, beta1, beta2, eps, weightDecay, decoupled: false)
    {
    }

    /// <summary>Shared constructor of Adam and AdamW.</summary>
    private protected Adam(IEnumerable<Tensor> parameters, double learningRate, double beta1, double beta2, double eps, double weightDecay, bool decoupled)
        : base(parameters, learningRate)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, $"{GetType().Name}: beta1 must be in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, $"{GetType().Name}: beta2 must be in [0, 1)");
        if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, $"{GetType().Name}: eps must be non-negative");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"{GetType().Name}: weight decay must be non-negative");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        Decoupled = decoupled;
        expAvg = Parameters.Select(StateLike).ToArray();
        expAvgSq = Parameters.Select(StateLike).ToArray();
    }

    /// <summary>Decay β₁ of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay β₂ of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Denominator offset ε.</summary>
    public double Eps { get; }

    /// <summary>Weight decay (L2 for Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; }

    /// <summary>True for AdamW's decoupled decay p ← p(1 − lr·wd).</summary>
    public bool Decoupled { get; }

    /// <summary>The first-moment estimates m, one per parameter.</summary>
    public IReadOnlyList<Tensor> ExpAvg => expAvg;

    /// <summary>The second-moment estimates v, one per parameter.</summary>
    public IReadOnlyList<Tensor> ExpAvgSq => expAvgSq;

    /// <inheritdoc/>
    public override void Step()
    {
        using var _ = GradMode.NoGrad();
        long t = StepCount + 1;
        double lr = LearningRate;
        double bc1 = 1 - Math.Pow(Beta1, t);
        double bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, t));
        double stepSize = lr / bc1;
        double decoupledFactor = 1 - lr * WeightDecay;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Grad is not { } g) continue;
            FusedPath.CheckGrad(p, g, GetType().Name);
            var m = expAvg[i];
            var v = expAvgSq[i];
            if (UseFusedKernels && FusedPath.Applies(p, g, m, v))
            {
                if (p.DType == DType.Float32)
                    FusedKernels.Adam(p.AsSpan<float>(), g.AsSpan<float>(), m.AsSpan<float>(), v.AsSpan<float>(),
                        (float)Beta1, (float)Beta2, (float)Eps, (float)stepSize, (float)bc2Sqrt, (float)WeightDecay, (float)decoupledFactor, Decoupled);
                else
                    FusedKernels.Adam(p.AsSpan<double>(), g.AsSpan<double>(), m.AsSpan<double>(), v.AsSpan<double>(),
                        Beta1, Beta2, Eps, stepSize, bc2Sqrt, WeightDecay, decoupledFactor, Decoupled);
                p.BumpVersion(); // written through spans: tell saved-tensor checks
            }
            else GenericStep(p, g, m, v, stepSize, bc2Sqrt, decoupledFactor);
        }
        StepCount = t;
    }

    /// <summary>The same update with tensor operations, for devices without host spans.</summary>
    private void GenericStep(Tensor p, Tensor g, Tensor m, Tensor v, double stepSize, double bc2Sqrt, double decoupledFactor)
    {
        using var scope = TensorScope.Begin();
        if (WeightDecay != 0)
        {
            if (Decoupled) p.AffineInPlace(decoupledFactor, 0);
            else g = g.Add(p.Mul(WeightDecay));
        }
        m.AffineInPlace(Beta1, 0).AddInPlace(g, 1 - Beta1);
        v.AffineInPlace(Beta2, 0).AddInPlace(g.Square(), 1 - Beta2);
        var denom = v.Sqrt().Affine(1 / bc2Sqrt, Eps);
        p.AddInPlace(m.Div(denom), -stepSize);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, Tensor Tensor)> StateDict()
    {
        var list = new List<(string, Tensor)> { StepEntry() };
        for (int i = 0; i < expAvg.Length; i++)
        {
            list.Add(($"state.{i}.exp_avg", expAvg[i]));
            list.Add(($"state.{i}.exp_avg_sq", expAvgSq[i]));
        }
        return list;
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> HyperParameters() => new Dictionary<string, string>
    {
        ["optimizer"] = GetType().Name,
        ["lr"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["beta1"] = Beta1.ToString("R", CultureInfo.InvariantCulture),
        ["beta2"] = Beta2.ToString("R", CultureInfo.InvariantCulture),
        ["eps"] = Eps.ToString("R", CultureInfo.InvariantCulture),
        ["weight_decay"] = WeightDecay.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var t in expAvg) t.Dispose();
            foreach (var t in expAvgSq) t.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), like <c>torch.optim.AdamW</c>:
/// p ← p(1 − lr·wd) before the Adam update.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="learningRate">Step size.</param>
    /// <param name="beta1">Decay of the first moment.</param>
    /// <param name="beta2">Decay of the second moment.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weightDecay">Decoupled decay rate (PyTorch's default 0.01).</param>
    public AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
        : base(parameters, learningRate, beta1, beta2, eps, weightDecay, decoupled: true)
    {
    }
}
