using System.Globalization;
using System.Text;
using SciKernels.Autograd;
using SciKernels.Benchmarks;
using SciKernels.Stencils;

namespace SciKernels.GpuCheck;

/// <summary>
/// The device benchmarks: the hot paths of the side-by-side suites (core ops, spectral layers, FNO
/// steps, Adam, stencils, the PINN step) on one device, with the timing protocol of
/// benchmarks/pytorch/*.py (warm-up calls and ≥ 1 s, then repeats × inner calls, median per call),
/// a device synchronisation ending every timed call. Names, shapes and work units equal the
/// PyTorch scripts' (bench.py, fno_bench.py, stencil_bench.py, pinn_bench.py), which take
/// <c>--device cuda</c> for the same cases on the GPU.
/// </summary>
public static class DeviceBench
{
    private const int N16M = 1 << 24;

    /// <summary>Case table: name, warm-up calls, repeats, inner calls, work per call, unit (work per second).</summary>
    public static readonly (string Name, int Warmup, int Repeats, int Inner, double Work, string Unit)[] Cases =
    {
        ("matmul_2048", 2, 7, 1, 2.0 * 2048 * 2048 * 2048, "GFLOP/s"),
        ("add_16M", 3, 15, 2, 3.0 * 4 * N16M, "GB/s"),
        ("tanh_16M", 3, 15, 2, 2.0 * 4 * N16M, "GB/s"),
        ("sum_16M", 3, 15, 3, 4.0 * N16M, "GB/s"),
        ("mlp_step", 10, 15, 5, Mlp.StepMatMulFlops, "GFLOP/s"),
        ("spectral1d_fb", 5, 11, 3, 20.0 * 64 * 1024, "Mpt/s"),
        ("spectral2d_fb", 5, 11, 3, 20.0 * 32 * 64 * 64, "Mpt/s"),
        ("fno1d_step", 3, 9, 2, 20.0 * 1024, "Mpt/s"),
        ("fno2d_step", 3, 9, 2, 20.0 * 64 * 64, "Mpt/s"),
        ("adam_1M", 10, 15, 5, 1 << 20, "Mpar/s"),
        ("lap2d_f", 3, 11, 3, 8.0 * 1024 * 1024, "Mpt/s"),
        ("lap2d_fb", 3, 11, 3, 8.0 * 1024 * 1024, "Mpt/s"),
        ("lap3d_f", 3, 11, 3, 2.0 * 128 * 128 * 128, "Mpt/s"),
        ("lap3d_fb", 3, 11, 3, 2.0 * 128 * 128 * 128, "Mpt/s"),
        ("pinn_ror_step", 3, 9, 2, 1, "step/s"),
        ("pinn_taylor_step", 3, 9, 2, 1, "step/s"),
    };

    /// <summary>Runs the cases on <paramref name="device"/> and prints a table or one JSON object.</summary>
    /// <param name="device">Where to run.</param>
    /// <param name="only">Run only cases whose name contains this (null: all).</param>
    /// <param name="json">Print one JSON object (tools/gpu/table.py reads it) instead of a table.</param>
    /// <param name="budgetSeconds">Skip the remaining cases once this much time has passed (a lease is short).</param>
    public static int Run(Device device, string? only, bool json, double budgetSeconds)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"impl\": \"scikernels\", \"device\": \"{device}\", \"threads\": {Environment.ProcessorCount}, \"cases\": {{");
        bool first = true;
        var clock = System.Diagnostics.Stopwatch.StartNew();
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
                    entry = string.Create(CultureInfo.InvariantCulture, $"{{\"ms\": {ms:R}, \"rate\": {rate:R}, \"unit\": \"{c.Unit}\"}}");
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
        "matmul_2048" => new Binary(device, new[] { 2048, 2048 }, (a, b) => a.MatMul(b)),
        "add_16M" => new Binary(device, new[] { N16M }, (a, b) => a.Add(b)),
        "tanh_16M" => new Binary(device, new[] { N16M }, (a, _) => a.Tanh()),
        "sum_16M" => new Binary(device, new[] { N16M }, (a, _) => a.Sum()),
        "mlp_step" => new MlpStep(device),
        "lap2d_f" => new Laplacian(device, new[] { 8, 1024, 1024 }, backward: false),
        "lap2d_fb" => new Laplacian(device, new[] { 8, 1024, 1024 }, backward: true),
        "lap3d_f" => new Laplacian(device, new[] { 2, 128, 128, 128 }, backward: false),
        "lap3d_fb" => new Laplacian(device, new[] { 2, 128, 128, 128 }, backward: true),
        "pinn_ror_step" => new Pinn(device, taylor: false),
        "pinn_taylor_step" => new Pinn(device, taylor: true),
        _ => FnoWorkloads.Create(name, device),
    };

    private static string JsonEscape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", " ").Replace("\r", " ");

    /// <summary>One op on two random float32 tensors; the result goes back to the pool each call.</summary>
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
