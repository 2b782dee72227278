using System.Globalization;
using System.Text.Json;
using SciKernels.Autograd;
using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.IO;
using SciKernels.Irreps;
using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Benchmarks;

/// <summary>
/// The tensor-product convolution and a full NequIP energy + forces evaluation (issue 12 item 7):
/// Cu FCC supercells (a = 3.61 Å, 0.05 Å random displacements), cutoff 5 Å, 32 channels, l ≤ 2,
/// float32 (<c>--no-model</c>: the convolution only; <c>--model-only</c>: the model only, for its peak memory;
/// <c>--unchunked</c>: the model also without receiver chunks, A/B in one process). <c>--export DIR</c> also
/// writes each case's graph, operands, couplings and output checksum for <c>benchmarks/pytorch/nequip_bench.py</c>,
/// which times the same convolution in plain PyTorch on the same inputs and checks it computes the same
/// numbers, and the whole model (parameters, structure, our float64 energy and forces) for
/// <c>benchmarks/pytorch/nequip_model_bench.py</c>.
/// </summary>
public static class NequipBench
{
    private const double A = 3.61, Cutoff = 5.0;

    /// <summary>Name, repeat n (4 n³ atoms), repeats.</summary>
    public static readonly (string Name, int N, int Repeats)[] Cases = [("cu_864", 6, 7), ("cu_10976", 14, 3)];

    /// <summary>Runs the cases (all, or those whose name contains the <c>--case</c> argument).</summary>
    /// <param name="args">Command-line arguments.</param>
    public static int Run(string[] args)
    {
        int fi = Array.IndexOf(args, "--case"), ei = Array.IndexOf(args, "--export");
        string? only = fi >= 0 && fi + 1 < args.Length ? args[fi + 1] : null;
        string? export = ei >= 0 && ei + 1 < args.Length ? args[ei + 1] : null;
        foreach (var c in Cases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            RunCase(c.Name, c.N, c.Repeats, export, args.Contains("--no-model"), args.Contains("--model-only"), args.Contains("--unchunked"));
        }
        return 0;
    }

    private static void RunCase(string name, int n, int repeats, string? export, bool noModel, bool modelOnly, bool alsoUnchunked)
    {
        var (pos0, _) = NeighborListBench.Argon(n);
        var rng = new System.Random(1);
        var pos = pos0.Select(x => x * A / 5.26 + 0.05 * (2 * rng.NextDouble() - 1)).ToArray();
        int atoms = pos.Length / 3;
        double l = n * A;
        var cell = Tensor.FromDoubles([l, 0, 0, 0, l, 0, 0, 0, l], [3, 3], DType.Float32);
        var positions = TensorScope.Keep(Tensor.FromDoubles(pos, [atoms, 3], DType.Float32));
        using var graph = NeighborList.RadiusGraph(positions, Cutoff, cell);
        var gen = new Generator(2);
        var irreps = IrrepsLayout.Parse("32x0e+32x1o+32x2e");
        var tp = new ChannelwiseTensorProduct(irreps, 2, irreps);
        var vectors = TensorScope.Keep(graph.EdgeVectors());
        var sh = TensorScope.Keep(SphericalHarmonics.Compute(vectors, 2));
        var h = TensorScope.Keep(Tensor.Randn([atoms, irreps.Dim], gen));
        var w = TensorScope.Keep(Tensor.Randn([graph.NumEdges, tp.WeightWidth], gen));
        var g = TensorScope.Keep(Tensor.Randn([atoms, tp.Output.Dim], gen));
        string Line(string what, double ms) => string.Create(CultureInfo.InvariantCulture, $"{name,-9} {what,-28} {ms,10:F2} ms   ({atoms} atoms, {graph.NumEdges} edges, threads {Environment.ProcessorCount})");

        double Time(Action a) => Timing.MedianMs(() =>
        {
            using var scope = TensorScope.Begin();
            a();
        }, 2, repeats, 1);

        var edges = graph.Edges;
        if (modelOnly)
        {
            // the model's memory alone (peak RSS): no convolution operands kept beside it
            w.Dispose();
            g.Dispose();
        }
        else
        {
            TimeConvolution();
            if (noModel)
            {
                if (export is not null) Export(Path.Combine(export, name), tp, graph, sh, h, w);
                return;
            }
        }
        void TimeConvolution()
        {
            using (GradMode.NoGrad())
            {
                Console.WriteLine(Line("tp_conv forward (fused)", Time(() => tp.Convolve(w, sh, h, edges))));
                edges.UseFusedKernels = false;
                Console.WriteLine(Line("tp_conv forward (composite)", Time(() => tp.Convolve(w, sh, h, edges))));
                edges.UseFusedKernels = true;
            }
            void FwdBwd()
            {
                var (wr, yr, hr) = (w.Detach().RequiresGrad_(), sh.Detach().RequiresGrad_(), h.Detach().RequiresGrad_());
                Autodiff.Grad([tp.Convolve(wr, yr, hr, edges).Mul(g).Sum()], [wr, yr, hr]);
            }
            Console.WriteLine(Line("tp_conv fwd+bwd (fused)", Time(FwdBwd)));
            // the composite's backward keeps several [E, 2l + 1, C] tensors per path: at 461 370 edges it
            // ran out of this 23 GB machine's memory (killed), so it is timed on the small case only
            if (graph.NumEdges <= 100_000)
            {
                edges.UseFusedKernels = false;
                Console.WriteLine(Line("tp_conv fwd+bwd (composite)", Time(FwdBwd)));
                edges.UseFusedKernels = true;
            }
        }

        // peak live bytes of the CPU pool (cached free buffers excluded) while the model runs
        var pool = SciKernels.Cpu.CpuBackend.Instance.Pool;
        pool.Trim();
        long peakLive = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakLive = Math.Max(peakLive, pool.LiveBytes);
                await Task.Delay(5).ConfigureAwait(false);
            }
        });
        string Peak() { long p = Interlocked.Exchange(ref peakLive, pool.LiveBytes); return string.Create(CultureInfo.InvariantCulture, $"   peak live {p / 1e9:F2} GB, cached {pool.CachedBytes / 1e9:F2} GB"); }
        var model = new NequipModel([29], new NequipOptions { Cutoff = Cutoff, Channels = 32, LMax = 2, Layers = 3 }, new Generator(3));
        var species = TensorScope.Keep(Tensor.Zeros([atoms], DType.Int64));
        if (modelOnly)
        {
            using var probe = TensorScope.Begin();
            var x = positions.Detach().RequiresGrad_();
            var energy = model.AtomicEnergies(graph.WithGeometry(x, cell), species).Sum();
            Console.WriteLine($"{name,-9} nequip forward, kept for the backward:{Peak()}");
            Autodiff.Grad([energy], [x]);
            Console.WriteLine($"{name,-9} nequip backward (forces):{Peak()}");
        }
        Console.WriteLine(Line("nequip energy+forces (3 layers)", Time(() =>
        {
            var x = positions.Detach().RequiresGrad_();
            var geo = graph.WithGeometry(x, cell);
            Autodiff.Grad([model.AtomicEnergies(geo, species).Sum()], [x]);
        })) + Peak());
        if (alsoUnchunked)
        {
            // A/B in one process: the same evaluation without receiver chunks (needs the memory)
            model.EdgeChunkSize = 0;
            Console.WriteLine(Line("nequip energy+forces unchunked", Time(() =>
            {
                var x = positions.Detach().RequiresGrad_();
                Autodiff.Grad([model.AtomicEnergies(graph.WithGeometry(x, cell), species).Sum()], [x]);
            })) + Peak());
            model.EdgeChunkSize = 65_536;
        }

        sampling.Cancel();
        sampler.Wait();
        if (export is not null)
        {
            if (!w.IsDisposed) Export(Path.Combine(export, name), tp, graph, sh, h, w);
            ExportModel(Path.Combine(export, name), model, positions, cell, graph, species);
        }
    }

    /// <summary>
    /// The whole model for <c>benchmarks/pytorch/nequip_model_bench.py</c>: its layouts and couplings
    /// (model.json), its parameters (params.f64, float64, in the order of model.json), the structure
    /// (positions, cell, integer image shifts, senders, receivers) and our float64 energy and forces.
    /// </summary>
    private static void ExportModel(string dir, NequipModel model32, Tensor positions, Tensor cell, Graph graph, Tensor species)
    {
        Directory.CreateDirectory(dir);
        void Write<T>(string file, T[] values) where T : unmanaged => File.WriteAllBytes(Path.Combine(dir, file), System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        var o = model32.Options;
        // the float64 twin of the benchmarked float32 model (same parameters, widened) gives the reference numbers
        var model = new NequipModel([29], o, new Generator(3), DType.Float64);
        foreach (var ((_, p64), (_, p32)) in model.NamedParameters().Zip(model32.NamedParameters())) p64.CopyFrom(p32.To(DType.Float64));
        var named = model.NamedParameters().ToArray();
        var flat = new List<double>();
        var parameters = named.Select(p =>
        {
            int offset = flat.Count;
            flat.AddRange(p.Parameter.ToArray<double>());
            return new { name = p.Name, shape = p.Parameter.Shape.ToArray(), offset };
        }).ToArray();
        Write("params.f64", flat.ToArray());
        object Paths(ChannelwiseTensorProduct tp) => tp.Paths.Select(p =>
        {
            var inB = tp.Input[p.InputBlock];
            var outB = tp.Output[p.OutputBlock];
            var cg = ClebschGordan.Real(p.ShDegree, inB.L, outB.L);
            var cgFlat = new List<double>();
            foreach (var v in cg) cgFlat.Add(v * Math.Sqrt(2 * outB.L + 1));
            return new { l1 = p.ShDegree, in_offset = tp.Input.Offset(p.InputBlock), l2 = inB.L, out_offset = tp.Output.Offset(p.OutputBlock), l3 = outB.L, mul = inB.Mul, w_offset = p.WeightOffset, cg = cgFlat };
        }).ToArray();
        var blocks = model.Blocks.Select(b => new
        {
            input = b.Input.ToString(), tp_output = b.Tp.Output.ToString(), w_dim = b.Tp.WeightWidth, paths = Paths(b.Tp),
            gate_scalars = b.Gate.Scalars.ToString(), gate_gated = b.Gate.Gated.ToString(), gate_input = b.Gate.Input.ToString(),
            output = b.Output.ToString(), residual = b.Residual,
        }).ToArray();
        var x64 = positions.To(DType.Float64).Detach().RequiresGrad_();
        var cell64 = cell.To(DType.Float64);
        var e = model.AtomicEnergies(graph.WithGeometry(x64, cell64), species).Sum();
        var f = Autodiff.Grad([e], [x64])[0].Neg().ToArray<double>();
        Write("positions.f64", x64.Detach().ToArray<double>());
        Write("cell.f64", cell64.ToArray<double>());
        Write("shifts.i64", graph.Shifts!.ToArray<long>());
        Write("senders.i64", graph.Senders.ToArray<long>());
        Write("receivers.i64", graph.Receivers.ToArray<long>());
        Write("forces.f64", f);
        var meta = new
        {
            nodes = graph.NumNodes, edges = graph.NumEdges, cutoff = o.Cutoff, channels = o.Channels, lmax = o.LMax, num_basis = o.NumBasis,
            polynomial_degree = o.PolynomialDegree, avg_neighbors = o.AverageNeighbors, blocks,
            readout_1 = new { input = model.Readout1.Input.ToString(), output = model.Readout1.Output.ToString() },
            readout_2 = new { input = model.Readout2.Input.ToString(), output = model.Readout2.Output.ToString() },
            parameters, energy = e.Item(),
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "model.json"), JsonSerializer.Serialize(meta));
    }

    private static void Export(string dir, ChannelwiseTensorProduct tp, Graph graph, Tensor sh, Tensor h, Tensor w)
    {
        Directory.CreateDirectory(dir);
        void Write<T>(string file, T[] values) where T : unmanaged => File.WriteAllBytes(Path.Combine(dir, file), System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        Write("senders.i64", graph.Senders.ToArray<long>());
        Write("receivers.i64", graph.Receivers.ToArray<long>());
        Write("sh.f32", sh.ToArray<float>());
        Write("h.f32", h.ToArray<float>());
        Write("w.f32", w.ToArray<float>());
        Tensor outF;
        using (GradMode.NoGrad()) outF = tp.Convolve(w.To(DType.Float64), sh.To(DType.Float64), h.To(DType.Float64), graph.Edges);
        var o = outF.ToArray<double>();
        var paths = tp.Paths.Select(p =>
        {
            var inB = tp.Input[p.InputBlock];
            var outB = tp.Output[p.OutputBlock];
            var cg = ClebschGordan.Real(p.ShDegree, inB.L, outB.L);
            var flat = new List<double>();
            foreach (var v in cg) flat.Add(v * Math.Sqrt(2 * outB.L + 1));
            return new { l1 = p.ShDegree, in_offset = tp.Input.Offset(p.InputBlock), l2 = inB.L, out_offset = tp.Output.Offset(p.OutputBlock), l3 = outB.L, mul = inB.Mul, w_offset = p.WeightOffset, cg = flat };
        }).ToArray();
        var meta = new
        {
            nodes = graph.NumNodes, edges = graph.NumEdges, in_dim = tp.Input.Dim, out_dim = tp.Output.Dim, w_dim = tp.WeightWidth, sh_lmax = tp.ShLmax,
            paths, out_sum = o.Sum(), out_sum_squares = o.Sum(v => v * v),
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "meta.json"), JsonSerializer.Serialize(meta));
    }
}
