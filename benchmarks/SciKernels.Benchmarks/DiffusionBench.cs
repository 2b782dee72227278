using System.Diagnostics;
using System.Text.Json;
using SciKernels.Autograd;
using SciKernels.Generative;
using SciKernels.IO;
using SciKernels.Optim;
using SciKernels.Random;

namespace SciKernels.Benchmarks;

/// <summary>
/// <c>--diffusion [--coords sum|mean] [--samples N] [--export DIR]</c>: the LJ13 diffusion denoiser of issue 13
/// (<see cref="EgnnDenoiser"/>, 3 layers × 64, polynomial_2, T = 500, float32) — an Adam training step on a
/// batch of 32 and ancestral sampling of N structures (all 500 steps, one batch), the cases that
/// benchmarks/pytorch/diffusion_bench.py times in plain PyTorch. <c>--export DIR</c> writes the weights,
/// the schedule, a check input and our output ε̂ (and the loss and gradient norm of a fixed target), so
/// that the PyTorch side first proves it computes the same network.
/// </summary>
internal static class DiffusionBench
{
    private const int Atoms = 13, Batch = 32, Hidden = 64, Layers = 3, Steps = 500;

    public static int Run(string[] args)
    {
        int ci = Array.IndexOf(args, "--coords"), si = Array.IndexOf(args, "--samples"), ei = Array.IndexOf(args, "--export");
        string coords = ci >= 0 && ci + 1 < args.Length ? args[ci + 1] : "sum";
        int samples = si >= 0 && si + 1 < args.Length ? int.Parse(args[si + 1], System.Globalization.CultureInfo.InvariantCulture) : 64;
        string? export = ei >= 0 && ei + 1 < args.Length ? args[ei + 1] : null;
        if (coords is not ("sum" or "mean")) throw new ArgumentException($"--diffusion: --coords must be sum or mean, got {coords}");
        if (samples < 1) throw new ArgumentException($"--diffusion: --samples must be ≥ 1, got {samples}");

        var options = coords == "sum" ? EgnnDenoiser.EdmLayerOptions(Layers) : EgnnDenoiser.DefaultLayerOptions;
        var denoiser = new EgnnDenoiser(1, Hidden, Layers, new Generator(1), layerOptions: options);
        var model = new EquivariantDiffusion(denoiser, NoiseSchedule.Polynomial(Steps));
        var onehot = TensorScope.Keep(model.OneHot(new int[Atoms], Batch));
        if (export is not null) Export(export, model, onehot, coords);

        // Training data: perturbed icosahedra (the network's cost does not depend on the values).
        var gen = new Generator(4);
        var ico = Lj13.Icosahedron(Lj13.OptimalIcosahedronRadius());
        var xv = new double[Batch * Atoms * 3];
        for (int i = 0; i < xv.Length; i++) xv[i] = ico[i % (Atoms * 3)];
        var x = TensorScope.Keep(ZeroCentre.Project(Tensor.FromDoubles(xv, [Batch, Atoms, 3]).Add(Tensor.Randn([Batch, Atoms, 3], gen).Mul(0.05))));
        var adam = new Adam(denoiser.Parameters(), 5e-4);
        void TrainStep()
        {
            using var scope = TensorScope.Begin();
            adam.ZeroGrad();
            var loss = model.Loss(x, onehot, gen);
            loss.Backward();
            GradientClipping.ClipGradNorm(denoiser.Parameters(), 1.0);
            adam.Step();
        }
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        double stepMs = Timing.MedianMs(TrainStep, 20, 15, 3);
        var sw = Stopwatch.StartNew();
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        model.Sample(samples, new int[Atoms], new Generator(3), DiffusionSampler.Ancestral, batchSize: samples);
        double sampleSeconds = sw.Elapsed.TotalSeconds;
        double sampleCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu1).TotalSeconds;
        var result = new
        {
            impl = "scikernels",
            coords,
            parameters = denoiser.ParameterCount,
            train_step_ms = stepMs,
            train_cpu_seconds = (cpu1 - cpu0).TotalSeconds,
            samples,
            sample_seconds = sampleSeconds,
            sample_cpu_seconds = sampleCpu,
            structures_per_second = samples / sampleSeconds,
            load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "",
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Weights (float32, in <see cref="Module.NamedParameters"/> order), ᾱ_t, a check input and our outputs.</summary>
    private static void Export(string dir, EquivariantDiffusion model, Tensor onehot, string coords)
    {
        Directory.CreateDirectory(dir);
        var denoiser = model.Denoiser;
        var weights = new List<float>();
        var names = new List<object>();
        foreach (var (name, p) in denoiser.NamedParameters())
        {
            names.Add(new { name, shape = p.Shape.ToArray(), offset = weights.Count });
            weights.AddRange(p.ToArray<float>());
        }
        File.WriteAllBytes(Path.Combine(dir, "weights.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.ToArray().AsSpan()).ToArray());
        var gen = new Generator(9);
        var z = ZeroCentre.Noise(Batch, Atoms, gen).Mul(1.3);
        var tv = new double[Batch];
        for (int i = 0; i < Batch; i++) tv[i] = (1 + 15 * i) / (double)Steps;
        var time = Tensor.FromDoubles(tv, [Batch]);
        var target = ZeroCentre.Noise(Batch, Atoms, gen);
        float[] eps;
        using (GradMode.NoGrad()) eps = denoiser.Forward(z, onehot, time).ToArray<float>();
        foreach (var p in denoiser.Parameters()) p.Grad = null;
        var loss = denoiser.Forward(z, onehot, time).Sub(target).Square().Mean();
        loss.Backward();
        double gradNorm = GradientClipping.TotalNorm(denoiser.Parameters().Where(p => p.Grad is not null).Select(p => p.Grad!).ToList());  // the last node MLP gets none
        foreach (var p in denoiser.Parameters()) p.Grad = null;
        void Write(string file, float[] values) => File.WriteAllBytes(Path.Combine(dir, file), System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        Write("z.f32", z.ToArray<float>());
        Write("time.f32", time.ToArray<float>());
        Write("target.f32", target.ToArray<float>());
        Write("eps.f32", eps);
        var o = denoiser.LayerOptions;
        var meta = new
        {
            atoms = Atoms, batch = Batch, hidden = Hidden, layers = Layers, species = 1, coords,
            coords_range = o.CoordsRange, coords_weight = o.CoordsWeight, coord_clamp = o.CoordClamp,
            alpha_bar = Enumerable.Range(0, Steps + 1).Select(model.Schedule.AlphaBar).ToArray(),
            parameters = names, loss = loss.Item(), grad_norm = gradNorm,
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "meta.json"), JsonSerializer.Serialize(meta));
    }
}
