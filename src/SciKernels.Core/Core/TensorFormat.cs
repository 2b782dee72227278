using System.Globalization;
using System.Text;

namespace SciKernels;

public sealed partial class Tensor
{
    /// <summary>
    /// PyTorch-style text: values for small tensors (edges only beyond 1000 elements), then shape,
    /// dtype, device and autodiff state.
    /// </summary>
    public override string ToString()
    {
        if (disposed) return $"tensor(<disposed>, shape={ShapeString(shape)}, dtype={DType.Name()})";
        var sb = new StringBuilder("tensor(");
        var values = ToArray<double>();
        bool summarize = values.Length > 1000;
        bool integral = DType.IsInteger();
        string Fmt(double v) => integral ? ((long)v).ToString(CultureInfo.InvariantCulture) : v.ToString("0.0000", CultureInfo.InvariantCulture);
        int width = 0;
        foreach (var v in values) width = Math.Max(width, Fmt(v).Length);
        var strides = ContiguousStrides(shape);
        void Emit(int dim, long offset, int indent)
        {
            if (dim == Rank)
            {
                sb.Append(Fmt(values[offset]).PadLeft(width));
                return;
            }
            sb.Append('[');
            int n = shape[dim];
            for (int i = 0; i < n; i++)
            {
                if (summarize && n > 6 && i == 3)
                {
                    sb.Append("..., ");
                    if (dim < Rank - 1) sb.Append('\n').Append(' ', indent + 1);
                    i = n - 3;
                }
                Emit(dim + 1, offset + i * strides[dim], indent + 1);
                if (i < n - 1)
                {
                    sb.Append(',');
                    if (dim < Rank - 1) sb.Append('\n', Rank - 1 - dim).Append(' ', indent + 1);
                    else sb.Append(' ');
                }
            }
            sb.Append(']');
        }
        Emit(0, 0, 7);
        sb.Append(", shape=").Append(ShapeString(shape));
        if (DType != DType.Float32) sb.Append(", dtype=").Append(DType.Name());
        if (Device != Device.Cpu) sb.Append(", device=").Append(Device);
        if (GradFn is not null) sb.Append(", grad_fn=").Append(GradFn.Op);
        else if (RequiresGrad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }
}
