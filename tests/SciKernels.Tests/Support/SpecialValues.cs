using SciKernels.Backends;
using Xunit;

namespace SciKernels.Tests.Support;

/// <summary>
/// Non-finite and special inputs (NaN, ±∞, ±0, denormals) and the comparison that the CPU backend
/// and every device must pass on them: the same class exactly (NaN ↔ NaN, the same infinity, the same
/// sign of a zero), then the value within tolerance — or bit for bit for the ops IEEE rounds exactly.
/// See docs/semantics.md.
/// </summary>
public static class SpecialValues
{
    /// <summary>The special values of a dtype: denormals are float32's or float64's own.</summary>
    public static double[] Of(DType dtype) => dtype == DType.Float32
        ? new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, 1e-40, -3e-42, 1.17549435e-38, 1, -1, 100, -100 }
        : new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, 1e-310, -4e-320, 2.2250738585072014e-308, 1, -1, 800, -800 };

    /// <summary>
    /// Seeded uniform values in [low, high) with the special values mixed in at every third element
    /// (cycling through <see cref="Of"/>), so they land in SIMD bodies and scalar tails alike.
    /// </summary>
    public static Tensor Mixed(int[] shape, DType dtype, ulong seed, double low = -3, double high = 3)
    {
        var v = Tensor.Rand(shape, new Random.Generator(seed), DType.Float64, Device.Cpu, low, high).ToArray<double>();
        var sp = Of(dtype);
        int k = (int)(seed % (ulong)sp.Length);
        for (int i = (int)(seed % 3); i < v.Length; i += 3) v[i] = sp[k++ % sp.Length];
        return Tensor.FromDoubles(v, shape, dtype);
    }

    /// <summary>The ops whose result IEEE 754 defines exactly (one rounding or none): backends must agree bit for bit.</summary>
    public static bool IsExact(UnaryOp op) => op is UnaryOp.Neg or UnaryOp.Abs or UnaryOp.Relu or UnaryOp.Sign
        or UnaryOp.Clamp or UnaryOp.Square or UnaryOp.Sqrt or UnaryOp.Reciprocal;

    /// <inheritdoc cref="IsExact(UnaryOp)"/>
    public static bool IsExact(BinaryOp op) => op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div
        or BinaryOp.Maximum or BinaryOp.Minimum or BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge;

    /// <summary>"NaN", "+inf", "-inf", "+0", "-0" or "finite": the class both sides must share.</summary>
    public static string Class(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+inf" : double.IsNegativeInfinity(v) ? "-inf"
        : v == 0 ? (double.IsNegative(v) ? "-0" : "+0") : "finite";

    /// <summary>
    /// Asserts <paramref name="actual"/> matches <paramref name="expected"/> element by element: NaN,
    /// infinities and (when both are zero) the sign of zero exactly; other values within a dtype tolerance
    /// (times <paramref name="scale"/>), or bit for bit when <paramref name="exact"/>. A zero on one side
    /// and a nonzero on the other passes on tolerance, as a denormal rounded differently does.
    /// </summary>
    public static void AssertMatch(Tensor expected, Tensor actual, DType dtype, string what, double scale = 1, bool exact = false)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        double rtol = (dtype == DType.Float32 ? 2e-5 : 1e-11) * scale, atol = (dtype == DType.Float32 ? 2e-6 : 1e-12) * scale;
        for (int i = 0; i < e.Length; i++)
        {
            string ce = Class(e[i]), ca = Class(a[i]);
            bool eFinite = ce == "finite", aFinite = ca == "finite";
            bool within = exact ? e[i] == a[i] : Math.Abs(e[i] - a[i]) <= atol + rtol * Math.Abs(e[i]);
            bool ok = !eFinite && !aFinite ? ce == ca                       // both special: the same class
                : eFinite && aFinite ? within                                // both ordinary nonzero
                : (ce is "+0" or "-0" || ca is "+0" or "-0") && !exact && within; // a zero against a tiny value
            Assert.True(ok, $"{what}: element {i} of {Tensor.ShapeString(expected.Shape)}: expected {e[i]:R} ({ce}), got {a[i]:R} ({ca}){(exact ? " (exact)" : "")}");
        }
    }
}
