using System.Globalization;
using SciKernels.Autograd;

namespace SciKernels.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
/// decay (like <c>torch.optim.SGD</c>): d = g + wd·p; b = μb + (1−τ)d (b = d on the first step);
/// d = d + μb (Nesterov) or b; p ← p − lr·d.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor[]? momentumBuffers;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="learningRate">Step size.</param>
    /// <param name="momentum">Momentum factor μ (0 disables momentum).</param>
    /// <param name="dampening">Dampening τ of the momentum.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs μ &gt; 0 and τ = 0).</param>
    public Sgd(IEnumerable<Tensor> parameters, double learningRate, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, learningRate)
    {
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Sgd: momentum must be non-negative");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Sgd: weight decay must be non-negative");
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Sgd: Nesterov momentum needs momentum > 0 and zero dampening");
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        if (momentum != 0) momentumBuffers = Parameters.Select(StateLike).ToArray();
    }

    /// <summary>Momentum factor μ.</summary>
    public double Momentum { get; }

    /// <summary>Dampening τ.</summary>
    public double Dampening { get; }

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        using var _ = GradMode.NoGrad();
        bool first = StepCount == 0;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Grad is not { } g) continue;
            FusedPath.CheckGrad(p, g, "Sgd");
            var buf = momentumBuffers?[i];
            if (UseFusedKernels && FusedPath.Applies(p, g, buf))
            {
                if (p.DType == DType.Float32)
                    FusedKernels.Sgd(p.AsSpan<float>(), g.AsSpan<float>(), buf is null ? default : buf.AsSpan<float>(), (float)LearningRate, (float)WeightDecay, (float)Momentum, (float)Dampening, Nesterov, first);
                else
                    FusedKernels.Sgd(p.AsSpan<double>(), g.AsSpan<double>(), buf is null ? default : buf.AsSpan<double>(), LearningRate, WeightDecay, Momentum, Dampening, Nesterov, first);
                p.BumpVersion(); // written through spans: tell saved-tensor checks
            }
            else GenericStep(p, g, buf, first);
        }
        StepCount++;
    }

    /// <summary>The same update with tensor operations, for devices without host spans.</summary>
    private void GenericStep(Tensor p, Tensor g, Tensor? buf, bool first)
    {
        using var scope = TensorScope.Begin();
        var d = WeightDecay != 0 ? g.Add(p.Mul(WeightDecay)) : g;
        if (buf is not null)
        {
            if (first) buf.CopyFrom(d);
            else buf.AffineInPlace(Momentum, 0).AddInPlace(d, 1 - Dampening);
            d = Nesterov ? d.Add(buf.Mul(Momentum)) : buf;
        }
        p.AddInPlace(d, -LearningRate);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, Tensor Tensor)> StateDict()
    {
        var list = new List<(string, Tensor)> { StepEntry() };
        if (momentumBuffers is not null)
            for (int i = 0; i < momentumBuffers.Length; i++) list.Add(($"state.{i}.momentum_buffer", momentumBuffers[i]));
        return list;
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> HyperParameters() => new Dictionary<string, string>
    {
        ["optimizer"] = "SGD",
        ["lr"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["momentum"] = Momentum.ToString("R", CultureInfo.InvariantCulture),
        ["dampening"] = Dampening.ToString("R", CultureInfo.InvariantCulture),
        ["weight_decay"] = WeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["nesterov"] = Nesterov ? "true" : "false",
    };

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && momentumBuffers is not null) foreach (var b in momentumBuffers) b.Dispose();
        base.Dispose(disposing);
    }
}
