namespace SciKernels;

/// <summary>
/// Thrown when an operation receives operands it cannot work with: mismatched shapes, dtypes or
/// devices. The message names the operation and the offending operands.
/// </summary>
public sealed class TensorException : ArgumentException
{
    /// <summary>Creates the exception for operation <paramref name="op"/>.</summary>
    public TensorException(string op, string message) : base($"{op}: {message}") => Op = op;

    /// <summary>Name of the operation that rejected its input (e.g. <c>MatMul</c>).</summary>
    public string Op { get; }
}
