namespace SciKernels.Backends;

/// <summary>
/// Element-wise functions of one tensor (forward only). Parameters travel as alpha/beta. The
/// functions of <see cref="Functions.UnaryFunctions"/> are defined once in SciKernels.Functions;
/// their derivatives reach a backend through <see cref="IBackend.UnaryBackward"/>.
/// </summary>
public enum UnaryOp
{
    /// <summary>-x</summary>
    Neg,
    /// <summary>e^x</summary>
    Exp,
    /// <summary>ln x</summary>
    Log,
    /// <summary>√x</summary>
    Sqrt,
    /// <summary>|x|</summary>
    Abs,
    /// <summary>sin x</summary>
    Sin,
    /// <summary>cos x</summary>
    Cos,
    /// <summary>tanh x</summary>
    Tanh,
    /// <summary>1/(1+e^-x)</summary>
    Sigmoid,
    /// <summary>max(x, 0)</summary>
    Relu,
    /// <summary>ln(1+e^x), computed stably.</summary>
    Softplus,
    /// <summary>Error function.</summary>
    Erf,
    /// <summary>sign(x) ∈ {-1, 0, 1}</summary>
    Sign,
    /// <summary>x^alpha</summary>
    PowScalar,
    /// <summary>min(max(x, alpha), beta)</summary>
    Clamp,
    /// <summary>x²</summary>
    Square,
    /// <summary>1/x</summary>
    Reciprocal,
    /// <summary>alpha·x + beta</summary>
    Affine,
    /// <summary>Exact GELU x·Φ(x) in one pass.</summary>
    Gelu,
}

/// <summary>Element-wise functions of two (broadcast) tensors.</summary>
public enum BinaryOp
{
    /// <summary>a + b</summary>
    Add,
    /// <summary>a - b</summary>
    Sub,
    /// <summary>a · b</summary>
    Mul,
    /// <summary>a / b</summary>
    Div,
    /// <summary>a^b</summary>
    Pow,
    /// <summary>max(a, b)</summary>
    Maximum,
    /// <summary>min(a, b)</summary>
    Minimum,
    /// <summary>1 where a = b, else 0.</summary>
    Eq,
    /// <summary>1 where a ≠ b, else 0.</summary>
    Ne,
    /// <summary>1 where a &lt; b, else 0.</summary>
    Lt,
    /// <summary>1 where a ≤ b, else 0.</summary>
    Le,
    /// <summary>1 where a &gt; b, else 0.</summary>
    Gt,
    /// <summary>1 where a ≥ b, else 0.</summary>
    Ge,
}

/// <summary>Reductions along one axis.</summary>
public enum ReduceOp
{
    /// <summary>Sum.</summary>
    Sum,
    /// <summary>Maximum.</summary>
    Max,
    /// <summary>Minimum.</summary>
    Min,
}
