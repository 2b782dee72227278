using SciKernels.Autograd;

namespace SciKernels.Benchmarks;

/// <summary>The benchmark MLP (<see cref="Mlp"/>: 2→64→64→1 tanh, MSE, SGD, batch 4096) with its parameters and data on a device.</summary>
public sealed class DeviceMlp : IDisposable
{
    private readonly Tensor[] p;
    private readonly Tensor x, y;

    /// <summary>Copies the CPU MLP's parameters and data to <paramref name="device"/>.</summary>
    /// <param name="device">Where the step runs.</param>
    public DeviceMlp(Device device)
    {
        using var cpu = new Mlp();
        x = cpu.X.To(device).Contiguous(forceCopy: true);
        y = cpu.Y.To(device).Contiguous(forceCopy: true);
        p = Array.ConvertAll(cpu.Parameters, t => t.Detach().To(device).Contiguous(forceCopy: true).RequiresGrad_());
    }

    /// <summary>One training step (forward, MSE, backward, SGD) inside a tensor scope.</summary>
    public void Step()
    {
        using var scope = TensorScope.Begin();
        var h1 = Tensor.Linear(x, p[0], p[1]).Tanh();
        var h2 = Tensor.Linear(h1, p[2], p[3]).Tanh();
        var loss = Tensor.Linear(h2, p[4], p[5]).Sub(y).Square().Mean();
        loss.Backward();
        using (GradMode.NoGrad())
        {
            foreach (var t in p)
            {
                t.AddInPlace(t.Grad!, -Mlp.LearningRate);
                t.ZeroGrad();
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in p) { t.ZeroGrad(); t.Dispose(); }
        x.Dispose();
        y.Dispose();
    }
}
