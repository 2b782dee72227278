namespace SciKernels.Kernels.Functors;

/// <summary>
/// An element-wise unary operation, implemented as a <c>readonly struct</c> with static members so
/// that ILGPU specializes (and inlines) it into each kernel instantiation.
/// </summary>
/// <typeparam name="T">Element type (<see cref="float"/> or <see cref="double"/>).</typeparam>
/// <remarks>
/// Two scalar parameters are threaded through every unary kernel so that parameterized ops
/// (pow-by-scalar, clamp, leaky slopes, scale/shift) need no extra kernel signatures. Ops that do not
/// use them ignore them; launchers pass zero.
/// </remarks>
public interface IUnaryOp<T> where T : unmanaged
{
    /// <summary>Computes the op for one element.</summary>
    /// <param name="x">Input element.</param>
    /// <param name="p0">First scalar parameter (op specific, e.g. exponent or lower bound).</param>
    /// <param name="p1">Second scalar parameter (op specific, e.g. upper bound).</param>
    static abstract T Apply(T x, T p0, T p1);
}

/// <summary>The backward of an element-wise function: r = g·F′(x) from x, y = F(x) and the output gradient g.</summary>
/// <typeparam name="T">Element type (<see cref="float"/> or <see cref="double"/>).</typeparam>
public interface IUnaryGradOp<T> where T : unmanaged
{
    /// <summary>Computes g·F′(x) for one element.</summary>
    /// <param name="x">Input element.</param>
    /// <param name="y">F(x).</param>
    /// <param name="g">Output gradient (or tangent).</param>
    static abstract T Apply(T x, T y, T g);
}

/// <summary>An element-wise binary operation (see <see cref="IUnaryOp{T}"/> for the functor pattern).</summary>
/// <typeparam name="T">Element type (<see cref="float"/> or <see cref="double"/>).</typeparam>
public interface IBinaryOp<T> where T : unmanaged
{
    /// <summary>Computes the op for one pair of elements.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    static abstract T Apply(T a, T b);
}

/// <summary>
/// An associative, commutative reduction with an identity element. The kernels combine values in a
/// fixed order for a given launch configuration, so results are deterministic (bitwise reproducible).
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
public interface IReduceOp<T> where T : unmanaged
{
    /// <summary>The identity element (0 for sum, -inf for max, +inf for min).</summary>
    static abstract T Identity { get; }

    /// <summary>Combines two partial results.</summary>
    /// <param name="a">First partial.</param>
    /// <param name="b">Second partial.</param>
    static abstract T Combine(T a, T b);
}

/// <summary>Minimal arithmetic needed by generic kernels (matmul, segment sums) without relying on
/// <c>INumber&lt;T&gt;</c> (whose BCL implementations are not guaranteed to be ILGPU-compilable).</summary>
/// <typeparam name="T">Element type.</typeparam>
public interface IArith<T> where T : unmanaged
{
    /// <summary>Additive identity.</summary>
    static abstract T Zero { get; }

    /// <summary>a + b.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    static abstract T Add(T a, T b);

    /// <summary>a − b.</summary>
    /// <param name="a">Minuend.</param>
    /// <param name="b">Subtrahend.</param>
    static abstract T Sub(T a, T b);

    /// <summary>a * b + c (may be fused by the backend).</summary>
    /// <param name="a">Factor.</param>
    /// <param name="b">Factor.</param>
    /// <param name="c">Addend.</param>
    static abstract T MulAdd(T a, T b, T c);

    /// <summary>a * b.</summary>
    /// <param name="a">Factor.</param>
    /// <param name="b">Factor.</param>
    static abstract T Mul(T a, T b);

    /// <summary>True if <paramref name="x"/> is not zero.</summary>
    /// <param name="x">Value.</param>
    static abstract bool IsNonZero(T x);
}

/// <summary>Arithmetic for <see cref="float"/>.</summary>
public readonly struct F32 : IArith<float>
{
    /// <inheritdoc/>
    public static float Zero => 0f;
    /// <inheritdoc/>
    public static float Add(float a, float b) => a + b;
    /// <inheritdoc/>
    public static float Sub(float a, float b) => a - b;
    /// <inheritdoc/>
    public static float MulAdd(float a, float b, float c) => a * b + c;
    /// <inheritdoc/>
    public static float Mul(float a, float b) => a * b;
    /// <inheritdoc/>
    public static bool IsNonZero(float x) => x != 0f;
}

/// <summary>Arithmetic for <see cref="double"/>.</summary>
public readonly struct F64 : IArith<double>
{
    /// <inheritdoc/>
    public static double Zero => 0.0;
    /// <inheritdoc/>
    public static double Add(double a, double b) => a + b;
    /// <inheritdoc/>
    public static double Sub(double a, double b) => a - b;
    /// <inheritdoc/>
    public static double MulAdd(double a, double b, double c) => a * b + c;
    /// <inheritdoc/>
    public static double Mul(double a, double b) => a * b;
    /// <inheritdoc/>
    public static bool IsNonZero(double x) => x != 0.0;
}

/// <summary>Generic identity map (y = x) usable for any element type, e.g. as the element map of the
/// second reduction stage.</summary>
/// <typeparam name="T">Element type.</typeparam>
public readonly struct PassThrough<T> : IUnaryOp<T> where T : unmanaged
{
    /// <inheritdoc/>
    public static T Apply(T x, T p0, T p1) => x;
}
