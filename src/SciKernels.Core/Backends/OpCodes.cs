namespace SciKernels.Backends;

/// <summary>Element-wise functions of one tensor. Parameters travel as alpha/beta.</summary>
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
    /// <summary>1 where x &gt; 0, else 0.</summary>
    Step,
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
    /// <summary>1 where alpha ≤ x ≤ beta, else 0.</summary>
    InRange,
    /// <summary>Exact GELU x·Φ(x) in one pass (backends may leave it to the composite form).</summary>
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
    /// <summary>b · (1 - a²): the tanh derivative rule with a = tanh output, b = output gradient.</summary>
    TanhGrad,
    /// <summary>b · a · (1 - a): the sigmoid derivative rule with a = sigmoid output, b = output gradient.</summary>
    SigmoidGrad,
    /// <summary>b·(Φ(a) + a·φ(a)): the GELU derivative rule with a = GELU input, b = output gradient (contiguous, same shape).</summary>
    GeluGrad,
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
