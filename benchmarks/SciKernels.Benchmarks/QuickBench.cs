using System.Diagnostics;
using System.Globalization;
using System.Text;
using SciKernels.Autograd;

namespace SciKernels.Benchmarks;

/// <summary>
/// Stopwatch timing with exactly the protocol of benchmarks/pytorch/bench.py, so compare.sh can
/// run both back-to-back: per case, at least <c>warmup</c> untimed calls and 1 s of warm-up, then <c>repeats</c> samples of
/// <c>inner</c> calls each; the figure is the median per-call time. BenchmarkDotNet remains the
/// authoritative detailed run.
/// </summary>
public static class QuickBench
{
    /// <summary>Case table shared (by value) with bench.py: name, warm-up, repeats, inner calls, work, unit.</summary>
    public static readonly (string Name, int Warmup, int Repeats, int Inner, double Work, string Unit)[] Cases =
    {
        ("matmul_512", 5, 15, 5, 2.0 * 512 * 512 * 512, "GFLOP/s"),
        ("matmul_2048", 2, 7, 1, 2.0 * 2048 * 2048 * 2048, "GFLOP/s"),
        ("add_16M", 3, 15, 2, 3.0 * 4 * (1 << 24), "GB/s"),
        ("tanh_16M", 3, 15, 2, 2.0 * 4 * (1 << 24), "GB/s"),
        ("exp_16M", 3, 15, 2, 2.0 * 4 * (1 << 24), "GB/s"),
        ("sum_16M", 3, 15, 3, 4.0 * (1 << 24), "GB/s"),
        ("mlp_step", 10, 15, 5, Mlp.StepMatMulFlops, "GFLOP/s"),
    };

    /// <summary>Minimum warm-up time per case (bench.py uses the same).</summary>
    public const double WarmupSeconds = Timing.WarmupSeconds;

    public static int Run(string[] args)
    {
        bool json = args.Contains("--quick-json");
        string? only = null;
        int fi = Array.IndexOf(args, "--case");
        if (fi >= 0 && fi + 1 < args.Length) only = args[fi + 1];
        var results = new List<(string Name, double Ms, double Rate, string Unit)>();
        foreach (var c in Cases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            double ms = Measure(c.Name, c.Warmup, c.Repeats, c.Inner);
            double rate = c.Work / (ms * 1e-3) / 1e9;
            results.Add((c.Name, ms, rate, c.Unit));
            if (!json) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Name,-12} {ms,10:F3} ms  {rate,8:F1} {c.Unit}"));
        }
        if (json)
        {
            var sb = new StringBuilder();
            sb.Append("{\"impl\": \"scikernels\", \"threads\": ").Append(Environment.ProcessorCount).Append(", \"cases\": {");
            for (int i = 0; i < results.Count; i++)
            {
                var r = results[i];
                if (i > 0) sb.Append(", ");
                sb.Append(CultureInfo.InvariantCulture, $"\"{r.Name}\": {{\"ms\": {r.Ms:R}, \"rate\": {r.Rate:R}, \"unit\": \"{r.Unit}\"}}");
            }
            sb.Append("}}");
            Console.WriteLine(sb.ToString());
        }
        return 0;
    }

    private static double Measure(string name, int warmup, int repeats, int inner)
    {
        var g = new Random.Generator(7);
        Tensor? a = null, b = null;
        Mlp? mlp = null;
        Action call;
        switch (name)
        {
            case "matmul_512":
            case "matmul_2048":
            {
                int n = name == "matmul_512" ? 512 : 2048;
                a = Tensor.Randn(new[] { n, n }, g);
                b = Tensor.Randn(new[] { n, n }, g);
                call = () => a.MatMul(b).Dispose();
                break;
            }
            case "add_16M":
                a = Tensor.Rand(new[] { 1 << 24 }, g, low: -3, high: 3);
                b = Tensor.Rand(new[] { 1 << 24 }, g, low: -3, high: 3);
                call = () => a.Add(b).Dispose();
                break;
            case "tanh_16M":
                a = Tensor.Rand(new[] { 1 << 24 }, g, low: -3, high: 3);
                call = () => a.Tanh().Dispose();
                break;
            case "exp_16M":
                a = Tensor.Rand(new[] { 1 << 24 }, g, low: -3, high: 3);
                call = () => a.Exp().Dispose();
                break;
            case "sum_16M":
                a = Tensor.Rand(new[] { 1 << 24 }, g);
                call = () => a.Sum().Dispose();
                break;
            case "mlp_step":
                mlp = new Mlp();
                call = mlp.Step;
                break;
            default: throw new ArgumentException(name);
        }
        try
        {
            return Timing.MedianMs(call, warmup, repeats, inner);
        }
        finally
        {
            a?.Dispose();
            b?.Dispose();
            mlp?.Dispose();
        }
    }

    // ------------------------------------------------------------------ MLP step breakdown

    /// <summary>
    /// Where the MLP step's time goes. Part 1 times the real step's phases (forward with recording,
    /// Backward, optimizer, scope end). Part 2 re-runs each kernel the step executes, with the same
    /// shapes and view layouts, in isolation under NoGrad; the gap between the sums and part 1 is
    /// graph/allocation/dispatch overhead.
    /// </summary>
    public static int MlpBreakdown()
    {
        const int warm = 20, steps = 41;
        using var mlp = new Mlp();
        var ph = new double[4][];
        for (int i = 0; i < 4; i++) ph[i] = new double[steps];
        var total = new double[steps];
        long w0 = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(w0).TotalSeconds < 2 * WarmupSeconds) mlp.Step();
        for (int s = -warm; s < steps; s++)
        {
            long t0 = Stopwatch.GetTimestamp();
            long t1, t2, t3;
            using (var scope = TensorScope.Begin())
            {
                var loss = mlp.Forward(mlp.X).Sub(mlp.Y).Square().Mean();
                t1 = Stopwatch.GetTimestamp();
                loss.Backward();
                t2 = Stopwatch.GetTimestamp();
                using (GradMode.NoGrad())
                    foreach (var p in mlp.Parameters) { p.AddInPlace(p.Grad!, -Mlp.LearningRate); p.ZeroGrad(); }
                t3 = Stopwatch.GetTimestamp();
            }
            long t4 = Stopwatch.GetTimestamp();
            if (s < 0) continue;
            ph[0][s] = Us(t0, t1); ph[1][s] = Us(t1, t2); ph[2][s] = Us(t2, t3); ph[3][s] = Us(t3, t4); total[s] = Us(t0, t4);
        }
        Console.WriteLine($"MLP step 2-64-64-1, batch {Mlp.Batch}, tanh, MSE, SGD  ({Environment.ProcessorCount} threads; medians over {steps} steps, µs)");
        Console.WriteLine("Part 1: phases of the real step");
        string[] names = { "forward + loss (recording graph)", "loss.Backward()", "SGD update + ZeroGrad", "TensorScope end (dispose)" };
        for (int i = 0; i < 4; i++) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {names[i],-40} {Median(ph[i]),9:F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"total step",-40} {Median(total),9:F1}"));

        Console.WriteLine("Part 2: the step's kernels timed in isolation (NoGrad, same shapes/layouts)");
        var rows = new List<(string Group, string Name, double Us)>();
        using (GradMode.NoGrad())
        using (var keep = TensorScope.Begin())
        {
            // Activations of one forward pass.
            var x3 = mlp.X.Reshape(1, Mlp.Batch, Mlp.In);
            Tensor WT(Tensor w) => w.T.Reshape(1, w.Size(1), w.Size(0));
            Tensor Mm(Tensor a3, Tensor b3) => Tensor.BatchedMatMul(a3, b3);
            var z1 = Mm(x3, WT(mlp.W1)).Reshape(Mlp.Batch, Mlp.Hidden);
            var p1 = z1.Add(mlp.B1); var h1 = p1.Tanh();
            var z2 = Mm(h1.Reshape(1, Mlp.Batch, Mlp.Hidden), WT(mlp.W2)).Reshape(Mlp.Batch, Mlp.Hidden);
            var p2 = z2.Add(mlp.B2); var h2 = p2.Tanh();
            var z3 = Mm(h2.Reshape(1, Mlp.Batch, Mlp.Hidden), WT(mlp.W3)).Reshape(Mlp.Batch, Mlp.Out);
            var o = z3.Add(mlp.B3);
            var d = o.Sub(mlp.Y);
            var g3 = Tensor.Rand(new[] { 1, Mlp.Batch, Mlp.Out }, new Random.Generator(9));
            var g2 = Tensor.Rand(new[] { 1, Mlp.Batch, Mlp.Hidden }, new Random.Generator(10));
            var gh = g2.Reshape(Mlp.Batch, Mlp.Hidden);
            var h13 = h1.Reshape(1, Mlp.Batch, Mlp.Hidden);
            var h23 = h2.Reshape(1, Mlp.Batch, Mlp.Hidden);

            void T(string group, string nm, Func<Tensor?> f)
            {
                double ms = Timing.MedianMs(() => { using var sc = TensorScope.Begin(); f(); }, 20, 15, 20);
                rows.Add((group, nm, ms * 1000));
            }
            T("fwd matmul", "x[4096,2]·W1ᵀ", () => Mm(x3, WT(mlp.W1)));
            T("fwd matmul", "h1[4096,64]·W2ᵀ", () => Mm(h13, WT(mlp.W2)));
            T("fwd matmul", "h2[4096,64]·W3ᵀ", () => Mm(h23, WT(mlp.W3)));
            T("fwd bias add", "[4096,64]+[64] ×2", () => { z1.Add(mlp.B1); return z2.Add(mlp.B2); });
            T("fwd bias add", "[4096,1]+[1]", () => z3.Add(mlp.B3));
            T("fwd tanh", "tanh [4096,64] ×2", () => { p1.Tanh(); return p2.Tanh(); });
            T("loss", "sub, square, sum, div", () => o.Sub(mlp.Y).Square().Sum().Div(Mlp.Batch));
            T("loss bwd", "expand, mul, mul(2), affine", () => g3.Reshape(Mlp.Batch, 1).Mul(d).Mul(2.0));
            T("bwd matmul", "dW3ᵀ = h2ᵀ[64,4096]·g[4096,1]", () => Mm(h23.Transpose(1, 2), g3));
            T("bwd matmul", "dH2 = g[4096,1]·W3", () => Mm(g3, WT(mlp.W3).Transpose(1, 2)));
            T("bwd matmul", "dW2ᵀ = h1ᵀ[64,4096]·g[4096,64]", () => Mm(h13.Transpose(1, 2), g2));
            T("bwd matmul", "dH1 = g[4096,64]·W2", () => Mm(g2, WT(mlp.W2).Transpose(1, 2)));
            T("bwd matmul", "dW1ᵀ = xᵀ[2,4096]·g[4096,64]", () => Mm(x3.Transpose(1, 2), g2));
            // The backward rule's one pass r = g·tanh′ (from the Tanh definition), as the engine runs it.
            Tensor TanhBackward(Tensor p, Tensor h)
            {
                var r = Tensor.Empty(h.Shape, h.DType);
                Cpu.CpuBackend.Instance.UnaryBackward(Backends.UnaryOp.Tanh, p, h, gh, r);
                return r;
            }
            T("bwd tanh grad", "g·(1-y²) [4096,64] ×2", () => { TanhBackward(p2, h2); return TanhBackward(p1, h1); });
            T("bwd bias sum", "sum_0 [4096,64] ×2", () => { g2.Reshape(Mlp.Batch, Mlp.Hidden).Sum(new[] { 0 }, keepDim: true); return g2.Reshape(Mlp.Batch, Mlp.Hidden).Sum(new[] { 0 }, keepDim: true); });
            T("bwd bias sum", "sum_0 [4096,1]", () => g3.Reshape(Mlp.Batch, 1).Sum(new[] { 0 }, keepDim: true));
            // The engine's dW arrives as a transposed view of the [in, out] product; AccumulateGrad copies it.
            var dwt = mlp.Parameters.Select(p => p.Rank == 2 ? Tensor.Zeros(new[] { p.Size(1), p.Size(0) }).T : Tensor.Zeros(p.Shape)).ToArray();
            T("grad accumulate", "6 leaf copies (transposed dW)", () =>
            {
                foreach (var t in dwt) t.Contiguous(forceCopy: true);
                return null;
            });
            T("optimizer", "6× AddInPlace(grad, -lr)", () =>
            {
                foreach (var p in mlp.Parameters) p.AddInPlace(p, -0.0);
                return null;
            });
        }
        double sum = 0;
        foreach (var grp in rows.GroupBy(r => r.Group))
        {
            double gs = grp.Sum(r => r.Us);
            sum += gs;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {grp.Key,-16} {gs,9:F1}"));
            foreach (var r in grp) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      {r.Name,-34} {r.Us,9:F1}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"sum of kernels",-16} {sum,9:F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"overhead (step - kernels)",-16} {Median(total) - sum,9:F1}"));
        return 0;
    }

    private static double Us(long a, long b) => (b - a) * 1e6 / Stopwatch.Frequency;

    private static double Median(double[] v)
    {
        var s = (double[])v.Clone();
        Array.Sort(s);
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
