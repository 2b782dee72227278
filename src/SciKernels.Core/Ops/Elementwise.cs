using SciKernels.Backends;
using SciKernels.Functions;

namespace SciKernels;

public sealed partial class Tensor
{
    private Tensor UnaryRaw(UnaryOp op, string name, double alpha = 0, double beta = 0)
    {
        CheckFloat(name, this);
        var y = Empty(shape, DType, Device);
        Backend.Unary(op, this, y, alpha, beta);
        return y;
    }

    private static Tensor BinaryRaw(BinaryOp op, Tensor a, Tensor b, string name)
    {
        CheckFloatOperands(name, a, b);
        var outShape = BroadcastShapes(a.shape, b.shape, name);
        var y = Empty(outShape, a.DType, a.Device);
        var ae = a.BroadcastTo(outShape, name);
        var be = b.BroadcastTo(outShape, name);
        a.Backend.Binary(op, ae, be, y);
        if (!ReferenceEquals(ae, a)) ae.Dispose();
        if (!ReferenceEquals(be, b)) be.Dispose();
        return y;
    }

    private Tensor ScalarLike(double value) => Scalar(value, DType, Device);

    // ---- binary arithmetic: the rules sum broadcast gradients back to each operand's shape ----

    /// <summary>a + b with broadcasting.</summary>
    public Tensor Add(Tensor other)
    {
        var y = BinaryRaw(BinaryOp.Add, this, other, "Add");
        var a = this;
        return RecordBinary(y, "Add", a, other, h => h, h => h, Saved.None);
    }

    /// <summary>a - b with broadcasting.</summary>
    public Tensor Sub(Tensor other)
    {
        var y = BinaryRaw(BinaryOp.Sub, this, other, "Sub");
        var a = this;
        return RecordBinary(y, "Sub", a, other, h => h, h => h.Neg(), Saved.None);
    }

    /// <summary>a · b element-wise with broadcasting.</summary>
    public Tensor Mul(Tensor other)
    {
        var y = BinaryRaw(BinaryOp.Mul, this, other, "Mul");
        var a = this;
        return RecordBinary(y, "Mul", a, other, h => h.Mul(other), h => h.Mul(a), Saved.Inputs);
    }

    /// <summary>a / b element-wise with broadcasting.</summary>
    public Tensor Div(Tensor other)
    {
        var y = BinaryRaw(BinaryOp.Div, this, other, "Div");
        var a = this;
        // d(a/b)/db = -a/b² = -y/b
        return RecordBinary(y, "Div", a, other, h => h.Div(other), h => h.Mul(y).Div(other).Neg());
    }

    /// <summary>
    /// a^b element-wise with broadcasting. Gradients follow PyTorch at the boundary: ∂/∂a is 0 where
    /// b = 0 (a^0 is constant, even at a = 0) and ∂/∂b is 0 where a = 0 and b ≥ 0.
    /// </summary>
    public Tensor Pow(Tensor exponent)
    {
        var y = BinaryRaw(BinaryOp.Pow, this, exponent, "Pow");
        var a = this;
        var zero = ScalarLike(0);
        // d/da = b·a^(b-1), d/db = a^b·ln a: 0·∞ at those boundary points, where the masks select 0.
        // The masks are constants, so the rules stay differentiable where the function is smooth.
        return RecordBinary(y, "Pow", a, exponent,
            h => Where(exponent.Detach().Eq(zero), zero, h.Mul(exponent).Mul(a.Pow(exponent.Sub(1.0)))),
            h => Where(a.Detach().Eq(zero).Mul(exponent.Detach().Ge(zero)), zero, h.Mul(y).Mul(a.Log())));
    }

    /// <summary>max(a, b) element-wise (NaN if either is NaN); ties split the gradient evenly.</summary>
    public Tensor Maximum(Tensor other) => MinMax(other, BinaryOp.Maximum, BinaryOp.Gt, BinaryOp.Lt, "Maximum");

    /// <summary>min(a, b) element-wise (NaN if either is NaN); ties split the gradient evenly.</summary>
    public Tensor Minimum(Tensor other) => MinMax(other, BinaryOp.Minimum, BinaryOp.Lt, BinaryOp.Gt, "Minimum");

    private Tensor MinMax(Tensor other, BinaryOp op, BinaryOp wins, BinaryOp loses, string name)
    {
        var y = BinaryRaw(op, this, other, name);
        var a = this;
        // Each operand's weight is 1 - [it loses] - [tie]/2: 1 where it wins, 1/2 on ties, 0 where it
        // loses, and 1 for both where a NaN makes the pair unordered (like torch.maximum's rule). One
        // definition serves the backward and the forward rule.
        (Tensor A, Tensor B) Weights()
        {
            var halfTie = BinaryRaw(BinaryOp.Eq, a, other, name).Mul(-0.5);
            return (BinaryRaw(loses, a, other, name).Affine(-1, 1).Add(halfTie), BinaryRaw(wins, a, other, name).Affine(-1, 1).Add(halfTie));
        }
        return Record(y, name, new[] { a, other }, g =>
        {
            var (wa, wb) = Weights();
            return new[]
            {
                a.requiresGrad ? g.Mul(wa).SumTo(a.shape) : null,
                other.requiresGrad ? g.Mul(wb).SumTo(other.shape) : null,
            };
        }, t =>
        {
            var (wa, wb) = Weights();
            return SumTangents(y, t[0]?.Mul(wa), t[1]?.Mul(wb));
        });
    }

    /// <summary>1 where a = b else 0 (same dtype; not differentiable).</summary>
    public Tensor Eq(Tensor other) => BinaryRaw(BinaryOp.Eq, this, other, "Eq");
    /// <summary>1 where a ≠ b else 0.</summary>
    public Tensor Ne(Tensor other) => BinaryRaw(BinaryOp.Ne, this, other, "Ne");
    /// <summary>1 where a &lt; b else 0.</summary>
    public Tensor Lt(Tensor other) => BinaryRaw(BinaryOp.Lt, this, other, "Lt");
    /// <summary>1 where a ≤ b else 0.</summary>
    public Tensor Le(Tensor other) => BinaryRaw(BinaryOp.Le, this, other, "Le");
    /// <summary>1 where a &gt; b else 0.</summary>
    public Tensor Gt(Tensor other) => BinaryRaw(BinaryOp.Gt, this, other, "Gt");
    /// <summary>1 where a ≥ b else 0.</summary>
    public Tensor Ge(Tensor other) => BinaryRaw(BinaryOp.Ge, this, other, "Ge");
    /// <summary>1 where a &gt; s else 0.</summary>
    public Tensor Gt(double s) => Gt(ScalarLike(s));
    /// <summary>1 where a &lt; s else 0.</summary>
    public Tensor Lt(double s) => Lt(ScalarLike(s));

    // ---- scalar forms: one fused affine pass instead of a broadcast tensor ----

    /// <summary>alpha·x + beta in one pass. Differentiable.</summary>
    public Tensor Affine(double alpha, double beta)
    {
        var y = UnaryRaw(UnaryOp.Affine, "Affine", alpha, beta);
        return RecordUnary(y, "Affine", this, h => h.Mul(alpha), Saved.None);
    }

    /// <summary>x + s.</summary>
    public Tensor Add(double s) => Affine(1, s);
    /// <summary>x - s.</summary>
    public Tensor Sub(double s) => Affine(1, -s);
    /// <summary>x · s.</summary>
    public Tensor Mul(double s) => Affine(s, 0);
    /// <summary>x / s.</summary>
    public Tensor Div(double s) => Affine(1 / s, 0);
    /// <summary>s - x.</summary>
    public Tensor RSub(double s) => Affine(-1, s);
    /// <summary>s / x.</summary>
    public Tensor RDiv(double s) => Reciprocal().Mul(s);

    /// <summary>x^p for a constant exponent (x^0 = 1 with gradient 0 everywhere, as in PyTorch).</summary>
    public Tensor Pow(double p)
    {
        if (p == 1) return Affine(1, 0);
        if (p == 2) return Square();
        var y = UnaryRaw(UnaryOp.PowScalar, "Pow", p);
        var x = this;
        // x^0 is constant: gradient 0 even at x = 0, where p·x^(p-1) would be 0·∞ (PyTorch's convention)
        if (p == 0) return RecordUnary(y, "Pow", x, ZerosLike, Saved.None);
        return RecordUnary(y, "Pow", x, h => h.Mul(x.Pow(p - 1)).Mul(p), Saved.Inputs);
    }

    // ---- unary functions ----

    /// <summary>-x.</summary>
    public Tensor Neg() => RecordUnary(UnaryRaw(UnaryOp.Neg, "Neg"), "Neg", this, h => h.Neg(), Saved.None);

    // ---- element-wise functions: each is defined once in SciKernels.Functions ----

    /// <summary>
    /// F(x) element-wise for an element-wise function F (see <see cref="UnaryFunctions"/>), recorded
    /// with its reverse and forward rule g·F′(x): one fused pass, itself differentiable to any order
    /// (see <see cref="UnaryDerivative{F}"/>).
    /// </summary>
    public Tensor Apply<F>() where F : struct, IUnaryFunction
    {
        string name = OpName(F.Op);
        var x = this;
        var y = UnaryRaw(F.Op, name);
        return RecordUnary(y, name, x, h => UnaryDerivative<F>(x, y, [h]));
    }

    // Enum names are cached by the runtime: no allocation per call.
    private static string OpName(UnaryOp op) => op.ToString();

    /// <summary>e^x.</summary>
    public Tensor Exp() => Apply<Functions.Exp>();

    /// <summary>ln x.</summary>
    public Tensor Log() => Apply<Functions.Log>();

    /// <summary>√x.</summary>
    public Tensor Sqrt() => Apply<Functions.Sqrt>();

    /// <summary>|x| (gradient sign(x): 0 at ±0, NaN at NaN).</summary>
    public Tensor Abs()
    {
        var x = this;
        return RecordUnary(UnaryRaw(UnaryOp.Abs, "Abs"), "Abs", x, h => h.Mul(x.Sign()), Saved.Inputs);
    }

    /// <summary>sin x.</summary>
    public Tensor Sin() => Apply<Functions.Sin>();

    /// <summary>cos x.</summary>
    public Tensor Cos() => Apply<Functions.Cos>();

    /// <summary>tanh x.</summary>
    public Tensor Tanh() => Apply<Functions.Tanh>();

    /// <summary>1 / (1 + e^-x).</summary>
    public Tensor Sigmoid() => Apply<Functions.Sigmoid>();

    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => Apply<Functions.Relu>();

    /// <summary>ln(1 + e^x), computed without overflow.</summary>
    public Tensor Softplus() => Apply<Functions.Softplus>();

    /// <summary>The error function.</summary>
    public Tensor Erf() => Apply<Functions.Erf>();

    /// <summary>Exact GELU, x·Φ(x) = x·(1 + erf(x/√2))/2 (PyTorch's default), one fused pass forward and backward.</summary>
    public Tensor Gelu() => Apply<Functions.Gelu>();

    /// <summary>SiLU (swish), x·σ(x).</summary>
    public Tensor Silu() => Mul(Sigmoid());

    /// <summary>x².</summary>
    public Tensor Square()
    {
        var x = this;
        return RecordUnary(UnaryRaw(UnaryOp.Square, "Square"), "Square", x, h => h.Mul(x).Mul(2.0), Saved.Inputs);
    }

    /// <summary>1/x.</summary>
    public Tensor Reciprocal()
    {
        var y = UnaryRaw(UnaryOp.Reciprocal, "Reciprocal");
        return RecordUnary(y, "Reciprocal", this, h => h.Mul(y.Square()).Neg(), Saved.Output);
    }

    /// <summary>min(max(x, min), max); the gradient passes where min ≤ x ≤ max.</summary>
    public Tensor Clamp(double min, double max)
    {
        if (min > max) throw new TensorException("Clamp", $"min {min} is greater than max {max}");
        var x = this;
        // the mask [min ≤ x ≤ max] from ordinary comparisons (0 at NaN), not a backward-only op code
        return RecordUnary(UnaryRaw(UnaryOp.Clamp, "Clamp", min, max), "Clamp", x,
            h => h.Mul(BinaryRaw(BinaryOp.Ge, x, x.ScalarLike(min), "Clamp").Mul(BinaryRaw(BinaryOp.Le, x, x.ScalarLike(max), "Clamp"))));
    }

    /// <summary>sign(x) ∈ {-1, 0, 1} (not differentiable: treated as constant).</summary>
    public Tensor Sign() => UnaryRaw(UnaryOp.Sign, "Sign");

    /// <summary>1 where x &gt; 0, else 0 (not differentiable: treated as constant).</summary>
    public Tensor Step() => Gt(0);

    /// <summary>cond ≠ 0 ? a : b element-wise with broadcasting.</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        CheckFloatOperands("Where", a, b);
        cond.ThrowIfDisposed("Where");
        CheckSameDevice("Where", cond, a);
        var outShape = BroadcastShapes(BroadcastShapes(cond.shape, a.shape, "Where"), b.shape, "Where");
        var y = Empty(outShape, a.DType, a.Device);
        var c = cond.DType == a.DType ? cond : cond.To(a.DType);
        a.Backend.Where(c.BroadcastTo(outShape, "Where"), a.BroadcastTo(outShape, "Where"), b.BroadcastTo(outShape, "Where"), y);
        return Record(y, "Where", new[] { a, b }, g =>
        {
            var zero = Zeros(ReadOnlySpan<int>.Empty, g.DType, g.Device);
            return new[]
            {
                a.requiresGrad ? Where(c, g, zero).SumTo(a.shape) : null,
                b.requiresGrad ? Where(c, zero, g).SumTo(b.shape) : null,
            };
        }, t =>
        {
            // the same selection applied to the tangents (zero where an operand has none)
            var zero = Zeros(ReadOnlySpan<int>.Empty, y.DType, y.Device);
            return SumTangents(y, Where(c, t[0] ?? zero, t[1] ?? zero), null);
        });
    }

    // ---- in place (optimizers, accumulation): not recorded ----

    private void CheckInPlace(string op)
    {
        ThrowIfDisposed(op);
        if (requiresGrad && Autograd.GradMode.IsEnabled)
            throw new TensorException(op, "in-place update of a tensor that requires grad; wrap it in GradMode.NoGrad()");
        if (!IsContiguous) throw new TensorException(op, $"in-place updates need a contiguous tensor, got shape {ShapeString(shape)} with strides ({string.Join(", ", strides)})");
    }

    /// <summary>
    /// True when <paramref name="src"/> (of this tensor's shape) reads memory that this tensor writes at
    /// another element, so an element-wise in-place update would read values it has already written.
    /// One reference comparison when the storages differ (the usual case).
    /// </summary>
    internal bool OverlapsOtherwise(Tensor src)
    {
        if (!ReferenceEquals(src.Storage, Storage) || NumElements == 0) return false;
        bool sameLayout = src.Offset == Offset;
        for (int i = 0; sameLayout && i < shape.Length; i++) sameLayout = shape[i] == 1 || src.strides[i] == strides[i];
        if (sameLayout) return false; // each element reads only what it writes itself
        var (lo, hi) = Extent(this);
        var (srcLo, srcHi) = Extent(src);
        return lo <= srcHi && srcLo <= hi;
    }

    /// <summary>The lowest and highest storage index a tensor addresses.</summary>
    private static (long Lo, long Hi) Extent(Tensor t)
    {
        long lo = t.Offset, hi = t.Offset;
        for (int i = 0; i < t.shape.Length; i++)
        {
            long span = t.strides[i] * (t.shape[i] - 1);
            if (span < 0) lo += span;
            else hi += span;
        }
        return (lo, hi);
    }

    /// <summary><paramref name="src"/>, or a private copy of it when it overlaps this tensor (like PyTorch, which copies such sources first).</summary>
    private Tensor SourceFor(Tensor src)
    {
        if (!OverlapsOtherwise(src)) return src;
        var copy = Empty(src.shape, src.DType, src.Device);
        Backend.Copy(src, copy);
        return copy;
    }

    /// <summary>this += alpha·other (broadcasting other), in place. A source that overlaps this tensor is read as it was before the update.</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        CheckInPlace("AddInPlace");
        CheckFloatOperands("AddInPlace", this, other);
        var b = other.BroadcastTo(shape, "AddInPlace");
        if (alpha == 1)
        {
            var src = SourceFor(b);
            Backend.Binary(BinaryOp.Add, this, src, this);
            if (!ReferenceEquals(src, b)) src.Dispose();
        }
        else
        {
            using var scaled = Empty(shape, DType, Device);
            Backend.Unary(UnaryOp.Affine, b, scaled, alpha, 0);
            Backend.Binary(BinaryOp.Add, this, scaled, this);
        }
        if (!ReferenceEquals(b, other)) b.Dispose();
        BumpVersion();
        return this;
    }

    /// <summary>this = alpha·this + beta, in place.</summary>
    public Tensor AffineInPlace(double alpha, double beta)
    {
        CheckInPlace("AffineInPlace");
        CheckFloat("AffineInPlace", this);
        Backend.Unary(UnaryOp.Affine, this, this, alpha, beta);
        BumpVersion();
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/>, in place.</summary>
    public Tensor FillInPlace(double value)
    {
        CheckInPlace("FillInPlace");
        Backend.Fill(this, value);
        BumpVersion();
        return this;
    }

    // ---- operators ----

    /// <summary>Element-wise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>Element-wise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>Element-wise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>Element-wise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>x + s.</summary>
    public static Tensor operator +(Tensor a, double s) => a.Add(s);
    /// <summary>s + x.</summary>
    public static Tensor operator +(double s, Tensor a) => a.Add(s);
    /// <summary>x - s.</summary>
    public static Tensor operator -(Tensor a, double s) => a.Sub(s);
    /// <summary>s - x.</summary>
    public static Tensor operator -(double s, Tensor a) => a.RSub(s);
    /// <summary>x · s.</summary>
    public static Tensor operator *(Tensor a, double s) => a.Mul(s);
    /// <summary>s · x.</summary>
    public static Tensor operator *(double s, Tensor a) => a.Mul(s);
    /// <summary>x / s.</summary>
    public static Tensor operator /(Tensor a, double s) => a.Div(s);
    /// <summary>s / x.</summary>
    public static Tensor operator /(double s, Tensor a) => a.RDiv(s);
}
