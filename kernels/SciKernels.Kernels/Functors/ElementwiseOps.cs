// Device functors of the arithmetic and parameterised ops. The element-wise functions (exp, tanh,
// gelu, ...) are defined once in SciKernels.Functions and reach the kernels through UnaryOf<F>/GradOf<F>.
using ILGPU.Algorithms;

namespace SciKernels.Kernels.Functors;

#pragma warning disable CA1716 // names like Step/Sign are intentional op names
/// <summary>y = x.</summary>
public readonly struct Identity : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x;
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x;
}

/// <summary>y = -x.</summary>
public readonly struct Neg : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => -x;
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => -x;
}

/// <summary>y = |x|.</summary>
public readonly struct Abs : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => XMath.Abs(x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => XMath.Abs(x);
}

/// <summary>y = x*x.</summary>
public readonly struct Square : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x * x;
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x * x;
}

/// <summary>y = 1/x.</summary>
public readonly struct Reciprocal : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => 1.0f / x;
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => 1.0d / x;
}

/// <summary>y = sign(x) in {-1, +0, 1}; NaN stays NaN (as in NumPy; see docs/semantics.md), ±0 gives +0.</summary>
public readonly struct Sign : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : (x == 0.0f ? 0.0f : x));
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x > 0.0d ? 1.0d : (x < 0.0d ? -1.0d : (x == 0.0d ? 0.0d : x));
}

/// <summary>y = x^p0 (p0: exponent).</summary>
public readonly struct PowScalar : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => SpecialMath.Pow(x, p0);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => SpecialMath.Pow(x, p0);
}

/// <summary>y = min(max(x, p0), p1) (p0: lower bound, p1: upper bound) like torch.clamp: x itself unless strictly outside, so NaN and -0 survive.</summary>
public readonly struct Clamp : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x < p0 ? p0 : (x > p1 ? p1 : x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x < p0 ? p0 : (x > p1 ? p1 : x);
}

/// <summary>y = x*p0 + p1 (scale and shift; also scalar add / scalar mul).</summary>
public readonly struct Affine : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x * p0 + p1;
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x * p0 + p1;
}

/// <summary>a + b.</summary>
public readonly struct Add : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a + b;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a + b;
}

/// <summary>a - b.</summary>
public readonly struct Sub : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a - b;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a - b;
}

/// <summary>a * b.</summary>
public readonly struct Mul : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a * b;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a * b;
}

/// <summary>a / b.</summary>
public readonly struct Div : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a / b;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a / b;
}

/// <summary>a^b.</summary>
public readonly struct Pow : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => SpecialMath.Pow(a, b);
    /// <inheritdoc/>
    public static double Apply(double a, double b) => SpecialMath.Pow(a, b);
}

/// <summary>
/// max(a, b) as IEEE 754-2019 maximum, the CPU backend's semantics: NaN if either is NaN (torch.maximum),
/// and -0 &lt; +0. Written with compares rather than XMath.Max/fmax, which return the non-NaN operand.
/// For equal operands a + b is the right zero (+0 unless both are -0) and a == 0 keeps it to zeros;
/// an unordered pair falls through to a + b = NaN.
/// </summary>
public readonly struct Max : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a > b ? a : (b > a ? b : (a == b && a != 0.0f ? a : a + b));
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a > b ? a : (b > a ? b : (a == b && a != 0.0d ? a : a + b));
}

/// <summary>
/// min(a, b) as IEEE 754-2019 minimum: NaN if either is NaN (torch.minimum), and -0 &lt; +0; for equal
/// zeros -((-a) + (-b)) is -0 unless both are +0 (see <see cref="Max"/>).
/// </summary>
public readonly struct Min : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a < b ? a : (b < a ? b : (a == b && a != 0.0f ? a : -(-a - b)));
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a < b ? a : (b < a ? b : (a == b && a != 0.0d ? a : -(-a - b)));
}

/// <summary>Mask: 1 if a == b else 0.</summary>
public readonly struct Equal : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a == b ? 1.0f : 0.0f;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a == b ? 1.0d : 0.0d;
}

/// <summary>Mask: 1 if a != b else 0.</summary>
public readonly struct NotEqual : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a != b ? 1.0f : 0.0f;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a != b ? 1.0d : 0.0d;
}

/// <summary>Mask: 1 if a &lt; b else 0.</summary>
public readonly struct Less : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a < b ? 1.0f : 0.0f;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a < b ? 1.0d : 0.0d;
}

/// <summary>Mask: 1 if a &lt;= b else 0.</summary>
public readonly struct LessEqual : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a <= b ? 1.0f : 0.0f;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a <= b ? 1.0d : 0.0d;
}

/// <summary>Mask: 1 if a &gt; b else 0.</summary>
public readonly struct Greater : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a > b ? 1.0f : 0.0f;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a > b ? 1.0d : 0.0d;
}

/// <summary>Mask: 1 if a &gt;= b else 0.</summary>
public readonly struct GreaterEqual : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a >= b ? 1.0f : 0.0f;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a >= b ? 1.0d : 0.0d;
}

#pragma warning restore CA1716
