using SciKernels.Backends;

namespace SciKernels.Functions;

/// <summary>Receives the function type behind an op code (see <see cref="UnaryFunctions.Dispatch"/>).</summary>
public interface IUnaryFunctionVisitor
{
    /// <summary>Called with the function's type.</summary>
    void Visit<F>() where F : struct, IUnaryFunction;
}

/// <summary>The registry of element-wise functions: op code ↔ definition.</summary>
public static class UnaryFunctions
{
    /// <summary>Every registered function (the property tests run each).</summary>
    public static IReadOnlyList<Type> All { get; } = new[]
    {
        typeof(Exp), typeof(Log), typeof(Sqrt), typeof(Sin), typeof(Cos), typeof(Tanh), typeof(Sigmoid),
        typeof(Softplus), typeof(Erf), typeof(Gelu), typeof(Relu),
    };

    /// <summary>
    /// Calls <paramref name="visitor"/> with the function behind <paramref name="op"/>; false when the
    /// op is not a registered function (arithmetic and parameterised ops the backends implement directly).
    /// </summary>
    public static bool Dispatch<V>(UnaryOp op, ref V visitor) where V : struct, IUnaryFunctionVisitor
    {
        switch (op)
        {
            case UnaryOp.Exp: visitor.Visit<Exp>(); return true;
            case UnaryOp.Log: visitor.Visit<Log>(); return true;
            case UnaryOp.Sqrt: visitor.Visit<Sqrt>(); return true;
            case UnaryOp.Sin: visitor.Visit<Sin>(); return true;
            case UnaryOp.Cos: visitor.Visit<Cos>(); return true;
            case UnaryOp.Tanh: visitor.Visit<Tanh>(); return true;
            case UnaryOp.Sigmoid: visitor.Visit<Sigmoid>(); return true;
            case UnaryOp.Softplus: visitor.Visit<Softplus>(); return true;
            case UnaryOp.Erf: visitor.Visit<Erf>(); return true;
            case UnaryOp.Gelu: visitor.Visit<Gelu>(); return true;
            case UnaryOp.Relu: visitor.Visit<Relu>(); return true;
            default: return false;
        }
    }
}
