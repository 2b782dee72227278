using System.Reflection;
using SciKernels.Kernels.Elementwise;
using SciKernels.Kernels.Functors;
using SciKernels.Kernels.Graph;
using SciKernels.Kernels.Indexing;
using SciKernels.Kernels.MatMul;
using SciKernels.Kernels.Reduction;
using SciKernels.Kernels.Spectral;
using SciKernels.Kernels.Stencil;

namespace SciKernels.Kernels.Compilation;

/// <summary>One kernel specialization: a closed (fully constructed) explicitly grouped kernel method.</summary>
/// <param name="Name">Stable name, <c>family/kernel/op/type</c> (e.g. <c>elementwise/unary/exp/f32</c>).</param>
/// <param name="Family">Concern: elementwise, reduction, matmul, indexing, graph, spectral, stencil.</param>
/// <param name="Method">The constructed kernel method.</param>
public sealed record KernelSpec(string Name, string Family, MethodInfo Method)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// Every kernel specialization the library launches (the launchers in <see cref="Runtime.KernelOps"/>
/// instantiate exactly these). Used for ahead-of-time PTX/OpenCL compilation checks and reports.
/// </summary>
public static class KernelCatalog
{
    /// <summary>Unary functors: the arithmetic ops, then <see cref="UnaryOf{F}"/> for every registered element-wise function.</summary>
    public static readonly IReadOnlyList<Type> UnaryOps = new[]
    {
        typeof(Identity), typeof(Neg), typeof(Abs), typeof(Square), typeof(Reciprocal), typeof(Sign), typeof(PowScalar),
        typeof(Clamp), typeof(Affine),
    }.Concat(SciKernels.Functions.UnaryFunctions.All.Select(f => typeof(UnaryOf<>).MakeGenericType(f))).ToArray();

    /// <summary>Backward functors: <see cref="GradOf{F}"/> for every registered element-wise function.</summary>
    public static readonly IReadOnlyList<Type> GradOps =
        SciKernels.Functions.UnaryFunctions.All.Select(f => typeof(GradOf<>).MakeGenericType(f)).ToArray();

    /// <summary>Binary functors.</summary>
    public static readonly IReadOnlyList<Type> BinaryOps = new[]
    {
        typeof(Add), typeof(Sub), typeof(Mul), typeof(Div), typeof(Pow), typeof(Max), typeof(Min), typeof(Equal),
        typeof(NotEqual), typeof(Less), typeof(LessEqual), typeof(Greater), typeof(GreaterEqual),
    };

    /// <summary>Reductions.</summary>
    public static readonly IReadOnlyList<Type> ReduceOps = new[] { typeof(SumReduce), typeof(MaxReduce), typeof(MinReduce) };

    private static readonly (Type T, Type Arith, string Tag)[] Types =
    {
        (typeof(float), typeof(F32), "f32"),
        (typeof(double), typeof(F64), "f64"),
    };

    /// <summary>All specializations (about 250).</summary>
    public static IReadOnlyList<KernelSpec> All { get; } = Build();

    /// <summary>Finds specializations whose name contains any of the comma-separated filters
    /// (case-insensitive); null/empty = all.</summary>
    /// <param name="filter">Comma-separated substrings.</param>
    public static IReadOnlyList<KernelSpec> Select(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return All;
        var parts = filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return All.Where(k => parts.Any(p => k.Name.Contains(p, StringComparison.OrdinalIgnoreCase))).ToList();
    }

    // UnaryOf<Tanh> and GradOf<Tanh> are named after the function ("tanh"); other generic functors after themselves.
    private static string Short(Type op) =>
        op.IsGenericType && (op.GetGenericTypeDefinition() == typeof(UnaryOf<>) || op.GetGenericTypeDefinition() == typeof(GradOf<>))
            ? Short(op.GetGenericArguments()[0])
            : op.IsGenericType ? op.Name[..op.Name.IndexOf('`')].ToLowerInvariant() : op.Name.ToLowerInvariant();

    private static MethodInfo M(Type host, string name) =>
        host.GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException(host.Name, name);

    private static List<KernelSpec> Build()
    {
        var list = new List<KernelSpec>();
        void Add(string family, string name, Type host, string method, params Type[] typeArgs) =>
            list.Add(new KernelSpec($"{family}/{name}", family, typeArgs.Length == 0 ? M(host, method) : M(host, method).MakeGenericMethod(typeArgs)));

        var ew = typeof(ElementwiseKernels);
        foreach (var (t, arith, tag) in Types)
        {
            foreach (var op in UnaryOps)
            {
                Add("elementwise", $"unary/{Short(op)}/{tag}", ew, nameof(ElementwiseKernels.Unary), t, op);
                Add("elementwise", $"unary_strided/{Short(op)}/{tag}", ew, nameof(ElementwiseKernels.UnaryStrided), t, op);
            }
            foreach (var op in GradOps)
                Add("elementwise", $"unary_grad/{Short(op)}/{tag}", ew, nameof(ElementwiseKernels.UnaryGrad), t, op);
            foreach (var op in BinaryOps)
            {
                Add("elementwise", $"binary/{Short(op)}/{tag}", ew, nameof(ElementwiseKernels.Binary), t, op);
                Add("elementwise", $"binary_strided/{Short(op)}/{tag}", ew, nameof(ElementwiseKernels.BinaryStrided), t, op);
            }
            Add("elementwise", $"where/{tag}", ew, nameof(ElementwiseKernels.Where), t, arith);
            Add("elementwise", $"where_strided/{tag}", ew, nameof(ElementwiseKernels.WhereStrided), t, arith);
            Add("elementwise", $"fill/{tag}", ew, nameof(ElementwiseKernels.Fill), t);
            Add("elementwise", $"copy_strided/{tag}", ew, nameof(ElementwiseKernels.CopyStrided), t);

            var red = typeof(ReductionKernels);
            var pass = typeof(PassThrough<>).MakeGenericType(t);
            foreach (var r in ReduceOps)
            {
                Add("reduction", $"reduce_all/{Short(r)}/{tag}", red, nameof(ReductionKernels.ReduceAll), t, typeof(Identity), r);
                Add("reduction", $"reduce_all_stage2/{Short(r)}/{tag}", red, nameof(ReductionKernels.ReduceAll), t, pass, r);
                Add("reduction", $"reduce_axis_group/{Short(r)}/{tag}", red, nameof(ReductionKernels.ReduceAxisPerGroup), t, typeof(Identity), r);
                Add("reduction", $"reduce_axis_thread/{Short(r)}/{tag}", red, nameof(ReductionKernels.ReduceAxisPerThread), t, typeof(Identity), r);
            }
            foreach (var map in new[] { typeof(Square), typeof(Abs) })
            {
                Add("reduction", $"reduce_all/sum_{Short(map)}/{tag}", red, nameof(ReductionKernels.ReduceAll), t, map, typeof(SumReduce));
                Add("reduction", $"reduce_axis_group/sum_{Short(map)}/{tag}", red, nameof(ReductionKernels.ReduceAxisPerGroup), t, map, typeof(SumReduce));
                Add("reduction", $"reduce_axis_thread/sum_{Short(map)}/{tag}", red, nameof(ReductionKernels.ReduceAxisPerThread), t, map, typeof(SumReduce));
            }

            Add("matmul", $"gemm/{tag}", typeof(MatMulKernels), nameof(MatMulKernels.Gemm), t, arith);

            var ix = typeof(IndexingKernels);
            Add("indexing", $"index_select_i64/{tag}", ix, nameof(IndexingKernels.IndexSelect64), t);
            Add("indexing", $"gather_along_dim_i64/{tag}", ix, nameof(IndexingKernels.GatherAlongDim), t);
            Add("indexing", $"segment_sum_rows/{tag}", ix, nameof(IndexingKernels.SegmentSumRows), t, arith);
            Add("indexing", $"csr_scatter_sum/{tag}", ix, nameof(IndexingKernels.CsrScatterSum), t, arith);

            var gr = typeof(GraphKernels);
            var order = t == typeof(float) ? typeof(Order32) : typeof(Order64);
            Add("graph", $"segment_sum/{tag}", gr, nameof(GraphKernels.SegmentSum), t, arith);
            Add("graph", $"segment_max/{tag}", gr, nameof(GraphKernels.SegmentMax), t, order);
            Add("graph", $"scatter_argmax/{tag}", gr, nameof(GraphKernels.ScatterArgMax), t);
            Add("graph", $"gather_argmax/{tag}", gr, nameof(GraphKernels.GatherArgMax), t);
            Add("graph", $"edge_combine/{tag}", gr, nameof(GraphKernels.EdgeCombine), t, arith);
            var tpk = typeof(TensorProductKernels);
            Add("graph", $"tensor_product_out/{tag}", tpk, nameof(TensorProductKernels.Out), t, arith);
            Add("graph", $"tensor_product_weights/{tag}", tpk, nameof(TensorProductKernels.Weights), t, arith);
            Add("graph", $"tensor_product_sh/{tag}", tpk, nameof(TensorProductKernels.Sh), t, arith);
            Add("graph", $"tensor_product_nodes/{tag}", tpk, nameof(TensorProductKernels.Nodes), t, arith);

            var sp = typeof(SpectralKernels);
            Add("spectral", $"fft_pass/{tag}", sp, nameof(SpectralKernels.FftPass), t, arith);
            Add("spectral", $"complex_matmul/{tag}", sp, nameof(SpectralKernels.ComplexMatMul), t, arith);
            var st = typeof(StencilKernels);
            Add("stencil", $"interpret/{tag}", st, nameof(StencilKernels.Interpret), t, arith);
            Add("stencil", $"tiled/{tag}", st, nameof(StencilKernels.Tiled), t, arith);
        }
        // Bit-exact copies (any 4- or 8-byte dtype) and integer fills used by the tensor library.
        foreach (var (t, tag) in new[] { (typeof(int), "i32"), (typeof(long), "i64") })
        {
            Add("elementwise", $"fill/{tag}", ew, nameof(ElementwiseKernels.Fill), t);
            Add("elementwise", $"copy_strided/{tag}", ew, nameof(ElementwiseKernels.CopyStrided), t);
        }
        var nl = typeof(NeighborKernels);
        Add("graph", "neighbor_count/f64", nl, nameof(NeighborKernels.Count));
        Add("graph", "neighbor_fill/f64", nl, nameof(NeighborKernels.Fill));
        Add("graph", "scan_chunks/i64", nl, nameof(NeighborKernels.ScanChunks));
        Add("graph", "scan_top/i64", nl, nameof(NeighborKernels.ScanTop));
        Add("graph", "scan_apply/i64", nl, nameof(NeighborKernels.ScanApply));
        Add("elementwise", "cast/f32_f64", ew, nameof(ElementwiseKernels.CastF32ToF64));
        Add("elementwise", "cast/f64_f32", ew, nameof(ElementwiseKernels.CastF64ToF32));
        return list;
    }
}
