using SciKernels.Autograd;
using SciKernels.Backends;
using SciKernels.Cpu;
using SciKernels.Diagnostics;
using SciKernels.Tests.Support;
using Xunit;

namespace SciKernels.Tests.Devices;

/// <summary>
/// The device test cases: each op's forward result on the device equals the CPU backend's (the
/// specification) on seeded random small shapes in float32 and float64, with broadcast and strided
/// operands; gradient checks of composites run entirely on the device; device errors.
/// One small concrete class per backend runs them (see DeviceFixtures.cs).
/// </summary>
public abstract class DeviceTests(DeviceFixture fixture)
{
    protected Device Dev => fixture.Get();

    public static TheoryData<UnaryOp, DType> UnaryCases()
    {
        var d = new TheoryData<UnaryOp, DType>();
        foreach (var op in Enum.GetValues<UnaryOp>())
            foreach (var t in new[] { DType.Float32, DType.Float64 })
                d.Add(op, t);
        return d;
    }

    /// <summary>The op codes of the registered element-wise functions (see <see cref="Functions.UnaryFunctions"/>).</summary>
    public static TheoryData<UnaryOp, DType> FunctionCases()
    {
        var d = new TheoryData<UnaryOp, DType>();
        foreach (var f in Functions.UnaryFunctions.All)
            foreach (var t in new[] { DType.Float32, DType.Float64 })
                d.Add(Core.UnaryFunctionTests.Op(f), t);
        return d;
    }

    public static TheoryData<BinaryOp, DType> BinaryCases()
    {
        var d = new TheoryData<BinaryOp, DType>();
        foreach (var op in Enum.GetValues<BinaryOp>())
            foreach (var t in new[] { DType.Float32, DType.Float64 })
                d.Add(op, t);
        return d;
    }

    public static TheoryData<DType> Dtypes => new() { DType.Float32, DType.Float64 };

    // ------------------------------------------------------------------ helpers

    private static Tensor Rand(int[] shape, DType dtype, ulong seed, double low = -2, double high = 2)
        => Tensor.Rand(shape, new Random.Generator(seed), dtype, Device.Cpu, low, high);

    private static int[] RandomShape(int seed, int rank)
    {
        var r = new System.Random(seed);
        var s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = r.Next(1, 5);
        return s;
    }

    /// <summary>NaN, infinities and the sign of zero exactly, other values within tolerance (see <see cref="SpecialValues.AssertMatch"/>).</summary>
    private static void AssertClose(Tensor expected, Tensor actual, DType dtype, string what, double scale = 1, bool exact = false)
        => SpecialValues.AssertMatch(expected, actual, dtype, what + " (cpu vs device)", scale, exact);

    /// <summary>Input values inside the domain of <paramref name="op"/>, and its alpha/beta.</summary>
    private static (double Low, double High, double Alpha, double Beta) Domain(UnaryOp op) => op switch
    {
        UnaryOp.Log or UnaryOp.Sqrt => (0.1, 3, 0, 0),
        UnaryOp.PowScalar => (0.1, 3, 2.5, 0),
        UnaryOp.Reciprocal => (0.5, 3, 0, 0),
        UnaryOp.Clamp => (-2, 2, -0.5, 0.7),
        UnaryOp.Affine => (-2, 2, 1.5, -0.25),
        _ => (-3, 3, 0, 0),
    };

    // ------------------------------------------------------------------ element-wise

    [SkippableTheory]
    [MemberData(nameof(UnaryCases))]
    public void Unary_MatchesCpu(UnaryOp op, DType dtype)
    {
        var dev = Dev;
        var (lo, hi, alpha, beta) = Domain(op);
        using var scope = TensorScope.Begin();
        var x = Rand(RandomShape((int)op, 2), dtype, 11 + (ulong)op, lo, hi);
        var yc = Tensor.Empty(x.Shape, dtype);
        CpuBackend.Instance.Unary(op, x, yc, alpha, beta);
        var xd = x.To(dev);
        var yd = Tensor.Empty(x.Shape, dtype, dev);
        dev.Backend.Unary(op, xd, yd, alpha, beta);
        AssertClose(yc, yd, dtype, $"{op} {dtype.Name()}");
    }

    /// <summary>The one-pass backward g·F′(x) of every registered function, on random values in its domain and on the special values.</summary>
    [SkippableTheory]
    [MemberData(nameof(FunctionCases))]
    public void UnaryBackward_MatchesCpu(UnaryOp op, DType dtype)
    {
        var dev = Dev;
        var (lo, hi, _, _) = Domain(op);
        using var scope = TensorScope.Begin();
        var g = Rand(new[] { 67 }, dtype, 700 + (ulong)op);
        foreach (var (what, x) in new[] { ("random", Rand(new[] { 67 }, dtype, 500 + (ulong)op, lo, hi)), ("specials", SpecialValues.Mixed(new[] { 67 }, dtype, 600 + (ulong)op)) })
        {
            var yc = Tensor.Empty(x.Shape, dtype);
            CpuBackend.Instance.Unary(op, x, yc, 0, 0);
            var rc = Tensor.Empty(x.Shape, dtype);
            CpuBackend.Instance.UnaryBackward(op, x, yc, g, rc);
            var xd = x.To(dev);
            var yd = Tensor.Empty(x.Shape, dtype, dev);
            dev.Backend.Unary(op, xd, yd, 0, 0);
            var rd = Tensor.Empty(x.Shape, dtype, dev);
            dev.Backend.UnaryBackward(op, xd, yd, g.To(dev), rd);
            AssertClose(rc, rd, dtype, $"{op}′ {dtype.Name()} on {what}");
        }
    }

    /// <summary>
    /// Second and third derivatives by repeated backward: fused passes of the scalar forms on the CPU,
    /// the composite of the tensor forms on the device — the same values.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Dtypes))]
    public void HigherOrderDerivatives_MatchCpu(DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Rand(new[] { 37 }, dtype, 41, -2.5, 2.5);
        foreach (var (name, f) in new (string, Func<Tensor, Tensor>)[] { ("tanh", t => t.Tanh()), ("sigmoid", t => t.Sigmoid()), ("gelu", t => t.Gelu()), ("sin", t => t.Sin()) })
        {
            Tensor[] Derivatives(Tensor at)
            {
                var xr = at.Detach().RequiresGrad_();
                var d1 = Autodiff.Grad(f(xr).Sum(), xr, createGraph: true);
                var d2 = Autodiff.Grad(d1.Sum(), xr, createGraph: true);
                var d3 = Autodiff.Grad(d2.Mul(d1).Sum(), xr);
                return new[] { d1, d2, d3 };
            }
            var cpu = Derivatives(x);
            var device = Derivatives(x.To(dev));
            for (int k = 0; k < cpu.Length; k++) AssertClose(cpu[k], device[k].To(Device.Cpu), dtype, $"{name} derivative {k + 1} {dtype.Name()}", scale: 8);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Dtypes))]
    public void Unary_StridedInput_MatchesCpu(DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Rand(new[] { 3, 4, 5 }, dtype, 5);
        var xt = x.Permute(2, 0, 1).Narrow(0, 1, 3); // non-contiguous, offset view
        var xd = x.To(dev).Permute(2, 0, 1).Narrow(0, 1, 3);
        foreach (var op in new[] { UnaryOp.Tanh, UnaryOp.PowScalar })
        {
            var yc = Tensor.Empty(xt.Shape, dtype);
            CpuBackend.Instance.Unary(op, xt, yc, 3, 0); // integer exponent of negative bases
            var yd = Tensor.Empty(xt.Shape, dtype, dev);
            dev.Backend.Unary(op, xd, yd, 3, 0);
            AssertClose(yc, yd, dtype, $"strided {op}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_Broadcast_MatchesCpu(BinaryOp op, DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var shape = RandomShape(100 + (int)op, 3);
        var outShape = new[] { shape[0], shape[1] + 1, shape[2] };
        bool positive = op == BinaryOp.Pow;
        var a = Rand(new[] { shape[0], 1, shape[2] }, dtype, 21 + (ulong)op, positive ? 0.2 : -2, 2);
        var b = Rand(new[] { outShape[1], outShape[2] }, dtype, 41 + (ulong)op);
        if (op is BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Le or BinaryOp.Ge)
            b = a.Expand(shape[0], outShape[1], shape[2]).Select(0, 0).Contiguous(); // equal elements exist
        var yc = Tensor.Empty(outShape, dtype);
        CpuBackend.Instance.Binary(op, a.Expand(outShape), b.Expand(outShape), yc);
        var yd = Tensor.Empty(outShape, dtype, dev);
        dev.Backend.Binary(op, a.To(dev).Expand(outShape), b.To(dev).Expand(outShape), yd);
        AssertClose(yc, yd, dtype, $"{op} {dtype.Name()}");
        // Dense path.
        var bc = b.Expand(outShape).Contiguous();
        var ac = a.Expand(outShape).Contiguous();
        CpuBackend.Instance.Binary(op, ac, bc, yc);
        dev.Backend.Binary(op, ac.To(dev), bc.To(dev), yd);
        AssertClose(yc, yd, dtype, $"dense {op} {dtype.Name()}");
    }

    // ------------------------------------------------------------------ NaN, ±inf, ±0, denormals

    [SkippableTheory]
    [MemberData(nameof(UnaryCases))]
    public void Unary_SpecialValues_MatchCpu(UnaryOp op, DType dtype)
    {
        var dev = Dev;
        var (_, _, alpha, beta) = Domain(op);
        using var scope = TensorScope.Begin();
        // 67 elements: a SIMD body and a scalar tail on the CPU, specials in both.
        var x = SpecialValues.Mixed(new[] { 67 }, dtype, 300 + (ulong)op);
        var yc = Tensor.Empty(x.Shape, dtype);
        CpuBackend.Instance.Unary(op, x, yc, alpha, beta);
        var yd = Tensor.Empty(x.Shape, dtype, dev);
        dev.Backend.Unary(op, x.To(dev), yd, alpha, beta);
        AssertClose(yc, yd, dtype, $"{op} {dtype.Name()} on specials", exact: SpecialValues.IsExact(op));
    }

    [SkippableTheory]
    [MemberData(nameof(Dtypes))]
    public void PowScalar_IntegerExponent_SpecialValues_MatchCpu(DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = SpecialValues.Mixed(new[] { 40 }, dtype, 17);
        foreach (double p in new[] { 3.0, -1.0, 0.0, 2.0 })
        {
            var yc = Tensor.Empty(x.Shape, dtype);
            CpuBackend.Instance.Unary(UnaryOp.PowScalar, x, yc, p, 0);
            var yd = Tensor.Empty(x.Shape, dtype, dev);
            dev.Backend.Unary(UnaryOp.PowScalar, x.To(dev), yd, p, 0);
            AssertClose(yc, yd, dtype, $"x^{p} on specials");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_SpecialValues_MatchCpu(BinaryOp op, DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        // Every pair of special values (and random values after them), then a broadcast scalar operand.
        var sp = SpecialValues.Of(dtype);
        int n = sp.Length * sp.Length + 13;
        var av = SpecialValues.Mixed(new[] { n }, dtype, 400 + (ulong)op).ToArray<double>();
        var bv = SpecialValues.Mixed(new[] { n }, dtype, 500 + (ulong)op).ToArray<double>();
        for (int i = 0; i < sp.Length * sp.Length; i++)
        {
            av[i] = sp[i / sp.Length];
            bv[i] = sp[i % sp.Length];
        }
        var a = Tensor.FromDoubles(av, new[] { n }, dtype);
        var b = Tensor.FromDoubles(bv, new[] { n }, dtype);
        var yc = Tensor.Empty(new[] { n }, dtype);
        CpuBackend.Instance.Binary(op, a, b, yc);
        var yd = Tensor.Empty(new[] { n }, dtype, dev);
        dev.Backend.Binary(op, a.To(dev), b.To(dev), yd);
        bool exact = SpecialValues.IsExact(op);
        AssertClose(yc, yd, dtype, $"{op} {dtype.Name()} on special pairs", exact: exact);
        foreach (double s in new[] { double.NaN, -0.0, double.NegativeInfinity })
        {
            var bs = Tensor.FromDoubles(new[] { s }, new[] { 1 }, dtype).Expand(n);
            CpuBackend.Instance.Binary(op, a, bs, yc);
            dev.Backend.Binary(op, a.To(dev), bs.To(dev).Expand(n), yd);
            AssertClose(yc, yd, dtype, $"{op} {dtype.Name()} against broadcast {s}", exact: exact);
        }
    }

    [SkippableTheory]
    [InlineData(ReduceOp.Sum, DType.Float32)]
    [InlineData(ReduceOp.Sum, DType.Float64)]
    [InlineData(ReduceOp.Max, DType.Float32)]
    [InlineData(ReduceOp.Max, DType.Float64)]
    [InlineData(ReduceOp.Min, DType.Float32)]
    [InlineData(ReduceOp.Min, DType.Float64)]
    public void Reduce_SpecialValues_MatchCpu(ReduceOp op, DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        // Specials every third element; a NaN or an infinity in most reduced rows, none in a few.
        foreach (var (outer, n, inner) in new[] { (1, 37, 1), (3, 5, 4), (2, 70, 1), (1, 6, 3), (5, 2, 1), (1, 1, 7) })
        {
            var x = SpecialValues.Mixed(new[] { outer, n, inner }, dtype, (ulong)(outer * 100 + n + inner));
            var yc = Tensor.Empty(new[] { outer, inner }, dtype);
            CpuBackend.Instance.Reduce(op, x, outer, n, inner, yc);
            var yd = Tensor.Empty(new[] { outer, inner }, dtype, dev);
            dev.Backend.Reduce(op, x.To(dev), outer, n, inner, yd);
            AssertClose(yc, yd, dtype, $"{op} over [{outer}, {n}, {inner}] with specials", scale: 4, exact: op != ReduceOp.Sum);
        }
        // Signed zeros only: the sum is +0 on every backend, max +0, min -0.
        var z = Tensor.FromDoubles(new[] { -0.0, -0.0, -0.0, -0.0, 0.0, -0.0 }, new[] { 3, 2 }, dtype);
        foreach (var (o, len, inn) in new[] { (1, 6, 1), (1, 3, 2), (3, 2, 1) })
        {
            var yc = Tensor.Empty(new[] { o, inn }, dtype);
            CpuBackend.Instance.Reduce(op, z, o, len, inn, yc);
            var yd = Tensor.Empty(new[] { o, inn }, dtype, dev);
            dev.Backend.Reduce(op, z.To(dev), o, len, inn, yd);
            AssertClose(yc, yd, dtype, $"{op} of signed zeros over [{o}, {len}, {inn}]", exact: true);
        }
    }

    public static TheoryData<string, DType> GradientCases()
    {
        var d = new TheoryData<string, DType>();
        foreach (var f in new[] { "relu", "maximum", "minimum", "clamp", "abs", "tanh", "sigmoid", "gelu", "max", "mean", "sqrt", "log" })
            foreach (var t in new[] { DType.Float32, DType.Float64 })
                d.Add(f, t);
        return d;
    }

    private static Tensor GradientCase(string f, Tensor x, Tensor other) => f switch
    {
        "relu" => x.Relu(),
        "maximum" => x.Maximum(other).Add(other.Maximum(x)),
        "minimum" => x.Minimum(other).Add(other.Minimum(x)),
        "clamp" => x.Clamp(-0.5, 0.7),
        "abs" => x.Abs(),
        "tanh" => x.Tanh(),
        "sigmoid" => x.Sigmoid(),
        "gelu" => x.Gelu(),
        "max" => x.Max(1),
        "mean" => x.Mean(0),
        "sqrt" => x.Sqrt(),
        "log" => x.Log(),
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    [SkippableTheory]
    [MemberData(nameof(GradientCases))]
    public void Gradients_AtSpecialValues_MatchCpu(string f, DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = SpecialValues.Mixed(new[] { 6, 7 }, dtype, 700 + (ulong)f.Length);
        var other = SpecialValues.Mixed(new[] { 6, 7 }, dtype, 801); // other specials at other places
        var xc = x.Detach().RequiresGrad_();
        var gc = Autodiff.Grad(GradientCase(f, xc, other).Sum(), xc);
        var xd = x.To(dev).RequiresGrad_();
        var gd = Autodiff.Grad(GradientCase(f, xd, other.To(dev)).Sum(), xd);
        AssertClose(gc, gd, dtype, $"d/dx sum({f}(x)) with specials", scale: 4);
    }

    [SkippableTheory]
    [MemberData(nameof(PyTorchSpecialCases.Cases), MemberType = typeof(PyTorchSpecialCases))]
    public void PyTorchSpecialCase(string name, DType dtype) => PyTorchSpecialCases.Check(name, dtype, Dev);

    // ------------------------------------------------------------------ where, copy, fill

    [SkippableTheory]
    [MemberData(nameof(Dtypes))]
    public void Where_Broadcast_MatchesCpu(DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var c = Rand(new[] { 3, 1 }, dtype, 1).Gt(Tensor.Scalar(0, dtype));
        var a = Rand(new[] { 3, 4 }, dtype, 2);
        var b = Rand(new[] { 4 }, dtype, 3);
        AssertClose(Tensor.Where(c, a, b), Tensor.Where(c.To(dev), a.To(dev), b.To(dev)), dtype, "Where");
        var full = Rand(new[] { 3, 4 }, dtype, 4).Gt(Tensor.Scalar(0, dtype));
        AssertClose(Tensor.Where(full, a, a.Neg()), Tensor.Where(full.To(dev), a.To(dev), a.To(dev).Neg()), dtype, "dense Where");
    }

    [SkippableTheory]
    [MemberData(nameof(Dtypes))]
    public void Copy_Fill_StridedAndIntegers(DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Rand(new[] { 4, 3, 2 }, dtype, 8);
        // Strided source into a strided destination slice.
        var zc = Tensor.Zeros(new[] { 5, 4, 3 }, dtype);
        var zd = Tensor.Zeros(new[] { 5, 4, 3 }, dtype, dev);
        CpuBackend.Instance.Copy(x.Permute(1, 0, 2), zc.Narrow(0, 1, 3).Narrow(1, 0, 4).Narrow(2, 1, 2));
        dev.Backend.Copy(x.To(dev).Permute(1, 0, 2), zd.Narrow(0, 1, 3).Narrow(1, 0, 4).Narrow(2, 1, 2));
        AssertClose(zc, zd, dtype, "strided copy");
        AssertClose(Tensor.Full(new[] { 3, 3 }, -1.25, dtype), Tensor.Full(new[] { 3, 3 }, -1.25, dtype, dev), dtype, "fill");
        var longs = Tensor.FromArray(new long[] { 5, -3, 1L << 40, 7, 0, 2 }, 2, 3);
        Assert.Equal(longs.Transpose(0, 1).Contiguous().ToArray<long>(), longs.To(dev).Transpose(0, 1).Contiguous().ToArray<long>());
        Assert.Equal(new long[] { 9, 9 }, Tensor.Full(new[] { 2 }, 9, DType.Int64, dev).ToArray<long>());
    }

    // ------------------------------------------------------------------ reductions, matmul

    [SkippableTheory]
    [InlineData(ReduceOp.Sum, DType.Float32)]
    [InlineData(ReduceOp.Sum, DType.Float64)]
    [InlineData(ReduceOp.Max, DType.Float32)]
    [InlineData(ReduceOp.Min, DType.Float64)]
    public void Reduce_MatchesCpu(ReduceOp op, DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        foreach (var (outer, n, inner) in new[] { (1, 37, 1), (3, 5, 4), (2, 70, 1), (1, 6, 3), (2, 0, 3) })
        {
            var x = Rand(new[] { outer, n, inner }, dtype, (ulong)(outer * 100 + n + inner));
            var yc = Tensor.Empty(new[] { outer, inner }, dtype);
            CpuBackend.Instance.Reduce(op, x, outer, n, inner, yc);
            var yd = Tensor.Empty(new[] { outer, inner }, dtype, dev);
            dev.Backend.Reduce(op, x.To(dev), outer, n, inner, yd);
            AssertClose(yc, yd, dtype, $"{op} over [{outer}, {n}, {inner}]", scale: 4);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Dtypes))]
    public void MatMul_BatchedStrided_MatchesCpu(DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        // a: transposed view [B, M, K]; b: shared over the batch (batch stride 0) [B, K, N].
        var a = Rand(new[] { 3, 7, 5 }, dtype, 31).Transpose(1, 2);           // [3, 5, 7]
        var b = Rand(new[] { 7, 6 }, dtype, 32).Unsqueeze(0).Expand(3, 7, 6);  // batch stride 0
        var ad = a.Contiguous().To(dev).Reshape(3, 5, 7);
        var adT = Rand(new[] { 3, 7, 5 }, dtype, 31).To(dev).Transpose(1, 2);
        var bd = Rand(new[] { 7, 6 }, dtype, 32).To(dev).Unsqueeze(0).Expand(3, 7, 6);
        foreach (bool accumulate in new[] { false, true })
        {
            var cc = Tensor.Full(new[] { 3, 5, 6 }, 0.5, dtype);
            var cd = Tensor.Full(new[] { 3, 5, 6 }, 0.5, dtype, dev);
            CpuBackend.Instance.MatMul(a, b, cc, accumulate);
            dev.Backend.MatMul(adT, bd, cd, accumulate);
            AssertClose(cc, cd, dtype, $"strided matmul (accumulate={accumulate})", scale: 10);
        }
        AssertClose(a.MatMul(b), ad.MatMul(bd), dtype, "Tensor.MatMul", scale: 10);
    }

    // ------------------------------------------------------------------ indexing

    [SkippableTheory]
    [MemberData(nameof(Dtypes))]
    public void Indexing_MatchesCpu(DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Rand(new[] { 4, 3, 2 }, dtype, 51);
        var idx = Tensor.FromArray(new long[] { 3, 0, 3, 1, 2 }, 5);
        AssertClose(x.IndexSelect(1, Tensor.FromArray(new long[] { 2, 0, 2 }, 3)), x.To(dev).IndexSelect(1, Tensor.FromArray(new long[] { 2, 0, 2 }, 3).To(dev)), dtype, "IndexSelect");
        var src = Rand(new[] { 5, 3, 2 }, dtype, 52);
        AssertClose(x.IndexAdd(0, idx, src), x.To(dev).IndexAdd(0, idx.To(dev), src.To(dev)), dtype, "IndexAdd");
        // Gather/ScatterAdd with an index smaller than the input outside the gathered dimension.
        var gi = Tensor.FromArray(new long[] { 1, 0, 2, 2, 1, 0, 0, 2 }, 2, 2, 2);
        AssertClose(x.Gather(1, gi), x.To(dev).Gather(1, gi.To(dev)), dtype, "Gather");
        var ssrc = Rand(new[] { 2, 2, 2 }, dtype, 53);
        AssertClose(x.ScatterAdd(1, gi, ssrc), x.To(dev).ScatterAdd(1, gi.To(dev), ssrc.To(dev)), dtype, "ScatterAdd");
        var ids = Tensor.FromArray(new long[] { 0, 0, 2, 2 }, 4);
        AssertClose(x.SegmentSum(ids, 4), x.To(dev).SegmentSum(ids.To(dev), 4), dtype, "SegmentSum");
    }

    // ------------------------------------------------------------------ autodiff on the device

    [SkippableFact]
    public void GradCheck_MlpLayerWithTanh()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Rand(new[] { 3, 2 }, DType.Float64, 61).To(dev);
        var w = Rand(new[] { 4, 2 }, DType.Float64, 62).To(dev);
        var b = Rand(new[] { 4 }, DType.Float64, 63).To(dev);
        GradCheck.Check(t => Tensor.Linear(t[0], t[1], t[2]).Tanh(), new[] { x, w, b }).ThrowIfFailed();
    }

    [SkippableFact]
    public void GradCheck_LossWithReductions()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var p = Rand(new[] { 3, 4 }, DType.Float64, 71).To(dev);
        var t = Rand(new[] { 3, 4 }, DType.Float64, 72).To(dev);
        GradCheck.Check(v => v[0].Sub(v[1]).Square().Mean().Add(v[0].Sigmoid().Sum(1).Max()), new[] { p, t }).ThrowIfFailed();
    }

    [SkippableFact]
    public void GradCheck_MessagePassing()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        // Edges (src -> dst) sorted by destination; messages x[src] * w, summed per node.
        var srcIdx = Tensor.FromArray(new long[] { 1, 2, 0, 2, 1 }, 5).To(dev);
        var dstIdx = Tensor.FromArray(new long[] { 0, 0, 1, 2, 2 }, 5).To(dev);
        var x = Rand(new[] { 3, 2 }, DType.Float64, 81).To(dev);
        var w = Rand(new[] { 5, 1 }, DType.Float64, 82).To(dev);
        GradCheck.Check(v =>
        {
            var msg = v[0].IndexSelect(0, srcIdx).Mul(v[1]);
            var agg = msg.SegmentSum(dstIdx, 3);
            return Tensor.ZerosLike(v[0]).IndexAdd(0, dstIdx, msg).Add(agg).Softplus();
        }, new[] { x, w }).ThrowIfFailed();
    }

    [SkippableFact]
    public void GradCheck_SecondOrder_TanhLayer()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Rand(new[] { 2, 2 }, DType.Float64, 91).To(dev);
        var w = Rand(new[] { 3, 2 }, DType.Float64, 92).To(dev);
        GradCheck.CheckSecondOrder(t => t[0].MatMul(t[1].Transpose(0, 1)).Tanh().Square().Sum(), new[] { x, w }).ThrowIfFailed();
    }

    [SkippableFact]
    public void Backward_ProducesGradientsOnTheDevice()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var w = Rand(new[] { 3, 2 }, DType.Float32, 93).To(dev).RequiresGrad_();
        var loss = Rand(new[] { 4, 2 }, DType.Float32, 94).To(dev).MatMul(w.Transpose(0, 1)).Relu().Sum();
        loss.Backward();
        Assert.Equal(dev, w.Grad!.Device);
        var wc = w.To(Device.Cpu).Detach().RequiresGrad_();
        Rand(new[] { 4, 2 }, DType.Float32, 94).MatMul(wc.Transpose(0, 1)).Relu().Sum().Backward();
        AssertClose(wc.Grad!, w.Grad!, DType.Float32, "weight gradient", scale: 10);
    }

    // ------------------------------------------------------------------ errors

    [SkippableFact]
    public void MixedDevices_NameBothDevices()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var a = Tensor.Ones(new[] { 2, 3 });
        var b = Tensor.Ones(new[] { 2, 3 }, device: dev);
        var e = Assert.Throws<TensorException>(() => a.Add(b));
        Assert.Contains("cpu", e.Message);
        Assert.Contains(dev.ToString(), e.Message);
        var e2 = Assert.Throws<TensorException>(() => b.IndexAdd(0, Tensor.FromArray(new long[] { 0 }, 1), Tensor.Ones(new[] { 1, 3 }, device: dev)));
        Assert.Contains("cpu", e2.Message);
        Assert.Contains(dev.ToString(), e2.Message);
    }

    [SkippableFact]
    public void RankAboveSix_ThrowsNamingOpAndShape()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Tensor.Ones(new[] { 2, 2, 2, 2, 2, 2, 2 }, device: dev);
        // Reversing the axes leaves nothing to merge: seven strided dimensions.
        var e = Assert.Throws<TensorException>(() => x.Permute(6, 5, 4, 3, 2, 1, 0).Exp());
        Assert.Contains("Unary", e.Message);
        Assert.Contains("[2, 2, 2, 2, 2, 2, 2]", e.Message);
        // A contiguous rank-7 tensor merges to one dimension and works.
        Assert.Equal(128.0 * Math.E, x.Exp().Sum().Item(), 3);
    }

    [SkippableFact]
    public void OutOfRangeIndex_Throws()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var y = Tensor.Zeros(new[] { 3, 2 }, device: dev);
        var e = Assert.Throws<TensorException>(() => y.IndexAdd(0, Tensor.FromArray(new long[] { 3 }, 1).To(dev), Tensor.Ones(new[] { 1, 2 }, device: dev)));
        Assert.Contains("index 3 is out of range", e.Message);
    }
}
