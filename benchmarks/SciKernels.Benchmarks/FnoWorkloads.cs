using SciKernels.Autograd;
using SciKernels.NN;
using SciKernels.Operators;
using SciKernels.Optim;
using SciKernels.Spectral;

namespace SciKernels.Benchmarks;

/// <summary>
/// The operator-learning and optimizer workloads of issues 4 and 5, shared by the BenchmarkDotNet
/// classes (<see cref="FnoBenchmarks"/>) and the quick side-by-side runner (<see cref="FnoQuickBench"/>).
/// Shapes match benchmarks/pytorch/fno_bench.py exactly. Each <c>Run</c> is one complete unit of work
/// whose temporaries live in a <see cref="TensorScope"/>.
/// </summary>
public abstract class Workload : IDisposable
{
    /// <summary>One unit of work (forward+backward, training step, epoch…).</summary>
    public abstract void Run();

    /// <inheritdoc/>
    public abstract void Dispose();
}

/// <summary>Forward and backward of one Fourier layer: y = SpectralConv(x), y.Backward(g) (gradients of x and both weights).</summary>
public sealed class SpectralConvWorkload : Workload
{
    private readonly Tensor x, wRe, wIm, g;
    private readonly int dims;

    /// <summary>1-D: batch 20, width 64, s = 1024, 16 modes. 2-D: batch 20, width 32, 64×64, 12×12 modes per corner.</summary>
    /// <param name="dims">1 or 2.</param>
    /// <param name="device">Where the tensors live (default: the CPU).</param>
    public SpectralConvWorkload(int dims, Device? device = null)
    {
        device ??= Device.Cpu;
        this.dims = dims;
        var gen = new Random.Generator(3);
        int c = dims == 1 ? 64 : 32;
        int[] xs = dims == 1 ? new[] { 20, c, 1024 } : new[] { 20, c, 64, 64 };
        int[] ws = dims == 1 ? new[] { c, c, 16 } : new[] { 2, c, c, 12, 12 };
        double scale = 1.0 / (c * c);
        x = Tensor.Randn(xs, gen, device: device).RequiresGrad_();
        wRe = Tensor.Rand(ws, gen, device: device, low: 0, high: scale).RequiresGrad_();
        wIm = Tensor.Rand(ws, gen, device: device, low: 0, high: scale).RequiresGrad_();
        g = Tensor.Randn(xs, gen, device: device);
    }

    /// <inheritdoc/>
    public override void Run()
    {
        using var scope = TensorScope.Begin();
        var y = dims == 1 ? Fourier.SpectralConv1d(x, wRe, wIm) : Fourier.SpectralConv2d(x, wRe, wIm);
        y.Backward(g);
        x.ZeroGrad();
        wRe.ZeroGrad();
        wIm.ZeroGrad();
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        foreach (var t in new[] { x, wRe, wIm, g }) { t.ZeroGrad(); t.Dispose(); }
    }
}

/// <summary>
/// One training step of the paper's FNO (forward, relative-L2 loss, backward, Adam):
/// 1-D batch 20, s = 1024, width 64, 16 modes; 2-D batch 20, 64×64, width 32, 12 modes. 4 Fourier
/// layers, projection 128, grid coordinates appended to the input, no padding.
/// </summary>
public sealed class FnoStepWorkload : Workload
{
    private readonly Fno model;
    private readonly Adam adam;
    private readonly Tensor x, y;

    /// <summary>Builds the model and a random batch.</summary>
    /// <param name="dims">1 or 2.</param>
    /// <param name="device">Where the model and the batch live (default: the CPU).</param>
    public FnoStepWorkload(int dims, Device? device = null)
    {
        device ??= Device.Cpu;
        var gen = new Random.Generator(5);
        int[] shape = dims == 1 ? new[] { 20, 1024, 1 } : new[] { 20, 64, 64, 1 };
        var options = dims == 1 ? new FnoOptions(new[] { 16 }, 64) : new FnoOptions(new[] { 12, 12 }, 32);
        model = new Fno(options, gen, DType.Float32, device);
        adam = new Adam(model.Parameters(), 1e-3);
        x = Tensor.Randn(shape, gen, device: device);
        y = Tensor.Randn(shape, gen, device: device);
    }

    /// <summary>The model (for profiling).</summary>
    public Fno Model => model;

    /// <summary>The input batch (for profiling).</summary>
    public Tensor Input => x;

    /// <inheritdoc/>
    public override void Run()
    {
        using var scope = TensorScope.Begin();
        var loss = Losses.RelativeL2(model.Forward(x), y);
        loss.Backward();
        adam.Step();
        adam.ZeroGrad();
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        adam.Dispose();
        model.Dispose();
        x.Dispose();
        y.Dispose();
    }
}

/// <summary>One Adam step over 1 048 576 parameters (a single [1024, 1024] tensor with a fixed gradient).</summary>
public sealed class AdamStepWorkload : Workload
{
    private readonly Tensor p;
    private readonly Adam adam;

    /// <summary>Creates the parameter, its gradient and the optimizer.</summary>
    /// <param name="device">Where the parameter lives (default: the CPU).</param>
    public AdamStepWorkload(Device? device = null)
    {
        var gen = new Random.Generator(9);
        p = Tensor.Randn(new[] { 1024, 1024 }, gen, device: device ?? Device.Cpu).RequiresGrad_();
        using (var scope = TensorScope.Begin())
            p.Sum().Mul(0.5).Backward(); // grad = 0.5 everywhere, kept across steps
        adam = new Adam(new[] { p }, 1e-3);
    }

    /// <inheritdoc/>
    public override void Run() => adam.Step();

    /// <inheritdoc/>
    public override void Dispose()
    {
        adam.Dispose();
        p.ZeroGrad();
        p.Dispose();
    }
}

/// <summary>
/// One epoch of MLP training: 2→64→64→1 tanh network, 8192 samples, shuffled (a fresh
/// permutation per epoch), batch 128 (64 steps), MSE, Adam 1e-3.
/// </summary>
public sealed class MlpEpochWorkload : Workload
{
    /// <summary>Samples and batch size.</summary>
    public const int Samples = 8192, Batch = 128;

    private readonly NN.Mlp mlp;
    private readonly Adam adam;
    private readonly Tensor x, y;
    private readonly Random.Generator shuffle = new(11);
    private readonly long[] perm = new long[Samples];

    /// <summary>Builds the network and the data (a smooth target).</summary>
    public MlpEpochWorkload()
    {
        var gen = new Random.Generator(10);
        mlp = new NN.Mlp(new[] { 2, 64, 64, 1 }, gen, Activation.Tanh);
        adam = new Adam(mlp.Parameters(), 1e-3);
        x = Tensor.Rand(new[] { Samples, 2 }, gen, low: -1, high: 1);
        using (GradMode.NoGrad())
        using (var s = TensorScope.Begin())
            y = s.Return(x.Select(1, 0).Mul(3).Sin().Mul(x.Select(1, 1).Mul(2).Cos()).Reshape(Samples, 1).Contiguous(forceCopy: true));
    }

    /// <inheritdoc/>
    public override void Run()
    {
        for (int i = 0; i < Samples; i++) perm[i] = i;
        for (int i = Samples - 1; i > 0; i--)
        {
            int j = (int)shuffle.NextInt64(i + 1);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        using var epoch = TensorScope.Begin();
        var index = Tensor.FromArray(perm, Samples);
        for (int start = 0; start < Samples; start += Batch)
        {
            using var step = TensorScope.Begin();
            var idx = index.Narrow(0, start, Batch);
            var loss = Losses.Mse(mlp.Forward(x.IndexSelect(0, idx)), y.IndexSelect(0, idx));
            loss.Backward();
            adam.Step();
            adam.ZeroGrad();
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        adam.Dispose();
        mlp.Dispose();
        x.Dispose();
        y.Dispose();
    }
}

/// <summary>The workloads by quick-bench case name (the names of <see cref="FnoQuickBench.Cases"/> and fno_bench.py).</summary>
public static class FnoWorkloads
{
    /// <summary>Creates the workload behind a quick-bench case name.</summary>
    /// <param name="name">A case name of <see cref="FnoQuickBench.Cases"/>.</param>
    /// <param name="device">Where it runs (default: the CPU; <c>mlp_epoch</c> runs on the CPU only).</param>
    public static Workload Create(string name, Device? device = null) => name switch
    {
        "spectral1d_fb" => new SpectralConvWorkload(1, device),
        "spectral2d_fb" => new SpectralConvWorkload(2, device),
        "fno1d_step" => new FnoStepWorkload(1, device),
        "fno2d_step" => new FnoStepWorkload(2, device),
        "adam_1M" => new AdamStepWorkload(device),
        "mlp_epoch" => new MlpEpochWorkload(),
        _ => throw new ArgumentException($"unknown FNO bench case '{name}'", nameof(name)),
    };
}
