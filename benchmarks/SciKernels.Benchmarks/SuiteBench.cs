using System.Diagnostics;
using System.Globalization;
using System.Text;
using SciKernels.Autograd;
using SciKernels.Data;
using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Optim;
using SciKernels.Stencils;

namespace SciKernels.Benchmarks;

/// <summary>
/// Every hot path in one run, on any device: core ops, spectral layers, FNO steps, Adam, 2-D/3-D
/// stencils (forward, forward + backward), the PINN step (Taylor and reverse-over-reverse), the EGNN
/// forward and training step (N-body and radius graph, egnn_bench.py), plus the
/// two machine limits the cases are measured against (GEMM FLOP/s: <c>matmul_2048</c>; copy
/// bandwidth: <c>copy_16M</c>). The protocol is <see cref="Timing.MedianMs"/>'s, the one of
/// benchmarks/pytorch/*.py; names, shapes and work units equal those scripts' (bench.py,
/// fno_bench.py, stencil_bench.py, pinn_bench.py), so <c>compare.sh --suite all</c> puts them side
/// by side and tools/gpu's check runs the same cases on CUDA. Each timed call ends with a device
/// synchronisation. Used by <c>SciKernels.Benchmarks -- --suite[-json] [--device D]</c> and
/// tools/gpu/SciKernels.GpuCheck (which compiles this file in).
/// </summary>
public static class SuiteBench
{
    private const int N16M = 1 << 24;
    private const double F32 = 4;

    /// <summary>
    /// Case table: name, warm-up calls, repeats, inner calls, work per call and its unit (work per
    /// second), and the least floating-point operations and bytes of memory traffic a call needs
    /// (0: not counted) — the roofline bound compare.py turns into a fraction of the machine's limit.
    /// </summary>
    public static readonly (string Name, int Warmup, int Repeats, int Inner, double Work, string Unit, double Flops, double Bytes)[] Cases =
    {
        ("matmul_512", 5, 15, 5, 2.0 * 512 * 512 * 512, "GFLOP/s", 2.0 * 512 * 512 * 512, 0),
        ("matmul_2048", 2, 7, 1, 2.0 * 2048 * 2048 * 2048, "GFLOP/s", 2.0 * 2048 * 2048 * 2048, 0),
        ("copy_16M", 3, 15, 2, 2 * F32 * N16M, "GB/s", 0, 2 * F32 * N16M),
        ("add_16M", 3, 15, 2, 3 * F32 * N16M, "GB/s", 0, 3 * F32 * N16M),
        ("tanh_16M", 3, 15, 2, 2 * F32 * N16M, "GB/s", 0, 2 * F32 * N16M),
        ("exp_16M", 3, 15, 2, 2 * F32 * N16M, "GB/s", 0, 2 * F32 * N16M),
        ("sum_16M", 3, 15, 3, F32 * N16M, "GB/s", 0, F32 * N16M),
        ("mlp_step", 10, 15, 5, Mlp.StepMatMulFlops, "GFLOP/s", Mlp.StepMatMulFlops, 0),
        ("spectral1d_fb", 5, 11, 3, 20.0 * 64 * 1024, "Mpt/s", 0, 0),
        ("spectral2d_fb", 5, 11, 3, 20.0 * 32 * 64 * 64, "Mpt/s", 0, 0),
        ("fno1d_step", 3, 9, 2, 20.0 * 1024, "Mpt/s", 0, 0),
        ("fno2d_step", 3, 9, 2, 20.0 * 64 * 64, "Mpt/s", 0, 0),
        ("adam_1M", 10, 15, 5, 1 << 20, "Mpar/s", 0, 0),
        ("mlp_epoch", 2, 7, 1, MlpEpochWorkload.Samples, "Msmp/s", 0, 0),
        // Stencils: forward reads u and writes Δu; forward + backward also reads g and writes ∂u.
        ("lap2d_f", 3, 11, 3, 8.0 * 1024 * 1024, "Mpt/s", 0, 2 * F32 * 8 * 1024 * 1024),
        ("lap2d_fb", 3, 11, 3, 8.0 * 1024 * 1024, "Mpt/s", 0, 4 * F32 * 8 * 1024 * 1024),
        ("lap3d_f", 3, 11, 3, 2.0 * 128 * 128 * 128, "Mpt/s", 0, 2 * F32 * 2 * 128 * 128 * 128),
        ("lap3d_fb", 3, 11, 3, 2.0 * 128 * 128 * 128, "Mpt/s", 0, 4 * F32 * 2 * 128 * 128 * 128),
        ("pinn_ror_step", 3, 9, 2, 1, "step/s", 0, 0),
        ("pinn_taylor_step", 3, 9, 2, 1, "step/s", 0, 0),
        // Equivariant message passing (issue 11, EgnnWorkload below / egnn_bench.py): calls per second. The
        // small N-body calls warm up for 300 calls: ~140 distinct methods per call must reach tier 1.
        ("egnn_nbody_f", 300, 15, 5, 1, "call/s", 0, 0),
        ("egnn_nbody_step", 300, 15, 5, 1, "step/s", 0, 0),
        ("egnn_radius_f", 10, 9, 2, 1, "call/s", 0, 0),
        ("egnn_radius_step", 10, 9, 2, 1, "step/s", 0, 0),
    };

    /// <summary>Runs the cases on <paramref name="device"/> and prints a table or one JSON object.</summary>
    /// <param name="device">Where to run.</param>
    /// <param name="only">Run only cases whose name contains this (null: all).</param>
    /// <param name="json">Print one JSON object (compare.py and tools/gpu/table.py read it) instead of a table.</param>
    /// <param name="budgetSeconds">Skip the remaining cases once this much time has passed (a GPU lease is short).</param>
    public static int Run(Device device, string? only, bool json, double budgetSeconds = double.PositiveInfinity)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"impl\": \"scikernels\", \"device\": \"{device}\", \"threads\": {Environment.ProcessorCount}, \"cases\": {{");
        bool first = true;
        var clock = Stopwatch.StartNew();
        foreach (var c in Cases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            string entry;
            if (clock.Elapsed.TotalSeconds > budgetSeconds)
            {
                entry = "{\"error\": \"time budget spent\"}";
                if (!json) Console.WriteLine($"{c.Name,-16} skipped: time budget spent");
            }
            else
            {
                try
                {
                    using var w = Create(c.Name, device);
                    double ms = Timing.MedianMs(() => { w.Run(); device.Synchronize(); }, c.Warmup, c.Repeats, c.Inner);
                    double rate = c.Work / (ms * 1e-3) / (c.Unit.StartsWith('G') ? 1e9 : c.Unit.StartsWith('M') ? 1e6 : 1);
                    entry = string.Create(CultureInfo.InvariantCulture,
                        $"{{\"ms\": {ms:R}, \"rate\": {rate:R}, \"unit\": \"{c.Unit}\", \"flops\": {c.Flops:R}, \"bytes\": {c.Bytes:R}}}");
                    if (!json) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Name,-16} {ms,10:F3} ms  {rate,10:F2} {c.Unit}"));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    entry = $"{{\"error\": \"{JsonEscape(e.GetType().Name + ": " + e.Message)}\"}}";
                    if (!json) Console.WriteLine($"{c.Name,-16} error: {e.GetType().Name}: {e.Message}");
                }
            }
            sb.Append(first ? "" : ", ").Append('"').Append(c.Name).Append("\": ").Append(entry);
            first = false;
        }
        sb.Append("}}");
        if (json) Console.WriteLine(sb.ToString());
        return 0;
    }

    private static Workload Create(string name, Device device) => name switch
    {
        "matmul_512" => new Binary(device, new[] { 512, 512 }, (a, b) => a.MatMul(b)),
        "matmul_2048" => new Binary(device, new[] { 2048, 2048 }, (a, b) => a.MatMul(b)),
        "copy_16M" => new Binary(device, new[] { N16M }, (a, _) => a.Clone()),
        "add_16M" => new Binary(device, new[] { N16M }, (a, b) => a.Add(b)),
        "tanh_16M" => new Binary(device, new[] { N16M }, (a, _) => a.Tanh()),
        "exp_16M" => new Binary(device, new[] { N16M }, (a, _) => a.Exp()),
        "sum_16M" => new Binary(device, new[] { N16M }, (a, _) => a.Sum()),
        "mlp_step" => new MlpStep(device),
        "mlp_epoch" when device != Device.Cpu => throw new NotSupportedException("mlp_epoch runs on the CPU only"),
        "lap2d_f" => new Laplacian(device, new[] { 8, 1024, 1024 }, backward: false),
        "lap2d_fb" => new Laplacian(device, new[] { 8, 1024, 1024 }, backward: true),
        "lap3d_f" => new Laplacian(device, new[] { 2, 128, 128, 128 }, backward: false),
        "lap3d_fb" => new Laplacian(device, new[] { 2, 128, 128, 128 }, backward: true),
        "pinn_ror_step" => new Pinn(device, taylor: false),
        "pinn_taylor_step" => new Pinn(device, taylor: true),
        "egnn_nbody_f" or "egnn_nbody_step" or "egnn_radius_f" or "egnn_radius_step" when device != Device.Cpu => throw new NotSupportedException($"{name} runs on the CPU only"),
        "egnn_nbody_f" => new EgnnWorkload(radius: false, step: false),
        "egnn_nbody_step" => new EgnnWorkload(radius: false, step: true),
        "egnn_radius_f" => new EgnnWorkload(radius: true, step: false),
        "egnn_radius_step" => new EgnnWorkload(radius: true, step: true),
        _ => FnoWorkloads.Create(name, device),
    };

    private static string JsonEscape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", " ").Replace("\r", " ");

    /// <summary>One op on two random float32 tensors (inputs in [0, 1)); the result goes back to the pool each call.</summary>
    private sealed class Binary(Device device, int[] shape, Func<Tensor, Tensor, Tensor> op) : Workload
    {
        private readonly Tensor a = Tensor.Rand(shape, new Random.Generator(1), device: device);
        private readonly Tensor b = Tensor.Rand(shape, new Random.Generator(2), device: device);

        public override void Run()
        {
            using var y = op(a, b);
        }

        public override void Dispose()
        {
            a.Dispose();
            b.Dispose();
        }
    }

    private sealed class MlpStep(Device device) : Workload
    {
        private readonly DeviceMlp mlp = new(device);

        public override void Run() => mlp.Step();

        public override void Dispose() => mlp.Dispose();
    }

    /// <summary>Periodic 2nd-order Laplacian, spacing 1/n per axis; forward, or forward + backward with a fixed upstream gradient.</summary>
    private sealed class Laplacian : Workload
    {
        private readonly Tensor u, g;
        private readonly StencilGrid grid;
        private readonly bool backward;

        public Laplacian(Device device, int[] shape, bool backward)
        {
            var gen = new Random.Generator(7);
            u = Tensor.Randn(shape, gen, device: device);
            g = Tensor.Randn(shape, gen, device: device);
            if (backward) u.RequiresGrad_();
            grid = StencilGrid.Periodic(shape.Skip(1).Select(n => 1.0 / n).ToArray());
            this.backward = backward;
        }

        public override void Run()
        {
            using var scope = TensorScope.Begin();
            if (!backward)
            {
                using var _ = GradMode.NoGrad();
                Stencil.Laplacian(u, grid);
                return;
            }
            Stencil.Laplacian(u, grid).Backward(g);
            u.ZeroGrad();
        }

        public override void Dispose()
        {
            u.ZeroGrad();
            u.Dispose();
            g.Dispose();
        }
    }

    private sealed class Pinn(Device device, bool taylor) : Workload
    {
        private readonly PinnBurgers problem = new(42, device);

        public override void Run() => problem.Step(taylor);

        public override void Dispose() => problem.Dispose();
    }
}

// In this file (not its own) because tools/gpu's GpuCheck compiles SuiteBench.cs in.
/// <summary>
/// The EGNN cases of the side-by-side suite (issue 11), the same shapes and protocol as
/// benchmarks/pytorch/egnn_bench.py:
/// <list type="bullet">
/// <item><c>egnn_nbody_f</c> / <c>egnn_nbody_step</c>: <see cref="EgnnVel"/> (4 layers, hidden 64, SiLU,
/// recurrent) on the paper's N-body setup — 100 graphs of 5 fully connected particles (500 nodes,
/// 2000 edges), node feature ‖v‖, edge attributes [q_i q_j, ‖x_i − x_j‖²]; inference forward, and
/// a training step (forward, MSE, backward, Adam).</item>
/// <item><c>egnn_radius_f</c> / <c>egnn_radius_step</c>: 4 <see cref="Egcl"/> layers (hidden 64, SiLU,
/// recurrent) on the radius graph of 2000 quasi-random points in the unit cube whose radius keeps
/// the 32 000 closest pairs (64 000 directed edges, mean degree 32); h₀ random [2000, 64]; loss
/// MSE(x, x*) + MSE(h, h*).</item>
/// </list>
/// Inputs and targets are made once; the timed call is the model only, in a <see cref="TensorScope"/>.
/// </summary>
public sealed class EgnnWorkload : Workload
{
    /// <summary>Hidden width and layer count of both models.</summary>
    public const int Hidden = 64, Layers = 4;

    /// <summary>N-body: systems per batch.</summary>
    public const int Systems = 100;

    /// <summary>Radius graph: points and undirected pairs kept (twice as many directed edges).</summary>
    public const int Points = 2000, Pairs = 32_000;

    private readonly bool radius, step;
    private readonly EgnnVel? vel;
    private readonly Egcl[]? stack;
    private readonly Module[] modules;
    private readonly Adam? adam;
    private readonly MessagePassing.EdgeIndex edges;
    private readonly Tensor h, x, v, targetX, targetH;
    private readonly Tensor? edgeAttr;

    /// <summary>Builds a case on the CPU.</summary>
    /// <param name="radius">The radius-graph Egcl stack (true) or the N-body EgnnVel (false).</param>
    /// <param name="step">A training step (true) or an inference forward (false).</param>
    public EgnnWorkload(bool radius, bool step)
    {
        this.radius = radius;
        this.step = step;
        var gen = new Random.Generator(11);
        using var scope = TensorScope.Begin();
        var opts = EgclOptions.NBody;
        if (!radius)
        {
            int n = Systems * NBodyDataset.Particles;
            var (s, r) = NBodyDataset.FullyConnectedEdges(Systems);
            edges = MessagePassing.EdgeIndex.FromPairs(s, r, n);
            x = TensorScope.Keep(Tensor.Randn([n, 3], gen));
            v = TensorScope.Keep(Tensor.Randn([n, 3], gen));
            var q = new float[n];
            for (int i = 0; i < n; i++) q[i] = gen.NextDouble() < 0.5 ? -1f : 1f;
            var qq = new float[s.Length];
            for (int e = 0; e < s.Length; e++) qq[e] = q[s[e]] * q[r[e]];
            h = TensorScope.Keep(v.Square().Sum(1, keepDim: true).Sqrt());
            var d = MessagePassing.GatherRows(x, edges, EdgeEnd.Receiver).Sub(MessagePassing.GatherRows(x, edges, EdgeEnd.Sender));
            edgeAttr = TensorScope.Keep(Tensor.Concat([Tensor.FromArray(qq, qq.Length, 1), d.Square().Sum(1, keepDim: true)], 1));
            vel = new EgnnVel(1, 2, Hidden, gen, Layers);
            modules = [vel];
            targetX = TensorScope.Keep(Tensor.Randn([n, 3], gen));
            targetH = TensorScope.Keep(Tensor.Zeros([1]));
        }
        else
        {
            var (s, r, pos) = RadiusGraph();
            edges = MessagePassing.EdgeIndex.FromPairs(s, r, Points);
            x = TensorScope.Keep(Tensor.FromArray(pos, Points, 3));
            v = TensorScope.Keep(Tensor.Zeros([1]));
            h = TensorScope.Keep(Tensor.Randn([Points, Hidden], gen));
            stack = new Egcl[Layers];
            for (int i = 0; i < Layers; i++) stack[i] = new Egcl(Hidden, Hidden, Hidden, gen, opts);
            modules = stack;
            targetX = TensorScope.Keep(Tensor.Randn([Points, 3], gen));
            targetH = TensorScope.Keep(Tensor.Randn([Points, Hidden], gen));
        }
        if (step) adam = new Adam(modules.SelectMany(m => m.Parameters()).ToList(), learningRate: 5e-4);
    }

    /// <summary>
    /// Points p_i = frac(0.5 + i·α) of the R3 low-discrepancy sequence (the same float64 values as
    /// egnn_bench.py), and the pairs i ≠ j of the <see cref="Pairs"/> smallest distances (ties by
    /// (i, j)), both directions, sorted by receiver then sender.
    /// </summary>
    public static (long[] Senders, long[] Receivers, float[] Positions) RadiusGraph()
    {
        const double phi = 1.2207440846057596; // the real root of x³ = x + 1
        double[] alpha = [1 / phi, 1 / (phi * phi), 1 / (phi * phi * phi)];
        var p = new double[Points * 3];
        for (int i = 0; i < Points; i++)
            for (int c = 0; c < 3; c++)
            {
                double t = 0.5 + (i + 1) * alpha[c];
                p[3 * i + c] = t - Math.Floor(t);
            }
        var pairs = new List<(double D, int I, int J)>(Points * (Points - 1) / 2);
        for (int i = 0; i < Points; i++)
            for (int j = i + 1; j < Points; j++)
            {
                double dx = p[3 * i] - p[3 * j], dy = p[3 * i + 1] - p[3 * j + 1], dz = p[3 * i + 2] - p[3 * j + 2];
                pairs.Add((dx * dx + dy * dy + dz * dz, i, j));
            }
        pairs.Sort();
        var directed = new List<(int R, int S)>(2 * Pairs);
        foreach (var (_, i, j) in pairs.Take(Pairs))
        {
            directed.Add((i, j));
            directed.Add((j, i));
        }
        directed.Sort();
        return (directed.Select(e => (long)e.S).ToArray(), directed.Select(e => (long)e.R).ToArray(), p.Select(t => (float)t).ToArray());
    }

    /// <summary><c>--egnn-loop CASE SECONDS</c>: calls the case for that long (a profiler's window), then prints its median over 21 calls.</summary>
    public static int Loop(string[] args)
    {
        int at = Array.IndexOf(args, "--egnn-loop");
        string name = args[at + 1];
        double seconds = double.Parse(args[at + 2], System.Globalization.CultureInfo.InvariantCulture);
        using var w = new EgnnWorkload(name.StartsWith("egnn_radius", StringComparison.Ordinal), name.EndsWith("_step", StringComparison.Ordinal));
        long t0 = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(t0).TotalSeconds < seconds / 2) w.Run();
        // Processor time per call (all threads) over the second half: far steadier than wall time on a shared machine.
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long t1 = Stopwatch.GetTimestamp();
        int calls = 0;
        while (Stopwatch.GetElapsedTime(t1).TotalSeconds < seconds / 2 || calls < 5)
        {
            w.Run();
            calls++;
        }
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / calls;
        Console.WriteLine($"{name}: {Timing.MedianMs(w.Run, 5, 21, 1):F3} ms median wall, {cpuMs:F3} ms processor time per call ({calls} calls)");
        return 0;
    }

    /// <inheritdoc/>
    public override void Run()
    {
        using var scope = TensorScope.Begin();
        if (!step)
        {
            using var _ = GradMode.NoGrad();
            Forward();
            return;
        }
        var (hOut, xOut) = Forward();
        var loss = Losses.Mse(xOut, targetX);
        if (radius) loss = loss.Add(Losses.Mse(hOut, targetH));
        adam!.ZeroGrad();
        loss.Backward();
        adam.Step();
    }

    private (Tensor H, Tensor X) Forward()
    {
        if (vel is not null)
        {
            var (hh, xx, _) = vel.ForwardAll(h, x, edges, v, edgeAttr);
            return (hh, xx);
        }
        Tensor hc = h, xc = x;
        foreach (var layer in stack!) (hc, xc) = layer.Forward(hc, xc, edges);
        return (hc, xc);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        adam?.Dispose();
        foreach (var m in modules) m.Dispose();
        edges.Dispose();
        foreach (var t in new[] { h, x, v, targetX, targetH, edgeAttr }) t?.Dispose();
    }
}
