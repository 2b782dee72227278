using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using SciKernels.Autograd;
using SciKernels.Optim;
using SciKernels.Pinn;
using NNMlp = SciKernels.NN.Mlp;

namespace SciKernels.Benchmarks;

/// <summary>
/// One Adam step of a Burgers PINN (Raissi et al.): a 9-layer 2→20×8→1 tanh MLP, N_f = 10 000
/// collocation points and 100 initial/boundary points, float32,
/// loss = mean((u_t + u·u_x − ν·u_xx)²) + mean((u_b − g_b)²), forward + backward + Adam.
/// The input derivatives come either from reverse-over-reverse autodiff (<c>Autodiff.Grad</c> with
/// createGraph, as in PyTorch) or from the forward Taylor propagation of <see cref="TaylorMlp"/>.
/// benchmarks/pytorch/pinn_bench.py times the same step in PyTorch.
/// </summary>
[Config(typeof(SharedVmConfig))]
public class PinnBenchmarks
{
    private PinnBurgers problem = null!;

    [GlobalSetup]
    public void Setup() => problem = new PinnBurgers();

    [Benchmark(Baseline = true)]
    public double ReverseOverReverseStep() => problem.Step(taylor: false);

    [Benchmark]
    public double TaylorStep() => problem.Step(taylor: true);

    [GlobalCleanup]
    public void Cleanup() => problem.Dispose();

    /// <summary>
    /// Stopwatch comparison: alternates rounds of the two paths (the VM is shared and noisy), each
    /// round at least <paramref name="inner"/> steps, and prints the median ms/step of each path.
    /// </summary>
    public static int RunQuick(int rounds = 15, int inner = 5)
    {
        using var p = new PinnBurgers();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < 2)
        {
            p.Step(taylor: false);
            p.Step(taylor: true);
        }
        var ms = new Dictionary<bool, List<double>> { [false] = new(), [true] = new() };
        for (int r = 0; r < rounds; r++)
            foreach (var taylor in r % 2 == 0 ? new[] { false, true } : new[] { true, false })
            {
                sw.Restart();
                for (int i = 0; i < inner; i++) p.Step(taylor);
                ms[taylor].Add(sw.Elapsed.TotalMilliseconds / inner);
            }
        double rev = Median(ms[false]), tay = Median(ms[true]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pinn_burgers reverse-over-reverse {rev,8:F2} ms/step (min {ms[false].Min():F2})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pinn_burgers taylor              {tay,8:F2} ms/step (min {ms[true].Min():F2})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pinn_burgers speed-up            {rev / tay,8:F2}x"));
        return 0;
    }

    private static double Median(List<double> v)
    {
        var s = v.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}

/// <summary>The Burgers PINN training problem shared by <see cref="PinnBenchmarks"/>.</summary>
public sealed class PinnBurgers : IDisposable
{
    public const int Collocation = 10_000, Boundary = 100, Width = 20, Hidden = 8;
    public static readonly double Nu = 0.01 / Math.PI;

    private readonly NNMlp net;
    private readonly Adam adam;
    private readonly Tensor xf, xb, ub;

    public PinnBurgers(ulong seed = 42)
    {
        var gen = new Random.Generator(seed);
        var widths = new List<int> { 2 };
        for (int i = 0; i < Hidden; i++) widths.Add(Width);
        widths.Add(1);
        net = new NNMlp(widths, NN.Activation.Tanh, generator: gen, initializer: NNMlp.XavierInit());
        adam = new Adam(net.Parameters(), learningRate: 1e-3);

        // Collocation points (x, t) ∈ [−1, 1] × [0, 1].
        var f = new float[Collocation * 2];
        for (int i = 0; i < Collocation; i++)
        {
            f[2 * i] = (float)(2 * gen.NextDouble() - 1);
            f[2 * i + 1] = (float)gen.NextDouble();
        }
        xf = TensorScope.Keep(Tensor.FromArray(f, Collocation, 2));
        // Half initial points u(x, 0) = −sin(πx), half boundary points u(±1, t) = 0.
        var b = new float[Boundary * 2];
        var g = new float[Boundary];
        for (int i = 0; i < Boundary; i++)
        {
            if (i < Boundary / 2)
            {
                double x = 2 * gen.NextDouble() - 1;
                b[2 * i] = (float)x;
                g[i] = (float)-Math.Sin(Math.PI * x);
            }
            else
            {
                b[2 * i] = i % 2 == 0 ? -1f : 1f;
                b[2 * i + 1] = (float)gen.NextDouble();
            }
        }
        xb = TensorScope.Keep(Tensor.FromArray(b, Boundary, 2));
        ub = TensorScope.Keep(Tensor.FromArray(g, Boundary, 1));
    }

    /// <summary>One Adam step; returns the loss.</summary>
    /// <param name="taylor">Taylor propagation (true) or reverse-over-reverse autodiff (false) for u_x, u_t, u_xx.</param>
    public double Step(bool taylor)
    {
        using var scope = TensorScope.Begin();
        Tensor u, ux, ut, uxx;
        if (taylor)
        {
            var r = TaylorMlp.Forward(net, xf, TaylorRequest.SpaceTime1D);
            (u, ux, ut, uxx) = (r.U, r.Dx[0], r.Dx[1], r.Dxx[0, 0]);
        }
        else
        {
            var x = xf.Detach().RequiresGrad_();
            u = net.Forward(x);
            var ones = Tensor.OnesLike(u);
            var g = Autodiff.Grad(new[] { u }, new[] { x }, new[] { ones }, createGraph: true)[0];
            ux = g.Narrow(1, 0, 1);
            ut = g.Narrow(1, 1, 1);
            uxx = Autodiff.Grad(new[] { ux }, new[] { x }, new[] { ones }, createGraph: true)[0].Narrow(1, 0, 1);
        }
        var residual = ut.Add(u.Mul(ux)).Sub(uxx.Mul(Nu));
        var loss = residual.Square().Mean().Add(net.Forward(xb).Sub(ub).Square().Mean());
        adam.ZeroGrad();
        loss.Backward();
        adam.Step();
        return loss.Item();
    }

    public void Dispose()
    {
        adam.Dispose();
        net.Dispose();
        xf.Dispose();
        xb.Dispose();
        ub.Dispose();
    }
}
