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
