using SciKernels.Kernels.Stencil;

namespace SciKernels.Stencils;

/// <summary>Flattens a <see cref="FusedStencil"/> description into the program the device kernels interpret.</summary>
internal static class StencilProgramFactory
{
    public static StencilProgram Build(Tensor[] xs, int[] spatial, int outComps, LinearTerm[] linear, BilinearTerm[] bilinear)
    {
        var builder = new StencilProgramBuilder(spatial, Array.ConvertAll(xs, x => x.Size(1)), outComps);
        var handles = new Dictionary<(AxisOperator, int), int>();
        StencilFactor Map(Factor f)
        {
            if (f.Op is null) return new StencilFactor(f.Field, f.Comp);
            if (!handles.TryGetValue((f.Op, f.Axis), out int h))
            {
                var op = f.Op;
                var left = new StencilRow[op.LeftCount];
                var right = new StencilRow[op.RightCount];
                for (int k = 0; k < left.Length; k++) left[k] = Row(op.Explicit(k)!);
                for (int k = 0; k < right.Length; k++) right[k] = Row(op.Explicit(op.N - op.RightCount + k)!);
                h = builder.AddOperator(f.Axis, op.Coef, op.Periodic, left, right);
                handles.Add((f.Op, f.Axis), h);
            }
            return new StencilFactor(f.Field, f.Comp, h);
        }
        foreach (var t in linear) builder.AddLinear(t.Out, t.Coef, Map(t.F));
        foreach (var t in bilinear) builder.AddBilinear(t.Out, t.Coef, Map(t.A), Map(t.B));
        return builder.Build();
    }

    private static StencilRow Row(ExplicitRow r) => new(r.Cols, r.Weights, r.Bias);
}
