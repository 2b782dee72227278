using SciKernels.Autograd;

namespace SciKernels.Benchmarks;

/// <summary>
/// The 2→64→64→1 tanh MLP of the benchmark, written with public Tensor ops, trained with MSE loss
/// and plain SGD. Parameters and data live outside any scope; each step's temporaries live in a
/// <see cref="TensorScope"/> so their buffers go back to the pool.
/// </summary>
public sealed class Mlp : IDisposable
{
    public const int Batch = 4096, In = 2, Hidden = 64, Out = 1;
    public const double LearningRate = 1e-3;

    /// <summary>A step's matmul flops: forward 2·B·(2·64 + 64·64 + 64·1); backward computes dX and dW: ×3 in total.</summary>
    public const double StepMatMulFlops = 3 * 2.0 * Batch * (In * Hidden + Hidden * Hidden + Hidden * Out);

    public readonly Tensor W1, B1, W2, B2, W3, B3, X, Y;
    public Tensor[] Parameters => new[] { W1, B1, W2, B2, W3, B3 };

    public Mlp(ulong seed = 42)
    {
        var g = new Random.Generator(seed);
        // PyTorch's nn.Linear init: U(-1/√in, 1/√in) for weights and biases.
        static Tensor U(int[] shape, int fanIn, Random.Generator g)
            => Tensor.Rand(shape, g, low: -1 / Math.Sqrt(fanIn), high: 1 / Math.Sqrt(fanIn)).RequiresGrad_();
        W1 = U(new[] { Hidden, In }, In, g); B1 = U(new[] { Hidden }, In, g);
        W2 = U(new[] { Hidden, Hidden }, Hidden, g); B2 = U(new[] { Hidden }, Hidden, g);
        W3 = U(new[] { Out, Hidden }, Hidden, g); B3 = U(new[] { Out }, Hidden, g);
        X = Tensor.Rand(new[] { Batch, In }, g, low: -1, high: 1);
        // Target: a smooth function of the inputs.
        using (GradMode.NoGrad())
        using (var s = TensorScope.Begin())
            Y = s.Return(X.Select(1, 0).Mul(3).Sin().Mul(X.Select(1, 1).Mul(2).Cos()).Reshape(Batch, 1).Contiguous(forceCopy: true));
    }

    public Tensor Forward(Tensor x)
    {
        var h1 = Tensor.Linear(x, W1, B1).Tanh();
        var h2 = Tensor.Linear(h1, W2, B2).Tanh();
        return Tensor.Linear(h2, W3, B3);
    }

    /// <summary>One full training step: forward, MSE loss, backward, SGD update. Returns nothing so no sync is forced.</summary>
    public void Step()
    {
        using var scope = TensorScope.Begin();
        var loss = Forward(X).Sub(Y).Square().Mean();
        loss.Backward();
        using (GradMode.NoGrad())
        {
            foreach (var p in Parameters)
            {
                p.AddInPlace(p.Grad!, -LearningRate);
                p.ZeroGrad();
            }
        }
    }

    /// <summary>Loss of the current parameters (for sanity checks).</summary>
    public double Loss()
    {
        using var _ = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        return Forward(X).Sub(Y).Square().Mean().Item();
    }

    public void Dispose()
    {
        foreach (var t in new[] { W1, B1, W2, B2, W3, B3, X, Y }) { t.ZeroGrad(); t.Dispose(); }
    }
}
