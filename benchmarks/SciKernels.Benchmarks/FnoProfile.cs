using System.Diagnostics;
using System.Globalization;
using SciKernels.Autograd;
using SciKernels.NN;
using SciKernels.Spectral;

namespace SciKernels.Benchmarks;

/// <summary>
/// Where the FNO1d training step's time goes (<c>-- --fno-profile</c>). Part 1 times the real step's
/// phases (forward, backward, Adam). Part 2 times each building block of one forward pass with the
/// step's shapes, forward + backward (gradients of its inputs and weights), in isolation; the sum over
/// the blocks (×4 for the Fourier layers) against part 1 shows the graph/dispatch overhead.
/// </summary>
public static class FnoProfile
{
    private const int B = 20, P = 128;

    /// <summary>Prints the profile (<c>--dims 2</c>: the FNO2d step).</summary>
    public static int Run(string[] args)
    {
        int di = Array.IndexOf(args, "--dims");
        int dims = di >= 0 && di + 1 < args.Length ? int.Parse(args[di + 1], CultureInfo.InvariantCulture) : 1;
        int S = dims == 1 ? 1024 : 64 * 64, W = dims == 1 ? 64 : 32, M = dims == 1 ? 16 : 12;
        int[] spatial = dims == 1 ? new[] { 1024 } : new[] { 64, 64 };
        int modeCount = dims == 1 ? M : 2 * M * M;
        using var step = new FnoStepWorkload(dims);
        long w0 = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(w0).TotalSeconds < 2) step.Run();
        const int n = 15;
        var fwd = new double[n];
        var bwd = new double[n];
        var opt = new double[n];
        var tot = new double[n];
        var adam = new Optim.Adam(step.Model.Parameters(), 1e-3);
        var y = Tensor.Randn(new[] { B }.Concat(spatial).Append(1).ToArray(), new Random.Generator(1));
        for (int i = 0; i < n; i++)
        {
            long t0 = Stopwatch.GetTimestamp(), t1, t2, t3;
            using (var scope = TensorScope.Begin())
            {
                var loss = Losses.RelativeL2(step.Model.Forward(step.Input), y);
                t1 = Stopwatch.GetTimestamp();
                loss.Backward();
                t2 = Stopwatch.GetTimestamp();
                adam.Step();
                adam.ZeroGrad();
                t3 = Stopwatch.GetTimestamp();
            }
            fwd[i] = Ms(t0, t1); bwd[i] = Ms(t1, t2); opt[i] = Ms(t2, t3); tot[i] = Ms(t0, Stopwatch.GetTimestamp());
        }
        Console.WriteLine($"FNO{dims}d step: batch {B}, {string.Join("×", spatial)}, width {W}, modes {M} ({Environment.ProcessorCount} threads; medians, ms)");
        Console.WriteLine("Part 1: phases of the real step");
        Line("forward + loss", Median(fwd));
        Line("backward", Median(bwd));
        Line("Adam + zero grad", Median(opt));
        Line("total (incl. scope end)", Median(tot));

        Console.WriteLine("Part 2: blocks, forward + backward each, in isolation");
        var g = new Random.Generator(2);
        Tensor R(params int[] shape) => Tensor.Randn(shape, g).RequiresGrad_();
        var xin = Tensor.Randn(new[] { B, S, 1 + dims }, g);
        var liftW = R(W, 1 + dims); var liftB = R(W);
        var v = R(new[] { B, W }.Concat(spatial).ToArray());
        var vFlat = R(B, W, S);
        var wRe = dims == 1 ? R(W, W, M) : R(2, W, W, M, M);
        var wIm = dims == 1 ? R(W, W, M) : R(2, W, W, M, M);
        var mixRe = R(modeCount, W, W); var mixIm = R(modeCount, W, W);
        var pw = R(W, W); var pb = R(W);
        var hLast = R(B, S, W);
        var p1W = R(P, W); var p1B = R(P); var p2W = R(1, P); var p2B = R(1);
        var modes = R(B * W, M, 2);
        var spec = R(2, modeCount, B, W);
        var rows = new List<(string Name, int Times, double Ms)>();
        void T(string name, int times, Func<Tensor> f)
        {
            double ms = Timing.MedianMs(() =>
            {
                using var sc = TensorScope.Begin();
                f().Sum().Backward();
            }, 5, 9, 3);
            rows.Add((name, times, ms));
        }
        T($"lift Linear({1 + dims}→{W}) + permute/contiguous", 1, () => Tensor.Linear(xin, liftW, liftB).Permute(0, 2, 1).Contiguous());
        T($"SpectralConv{dims}d (whole layer)", 4, () => dims == 1 ? Fourier.SpectralConv1d(v, wRe, wIm) : Fourier.SpectralConv2d(v, wRe, wIm));
        if (dims == 1)
        {
            T($"  truncated DFT GEMM [{B * W},{S}]·[{S},{2 * M}]", 4, () => vFlat.Reshape(B * W, S).MatMul(DftMatricesProbe.Forward(S, M)));
            T($"  inverse DFT GEMM [{B * W},{2 * M}]·[{2 * M},{S}]", 4, () => modes.Reshape(B * W, 2 * M).MatMul(DftMatricesProbe.Inverse(S, M)));
        }
        T($"  mode mixing: 4 batched [{modeCount}]({B}×{W}·{W}×{W})", 4, () =>
        {
            var re = spec.Select(0, 0); var im = spec.Select(0, 1);
            return Tensor.BatchedMatMul(re, mixRe).Sub(Tensor.BatchedMatMul(im, mixIm)).Add(Tensor.BatchedMatMul(re, mixIm).Add(Tensor.BatchedMatMul(im, mixRe)));
        });
        T("pointwise conv W·v + b", 4, () => pw.MatMul(vFlat).Add(pb.Reshape(1, -1, 1)));
        T("add K v + W v", 4, () => vFlat.Add(vFlat));
        T($"GELU [{B},{W},{S}]", 4, () => vFlat.Gelu());
        T($"projection Linear({W}→128)·GELU·Linear(128→1)", 1, () => Tensor.Linear(Tensor.Linear(hLast, p1W, p1B).Gelu(), p2W, p2B));
        var h1 = R(B, S, P);
        T($"  Linear({W}→128) on [{B},{S},{W}]", 1, () => Tensor.Linear(hLast, p1W, p1B));
        T($"  GELU [{B},{S},128]", 1, () => h1.Gelu());
        T("  Linear(128→1)", 1, () => Tensor.Linear(h1, p2W, p2B));
        double sum = 0;
        foreach (var r in rows)
        {
            bool sub = r.Name.StartsWith(' ');
            if (!sub) sum += r.Ms * r.Times;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Name,-50} {r.Ms,8:F3} ×{r.Times} = {r.Ms * r.Times,8:F3}"));
        }
        Line("sum of blocks (top level)", sum);
        Line("step − blocks − Adam (graph, loss, copies)", Median(tot) - sum - Median(opt));
        adam.Dispose();
        return 0;
    }

    private static void Line(string name, double ms) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-50} {ms,8:F3}"));

    private static double Ms(long a, long b) => (b - a) * 1e3 / Stopwatch.Frequency;

    private static double Median(double[] v)
    {
        var s = (double[])v.Clone();
        Array.Sort(s);
        return s[s.Length / 2];
    }

    /// <summary>The cached real DFT matrices the Fourier layer uses (internal to the core; visible to this assembly).</summary>
    private static class DftMatricesProbe
    {
        public static Tensor Forward(int n, int m) => DftMatrices.RealForward(n, m, interleaved: false, DType.Float32, Device.Cpu);

        public static Tensor Inverse(int n, int m) => DftMatrices.RealInverse(n, m, interleaved: false, DType.Float32, Device.Cpu);
    }
}
