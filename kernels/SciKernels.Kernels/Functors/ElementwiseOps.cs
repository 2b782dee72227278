// Generated once from a template (one struct per op, float and double overloads); edit freely.
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

/// <summary>y = exp(x).</summary>
public readonly struct Exp : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => XMath.Exp(x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => XMath.Exp(x);
}

/// <summary>y = ln(x).</summary>
public readonly struct Log : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => XMath.Log(x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => XMath.Log(x);
}

/// <summary>y = sqrt(x).</summary>
public readonly struct Sqrt : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => XMath.Sqrt(x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => XMath.Sqrt(x);
}

/// <summary>y = 1/sqrt(x).</summary>
public readonly struct Rsqrt : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => 1.0f / XMath.Sqrt(x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => 1.0d / XMath.Sqrt(x);
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

/// <summary>y = sin(x).</summary>
public readonly struct Sin : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => XMath.Sin(x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => XMath.Sin(x);
}

/// <summary>y = cos(x).</summary>
public readonly struct Cos : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => XMath.Cos(x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => XMath.Cos(x);
}

/// <summary>
/// y = tanh(x), exactly ±1 where the rounded result is (|x| &gt; 9.1 in float, 19.1 in double) and at ±inf:
/// OpenCL allows tanh 5 ulp and PoCL's float tanh returns ±0.99999994 there, which breaks 1 - tanh² = 0
/// and x·(1 + tanh) at -inf. NaN fails the compare and reaches XMath.Tanh.
/// </summary>
public readonly struct Tanh : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => XMath.Abs(x) > 9.1f ? (x > 0f ? 1f : -1f) : XMath.Tanh(x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => XMath.Abs(x) > 19.1 ? (x > 0.0 ? 1.0 : -1.0) : XMath.Tanh(x);
}

/// <summary>y = 1/(1+exp(-x)), evaluated without overflow for large |x|.</summary>
public readonly struct Sigmoid : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x >= 0.0f ? 1.0f / (1.0f + XMath.Exp(-x)) : XMath.Exp(x) / (1.0f + XMath.Exp(x));
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x >= 0.0d ? 1.0d / (1.0d + XMath.Exp(-x)) : XMath.Exp(x) / (1.0d + XMath.Exp(x));
}

/// <summary>y = max(x, 0) as PyTorch's eager relu computes it: +0 where x &lt; 0, else x itself (NaN and -0 pass through).</summary>
public readonly struct Relu : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x < 0.0f ? 0.0f : x;
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x < 0.0d ? 0.0d : x;
}

/// <summary>Exact (erf-based) GELU: y = x/2 (1 + erf(x/sqrt 2)). Float uses a 1.5e-7-accurate erf, double a ~1e-15 one (see SpecialMath).</summary>
public readonly struct Gelu : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => 0.5f * x * (1.0f + SpecialMath.Erf(x * 0.7071067811865476f));
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => 0.5d * x * (1.0d + SpecialMath.Erf(x * 0.7071067811865476d));
}

/// <summary>Tanh-approximated GELU (PyTorch approximate='tanh'): y = x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))).</summary>
public readonly struct GeluTanh : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => 0.5f * x * (1.0f + Tanh.Apply(0.7978845608028654f * (x + 0.044715f * x * x * x), 0f, 0f));
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => 0.5d * x * (1.0d + Tanh.Apply(0.7978845608028654d * (x + 0.044715d * x * x * x), 0d, 0d));
}

/// <summary>SiLU / swish: y = x * sigmoid(x).</summary>
public readonly struct Silu : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x * Sigmoid.Apply(x, p0, p1);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x * Sigmoid.Apply(x, p0, p1);
}

/// <summary>y = ln(1 + exp(x)) = max(x,0) + ln(1 + exp(-|x|)) (stable).</summary>
public readonly struct Softplus : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => (x > 0.0f ? x : 0.0f) + XMath.Log(1.0f + XMath.Exp(-XMath.Abs(x)));
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => (x > 0.0d ? x : 0.0d) + XMath.Log(1.0d + XMath.Exp(-XMath.Abs(x)));
}

/// <summary>y = erf(x). Both precisions evaluate the ~1e-15 double series of <see cref="SpecialMath.Erf(double)"/>
/// (float rounds the result), matching the CPU backend.</summary>
public readonly struct Erf : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => (float)SpecialMath.Erf((double)x);
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => SpecialMath.Erf(x);
}

/// <summary>y = sign(x) in {-1, +0, 1}; NaN stays NaN (as in NumPy; see docs/semantics.md), ±0 gives +0.</summary>
public readonly struct Sign : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : (x == 0.0f ? 0.0f : x));
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x > 0.0d ? 1.0d : (x < 0.0d ? -1.0d : (x == 0.0d ? 0.0d : x));
}

/// <summary>Heaviside step: y = 1 if x &gt; 0 else 0 (the ReLU derivative mask).</summary>
public readonly struct Step : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => x > 0.0f ? 1.0f : 0.0f;
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => x > 0.0d ? 1.0d : 0.0d;
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

/// <summary>Gradient mask of Clamp: y = 1 if p0 &lt;= x &lt;= p1 else 0.</summary>
public readonly struct ClampMask : IUnaryOp<float>, IUnaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float x, float p0, float p1) => (x >= p0 && x <= p1) ? 1.0f : 0.0f;
    /// <inheritdoc/>
    public static double Apply(double x, double p0, double p1) => (x >= p0 && x <= p1) ? 1.0d : 0.0d;
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

/// <summary>ReLU backward from the input: a = x, b = upstream gradient; returns b if x &gt; 0 else 0.</summary>
public readonly struct ReluBackward : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => a > 0.0f ? b : 0.0f;
    /// <inheritdoc/>
    public static double Apply(double a, double b) => a > 0.0d ? b : 0.0d;
}

/// <summary>Sigmoid backward from the output: a = y = sigmoid(x), b = grad; returns b*y*(1-y).</summary>
public readonly struct SigmoidBackward : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => b * a * (1.0f - a);
    /// <inheritdoc/>
    public static double Apply(double a, double b) => b * a * (1.0d - a);
}

/// <summary>Tanh backward from the output: a = y = tanh(x), b = grad; returns b*(1-y^2).</summary>
public readonly struct TanhBackward : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => b * (1.0f - a * a);
    /// <inheritdoc/>
    public static double Apply(double a, double b) => b * (1.0d - a * a);
}

/// <summary>Exact GELU backward from the input: a = x, b = grad; returns b*(Phi(x) + x*phi(x)).</summary>
public readonly struct GeluBackward : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => b * (0.5f * (1.0f + SpecialMath.Erf(a * 0.7071067811865476f)) + a * 0.3989422804014327f * XMath.Exp(-0.5f * a * a));
    /// <inheritdoc/>
    public static double Apply(double a, double b) => b * (0.5d * (1.0d + SpecialMath.Erf(a * 0.7071067811865476d)) + a * 0.3989422804014327d * XMath.Exp(-0.5d * a * a));
}

/// <summary>SiLU backward from the input: a = x, b = grad; returns b*s*(1 + x(1-s)), s = sigmoid(x).</summary>
public readonly struct SiluBackward : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => b * Sigmoid.Apply(a, 0.0f, 0.0f) * (1.0f + a * (1.0f - Sigmoid.Apply(a, 0.0f, 0.0f)));
    /// <inheritdoc/>
    public static double Apply(double a, double b) => b * Sigmoid.Apply(a, 0.0d, 0.0d) * (1.0d + a * (1.0d - Sigmoid.Apply(a, 0.0d, 0.0d)));
}

/// <summary>Softplus backward from the input: a = x, b = grad; returns b*sigmoid(x).</summary>
public readonly struct SoftplusBackward : IBinaryOp<float>, IBinaryOp<double>
{
    /// <inheritdoc/>
    public static float Apply(float a, float b) => b * Sigmoid.Apply(a, 0.0f, 0.0f);
    /// <inheritdoc/>
    public static double Apply(double a, double b) => b * Sigmoid.Apply(a, 0.0d, 0.0d);
}

#pragma warning restore CA1716
