using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SciKernels.Cpu;

/// <summary>An element-wise binary function with a SIMD form (the CPU side of a fused op).</summary>
internal interface IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Apply(T a, T b);
    static abstract Vector512<T> Apply(Vector512<T> a, Vector512<T> b);
    static abstract Vector256<T> Apply(Vector256<T> a, Vector256<T> b);
}

/// <summary>An element-wise unary function with a SIMD form, parameterised by alpha/beta.</summary>
internal interface IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Apply(T x, T alpha, T beta);
    static abstract Vector512<T> Apply(Vector512<T> x, Vector512<T> alpha, Vector512<T> beta);
    static abstract Vector256<T> Apply(Vector256<T> x, Vector256<T> alpha, Vector256<T> beta);
}

internal readonly struct EqFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a == b ? T.One : T.Zero;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.Equals(a, b) & Vector512<T>.One;
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.Equals(a, b) & Vector256<T>.One;
}

internal readonly struct NeFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a != b ? T.One : T.Zero;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.AndNot(Vector512<T>.One, Vector512.Equals(a, b));
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.AndNot(Vector256<T>.One, Vector256.Equals(a, b));
}

internal readonly struct LtFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a < b ? T.One : T.Zero;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.LessThan(a, b) & Vector512<T>.One;
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.LessThan(a, b) & Vector256<T>.One;
}

internal readonly struct LeFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a <= b ? T.One : T.Zero;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.LessThanOrEqual(a, b) & Vector512<T>.One;
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.LessThanOrEqual(a, b) & Vector256<T>.One;
}

internal readonly struct GtFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a > b ? T.One : T.Zero;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThan(a, b) & Vector512<T>.One;
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThan(a, b) & Vector256<T>.One;
}

internal readonly struct GeFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a >= b ? T.One : T.Zero;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThanOrEqual(a, b) & Vector512<T>.One;
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThanOrEqual(a, b) & Vector256<T>.One;
}

internal readonly struct AddFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a + b;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a + b;
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a + b;
}

internal readonly struct SubFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a - b;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a - b;
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a - b;
}

internal readonly struct MulFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a * b;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a * b;
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a * b;
}

internal readonly struct DivFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => a / b;
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a / b;
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => a / b;
}

/// <summary>
/// max(a, b), NaN-propagating like torch.maximum, with -0 &lt; +0 (IEEE 754-2019 maximum). .NET 9+
/// Vector512.Max and T.Max both have exactly these semantics (MaxNative would not), so body and tail agree.
/// </summary>
internal readonly struct MaxFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => T.Max(a, b);
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.Max(a, b);
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);
}

/// <summary>min(a, b), NaN-propagating like torch.minimum, with -0 &lt; +0 (IEEE 754-2019 minimum; see <see cref="MaxFn{T}"/>).</summary>
internal readonly struct MinFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T a, T b) => T.Min(a, b);
    public static Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.Min(a, b);
    public static Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.Min(a, b);
}

internal readonly struct AffineFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T alpha, T beta) => x * alpha + beta;
    public static Vector512<T> Apply(Vector512<T> x, Vector512<T> alpha, Vector512<T> beta) => x * alpha + beta;
    public static Vector256<T> Apply(Vector256<T> x, Vector256<T> alpha, Vector256<T> beta) => x * alpha + beta;
}

/// <summary>
/// sign(x) ∈ {-1, +0, 1}; NaN stays NaN (NumPy's choice; PyTorch returns 0 there, an open bug) and
/// ±0 gives +0 like torch.sign. The SIMD form ORs the NaN lanes back in: the compare difference is +0 there.
/// </summary>
internal readonly struct SignFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T alpha, T beta) => x > T.Zero ? T.One : x < T.Zero ? -T.One : x == T.Zero ? T.Zero : x;
    public static Vector512<T> Apply(Vector512<T> x, Vector512<T> alpha, Vector512<T> beta)
        => ((Vector512.GreaterThan(x, Vector512<T>.Zero) & Vector512<T>.One) - (Vector512.LessThan(x, Vector512<T>.Zero) & Vector512<T>.One))
           | Vector512.AndNot(x, Vector512.Equals(x, x));
    public static Vector256<T> Apply(Vector256<T> x, Vector256<T> alpha, Vector256<T> beta)
        => ((Vector256.GreaterThan(x, Vector256<T>.Zero) & Vector256<T>.One) - (Vector256.LessThan(x, Vector256<T>.Zero) & Vector256<T>.One))
           | Vector256.AndNot(x, Vector256.Equals(x, x));
}

/// <summary>
/// clamp(x, alpha, beta) like torch.clamp: x itself unless it lies strictly outside [alpha, beta], so NaN
/// and the sign of a zero x survive (min/max would turn clamp(-0, 0, 1) into +0).
/// </summary>
internal readonly struct ClampFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T alpha, T beta) => x < alpha ? alpha : x > beta ? beta : x;
    public static Vector512<T> Apply(Vector512<T> x, Vector512<T> alpha, Vector512<T> beta)
        => Vector512.ConditionalSelect(Vector512.LessThan(x, alpha), alpha, Vector512.ConditionalSelect(Vector512.GreaterThan(x, beta), beta, x));
    public static Vector256<T> Apply(Vector256<T> x, Vector256<T> alpha, Vector256<T> beta)
        => Vector256.ConditionalSelect(Vector256.LessThan(x, alpha), alpha, Vector256.ConditionalSelect(Vector256.GreaterThan(x, beta), beta, x));
}

internal readonly struct SquareFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T alpha, T beta) => x * x;
    public static Vector512<T> Apply(Vector512<T> x, Vector512<T> alpha, Vector512<T> beta) => x * x;
    public static Vector256<T> Apply(Vector256<T> x, Vector256<T> alpha, Vector256<T> beta) => x * x;
}

/// <summary>
/// relu(x) = +0 where x &lt; 0, else x itself: NaN and -0 pass through as in PyTorch's eager relu (clamp_min).
/// </summary>
internal readonly struct ReluFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T alpha, T beta) => x < T.Zero ? T.Zero : x;
    public static Vector512<T> Apply(Vector512<T> x, Vector512<T> alpha, Vector512<T> beta) => Vector512.AndNot(x, Vector512.LessThan(x, Vector512<T>.Zero));
    public static Vector256<T> Apply(Vector256<T> x, Vector256<T> alpha, Vector256<T> beta) => Vector256.AndNot(x, Vector256.LessThan(x, Vector256<T>.Zero));
}

/// <summary>SIMD loops over contiguous spans for the functors above.</summary>
internal static unsafe class VecLoop
{
    /// <summary>y[i] = f(a[i], b[i]); with aStride/bStride 0 the operand is a broadcast scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<T, TF>(T* a, int aStride, T* b, int bStride, T* y, long n)
        where T : unmanaged, IFloatingPointIeee754<T> where TF : IBinaryFn<T>
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            int w = Vector512<T>.Count;
            if (aStride == 1 && bStride == 1)
                for (; i + w <= n; i += w) TF.Apply(Vector512.Load(a + i), Vector512.Load(b + i)).Store(y + i);
            else if (aStride == 1)
            {
                var bv = Vector512.Create(*b);
                for (; i + w <= n; i += w) TF.Apply(Vector512.Load(a + i), bv).Store(y + i);
            }
            else if (bStride == 1)
            {
                var av = Vector512.Create(*a);
                for (; i + w <= n; i += w) TF.Apply(av, Vector512.Load(b + i)).Store(y + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            if (aStride == 1 && bStride == 1)
                for (; i + w <= n; i += w) TF.Apply(Vector256.Load(a + i), Vector256.Load(b + i)).Store(y + i);
            else if (aStride == 1)
            {
                var bv = Vector256.Create(*b);
                for (; i + w <= n; i += w) TF.Apply(Vector256.Load(a + i), bv).Store(y + i);
            }
            else if (bStride == 1)
            {
                var av = Vector256.Create(*a);
                for (; i + w <= n; i += w) TF.Apply(av, Vector256.Load(b + i)).Store(y + i);
            }
        }
        for (; i < n; i++) y[i] = TF.Apply(a[i * aStride], b[i * bStride]);
    }

    /// <summary>y[i] = f(x[i]; alpha, beta) over contiguous x and y (they may alias).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unary<T, TF>(T* x, T* y, long n, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T> where TF : IUnaryFn<T>
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            int w = Vector512<T>.Count;
            var av = Vector512.Create(alpha);
            var bv = Vector512.Create(beta);
            for (; i + w <= n; i += w) TF.Apply(Vector512.Load(x + i), av, bv).Store(y + i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            var av = Vector256.Create(alpha);
            var bv = Vector256.Create(beta);
            for (; i + w <= n; i += w) TF.Apply(Vector256.Load(x + i), av, bv).Store(y + i);
        }
        for (; i < n; i++) y[i] = TF.Apply(x[i], alpha, beta);
    }
}
