using SciKernels.Backends;
using SciKernels.Kernels.Stencil;

namespace SciKernels.Devices;

/// <summary>Compiles a backend-neutral <see cref="StencilSpec"/> into the program the device kernels interpret.</summary>
internal static class StencilProgramFactory
{
    public static StencilProgram Build(StencilSpec spec)
    {
        var builder = new StencilProgramBuilder(spec.Spatial, spec.FieldComps, spec.OutComps);
        foreach (var op in spec.Operators)
            builder.AddOperator(op.Axis, op.Interior, op.Periodic, Array.ConvertAll(op.Left, Row), Array.ConvertAll(op.Right, Row));
        foreach (var t in spec.Terms)
        {
            if (t.B is { } b) builder.AddBilinear(t.Out, t.Coef, Factor(t.A), Factor(b));
            else builder.AddLinear(t.Out, t.Coef, Factor(t.A));
        }
        return builder.Build();
    }

    private static StencilFactor Factor(StencilSpecFactor f) => new(f.Field, f.Comp, f.Operator);

    private static StencilRow Row(StencilSpecRow r) => new(r.Cols, r.Weights, r.Bias);
}
