using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using SciKernels;
using SciKernels.Diagnostics;
using SciKernels.Equivariant;
using SciKernels.Graphs;
using SciKernels.NN;
using SciKernels.Operators;
using Gen = SciKernels.Random.Generator;

// SciKernels.Net8Check props | bits [DIR] | compare DIR_A DIR_B
//   props:   seeded property checks of what the net8.0 build does differently (the fused multiply-adds of the
//            GEMM kernels, the AVX-512 sigmoid's rounding, the neighbour-list compress, the Lock stand-in) and
//            of autodiff; prints one line per check and "N passed, M failed"; exit 1 on any failure.
//   bits:    SHA-256 of seeded results: GEMM, element-wise functions, FNO and EGNN forwards and gradients, a
//            neighbour list; with DIR, also their raw bytes (one file each) for compare.
//   compare: the two targets' files: every result bit-identical, except the element-wise functions that
//            System.Numerics.Tensors computes with different code per target, which may differ by a few ulp.
string mode = args.Length > 0 ? args[0] : "props";
Console.WriteLine($"# {RuntimeInformation.FrameworkDescription}, Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, {Environment.ProcessorCount} threads");
return mode switch
{
    "props" => Props.Run(),
    "bits" => Bits.Run(args.Length > 1 ? args[1] : null),
    "compare" when args.Length == 3 => Bits.Compare(args[1], args[2]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: SciKernels.Net8Check props | bits [DIR] | compare DIR_A DIR_B");
    return 2;
}

/// <summary>Property checks: each draws many random cases from a fixed seed and compares against a plain reference.</summary>
internal static class Props
{
    private static int passed, failed;

    public static int Run()
    {
        Check("gemm float32 vs float64 reference", () => Gemm(DType.Float32, 1e-4));
        Check("gemm float64 vs float64 reference", () => Gemm(DType.Float64, 1e-11));
        Check("bias + silu (fused) vs float64", Silu);
        Check("neighbour list vs brute force", Neighbours);
        Check("lock under contention", LockCount);
        Check("gradcheck tanh(A·B)·exp", GradOfMatMul);
        Console.WriteLine($"net8check: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static void Check(string name, Func<string?> body)
    {
        string? why;
        try { why = body(); }
        catch (Exception e) { why = e.ToString(); }
        if (why is null) { passed++; Console.WriteLine($"ok    {name}"); }
        else { failed++; Console.WriteLine($"FAIL  {name}: {why}"); }
    }

    // Shapes across every micro-kernel's edges (tile remainders, k blocks); error relative to Σ|a||b|.
    private static string? Gemm(DType dtype, double tol)
    {
        var gen = new Gen(21);
        var rng = new System.Random(21);
        for (int trial = 0; trial < 40; trial++)
        {
            int m = rng.Next(1, 120), k = rng.Next(1, 300), n = rng.Next(1, 120);
            using var scope = TensorScope.Begin();
            var a = Tensor.Randn([m, k], gen, dtype);
            var b = Tensor.Randn([k, n], gen, dtype);
            double[] c = a.MatMul(b).To(DType.Float64).ToArray<double>();
            double[] av = a.To(DType.Float64).ToArray<double>(), bv = b.To(DType.Float64).ToArray<double>();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0, mag = 0;
                    for (int p = 0; p < k; p++) { s += av[i * k + p] * bv[p * n + j]; mag += Math.Abs(av[i * k + p] * bv[p * n + j]); }
                    if (Math.Abs(c[i * n + j] - s) > tol * (mag + 1e-30))
                        return $"{m}x{k}·{k}x{n} at ({i},{j}): {c[i * n + j]:R} vs {s:R}";
                }
        }
        return null;
    }

    // SiLU(z + b) through the fused kernel that Egcl's MLPs use (AVX-512 sigmoid, Cephes exp with its rounding
    // step: Vector512.Round on net10, vrndscaleps on net8) against float64; 70 columns: 4 vectors and a scalar tail.
    private static string? Silu()
    {
        var gen = new Gen(3);
        using var scope = TensorScope.Begin();
        var z = Tensor.Randn([257, 70], gen, std: 8);
        var b = Tensor.Randn([70], gen);
        float[] y = BiasSilu.Apply(z, b).ToArray<float>(), zv = z.ToArray<float>(), bv = b.ToArray<float>();
        for (int i = 0; i < y.Length; i++)
        {
            double u = (double)(zv[i] + bv[i % 70]);
            double want = u / (1 + Math.Exp(-u));
            if (Math.Abs(y[i] - want) > 1e-6 * Math.Abs(want) + 1e-37) return $"u = {u:R}: {y[i]:R} vs {want:R}";
        }
        return null;
    }

    // Open boundaries: every pair closer than the cutoff, each once, with its distance (pairs within 1e-9 of
    // the cutoff skipped: rounding may put them on either side).
    private static string? Neighbours()
    {
        var rng = new System.Random(8);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = rng.Next(2, 400);
            double box = rng.NextDouble() * 10 + 1, cutoff = rng.NextDouble() * 2 + 0.3;
            var pos = new double[3 * n];
            for (int i = 0; i < pos.Length; i++) pos[i] = rng.NextDouble() * box;
            var pairs = NeighborList.Search(pos, [], [], cutoff);
            var got = new HashSet<(long, long)>();
            for (int e = 0; e < pairs.Count; e++) got.Add((Math.Min(pairs.First[e], pairs.Second[e]), Math.Max(pairs.First[e], pairs.Second[e])));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                {
                    double dx = pos[3 * j] - pos[3 * i], dy = pos[3 * j + 1] - pos[3 * i + 1], dz = pos[3 * j + 2] - pos[3 * i + 2];
                    double d = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                    if (Math.Abs(d - cutoff) < 1e-9) { got.Remove((i, j)); continue; }
                    if ((d < cutoff) != got.Remove((i, j))) return $"n={n}, cutoff={cutoff:R}: pair ({i},{j}) at {d:R} {(d < cutoff ? "missing" : "listed")}";
                }
            if (got.Count > 0) return $"n={n}: {got.Count} pairs listed beyond the brute-force set";
        }
        return null;
    }

    // System.Threading.Lock on .NET 9+, the Monitor-based stand-in on net8 (SciKernels.Core/Compat/Lock.cs).
    private static string? LockCount()
    {
        var gate = new Lock();
        long count = 0;
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 100_000; i++)
                lock (gate) count++;
        });
        return count == 400_000 ? null : $"{count} increments of 400000";
    }

    private static string? GradOfMatMul()
    {
        var gen = new Gen(4);
        var a = Tensor.Randn([5, 7], gen, DType.Float64);
        var b = Tensor.Randn([7, 3], gen, DType.Float64);
        var r = GradCheck.Check(t => t[0].MatMul(t[1]).Tanh().Mul(t[0].Sum().Exp()), [a, b]);
        return r.Passed ? null : r.ToString();
    }
}

/// <summary>Hashes of seeded forwards and gradients: compared line by line between the two targets.</summary>
internal static class Bits
{
    private static string? dumpDir;

    /// <summary>The element-wise results may differ by this many units in the last place between the targets.</summary>
    private const long MaxUlp = 64; // measured: at most 6 ulp, 31 for float64 softplus (log(1 + exp) compounds both)

    public static int Run(string? dir)
    {
        dumpDir = dir;
        if (dir is not null) Directory.CreateDirectory(dir);
        using var scope = TensorScope.Begin();
        var gen = new Gen(17);

        var a = Tensor.Randn([97, 301], gen);
        var b = Tensor.Randn([301, 83], gen);
        Print("gemm f32 97x301x83", a.MatMul(b));
        var ad = Tensor.Randn([64, 129], gen, DType.Float64);
        Print("gemm f64 64x129x64", ad.MatMul(ad.Transpose(0, 1)));

        // Element-wise functions: several run through System.Numerics.Tensors' TensorPrimitives, whose net8.0 and
        // net10.0 builds are different code (the net10 one calls the BCL's Vector*.Exp/Log/Sin/Cos): one line each.
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var u = Tensor.Randn([4099], gen, dtype, std: 3);
            var positive = u.Abs().Add(1e-3);
            (string Name, Func<Tensor> F)[] fs =
            [
                ("exp", u.Exp), ("log", positive.Log), ("sqrt", positive.Sqrt), ("sin", u.Sin), ("cos", u.Cos), ("tanh", u.Tanh),
                ("sigmoid", u.Sigmoid), ("softplus", u.Softplus), ("erf", u.Erf), ("gelu", u.Gelu), ("pow 2.5", () => positive.Pow(2.5)),
            ];
            foreach (var (name, f) in fs) Print($"{name} {(dtype == DType.Float32 ? "f32" : "f64")}", f(), tolerant: true);
        }

        var fno = new Fno(new FnoOptions([12], 32), gen);
        var x = Tensor.Randn([4, 256, 1], gen);
        var y = Tensor.Randn([4, 256, 1], gen);
        var fnoOut = fno.Forward(x);
        Print("fno1d forward", fnoOut);
        Losses.RelativeL2(fnoOut, y).Backward();
        PrintGrads("fno1d grads", fno);

        var fno2 = new Fno(new FnoOptions([8, 8], 16), gen);
        var x2 = Tensor.Randn([2, 32, 32, 1], gen);
        Print("fno2d forward", fno2.Forward(x2));

        // EGNN on a radius graph: the neighbour list (the AVX-512 compress walk), Linear + SiLU, message passing.
        int n = 300;
        var pos = new double[3 * n];
        for (int i = 0; i < pos.Length; i++) pos[i] = 4 * gen.NextDouble();
        var pairs = NeighborList.Search(pos, [], [], 1.2);
        Print("neighbour pairs", pairs.First, pairs.Second);
        Print("neighbour distances", pairs.Distances);
        var edges = MessagePassing.EdgeIndex.FromPairs(pairs.Second, pairs.First, n);
        var layers = new[] { new Egcl(16, 16, 32, gen), new Egcl(16, 16, 32, gen) };
        var h = Tensor.Randn([n, 16], gen);
        var xs = Tensor.FromArray(pos.Select(p => (float)p).ToArray(), n, 3);
        Tensor hc = h, xc = xs;
        foreach (var layer in layers) (hc, xc) = layer.Forward(hc, xc, edges);
        Print("egnn h", hc);
        Print("egnn x", xc);
        hc.Square().Mean().Add(xc.Square().Mean()).Backward();
        foreach (var (layer, i) in layers.Select((l, i) => (l, i))) PrintGrads($"egnn layer {i} grads", layer);
        return 0;
    }

    private static void Print(string name, Tensor t, bool tolerant = false)
        => Emit(name, Raw(t), (tolerant ? "tol-" : "") + (t.DType == DType.Float64 ? "f64" : "f32"));

    private static byte[] Raw(Tensor t) => t.DType == DType.Float64
        ? MemoryMarshal.AsBytes(t.ToArray<double>().AsSpan()).ToArray()
        : MemoryMarshal.AsBytes(t.ToArray<float>().AsSpan()).ToArray();

    private static void Print(string name, params long[][] parts)
        => Emit(name, parts.SelectMany(p => MemoryMarshal.AsBytes(p.AsSpan()).ToArray()).ToArray(), "raw");

    private static void Print(string name, double[] values) => Emit(name, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), "f64");

    private static void PrintGrads(string name, Module m)
    {
        var all = new List<byte>();
        foreach (var p in m.Parameters()) all.AddRange(Raw(p.Grad!));
        Emit(name, all.ToArray(), "raw");
    }

    private static void Emit(string name, byte[] bytes, string kind)
    {
        Console.WriteLine($"{name,-24} {Hash(bytes)}");
        if (dumpDir is not null) File.WriteAllBytes(Path.Combine(dumpDir, $"{name.Replace(' ', '_')}.{kind}"), bytes);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();

    /// <summary>Compares two <c>bits DIR</c> folders; exit 1 when a result differs beyond what it may.</summary>
    public static int Compare(string a, string b)
    {
        int bad = 0, same = 0, near = 0;
        foreach (var fa in Directory.GetFiles(a).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(fa), fb = Path.Combine(b, name);
            byte[] x = File.ReadAllBytes(fa), y = File.Exists(fb) ? File.ReadAllBytes(fb) : [];
            if (x.AsSpan().SequenceEqual(y)) { same++; continue; }
            bool tolerant = name.Contains(".tol-", StringComparison.Ordinal);
            if (x.Length != y.Length || !tolerant)
            {
                bad++;
                Console.WriteLine($"DIFF  {name}: not bit-identical");
                continue;
            }
            long worst = 0, count = 0;
            if (name.EndsWith("f64", StringComparison.Ordinal))
            {
                ReadOnlySpan<long> u = MemoryMarshal.Cast<byte, long>(x), v = MemoryMarshal.Cast<byte, long>(y);
                for (int i = 0; i < u.Length; i++) if (u[i] != v[i]) { count++; worst = Math.Max(worst, Ulps(u[i], v[i])); }
            }
            else
            {
                ReadOnlySpan<int> u = MemoryMarshal.Cast<byte, int>(x), v = MemoryMarshal.Cast<byte, int>(y);
                for (int i = 0; i < u.Length; i++) if (u[i] != v[i]) { count++; worst = Math.Max(worst, Ulps(u[i], v[i])); }
            }
            int n = x.Length / (name.EndsWith("f64", StringComparison.Ordinal) ? 8 : 4);
            bool ok = worst <= MaxUlp;
            if (ok) near++; else bad++;
            Console.WriteLine($"{(ok ? "ulp " : "DIFF")}  {name}: {count} of {n} values differ, by at most {worst} ulp (allowed {MaxUlp})");
        }
        Console.WriteLine($"{same} results bit-identical, {near} within {MaxUlp} ulp, {bad} beyond");
        return bad == 0 ? 0 : 1;
    }

    // Distance in representable values: the bit patterns mapped to a monotonic integer line (sign-magnitude to
    // two's complement), so adjacent floats are 1 apart and +0 / -0 are 0 apart.
    private static long Ulps(long p, long q) => Math.Abs(Ordered(p) - Ordered(q));

    private static long Ulps(int p, int q) => Math.Abs((long)Ordered(p) - Ordered(q));

    private static long Ordered(long bits) => bits < 0 ? long.MinValue - bits : bits;

    private static int Ordered(int bits) => bits < 0 ? int.MinValue - bits : bits;
}
