using SciKernels.Backends;

namespace SciKernels.Stencils;

/// <summary>
/// One operand of a stencil term: component <paramref name="Comp"/> of input field
/// <paramref name="Field"/>, passed through the 1-D operator <paramref name="Op"/> along spatial axis
/// <paramref name="Axis"/>, or taken as is when <paramref name="Axis"/> is −1.
/// </summary>
internal readonly record struct Factor(int Field, int Comp, int Axis, AxisOperator? Op)
{
    public static Factor Identity(int field, int comp) => new(field, comp, -1, null);

    /// <summary>The adjoint factor reading component <paramref name="comp"/> of field <paramref name="field"/>.</summary>
    public Factor Adjoint(int field, int comp) => Op is null ? Identity(field, comp) : new(field, comp, Axis, Op.Transpose());

    public override string ToString() => Op is null ? $"x{Field}[{Comp}]" : $"{Op.Name}_axis{Axis}(x{Field}[{Comp}])";
}

/// <summary>out[Out] += Coef · F.</summary>
internal readonly record struct LinearTerm(int Out, Factor F, double Coef);

/// <summary>out[Out] += Coef · A ⊙ B (element-wise product of two stencil results).</summary>
internal readonly record struct BilinearTerm(int Out, Factor A, Factor B, double Coef);

/// <summary>
/// The single differentiable primitive of the stencil layer: a sum of linear stencil terms and
/// products of two stencil terms over fields shaped [batch, components, n0, …, n_{d−1}], computed
/// in one pass over the output: <see cref="CpuStencil"/> (the specification) on host memory, the
/// backend's <see cref="IStencilKernels"/> elsewhere, given the neutral <see cref="StencilSpec"/>.
/// </summary>
/// <remarks>
/// Backward (product rule), with Aᵀ the adjoint 1-D operator of a factor:
/// ∂/∂x of Coef·A(x) is Coef·Aᵀ(g); of Coef·A(x)⊙B(z) it is Coef·Aᵀ(g⊙B(z)) for x and Coef·Bᵀ(g⊙A(x))
/// for z. The products g⊙B(z) are themselves bilinear fused stencils and the sums of adjoints a
/// linear fused stencil, so the backward is recorded with this same primitive and can be
/// differentiated again to any order.
/// </remarks>
internal static class FusedStencil
{
    public static Tensor Apply(string name, Tensor[] fields, int[] spatial, int outComps, LinearTerm[] linear, BilinearTerm[] bilinear)
    {
        var first = fields[0];
        foreach (var f in fields)
        {
            Tensor.CheckFloatOperands(name, first, f);
            if (f.Rank != spatial.Length + 2 || f.Size(0) != first.Size(0) || !f.Shape[2..].SequenceEqual(spatial))
                throw new InvalidOperationException($"{name}: internal field shape {Tensor.ShapeString(f.Shape)} does not match [batch, comps, {string.Join(", ", spatial)}]");
        }
        var xs = Array.ConvertAll(fields, f => f.Contiguous());
        var shape = new int[spatial.Length + 2];
        shape[0] = first.Size(0);
        shape[1] = outComps;
        spatial.CopyTo(shape, 2);
        var y = Tensor.Empty(shape, first.DType, first.Device);
        if (HostMemory.Holds(first)) CpuStencil.Run(xs, y, spatial, linear, bilinear);
        else if (first.Backend is IStencilKernels kernels) kernels.Stencil(Describe(xs, spatial, outComps, linear, bilinear), xs, y);
        else throw new TensorException(name, $"no stencil kernel for tensors on {first.Device}");
        return Tensor.Record(y, name, xs, g => Backward(name, xs, spatial, linear, bilinear, g));
    }

    /// <summary>The backend-neutral description of a stencil for device kernels (operators shared by factors listed once).</summary>
    public static StencilSpec Describe(Tensor[] xs, int[] spatial, int outComps, LinearTerm[] linear, BilinearTerm[] bilinear)
    {
        var operators = new List<StencilSpecOperator>();
        var handles = new Dictionary<(AxisOperator, int), int>();
        StencilSpecFactor Map(Factor f)
        {
            if (f.Op is null) return new StencilSpecFactor(f.Field, f.Comp);
            if (!handles.TryGetValue((f.Op, f.Axis), out int h))
            {
                var op = f.Op;
                var left = new StencilSpecRow[op.LeftCount];
                var right = new StencilSpecRow[op.RightCount];
                for (int k = 0; k < left.Length; k++) left[k] = Row(op.Explicit(k)!);
                for (int k = 0; k < right.Length; k++) right[k] = Row(op.Explicit(op.N - op.RightCount + k)!);
                h = operators.Count;
                operators.Add(new StencilSpecOperator(f.Axis, op.Coef, op.Periodic, left, right));
                handles.Add((f.Op, f.Axis), h);
            }
            return new StencilSpecFactor(f.Field, f.Comp, h);
        }
        var terms = new List<StencilSpecTerm>(linear.Length + bilinear.Length);
        foreach (var t in linear) terms.Add(new StencilSpecTerm(t.Out, t.Coef, Map(t.F), null));
        foreach (var t in bilinear) terms.Add(new StencilSpecTerm(t.Out, t.Coef, Map(t.A), Map(t.B)));
        return new StencilSpec(spatial, Array.ConvertAll(xs, x => x.Size(1)), outComps, operators.ToArray(), terms.ToArray());
    }

    private static StencilSpecRow Row(ExplicitRow r) => new(r.Cols, r.Weights, r.Bias);

    private static Tensor?[] Backward(string name, Tensor[] xs, int[] spatial, LinearTerm[] linear, BilinearTerm[] bilinear, Tensor g)
    {
        var grads = new Tensor?[xs.Length];
        for (int m = 0; m < xs.Length; m++)
        {
            if (!xs[m].RequiresGrad) continue;
            var weights = new List<Tensor> { g };
            var terms = new List<LinearTerm>();
            foreach (var t in linear)
                if (t.F.Field == m) terms.Add(new LinearTerm(t.F.Comp, t.F.Adjoint(0, t.Out), t.Coef));
            foreach (var t in bilinear)
            {
                if (t.A.Field == m) terms.Add(new LinearTerm(t.A.Comp, t.A.Adjoint(AddWeight(weights, name, xs, spatial, g, t.Out, t.B), 0), t.Coef));
                if (t.B.Field == m) terms.Add(new LinearTerm(t.B.Comp, t.B.Adjoint(AddWeight(weights, name, xs, spatial, g, t.Out, t.A), 0), t.Coef));
            }
            if (terms.Count > 0)
                grads[m] = Apply(name + "Backward", weights.ToArray(), spatial, xs[m].Size(1), terms.ToArray(), Array.Empty<BilinearTerm>());
        }
        return grads;
    }

    /// <summary>Appends g[out] ⊙ other (one fused pass) to the weights and returns its field index.</summary>
    private static int AddWeight(List<Tensor> weights, string name, Tensor[] xs, int[] spatial, Tensor g, int outComp, Factor other)
    {
        var w = Apply(name + "BackwardProduct", new[] { g, xs[other.Field] }, spatial, 1, Array.Empty<LinearTerm>(),
            new[] { new BilinearTerm(0, Factor.Identity(0, outComp), other with { Field = 1 }, 1) });
        weights.Add(w);
        return weights.Count - 1;
    }
}
